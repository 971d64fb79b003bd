# Casework: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
export CASEWORK_INSTANCE_DIR ?= $(CURDIR)/instance

.PHONY: federation-demo run test lint typecheck pytest install setup-dev translations compile-translations clean help \
	security security-tools

help:
	@echo "make run   - set up (virtualenv, database, keys, demo data) and serve on 127.0.0.1:$(PORT)"
	@echo "make test  - ruff, mypy and the whole pytest suite"
	@echo "make federation-demo - three installations on loopback: trust ceremony, messages"

federation-demo: $(STAMP) compile-translations
	$(BIN)/python -m casework.devdata.federation_demo

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Development keys and database under instance/ (never committed; see .gitignore).
setup-dev: $(STAMP) compile-translations
	@mkdir -p $(CASEWORK_INSTANCE_DIR)
	@chmod 700 $(CASEWORK_INSTANCE_DIR)
	@test -f $(CASEWORK_INSTANCE_DIR)/secret_key || \
	  (umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" \
	   > $(CASEWORK_INSTANCE_DIR)/secret_key && echo "Created a development secret key.")
	@test -f $(CASEWORK_INSTANCE_DIR)/keys.json || $(FLASK) keys generate
	$(FLASK) db upgrade
	$(FLASK) demo

run: setup-dev
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite on PYTEST_WORKERS processes (pytest-xdist; decision 0051): each worker has its own
# test databases and Redis database (tests/workers.py). PYTEST_WORKERS=0 runs it in this
# process; one test alone: `.venv/bin/pytest tests/cases/test_register.py -k name`.
PYTEST_WORKERS ?= 2
pytest: $(STAMP) compile-translations
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: lint typecheck pytest

# Attack tools, pinned, each in a virtualenv of its own (wapiti3 3.2.3 is the last release
# that runs on Python 3.11; its dependencies must not meet the application's).
TOOLS := build/tools
SQLMAP_VERSION := 1.10.10
WAPITI_VERSION := 3.2.3

$(TOOLS)/sqlmap/.installed:
	$(PYTHON) -m venv $(TOOLS)/sqlmap
	$(TOOLS)/sqlmap/bin/pip install --quiet sqlmap==$(SQLMAP_VERSION)
	touch $@

$(TOOLS)/wapiti/.installed:
	$(PYTHON) -m venv $(TOOLS)/wapiti
	$(TOOLS)/wapiti/bin/pip install --quiet wapiti3==$(WAPITI_VERSION)
	touch $@

security-tools: $(TOOLS)/sqlmap/.installed $(TOOLS)/wapiti/.installed

# sqlmap and wapiti against the running app, signed in as each role in SECURITY_ROLES;
# fails on any finding. SECURITY_DATABASE_URL (a *_security database) runs it on PostgreSQL.
# SECURITY_BUDGET: seconds per scanner and role (CI keeps the whole scan near six minutes);
# wapiti stops itself at it. sqlmap gets a deadline (SECURITY_SQLMAP_BUDGET) and stops when it
# has tested everything: an unfinished sqlmap scan counts as a finding, so the deadline is
# generous for a busy machine.
SECURITY_ROLES ?= caseworker,admin
SECURITY_BUDGET ?= 100
SECURITY_SQLMAP_BUDGET ?= 360
security: $(STAMP) compile-translations security-tools
	$(BIN)/python tools/security_scan.py --roles $(SECURITY_ROLES) --budget $(SECURITY_BUDGET) \
	  --sqlmap-budget $(SECURITY_SQLMAP_BUDGET)

# Re-extract the strings to translate and merge them into every catalogue.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  -o casework/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i casework/translations/messages.pot -d casework/translations

compile-translations: $(STAMP)
	@$(BIN)/pybabel compile -d casework/translations >/dev/null

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
