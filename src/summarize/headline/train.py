"""Fine-tune a headline model from a config: ``train(load_config("configs/quickstart.yaml"))``.

The engine is transformers' Seq2SeqTrainer (so torchrun and ``accelerate
launch`` work unchanged); what this module adds is the headline-specific
wiring: data with file:line errors, dev ROUGE on *generated* text scored
against the raw reference strings, the best checkpoint by char ROUGE-L, and
a run folder a newsroom can use directly::

    RUN/config.yaml              the resolved config
    RUN/model/                   best model + tokenizer + generation_config.json (headline decoding defaults)
    RUN/metrics.json             final dev ROUGE, train loss, steps, runtime, samples/s
    RUN/dev_predictions.jsonl    id, prediction, reference (from the final model)
    RUN/checkpoints/             resumable checkpoints (--resume)
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from pathlib import Path
from typing import Any

from summarize.text.clean import clean_headline
from summarize.headline.config import HeadlineConfig
from summarize.headline.arrow import tokenize_pairs
from summarize.headline.dataset import Pair, make_collator
from summarize.io.atomic import atomic_write_json, atomic_write_jsonl, finite_json
from summarize.training.callbacks import train_logging
from summarize.training.model_card import save_final_model
from summarize.training.result import RUN_OUTPUTS, TrainResult, relative_to_run, with_output_dir
from summarize.io.checkpoint import weights_provenance
from summarize.io.locate import describe_source
from summarize.training.rundir import world_size

log = logging.getLogger("summarize")

METRIC = "rougeL"  # best checkpoint = highest dev char ROUGE-L F


def scratch_folder(cfg: HeadlineConfig, run_dir: Path) -> Path:
    """Where ``init: scratch`` writes its model: ``model.name_or_path``, relative to the run folder."""
    path = Path(cfg.model.name_or_path).expanduser()
    return path if path.is_absolute() else run_dir / path


def score_predictions(predictions: list[str], pairs: list[Pair]) -> dict[str, float]:
    from summarize.metrics.rouge import rouge_scores

    if len(predictions) != len(pairs):
        raise RuntimeError(f"{len(predictions)} dev predictions for {len(pairs)} references")
    scores = rouge_scores(predictions, [p.title for p in pairs], word_level=False, bootstrap=0)["char"]
    return {m: scores[m]["f"] for m in ("rouge1", "rouge2", "rougeL")}


class DevScorer:
    """compute_metrics for the trainer: decode generated ids, clean, score against raw references.

    The raw dev headlines are the references, not labels decoded back from
    token ids: tokenization loses case, unknown characters and spacing, and
    scoring against its output would flatter the model.
    """

    def __init__(self, tokenizer, pairs: list[Pair], max_chars: int):
        self.tokenizer = tokenizer
        self.pairs = pairs
        self.max_chars = max_chars
        self.predictions: list[str] = []

    def decode(self, ids) -> list[str]:
        import numpy as np

        ids = np.where(np.asarray(ids) < 0, self.tokenizer.pad_token_id, ids)
        texts = self.tokenizer.batch_decode(ids.tolist(), skip_special_tokens=True)
        # The headline length limit is in characters; generation bounds tokens.
        return [clean_headline(t)[: self.max_chars] for t in texts]

    def __call__(self, eval_pred) -> dict[str, float]:
        predictions = eval_pred.predictions
        if isinstance(predictions, tuple):
            predictions = predictions[0]
        if len(predictions) > len(self.pairs) and world_size() > 1:
            # Under DDP the last batches are padded with repeats of the first
            # examples so every rank gets equal batches, and transformers does
            # not always drop them when gathering. Gathered order is dataset
            # order (rank-interleaved batches), so the repeats are the tail.
            predictions = predictions[: len(self.pairs)]
        self.predictions = self.decode(predictions)
        return score_predictions(self.predictions, self.pairs)

    def rows(self) -> list[dict]:
        return [{"id": p.id, "prediction": pred, "reference": p.title} for p, pred in zip(self.pairs, self.predictions)]


def _load_data(cfg: HeadlineConfig, args, train_data: Any = None, dev_data: Any = None):
    """(training pairs, dev pairs) as Arrow datasets (:mod:`summarize.headline.arrow`), and the dev pairs as a list.

    ``train_data``/``dev_data`` (a ``datasets.Dataset`` or a hub id) replace the config's files.
    """
    from summarize.headline.arrow import as_pairs, load_pairs

    d = cfg.data
    fields = dict(text_field=d.text_field, title_field=d.title_field)
    train_source = train_data if train_data is not None else d.train
    dev_source = dev_data if dev_data is not None else d.dev
    # Rank 0 reads (and caches) first; the other ranks then load its Arrow files.
    with args.main_process_first(desc="reading the data"):
        train_ds = load_pairs(train_source, limit=d.max_train_samples, **fields)
        dev_ds = load_pairs(dev_source, limit=d.max_dev_samples, split="validation", **fields) \
            if dev_source is not None else None
    dev_pairs = as_pairs(dev_ds) if dev_ds is not None else []
    log.info("data: %d training pairs from %s, %d dev pairs%s", len(train_ds), describe_source(train_source), len(dev_pairs),
             f" from {describe_source(dev_source)}" if dev_ds is not None else " (no dev set: no evaluation, the last checkpoint is kept)")
    return train_ds, dev_ds, dev_pairs



def _load_model(cfg: HeadlineConfig, run_dir: Path, args, train_ds, resume: bool):
    from summarize.headline.models import build_scratch_checkpoint, load_pretrained
    from summarize.training import is_main_process

    if cfg.model.init == "encoder-decoder":
        from summarize.headline.bert2bert import build_bert2bert

        folder = run_dir / "init"
        with args.main_process_first(desc="building the encoder-decoder model"):
            if is_main_process() and not (resume and (folder / "config.json").is_file()):
                build_bert2bert(cfg.model.name_or_path, cfg.model.encoder_decoder, folder, cfg.training.seed,
                                revision=cfg.model.revision)
        section = dataclasses.replace(cfg.model, family="auto", tokenizer=None)
        return load_pretrained(section, name_or_path=str(folder))
    if cfg.model.init != "scratch":
        return load_pretrained(cfg.model)
    folder = scratch_folder(cfg, run_dir)
    # Rank 0 builds the vocabulary and initial weights; the other ranks wait,
    # then every rank loads the same files through the normal loading path.
    with args.main_process_first(desc="building the from-scratch model"):
        if is_main_process() and not (resume and (folder / "config.json").is_file()):
            # Streamed a block at a time: the vocabulary never needs the corpus in memory.
            texts = (text for batch in train_ds.iter(batch_size=10_000)
                     for text in [cfg.data.source_prefix + t for t in batch["text"]] + batch["title"])
            build_scratch_checkpoint(cfg.model.scratch, texts, folder, cfg.training.seed)
    return load_pretrained(cfg.model, name_or_path=str(folder))


def train(config: HeadlineConfig, output_dir: str | os.PathLike | None = None, resume: bool = False,
          overwrite: bool = False, *, train_data: Any = None, dev_data: Any = None) -> TrainResult:
    """Fine-tune (or train from scratch) a headline model; see the module docstring for the outputs.

    ``train_data``/``dev_data``: a ``datasets.Dataset`` or a hub dataset id to use instead of the
    config's ``data.train``/``data.dev`` files (columns named by ``data.text_field``/``data.title_field``).

    Everything that can fail on bad input (data files, the split manifest, the
    pretrained checkpoint) is checked before the run folder is touched; the folder
    is then locked, and an earlier run in it is replaced only with ``overwrite``.
    ``resume`` on a run with nothing left to train returns its saved metrics.
    """
    from summarize.data.split import check_split_files
    from summarize.training import build_training_arguments
    from summarize.training.rundir import locked_run_dir

    cfg = with_output_dir(config, output_dir)
    run_dir = Path(cfg.training.output_dir)
    check_split_files([f for f, given in ((cfg.data.train, train_data), (cfg.data.dev, dev_data)) if given is None])
    has_dev = dev_data is not None or bool(cfg.data.dev)
    args = build_training_arguments(cfg.training, run_dir, metric_for_best=METRIC, evaluate=has_dev)
    train_ds, dev_ds, dev_pairs = _load_data(cfg, args, train_data, dev_data)
    pretrained = None
    # A mistyped model path fails here, before the run folder is touched.
    if cfg.model.init == "pretrained":
        from summarize.headline.models import load_pretrained

        pretrained = load_pretrained(cfg.model)
    elif cfg.model.init == "encoder-decoder":
        from summarize.io.checkpoint import check_model_folder, resolve_checkpoint

        check_model_folder(resolve_checkpoint(cfg.model.name_or_path, cfg.model.revision))
    with locked_run_dir(run_dir, resume=resume, overwrite=overwrite):
        return _train_in(cfg, run_dir, args, train_ds, dev_ds, dev_pairs, pretrained, resume=resume,
                         overwrite=overwrite)


def _train_in(cfg: HeadlineConfig, run_dir: Path, args, train_ds, dev_ds, dev_pairs: list[Pair], pretrained,
              *, resume: bool, overwrite: bool) -> TrainResult:
    import torch
    from transformers import set_seed

    from summarize.headline.generation_config import to_generation_config
    from summarize.training import (
        OrderedSeq2SeqTrainer,
        guard_outputs,
        is_main_process,
        prepare_run_dir,
        resume_point,
        standard_callbacks,
    )

    checkpoint, done = resume_point(run_dir, cfg.training, resume=resume)
    if done is not None:
        return TrainResult(output_dir=run_dir, model_dir=run_dir / "model", metrics=done)
    if is_main_process():
        # Decided once, by rank 0: the other ranks would look after it had started writing (checkpoints/)
        # and refuse their own run. If rank 0 refuses, the launcher stops the other ranks.
        guard_outputs(run_dir, RUN_OUTPUTS, resume=resume, overwrite=overwrite,
                      inputs=(cfg.data.train, cfg.data.dev, cfg.model.name_or_path, cfg.model.tokenizer))
    prepare_run_dir(cfg, run_dir)
    set_seed(cfg.training.seed)

    loaded = pretrained if pretrained is not None else _load_model(cfg, run_dir, args, train_ds, resume)
    model, tokenizer = loaded.model, loaded.tokenizer
    # Dev generation during training uses the same decoding defaults the
    # saved model will carry.
    model.generation_config = to_generation_config(cfg.generation, model.generation_config, cfg.data.source_prefix)
    # BART/T5/mT5/Pegasus forwards take **kwargs, so transformers 5 assumes they
    # normalise the loss by its num_items_in_batch; they return a plain mean
    # instead. Left alone, the trainer then skips dividing by the accumulation
    # steps and multiplies by the world size: loss and gradients k x N too large
    # (wrong logs, early clipping). Declaring it restores mean-loss handling.
    model.accepts_loss_kwargs = False
    start = model.config.decoder_start_token_id
    d = cfg.data
    encode = dict(decoder_start_token_id=start, source_prefix=d.source_prefix,
                  max_source_tokens=d.max_source_tokens, max_target_tokens=d.max_target_tokens)
    # Tokenized once, by rank 0 first; the other ranks (and later runs) load the cached Arrow files.
    with args.main_process_first(desc="tokenizing"):
        train_features = tokenize_pairs(train_ds, tokenizer, num_proc=d.num_proc, **encode)
        dev_features = tokenize_pairs(dev_ds, tokenizer, **encode) if dev_ds is not None else None
    scorer = DevScorer(tokenizer, dev_pairs, cfg.generation.max_chars) if dev_pairs else None
    # Tensor cores want padded lengths in multiples of 8 under mixed precision.
    multiple = 8 if (args.bf16 or args.fp16) and torch.cuda.is_available() else None

    generation_kwargs = {}
    if dev_pairs:
        from transformers import LogitsProcessorList

        from summarize.headline.length import length_processor

        # The best checkpoint is chosen by the decoder users get: the character-length
        # processor (max_chars, min_chars) of HeadlineGenerator, not plain token-bounded generate().
        processor = length_processor(model, tokenizer, cfg.generation.max_chars, cfg.generation.min_chars, args.device)
        generation_kwargs = {"logits_processor": LogitsProcessorList([processor])}
    trainer = OrderedSeq2SeqTrainer(
        generation_kwargs=generation_kwargs,
        model=model,
        args=args,
        train_dataset=train_features,
        eval_dataset=dev_features,
        processing_class=tokenizer,
        data_collator=make_collator(tokenizer, model, multiple),
        compute_metrics=scorer,
        callbacks=standard_callbacks(cfg.training, run_dir),
    )
    resumed_step = 0
    if checkpoint is not None:
        resumed_step = _checkpoint_step(checkpoint)
        log.info("resuming from %s (step %d)", checkpoint, resumed_step)
    started = time.perf_counter()
    with train_logging():
        out = trainer.train(resume_from_checkpoint=checkpoint)
    train_metrics = dict(out.metrics)

    dev_scores: dict[str, float] = {}
    if scorer is not None:
        # The trainer reloaded the best checkpoint; score it once more so the
        # report and the predictions file describe the model that is saved.
        final = trainer.evaluate()
        dev_scores = {m: final[f"eval_{m}"] for m in ("rouge1", "rouge2", "rougeL")}
        log.info("dev char ROUGE-1/2/L: %.2f / %.2f / %.2f", dev_scores["rouge1"], dev_scores["rouge2"], dev_scores["rougeL"])

    model_dir = run_dir / "model"
    trainer.model.generation_config = to_generation_config(cfg.generation, trainer.model.generation_config, cfg.data.source_prefix)

    metrics = {
        "dev": dev_scores,
        "dev_samples": len(dev_pairs),
        "train_samples": len(train_ds),
        "train_loss": train_metrics.get("train_loss"),
        "global_step": trainer.state.global_step,
        "epochs": trainer.state.epoch,
        "resumed_from_step": resumed_step,
        "best_checkpoint": relative_to_run(trainer.state.best_model_checkpoint, run_dir),
        "train_runtime_s": train_metrics.get("train_runtime"),
        "train_samples_per_second": train_metrics.get("train_samples_per_second"),
        "wall_time_s": round(time.perf_counter() - started, 2),
        "world_size": args.world_size,
        "precision": "bf16" if args.bf16 else "fp16" if args.fp16 else "fp32",
        "model": {"family": loaded.family, "init": cfg.model.init, "parameters": trainer.model.num_parameters()},
        "started_from": weights_provenance(cfg.model.name_or_path, cfg.model.init),
        "metric": "char-level ROUGE F x100 (summarize.metrics.rouge, ROUGE-1.5.5 counting) on generated, "
                  "cleaned dev headlines vs the raw dev references",
    }
    rows = scorer.rows() if scorer is not None else []
    # rank 0 writes; also saves the tokenizer and the model card
    save_final_model(trainer, model_dir, model_card(cfg, loaded.family, dev_scores, metrics["metric"]))
    if is_main_process():
        from summarize.headline.bert2bert import write_unshared_weights

        write_unshared_weights(trainer.model, model_dir)  # a shared BERT2BERT: every tensor, for plain transformers
        atomic_write_json(run_dir / "metrics.json", finite_json(metrics))
        if rows:
            atomic_write_jsonl(run_dir / "dev_predictions.jsonl", rows)
        log.info("model saved to %s; metrics in %s", model_dir, run_dir / "metrics.json")
    return TrainResult(output_dir=run_dir, model_dir=model_dir, metrics=metrics, dev_predictions=rows,
                       log_history=list(trainer.state.log_history))


def model_card(cfg: HeadlineConfig, family: str, dev_scores: dict, scoring: str):
    """What the saved model/README.md says (see :mod:`summarize.training.model_card`)."""
    from summarize.config import to_dict
    from summarize.training.model_card import ModelCard

    m = cfg.model
    base = m.name_or_path if m.init == "pretrained" else (
        f"none: a {m.scratch.architecture} built from scratch (d_model {m.scratch.d_model}, {m.scratch.layers} layers) "
        "with a character vocabulary of the training data")
    notes = ["Plain `generate()` bounds headlines in tokens; summarize bounds them in characters "
             "(`max_chars`/`min_chars`, a logits processor) and cleans the tokenizer spacing, as during dev scoring."]
    if family == "pegasus":
        tokenizer = ("from summarize.headline.tokenization_pegasus import PegasusChineseTokenizer\n"
                     "tokenizer = PegasusChineseTokenizer.from_pretrained(\"path/to/model\")  # plain Python, no remote code")
        notes.append(
            "`AutoTokenizer` cannot load this tokenizer, and no setting makes it: `tokenizer_class` is "
            "`PegasusChineseTokenizer`, which segments text with jieba (a dictionary lookup over its word list) "
            "before WordPiece. No transformers tokenizer class does that and a `tokenizer.json` cannot express it; "
            "`BertTokenizer` on the same `vocab.txt` loads but splits Chinese into single characters, ids the model "
            "was not trained on. The class is one pure-Python file of summarize (it needs `jieba`), so "
            "`trust_remote_code` is never needed.")
    else:
        tokenizer = 'tokenizer = AutoTokenizer.from_pretrained("path/to/model")'
    load = ("from transformers import AutoModelForSeq2SeqLM, AutoTokenizer\n\n"
            f"{tokenizer}\n"
            'model = AutoModelForSeq2SeqLM.from_pretrained("path/to/model")\n'
            f"ids = tokenizer({cfg.data.source_prefix!r} + article, return_tensors=\"pt\", truncation=True, "
            f"max_length={cfg.generation.max_source_tokens})\n"
            "headline = tokenizer.decode(model.generate(**ids)[0], skip_special_tokens=True)")
    return ModelCard(
        task="headline", pipeline_tag="summarization", base_model=base,
        data={"train": cfg.data.train, "dev": cfg.data.dev}, dev_scores=dev_scores, scoring=scoring,
        decoding={**to_dict(cfg.generation), "source_prefix": cfg.data.source_prefix},
        load_transformers=load,
        load_summarize=('from summarize import HeadlineGenerator\n\n'
                        'generator = HeadlineGenerator.from_pretrained("path/to/model")\n'
                        'generator.generate(article).headline'),
        notes=notes,
    )


def _checkpoint_step(path: str) -> int:
    import json

    state = json.loads((Path(path) / "trainer_state.json").read_text(encoding="utf-8"))
    return int(state.get("global_step", 0))
