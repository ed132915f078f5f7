"""transformers' trainers with one fix: evaluation keeps the dataset's order.

With ``train_sampling_strategy="group_by_length"`` transformers 5 also
length-groups the *evaluation* sampler, which shuffles dev examples. Tasks
here score generated text against raw references (headlines) or map
predictions back to contexts (QA) by position, so eval order must be the
dataset order. Under DDP the default distributed sharding already preserves
order once gathered. Both trainers also log through ``logging`` (callbacks.py).
"""

from __future__ import annotations

from torch.utils.data import SequentialSampler
from transformers import PrinterCallback, ProgressCallback
from transformers import Seq2SeqTrainer as _Seq2SeqTrainer
from transformers import Trainer as _Trainer

from summarize.training.callbacks import LogCallback


def _ordered_eval_sampler(trainer, eval_dataset):
    if eval_dataset is None:
        return None
    if trainer.args.world_size <= 1:
        return SequentialSampler(eval_dataset)
    return None


def _use_log_callback(trainer) -> None:
    # transformers prints log dicts to stdout; ours go through logging (stderr).
    trainer.remove_callback(ProgressCallback)
    trainer.remove_callback(PrinterCallback)
    trainer.add_callback(LogCallback(show_progress=not trainer.args.disable_tqdm))


class OrderedTrainer(_Trainer):
    _get_eval_sampler = _ordered_eval_sampler

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _use_log_callback(self)


class OrderedSeq2SeqTrainer(_Seq2SeqTrainer):
    """Also takes ``generation_kwargs``: extra ``generate()`` arguments for every evaluation and
    prediction, including the ones the training loop starts (a logits processor, for instance),
    so dev text is decoded exactly as inference decodes it."""

    _get_eval_sampler = _ordered_eval_sampler

    def __init__(self, *args, generation_kwargs: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.generation_kwargs = dict(generation_kwargs or {})
        _use_log_callback(self)

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval", **gen_kwargs):
        return super().evaluate(eval_dataset, ignore_keys=ignore_keys, metric_key_prefix=metric_key_prefix,
                                **{**self.generation_kwargs, **gen_kwargs})

    def predict(self, test_dataset, ignore_keys=None, metric_key_prefix: str = "test", **gen_kwargs):
        return super().predict(test_dataset, ignore_keys=ignore_keys, metric_key_prefix=metric_key_prefix,
                               **{**self.generation_kwargs, **gen_kwargs})
