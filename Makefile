# Everything a fresh machine (Python 3.11, pip, make) needs: `make demo`, `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unasync check-unasync docs bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(STAMP) check-unasync
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/mypy
	$(BIN)/pytest -q

unasync: $(STAMP)
	$(BIN)/python scripts/unasync.py

check-unasync: $(STAMP)
	$(BIN)/python scripts/unasync.py --check

clean:
	rm -rf $(VENV) build dist *.egg-info
