"""Headline summarization: model loading, fine-tuning, generation and the offline lead method."""
