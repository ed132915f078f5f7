"""Generation speed: HeadlineGenerator against a plain ``model.generate`` call, in one process.

    .venv/bin/python scripts/bench_generate.py            # full run, a few minutes on 2 cores
    .venv/bin/python scripts/bench_generate.py --quick    # tiny model smoke run (used by the tests)
    .venv/bin/python scripts/bench_generate.py --repeats 5 --threads 2
    nice -n 10 .venv/bin/python scripts/bench_generate.py --repeats 3     # on a shared machine
    .venv/bin/python scripts/bench_generate.py --only ct2 --repeats 1     # the CTranslate2 rows alone

Model: random weights with the shape of fnlp/bart-base-chinese v1
(BartForConditionalGeneration, d_model 768, 6+6 layers, 12 heads, FFN 3072,
1024 positions) and its 21,128-token BERT vocabulary from
../shared/vocab/bert-base-chinese/vocab.txt through BertTokenizer.

1. Uniform batch - the wrapper's overhead. 8 inputs of exactly 512 tokens,
   beam 4, exactly 32 new tokens (min_new_tokens = max_new_tokens = 32) for
   both; the generator's character budget is set out of reach so both decode
   the same 32 steps. Plain: ``model.generate`` on pre-tokenized tensors (its
   time excludes tokenizing and decoding); ours: ``gen.generate(texts)``, all
   included (tokenizing, truncation, the character-length processor, scores,
   decoding, cleaning, faithfulness checks). Target: ratio >= 0.95.
2. Realistic batch - batching by length. The first 64 THUCNews val articles
   (truncated at 512 tokens), greedy, batches of 8. Ours sorts the 64 by token
   length before batching; the baseline is the same generator fed the
   articles in file order, one call per 8 (no reordering possible). A random
   model never learns to stop, so both decode exactly 32 new tokens and the
   gain measured is the padding saved alone. Target: ratio >= 1.15.

3. CTranslate2 (needs the fast extra; skipped with a note without it). The
   same model exported to int8 (``summarize export ctranslate2``), decoded by
   ``HeadlineGenerator(backend="ctranslate2")`` on the uniform batch of 1.,
   everything included, against plain HF ``model.generate`` fp32: beam 4
   (target >= 3.5x) and greedy (target >= 4x). Then the vocabulary
   restriction: the export re-made with a vocabulary map of the THUCNews
   training titles' tokens (the 500-character stand-in vocabulary in --quick),
   beam 4, its speed against the unrestricted export and the share of
   headlines left unchanged on the realistic articles (random weights: their
   near-tied logits make this a floor, not an estimate, for a trained model).

Each measurement is the best of --repeats runs, the sides alternating, so a
burst of load from other processes hurts no side systematically. The
second-to-last line is ``uniform_ratio=X realistic_ratio=Y``; the last is
``ct2_beam4_ratio=X ct2_greedy_ratio=Y`` (ct2_vocab_speedup, ct2_vocab_identical
after them).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NEW_TOKENS = 32
UNREACHABLE_CHARS = 1_000_000  # a character budget no 32-token headline reaches


def build_model(folder: Path, quick: bool, vocab_file: Path | None):
    """Save a random-weight BART + BertTokenizer into ``folder`` (loaded back through HeadlineGenerator)."""
    from transformers import BartConfig, BartForConditionalGeneration, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    if vocab_file is not None:
        vocab = vocab_file.read_text(encoding="utf-8").splitlines()
    else:  # quick runs must work without ../shared
        vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [chr(c) for c in range(0x4E00, 0x4E00 + 500)]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(str(folder / "vocab.txt"))
    shape = dict(d_model=32, layers=1, heads=2, ffn=64) if quick else dict(d_model=768, layers=6, heads=12, ffn=3072)
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=shape["d_model"], encoder_layers=shape["layers"],
        decoder_layers=shape["layers"], encoder_attention_heads=shape["heads"], decoder_attention_heads=shape["heads"],
        encoder_ffn_dim=shape["ffn"], decoder_ffn_dim=shape["ffn"], max_position_embeddings=1024,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.cls_token_id,
        eos_token_id=tokenizer.sep_token_id, decoder_start_token_id=tokenizer.sep_token_id,
        forced_eos_token_id=None, forced_bos_token_id=None,
    )
    torch.manual_seed(0)
    BartForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def uniform_texts(tokenizer, n: int, tokens: int, seed: int = 0) -> list[str]:
    """Texts of single-character CJK tokens that tokenize to exactly ``tokens`` ids ([CLS] ... [SEP])."""
    chars = [t for t in tokenizer.get_vocab() if len(t) == 1 and "\u4e00" <= t <= "\u9fff"]
    rng = random.Random(seed)
    return ["".join(rng.choice(chars) for _ in range(tokens - 2)) for _ in range(n)]


def realistic_texts(n: int, quick: bool, tokenizer) -> list[str]:
    path = SHARED / "data" / "thucnews" / "val.csv"
    if not quick and path.is_file():
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8", newline="") as handle:
            return [row["context"] for _, row in zip(range(n), csv.DictReader(handle))]
    # without the data (or in a quick run): lengths spread like news articles
    rng = random.Random(1)
    base = uniform_texts(tokenizer, n, 2 + 1, seed=2)
    chars = [t for t in tokenizer.get_vocab() if len(t) == 1 and "\u4e00" <= t <= "\u9fff"]
    return [b + "".join(rng.choice(chars) for _ in range(rng.randint(10, 120 if quick else 900))) for b in base]


def best_of(repeats: int, fns: dict) -> dict[str, float]:
    """Best wall time of each function over ``repeats`` alternating rounds."""
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny model and inputs: a smoke run of a few seconds")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--inter-threads", type=int, default=0,
                        help="CTranslate2 replicas sharing those threads (default: one per thread)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds per measurement; the best is kept (default 5)")
    parser.add_argument("--only", choices=["all", "ct2"], default="all",
                        help="ct2: the CTranslate2 rows alone (section 3), e.g. on a busy machine (default all)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from summarize.headline.generator import HeadlineGenerator

    vocab_file = SHARED / "vocab" / "bert-base-chinese" / "vocab.txt"
    if not args.quick and not vocab_file.is_file():
        print(f"error: {vocab_file} not found (needed for the full benchmark; try --quick)", file=sys.stderr)
        return 2
    n_uniform, src_tokens, n_real, batch = (2, 64, 16, 4) if args.quick else (8, 512, 64, 8)

    with tempfile.TemporaryDirectory() as tmp:
        folder = build_model(Path(tmp) / "model", args.quick, None if args.quick else vocab_file)
        gen = HeadlineGenerator.from_pretrained(folder, device="cpu")
        model, tokenizer = gen.backend.model, gen.tokenizer
        fixed = dict(max_chars=UNREACHABLE_CHARS, min_new_tokens=NEW_TOKENS, max_new_tokens=NEW_TOKENS,
                     max_source_tokens=512)

        # 1. uniform batch: wrapper overhead
        texts = uniform_texts(tokenizer, n_uniform, src_tokens)
        enc = tokenizer(texts, return_tensors="pt", return_token_type_ids=False)
        assert enc["input_ids"].shape == (n_uniform, src_tokens), enc["input_ids"].shape

        def plain():
            with torch.inference_mode():
                out = model.generate(**enc, num_beams=4, do_sample=False, early_stopping=True,
                                     min_new_tokens=NEW_TOKENS, max_new_tokens=NEW_TOKENS)
            assert out.shape[1] == NEW_TOKENS + 1

        def ours():
            results = gen.generate(texts, num_beams=4, batch_size=n_uniform, **fixed)
            assert len(results) == n_uniform

        # 2. realistic batch: sorting by length against file order
        articles = realistic_texts(n_real, args.quick, tokenizer)
        if args.only == "ct2":
            ct2_line = ctranslate2_section(args, Path(tmp), folder, model, enc, texts, articles, fixed, n_uniform)
            print(ct2_line or "ctranslate2 is not installed")
            return 0 if ct2_line else 2

        best_of(1, {"plain": plain, "ours": ours})  # warm-up: allocator, kernels, caches
        times = best_of(args.repeats, {"plain": plain, "ours": ours})
        uniform = {k: n_uniform / t for k, t in times.items()}
        print(f"uniform   ({n_uniform} x {src_tokens} tokens, beam 4, {NEW_TOKENS} new tokens): "
              f"plain model.generate {uniform['plain']:.3f} docs/s, HeadlineGenerator {uniform['ours']:.3f} docs/s")

        lengths = [min(len(ids), 512) for ids in tokenizer(articles, add_special_tokens=True)["input_ids"]]

        def by_length():
            gen.generate(articles, num_beams=1, batch_size=batch, **fixed)

        def file_order():
            for k in range(0, len(articles), batch):
                gen.generate(articles[k : k + batch], num_beams=1, batch_size=batch, **fixed)

        times = best_of(args.repeats, {"file_order": file_order, "by_length": by_length})
        real = {k: n_real / t for k, t in times.items()}
        print(f"realistic ({n_real} articles, {min(lengths)}-{max(lengths)} tokens, greedy, batch {batch}, "
              f"{NEW_TOKENS} new tokens): file order {real['file_order']:.3f} docs/s, "
              f"sorted by length {real['by_length']:.3f} docs/s")

        summary = (f"uniform_ratio={uniform['ours'] / uniform['plain']:.3f} "
                   f"realistic_ratio={real['by_length'] / real['file_order']:.3f}")
        ct2_line = ctranslate2_section(args, Path(tmp), folder, model, enc, texts, articles, fixed, n_uniform)
    print(summary)
    if ct2_line:
        print(ct2_line)
    return 0


def training_titles(quick: bool, tokenizer) -> list[str]:
    """Headlines whose tokens form the restricted vocabulary: THUCNews train titles, or stand-ins."""
    path = SHARED / "data" / "thucnews" / "train.csv"
    if not quick and path.is_file():
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8", newline="") as handle:
            return [row["title"] for _, row in zip(range(20000), csv.DictReader(handle))]
    chars = sorted(t for t in tokenizer.get_vocab() if len(t) == 1 and "\u4e00" <= t <= "\u9fff")
    return ["".join(chars[: len(chars) // 3])]  # a third of the vocabulary


def ctranslate2_section(args, tmp: Path, folder: Path, model, enc, texts, articles, fixed, n: int) -> str | None:
    """CTranslate2 int8 through HeadlineGenerator against plain HF generate; returns the last line."""
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        print("ctranslate2 is not installed (pip install 'summarize[fast]'): CTranslate2 rows skipped", file=sys.stderr)
        return None
    from summarize.headline.backends.ct2_export import export_ctranslate2
    from summarize.headline.generator import HeadlineGenerator

    # The same cores as torch, as parallel single-threaded replicas by default (inter_threads: each
    # takes a share of the batch); --inter-threads 1 gives them all to one replica instead.
    inter = args.inter_threads or args.threads
    threads = [f"generation.inter_threads={inter}", f"generation.intra_threads={max(1, args.threads // inter)}"]
    ct2 = HeadlineGenerator.from_pretrained(export_ctranslate2(folder, tmp / "ct2-int8", quantization="int8"),
                                            compute_type="int8", overrides=threads)

    def hf(beams):
        def run():
            with torch.inference_mode():
                out = model.generate(**enc, num_beams=beams, do_sample=False, early_stopping=beams > 1,
                                     min_new_tokens=NEW_TOKENS, max_new_tokens=NEW_TOKENS)
            assert out.shape[1] == NEW_TOKENS + 1
        return run

    def ours(gen, beams):
        return lambda: gen.generate(texts, num_beams=beams, batch_size=n, **fixed)

    fns = {"hf_beam4": hf(4), "ct2_beam4": ours(ct2, 4), "hf_greedy": hf(1), "ct2_greedy": ours(ct2, 1)}
    best_of(1, fns)
    rate = {k: n / t for k, t in best_of(args.repeats, fns).items()}
    print(f"ctranslate2 ({n} x {enc['input_ids'].shape[1]} tokens, {NEW_TOKENS} new tokens, {args.threads} threads "
          f"(CTranslate2: {threads[0].split('=')[1]} x {threads[1].split('=')[1]}), "
          f"int8 via HeadlineGenerator vs HF generate fp32): beam 4 {rate['ct2_beam4']:.3f} vs {rate['hf_beam4']:.3f} "
          f"docs/s, greedy {rate['ct2_greedy']:.3f} vs {rate['hf_greedy']:.3f} docs/s")

    titles = training_titles(args.quick, ct2.tokenizer)
    restricted_dir = export_ctranslate2(folder, tmp / "ct2-int8-vmap", quantization="int8", vocab_titles=titles)
    restricted = HeadlineGenerator.from_pretrained(restricted_dir, compute_type="int8",
                                                   overrides=[*threads, "generation.vocab_restrict=true"])
    kept = restricted.backend.manifest["vocab_restricted_size"]
    fns = {"full": ours(ct2, 4), "restricted": ours(restricted, 4)}
    vocab_rate = {k: n / t for k, t in best_of(args.repeats, fns).items()}
    short = dict(max_chars=30, num_beams=4, max_source_tokens=512)
    free = [r.headline for r in ct2.generate(articles, **short)]
    limited = [r.headline for r in restricted.generate(articles, **short)]
    identical = sum(a == b for a, b in zip(free, limited)) / len(free)
    print(f"vocabulary restriction ({kept} of {len(restricted.backend.tokens)} tokens, beam 4): "
          f"{vocab_rate['restricted']:.3f} vs {vocab_rate['full']:.3f} docs/s; "
          f"identical headlines on {len(free)} articles {identical:.3f}")
    return (f"ct2_beam4_ratio={rate['ct2_beam4'] / rate['hf_beam4']:.3f} "
            f"ct2_greedy_ratio={rate['ct2_greedy'] / rate['hf_greedy']:.3f} "
            f"ct2_vocab_speedup={vocab_rate['restricted'] / vocab_rate['full']:.3f} "
            f"ct2_vocab_identical={identical:.3f}")


if __name__ == "__main__":
    sys.exit(main())
