# Every workflow of the project; `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SCHEMACTL := $(BIN)/schemactl
SCHEMA_DIR ?= schema
# make diff: FROM/TO are URLs, directories or .sql files; empty FROM = migration history.
FROM ?=
TO ?= $(SCHEMA_DIR)
FORMAT ?= markdown
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install test validate diff drift apply lint generate generate-check \
        migration up status down reset maintain backup restore settings bench bench-queries \
        dev-server-stop clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python ## create .venv and install the tool with its pinned dependencies
	$(BIN)/pip install --quiet -e '.[dev]'

$(SCHEMACTL): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(SCHEMACTL)

test: $(SCHEMACTL) ## run the test suite (real PostgreSQL: the live server if reachable, and the embedded one)
	$(BIN)/pytest $(PYTEST_ARGS)

validate: $(SCHEMACTL) ## check schema/ offline (pglast rules)
	$(SCHEMACTL) validate --schema-dir $(SCHEMA_DIR)

diff: $(SCHEMACTL) ## plan FROM -> TO (default: migration history -> schema/) as Markdown
	$(SCHEMACTL) diff $(if $(FROM),--from $(FROM),--from-history) --to $(TO) --format $(FORMAT)

drift: $(SCHEMACTL) ## compare the target (DATABASE_URL or DB_*) with schema/
	$(SCHEMACTL) drift --schema-dir $(SCHEMA_DIR)

apply: $(SCHEMACTL) ## bring the target to schema/ (ARGS=--dry-run to print only)
	$(SCHEMACTL) apply $(ARGS)

lint: $(SCHEMACTL) ## sqlfluff over schema/, squawk over generated/migrations/
	$(SCHEMACTL) lint

generate: $(SCHEMACTL) ## refresh generated/
	$(SCHEMACTL) generate

generate-check: $(SCHEMACTL) ## fail when generated/ is stale
	$(SCHEMACTL) generate --check

migration: $(SCHEMACTL) ## write the next migration: make migration NAME=add_x
	$(SCHEMACTL) migrate new $(NAME) $(ARGS)

up: $(SCHEMACTL) ## apply pending migrations to the target
	$(SCHEMACTL) migrate up

status: $(SCHEMACTL) ## applied / pending / changed migrations on the target
	$(SCHEMACTL) migrate status

down: $(SCHEMACTL) ## roll back newest-first through NAME
	$(SCHEMACTL) migrate down $(NAME)

reset: $(SCHEMACTL) ## roll back everything (needs ARGS=--yes)
	$(SCHEMACTL) migrate reset $(ARGS)

dev-server-stop: $(SCHEMACTL) ## stop the embedded dev server
	$(SCHEMACTL) dev-server stop

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) build *.egg-info tools/*.egg-info

bench: $(SCHEMACTL) ## drift vs raw migra timings (this schema and a generated 500-table one)
	$(BIN)/python bench/bench_drift.py
