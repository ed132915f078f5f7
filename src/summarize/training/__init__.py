"""Training engine shared by every task (headline generation and reading comprehension).

Task code builds its model, datasets and metric function, then uses these
task-agnostic pieces so every trainer behaves the same way::

    from summarize.training import (build_training_arguments, find_resume_checkpoint,
                                    prepare_run_dir, standard_callbacks, OrderedSeq2SeqTrainer)

    run_dir = prepare_run_dir(cfg, output_dir)          # saves config.yaml (rank 0 only)
    args = build_training_arguments(cfg.training, run_dir, metric_for_best="rougeL")
    trainer = OrderedSeq2SeqTrainer(model=model, args=args, ..., callbacks=standard_callbacks(cfg.training, run_dir))
    trainer.train(resume_from_checkpoint=find_resume_checkpoint(run_dir) if resume else None)

Run layout (under the run folder): ``config.yaml``, ``checkpoints/checkpoint-N``,
``tensorboard/`` (when enabled); the task adds its own reports and ``model/``.
"""

from summarize.training.arguments import build_training_arguments, resolve_precision
from summarize.training.callbacks import LogCallback, standard_callbacks
from summarize.training.rundir import (
    CHECKPOINTS,
    find_resume_checkpoint,
    finished_metrics,
    locked_run_dir,
    resume_point,
    guard_outputs,
    is_main_process,
    lock_run_dir,
    prepare_run_dir,
    start_fresh,
    world_size,
)
from summarize.training.trainers import OrderedSeq2SeqTrainer, OrderedTrainer, TrainingDiverged

__all__ = [
    "CHECKPOINTS",
    "LogCallback",
    "OrderedSeq2SeqTrainer",
    "OrderedTrainer",
    "TrainingDiverged",
    "build_training_arguments",
    "find_resume_checkpoint",
    "finished_metrics",
    "locked_run_dir",
    "resume_point",
    "guard_outputs",
    "is_main_process",
    "lock_run_dir",
    "prepare_run_dir",
    "resolve_precision",
    "standard_callbacks",
    "start_fresh",
    "world_size",
]
