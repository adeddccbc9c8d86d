# Everything a fresh machine (Python 3.11, pip, make) needs: `make demo`, `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make demo` needs only the library, the CLI and the sandbox (`.[all]`), not the test tools
# (mypy, sphinx, playwright, ...), so a fresh clone's demo installs the runtime alone.
RUNTIME := $(VENV)/.installed-runtime

.PHONY: demo test test-pydantic-range unasync check-unasync check-install docs bench bench-tools peers clean

$(RUNTIME): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[all]"
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/pip install --quiet -e ".[all,test]"
	touch $(STAMP)

demo: $(RUNTIME)
	$(BIN)/python scripts/demo.py

test: $(STAMP) check-unasync
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/mypy
	$(BIN)/pytest -q

# The models' tests at both ends of the pydantic range pyproject.toml allows, in a scratch
# virtualenv (about 2 minutes): models/_lazy.py relies on how pydantic keeps a model.
test-pydantic-range:
	$(PY) scripts/pydantic_range.py

# `pip install .` with no extras into a fresh virtualenv: the library alone (no click, rich or
# uvicorn), and `xbox` then says how to install the command line (scripts/check_install.py).
check-install:
	rm -rf build/venv-plain
	$(PY) -m venv build/venv-plain
	build/venv-plain/bin/pip install --quiet .
	cd build && venv-plain/bin/python ../scripts/check_install.py

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
bench/.venv-peers/.installed: bench/peers-requirements.txt
	$(PY) -m venv bench/.venv-peers
	bench/.venv-peers/bin/pip install --quiet -r bench/peers-requirements.txt
	touch $@

# curl (row 6) and hyperfine (row 7) are Debian packages; without them the rows say so.
bench-tools:
	@command -v curl >/dev/null && command -v hyperfine >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq curl hyperfine >/dev/null; } 2>/dev/null || \
		echo "bench: could not install curl/hyperfine (apt-get); rows 6-7 will say so"

bench: $(STAMP) bench/.venv-peers/.installed bench-tools
	$(BIN)/python bench/run.py

# The clients people use against Xbox Live today, against the served sandbox (scripts/peers.py):
# xbox-webapi 2.1.0 and python-xbox 0.4.0, in their own venv, sign in with their own flows
# (OAuth2 through the sign-in page, refresh, XAL/SISU with every app identity they ship) and
# call every provider method, in today's era and in 2018's. A method passes when the peer
# parses the answer; the only failures allowed are scripts/peers_allowed.toml's, where Xbox
# Live fails the peer too. Prints the table; exits non-zero on anything unexpected. 20-30 s;
# building bench/.venv-peers the first time adds 15 s (warm pip cache) to a minute. CI runs it.
peers: $(STAMP) bench/.venv-peers/.installed
	$(BIN)/python scripts/peers.py
