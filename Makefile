# Plume: `make run` serves the app on http://localhost:3000; `make run-cluster WORKERS=3` serves it from several
# backend workers on PostgreSQL + Redis; `make test` runs every check, on SQLite then on PostgreSQL + Redis.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run run-cluster serve build test install install-dev chromium postgresql redis lint typecheck contracts pytest \
	cluster-start cluster-stop clean FORCE

# The production frontend is built once and rebuilt only when a source or the public address changed, so a
# restart serves the existing build (`plume serve`) instead of recompiling the app (~10 s).
BASE_URL := $(or $(PLUME_BASE_URL),http://localhost:3000)
FRONTEND_SOURCES := $(shell find app state components assets -type f -not -name '*.pyc' -not -path '*/__pycache__/*' \
	2>/dev/null) rxconfig.py pyproject.toml
FRONTEND_BUILD := .web/build/client/index.html
BUILT_FOR := .web/.plume-base-url

# `make run-cluster`: PostgreSQL and Redis of its own on loopback, their data in .cluster/ (kept between runs).
WORKERS ?= 3
CLUSTER_DIR := $(CURDIR)/.cluster
PG_BIN = $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin)))
PG_PORT ?= 54329
REDIS_PORT ?= 63799
# PostgreSQL refuses to run as root: as root, its programs run as Debian's `postgres` account.
PG_AS := $(shell [ "$$(id -u)" = "0" ] && echo runuser -u postgres --)
CLUSTER_STOP = $(PG_AS) $(PG_BIN)/pg_ctl -D $(CLUSTER_DIR)/pg -m fast stop; \
	[ ! -f $(CLUSTER_DIR)/redis/redis.pid ] || kill $$(cat $(CLUSTER_DIR)/redis/redis.pid)
CLUSTER_ENV := DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$(PG_PORT)/plume \
	REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/0

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

run: install build
	$(BIN)/plume migrate
	$(BIN)/plume seed --if-empty
	$(BIN)/plume serve --port 3000

# Serve the existing build (a restart: no compile, no build).
serve:
	$(BIN)/plume serve --port 3000

build: install $(FRONTEND_BUILD)

$(BUILT_FOR): FORCE
	@mkdir -p .web
	@[ "$$(cat $@ 2>/dev/null)" = "$(BASE_URL)" ] || echo "$(BASE_URL)" > $@

# (A first export initialises .web/, which may drop the address noted before it: noted again, then the build.)
$(FRONTEND_BUILD): $(FRONTEND_SOURCES) $(BUILT_FOR)
	$(BIN)/reflex export --frontend-only --no-zip --env prod
	@echo "$(BASE_URL)" > $(BUILT_FOR)
	@touch $@

run-cluster: install postgresql redis build cluster-start
	trap '$(CLUSTER_STOP)' EXIT; \
	$(CLUSTER_ENV) $(BIN)/plume migrate && \
	$(CLUSTER_ENV) $(BIN)/plume seed --if-empty && \
	$(CLUSTER_ENV) $(BIN)/plume serve --port 3000 --workers $(WORKERS)

cluster-start:
	@mkdir -p $(CLUSTER_DIR)/redis
	@if [ ! -f $(CLUSTER_DIR)/pg/PG_VERSION ]; then \
		mkdir -p $(CLUSTER_DIR)/pg && { [ -z "$(PG_AS)" ] || chown postgres: $(CLUSTER_DIR)/pg; } && \
		$(PG_AS) $(PG_BIN)/initdb -D $(CLUSTER_DIR)/pg -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
			>/dev/null; fi
	$(PG_AS) $(PG_BIN)/pg_ctl -D $(CLUSTER_DIR)/pg status >/dev/null || \
		$(PG_AS) $(PG_BIN)/pg_ctl -D $(CLUSTER_DIR)/pg -w -l $(CLUSTER_DIR)/pg/server.log \
		-o "-c listen_addresses=127.0.0.1 -p $(PG_PORT) -k $(CLUSTER_DIR)/pg -c max_connections=300" start
	@$(PG_BIN)/psql -h 127.0.0.1 -p $(PG_PORT) -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'plume'" \
		| grep -q 1 || $(PG_BIN)/createdb -h 127.0.0.1 -p $(PG_PORT) -U postgres plume
	redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 || redis-server --port $(REDIS_PORT) --bind 127.0.0.1 \
		--dir $(CLUSTER_DIR)/redis --save "" --appendonly yes --daemonize yes --pidfile $(CLUSTER_DIR)/redis/redis.pid --logfile $(CLUSTER_DIR)/redis/redis.log

cluster-stop:
	$(CLUSTER_STOP)

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The second test pass runs on PostgreSQL and Redis, private servers the tests start on loopback.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq postgresql >/dev/null; }

redis:
	@command -v redis-server >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq redis-server >/dev/null; }

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

contracts:
	$(BIN)/lint-imports

# The whole suite twice: on SQLite (one backend process), then on PostgreSQL + Redis with two backend workers
# (the two-worker tests of test_cluster*.py, which run on PostgreSQL + Redis whatever the pass, once).
pytest:
	@start=$$(date +%s); $(BIN)/pytest --ignore=tests/integration/test_cluster.py \
		--ignore=tests/integration/test_cluster_reconnect.py \
		--ignore=tests/integration/test_cluster_faults.py; status=$$?; \
		echo "pytest on SQLite: $$(( $$(date +%s) - start )) s"; exit $$status
	@start=$$(date +%s); PLUME_TEST_BACKEND=cluster $(BIN)/pytest; status=$$?; \
		echo "pytest on PostgreSQL + Redis, two workers: $$(( $$(date +%s) - start )) s"; exit $$status

test: install-dev chromium postgresql redis lint typecheck contracts pytest

clean:
	rm -rf .web .states .web-test .states-test .web-test-cluster* .states-test-cluster* .cluster var plume.db plume.db-wal plume.db-shm
