"""The task-agnostic training engine (summarize.training): arguments, precision, run folder, resume, callbacks."""

from __future__ import annotations

import json

import pytest

from summarize.config import ConfigError
from summarize.config.sections import TrainingSection
from summarize.training import (
    LogCallback,
    OrderedSeq2SeqTrainer,
    OrderedTrainer,
    build_training_arguments,
    find_resume_checkpoint,
    is_main_process,
    prepare_run_dir,
    resolve_precision,
    standard_callbacks,
)


def test_arguments_follow_the_section(tmp_path):
    section = TrainingSection(seed=7, max_steps=30, batch_size=4, eval_batch_size=2, gradient_accumulation_steps=3,
                              learning_rate=2e-4, warmup_ratio=0.1, lr_scheduler="cosine", label_smoothing=0.1,
                              optimizer="adafactor", eval_strategy="steps", eval_steps=10, save_total_limit=1,
                              group_by_length=True, precision="fp32")
    args = build_training_arguments(section, tmp_path, metric_for_best="rougeL")
    assert args.output_dir == str(tmp_path / "checkpoints")
    assert (args.seed, args.max_steps, args.per_device_train_batch_size, args.per_device_eval_batch_size) == (7, 30, 4, 2)
    assert args.gradient_accumulation_steps == 3 and args.learning_rate == 2e-4
    assert args.warmup_steps == 0.1  # transformers 5: a float below 1 is a ratio of the total steps
    assert args.lr_scheduler_type == "cosine" and args.label_smoothing_factor == 0.1 and args.optim == "adafactor"
    assert args.eval_strategy == "steps" and args.eval_steps == 10 and args.save_steps == 10
    assert args.load_best_model_at_end and args.metric_for_best_model == "rougeL" and args.greater_is_better
    assert args.train_sampling_strategy == "group_by_length"
    assert args.predict_with_generate and args.report_to in ([], "none", ["none"])
    assert not args.bf16 and not args.fp16


def test_warmup_steps_win_over_ratio_and_no_eval_still_saves(tmp_path):
    section = TrainingSection(warmup_steps=25, warmup_ratio=0.5, eval_strategy="no", eval_steps=40, group_by_length=False)
    args = build_training_arguments(section, tmp_path, metric_for_best="rougeL", seq2seq=False, max_grad_norm=0.5)
    assert args.warmup_steps == 25
    assert args.eval_strategy == "no" and not args.load_best_model_at_end and args.metric_for_best_model is None
    assert args.save_strategy == "steps" and args.save_steps == 40  # --resume needs checkpoints
    assert args.train_sampling_strategy == "random"
    assert not hasattr(args, "predict_with_generate") and args.max_grad_norm == 0.5  # extra overrides
    epoch = build_training_arguments(TrainingSection(eval_strategy="epoch"), tmp_path, evaluate=False)
    assert epoch.eval_strategy == "no" and epoch.save_strategy == "epoch"


def test_precision_on_this_machine(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_precision("auto") == {} and resolve_precision("fp32") == {}
    assert resolve_precision("bf16") == {"bf16": True, "use_cpu": True}
    with pytest.raises(ConfigError, match="fp16 needs a CUDA GPU"):
        resolve_precision("fp16")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert resolve_precision("auto") == {"bf16": True}
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert resolve_precision("auto") == {"fp16": True}
    with pytest.raises(ConfigError, match="does not support bf16"):
        resolve_precision("bf16")


def _checkpoint(run, step, complete=True):
    folder = run / "checkpoints" / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"x")
    if complete:
        (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}), encoding="utf-8")
    return folder


def test_resume_picks_the_newest_complete_checkpoint(tmp_path, caplog):
    assert find_resume_checkpoint(tmp_path) is None
    _checkpoint(tmp_path, 5)
    ten = _checkpoint(tmp_path, 10)
    _checkpoint(tmp_path, 15, complete=False)  # killed while saving
    (tmp_path / "checkpoints" / "checkpoint-20").mkdir()
    (tmp_path / "checkpoints" / "checkpoint-20" / "trainer_state.json").write_text("{trunc", encoding="utf-8")
    with caplog.at_level("WARNING", logger="summarize"):
        assert find_resume_checkpoint(tmp_path) == str(ten)
    assert "checkpoint-20: incomplete checkpoint" in caplog.text and "checkpoint-15: incomplete" in caplog.text


def test_run_dir_saves_the_resolved_config_on_rank_zero_only(tmp_path, monkeypatch):
    from summarize.config import load_config

    cfg = load_config(None, ["training.learning_rate=3e-4"], task="headline")
    monkeypatch.setenv("RANK", "1")
    assert not is_main_process()
    prepare_run_dir(cfg, tmp_path / "r1")
    assert not (tmp_path / "r1" / "config.yaml").exists()
    monkeypatch.setenv("RANK", "0")
    run = prepare_run_dir(cfg, tmp_path / "r0")
    assert load_config(run / "config.yaml").training.learning_rate == 3e-4


def test_callbacks(tmp_path):
    from transformers import EarlyStoppingCallback
    from transformers.integrations import TensorBoardCallback

    assert standard_callbacks(TrainingSection(), tmp_path) == []
    callbacks = standard_callbacks(TrainingSection(early_stopping_patience=2, tensorboard=True), tmp_path)
    assert isinstance(callbacks[0], EarlyStoppingCallback) and callbacks[0].early_stopping_patience == 2
    assert isinstance(callbacks[1], TensorBoardCallback) and callbacks[1].logging_dir == str(tmp_path / "tensorboard")


def test_trainers_log_to_stderr_and_keep_eval_order(tmp_path):
    """Our trainers replace the stdout printers, and evaluation keeps dataset order even with length grouping."""
    from transformers import PrinterCallback, ProgressCallback

    from transformers import BartConfig, BartForConditionalGeneration

    model = BartForConditionalGeneration(BartConfig(vocab_size=16, d_model=8, encoder_layers=1, decoder_layers=1,
                                                    encoder_attention_heads=1, decoder_attention_heads=1,
                                                    encoder_ffn_dim=8, decoder_ffn_dim=8, max_position_embeddings=16))
    section = TrainingSection(group_by_length=True, precision="fp32")
    dataset = [{"input_ids": [1] * n} for n in (5, 1, 9, 3, 7)]
    for cls, seq2seq in ((OrderedTrainer, False), (OrderedSeq2SeqTrainer, True)):
        args = build_training_arguments(section, tmp_path, seq2seq=seq2seq)
        trainer = cls(model=model, args=args, eval_dataset=dataset)
        kinds = [type(c) for c in trainer.callback_handler.callbacks]
        assert LogCallback in kinds and ProgressCallback not in kinds and PrinterCallback not in kinds
        assert list(trainer._get_eval_sampler(dataset)) == [0, 1, 2, 3, 4]


def test_start_fresh_removes_only_the_named_outputs(tmp_path, monkeypatch):
    from summarize.training import start_fresh

    (tmp_path / "checkpoints" / "checkpoint-5").mkdir(parents=True)
    (tmp_path / "metrics.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.setenv("RANK", "1")
    start_fresh(tmp_path, ("checkpoints", "metrics.json"))
    assert (tmp_path / "metrics.json").exists()  # only rank 0 deletes
    monkeypatch.setenv("RANK", "0")
    start_fresh(tmp_path, ("checkpoints", "metrics.json", "model"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_train_logging_writes_log_lines_above_the_bar(capsys):
    """During training a log record goes through tqdm.write, so it never lands inside the progress bar."""
    import logging
    import sys

    from tqdm import tqdm

    from summarize.training.callbacks import train_logging

    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    root.addHandler(handler)
    writes = []
    original = tqdm.write
    try:
        tqdm.write = classmethod(lambda cls, s, file=None, end="\n", nolock=False: writes.append(s))
        with train_logging():
            logging.getLogger("summarize").warning("step 3: loss 1.2")
        logging.getLogger("summarize").warning("after training")
    finally:
        tqdm.write = original
        root.removeHandler(handler)
    assert writes == ["step 3: loss 1.2"]
    assert "after training" in capsys.readouterr().err
