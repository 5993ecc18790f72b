# The two commands a newcomer needs:
#   make demo   install, create the SQLite database, seed the demo and serve on :5000
#   make test   install the test dependencies and run the whole suite (lint, types, tests)

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo install install-dev test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

demo: install
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check agreements workflows tests bench
	$(BIN)/mypy agreements workflows

test: lint
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python bench/diff_bench.py
	$(BIN)/python bench/audit_bench.py

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache .mypy_cache .ruff_cache
