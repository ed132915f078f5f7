"""Bad input, OS faults and concurrency across every verb: the exit status, one clear message, nothing destroyed.

Each case runs ``summarize.cli.main`` in-process (subprocesses only where a real
pipe is needed) in a fresh workspace holding inputs, a split with its manifest, a
finished run and tiny models. The checks are the same for every case:

- the exit status is the expected one (2 for a user error or OS fault);
- stderr holds exactly one line starting with ``error:`` (or the expected warning)
  that matches the case's message, and never a traceback;
- every file that existed before the command is byte-identical afterwards (inputs,
  earlier outputs, the finished run, the models), unless the case writes that file
  on purpose; no temporary file is left behind.

Classes: ``destroy`` (never replace the user's data), ``split`` (splits as a set,
checked by train), ``os`` (OS faults and environment), ``number`` (range checks, no
NaN), ``text`` (text edge cases). ``CLASS_TOTALS`` below is printed by
``pytest tests/test_reliability_matrix.py -k totals -s``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from summarize.cli import main

REPO = Path(__file__).resolve().parents[1]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

ARTICLES = [
    ("高新区重点项目集中开工", "本报讯(记者王明)6月26日，高新区举行重点项目集中开工仪式，共有15个项目开工。总投资80亿元。"),
    ("国务院发布支持企业研发新政策", "新华社北京6月1日电 国务院今天发布新政策，支持企业研发。政策自发布之日起施行。"),
    ("临港物流园区招工三百人", "上半年，临港物流产业园区协助企业招工300余人，园区就业形势稳定。"),
    ("科技城数据中心投入运营", "科技城数据中心今天正式投入运营，总投资12亿元，可容纳机柜三千个。"),
    ("开发区芯片工厂通过验收", "开发区芯片工厂日前通过验收，预计年产值40亿元，带动就业两千人。"),
    ("软件园孵化器揭牌成立", "软件园孵化器昨日揭牌成立，首批入驻企业18家，覆盖人工智能等领域。"),
    ("创新港完成新一轮融资", "创新港完成新一轮融资5亿元，资金将用于研发基地建设和人才引进。"),
    ("新材料园扩建完工", "新材料园扩建工程完工，新增厂房八万平方米，年底前全部投入使用。"),
    ("物流中心签约落地", "总投资20亿元的物流中心项目签约落地，建成后年吞吐量达百万吨。"),
    ("医疗器械园开工建设", "医疗器械园今天开工建设，规划面积三百亩，计划两年内建成投产。"),
    ("高新区夏送清凉", "6月27日上午，高新区开展夏送清凉慰问活动，送去清凉饮料480箱。"),
    ("火炬中心到高新区调研", "科技部火炬中心主任贾敬敦到高新区调研，从11个方面提出了新的要求。"),
]
QA_CONTEXT = "6月26日下午,高新区临港物流产业园区党支部书记徐战胜作专题党课。上半年,园区协助企业招工300余人。"
QA_ROWS = [("q1", "谁作专题党课?", "徐战胜"), ("q2", "园区协助企业招工多少人?", "300余人")]


def _jsonl(rows) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


# --- the workspace ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def models(tmp_path_factory, tiny_model):
    """Tiny headline and QA models (read-only inputs of many cases; snapshotted like everything else)."""
    from transformers import BertConfig, BertForQuestionAnswering, BertTokenizerFast

    from summarize.text.vocab import build_char_vocab
    from summarize.qa.reader import CONFIG_KEY

    root = tmp_path_factory.mktemp("models")
    headline = tiny_model(root / "headline", bias="wordy", generation={"max_chars": 9, "num_beams": 1})
    qa = root / "qa"
    qa.mkdir()
    vocab = build_char_vocab([QA_CONTEXT + "".join(q for _, q, _ in QA_ROWS)])
    (qa / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast.from_pretrained(str(qa)).save_pretrained(str(qa))
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    setattr(config, CONFIG_KEY, {"max_seq_len": 64, "doc_stride": 16, "max_question_tokens": 16, "max_answer_tokens": 8})
    BertForQuestionAnswering(config).save_pretrained(str(qa))
    return {"model": headline, "qa_model": qa, "make_tiny": tiny_model}


def _headline_config(ws: Path) -> str:
    return f"""task: headline
model:
  init: scratch
  name_or_path: init
  scratch: {{d_model: 32, layers: 1, heads: 2, ffn: 64, max_positions: 128, dropout: 0.0}}
data: {{train: {ws}/articles.jsonl, dev: null, max_source_tokens: 64, max_target_tokens: 16}}
generation: {{max_source_tokens: 64, num_beams: 1, max_chars: 16}}
training: {{max_steps: 4, batch_size: 4, logging_steps: 1, eval_strategy: "no", save_total_limit: 1, output_dir: {ws}/run}}
"""


def _qa_config(ws: Path) -> str:
    return f"""task: qa
model:
  init: scratch
  name_or_path: init
  scratch: {{hidden: 32, layers: 1, heads: 2, intermediate: 64, max_positions: 64}}
data: {{train: {ws}/qa.jsonl, dev: null, max_seq_len: 64, doc_stride: 16, max_question_tokens: 16}}
training: {{max_steps: 4, batch_size: 4, eval_strategy: "no", save_total_limit: 1, output_dir: {ws}/qarun}}
"""


def _finished_run(folder: Path, metrics: dict) -> None:
    (folder / "model").mkdir(parents=True)
    (folder / "model" / "config.json").write_text("{}", encoding="utf-8")
    ckpt = folder / "checkpoints" / "checkpoint-4"
    ckpt.mkdir(parents=True)
    (ckpt / "model.safetensors").write_bytes(b"weights")
    (ckpt / "trainer_state.json").write_text(json.dumps({"global_step": 4, "max_steps": 4, "num_train_epochs": 1}),
                                             encoding="utf-8")
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")


@pytest.fixture
def ws(tmp_path, models, monkeypatch):
    """A fresh workspace: inputs, predictions, a split with its manifest, finished runs, configs."""
    w = tmp_path / "ws"
    w.mkdir()
    records = [{"id": f"r{i}", "title": t, "text": x, "meta": {}} for i, (t, x) in enumerate(ARTICLES)]
    (w / "articles.jsonl").write_text(_jsonl(records), encoding="utf-8")
    (w / "articles.txt").write_text("".join(x + "\n" for _, x in ARTICLES), encoding="utf-8")
    (w / "preds.jsonl").write_text(_jsonl({"prediction": t[:-1], "reference": t} for t, _ in ARTICLES), encoding="utf-8")
    (w / "lcsts.tsv").write_text("".join(f"{t}\t{x}\n" for t, x in ARTICLES[:4]), encoding="utf-8")
    (w / "qa.jsonl").write_text(_jsonl(
        {"id": i, "context": QA_CONTEXT, "question": q, "answers": [{"text": a, "answer_start": QA_CONTEXT.index(a)}]}
        for i, q, a in QA_ROWS), encoding="utf-8")
    (w / "cfg.yaml").write_text(_headline_config(w), encoding="utf-8")
    (w / "qa.yaml").write_text(_qa_config(w), encoding="utf-8")
    assert main(["data", "split", str(w / "articles.jsonl"), "--output-dir", str(w / "split"), "-q"]) == 0
    _finished_run(w / "run", {"dev": {}, "train_loss": 1.25, "global_step": 4, "train_runtime_s": 1.0})
    _finished_run(w / "qarun", {"dev": {"em": 50.0, "f1": 60.0, "n": 2}, "train": {"steps": 4}})
    (w / "empty_dir").mkdir()
    (w / "runs").mkdir()  # so that runs/x is a local path here, as in a checkout
    (w / "truncated.txt").write_bytes("高新区举行专题党课".encode()[:-1])
    monkeypatch.chdir(w)
    return w


def _snapshot(*roots: Path) -> dict[str, str]:
    out = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# --- cases -------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    cls: str
    argv: list[str]
    code: int = 2
    message: str = ""  # regex the error (or warning) line must match
    kind: str = "error"  # "error": one 'error:' line; "warning": one 'warning:' line, no error line; "none": no check
    setup: str | None = None  # name of a setup hook below
    changes: list[str] = field(default_factory=list)  # files the command may write or replace on purpose
    needs: str | None = None  # "root" for real read-only / full-disk mounts


W = "{ws}"
CASES = [
    # --- never destroy what the user has ---------------------------------------------
    Case("convert-same-file", "destroy", ["data", "convert", "-f", "jsonl", f"{W}/articles.jsonl", f"{W}/articles.jsonl"],
         message="same file as INPUT"),
    Case("convert-same-file-other-spelling", "destroy",
         ["data", "convert", "-f", "jsonl", f"{W}/articles.jsonl", f"{W}/split/../articles.jsonl"], message="same file"),
    Case("convert-same-file-symlink", "destroy", ["data", "convert", "-f", "jsonl", f"{W}/articles.jsonl", f"{W}/link.jsonl"],
         setup="symlink", message="same file"),
    Case("convert-lcsts-onto-input", "destroy", ["data", "convert", "-f", "lcsts", f"{W}/lcsts.tsv", f"{W}/lcsts.tsv"],
         message="same file"),
    Case("split-output-holds-input", "destroy", ["data", "split", f"{W}/split/train.jsonl", "--output-dir", f"{W}/split"],
         message="would be overwritten"),
    Case("headline-output-is-input", "destroy", ["headline", "--input", f"{W}/articles.jsonl", "--output",
                                                 f"{W}/articles.jsonl"], message="same file as --input"),
    Case("headline-output-is-model-file", "destroy", ["headline", "--model", "{model}", "--input", f"{W}/articles.jsonl",
                                                      "--output", "{model}/vocab.txt"], message="lies inside --model"),
    Case("qa-predict-output-is-input", "destroy", ["qa", "predict", "--model", "{qa_model}", "--input", f"{W}/qa.jsonl",
                                                   "--output", f"{W}/qa.jsonl"], message="same file as --input"),
    Case("evaluate-report-over-predictions", "destroy", ["evaluate", "--predictions", f"{W}/rep/samples.jsonl",
                                                         "--output", f"{W}/rep"], setup="report_dir", message="same file"),
    Case("train-over-finished-run", "destroy", ["train", f"{W}/cfg.yaml"], message="holds an earlier run.*--overwrite"),
    Case("train-over-finished-run-output-dir", "destroy", ["train", f"{W}/cfg.yaml", "--output-dir", f"{W}/run"],
         message="holds an earlier run"),
    Case("qa-train-over-finished-run", "destroy", ["qa", "train", f"{W}/qa.yaml"], message="holds an earlier run"),
    Case("train-mistyped-model-keeps-run", "destroy", ["train", f"{W}/cfg.yaml", "model.init=pretrained",
                                                       f"model.name_or_path={W}/modle", "--overwrite"],
         message="modle: no such model folder"),
    Case("qa-train-mistyped-model-keeps-run", "destroy", ["qa", "train", f"{W}/qa.yaml", "model.init=pretrained",
                                                          f"model.name_or_path={W}/modle", "--overwrite"],
         message="modle"),
    Case("train-missing-data-keeps-run", "destroy", ["train", f"{W}/cfg.yaml", f"data.train={W}/nope.jsonl", "--overwrite"],
         message="nope.jsonl: no such file"),
    Case("train-bad-key-keeps-run", "destroy", ["train", f"{W}/cfg.yaml", "training.learnig_rate=1e-3", "--overwrite"],
         message="did you mean 'training.learning_rate'"),
    Case("train-resume-finished-changes-nothing", "destroy", ["train", f"{W}/cfg.yaml", "--resume"], code=0, kind="none"),
    Case("qa-train-resume-finished-changes-nothing", "destroy", ["qa", "train", f"{W}/qa.yaml", "--resume"], code=0,
         kind="none"),
    Case("train-resume-and-overwrite", "destroy", ["train", f"{W}/cfg.yaml", "--resume", "--overwrite"],
         message="give one of them"),
    Case("train-locked-folder", "destroy", ["train", f"{W}/cfg.yaml", "--overwrite"], setup="lock_run",
         message="in use by another process"),
    Case("qa-train-locked-folder", "destroy", ["qa", "train", f"{W}/qa.yaml", "--overwrite"], setup="lock_qarun",
         message="in use by another process"),
    Case("train-overwrite-would-delete-its-source", "destroy",
         ["train", f"{W}/cfg.yaml", "model.init=pretrained", f"model.name_or_path={W}/run/model", "--overwrite"],
         setup="model_in_run", message="lies inside"),
    Case("convert-bad-row-keeps-old-output", "destroy", ["data", "convert", "-f", "lcsts", f"{W}/bad.tsv",
                                                         f"{W}/split/train.jsonl"], setup="bad_tsv",
         message="expected 2 tab-separated columns"),
    Case("headline-nothing-usable-keeps-output", "destroy", ["headline", "--input", f"{W}/bad.jsonl", "--output",
                                                             f"{W}/preds.jsonl"], setup="bad_jsonl",
         message="no articles to headline"),
    Case("qa-answer-missing-run-folder", "destroy", ["qa", "answer", "--model", "runs/x", "--question", "谁?",
                                                     "--context", QA_CONTEXT], message="runs/x: no such model folder"),
    # --- a split is one set, and training checks it -------------------------------------
    Case("train-tampered-split", "split", ["train", f"{W}/cfg.yaml", f"data.train={W}/split/train.jsonl",
                                           "--output-dir", f"{W}/new"], setup="tamper_split", message="does not match"),
    Case("train-mixed-split", "split", ["train", f"{W}/cfg.yaml", f"data.train={W}/split/train.jsonl",
                                        f"data.dev={W}/split/dev.jsonl", "--output-dir", f"{W}/new"],
         setup="mix_split", message="does not match"),
    Case("train-unreadable-manifest", "split", ["train", f"{W}/cfg.yaml", f"data.train={W}/split/train.jsonl",
                                                "--output-dir", f"{W}/new"], setup="break_manifest",
         message="unreadable split manifest"),
    Case("split-replaces-set-removes-dead-staging", "split",
         ["data", "split", f"{W}/articles.jsonl", "--output-dir", f"{W}/split", "--seed", "3"], code=0, kind="none",
         setup="dead_staging", changes=["split/train.jsonl", "split/dev.jsonl", "split/test.jsonl", "split/manifest.json",
                                        "split/.split.999999999.abc/train.jsonl"]),
    Case("split-into-folder-holding-input", "split", ["data", "split", f"{W}/articles.jsonl", "--output-dir", W],
         code=0, kind="none"),
    # --- OS faults and environment --------------------------------------------------------
    Case("convert-read-only-folder", "os", ["data", "convert", "-f", "jsonl", f"{W}/articles.jsonl", f"{W}/ro/out.jsonl"],
         setup="read_only", needs="readonly", message="ro/out.jsonl: (read-only file system|permission denied)"),
    Case("split-read-only-folder", "os", ["data", "split", f"{W}/articles.jsonl", "--output-dir", f"{W}/ro/split"],
         setup="read_only", needs="readonly", message="ro.*(read-only file system|permission denied)"),
    Case("headline-read-only-folder", "os", ["headline", "--input", f"{W}/articles.jsonl", "--output", f"{W}/ro/h.jsonl"],
         setup="read_only", needs="readonly", message="ro/h.jsonl: (read-only file system|permission denied)"),
    Case("evaluate-read-only-folder", "os", ["evaluate", "--predictions", f"{W}/preds.jsonl", "--bootstrap", "0",
                                             "--no-word-level", "--output", f"{W}/ro/rep"],
         setup="read_only", needs="readonly", message="ro.*(read-only file system|permission denied)"),
    Case("qa-predict-read-only-folder", "os", ["qa", "predict", "--model", "{qa_model}", "--input", f"{W}/qa.jsonl",
                                               "--output", f"{W}/ro/p.json"],
         setup="read_only", needs="readonly", message="ro/p.json: (read-only file system|permission denied)"),
    Case("train-read-only-folder", "os", ["train", f"{W}/cfg.yaml", "--output-dir", f"{W}/ro/run"],
         setup="read_only", needs="readonly", message="ro.*(read-only file system|permission denied)"),
    Case("convert-disk-full", "os", ["data", "convert", "-f", "jsonl", f"{W}/big.jsonl", f"{W}/full/out.jsonl"],
         setup="full_disk", needs="root", message="full/out.jsonl: no space left on device \\(the disk is full\\)"),
    Case("convert-disk-full-simulated", "os", ["data", "convert", "-f", "jsonl", f"{W}/articles.jsonl", f"{W}/o.jsonl"],
         setup="enospc", message="o.jsonl: no space left on device \\(the disk is full\\)"),
    Case("convert-stdout-disk-full", "os", ["data", "convert", "-f", "jsonl", f"{W}/articles.jsonl", f"{W}/o.jsonl"],
         setup="stdout_full", code=2, message="<stdout>: no space left on device", changes=["o.jsonl"]),
    Case("convert-output-is-a-folder", "os", ["data", "convert", "-f", "jsonl", f"{W}/articles.jsonl", f"{W}/split"],
         message="split: is a directory"),
    Case("convert-input-is-a-folder", "os", ["data", "convert", "-f", "jsonl", f"{W}/split", f"{W}/o.jsonl"],
         message="split: is a directory, expected a file"),
    Case("convert-output-parent-is-a-file", "os", ["data", "convert", "-f", "jsonl", f"{W}/articles.jsonl",
                                                   f"{W}/articles.txt/o.jsonl"],
         message="articles.txt: is a file, expected a folder"),
    Case("split-output-dir-is-a-file", "os", ["data", "split", f"{W}/articles.jsonl", "--output-dir", f"{W}/articles.txt"],
         message="articles.txt: is a file, expected a folder"),
    Case("train-output-dir-is-a-file", "os", ["train", f"{W}/cfg.yaml", "--output-dir", f"{W}/articles.txt"],
         message="articles.txt: is a file, expected a folder"),
    Case("headline-input-is-a-folder", "os", ["headline", "--input", f"{W}/split"], message="is a directory"),
    Case("evaluate-predictions-is-a-folder", "os", ["evaluate", "--predictions", f"{W}/split"], message="is a directory"),
    Case("qa-evaluate-dataset-is-a-folder", "os", ["qa", "evaluate", "--dataset", f"{W}/split", "--predictions",
                                                   f"{W}/preds.jsonl"], message="split"),
    Case("validate-config-is-a-folder", "os", ["validate", f"{W}/split"], message="split: no such config file"),
    Case("headline-closed-stdin", "os", ["headline", "-"], setup="close_stdin", message="standard input is closed"),
    Case("headline-closed-stdout", "os", ["headline", "高新区举行专题党课活动。"], setup="close_stdout",
         message="standard output is closed"),
    Case("headline-cuda-on-cpu-torch", "os", ["headline", "--model", "{model}", "--device", "cuda", "高新区开工。"],
         needs="no_cuda", message="--device cuda: .*(CPU-only|no CUDA GPU)"),
    Case("qa-answer-cuda-on-cpu-torch", "os", ["qa", "answer", "--model", "{qa_model}", "--device", "cuda:0",
                                               "--question", "谁?", "--context", QA_CONTEXT],
         needs="no_cuda", message="--device cuda:0: .*(CPU-only|no CUDA GPU)"),
    Case("headline-bad-device-name", "os", ["headline", "--model", "{model}", "--device", "gpu0", "高新区开工。"],
         message="--device 'gpu0': not a device name"),
    Case("qa-answer-empty-model-folder", "os", ["qa", "answer", "--model", f"{W}/empty_dir", "--question", "谁?",
                                                "--context", QA_CONTEXT], message="empty_dir: not a model folder"),
    Case("headline-empty-model-folder", "os", ["headline", "--model", f"{W}/empty_dir", "高新区开工。"],
         message="empty_dir: not a model folder"),
    Case("headline-model-is-a-file", "os", ["headline", "--model", f"{W}/articles.txt", "高新区开工。"],
         message="expected a model folder"),
    Case("convert-removes-dead-temporaries", "os", ["data", "convert", "-f", "jsonl", f"{W}/articles.jsonl",
                                                    f"{W}/o.jsonl"], setup="dead_tmp", code=0, kind="none",
         changes=["o.jsonl", ".o.jsonl.999999999.x1.tmp"]),
    # --- numbers: ranges, NaN, infinity -----------------------------------------------------
    Case("validate-lr-nan", "number", ["validate", f"{W}/cfg.yaml", "training.learning_rate=.nan"],
         message="training.learning_rate: must be a finite number"),
    Case("validate-lr-inf", "number", ["validate", f"{W}/cfg.yaml", "training.learning_rate=.inf"],
         message="training.learning_rate: must be a finite number"),
    Case("validate-negative-grad-norm", "number", ["validate", f"{W}/cfg.yaml", "training.max_grad_norm=-1"],
         message="training.max_grad_norm must be >= 0"),
    Case("validate-negative-weight-decay", "number", ["validate", f"{W}/cfg.yaml", "training.weight_decay=-0.1"],
         message="training.weight_decay must be >= 0"),
    Case("validate-label-smoothing-7", "number", ["validate", f"{W}/cfg.yaml", "training.label_smoothing=7"],
         message=r"training.label_smoothing must be in \[0, 1\)"),
    Case("validate-negative-workers", "number", ["validate", f"{W}/cfg.yaml", "training.dataloader_workers=-1"],
         message="training.dataloader_workers must be >= 0"),
    Case("validate-negative-seed", "number", ["validate", f"{W}/cfg.yaml", "training.seed=-1"], message="training.seed must be in"),
    Case("validate-dropout-above-one", "number", ["validate", f"{W}/qa.yaml", "model.scratch.dropout=2"],
         message="dropout must be in"),
    Case("validate-repetition-penalty-zero", "number", ["validate", f"{W}/cfg.yaml", "generation.repetition_penalty=0"],
         message="repetition_penalty must be positive"),
    Case("validate-epochs-inf", "number", ["validate", f"{W}/cfg.yaml", "training.epochs=.inf"], message="training.epochs: must be a finite number"),
    Case("train-lr-inf-refused-before-training", "number", ["train", f"{W}/cfg.yaml", "training.learning_rate=.inf",
                                                            "--output-dir", f"{W}/new"], message="learning_rate: must be a finite number"),
    Case("train-diverging-loss-stops", "number", ["train", f"{W}/cfg.yaml", "training.learning_rate=1e30",
                                                  "training.max_grad_norm=0", "--output-dir", f"{W}/new"],
         message="training loss became (nan|inf)"),
    Case("split-ratios-nan", "number", ["data", "split", f"{W}/articles.jsonl", "--output-dir", f"{W}/s2",
                                        "--ratios", "nan,0.5,0.5"], message="finite number"),
    Case("split-ratios-inf", "number", ["data", "split", f"{W}/articles.jsonl", "--output-dir", f"{W}/s2",
                                        "--ratios", "inf,-inf,0"], message="finite number"),
    Case("headline-num-beams-zero", "number", ["headline", "--model", "{model}", "--input", f"{W}/articles.jsonl",
                                               "generation.num_beams=0"], message="num_beams must be >= 1"),
    Case("headline-batch-size-zero", "number", ["headline", "--input", f"{W}/articles.jsonl", "--batch-size", "0"],
         message="--batch-size must be >= 1"),
    Case("evaluate-negative-bootstrap", "number", ["evaluate", "--predictions", f"{W}/preds.jsonl", "--bootstrap", "-1"],
         message="--bootstrap must be >= 0"),
    Case("qa-answer-top-k-zero", "number", ["qa", "answer", "--model", "{qa_model}", "--top-k", "0", "--question", "谁?",
                                            "--context", QA_CONTEXT], message="--top-k must be positive"),
    # --- text edge cases --------------------------------------------------------------------
    Case("headline-punctuation-only", "text", ["headline", "。。。！！”"], code=1, kind="warning",
         message="no headline: the article has no letters or digits"),
    Case("headline-truncated-utf8", "text", ["headline", "--input", f"{W}/truncated.txt"],
         message="truncated.txt: ends in the middle of a UTF-8 character"),
    Case("convert-truncated-utf8", "text", ["data", "convert", "-f", "lcsts", f"{W}/truncated.txt", f"{W}/o.jsonl"],
         message="truncated.txt: ends in the middle of a UTF-8 character"),
    Case("evaluate-truncated-utf8", "text", ["evaluate", "--predictions", f"{W}/truncated.txt"],
         message="ends in the middle of a UTF-8 character"),
    Case("headline-empty-file", "text", ["headline", "--input", f"{W}/empty.txt"], setup="empty_file",
         message="empty.txt: file is empty"),
    Case("qa-answer-empty-question", "text", ["qa", "answer", "--model", "{qa_model}", "--question", " ",
                                              "--context", QA_CONTEXT], message="--question is empty"),
    Case("headline-dash-article-after-double-dash", "text", ["headline", "--", "-高新区举行专题党课活动。会议强调加强建设。"],
         code=0, kind="none"),
    Case("headline-u2028-in-jsonl-string", "text", ["headline", "--input", f"{W}/sep.jsonl"], setup="u2028_jsonl",
         code=0, kind="none"),
    Case("headline-u2028-in-txt-line", "text", ["headline", "--input", f"{W}/sep.txt", "--format", "txt"],
         setup="u2028_txt", code=0, kind="none"),
]


# --- setup hooks ----------------------------------------------------------------------------


@contextlib.contextmanager
def _mount_tmpfs(folder: Path, options: str):
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@contextlib.contextmanager
def _setup(name: str | None, ws: Path, monkeypatch, models: dict):
    if name is None:
        yield
    elif name == "symlink":
        (ws / "link.jsonl").symlink_to(ws / "articles.jsonl")
        yield
    elif name == "report_dir":
        (ws / "rep").mkdir()
        shutil.copy(ws / "preds.jsonl", ws / "rep" / "samples.jsonl")
        yield
    elif name in ("lock_run", "lock_qarun"):
        from summarize.io.safety import FolderLock

        with FolderLock(ws / name.removeprefix("lock_")):
            yield
    elif name == "model_in_run":
        models["make_tiny"](ws / "run" / "model2")
        shutil.rmtree(ws / "run" / "model")
        (ws / "run" / "model2").rename(ws / "run" / "model")
        yield
    elif name == "bad_tsv":
        (ws / "bad.tsv").write_text("标题\t正文。\n没有制表符的行\n", encoding="utf-8")
        yield
    elif name == "bad_jsonl":
        (ws / "bad.jsonl").write_text('{"text": ""}\n{broken\n', encoding="utf-8")
        yield
    elif name == "tamper_split":
        with open(ws / "split" / "train.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"id": "x", "title": "插入的标题", "text": "插入的正文。", "meta": {}},
                                    ensure_ascii=False) + "\n")
        yield
    elif name == "mix_split":
        # What a split killed half-way leaves: a new train.jsonl beside the old dev/test/manifest.
        assert main(["data", "split", str(ws / "articles.jsonl"), "--output-dir", str(ws / "other"), "--seed", "9",
                     "-q"]) == 0
        shutil.copy(ws / "other" / "train.jsonl", ws / "split" / "train.jsonl")
        yield
    elif name == "break_manifest":
        (ws / "split" / "manifest.json").write_text("{not json", encoding="utf-8")
        yield
    elif name == "dead_staging":
        (ws / "split" / ".split.999999999.abc").mkdir()
        (ws / "split" / ".split.999999999.abc" / "train.jsonl").write_text("half", encoding="utf-8")
        yield
        assert not (ws / "split" / ".split.999999999.abc").exists()
    elif name == "read_only":
        if not IS_ROOT:
            (ws / "ro").mkdir()
            (ws / "ro").chmod(0o555)
            try:
                yield
            finally:
                (ws / "ro").chmod(0o755)
        else:
            with _mount_tmpfs(ws / "ro", "ro,size=64k"):
                yield
    elif name == "full_disk":
        big = [{"id": f"b{i}", "title": "标题", "text": "高新区" * 200, "meta": {}} for i in range(60)]
        (ws / "big.jsonl").write_text(_jsonl(big), encoding="utf-8")
        with _mount_tmpfs(ws / "full", "size=16k"):
            yield
    elif name == "enospc":
        import errno

        import summarize.io.atomic as atomic

        def full(fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(atomic.os, "fsync", full)
        yield
    elif name == "stdout_full":
        handle = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 - closed below
        with _replaced_stream("stdout", handle):
            yield
        with contextlib.suppress(OSError):
            handle.close()
    elif name in ("close_stdin", "close_stdout"):
        # Restored here, not by monkeypatch: capsys also swaps sys.stdout, and monkeypatch's
        # teardown (after capsys's) would put back capsys's closed stream.
        with _replaced_stream(name.removeprefix("close_"), None):
            yield
    elif name == "dead_tmp":
        stale = ws / ".o.jsonl.999999999.x1.tmp"
        stale.write_text("half a file", encoding="utf-8")
        yield
        assert not stale.exists()
    elif name == "empty_file":
        (ws / "empty.txt").write_bytes(b"")
        yield
    elif name == "u2028_jsonl":
        article = "高新区举行专题党课\u2028会议强调加强建设。\u0085园区协助企业招工300余人。"
        (ws / "sep.jsonl").write_text(json.dumps({"id": "s", "text": article}, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
        yield
    elif name == "u2028_txt":
        (ws / "sep.txt").write_text("高新区举行专题党课\u2028会议强调加强建设。\n园区协助企业招工300余人。\n", encoding="utf-8")
        yield
    else:
        raise AssertionError(f"unknown setup {name}")


@contextlib.contextmanager
def _replaced_stream(name: str, value):
    saved = getattr(sys, name)
    setattr(sys, name, value)
    try:
        yield
    finally:
        setattr(sys, name, saved)


def _skip_unless(needs: str | None) -> None:
    if needs == "root" and not IS_ROOT:
        pytest.skip("a real full disk needs a tmpfs mount (root)")
    if needs == "readonly" and sys.platform == "win32":
        pytest.skip("POSIX permissions")
    if needs == "no_cuda":
        import torch

        if torch.cuda.is_available():
            pytest.skip("this machine has a usable GPU")


def _fill(parts: list[str], ws: Path, models: dict) -> list[str]:
    return [p.replace("{ws}", str(ws)).replace("{model}", str(models["model"])).replace("{qa_model}", str(models["qa_model"]))
            for p in parts]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_matrix(case: Case, ws: Path, models, capsys, monkeypatch):
    _skip_unless(case.needs)
    argv = _fill(case.argv, ws, models)
    with _setup(case.setup, ws, monkeypatch, models):
        before = _snapshot(ws, models["model"], models["qa_model"])
        code = main(argv)
        out, err = capsys.readouterr()
        after = _snapshot(ws, models["model"], models["qa_model"])
    assert code == case.code, f"exit {code}, expected {case.code}\nstdout: {out[-800:]}\nstderr: {err[-2000:]}"
    assert "Traceback" not in err, err
    lines = err.splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    if case.kind == "error":
        assert len(errors) == 1, err
        import re

        assert re.search(case.message, errors[0]), f"{errors[0]!r} does not match {case.message!r}"
    elif case.kind == "warning":
        import re

        assert not errors, err
        assert any(line.startswith("warning:") and re.search(case.message, line) for line in lines), err
    else:
        assert not errors, err
    allowed = {str(ws / c) for c in case.changes}
    changed = [p for p, digest in before.items() if p not in allowed and after.get(p) != digest]
    assert not changed, f"changed or removed: {changed}"
    leftovers = [p for p in after if p.endswith(".tmp") and Path(p).name.startswith(".")]
    assert not leftovers, leftovers
    _check_case_result(case, ws, out)


def _check_case_result(case: Case, ws: Path, out: str) -> None:
    """What the successful cases must have produced (beyond leaving everything else alone)."""
    if case.id.endswith("resume-finished-changes-nothing"):
        assert "1.25" in out or "EM 50.00" in out, out  # the saved metrics, not a fresh train_loss 0
    elif case.id == "split-into-folder-holding-input":
        assert json.loads((ws / "manifest.json").read_text(encoding="utf-8"))["records"] == len(ARTICLES)
    elif case.id == "split-replaces-set-removes-dead-staging":
        from summarize.data.split import check_split_files

        check_split_files([ws / "split" / f"{n}.jsonl" for n in ("train", "dev", "test")])
        assert json.loads((ws / "split" / "manifest.json").read_text(encoding="utf-8"))["seed"] == 3
    elif case.id == "headline-dash-article-after-double-dash":
        assert json.loads(out)["headline"].startswith("高新区")
    elif case.id == "headline-u2028-in-jsonl-string":
        rows = [json.loads(line) for line in out.splitlines()]
        assert len(rows) == 1 and rows[0]["id"] == "s" and rows[0]["headline"]
    elif case.id == "headline-u2028-in-txt-line":
        assert len(out.split("\n")) == 3, repr(out)  # two articles, two headlines (U+2028 did not split one)
    elif case.id == "convert-removes-dead-temporaries":
        assert (ws / "o.jsonl").is_file()


def test_matrix_totals_by_class():
    """>= 60 cases across every verb; prints the totals by class (used in the report)."""
    totals = Counter(c.cls for c in CASES)
    verbs = Counter(c.argv[0] if c.argv[0] not in ("data", "qa") else " ".join(c.argv[:2]) for c in CASES)
    print("\nCLASS_TOTALS", dict(totals), "total", len(CASES))
    print("VERB_TOTALS", dict(verbs))
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    for verb in ("data convert", "data split", "validate", "train", "evaluate", "headline", "qa train", "qa answer",
                 "qa predict", "qa evaluate"):
        assert verbs[verb] >= 1, verb


@pytest.mark.parametrize("verb", sorted(__import__("summarize.cli", fromlist=["VERBS"]).VERBS))
def test_every_verb_gives_one_error_line_for_a_wrong_option(verb, capsys):
    """Every registered verb, including ones added later, runs under the same handler."""
    assert main([verb, "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.splitlines()) == 1 and "Traceback" not in err, err


@pytest.mark.parametrize("verb", sorted(__import__("summarize.cli", fromlist=["VERBS"]).VERBS))
def test_every_verb_refuses_a_closed_stdout(verb, capsys):
    with _replaced_stream("stdout", None):
        assert main([verb, "--help"]) == 2
    assert capsys.readouterr().err.strip() == "error: standard output is closed (results are printed there); run with a stdout"


# --- cases that need a real process, a real pipe or a real training run --------------------------


def _cli(*args, **kw):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "summarize", *args], env=env, **kw)


def test_closed_pipe_exits_quietly(ws):
    """``summarize headline ... | head -1``: the reader goes away; no traceback, no message, status 141."""
    (ws / "many.txt").write_text("".join(x + "\n" for _, x in ARTICLES * 400), encoding="utf-8")
    proc = _cli("headline", "--input", str(ws / "many.txt"), "--format", "txt", "-q",
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert first.decode().strip()
    assert proc.returncode == 141, (proc.returncode, err)
    assert err == ""


@pytest.mark.slow
def test_disk_full_while_saving_a_checkpoint(ws, tmp_path, capsys):
    """A full disk in the middle of checkpoint saving: one line saying the disk is full, naming the checkpoint."""
    if not IS_ROOT:
        pytest.skip("a real full disk needs a tmpfs mount (root)")
    run = tmp_path / "small"
    with _mount_tmpfs(run, "size=600k"):
        code = main(["train", str(ws / "cfg.yaml"), "--output-dir", str(run), "training.max_steps=3",
                     "training.eval_steps=1", "-q"])
        err = capsys.readouterr().err
        assert code == 2, err[-3000:]
        assert "Traceback" not in err
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, err[-3000:]
        assert "the disk is full" in errors[0] and "checkpoint" in errors[0], errors[0]
        assert not (run / "metrics.json").exists() and not (run / "model").exists()


def test_a_run_folder_held_by_another_process_is_refused(ws, tmp_path, capsys):
    """Another process (not a thread of this one) holds the run folder: training is refused at once,
    naming that process, and the folder is left as it was."""
    import time

    run = tmp_path / "busy-run"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from summarize.io.safety import FolderLock; "
         "FolderLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(120)", str(run)],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = sorted(p.name for p in run.iterdir())
        started = time.monotonic()
        code = main(["train", str(ws / "cfg.yaml"), "--output-dir", str(run), "-q"])
        err = capsys.readouterr().err
        assert code == 2 and f"in use by another process (pid {holder.pid})" in err, err
        assert time.monotonic() - started < 60  # refused, not waiting for the holder
        assert sorted(p.name for p in run.iterdir()) == before == [".summarize.lock"]
    finally:
        holder.kill()
        holder.wait(timeout=30)
    # the kernel drops the lock with its holder: the folder is usable again
    from summarize.io.safety import FolderLock

    with FolderLock(run):
        pass


def test_nan_model_writes_valid_json(models, tmp_path, capsys):
    """A model whose weights are NaN: headline JSONL stays strict JSON (score null, with a warning)."""
    import torch
    from transformers import BartForConditionalGeneration

    folder = tmp_path / "nan-model"
    shutil.copytree(models["model"], folder)
    model = BartForConditionalGeneration.from_pretrained(folder)
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(float("nan"))
    model.save_pretrained(folder)
    (tmp_path / "a.jsonl").write_text(_jsonl({"id": f"a{i}", "text": x} for i, (_, x) in enumerate(ARTICLES[:3])),
                                      encoding="utf-8")
    code = main(["headline", "--model", str(folder), "--input", str(tmp_path / "a.jsonl"), "-q"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    for line in out.splitlines():
        row = json.loads(line, parse_constant=lambda c, line=line: pytest.fail(f"non-JSON constant {c} in {line}"))
        assert row["score"] is None or isinstance(row["score"], float)
        if row["score"] is None:
            assert any("not finite" in w for w in row["warnings"])


@pytest.mark.shared
def test_lcsts_quoted_fields_on_the_real_file(shared_file, tmp_path, capsys):
    """The shared LCSTS train file: CSV-quoted fields lose their quoting; the counts are the report's."""
    src = shared_file("data/lcsts/train.tsv")
    raw = src.read_text(encoding="utf-8").split("\n")
    quoted_titles = sum(1 for line in raw if line.startswith('"'))
    quoted_lines = sum(1 for line in raw if line.startswith('"') or '\t"' in line)
    assert main(["data", "convert", "-f", "lcsts", str(src), str(tmp_path / "train.jsonl"), "--skip-bad", "-q"]) == 0
    capsys.readouterr()
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    print(f"\nLCSTS train: {quoted_lines} lines with a CSV-quoted field ({quoted_titles} titles); "
          f"{len(rows)} records")
    assert (quoted_titles, quoted_lines) == (51, 285)
    from summarize.data.formats.tabular import unquote_tsv_field

    fields = [f for line in raw for f in line.split("\t")]
    unquoted = [f for f in fields if unquote_tsv_field(f) != f]
    print(f"unquoted fields: {len(unquoted)}")
    assert len(unquoted) == 321  # 51 titles + 270 texts
    # No CSV escaping reaches a training target or text: no quadrupled quotes, no field-wrapping quotes.
    assert not any('""""' in r["title"] or '""""' in r["text"] for r in rows)
    assert not any(r["title"].startswith('"') and r["title"].endswith('"') for r in rows)
    by_line = {r["meta"]["line"]: r for r in rows}
    line = next(i for i, text in enumerate(raw, start=1) if "灰色文化" in text and text.startswith('"'))
    assert by_line[line]["title"] == '新华视点：反腐新词揭示出多少种官场"灰色文化"？'
