# Two commands set everything up on a fresh machine with Python 3.11+:
#   make run   virtualenv, install, database, demo data, server and scheduler at http://127.0.0.1:5000
#   make test  virtualenv, install, the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
# the suite runs on every core (pytest-xdist); PYTEST_ARGS="-p no:xdist -k …" runs part of it in one process
PYTEST_ARGS ?= -n auto

.PHONY: run test install bench score clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/tracker init --demo
	$(BIN)/tracker serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

score: $(STAMP)
	$(BIN)/python ../shared/tools/score_extraction.py $(BIN)/tracker ../shared/examples/letters
	$(BIN)/python ../shared/tools/score_extraction.py $(BIN)/tracker ../shared/examples/tasks-only --min-header 0
	$(BIN)/python ../shared/tools/score_extraction.py $(BIN)/tracker tests/data/letters
	$(BIN)/python ../shared/tools/score_extraction.py $(BIN)/tracker tests/data/heldout
	$(BIN)/python ../shared/tools/score_extraction.py $(BIN)/tracker tests/data/heldout4
	$(BIN)/python ../shared/tools/score_extraction.py $(BIN)/tracker tests/data/heldout5

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
