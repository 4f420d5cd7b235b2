# Quick start (see README.md):
#   make reproduce   set up .venv if needed, then run the embedded default pipeline (Snakemake)
#   make test        set up .venv if needed, then lint and run the test suite
PYTHON ?= python3
CORES ?= $(shell nproc 2>/dev/null || echo 2)
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export DVC_NO_ANALYTICS := 1

.PHONY: setup reproduce report dvc-repro test lint bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "gaia-repro needs Python >= 3.11; run: make PYTHON=python3.11 ..."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $@

# Exactly the mission's `snakemake --cores N all`: jobs that run networks take turns on a GPU
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
