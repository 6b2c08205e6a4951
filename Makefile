# One entry point for humans and CI. Everything installs into .venv from the package registries.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .cache/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
DEMO_LOG := .cache/demo/arserver-demo.log  # generated, realistic, with every anomaly kind

.PHONY: help setup run demo test test-fast lint fmt typecheck bench proto clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# remedyiq_arlog is installed as a compiled wheel (mypyc), not editable: a source change rebuilds it.
# --compile-bytecode: installed packages ship their .pyc, so no process compiles them again on
# import (where PYTHONDONTWRITEBYTECODE is set, every one would: `remedyiq analyze` of a small
# log took 5.1 s instead of 2.1 s, most of it compiling pandas, pyarrow… on each start)
ARLOG_SOURCES := $(shell find libs/arlog/src -name '*.py')

$(BIN)/remedyiq: $(UV) uv.lock pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml) $(ARLOG_SOURCES)
	$(UV) sync --frozen --all-packages --compile-bytecode --python $(PYTHON)
	@touch $@

setup: $(BIN)/remedyiq  ## create .venv with every package and tool (pinned by uv.lock)

$(DEMO_LOG): | $(BIN)/remedyiq
	@mkdir -p $(dir $@)
	$(BIN)/python -m remedyiq_arlog.generator -o $@ --size 20MB --seed 7 --anomalies all -q

run: setup $(DEMO_LOG)  ## start the whole platform locally (servers, migrations, services); Ctrl-C stops it
	$(BIN)/remedyiq up

demo: setup $(DEMO_LOG)  ## analyse the demo log on this machine alone and print the report
	$(BIN)/remedyiq analyze $(DEMO_LOG)

test: setup  ## the whole test suite (what CI runs)
	$(BIN)/pytest -q

test-fast: setup  ## unit tests only (no servers, no slow end-to-end tests)
	$(BIN)/pytest -q -m "not slow" tests/arlog tests/analysis

lint: setup  ## ruff (lint + format check) and strict mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: setup  ## format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

proto: setup  ## export the message contracts to proto/ (JSON Schema + AsyncAPI); CI fails when stale
	$(BIN)/python -m remedyiq_platform.contracts.export --out proto

bench: setup  ## benchmarks (not part of test): parser, analyze vs the reference, pipeline, gateway latencies
	$(BIN)/python -m bench.run

clean:  ## remove the environment and caches
	rm -rf $(VENV) .cache .mypy_cache .ruff_cache .pytest_cache demo-report.html
