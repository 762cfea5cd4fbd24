# telesales — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export TELESALES_DATA_DIR ?= $(CURDIR)/var

# The first Python >= 3.12 found on the PATH.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.14 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: install run test lint format test-sqlite test-postgres test-browser bench clean messages

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "telesales needs Python 3.12 or newer, and none was found on the PATH."; \
		echo "Install it (Debian/Ubuntu: apt install python3.12 python3.12-venv; macOS: brew install python@3.12;"; \
		echo "or pyenv install 3.12) and run make again."; exit 1; fi
	@echo "Using $$($(PYTHON) --version) from $$(command -v $(PYTHON))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p "$(TELESALES_DATA_DIR)"
	$(BIN)/telesales migrate --no-input
	$(BIN)/telesales demo --if-empty
	@echo
	@$(BIN)/telesales demo --logins
	@echo
	@echo "Open http://$(HOST):$(PORT)/ and log in with one of the accounts above."
	DEBUG=1 $(BIN)/telesales runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/telesales makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: $(STAMP)
	$(BIN)/pytest -n auto -m "not browser" -q

test-postgres: $(STAMP)
	@if [ -z "$$TELESALES_TEST_DATABASE_URL" ]; then \
		echo "SKIPPED: PostgreSQL suite, because TELESALES_TEST_DATABASE_URL is not set (.ci/run sets it)."; \
	else DATABASE_URL="$$TELESALES_TEST_DATABASE_URL" $(BIN)/pytest -n auto -m "not browser" -q; fi

test-browser: $(STAMP)
	$(BIN)/pytest -m browser -q

test: lint test-sqlite test-postgres test-browser

# Benchmarks (issue 3; never part of `make test`): see bench/README.md. Generated files and
# databases are cached under var/bench/. BENCH_ROWS=100000 for a quick ingest run.
BENCH_ROWS ?= 1000000
bench: $(STAMP)
	$(BIN)/python bench/bench_ingest.py --rows $(BENCH_ROWS)
	$(BIN)/python bench/bench_call_kpis.py

# Developers only (needs GNU gettext): refresh the catalogues after changing strings.
messages: $(STAMP)
	$(BIN)/python scripts/messages.py

clean:
	rm -rf $(VENV) build *.egg-info
