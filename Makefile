# The two commands a newcomer needs:
#   make demo   install, create the SQLite database, seed the demo and serve on :5000 (PORT=...)
#   make test   install the test dependencies and run the whole suite (lint, types, tests)
# For contributors: make lint, make fmt, make bench, make catalogues, make clean.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_WORKERS ?= 2
CODE = agreements workflows tests bench migrations wsgi.py

.PHONY: demo install install-dev test lint fmt bench catalogues mutation clean

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
	@# The demo's mails, readable at /admin/mail (no SMTP server); one log line per mail goes
	@# to instance/worker.log, so the accounts printed above stay on the screen.
	$(FLASK) worker --once 2>> instance/worker.log
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

# The interface languages (agreements/languages.py): extract every marked string into the
# template catalogue, start a catalogue for a language that has none, merge the new strings
# into each language's .po (translators fill them in), and compile the .mo files (which the
# app also compiles on start when missing, so a fresh clone needs no make step).
TRANSLATIONS = agreements/translations
LANGUAGES = fr de es it pl ar
catalogues: install
	$(BIN)/pybabel extract -F babel.cfg -k n_:1,2 --sort-by-file --project Accord --copyright-holder "the Accord contributors" -o $(TRANSLATIONS)/messages.pot .
	for lang in $(LANGUAGES); do \
	  test -f $(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po || \
	    $(BIN)/pybabel init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang; \
	done
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

bench: install-dev
	$(BIN)/python bench/diff_bench.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/render_bench.py
	$(BIN)/python bench/write_bench.py

# Mutation testing of the domain core ([tool.mutmut] in pyproject.toml); mutants/ keeps the
# results, so a second run retests only what changed. Scores per module are printed last.
mutation: install-dev
	env -u TEST_DATABASE_URL $(BIN)/mutmut run --max-children $(PYTEST_WORKERS)
	$(BIN)/mutmut results --all true | $(BIN)/python bench/mutation_scores.py

clean:
	rm -rf $(VENV) mutants instance test-artifacts .pytest_cache .mypy_cache .ruff_cache .hypothesis
