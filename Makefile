# Caseworks: `make run` (demo server) and `make test` (the default suite) from a bare clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := DEBUG=True

.PHONY: run test test-e2e bench bench-pages bench-scale lint messages clean help

help:
	@echo "make run     set up everything and serve the demo on http://127.0.0.1:8000"
	@echo "make test    run the test suite (SQLite)"
	@echo "make test-e2e  browser tests in Chromium (journeys, axe-core, language); screenshots in var/e2e/"
	@echo "make bench   benchmarks on a 20,000-person city data set (not part of make test)"
	@echo "make bench-pages  only the pages against the floor page (issue 37); bench-scale: 2k/20k/50k"
	@echo "make loadtest  30 users on gunicorn for 120 s: fails on 500s and lost writes (SQLite or DATABASE_URL)"
	@echo "             LOADTEST_SIDE=import,disclosure: meanwhile a 5,000-row import, an Art. 15 PDF and ZIP"
	@echo "             hostile files refused: .venv/bin/python -m tests.bench.bombs (README, Performance)"
	@echo "make lint    ruff check and format, import-linter (dependency graph), mypy"
	@echo "make messages  update and compile the translation catalogues (needs gettext)"

# WeasyPrint (referral letters) needs Pango from the system, and HarfBuzz's subsetter to embed
# only the glyphs a letter uses (without it, fontTools does the same several times slower).
PANGO_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
NODE_PACKAGES := nodejs npm

.PHONY: sysdeps
sysdeps:
	@if ! $(PYTHON) -c 'import ctypes.util as u, sys; sys.exit(not all(map(u.find_library, ("pango-1.0", "pangoft2-1.0", "harfbuzz-subset"))))'; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Pango for PDF letters: $(PANGO_PACKAGES)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PANGO_PACKAGES) >/dev/null; \
	  else \
	    echo "Missing: Pango for PDF letters. On Debian/Ubuntu: sudo apt-get install $(PANGO_PACKAGES)"; exit 1; \
	  fi; \
	fi
	@# Node.js runs the real OpenID provider of the directory sign-in tests (tests/oidc).
	@if ! command -v npm >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Node.js for the directory sign-in tests: $(NODE_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(NODE_PACKAGES) >/dev/null; \
	fi

$(BIN)/.installed: pyproject.toml | sysdeps
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "Missing: Python 3.11 or newer ($(PYTHON)). On Debian/Ubuntu: apt-get install python3 python3-venv"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "Missing: Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version). Set PYTHON=python3.11"; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "Missing: the venv module with pip. On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

run: $(BIN)/.installed
	$(DEV) $(BIN)/python manage.py migrate --verbosity 0
	$(DEV) $(BIN)/python manage.py seed_demo --if-empty
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# ARGS: more options for pytest (`make test ARGS="-m 'not slow'"`).
test: $(BIN)/.installed
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  echo "Missing: Node.js 20.19 or newer with npm (the directory sign-in tests start a real OpenID provider). On Debian/Ubuntu: sudo apt-get install $(NODE_PACKAGES)"; exit 1; }
	$(BIN)/pytest $(ARGS)

# Browser tests: Playwright driving Debian's Chromium (CASEWORKS_CHROMIUM to use another).
CHROMIUM ?= $(or $(CASEWORKS_CHROMIUM),/usr/bin/chromium)
test-e2e: $(BIN)/.installed
	@test -x "$(CHROMIUM)" || { echo "Missing: Chromium at $(CHROMIUM). On Debian: apt-get install chromium"; exit 1; }
	CASEWORKS_CHROMIUM=$(CHROMIUM) $(BIN)/pytest tests/e2e -o addopts="-p no:cacheprovider" $(ARGS)

# Benchmarks (not part of `make test`) on a city-sized data set (CASEWORKS_BENCH_CLIENTS,
# default 20000; built once into var/bench/, or into the database DATABASE_URL names).
# Prints one table: operation, median, queries, ratio to its baseline, goal.
bench: $(BIN)/.installed
	$(BIN)/pytest tests/bench -o addopts="-p no:cacheprovider" -q

# The pages against the floor page, timed alternately (tests/bench/test_pages.py); and the
# same on cities of CASEWORKS_BENCH_SCALE persons (default 2000,20000,50000), each page's
# growth between the two largest (tests/bench/scale.py; PostgreSQL: a database per size).
bench-pages: $(BIN)/.installed
	$(BIN)/pytest tests/bench/test_pages.py -o addopts="-p no:cacheprovider" -q

bench-scale: $(BIN)/.installed
	$(BIN)/python -m tests.bench.scale

# Load test (not part of `make test`): a fresh house (seed_demo, LOADTEST_CLIENTS=400) in
# var/loadtest/ or in the local *loadtest* PostgreSQL database DATABASE_URL names, gunicorn
# with LOADTEST_WORKERS=4 on 127.0.0.1, LOADTEST_USERS=30 for LOADTEST_SECONDS=120.
# Prints one table; fails on any response >= 500 and on lost writes. LOADTEST_SIDE=import,disclosure
# adds side jobs while the users work (a 5,000-row import, a disclosure PDF and documents ZIP).
.PHONY: loadtest
loadtest: $(BIN)/.installed
	$(BIN)/python tests/load/loadtest.py

# ruff (lint and format), the dependency graph (import-linter, pyproject.toml) and types (mypy).
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

messages: $(BIN)/.installed
	@command -v msgfmt >/dev/null 2>&1 || { echo "Missing: gettext (apt-get install gettext)"; exit 1; }
	$(DEV) $(BIN)/python manage.py makemessages --locale de --locale en --no-obsolete \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(DEV) $(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) *.egg-info
