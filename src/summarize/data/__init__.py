"""The corpus pipeline: convert public corpora and raw newspaper pages to one JSONL record format, then split it.

    from summarize.data import convert_file, split_records
    result = convert_file("val.tsv", "lcsts")
    splits = split_records(result.records, ratios=(0.8, 0.1, 0.1), seed=0)
"""

from summarize.data.convert import FORMATS, ConvertResult, convert_file, write_records
from summarize.data.records import RowError, make_record, read_records, validate_record
from summarize.data.split import SplitResult, split_records, write_splits

__all__ = [
    "FORMATS",
    "ConvertResult",
    "RowError",
    "SplitResult",
    "convert_file",
    "make_record",
    "read_records",
    "split_records",
    "validate_record",
    "write_records",
    "write_splits",
]
