# Two entry points: `make quickstart` (set up, then train and evaluate the
# quickstart headline model) and `make test` (set up, then run the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN ?= runs/quickstart
QA_RUN ?= runs/qa-quickstart

.PHONY: quickstart qa-quickstart test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first and pinned: pyproject's range alone could let pip choose a CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test extras and every optional extra, so the tests of each backend run rather than skip.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,all]"
	touch $@

install: $(VENV)/.installed

quickstart: $(VENV)/.installed
	$(BIN)/summarize data split data/corpus/articles.jsonl --output-dir data/corpus
	$(BIN)/summarize train configs/quickstart.yaml --output-dir $(RUN) --overwrite
	$(BIN)/summarize evaluate --model $(RUN)/model --data data/corpus/test.jsonl --output $(RUN)/test-report
	@echo "== the from-scratch BART's headlines for the held-out articles (dev, test):"
	@cat data/corpus/dev.jsonl data/corpus/test.jsonl | $(BIN)/summarize headline -q --model $(RUN)/model - --format txt
	@echo "== the learned extractive model's headlines (bundled, offline: summarize headline without --model):"
	@cat data/corpus/dev.jsonl data/corpus/test.jsonl | $(BIN)/summarize headline -q - --format txt
	@echo "== their reference headlines:"
	@$(BIN)/python -c "import json,sys; [print(json.loads(l)['title']) for f in sys.argv[1:] for l in open(f, encoding='utf-8')]" data/corpus/dev.jsonl data/corpus/test.jsonl

qa-quickstart: $(VENV)/.installed
	$(BIN)/summarize qa train configs/qa-quickstart.yaml --output-dir $(QA_RUN) --overwrite
	$(BIN)/summarize qa predict --model $(QA_RUN)/model --input data/rc/dev.jsonl --output $(QA_RUN)/dev_answers.json
	$(BIN)/summarize qa evaluate --dataset data/rc/dev.jsonl --predictions $(QA_RUN)/dev_answers.json

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) runs
