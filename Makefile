# Every target bootstraps what it needs: a fresh clone needs only python3 (>= 3.11) and make.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint typecheck imports pytest bench docs clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/retention demo --out out

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks docs/api_reference.py
	$(BIN)/ruff format --check src tests benchmarks docs/api_reference.py

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck imports pytest

# The inner loop: lint and every test but the slow, engine and browser ones. `make test`
# stays the full gate.
test-fast: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/pytest -q -x -m "not slow and not engine and not browser"

# 50m takes about half an hour with 3 runs: make bench SIZES=1m,10m,50m
SIZES ?= 1m,10m
RUNS ?= 3
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py --sizes $(SIZES) --runs $(RUNS)

# The Python API reference (docs/api.md) from the docstrings; a test keeps it current.
docs: $(STAMP)
	$(BIN)/python docs/api_reference.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
