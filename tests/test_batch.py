"""summarize batch, local engine: outputs, bad rows, manifest, resume, faults, Parquet, models and QA."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarize.batch import run
from summarize.headline.predict import load_generator
from summarize.cli import main as cli_main
from summarize.config import ConfigError
from summarize.io.read import InputError

def _headline_cli(path: Path, capsys, *extra: str) -> str:
    """What ``summarize headline --input path`` writes to stdout."""
    capsys.readouterr()
    cli_main(["headline", "--input", str(path), "-q", *extra])
    return capsys.readouterr().out


def test_outputs_bad_rows_and_manifest(tmp_path, capsys, batch_kit):
    inputs = batch_kit.write_shards(tmp_path / "in", shards=3, rows=40, bad_every=15)
    out = tmp_path / "out"
    summary = run("headline", str(tmp_path / "in" / "*.jsonl"), out, workers=2, chunk_rows=16, progress=False)
    assert (summary.written, summary.skipped, summary.rows, summary.bad_rows) == (3, 0, 120, 6)

    # Byte-identical to the single-process command, shard by shard, in input order.
    for path in inputs:
        assert (out / path.name).read_text(encoding="utf-8") == _headline_cli(path, capsys)
    # Bad rows: file:line in the shard's error file; line 16 is the first bad line of every shard.
    errors = (out / "part-000.errors.txt").read_text(encoding="utf-8").splitlines()
    assert errors[0].startswith(f"{inputs[0]}:16: invalid JSON")
    assert errors[1] == f"{inputs[0]}:32: 'text' is empty"
    data = batch_kit.manifest(out)
    assert data["job"]["task"] == "headline" and data["job"]["model"] is None
    entry = data["shards"]["part-000.jsonl"]
    assert entry["input_sha256"] == hashlib.sha256(inputs[0].read_bytes()).hexdigest()
    assert entry["output_sha256"] == hashlib.sha256((out / "part-000.jsonl").read_bytes()).hexdigest()
    default_method = load_generator(None).method  # no --model: what summarize headline uses (the bundled model or lead-v1)
    assert (entry["rows"], entry["bad_rows"], entry["model"], entry["errors"]) == (40, 2, default_method,
                                                                                  "part-000.errors.txt")


def test_resume_redoes_only_unfinished_shards(tmp_path, batch_kit):
    inputs = batch_kit.write_shards(tmp_path / "in", shards=4, rows=30)
    out = tmp_path / "out"
    args = dict(workers=1, chunk_rows=8, progress=False)
    run("headline", [str(p) for p in inputs], out, **args)
    stamps = {p.name: (out / p.name).stat().st_mtime_ns for p in inputs}
    reference = {p.name: (out / p.name).read_bytes() for p in inputs}

    # The states a killed job leaves: a shard never written, one whose manifest entry is missing
    # (killed between output and manifest), one whose output is cut short; and one changed input.
    (out / "part-000.jsonl").unlink()
    data = batch_kit.manifest(out)
    del data["shards"]["part-001.jsonl"]
    (out / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    (out / "part-002.jsonl").write_bytes(reference["part-002.jsonl"][:100])
    batch_kit.write_shards(tmp_path / "changed", shards=4, rows=31)
    inputs[3].write_bytes((tmp_path / "changed" / "part-003.jsonl").read_bytes())

    time.sleep(0.01)
    summary = run("headline", [str(p) for p in inputs], out, **args)
    assert (summary.written, summary.skipped) == (4, 0)
    assert batch_kit.output_ids(out) == batch_kit.expected_ids(3, 30)[:90] + [f"s3-{i}" for i in range(31)]
    for name in ("part-000.jsonl", "part-001.jsonl", "part-002.jsonl"):
        assert (out / name).read_bytes() == reference[name]

    stamps = {p.name: (out / p.name).stat().st_mtime_ns for p in inputs}
    again = run("headline", [str(p) for p in inputs], out, **args)
    assert (again.written, again.skipped, again.rows) == (0, 4, 0)
    assert stamps == {p.name: (out / p.name).stat().st_mtime_ns for p in inputs}


def test_a_different_job_or_a_foreign_folder_is_refused(tmp_path, batch_kit):
    batch_kit.write_shards(tmp_path / "in", shards=1, rows=3)
    out = tmp_path / "out"
    run("headline", str(tmp_path / "in"), out, workers=1, progress=False)
    with pytest.raises(InputError, match=r"different job \(overrides: \[\] -> \['generation.max_chars=10'\]\)"):
        run("headline", str(tmp_path / "in"), out, overrides=["generation.max_chars=10"], progress=False)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not empty and holds no manifest.json"):
        run("headline", str(tmp_path / "in"), tmp_path / "other", progress=False)
    with pytest.raises(InputError, match="inside the output folder"):
        run("headline", str(out / "*.jsonl"), out, progress=False)
    with pytest.raises(InputError, match="nothing matches"):
        run("headline", str(tmp_path / "none-*.jsonl"), tmp_path / "o2", progress=False)
    with pytest.raises(InputError, match="needs --engine ray"):
        run("headline", str(tmp_path / "in"), tmp_path / "o3", gpus_per_worker=1)
    # Model and decoding settings are checked before any worker starts or anything is written.
    with pytest.raises(InputError, match="no such model folder"):
        run("headline", str(tmp_path / "in"), tmp_path / "o4", model=str(tmp_path / "nope"), workers=2)
    with pytest.raises(ConfigError, match="generation.max_chars"):
        run("headline", str(tmp_path / "in"), tmp_path / "o5", overrides=["generation.max_chars=abc"], workers=2)
    assert not (tmp_path / "o4").exists() and not (tmp_path / "o5").exists()
    # A second job into a folder another job is writing.
    from summarize.io.safety import FolderLock

    lock = FolderLock(out, "batch output folder").acquire()
    try:
        with pytest.raises(InputError, match="in use by another process"):
            run("headline", str(tmp_path / "in"), out, workers=1, progress=False)
    finally:
        lock.release()


def test_cli_exit_status_and_errors(tmp_path, capsys, batch_kit):
    batch_kit.write_shards(tmp_path / "in", shards=2, rows=5, bad_every=4)
    assert cli_main(["batch", "headline", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
                     "--workers", "1", "-q"]) == 1
    assert "2 shard(s) written" in capsys.readouterr().err
    assert cli_main(["batch", "headline", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
                     "--workers", "1", "-q"]) == 0  # resumed: nothing left to do
    assert capsys.readouterr().err == ""  # -q: a clean run says nothing
    assert cli_main(["batch", "headline", "--input", str(tmp_path / "x.jsonl"), "--output", str(tmp_path / "o"),
                     "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --workers must be an integer >= 1") and "Traceback" not in err


def test_parquet_input_matches_jsonl(tmp_path, batch_kit):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    (path,) = batch_kit.write_shards(tmp_path / "in", shards=1, rows=30)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows[7]["text"] = ""  # a bad row: Parquet rows are numbered from 1
    (tmp_path / "pq").mkdir()
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "pq" / "part-000.parquet", row_group_size=8)
    run("headline", str(path), tmp_path / "out-jsonl", workers=1, progress=False)
    summary = run("headline", str(tmp_path / "pq"), tmp_path / "out-pq", workers=2, chunk_rows=3, progress=False)
    assert summary.bad_rows == 1
    expected = (tmp_path / "out-jsonl" / "part-000.jsonl").read_text(encoding="utf-8").splitlines()
    del expected[7]
    assert (tmp_path / "out-pq" / "part-000.jsonl").read_text(encoding="utf-8").splitlines() == expected
    assert (tmp_path / "out-pq" / "part-000.errors.txt").read_text(encoding="utf-8") == \
        f"{tmp_path / 'pq' / 'part-000.parquet'}:8: 'text' is empty\n"


def test_a_seq2seq_model_matches_summarize_headline(tmp_path, capsys, tiny_model, batch_kit):
    model = tiny_model(tmp_path / "model", generation={"max_chars": 12, "num_beams": 2})
    inputs = batch_kit.write_shards(tmp_path / "in", shards=2, rows=12)
    out = tmp_path / "out"
    run("headline", [str(p) for p in inputs], out, model=str(model), workers=1, batch_size=4, device="cpu",
        progress=False)
    for path in inputs:
        expected = _headline_cli(path, capsys, "--model", str(model), "--batch-size", "4", "--device", "cpu")
        assert (out / path.name).read_text(encoding="utf-8") == expected
    method = json.loads(expected.splitlines()[0])["method"]
    assert method.startswith("model:") and batch_kit.manifest(out)["shards"]["part-000.jsonl"]["model"] == method


def test_ctranslate2_workers_convert_once_and_match_summarize_headline(tmp_path, capsys, tiny_model, batch_kit):
    pytest.importorskip("ctranslate2")
    model = tiny_model(tmp_path / "model", generation={"max_chars": 12})
    inputs = batch_kit.write_shards(tmp_path / "in", shards=2, rows=6)
    # Two workers load at once: the first converts the folder to model-ct2, the second waits and reuses it.
    run("headline", [str(p) for p in inputs], tmp_path / "out", model=str(model), workers=2, device="cpu",
        model_options={"backend": "ctranslate2"}, progress=False)
    assert (tmp_path / "model-ct2").is_dir()
    for path in inputs:
        expected = _headline_cli(path, capsys, "--model", str(model), "--backend", "ctranslate2", "--device", "cpu")
        assert (tmp_path / "out" / path.name).read_text(encoding="utf-8") == expected


def test_answer_task_matches_the_reader(tmp_path):
    from transformers import BertConfig

    from summarize.qa.reader import Reader
    from summarize.training.scratch import build_scratch, save_scratch

    questions = [{"id": f"q{i}", "question": "谁是负责人？", "context": f"园区负责人是张{i}。高新区在中国。"}
                 for i in range(6)]
    shape = lambda tok: BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1,  # noqa: E731
                                   num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    texts = [q["question"] + q["context"] for q in questions]
    model = save_scratch(*build_scratch(texts, shape, auto_class="AutoModelForQuestionAnswering", seed=0),
                         tmp_path / "qa")
    lines = [json.dumps(q, ensure_ascii=False) for q in questions]
    lines.insert(3, '{"id": "bad", "question": "", "context": "x"}')
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "qa.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = dict(max_seq_len=32, doc_stride=8, max_question_tokens=8, max_answer_tokens=12)
    summary = run("answer", str(tmp_path / "in"), tmp_path / "out", model=str(model), workers=1, device="cpu",
                  model_options=options, progress=False)
    assert (summary.rows, summary.bad_rows) == (6, 1)
    reader = Reader.from_pretrained(model, device="cpu", **options)
    answers = reader.answer_many([q["question"] for q in questions], [q["context"] for q in questions])
    got = [json.loads(line) for line in (tmp_path / "out" / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
    assert got == [{"id": q["id"], **a} for q, a in zip(questions, answers)]
    assert "qa.jsonl:4: 'question' is missing or empty" in (tmp_path / "out" / "qa.errors.txt").read_text("utf-8")


def _batch_command(inputs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "summarize", "batch", "headline", "--input", str(inputs), "--output", str(out),
            "--workers", "2", "-q"]


def _children(pid: int) -> list[int]:
    psutil = pytest.importorskip("psutil")
    return [p.pid for p in psutil.Process(pid).children(recursive=True)
            if "spawn_main" in " ".join(p.cmdline())]


@pytest.mark.parametrize("victim", ["driver", "worker"])
def test_killed_job_resumes_with_every_row_exactly_once(tmp_path, victim, batch_kit):
    shards, rows = 24, 150
    batch_kit.write_shards(tmp_path / "in", shards=shards, rows=rows)
    out = tmp_path / "out"
    proc = subprocess.Popen(_batch_command(tmp_path / "in", out), env=batch_kit.source_env(), stderr=subprocess.PIPE, text=True)
    try:
        batch_kit.wait_for_first_shard(out, proc)
        if victim == "driver":
            proc.send_signal(signal.SIGKILL)
        else:
            os.kill(_children(proc.pid)[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    finished = len(batch_kit.manifest(out)["shards"])
    assert 0 < finished < shards
    if victim == "worker":
        assert proc.returncode == 2 and err.startswith("error: a worker process died"), err
    summary = run("headline", str(tmp_path / "in"), out, workers=2, progress=False)
    assert summary.skipped == finished and summary.written == shards - finished
    assert batch_kit.output_ids(out) == batch_kit.expected_ids(shards, rows)
