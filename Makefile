# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

# The first interpreter that actually runs and is >= 3.12. pyenv shims can exist
# and still refuse to run, so each candidate is run, not just looked up.
PYTHON_FOR_VENV := $(shell for p in python3.13 python3.12 python3; do \
	$$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 \
	&& { command -v $$p; break; }; done)

.PHONY: run worker test test-fast serve bench load vendor lint format check-migrations messages clean help

help:
	@echo "make run     serve the app on SQLite with the Islamabad data (PORT=$(PORT))"
	@echo "make worker  run the task worker (large CSV imports) beside make run"
	@echo "make test    run the whole test suite (SQLite, or DATABASE_URL)"
	@echo "make test-fast  the suite without the slow system tests (browser, restarts, fuzzing)"
	@echo "make serve   gunicorn + whitenoise, production style"
	@echo "make bench   benchmark at small and large scale on PostgreSQL (BENCH_ARGS=--quick)"
	@echo "make load    load test: 50 clients against gunicorn"
	@echo "make vendor  refresh the front-end libraries from the npm registry"

$(PY):
	@if [ -z "$(PYTHON_FOR_VENV)" ]; then \
		echo "Error: Python 3.12 or newer is needed (tried python3.13, python3.12, python3)." >&2; \
		echo "Install it, or with pyenv: pyenv install 3.13 (the .python-version file selects it)." >&2; \
		exit 1; fi
	$(PYTHON_FOR_VENV) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: $(STAMP)
	DEBUG=1 $(PY) manage.py db_worker

test: $(DEV_STAMP)
	DEBUG=1 $(PY) -m pytest $(PYTEST_ARGS)

# The quick loop while working: everything but the slow system tests, in parallel.
test-fast: $(DEV_STAMP)
	DEBUG=1 $(PY) -m pytest -m "not slow" -n auto $(PYTEST_ARGS)

# Production style: the environment must hold SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL
# (see README.md, "Running in production"). Gunicorn settings: gunicorn.conf.py.
serve: $(STAMP)
	$(PY) manage.py check --deploy --fail-level ERROR
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py ministerial.wsgi

bench: $(DEV_STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

load: $(DEV_STAMP)
	$(PY) bench/load.py $(LOAD_ARGS)

vendor:
	cd frontend && npm ci --no-audit --no-fund
	cp frontend/node_modules/@picocss/pico/css/pico.min.css recommendations/static/vendor/pico/
	cp frontend/node_modules/@picocss/pico/LICENSE.md recommendations/static/vendor/pico/
	cp frontend/node_modules/chart.js/dist/chart.umd.min.js recommendations/static/vendor/chartjs/
	cp frontend/node_modules/chart.js/LICENSE.md recommendations/static/vendor/chartjs/

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: $(STAMP)
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l ar -l zh_Hans -l fr -l ru -l es --ignore=.venv --ignore=frontend
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles
