"""Load test of ``summarize serve`` on loopback: throughput, latency, errors, micro-batching gain, memory.

    .venv/bin/python scripts/bench_serve.py               # 16 clients x 60 s per server, then memory: ~7 min
    .venv/bin/python scripts/bench_serve.py --quick       # 4 clients x 3 s, no memory part (used by the tests)
    nice -n 10 .venv/bin/python scripts/bench_serve.py --seconds 30 --clients 16
    .venv/bin/python scripts/bench_serve.py --no-load --memory    # the memory part alone

For each model - the offline ``lead`` method, the bundled extractive model and
a tiny seq2seq model (random weights, d_model 32, built here) - a real server process is started on 127.0.0.1 at a free port, twice:
with micro-batching (``--max-batch 16 --max-wait-ms 10``) and without
(``--max-batch 1 --max-wait-ms 0``). N client threads each send one article per
request (THUCNews val articles when ../shared is there) for the given seconds,
then the server is stopped with SIGTERM. Reported per server: requests/s, p50
and p99 latency, errors (any non-200 or transport error); the batching gain is
throughput with batching over throughput without, in the same run.

Memory (full runs, or --memory): peak RSS (VmHWM) of a server process holding
a model of fnlp/bart-base-chinese's shape (random weights, its 21,128-token
vocabulary from ../shared, else 505 tokens) after 4 requests, each decoding, torch fp32
against the CTranslate2 int8 export. Target: int8 under half of fp32.

Nothing leaves the machine: every request goes to 127.0.0.1, and every loop is
bounded by a deadline. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_generate import SHARED, build_model  # noqa: E402 - one copy of the model builder

REPO = Path(__file__).resolve().parents[1]
BATCHED = ["--max-batch", "16", "--max-wait-ms", "10"]
UNBATCHED = ["--max-batch", "1", "--max-wait-ms", "0"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, model: str, *extra: str, threads: int = 0):
        import httpx

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "summarize", "serve", "--model", model, "--host", "127.0.0.1",
             "--port", str(self.port), "--device", "cpu", "--max-queue", "1024", "-q", *extra,
             *(["--threads", str(threads)] if threads else [])],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(1200):  # up to 120 s: a bart-base-shaped model takes a while to load on a busy machine
            if self.proc.poll() is not None:
                raise RuntimeError(f"server for {model} exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server for {model} did not come up")

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc (not Linux?)")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def articles(n: int, quick: bool) -> list[str]:
    path = SHARED / "data" / "thucnews" / "val.csv"
    if not quick and path.is_file():
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8", newline="") as handle:
            return [row["context"][:2000] for _, row in zip(range(n), csv.DictReader(handle)) if row["context"].strip()]
    rng = random.Random(0)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 500)]
    return ["".join(rng.choice(chars) for _ in range(rng.randint(30, 300))) + "。" for _ in range(n)]


def load(url: str, texts: list[str], clients: int, seconds: float) -> dict:
    """``clients`` threads posting one article per request until the deadline; latencies and errors."""
    import httpx

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        mine, bad, i = [], 0, k
        with httpx.Client(base_url=url, timeout=60) as http:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    ok = http.post("/v1/headlines", json={"article": texts[i % len(texts)]}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append(time.perf_counter() - start) if ok else None
                bad += not ok
                i += clients
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return {"rps": len(latencies) / elapsed, "p50": pct(0.50), "p99": pct(0.99), "errors": errors[0], "n": len(latencies)}


def memory(tmp: Path, quick: bool, threads: int) -> float:
    """Peak RSS ratio (CTranslate2 int8 / torch fp32) of a server holding the bart-base shape."""
    import httpx

    from summarize.headline.backends.ct2_export import export_ctranslate2

    vocab = SHARED / "vocab" / "bert-base-chinese" / "vocab.txt"
    folder = build_model(tmp / "bart-base-shape", quick, vocab if vocab.is_file() and not quick else None)
    export = export_ctranslate2(folder, tmp / "bart-base-shape-ct2", quantization="int8")
    texts = articles(4, quick)
    peaks = {}
    for name, model in (("torch fp32", str(folder)), ("ctranslate2 int8", str(export))):
        server = Server(model, "generation.num_beams=4", threads=threads)
        try:
            # requests that decode: torch maps its weights lazily, an idle server's RSS says nothing
            for text in texts:
                response = httpx.post(server.url + "/v1/headlines", json={"article": text}, timeout=600)
                if response.status_code != 200:
                    raise RuntimeError(f"{name}: status {response.status_code}: {response.text[:200]}")
            peaks[name] = server.peak_rss_mib()
        finally:
            server.stop()
        print(f"memory: {name} server peak RSS {peaks[name]:.0f} MiB")
    return peaks["ctranslate2 int8"] / peaks["torch fp32"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 clients x 3 s, no memory part")
    parser.add_argument("--clients", type=int, help="concurrent clients (default 16; 4 with --quick)")
    parser.add_argument("--seconds", type=float, help="seconds of load per server (default 60; 3 with --quick)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per model call in the servers (default 1: on a small shared machine, OpenMP "
                             "threads spin-waiting for each other cost the tiny model 10x - 2.07 s against 0.24 s per "
                             "beam-4 headline, measured; 0: the machine's cores)")
    parser.add_argument("--memory", action=argparse.BooleanOptionalAction, default=None,
                        help="measure peak RSS of the bart-base shape (default: on, off with --quick)")
    parser.add_argument("--load", action=argparse.BooleanOptionalAction, default=True,
                        help="run the load tests (--no-load: the memory part alone)")
    args = parser.parse_args()
    clients = args.clients or (4 if args.quick else 16)
    seconds = args.seconds or (3.0 if args.quick else 60.0)
    if clients < 1 or seconds <= 0:
        parser.error("--clients must be >= 1 and --seconds > 0")
    if args.threads < 0:
        parser.error("--threads must be >= 0")
    do_memory = args.memory if args.memory is not None else not args.quick
    texts = articles(64, args.quick)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    if args.load:
        print(f"load: {clients} clients x {seconds:g} s per server, one article per request, "
              f"{len(texts)} articles, loopback only")
    results, fields = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        from summarize.headline.extractive import bundled_model

        tiny = build_model(Path(tmp) / "tiny", True, None)
        models = [("lead", "lead"), ("extractive", str(bundled_model())), ("tiny", str(tiny))]
        if bundled_model() is None:  # a package built without the bundled model
            models.pop(1)
        for name, model in models if args.load else ():
            for mode, flags in (("batched", BATCHED), ("unbatched", UNBATCHED)):
                server = Server(model, *flags, "generation.num_beams=4", threads=args.threads)
                try:
                    r = load(server.url, texts, clients, seconds)
                finally:
                    server.stop()
                results[name, mode] = r
                print(f"{name:10s} {mode:9s}: {r['rps']:8.1f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms  "
                      f"errors {r['errors']}  ({r['n']} ok)")
            gain = results[name, "batched"]["rps"] / max(results[name, "unbatched"]["rps"], 1e-9)
            print(f"{name:10s} batching gain {gain:.2f}x")
            b = results[name, "batched"]
            fields += [f"{name}_rps={b['rps']:.1f}", f"{name}_p50_ms={b['p50']:.1f}", f"{name}_p99_ms={b['p99']:.1f}",
                       f"{name}_batching_gain={gain:.2f}"]
        errors = sum(r["errors"] for r in results.values())
        if args.load:
            fields.append(f"errors={errors}")
        if do_memory:
            fields.append(f"rss_ratio={memory(Path(tmp), args.quick, args.threads):.3f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(" ".join(fields))
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
