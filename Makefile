# onefs.dr -- developer and CI entry points.  Every target sets up what it needs itself.
#
#   make demo    run the demo against a simulator it starts and stops
#   make test    every check: ruff, ansible-lint, ansible-test sanity, unit, integration, ...
#
# Variables: VENV (default .venv), PYTHON (interpreter used to create the venv),
# SANITY_ARGS (extra ansible-test sanity options), PYTEST_ARGS, PYTEST_TIMEOUT.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT            := $(CURDIR)
VENV            ?= .venv
BIN             := $(ROOT)/$(VENV)/bin
COLLECTIONS_DIR := $(ROOT)/.build/collections
COLLECTION_LINK := $(COLLECTIONS_DIR)/ansible_collections/onefs/dr
PYTEST_TIMEOUT  ?= 900
PYTEST_ARGS     ?=

# Tools come from the venv; the collection is found through the .build/collections link.
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_DIR)
export ANSIBLE_FORCE_COLOR := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export VENV

# Directories that exist right now (others are being added over time).
RUFF_PATHS        = $(wildcard plugins tests simulator scripts benchmarks extensions)
# Every pytest suite under tests/ except the unit tests: integration, simulator, faults, contract, ...
INTEGRATION_PATHS = $(filter-out tests/unit tests/sanity tests/output,$(patsubst %/,%,$(wildcard tests/*/)))
PYTEST            = $(BIN)/python -m pytest --ansible-unit-inject-only -p no:cacheprovider \
                    --timeout=$(PYTEST_TIMEOUT) $(PYTEST_ARGS)
# The integration suites wait on simulated share stores and SyncIQ jobs much of the time:
# a few xdist workers overlap those waits (every test has its own simulator, limiter and
# state directory, so they are independent).  PYTEST_WORKERS=0 runs them in one process.
# tests/conftest.py orders the tests longest first and groups the tests that share a
# module-scoped fixture; --dist loadgroup hands out one test (or group) at a time, at most three
# waiting per worker, in that order (--no-loadscope-reorder: a group goes where its first test
# is).  The default `load` gives each worker a quarter of its share of consecutive tests up
# front, so one worker would get all the long ones, and splits a shared fixture's tests.
PYTEST_WORKERS    ?= 3
PYTEST_XDIST      = -n $(PYTEST_WORKERS) $(if $(filter-out 0,$(PYTEST_WORKERS)),--dist loadgroup --no-loadscope-reorder)

# Stages of `make test`, in order.  molecule is the hook for role scenarios.
TEST_STAGES ?= lint sanity unit integration molecule build-check conventions

.PHONY: help venv collection system-deps lint ruff ansible-lint sanity unit integration molecule \
        test demo bench bench-capture rehearse build build-check conventions role-readmes clean distclean

help:
	@echo "make demo         run the demo against a simulator started and stopped for it"
	@echo "make test         every check ($(TEST_STAGES)); non-zero exit on any failure"
	@echo "make venv         create/refresh $(VENV) (python 3.11) with requirements-test.txt + simulator"
	@echo "make collection   link the repo as $(COLLECTION_LINK)"
	@echo "make lint | sanity | unit | integration | molecule | build | bench | clean | distclean"
	@echo "make conventions  role READMEs, changelog fragments, antsibull-docs lint, galaxy-importer on the tarball"
	@echo "make role-readmes regenerate roles/*/README.md from their meta/argument_specs.yml"

venv:
	@scripts/venv.sh

collection:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(ROOT) $(COLLECTION_LINK)

# Both linters run even when the first one fails.
lint: venv collection
	@rc=0; $(MAKE) ruff || rc=1; $(MAKE) ansible-lint || rc=1; exit $$rc

ruff: venv
	$(BIN)/ruff check $(RUFF_PATHS)

# Without ANSIBLE_COLLECTIONS_PATH ansible-lint stays "isolated": it installs this collection
# into ./.ansible/ (ignored) instead of ~/.ansible/collections, where a stale copy would linger;
# ANSIBLE_HOME keeps it from reading a copy some other tool left in ~/.ansible/collections.
ansible-lint: venv
	env -u ANSIBLE_COLLECTIONS_PATH ANSIBLE_HOME=$(ROOT)/.ansible $(BIN)/ansible-lint --profile production

sanity: venv
	@scripts/sanity.sh

unit: venv collection
	$(PYTEST) tests/unit

# pytest exits 5 when it collects nothing; until tests land here that is not a failure, and
# pytest is not started at all so the last test summary printed stays a real one.
integration: venv collection
	@if [ -z "$$(find $(INTEGRATION_PATHS) /dev/null -name 'test_*.py' -print -quit 2>/dev/null)" ]; then \
	  echo "integration: no tests in $(or $(INTEGRATION_PATHS),tests/*/) yet"; \
	else \
	  echo "$(PYTEST) $(PYTEST_XDIST) $(INTEGRATION_PATHS)"; \
	  $(PYTEST) $(PYTEST_XDIST) --durations=25 $(INTEGRATION_PATHS); \
	fi

molecule: venv collection
	@scripts/molecule.sh

build: venv
	@mkdir -p .build/dist
	$(BIN)/ansible-galaxy collection build --force --output-path .build/dist

build-check: build
	@scripts/check_build.sh .build/dist/onefs-dr-*.tar.gz

# What a published collection's users' tooling checks: role READMEs, changelog, docs, Galaxy import.
conventions: build collection
	@scripts/conventions.sh .build/dist/onefs-dr-*.tar.gz

# Debian packages that some tests start for real (BIND, Chromium); a no-op once installed.
system-deps:
	@scripts/system_deps.sh

role-readmes: venv
	$(BIN)/python scripts/role_readmes.py

# Runs every stage even after one fails, prints a timing table, exits non-zero on any failure.
test: venv collection system-deps
	@scripts/run_stages.sh $(TEST_STAGES)

demo: venv collection
	@scripts/demo.sh

bench: venv collection
	@if [ -x scripts/bench.sh ]; then scripts/bench.sh; else echo "bench: no scripts/bench.sh yet"; fi

# Digital twin (issue 19): capture time of a 5,000-share pair (one JSON line), and a rehearsal
# of readiness -> failover -> failback on a captured twin (docs/rehearsal.md).
bench-capture: venv collection
	$(BIN)/python benchmarks/bench_capture.py $(BENCH_CAPTURE_ARGS)

rehearse: venv collection
	@scripts/rehearse.sh

clean:
	rm -rf .build tests/output collections reports/demo-* .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
