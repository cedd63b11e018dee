# The README's commands. Everything a fresh machine needs is installed from here (pyproject.toml).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# The per-note core is compiled by mypyc when installed (setup.py): a change to it means a rebuild.
CORE   := $(wildcard src/tpicode/read/*.py src/tpicode/checks/*.py) src/tpicode/code.py src/tpicode/pipeline.py

.PHONY: install run test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml setup.py scripts/system-deps.sh $(CORE)
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The main job: code the bundled example notes into the default store (SQLite in the user data
# directory; TPICODE_DATABASE_URL or --db for another) and print the human summary.
run: install
	$(BIN)/tpicode code src/tpicode/examples/examples.jsonl --format text --store

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_code.py
	$(BIN)/python benchmarks/bench_store.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
