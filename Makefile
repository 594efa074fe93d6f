# riskbook — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYS_STAMP := .cache/.system-packages

# Report options: make quarterly-report QUARTER=2026Q2 UNITS="east south" LANG=zh JOBS=2
QUARTER ?=
UNITS ?=
JOBS ?=
# LANG is also the locale variable: take it as the report language only when given on the command line.
ifeq ($(origin LANG),command line)
  REPORT_LANG := $(if $(filter zh%,$(LANG)),zh,$(if $(filter en%,$(LANG)),en,$(LANG)))
else
  REPORT_LANG :=
endif
RUN_ENV := env LANG=C.UTF-8 LC_ALL=C.UTF-8
RUN_ARGS := $(if $(QUARTER),--period $(QUARTER)) $(if $(UNITS),--unit $(UNITS)) \
            $(if $(REPORT_LANG),--lang $(REPORT_LANG)) $(if $(JOBS),--jobs $(JOBS))

.PHONY: help setup system bytecode quarterly-report test test-fast lint format lab bench clean

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(SYS_STAMP): scripts/system-packages.sh
	@bash scripts/system-packages.sh
	@mkdir -p $(dir $@) && touch $@

system: $(SYS_STAMP) ## install the system packages (fonts, PDF libraries, poppler) with apt-get

$(STAMP): pyproject.toml $(SYS_STAMP)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

setup: $(STAMP) bytecode ## create .venv with riskbook installed editable (and system packages)

# riskbook's bytecode, written once: every process of a run (the runner, each worker and kernel) then
# loads it instead of compiling ~150 modules (0.1-0.2 s each) when Python may not write it itself
# (PYTHONDONTWRITEBYTECODE, as many containers set). Up to date, this takes a tenth of a second.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q lib

quarterly-report: $(STAMP) bytecode ## build the pack: [QUARTER=2026Q3] [UNITS="east west"] [LANG=en|zh] [JOBS=n]
	$(RUN_ENV) $(BIN)/riskbook run $(RUN_ARGS)

test: $(STAMP) bytecode ## run the whole test suite
	$(RUN_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) bytecode ## the unit tests only (no pack is built), in under a minute
	$(RUN_ENV) $(BIN)/python -m pytest -m "not slow" -q $(PYTEST_ARGS)

lint: $(STAMP) ## ruff: lint and check the formatting of lib/, tests/ and bench/
	$(BIN)/ruff check lib tests bench
	$(BIN)/ruff format --check lib tests bench

format: $(STAMP) ## ruff: fix what can be fixed and format lib/, tests/ and bench/
	$(BIN)/ruff check --fix lib tests bench
	$(BIN)/ruff format lib tests bench

lab: $(STAMP) bytecode ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP) bytecode ## run the benchmarks (ingest, the pack, riskbook watch, scale: bench/README.md) and print ratios against their baselines
	$(RUN_ENV) $(BIN)/python bench/run.py
	$(RUN_ENV) $(BIN)/python bench/pack.py
	$(RUN_ENV) $(BIN)/python bench/watch.py
	$(RUN_ENV) $(BIN)/python bench/scale.py

clean: ## remove generated outputs and caches (keeps .venv)
	rm -rf outputs/*/ outputs/.staging-* .cache .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
