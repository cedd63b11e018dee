# The README's commands. Everything a fresh machine needs is installed from here (pyproject.toml).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# The per-note core is compiled by mypyc when installed (setup.py). `install` rebuilds it when a core
# source is newer than its compiled module or a compiled module is missing (tpicode/native.py), unless
# TPICODE_PURE=1 asks for the uncompiled core.
NATIVE_OK := import sys; from tpicode.native import core_state; s = core_state(); \
	sys.exit(0 if s.compiled and not s.stale and not s.interpreted else 1)

.PHONY: install run test lint bench bench-baseline clean

install: $(STAMP)
	@[ "$$TPICODE_PURE" = "1" ] || $(BIN)/python -c '$(NATIVE_OK)' 2>/dev/null || \
		{ echo "compiling the per-note core (mypyc, about a minute)"; $(BIN)/python -m pip install --quiet -e '.[dev]'; }

$(STAMP): pyproject.toml setup.py scripts/system-deps.sh
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

# The speed the issue compares us with: a medspaCy pipeline over the same generated notes, in a venv of
# its own (medspaCy pins spaCy < 3.8 and numpy 1.26, which the project does not need).
BASE := .venv-baseline
bench-baseline: install
	[ -x $(BASE)/bin/python ] || $(PYTHON) -m venv $(BASE)
	$(BASE)/bin/python -m pip install --quiet 'medspacy==1.3.1' pyyaml
	$(BASE)/bin/python benchmarks/bench_medspacy.py
	$(BIN)/python benchmarks/bench_code.py --quick

clean:
	rm -rf $(VENV) $(BASE) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
