# Unionboard: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# The pages draw bars and lines only: plotly.js's basic bundle (a quarter of the full one),
# at the version inside the plotly package the figures are built with.
PLOTLY_JS_PACKAGE := plotly.js-basic-dist-min
PLOTLY_JS_VERSION := 4.1.1
PLOTLY_JS := static/vendor/plotly/plotly-basic.min.js
MO := locale/vi/LC_MESSAGES/django.mo

# The suite runs on every core (pytest-xdist); PYTEST_ARGS=-n0 runs it in one process.
PYTEST_ARGS ?= -n auto
# make run PORT=8010 serves elsewhere.
PORT ?= 8000

.PHONY: setup run test lint mutate bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# plotly.js is fetched with npm at build time and served from static/vendor, never a CDN.
$(PLOTLY_JS):
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch $(PLOTLY_JS_PACKAGE) (apt-get install -y npm)" >&2; exit 1; }
	mkdir -p $(dir $(PLOTLY_JS))
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  npm pack --silent --pack-destination "$$tmp" $(PLOTLY_JS_PACKAGE)@$(PLOTLY_JS_VERSION) >/dev/null && \
	  tar -xzf "$$tmp"/$(PLOTLY_JS_PACKAGE)-$(PLOTLY_JS_VERSION).tgz -C "$$tmp" && \
	  cp "$$tmp"/package/LICENSE $(dir $(PLOTLY_JS))LICENSE && \
	  cp "$$tmp"/package/plotly-basic.min.js $(PLOTLY_JS)

$(MO): locale/vi/LC_MESSAGES/django.po $(STAMP)
	$(PY) manage.py compilemessages --locale vi --ignore '.venv' -v 0

setup: $(STAMP) $(PLOTLY_JS) $(MO)

run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo --if-empty
	@echo
	@echo "Unionboard: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	DATABASE_URL=sqlite:////tmp/unionboard-makemigrations.sqlite3 $(PY) manage.py makemigrations --check --dry-run

# Mutation testing of the figures and the import's row checks (scripts/mutate.py, docs/testing.md):
# one worker, a few minutes on an idle machine (docs/testing.md has the last score). MUTANTS='glob ...' runs only those.
mutate: setup
	$(PY) scripts/mutate.py $(MUTANTS)

bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

# PNGs of the main pages (Vietnamese; desktop and phone) into docs/screenshots/, for the README.
screenshots: setup
	$(PY) docs/screenshots/take.py

clean:
	rm -rf $(VENV) staticfiles $(dir $(PLOTLY_JS)) $(MO)
