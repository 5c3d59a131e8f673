# Two commands for a fresh machine: `make demo` (the whole pipeline on sample_exports/) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench samples schema clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,spark]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chatgraph demo --output out/

test: $(STAMP)
	$(BIN)/ruff check chatgraph tests bench
	$(BIN)/ruff format --check chatgraph tests bench
	$(BIN)/python -m pytest

samples: $(STAMP)
	$(BIN)/python -m chatgraph.simulate --output sample_exports/

schema: $(STAMP)
	$(BIN)/chatgraph schema --output docs/schema.md

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[test,spark,bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) out bench/work
