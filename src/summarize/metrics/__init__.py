"""Evaluation: char-level ROUGE for headlines, CMRC 2018 EM/F1 for reading comprehension, reports.

Modules stay import-light: ``summarize.metrics.rouge`` on its fast path
(``word_level=False, bootstrap=0``) imports neither jieba nor matplotlib.
"""
