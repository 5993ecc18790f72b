# The two commands a newcomer needs:
#   make demo   install, create the SQLite database, seed the demo and serve on :5000 (PORT=...)
#   make test   install the test dependencies and run the whole suite (lint, types, tests)
# For contributors: make lint, make fmt, make bench, make clean.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_WORKERS ?= 2
CODE = agreements workflows tests bench migrations wsgi.py

.PHONY: demo install install-dev test lint fmt bench mutation clean

# Installing is remembered by a stamp file that is older than pyproject.toml only when the
# dependencies may have changed: a second `make demo` starts at once.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

demo: install
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy agreements workflows

fmt: install-dev
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

test: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python bench/diff_bench.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/render_bench.py

# Mutation testing of the domain core ([tool.mutmut] in pyproject.toml); mutants/ keeps the
# results, so a second run retests only what changed. Scores per module are printed last.
mutation: install-dev
	env -u TEST_DATABASE_URL $(BIN)/mutmut run --max-children $(PYTEST_WORKERS)
	$(BIN)/mutmut results --all true | $(BIN)/python bench/mutation_scores.py

clean:
	rm -rf $(VENV) mutants instance test-artifacts .pytest_cache .mypy_cache .ruff_cache .hypothesis
