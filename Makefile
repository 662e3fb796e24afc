# Every workflow of the project; `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VENV_ABS := $(abspath $(VENV))
SCHEMACTL := $(BIN)/schemactl
# `make bench-peers PATH=/path/to/migra-checkout` names the checkout with PATH=: every recipe
# (the install step included) then gets a standard search path back.
PEERS_DIR := $(if $(filter command line,$(origin PATH)),$(PATH),$(MIGRA))
ifeq ($(origin PATH),command line)
override PATH := $(VENV_ABS)/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
endif
SCHEMA_DIR ?= schema
# make diff: FROM/TO are URLs, directories or .sql files; empty FROM = migration history.
FROM ?=
TO ?= $(SCHEMA_DIR)
FORMAT ?= markdown
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install test test-fast validate diff drift apply lint generate generate-check \
        migration up status down reset maintain backup restore settings bench bench-queries bench-peers \
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

# The suite mostly waits on PostgreSQL (CREATE DATABASE, rehearsals), so it runs in TEST_JOBS
# processes (pytest-xdist) even on two cores; TEST_JOBS=0 runs it in one process.
TEST_JOBS ?= 4
test: $(SCHEMACTL) ## run the test suite in TEST_JOBS processes (real PostgreSQL: the live server if reachable, and the embedded one)
	$(BIN)/pytest $(if $(filter 0,$(TEST_JOBS)),-p no:xdist,-n $(TEST_JOBS) --dist worksteal) $(PYTEST_ARGS)

test-fast: $(SCHEMACTL) ## the tests that need no PostgreSQL server (parsing, validate rules, lint, CLI contract), in seconds
	$(BIN)/pytest -p no:xdist -m "not database" $(PYTEST_ARGS)

validate: $(SCHEMACTL) ## check schema/ offline (pglast rules)
	$(SCHEMACTL) validate --schema-dir $(SCHEMA_DIR)

# A printed plan is the answer, changes or none: exit 0. schemactl's own 1 ("changes found") is for
# scripts and CI, which call it directly; errors (2) and refusals (3) still fail.
diff: $(SCHEMACTL) ## plan FROM -> TO (default: migration history -> schema/) as Markdown
	@$(SCHEMACTL) diff $(if $(FROM),--from $(FROM),--from-history) --to $(TO) --format $(FORMAT); \
	code=$$?; if [ $$code -gt 1 ]; then exit $$code; fi

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

bench: $(SCHEMACTL) ## drift (warm and cold cache) vs raw migra for schema/ and 500/1,000/2,000-table schemas, fleet drift over 50 databases
	$(BIN)/python bench/bench_drift.py

maintain: $(SCHEMACTL) ## delete old minting-queue entries, archive old audit logs on the target (ARGS=--retention '14 days')
	$(SCHEMACTL) maintain $(ARGS)

settings: $(SCHEMACTL) ## compare the target server's settings with the recommended tuning (ARGS=--format markdown)
	$(SCHEMACTL) settings $(ARGS)

# backup / restore use the same target as schemactl: DATABASE_URL, else the seed's DB_*
# variables (handed to libpq as PG*, so the password stays in the environment and never
# appears on a command line or in the output).
BACKUP_DIR ?= backups
FILE ?=
NEW_DB ?=
define PG_TARGET
if [ -n "$${DATABASE_URL:-}" ]; then target="$$DATABASE_URL"; \
elif [ -n "$${DB_NAME:-}$${DB_HOST:-}" ]; then \
  export PGHOST="$${DB_HOST:-localhost}" PGPORT="$${DB_PORT:-5432}" PGUSER="$${DB_USER:-postgres}"; \
  if [ -n "$${DB_PASSWORD:-}" ]; then export PGPASSWORD="$$DB_PASSWORD"; fi; \
  target="$${DB_NAME:-postgres}"; \
else echo "no target database: set DATABASE_URL, or DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD" >&2; exit 2; fi; \
pgbin=$$($(BIN)/python -m schemactl.devserver client-bindir "$$target"); pgbin="$${pgbin:+$$pgbin/}"
endef
# Client tools come from the installation matching the server's major (installed binaries or
# the pgserver wheel), else from PATH: pg_dump refuses a server newer than itself.

# Backups log in as the read-only BYPASSRLS role memory_backup (BACKUP_USER; its password, if the
# server asks for one, in BACKUP_PASSWORD): the owner's members are bound by forced row-level
# security, and pg_dump refuses to dump a table whose rows a policy would filter.
BACKUP_USER ?= memory_backup
backup: $(SCHEMACTL) ## pg_dump -Fc of the target (DATABASE_URL or DB_*) as memory_backup to backups/<db>-<UTC timestamp>.dump
	@set -euo pipefail; $(PG_TARGET); \
	if [ -n "$${DATABASE_URL:-}" ]; then \
	  target=$$($(BIN)/python -c 'import sys; from schemactl.conninfo import with_user; print(with_user(*sys.argv[1:]))' "$$target" "$(BACKUP_USER)"); \
	else export PGUSER="$(BACKUP_USER)"; unset PGPASSWORD; fi; \
	if [ -n "$${BACKUP_PASSWORD:-}" ]; then export PGPASSWORD="$$BACKUP_PASSWORD"; fi; \
	db=$$("$${pgbin}psql" -X -A -t -q --dbname="$$target" -c 'SELECT current_database()'); \
	mkdir -p "$(BACKUP_DIR)"; \
	file="$(BACKUP_DIR)/$$db-$$(date -u +%Y%m%dT%H%M%SZ).dump"; \
	"$${pgbin}pg_dump" --format=custom --file="$$file.partial" --dbname="$$target"; \
	mv "$$file.partial" "$$file"; \
	echo "$$file"

# Restores log in as an administrator but run as the owner role (RESTORE_ROLE, default
# [tool.schemactl] owner-role): what the dump calls (CHECKs, defaults, index expressions) runs with
# the owner's rights. The data loads before row-level security is enabled, so FORCE does not bind it.
RESTORE_ROLE ?= $(shell $(BIN)/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["tool"]["schemactl"]["owner-role"])')
restore: $(SCHEMACTL) ## pg_restore FILE=backups/x.dump into the target as the owner role (--clean --if-exists, owners kept); NEW_DB=name: into a new database, dropped again if the restore fails
	@set -euo pipefail; $(PG_TARGET); \
	if [ -z "$(FILE)" ]; then echo "usage: make restore FILE=backups/<db>-<timestamp>.dump [NEW_DB=name]" >&2; exit 2; fi; \
	if [ ! -f "$(FILE)" ]; then echo "no such backup file: $(FILE)" >&2; exit 2; fi; \
	admin="$$target"; \
	if [ -n "$(NEW_DB)" ]; then \
	  "$${pgbin}createdb" --maintenance-db="$$admin" --owner="$(RESTORE_ROLE)" -- "$(NEW_DB)"; \
	  if [ -n "$${DATABASE_URL:-}" ]; then \
	    target=$$($(BIN)/python -c 'import sys; from schemactl.conninfo import with_dbname; print(with_dbname(*sys.argv[1:]))' "$$target" "$(NEW_DB)"); \
	  else target="$(NEW_DB)"; fi; \
	fi; \
	if ! "$${pgbin}pg_restore" --role="$(RESTORE_ROLE)" --clean --if-exists --exit-on-error --single-transaction \
	    --dbname="$$target" "$(FILE)"; then \
	  if [ -n "$(NEW_DB)" ]; then "$${pgbin}dropdb" --maintenance-db="$$admin" --if-exists --force -- "$(NEW_DB)"; fi; \
	  echo "restore of $(FILE) failed$(if $(NEW_DB), (database $(NEW_DB) dropped again),)" >&2; exit 1; \
	fi; \
	echo "restored $(FILE) into $$("$${pgbin}psql" -X -A -t -q --dbname="$$target" -c 'SELECT current_database()')"

bench-peers: $(SCHEMACTL) ## round-trip migra's fixture pairs both ways: make bench-peers PATH=/path/to/migra-checkout
	@test -n "$(PEERS_DIR)" || { echo "usage: make bench-peers PATH=/path/to/a/checkout/of/djrobstep/migra"; exit 2; }
	$(BIN)/python bench/bench_peers.py "$(PEERS_DIR)" $(ARGS)

bench-queries: $(SCHEMACTL) ## Usage Examples and monitoring views on 1M+ row tables: median/p95 ms, index use (ARGS=--scale 0.1)
	$(BIN)/python bench/bench_queries.py $(ARGS)
