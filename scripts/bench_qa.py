#!/usr/bin/env python
"""Benchmark: Reader vs transformers' question-answering pipeline, same model, same questions, same process.

The model is a random-weight BertForQuestionAnswering shaped like bert-base-chinese
(hidden 768, 12 layers, 12 heads, FFN 3072) over the real bert-base-chinese vocabulary;
questions and contexts are the first N of CMRC 2018 dev. Both sides use the same
max_seq_len/doc_stride, max answer length and torch thread count.

transformers 5 removed ``pipeline("question-answering")`` (it now raises and points at
text-generation). When it is missing, the baseline is the removed pipeline's algorithm
re-implemented here: one question at a time, its windows padded to the longest, one
forward pass per window (the pipeline's default batch_size=1), then per-window softmax
over context + [CLS] and an outer-product span search limited to max_answer_len. Timing
alternates chunks of questions between the two so load changes hit both alike.

Run from the repository root (needs ../shared):

    .venv/bin/python scripts/bench_qa.py                  # 64 questions, a few minutes on 2 cores
    .venv/bin/python scripts/bench_qa.py --quick          # smoke run: tiny model, 6 questions

The last line is ``ratio=X`` (our questions/s over the baseline's).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SUMMARIZE_SHARED", REPO.parent / "shared"))


def build_model(quick: bool, vocab_size: int, max_positions: int, seed: int):
    from transformers import BertConfig, BertForQuestionAnswering

    shape = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128) if quick else \
        dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=vocab_size, max_position_embeddings=max(512, max_positions), **shape)
    return BertForQuestionAnswering(config).eval()


def library_pipeline(model, tokenizer):
    """transformers' own QA pipeline, or None when this transformers version no longer has it."""
    from transformers import pipeline

    try:
        return pipeline("question-answering", model=model, tokenizer=tokenizer, device="cpu")
    except Exception as exc:  # transformers 5: KeyError/ValueError naming the replacement task
        print(f"note: pipeline('question-answering') is unavailable in this transformers ({type(exc).__name__}: "
              f"{str(exc).splitlines()[0][:120]}); using its algorithm re-implemented as the baseline", file=sys.stderr)
        return None


def pipeline_equivalent(model, tokenizer, question, context, *, max_seq_len, doc_stride, max_answer_len):
    """One question the way the removed pipeline answered it (see the module docstring)."""
    enc = tokenizer(question, context, truncation="only_second", max_length=max_seq_len, stride=doc_stride,
                    return_overflowing_tokens=True, return_offsets_mapping=True, padding="longest",
                    return_tensors="np")
    best = (-1.0, 0, 0)
    with torch.inference_mode():
        for w in range(len(enc["input_ids"])):
            inputs = {k: torch.as_tensor(enc[k][w:w + 1]) for k in ("input_ids", "token_type_ids", "attention_mask")}
            out = model(**inputs)
            start = out.start_logits[0].numpy()
            end = out.end_logits[0].numpy()
            seq_ids = enc.sequence_ids(w)
            keep = np.array([s == 1 for s in seq_ids]) & (enc["attention_mask"][w] == 1)
            keep[0] = True  # [CLS] takes part in the softmax
            start = np.where(keep, start, -10000.0)
            end = np.where(keep, end, -10000.0)
            start = np.exp(start - start.max()); start /= start.sum()
            end = np.exp(end - end.max()); end /= end.sum()
            start[0] = end[0] = 0.0
            outer = np.tril(np.triu(np.outer(start, end)), max_answer_len - 1)
            context_mask = np.array([s == 1 for s in seq_ids])
            outer[~context_mask, :] = 0.0
            outer[:, ~context_mask] = 0.0
            i, j = np.unravel_index(int(np.argmax(outer)), outer.shape)
            if outer[i, j] > best[0]:
                offsets = enc["offset_mapping"][w]
                best = (float(outer[i, j]), int(offsets[i][0]), int(offsets[j][1]))
    score, s, e = best
    return {"answer": context[s:e], "score": score, "start": s, "end": e}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=64)
    parser.add_argument("--max-seq-len", type=int, default=384)
    parser.add_argument("--doc-stride", type=int, default=128)
    parser.add_argument("--max-answer-len", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=None, help="our windows per forward pass (default: the Reader's)")
    parser.add_argument("--chunk", type=int, default=16, help="questions per alternating timing chunk")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="tiny model, 6 questions: a smoke run")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO / "src"))
    from transformers import BertTokenizerFast

    from summarize.qa.data import read_qa_file
    from summarize.qa.reader import Reader

    vocab = SHARED / "vocab/bert-base-chinese/vocab.txt"
    dev = SHARED / "data/cmrc2018/dev.json"
    for path in (vocab, dev):
        if not path.is_file():
            print(f"error: {path} not found (this benchmark needs ../shared)", file=sys.stderr)
            return 2
    if args.quick:
        args.questions, args.chunk = 6, 3
    torch.set_num_threads(args.threads)
    tokenizer = BertTokenizerFast(vocab=str(vocab))
    model = build_model(args.quick, len(tokenizer), args.max_seq_len, args.seed)
    examples = read_qa_file(dev).examples[: args.questions]
    reader = Reader(model, tokenizer, device="cpu", max_seq_len=args.max_seq_len, doc_stride=args.doc_stride,
                    max_question_tokens=64, max_answer_tokens=args.max_answer_len, batch_size=args.batch_size)
    hf = library_pipeline(model, tokenizer)
    baseline_name = "transformers pipeline" if hf is not None else "pipeline-equivalent"

    def run_baseline(part):
        if hf is not None:
            return [hf(question=e.question, context=e.context, max_seq_len=args.max_seq_len,
                       doc_stride=args.doc_stride, max_answer_len=args.max_answer_len) for e in part]
        return [pipeline_equivalent(model, tokenizer, e.question, e.context, max_seq_len=args.max_seq_len,
                                    doc_stride=args.doc_stride, max_answer_len=args.max_answer_len) for e in part]

    def run_ours(part):
        return reader.answer_many([e.question for e in part], [e.context for e in part])

    run_ours(examples[:2]), run_baseline(examples[:2])  # warm-up (allocator, thread pool)
    t_ours = t_base = 0.0
    ours, base = [], []
    for lo in range(0, len(examples), args.chunk):
        part = examples[lo:lo + args.chunk]
        t0 = time.perf_counter(); ours += run_ours(part); t_ours += time.perf_counter() - t0
        t0 = time.perf_counter(); base += run_baseline(part); t_base += time.perf_counter() - t0

    n = len(examples)
    windows = len(reader_windows(reader, examples))
    agree = sum((a["start"], a["end"]) == (b["start"], b["end"]) for a, b in zip(ours, base))
    for a, e in zip(ours, examples):
        assert e.context[a["start"]:a["end"]] == a["answer"]
    qps_ours, qps_base = n / t_ours, n / t_base
    print(f"model: {'tiny (quick)' if args.quick else 'bert-base-chinese shape, random weights'}; "
          f"{n} CMRC dev questions, {windows} windows; max_seq_len {args.max_seq_len}, doc_stride {args.doc_stride}, "
          f"max answer {args.max_answer_len} tokens; torch threads {args.threads}")
    print(f"summarize Reader:      {qps_ours:8.2f} questions/s  ({t_ours:.1f} s, batch {reader.batch_size} windows)")
    print(f"{baseline_name + ':':<22} {qps_base:8.2f} questions/s  ({t_base:.1f} s, one window per forward)")
    print(f"same answer span on {agree}/{n} questions")
    print(f"ratio={qps_ours / qps_base:.2f}")
    return 0


def reader_windows(reader, examples):
    from summarize.qa.features import make_windows

    s = reader.settings
    return make_windows(reader.tokenizer, [e.question for e in examples], [e.context for e in examples],
                        max_seq_len=s["max_seq_len"], doc_stride=s["doc_stride"],
                        max_question_tokens=s["max_question_tokens"]).input_ids


if __name__ == "__main__":
    sys.exit(main())
