# Quick start (see README.md):
#   make reproduce   set up .venv if needed, then run the embedded default pipeline (Snakemake)
#   make test        set up .venv if needed, then lint and run the test suite
#   make lock        refresh requirements.lock, the pinned and hashed environment .venv gets
PYTHON ?= python3
CORES ?= $(shell nproc 2>/dev/null || echo 2)
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export DVC_NO_ANALYTICS := 1

.PHONY: setup reproduce report dvc-repro test lint bench lock

setup: $(VENV)/.installed

# The locked versions, each checked against its hash, then the package without dependencies
# (its build backend, setuptools, is in the lock too).
$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "gaia-repro needs Python >= 3.11; run: make PYTHON=python3.11 ..."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --no-deps --no-build-isolation -e .
	@touch $@

# The newest releases pyproject.toml allows, for Linux x86_64 and Python 3.11.5+, with their
# hashes (LOCK_FLAGS: more `uv pip compile` options, e.g. `-c constraints.txt` to hold a
# package back). Then run `make test` and update environment.yml's pins to match.
UV_VERSION := 0.13.9
LOCK_FLAGS ?=
lock: setup
	@$(BIN)/python -m pip install -q uv==$(UV_VERSION)
	@sed -n '1,5p' requirements.lock > requirements.lock.tmp
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip compile pyproject.toml --extra dev \
		--python-platform x86_64-manylinux_2_28 --python-version 3.11.5 --generate-hashes \
		--no-header $(LOCK_FLAGS) >> requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock

# `snakemake --cores N all`: jobs that run networks take turns on a GPU
# where one is visible and run side by side on the CPU otherwise, and the costliest training
# job, the critical path, starts first (workflow/rules/common.smk).
reproduce: setup
	snakemake --cores $(CORES) all

# The Snakemake report of a finished run (name the target: without one, Snakemake 9.27's
# --report builds an empty graph and fails).
report: setup
	snakemake --report reports/snakemake_report.html all

dvc-repro: setup
	dvc repro

test: setup lint
	pytest

lint: setup
	ruff check .
	ruff format --check .
	snakemake --lint

bench: setup
	python benchmarks/data_generation.py
