# Two commands on a fresh machine:
#   make run    set up and start the app on http://127.0.0.1:8000
#   make test   set up and run every check: lint, format, types, tests, browser tests
# Each sets up what it needs: a virtualenv with the locked, hashed dependencies and, for the
# browser tests, Debian's chromium.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint bench eval lock browser

$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mend serve

browser:
	@command -v chromium >/dev/null || scripts/install-chromium

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(STAMP) browser lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python tests/bench/bench_analyze.py
	$(BIN)/python tests/bench/bench_safety.py

eval: $(STAMP)
	$(BIN)/python tests/eval_detector.py tests/data/labelled.jsonl tests/data/holdout.jsonl

lock:
	scripts/lock
