# The two set-up commands of the README: `make demo` runs the main job, `make test` all checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KRAI_HOME ?= var/demo

.PHONY: demo test install install-test lint typecheck layers unit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(BIN)/krai demo --home $(KRAI_HOME)

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-test
	$(BIN)/mypy

layers: install-test
	$(BIN)/lint-imports

unit: install-test
	$(BIN)/pytest -n 2 -q

test: lint typecheck layers unit
