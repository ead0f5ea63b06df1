# Caseworks: `make run` (demo server) and `make test` (the default suite) from a bare clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := DEBUG=True

.PHONY: run test test-postgres lint messages clean help

help:
	@echo "make run     set up everything and serve the demo on http://127.0.0.1:8000"
	@echo "make test    run the test suite (SQLite)"
	@echo "make lint    ruff"
	@echo "make messages  update and compile the translation catalogues (needs gettext)"

$(BIN)/.installed: pyproject.toml
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

test: $(BIN)/.installed
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .

messages: $(BIN)/.installed
	@command -v msgfmt >/dev/null 2>&1 || { echo "Missing: gettext (apt-get install gettext)"; exit 1; }
	$(DEV) $(BIN)/python manage.py makemessages --locale de --locale en --no-obsolete \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(DEV) $(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) *.egg-info
