# Plume: `make run` serves the app on http://localhost:3000; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test install install-dev chromium lint typecheck contracts pytest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

run: install
	$(BIN)/plume migrate
	$(BIN)/plume seed --if-empty
	$(BIN)/reflex run --env prod --single-port --frontend-port 3000 --backend-port 3000

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

contracts:
	$(BIN)/lint-imports

pytest:
	$(BIN)/pytest

test: install-dev chromium lint typecheck contracts pytest

clean:
	rm -rf .web .states .web-test .states-test var plume.db plume.db-wal plume.db-shm
