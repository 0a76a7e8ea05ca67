# One entry point for everything a developer or CI does. `make test` is exactly what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON313 := $(shell scripts/find-python313)
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
# sam build needs python3.13 on PATH (the venv has one); SAM CLI needs a region and no telemetry.
SAM_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" AWS_DEFAULT_REGION=eu-west-1 SAM_CLI_TELEMETRY=0 \
	AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local

.PHONY: help install run test lint typecheck unit openapi sam-validate sam-build bench clean

help:
	@echo "make run    - serve the API locally on http://127.0.0.1:3000 (embedded AWS, no Docker)"
	@echo "make test   - lint, type-check, tests, sam validate --lint, sam build (what CI runs)"
	@echo "make bench  - requests per operation, latency and cold-start ratios"
	@echo "make openapi - regenerate functions/openapi/openapi.json from the handlers"

$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is required (see README)"; exit 1; }
	test -x $(PY) || $(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is required (see README)"; exit 1; }
	test -x $(SAM_VENV)/bin/python || $(PYTHON313) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	touch $@

install: $(VENV)/.installed $(SAM_VENV)/.installed

run: $(VENV)/.installed
	$(PY) -m devstack

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

unit: $(VENV)/.installed
	$(VENV)/bin/pytest

openapi: $(VENV)/.installed
	$(PY) -m devstack.openapi

sam-validate: $(SAM_VENV)/.installed
	$(SAM_ENV) $(SAM) validate --lint

sam-build: $(VENV)/.installed $(SAM_VENV)/.installed
	$(SAM_ENV) $(SAM) build

test: lint typecheck unit sam-validate sam-build

bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
