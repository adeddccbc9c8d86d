# Everything a fresh machine (Python 3.11, pip, make) needs: `make demo`, `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-pydantic-range unasync check-unasync docs bench bench-tools clean

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

# The models' tests at both ends of the pydantic range pyproject.toml allows, in a scratch
# virtualenv (about 2 minutes): models/_lazy.py relies on how pydantic keeps a model.
test-pydantic-range:
	$(PY) scripts/pydantic_range.py

unasync: $(STAMP)
	$(BIN)/python scripts/unasync.py

check-unasync: $(STAMP)
	$(BIN)/python scripts/unasync.py --check

# The HTML docs; -W: any warning (broken reference, unparsable docstring) fails the build.
docs: $(STAMP)
	$(BIN)/pip install --quiet -e ".[docs]"
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

# The fuzz run at length (tests/test_fuzz.py; `make test` runs a short, fixed one):
# FUZZ_EXAMPLES cases per reader, a fresh seed each time.
FUZZ_EXAMPLES ?= 3000
fuzz: $(STAMP)
	XBOX_FUZZ_PROFILE=fuzz XBOX_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py

# The archiver under random faults and SIGKILLs for MINUTES, then every capture verified
# (scripts/soak.py; `make test` runs a 20-second one).
MINUTES ?= 5
soak: $(STAMP)
	$(BIN)/python scripts/soak.py --minutes $(MINUTES)

clean:
	rm -rf $(VENV) build dist *.egg-info

# Every row of the bench (bench/README.md) in one run, under 5 minutes on 2 cores: against
# raw httpx, the peers (xbox-webapi, python-xbox, in their own venv), curl and hyperfine.
bench/.venv-peers/.installed:
	$(PY) -m venv bench/.venv-peers
	bench/.venv-peers/bin/pip install --quiet xbox-webapi==2.1.0 python-xbox==0.4.0
	touch $@

# curl (row 6) and hyperfine (row 7) are Debian packages; without them the rows say so.
bench-tools:
	@command -v curl >/dev/null && command -v hyperfine >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq curl hyperfine >/dev/null; } 2>/dev/null || \
		echo "bench: could not install curl/hyperfine (apt-get); rows 6-7 will say so"

bench: $(STAMP) bench/.venv-peers/.installed bench-tools
	$(BIN)/python bench/run.py
