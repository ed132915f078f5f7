"""Extractive reading comprehension: RC data reading, sliding-window features, span decoding, training, Reader."""
