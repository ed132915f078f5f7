# Two entry points: `make quickstart` (set up, then train and evaluate the
# quickstart headline model) and `make test` (set up, then run the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN ?= runs/quickstart

.PHONY: quickstart test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first and pinned: pyproject's range alone could let pip choose a CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

quickstart: $(VENV)/.installed
	$(BIN)/summarize data split data/corpus/articles.jsonl --output-dir data/corpus
	$(BIN)/summarize train configs/quickstart.yaml --output-dir $(RUN)
	$(BIN)/summarize evaluate --model $(RUN)/model --data data/corpus/test.jsonl --output $(RUN)/test-report
	$(BIN)/summarize headline --model $(RUN)/model --input data/corpus/test.jsonl --format txt

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) runs
