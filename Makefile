# Two commands on a fresh machine:
#   make run    set up and start the app on http://127.0.0.1:8000
#   make test   set up and run every check: lint, format, types, tests, browser tests
# Each sets up what it needs: a virtualenv with the locked, hashed dependencies and, for the
# tests, Debian's chromium and redis-server.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help run test lint bench eval lock system

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 10

$(STAMP): requirements-bootstrap.lock requirements-dev.lock pyproject.toml scripts/setup-venv
	PYTHON=$(PYTHON) VENV=$(VENV) scripts/setup-venv
	touch $(STAMP)

run: $(STAMP)  ## set up, then serve http://127.0.0.1:8000 (MEND_* settings apply)
	$(BIN)/mend serve

system:  ## install Debian's chromium and redis-server for the tests, if missing
	@scripts/install-system-packages

lint: $(STAMP)  ## ruff check, ruff format --check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(STAMP) system lint  ## set up, then lint and every test, browser tests included
	$(BIN)/python -m pytest

bench: $(STAMP)  ## benchmarks: ratios to a bare-spaCy baseline in the same run
	$(BIN)/python tests/bench/bench_analyze.py
	$(BIN)/python tests/bench/bench_safety.py
	$(BIN)/python tests/bench/bench_http.py

eval: $(STAMP)  ## detector figures on the tuning sets, then every blind set apart
	$(BIN)/python tests/eval_detector.py tests/data/labelled*.jsonl tests/data/holdout.jsonl
	$(BIN)/python tests/eval_blind.py

lock:  ## re-lock the dependencies with hashes (needs uv)
	scripts/lock
