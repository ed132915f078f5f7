"""``summarize serve`` as a real process on a free loopback port, with tiny models (skipped without the serve extra)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

REPO = Path(__file__).resolve().parents[1]
ARTICLES = ["本报讯(记者王某)今天，高新区人民政府发布新政策，支持企业研发。中国银行科技园项目开工建设。",
            "新华社北京电 今天中国发布政策。", "科技园项目开工。" * 5]
CONTEXT = "高新区人民政府今天发布新政策。园区负责人王明表示，将支持企业研发。"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``summarize serve`` in a subprocess; stderr (logs, access lines) is kept for assertions."""

    def __init__(self, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "summarize", "serve", "--port", str(self.port), *args],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True)
        self._reader.start()
        for _ in range(600):  # up to 60 s for torch and the models to load
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + "".join(self.lines)[-2000:])
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not come up")

    def post(self, path: str, body=None, **kw) -> httpx.Response:
        return httpx.post(self.url + path, json=body, timeout=60, **kw)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self._reader.join(5)


def build_qa_model(folder: Path) -> Path:
    from transformers import BertConfig, BertForQuestionAnswering, BertTokenizerFast

    folder.mkdir(parents=True)
    chars = sorted(set(CONTEXT + "园区负责人是谁？"))
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]) + "\n",
                                      encoding="utf-8")
    BertTokenizerFast.from_pretrained(str(folder)).save_pretrained(str(folder))
    config = BertConfig(vocab_size=len(chars) + 5, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512)
    BertForQuestionAnswering(config).save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="module")
def models(tmp_path_factory, tiny_model):
    root = tmp_path_factory.mktemp("serve")
    return tiny_model(root / "headline", generation={"max_chars": 12, "num_beams": 2}), build_qa_model(root / "qa")


@pytest.fixture(scope="module")
def server(models):
    headline, qa = models
    srv = Server("--model", str(headline), "--qa-model", str(qa), "--device", "cpu", "--max-articles", "4",
                 "--max-article-chars", "300", "--max-body-bytes", "4096", "-q")
    yield srv
    assert srv.stop() == 0


def test_headlines_come_from_the_model_in_input_order(server, models):
    from summarize.headline.generator import HeadlineGenerator

    expected = HeadlineGenerator.from_pretrained(models[0], device="cpu").generate(ARTICLES)
    r = server.post("/v1/headlines", {"articles": ARTICLES})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"].startswith("model:")
    assert [x["headline"] for x in body["results"]] == [e.headline for e in expected]
    assert all(set(x) >= {"headline", "score", "warnings", "method"} for x in body["results"])
    one = server.post("/v1/headlines", {"article": ARTICLES[1], "max_chars": 5, "num_beams": 2,
                                        "num_return_sequences": 2}).json()["results"]
    assert len(one) == 1 and len(one[0]["headline"]) <= 5 and len(one[0]["alternatives"]) == 1


def test_concurrent_requests_are_batched_and_each_gets_its_own(server):
    results: dict[int, str] = {}

    def ask(i):
        results[i] = server.post("/v1/headlines", {"article": ARTICLES[i % 3]}).json()["results"][0]["headline"]

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 9
    assert all(results[i] == results[i % 3] for i in range(9))
    metrics = httpx.get(server.url + "/metrics", timeout=10).text
    assert 'summarize_batch_size_count{queue="headlines"}' in metrics


def test_answers_with_offsets(server):
    r = server.post("/v1/answers", {"question": "园区负责人是谁？", "context": CONTEXT})
    assert r.status_code == 200, r.text
    [[best]] = r.json()["results"]
    assert CONTEXT[best["start"] : best["end"]] == best["answer"]
    many = server.post("/v1/answers", {"pairs": [{"question": "谁？", "context": CONTEXT}] * 2, "top_k": 2}).json()
    assert len(many["results"]) == 2 and all(len(a) <= 2 for a in many["results"])


def test_health_readiness_metrics_and_openapi(server):
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.url + "/readyz").json()
    assert ready["status"] == "ready" and ready["qa_model"] == "qa"
    text = httpx.get(server.url + "/metrics").text
    assert "# TYPE summarize_requests_total counter" in text
    assert 'summarize_requests_total{endpoint="/v1/headlines",status="200"}' in text
    assert "# TYPE summarize_request_seconds histogram" in text and 'le="+Inf"' in text
    schema = httpx.get(server.url + "/openapi.json").json()
    assert {"/v1/headlines", "/v1/answers", "/healthz", "/readyz", "/metrics"} <= set(schema["paths"])
    assert "HeadlineRequest" in schema["components"]["schemas"]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"articles": ["新闻"] * 5}, 413, "articles"),
    ({"articles": ["新闻", "长" * 301]}, 413, "articles.1"),
    ({"article": "长" * 301}, 413, "article"),
    ({"article": "新闻" * 1200}, 413, "body"),
    ({"article": "  "}, 422, "article"),
    ({"article": 3}, 422, "article"),
    ({"articles": ["新闻", 7]}, 422, "articles.1"),
    ({"article": "新闻", "articles": ["新闻"]}, 422, "article"),
    ({}, 422, "article"),
    ({"article": "新闻", "num_beams": 0}, 422, "num_beams"),
    ({"article": "新闻", "beams": 2}, 422, "beams"),
    ({"articles": []}, 422, "articles"),
])
def test_headline_limits_and_bad_values_name_the_field(server, body, status, field):
    r = server.post("/v1/headlines", body)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field and r.json()["error"]


def test_settings_the_model_refuses_are_422_not_a_crash(server):
    r = server.post("/v1/headlines", {"article": ARTICLES[0], "min_chars": 9, "max_chars": 4})
    assert r.status_code == 422 and "min_chars" in r.json()["error"]
    assert server.post("/v1/headlines", {"article": ARTICLES[0]}).status_code == 200  # the worker lives on


@pytest.mark.parametrize("raw", [b"{bad json", b"", b'{"article": "x"', b"\xff\xfe"])
def test_malformed_json_is_400(server, raw):
    r = httpx.post(server.url + "/v1/headlines", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "body"
    assert httpx.post(server.url + "/v1/answers", content=raw).status_code == 400  # no content-type: still JSON


def test_answer_limits(server):
    long_q = server.post("/v1/answers", {"question": "谁" * 1001, "context": CONTEXT})
    assert long_q.status_code == 413 and long_q.json()["field"] == "question"
    many = server.post("/v1/answers", {"pairs": [{"question": "谁", "context": CONTEXT}] * 5})
    assert many.status_code == 413 and many.json()["field"] == "pairs"
    half = server.post("/v1/answers", {"question": "谁"})
    assert half.status_code == 422 and half.json()["field"] == "context"
    empty = server.post("/v1/answers", {"pairs": [{"question": "谁", "context": " "}]})
    assert empty.status_code == 422 and empty.json()["field"] == "pairs.0.context"


def test_access_log_is_structured_json_on_stderr(server):
    server.post("/v1/headlines", {"article": ARTICLES[0]})
    deadline = time.monotonic() + 10
    entries = []
    while time.monotonic() < deadline and not entries:
        entries = [json.loads(line) for line in list(server.lines) if line.startswith("{")]
        time.sleep(0.05)
    assert entries and {"ts", "method", "path", "status", "ms", "client"} <= set(entries[-1])
    assert any(e["path"] == "/v1/headlines" and e["status"] == 200 for e in entries)


# --- a slow queue: the lead model, batches that wait a second to fill ---------------------------


@pytest.fixture()
def slow():
    srv = Server("--model", "lead", "--max-queue", "4", "--max-batch", "64", "--max-wait-ms", "1500", "-q")
    yield srv
    srv.stop()


def test_full_queue_is_503_with_retry_after_then_sigterm_finishes_in_flight(slow):
    answers: list[httpx.Response] = []

    def ask(articles):
        answers.append(slow.post("/v1/headlines", {"articles": articles}))

    first = threading.Thread(target=ask, args=([ARTICLES[0], ARTICLES[1]],))
    second = threading.Thread(target=ask, args=([ARTICLES[1], ARTICLES[2]],))
    first.start()
    second.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # both requests queued (4 articles: the queue is full)
        if 'summarize_queue_depth{queue="headlines"} 4' in httpx.get(slow.url + "/metrics").text:
            break
        time.sleep(0.02)
    refused = slow.post("/v1/headlines", {"article": ARTICLES[2]})
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert "busy" in refused.json()["error"]
    # SIGTERM while both requests still wait for their batch: they are answered, then the process exits 0
    slow.proc.send_signal(signal.SIGTERM)
    first.join(30)
    second.join(30)
    assert [a.status_code for a in answers] == [200, 200]
    assert all(len(a.json()["results"]) == 2 and a.json()["model"] == "lead-v1" for a in answers)
    assert slow.proc.wait(timeout=30) == 0
    with pytest.raises(httpx.TransportError):
        httpx.get(slow.url + "/healthz", timeout=2)


def test_listens_on_loopback_unless_told():
    from summarize.cli.serve import _parser

    assert _parser().parse_args(["--model", "lead"]).host == "127.0.0.1"


def test_any_backend_serves_in_process(tmp_path, tiny_model):
    pytest.importorskip("ctranslate2")
    from fastapi.testclient import TestClient

    from summarize.headline.generator import HeadlineGenerator
    from summarize.serve import build_app

    gen = HeadlineGenerator.from_pretrained(tiny_model(tmp_path / "m"), backend="ctranslate2",
                                            compute_type="float32")
    with TestClient(build_app(gen)) as client:
        r = client.post("/v1/headlines", json={"articles": ARTICLES, "max_chars": 8})
        assert r.status_code == 200
        assert [x["headline"] for x in r.json()["results"]] == [g.headline for g in gen.generate(ARTICLES, max_chars=8)]
        assert client.post("/v1/answers", json={"question": "谁", "context": CONTEXT}).status_code == 404
        assert client.get("/readyz").json()["qa_model"] is None


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "no/such/folder/model"], "no/such/folder/model"),
    (["--model", "lead", "--port", "70000"], "--port"),
    (["--model", "lead", "--max-articles", "0"], "max_articles"),
    (["--model", "lead", "--threads", "0"], "--threads"),
])
def test_bad_serve_arguments_are_one_error_line(args, message):
    proc = subprocess.run([sys.executable, "-m", "summarize", "serve", *args, "-q"], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert message in proc.stderr.strip().splitlines()[-1]
