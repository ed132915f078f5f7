"""The CTranslate2 backend, its export and the parity gate, on tiny models saved in-test (skipped without ctranslate2)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ctranslate2 = pytest.importorskip("ctranslate2")


from summarize.headline.backends.ct2_backend import (  # noqa: E402
    CT2Backend,
    fit_to_budget,
    machine_cores,
    thread_counts,
)
from summarize.headline.backends.ct2_export import (  # noqa: E402
    MANIFEST,
    ExportError,
    export_ctranslate2,
    read_manifest,
    staleness,
)
from summarize.headline.backends.torch_backend import TorchBackend  # noqa: E402
from summarize.headline.generator import HeadlineGenerator  # noqa: E402
from summarize.headline.token_chars import cleaned_length  # noqa: E402

torch.set_num_threads(1)
REPO = Path(__file__).resolve().parents[1]
ARTICLES = [
    "本报讯(记者王某)今天，高新区人民政府发布新政策，支持企业研发。中国银行科技园项目开工建设。",
    "新华社北京电 今天中国发布政策。",
    "科技园项目开工。" * 5,
    "高新区",
]


def pair(folder: Path, compute_type: str = "float32"):
    """(torch generator, ctranslate2 generator) of one saved model folder."""
    return (HeadlineGenerator.from_pretrained(folder, device="cpu"),
            HeadlineGenerator.from_pretrained(folder, backend="ctranslate2", compute_type=compute_type))


@pytest.fixture(scope="module")
def plain(tmp_path_factory, tiny_model):
    return pair(tiny_model(tmp_path_factory.mktemp("plain") / "model"))


@pytest.fixture(scope="module")
def wordy(tmp_path_factory, tiny_model):
    return pair(tiny_model(tmp_path_factory.mktemp("wordy") / "model", bias="wordy"))


@pytest.fixture(scope="module")
def terse(tmp_path_factory, tiny_model):
    return pair(tiny_model(tmp_path_factory.mktemp("terse") / "model", bias="terse"))


# --- export --------------------------------------------------------------------------------


def test_export_is_self_contained_with_a_manifest(tmp_path, tiny_model):
    model = tiny_model(tmp_path / "model")
    dest = export_ctranslate2(model, tmp_path / "out", quantization="int8")
    manifest = read_manifest(dest)
    assert manifest["ctranslate2_version"] == ctranslate2.__version__
    assert manifest["quantization"] == "int8" and manifest["family"] == "bart"
    assert len(manifest["source_hash"]) == 64 and manifest["source"] == "model"  # relative to the export's parent
    assert len(set(manifest["tokens"])) == len(manifest["tokens"])
    # transformers 5 + BertTokenizer: BOS/EOS would be null and the model would never stop
    config = json.loads((dest / "config.json").read_text(encoding="utf-8"))
    assert config["eos_token"] == "[SEP]" and config["decoder_start_token"] == "[SEP]" and config["bos_token"]
    assert (dest / "model.bin").is_file() and (dest / "generation_config.json").is_file()
    assert not staleness(dest).stale


def test_repeated_vocab_lines_get_unique_ct2_tokens(tmp_path, tiny_model):
    model = tiny_model(tmp_path / "model")
    vocab = (model / "vocab.txt").read_text(encoding="utf-8").splitlines()
    vocab[-1] = vocab[-2]  # a vocab.txt with a repeated line
    (model / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    (model / "tokenizer.json").unlink()  # else the saved fast tokenizer is loaded, not vocab.txt
    tokens = read_manifest(export_ctranslate2(model, tmp_path / "out", quantization="float32"))["tokens"]
    assert len(set(tokens)) == len(tokens)
    assert f"<ct2_id_{len(tokens) - 2}>" in tokens  # the id the tokenizer no longer names


def test_t5_with_bert_vocabulary_matches_torch(tmp_path):
    from transformers import BertTokenizer, T5Config, T5ForConditionalGeneration

    folder = tmp_path / "t5"
    folder.mkdir()
    chars = "新华社北京电记者本报讯高区的了是在和有人民政府今天发布政策支持企业研发中国银行科技园项目开工建设年月日，。、“”0123456789"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(chars)]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(str(folder / "vocab.txt"))
    torch.manual_seed(0)
    config = T5Config(vocab_size=len(vocab), d_model=16, d_kv=8, d_ff=32, num_layers=1, num_decoder_layers=1,
                      num_heads=2, pad_token_id=0, eos_token_id=3, decoder_start_token_id=0)
    T5ForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    torch_gen, ct2_gen = pair(folder)
    assert ct2_gen.backend.max_source_tokens is None  # relative positions: no bound
    # greedy ended by the character budget; beam search ended by a token cap (under the budget the two
    # beam searches differ by design: see the ct2_backend docstring)
    for settings in (dict(num_beams=1, max_chars=8), dict(num_beams=2, max_chars=30, max_new_tokens=10)):
        a = torch_gen.generate(ARTICLES, **settings)
        b = ct2_gen.generate(ARTICLES, **settings)
        assert [r.headline for r in a] == [r.headline for r in b]
        assert [r.score for r in b] == pytest.approx([r.score for r in a], abs=5e-3)


def test_pegasus_with_the_randeng_tokenizer_matches_torch(tmp_path):
    """Pegasus is pre-norm: the converter must not take transformers 5's missing normalize_before for BART's False."""
    from transformers import AutoModelForSeq2SeqLM, PegasusConfig

    folder = tmp_path / "pegasus"
    folder.mkdir()
    chars = sorted(set("新华社北京电记者本报讯高区的了是在和有人民政府今天发布政策支持企业研发中国银行科技园项目开工建设，。"))
    tokens = ["<pad>", "</s>", "<mask_1>", "<mask_2>", "[UNK]", "[CLS]", "[SEP]", *chars, "高新区", "人民政府", "政策"]
    (folder / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    torch.manual_seed(0)
    AutoModelForSeq2SeqLM.from_config(PegasusConfig(
        vocab_size=len(tokens) + 1, d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=64,
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)).save_pretrained(folder)
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "do_lower_case": True, "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "<pad>", "cls_token": "[CLS]",
        "mask_token": "<mask_2>", "eos_token": "</s>", "additional_special_tokens": ["<mask_1>"],
        "tokenizer_class": "PegasusTokenizer"}), encoding="utf-8")
    torch_gen, ct2_gen = pair(folder)
    assert ct2_gen.backend.manifest["family"] == "pegasus"
    a = torch_gen.generate(ARTICLES, num_beams=1, max_chars=8, max_source_tokens=64)
    b = ct2_gen.generate(ARTICLES, num_beams=1, max_chars=8, max_source_tokens=64)
    assert [r.headline for r in b] == [r.headline for r in a]
    # (scores: torch renormalizes a greedy step over the tokens the budget leaves; see the ct2_backend docstring)


def test_an_unconvertible_folder_is_a_clear_error(tmp_path, tiny_model):
    with pytest.raises(ExportError, match="no such model folder"):
        export_ctranslate2(tmp_path / "missing", tmp_path / "out")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("x")
    model = tiny_model(tmp_path / "model")
    with pytest.raises(ExportError, match="not an export of ours"):
        export_ctranslate2(model, tmp_path / "busy")
    assert (tmp_path / "busy" / "keep.txt").is_file()
    proc = subprocess.run([sys.executable, "-m", "summarize", "export", "ctranslate2", str(tmp_path / "missing")],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 2 and proc.stderr.strip().startswith("error:") and "Traceback" not in proc.stderr


def test_stale_exports_warn_and_model_folders_reconvert(tmp_path, tiny_model, caplog):
    model = tiny_model(tmp_path / "model", generation={"max_chars": 12})
    gen = HeadlineGenerator.from_pretrained(model, backend="ctranslate2")
    export = tmp_path / "model-ct2"
    assert isinstance(gen.backend, CT2Backend) and gen.backend.folder.resolve() == export.resolve()
    assert gen.defaults.max_chars == 12
    tiny_model(model, generation={"max_chars": 9}, seed=1)  # retrained in place
    assert staleness(export).stale
    with caplog.at_level(logging.WARNING, logger="summarize"):
        HeadlineGenerator.from_pretrained(export)  # an export given directly: a warning naming the fix
    assert any("stale" in r.message and "summarize export ctranslate2" in r.message for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="summarize"):
        again = HeadlineGenerator.from_pretrained(model, backend="ctranslate2")  # the model folder: converted again
    assert any("converting again" in r.message for r in caplog.records)
    assert not staleness(export).stale and again.defaults.max_chars == 9


# --- selection ---------------------------------------------------------------------------------


def test_backend_is_chosen_by_argument_config_or_folder(tmp_path, tiny_model):
    model = tiny_model(tmp_path / "model")
    assert isinstance(HeadlineGenerator.from_pretrained(model, device="cpu").backend, TorchBackend)
    chosen = HeadlineGenerator.from_pretrained(model, overrides=["generation.backend=ctranslate2",
                                                                 "generation.compute_type=float32",
                                                                 "generation.intra_threads=1"])
    assert isinstance(chosen.backend, CT2Backend)
    assert chosen.backend.compute_type == "float32" and chosen.backend.intra_threads == 1
    export = tmp_path / "model-ct2"
    assert isinstance(HeadlineGenerator.from_pretrained(export).backend, CT2Backend)  # an export folder
    with pytest.raises(ExportError, match="source model folder"):
        HeadlineGenerator.from_pretrained(export, backend="torch")
    with pytest.raises(ValueError, match="backend must be"):
        HeadlineGenerator.from_pretrained(model, backend="onnx")


def test_threads_come_from_the_machine_unless_given():
    cores = machine_cores()
    assert thread_counts(1, 0) == (1, cores)
    assert thread_counts(2, 0) == (2, max(1, cores // 2))
    assert thread_counts(3, 5) == (3, 5)


# --- same semantics as torch ---------------------------------------------------------------


@pytest.mark.parametrize("num_beams", [1, 3])
def test_float32_matches_torch_headlines_scores_and_order(plain, num_beams):
    torch_gen, ct2_gen = plain
    n = min(2, num_beams)
    a = torch_gen.generate(ARTICLES, num_beams=num_beams, max_chars=12, num_return_sequences=n)
    b = ct2_gen.generate(ARTICLES, num_beams=num_beams, max_chars=12, num_return_sequences=n, batch_size=3)
    assert [r.headline for r in b] == [r.headline for r in a]
    assert [r.score for r in b] == pytest.approx([r.score for r in a], abs=5e-3)
    assert all(len(r.alternatives) == n - 1 for r in b)
    assert b[0].method == a[0].method
    one = ct2_gen.generate(ARTICLES[1], num_beams=num_beams, max_chars=12)
    assert one.headline == b[1].headline  # input order survives length-sorted batches


@pytest.mark.parametrize("num_beams", [1, 3])
@pytest.mark.parametrize("max_chars", [1, 4, 7, 12])
def test_max_chars_holds_with_multichar_tokens(wordy, num_beams, max_chars):
    torch_gen, ct2_gen = wordy
    results = ct2_gen.generate(ARTICLES, max_chars=max_chars, num_beams=num_beams, num_return_sequences=min(2, num_beams))
    for result in results:
        for r in (result, *result.alternatives):
            assert len(r.headline) <= max_chars
            assert not any("cut" in w for w in r.warnings)  # fitted while decoding, not by the last-resort cut
    assert max(len(r.headline) for r in results) >= max_chars - 4  # the budget is used
    if num_beams == 1:
        # greedy: cut before the overflowing token and continue with what fits - the torch processor's choice
        expected = torch_gen.generate(ARTICLES, max_chars=max_chars, num_beams=1)
        assert [r.headline for r in results] == [r.headline for r in expected]


def test_fit_to_budget_keeps_the_longest_prefix(wordy):
    table = wordy[1].backend.chars
    tok = wordy[1].tokenizer
    ids = tok.convert_tokens_to_ids(["高新区", "新闻发布会", "高"])
    assert fit_to_budget(table, ids, 7) == ids[:1]
    assert fit_to_budget(table, ids, 8) == ids[:2]
    assert fit_to_budget(table, ids, 9) == ids
    assert cleaned_length(table, fit_to_budget(table, ids, 0)) == 0


def test_min_chars_is_met_and_scored_as_torch_does(terse):
    torch_gen, ct2_gen = terse
    assert all(r.headline == "" for r in ct2_gen.generate(ARTICLES, max_chars=10, num_beams=2))  # it wants to stop
    a = torch_gen.generate(ARTICLES, max_chars=10, min_chars=5, num_beams=2)
    b = ct2_gen.generate(ARTICLES, max_chars=10, min_chars=5, num_beams=2)
    assert all(5 <= len(r.headline) <= 10 for r in b)
    assert [r.headline for r in b] == [r.headline for r in a]
    assert [r.score for r in b] == pytest.approx([r.score for r in a], abs=5e-3)


def test_cleaning_and_warnings_are_the_generators(wordy):
    _, ct2_gen = wordy
    result = ct2_gen.generate("今天高新区发布2023年新政策。", max_chars=30, num_beams=2)
    assert " " not in result.headline.replace("hello world", "")
    assert "[" not in result.headline and "##" not in result.headline
    invented = ct2_gen.generate("今天发布政策。", max_chars=30, num_beams=2)
    if "2023" in invented.headline:
        assert any("2023" in w for w in invented.warnings)


def test_int8_runs_and_is_reported(tmp_path, tiny_model):
    model = tiny_model(tmp_path / "model")
    gen = HeadlineGenerator.from_pretrained(model, backend="ctranslate2")  # auto: the export's int8
    assert gen.backend.compute_type.startswith("int8")
    assert len(gen.generate(ARTICLES, max_chars=10)) == len(ARTICLES)


def test_vocab_restriction_decodes_only_headline_tokens(tmp_path, tiny_model):
    model = tiny_model(tmp_path / "model", bias="wordy")
    titles = ["科技园发布政策", "项目开工"]
    export = export_ctranslate2(model, tmp_path / "restricted", quantization="float32", vocab_titles=titles)
    assert read_manifest(export)["vocab_restricted_size"] < len(read_manifest(export)["tokens"])
    free = HeadlineGenerator.from_pretrained(export)
    restricted = HeadlineGenerator.from_pretrained(export, overrides=["generation.vocab_restrict=true"])
    allowed = set("".join(titles))
    free_chars = "".join(r.headline for r in free.generate(ARTICLES, max_chars=12))
    assert set(free_chars) - allowed  # unrestricted, the wordy model writes other tokens
    for r in restricted.generate(ARTICLES, max_chars=12, num_beams=2):
        assert set(r.headline) <= allowed and r.headline
    plain_export = export_ctranslate2(model, tmp_path / "plain", quantization="float32")
    with pytest.raises(ExportError, match="--vocab-from"):
        HeadlineGenerator.from_pretrained(plain_export, overrides=["generation.vocab_restrict=true"])


# --- the parity gate -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny BART that learned 8 pairs (decisions with real margins, unlike random weights) and its dev file."""
    from summarize.config import load_config
    from summarize.headline.train import train

    root = tmp_path_factory.mktemp("trained")
    places, things = ["高新区", "临港园区", "科技城", "开发区"], ["人工智能平台", "新能源项目", "物流中心", "数据中心"]
    rows = []
    for i in range(8):
        title = f"{places[i % 4]}{things[(i * 3 + i // 4) % 4]}{['开工建设', '正式启用'][i // 4]}"
        rows.append({"id": f"a{i}", "title": title,
                     "text": f"本报讯(记者王明)6月{20 + i}日，{title}。总投资{3 + i}亿元，预计年产值{10 * (i + 1)}亿元。"})
    dev = root / "dev.jsonl"
    dev.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    cfg = load_config(None, [
        "model.init=scratch", "model.name_or_path=init", "model.scratch.d_model=64", "model.scratch.layers=2",
        "model.scratch.heads=4", "model.scratch.ffn=128", "model.scratch.max_positions=128",
        "model.scratch.dropout=0.0", "data.max_source_tokens=96", "data.max_target_tokens=24",
        "generation.max_source_tokens=96", "generation.num_beams=1", "generation.max_chars=20",
        "training.batch_size=8", "training.max_steps=100", "training.learning_rate=3e-3", "training.warmup_steps=10",
        'training.eval_strategy="no"', f"data.train={dev}", "data.dev=null",
    ], task="headline")
    train(cfg, output_dir=root / "run")
    return root / "run", dev


def test_parity_gate_marks_a_faithful_int8_export_good(trained, tmp_path):
    run, dev = trained
    dest = tmp_path / "int8"
    proc = subprocess.run(
        [sys.executable, "-m", "summarize", "export", "ctranslate2", str(run / "model"), str(dest),
         "--quantization", "int8", "--check", str(dev), "--min-agreement", "0.85", "-q"],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["status"] == "good" and report["samples"] == 8
    assert report["identical"] >= 0.85 and report["char_rougeL_vs_torch"] >= 90
    assert report["dev_rouge_torch"]["rougeL"] >= 80  # the model learned its pairs: margins are real
    assert report["rougeL_drop"] <= 0.5
    assert read_manifest(dest)["check"]["status"] == "good"


def test_parity_gate_refuses_an_export_that_lost_quality(trained, tmp_path, caplog):
    from summarize.headline.parity import parity_check

    run, dev = trained
    # the export of the untrained initial weights stands in for a conversion that broke the model
    broken = export_ctranslate2(run / "init", tmp_path / "broken", quantization="int8")
    report = parity_check(run / "model", broken, dev, min_agreement=0.5)
    assert report["status"] == "failed" and report["rougeL_drop"] > 0.5 and report["identical"] < 0.5
    assert any("max_rouge_drop" in p for p in report["problems"])
    assert any("min_agreement" in p for p in report["problems"])
    assert read_manifest(broken)["check"]["status"] == "failed"
    with caplog.at_level(logging.WARNING, logger="summarize"):
        HeadlineGenerator.from_pretrained(broken)
    assert any("failed its parity check" in r.message for r in caplog.records)
    assert (broken / MANIFEST).is_file()


def test_headline_cli_takes_the_backend(tmp_path, tiny_model):
    model = tiny_model(tmp_path / "model", generation={"max_chars": 9})
    proc = subprocess.run(
        [sys.executable, "-m", "summarize", "headline", "--model", str(model), "--backend", "ctranslate2",
         ARTICLES[0], "generation.compute_type=float32", "-q"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    row = json.loads(proc.stdout)
    expected = HeadlineGenerator.from_pretrained(model, backend="ctranslate2", compute_type="float32").generate(ARTICLES[0])
    assert row["headline"] == expected.headline and len(row["headline"]) <= 9
    assert (tmp_path / "model-ct2" / MANIFEST).is_file()


def test_ctranslate2_serving_never_imports_torch(tmp_path, tiny_model):
    """The int8 server's memory target rests on this: torch (about 250 MB resident) stays out of the process."""
    folder = tiny_model(tmp_path / "model")
    export = export_ctranslate2(folder, tmp_path / "ct2", quantization="int8")
    code = ("import sys\n"
            "from summarize.headline.predict import load_generator\n"
            f"generator = load_generator({str(export)!r}, backend='ctranslate2')\n"
            "results = generator.generate(['本报讯 今天高新区发布新政策，支持企业研发。'])\n"
            "assert results[0].method, results\n"
            "print(sorted(m for m in ('torch', 'transformers.models.auto.modeling_auto') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_inter_threads_split_each_batch_and_keep_its_order(tmp_path, tiny_model):
    """inter_threads replicas only run in parallel on parts of a batch: each call is cut in that many parts."""
    folder = tiny_model(tmp_path / "model")
    one = HeadlineGenerator.from_pretrained(folder, backend="ctranslate2", compute_type="float32")
    two = HeadlineGenerator.from_pretrained(folder, backend="ctranslate2", compute_type="float32",
                                            overrides=["generation.inter_threads=2", "generation.intra_threads=1"])
    sizes = []

    class Spy:
        def __init__(self, real):
            self.real = real

        def translate_batch(self, source, **kwargs):
            sizes.append((len(source), kwargs["max_batch_size"]))
            return self.real.translate_batch(source, **kwargs)

        def __getattr__(self, name):
            return getattr(self.real, name)

    two.backend.translator = Spy(two.backend.translator)
    a = one.generate(ARTICLES, num_beams=2, max_chars=12, batch_size=4)
    b = two.generate(ARTICLES, num_beams=2, max_chars=12, batch_size=4)
    assert [r.headline for r in a] == [r.headline for r in b]
    assert [r.score for r in a] == pytest.approx([r.score for r in b], abs=1e-4)
    assert sizes and sizes[0] == (4, 2)
