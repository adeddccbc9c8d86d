# Everything a fresh machine (Python 3.11, pip, make) needs: `make demo`, `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test unasync check-unasync docs bench clean

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

# The HTML docs; -W: any warning (broken reference, unparsable docstring) fails the build.
docs: $(STAMP)
	$(BIN)/pip install --quiet -e ".[docs]"
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) build dist *.egg-info

# Benchmarks against raw httpx and the peers (xbox-webapi, python-xbox) in one run.
bench/.venv-peers/.installed:
	$(PY) -m venv bench/.venv-peers
	bench/.venv-peers/bin/pip install --quiet xbox-webapi==2.1.0 python-xbox==0.4.0
	touch $@

bench: $(STAMP) bench/.venv-peers/.installed
	$(BIN)/python bench/bench_client.py
