"""GPU training check: a random-weight model of fnlp/bart-base-chinese's shape, trained ~60 steps through
the project's own training engine; prints throughput (warm-up steps excluded) and the final loss.

    python scripts/gpu_train_check.py --vocab ../shared/vocab/bert-base-chinese/vocab.txt \
        [--data ../shared/data/lcsts/train.tsv] [--steps 60] [--batch 32] [--precision auto]
    python scripts/gpu_train_check.py --tiny --steps 2          # CPU smoke test (used by the tests)

Shape: BART, d_model 768, 6 encoder + 6 decoder layers, 12 heads, FFN 3072, 1024 positions, the
vocabulary of --vocab (21,128 tokens for bert-base-chinese's, as fnlp/bart-base-chinese v1).
Data: LCSTS TSV (``summary<TAB>text``) read directly when --data is given, else synthetic token
ids of LCSTS-like lengths (text ~100 tokens, summary ~18). No pretrained weights are involved:
this measures the training path (precision choice, collator, trainer), not model quality.
Prints one JSON line on stdout; logs go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:  # runnable from a plain checkout, installed or not
    sys.path.insert(0, str(REPO / "src"))

log = logging.getLogger("summarize")

BART_BASE = dict(d_model=768, layers=6, heads=12, ffn=3072, max_positions=1024)
TINY = dict(d_model=64, layers=1, heads=2, ffn=128, max_positions=128)


def read_vocab(path: str | None, tiny: bool) -> list[str]:
    if path:
        tokens = Path(path).read_text(encoding="utf-8").splitlines()
        if "[PAD]" not in tokens or "[SEP]" not in tokens:
            sys.exit(f"{path}: not a BERT vocabulary (no [PAD]/[SEP])")
        return tokens
    if not tiny:
        sys.exit("--vocab is required (e.g. ../shared/vocab/bert-base-chinese/vocab.txt) unless --tiny")
    from summarize.text.vocab import build_char_vocab

    return build_char_vocab(["高新区科技园人工智能平台今天正式启用发布新政策支持企业研发"])


def lcsts_pairs(path: str, n: int) -> list[tuple[str, str]]:
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                log.warning("%s:%d: skipped (expected summary<TAB>text)", path, number)
                continue
            pairs.append((parts[1], parts[0]))  # (text, summary)
            if len(pairs) >= n:
                break
    if not pairs:
        sys.exit(f"{path}: no usable rows")
    return pairs


def build_features(args, tokenizer, vocab_size: int, n: int) -> list[dict]:
    if args.data:
        pairs = lcsts_pairs(args.data, n)
        pairs = (pairs * (n // len(pairs) + 1))[:n]
        src = tokenizer([p[0] for p in pairs], max_length=args.max_source, truncation=True, return_token_type_ids=False)
        tgt = tokenizer([p[1] for p in pairs], max_length=args.max_target, truncation=True, return_token_type_ids=False)
        return [{"input_ids": s, "attention_mask": [1] * len(s), "labels": t}
                for s, t in zip(src["input_ids"], tgt["input_ids"])]
    rng = random.Random(0)
    low = 5  # above the special tokens
    features = []
    for _ in range(n):
        src_len = min(args.max_source, rng.randint(80, 120))
        tgt_len = min(args.max_target, rng.randint(12, 24))
        features.append({
            "input_ids": [rng.randrange(low, vocab_size) for _ in range(src_len)],
            "attention_mask": [1] * src_len,
            "labels": [rng.randrange(low, vocab_size) for _ in range(tgt_len)],
        })
    return features


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab", help="BERT vocab.txt (bert-base-chinese: 21,128 tokens)")
    parser.add_argument("--data", help="LCSTS TSV (summary<TAB>text); default: synthetic ids")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10, help="steps excluded from the throughput (compilation, allocator)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max-source", type=int, default=128)
    parser.add_argument("--max-target", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"])
    parser.add_argument("--workers", type=int, default=0, help="data-loading worker processes (training.dataloader_workers)")
    parser.add_argument("--optim", help="transformers optimizer name, overriding the engine's choice (for comparisons)")
    parser.add_argument("--tiny", action="store_true", help="tiny shape (CPU smoke test)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.warmup >= args.steps:
        args.warmup = max(0, args.steps - 1)

    import torch
    from transformers import BartConfig, BartForConditionalGeneration, BertTokenizer, TrainerCallback

    from summarize.config.sections import TrainingSection
    from summarize.headline.dataset import make_collator
    from summarize.training import OrderedSeq2SeqTrainer, build_training_arguments

    vocab = read_vocab(args.vocab, args.tiny)
    tokenizer = BertTokenizer(vocab={t: i for i, t in enumerate(vocab)}, model_input_names=["input_ids", "attention_mask"])
    shape = TINY if args.tiny else BART_BASE
    torch.manual_seed(0)
    config = BartConfig(
        vocab_size=len(vocab), d_model=shape["d_model"], encoder_layers=shape["layers"], decoder_layers=shape["layers"],
        encoder_attention_heads=shape["heads"], decoder_attention_heads=shape["heads"], encoder_ffn_dim=shape["ffn"],
        decoder_ffn_dim=shape["ffn"], max_position_embeddings=shape["max_positions"],
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.cls_token_id, eos_token_id=tokenizer.sep_token_id,
        decoder_start_token_id=tokenizer.sep_token_id, forced_eos_token_id=tokenizer.sep_token_id,
    )
    model = BartForConditionalGeneration(config)
    features = build_features(args, tokenizer, len(vocab), args.steps * args.batch)

    section = TrainingSection(max_steps=args.steps, batch_size=args.batch, learning_rate=args.lr, warmup_steps=min(10, args.steps),
                              precision=args.precision, eval_strategy="no", logging_steps=max(1, args.steps // 6),
                              group_by_length=True, dataloader_workers=args.workers)
    timings: dict[int, float] = {}

    class StepClock(TrainerCallback):
        # Synchronising only at the two timed boundaries keeps the normal
        # overlap of CPU work (collation, launches) with GPU execution.
        def on_step_end(self, targs, state, control, **kwargs):
            if state.global_step in (args.warmup, args.steps):
                if torch.cuda.is_available():
                    torch.cuda.synchronize()  # count finished GPU work, not queued kernels
                timings[state.global_step] = time.perf_counter()

    with tempfile.TemporaryDirectory() as run_dir:
        extra = {"optim": args.optim} if args.optim else {}
        targs = build_training_arguments(section, run_dir, evaluate=False, save_strategy="no", **extra)
        multiple = 8 if (targs.bf16 or targs.fp16) and torch.cuda.is_available() else None
        trainer = OrderedSeq2SeqTrainer(model=model, args=targs, train_dataset=features, processing_class=tokenizer,
                                 data_collator=make_collator(tokenizer, model, multiple), callbacks=[StepClock()])
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        out = trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    timed = args.steps - args.warmup
    elapsed = timings[args.steps] - timings[args.warmup] if args.warmup else None
    result = {
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "torch": torch.__version__,
        "precision": "bf16" if targs.bf16 else "fp16" if targs.fp16 else "fp32",
        "parameters_m": round(model.num_parameters() / 1e6, 1),
        "vocab": len(vocab),
        "data": "lcsts" if args.data else "synthetic",
        "batch": args.batch,
        "workers": args.workers,
        "optimizer": str(targs.optim.value if hasattr(targs.optim, "value") else targs.optim),
        "steps": args.steps,
        "timed_steps": timed if elapsed else 0,
        "samples_per_s": round(timed * args.batch / elapsed, 1) if elapsed else None,
        "first_loss": losses[0] if losses else None,
        "final_loss": losses[-1] if losses else None,
        "train_loss": out.metrics.get("train_loss"),
        "peak_gpu_mem_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if torch.cuda.is_available() else None,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
