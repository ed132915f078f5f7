"""summarize batch --engine ray on one local cluster (num_cpus=2): faults, resume, same bytes as local.

Skipped when Ray Data is not installed (``pip install 'summarize[ray]'``).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time

import pytest

from summarize.batch import run

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")
psutil = pytest.importorskip("psutil")

SHARDS, ROWS = 24, 150
# Ray Data reads every DataContext field when it ships the context to workers, deprecated ones included.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*")


@pytest.fixture(scope="module")
def cluster():
    """One local Ray per module: starting one costs seconds."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def _map_workers() -> list[psutil.Process]:
    """The Ray Data actors of this test's own cluster (descendants of this process)."""
    return [p for p in psutil.Process().children(recursive=True)
            if "MapWorker" in " ".join(p.cmdline())]


def test_killed_worker_is_replaced_and_output_matches_local(tmp_path, cluster, batch_kit):
    batch_kit.write_shards(tmp_path / "in", shards=SHARDS, rows=ROWS, bad_every=50)
    out = tmp_path / "ray"
    done: list = []
    job = threading.Thread(target=lambda: done.append(
        run("headline", str(tmp_path / "in"), out, engine="ray", workers=2, chunk_rows=64, progress=False)))
    job.start()
    try:
        deadline = time.monotonic() + 120
        while not (out / "manifest.json").exists() or not batch_kit.manifest(out)["shards"]:
            assert job.is_alive() and time.monotonic() < deadline, "the job ended before a worker was killed"
            time.sleep(0.02)
        victims = _map_workers()
        assert victims and job.is_alive()
        victims[0].send_signal(signal.SIGKILL)
    finally:
        job.join(timeout=300)
    assert done, "the Ray job did not finish after a worker was killed"
    assert done[0].written == SHARDS and done[0].bad_rows == SHARDS * 3
    assert batch_kit.output_ids(out) == batch_kit.expected_ids(SHARDS, ROWS)

    local = tmp_path / "local"
    run("headline", str(tmp_path / "in"), local, workers=1, chunk_rows=64, progress=False)
    for path in sorted(local.glob("part-*")):
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name


def test_killed_driver_resumes_with_every_row_exactly_once(tmp_path, cluster, batch_kit):
    batch_kit.write_shards(tmp_path / "in", shards=SHARDS, rows=ROWS)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "summarize", "batch", "headline", "--input", str(tmp_path / "in"),
               "--output", str(out), "--engine", "ray", "--ray-address", cluster, "--workers", "2", "-q"]
    proc = subprocess.Popen(command, env=batch_kit.source_env(), stderr=subprocess.PIPE, text=True)
    try:
        batch_kit.wait_for_first_shard(out, proc, timeout=180)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        proc.kill()
    finished = len(batch_kit.manifest(out)["shards"])
    assert 0 < finished < SHARDS
    summary = run("headline", str(tmp_path / "in"), out, engine="ray", workers=2, progress=False)
    assert summary.skipped == finished and summary.written == SHARDS - finished
    assert batch_kit.output_ids(out) == batch_kit.expected_ids(SHARDS, ROWS)
    assert {e["engine"] for e in batch_kit.manifest(out)["shards"].values()} == {"ray"}


def test_ray_missing_is_one_clear_error(tmp_path, monkeypatch, batch_kit):
    from summarize.batch import ray_engine
    from summarize.io.read import InputError

    monkeypatch.setattr(ray_engine, "ray_available", lambda: False)
    batch_kit.write_shards(tmp_path / "in", shards=1, rows=2)
    with pytest.raises(InputError, match=r"needs Ray Data: pip install 'summarize\[ray\]'"):
        run("headline", str(tmp_path / "in"), tmp_path / "out", engine="ray", progress=False)
    assert not (tmp_path / "out").exists()  # refused before anything was written
