"""Resumable batch jobs: headlines or answers for every row of many JSONL/Parquet files.

``summarize batch`` (``summarize.cli.batch``) is a thin layer over ``run``; the parts:

- ``plan``: input files (shards), their outputs, and the pieces each is cut into;
- ``rows``: reading one piece with file:line numbers;
- ``worker``: a model loaded once per worker, pieces in, output lines out;
- ``local`` / ``ray_engine``: a process pool on this machine, or Ray Data actors;
- ``manifest``: what is finished, so a re-run resumes;
- ``job``: ``run`` itself, which writes each shard once its pieces are done.
"""

from summarize.batch.job import BatchSummary, run

__all__ = ["BatchSummary", "run"]
