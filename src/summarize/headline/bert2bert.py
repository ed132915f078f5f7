"""``model.init: encoder-decoder``: a BERT2BERT headline model warm-started from any BERT-family encoder.

Rothe, Narayan & Severyn (2020), "Leveraging Pre-trained Checkpoints for Sequence Generation Tasks":
the encoder is the checkpoint; the decoder is the same checkpoint made causal, with new cross-attention
(and, for checkpoints without one, a new LM-head transform); its output projection is tied to its word
embeddings. ``share: true`` is their BERT2BERTshare: decoder layers reuse the encoder's self-attention,
feed-forward and embeddings, so only cross-attention and the head are new (fewer parameters to train).

What transformers 5's ``EncoderDecoderModel`` needs, set here once and saved in config.json and
generation_config.json: ``decoder_start_token_id`` ([CLS] / ``<s>``), ``pad_token_id``, ``eos_token_id``
(the token the tokenizer ends sequences with: [SEP] / ``</s>``) and ``vocab_size``. ``from_scratch``
builds the same shape with random weights: the baseline that shows what the checkpoint is worth.

The model is written to a folder once and then loaded through the normal path (headline/models.py),
so the generator, training, resume and evaluation see an ordinary seq2seq checkpoint.
"""

from __future__ import annotations

import logging
from pathlib import Path

from summarize.headline.config import EncoderDecoderShape
from summarize.headline.models import ModelLoadError, check_model_folder, load_tokenizer, resolve_checkpoint

log = logging.getLogger("summarize")

# Encoders whose AutoModelForCausalLM takes encoder_hidden_states (cross-attention).
BERT_FAMILY = ("bert", "roberta", "xlm-roberta", "electra", "ernie")
SHARED_FLAG = "summarize_shared_encoder_decoder"  # config.json key: re-tie after every load


def share_weights(model) -> None:
    """Make the decoder reuse the encoder's embeddings, self-attention and feed-forward (BERT2BERTshare)."""
    encoder, decoder = model.encoder, model.decoder
    body = getattr(decoder, decoder.base_model_prefix)
    if len(body.encoder.layer) != len(encoder.encoder.layer):
        raise ModelLoadError("model.encoder_decoder.share needs as many decoder layers as encoder layers")
    # Parameters are shared, never modules: a decoder's self-attention module also carries that it is
    # causal (and keeps a key/value cache); handing it the encoder's module let every position see the
    # tokens after it, so training learned to copy the next token and generation produced nothing.
    _share_parameters(body.embeddings, encoder.embeddings)
    for mine, theirs in zip(body.encoder.layer, encoder.encoder.layer):
        _share_parameters(mine.attention, theirs.attention)
        _share_parameters(mine.intermediate, theirs.intermediate)
        _share_parameters(mine.output, theirs.output)
    decoder.tie_weights()  # the output projection follows the (now shared) word embeddings
    # Declare every shared tensor as tied (target -> source), so save_pretrained stores it once and
    # loading does not look for the decoder's copies; after_load re-shares the modules.
    first: dict[int, str] = {}
    tied = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        if id(param) in first:
            tied[name] = first[id(param)]
        else:
            first[id(param)] = name
    model.all_tied_weights_keys = {**getattr(model, "all_tied_weights_keys", {}), **tied}
    model._tied_weights_keys = {**(type(model)._tied_weights_keys or {}), **tied}  # what save_pretrained reads


def _share_parameters(target, source) -> None:
    """Make each parameter of ``target`` the very tensor ``source`` has under the same name."""
    for name, param in source.named_parameters():
        path, _, leaf = name.rpartition(".")
        setattr(target.get_submodule(path) if path else target, leaf, param)


def build_bert2bert(name_or_path: str, shape: EncoderDecoderShape, folder: str | Path, seed: int,
                    revision: str | None = None) -> Path:
    """Build the encoder-decoder from the checkpoint ``name_or_path`` and save it with its tokenizer to ``folder``."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, EncoderDecoderModel

    source = resolve_checkpoint(name_or_path, revision)
    check_model_folder(source)
    enc_config = AutoConfig.from_pretrained(str(source))
    if enc_config.model_type not in BERT_FAMILY:
        raise ModelLoadError(f"{source}: model.init encoder-decoder needs a BERT-family encoder "
                             f"({', '.join(BERT_FAMILY)}); this checkpoint is {enc_config.model_type!r}")
    tokenizer = load_tokenizer(source, "bert2bert")
    start = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    end = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    if None in (start, end, tokenizer.pad_token_id):
        raise ModelLoadError(f"{source}: the tokenizer needs a start ([CLS]/<s>), end ([SEP]/</s>) and pad token")
    dec_config = AutoConfig.from_pretrained(str(source), is_decoder=True, add_cross_attention=True,
                                            tie_word_embeddings=True)
    if shape.decoder_layers:
        dec_config.num_hidden_layers = shape.decoder_layers
    torch.manual_seed(seed)
    if shape.from_scratch:
        encoder = AutoModel.from_config(enc_config)
        decoder = AutoModelForCausalLM.from_config(dec_config)
    else:
        encoder = AutoModel.from_pretrained(str(source), config=enc_config)
        decoder = AutoModelForCausalLM.from_pretrained(str(source), config=dec_config)
    model = EncoderDecoderModel(encoder=encoder, decoder=decoder)
    if shape.share:
        share_weights(model)
        setattr(model.config, SHARED_FLAG, True)
    for cfg in (model.config, model.generation_config):
        cfg.decoder_start_token_id = start
        cfg.bos_token_id = start
        cfg.eos_token_id = end
        cfg.pad_token_id = tokenizer.pad_token_id
    model.config.vocab_size = model.config.decoder.vocab_size
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    log.info("built BERT2BERT%s from %s%s: %.1fM parameters -> %s", " (shared)" if shape.share else "", source,
             " (random weights of its shape)" if shape.from_scratch else "", model.num_parameters() / 1e6, folder)
    return folder


def write_unshared_weights(model, folder: str | Path) -> bool:
    """For a shared model, rewrite ``folder``'s weights with every tensor under every name; False otherwise.

    ``save_pretrained`` stores a shared tensor once, under the encoder's name, and only summarize's
    loader (``after_load``) knows to share it back: plain ``AutoModelForSeq2SeqLM.from_pretrained``
    would start the decoder from random weights. With every name written, plain transformers loads
    the same function (unshared, so larger in memory); summarize still re-shares on load.
    """
    if not getattr(model.config, SHARED_FLAG, False):
        return False
    from safetensors.torch import save

    from summarize.io.atomic import atomic_open

    tensors = {name: t.detach().to("cpu").clone().contiguous() for name, t in model.state_dict().items()}
    with atomic_open(Path(folder) / "model.safetensors", "wb", encoding=None) as handle:
        handle.write(save(tensors, metadata={"format": "pt"}))
    return True


def after_load(model) -> None:
    """Re-tie shared weights (safetensors stores them once per name; sharing is a property of the module)."""
    if getattr(model.config, SHARED_FLAG, False):
        share_weights(model)
