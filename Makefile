# Unionboard: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PLOTLY_JS := static/vendor/plotly/plotly.min.js
MO := locale/vi/LC_MESSAGES/django.mo

.PHONY: setup run test lint mutate bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# plotly.js ships inside the plotly package: served from static/vendor, never a CDN.
$(PLOTLY_JS): $(STAMP)
	mkdir -p $(dir $(PLOTLY_JS))
	$(PY) -c "import pathlib, plotly, shutil; shutil.copy(pathlib.Path(plotly.__file__).parent / 'package_data' / 'plotly.min.js', '$(PLOTLY_JS)')"

$(MO): locale/vi/LC_MESSAGES/django.po $(STAMP)
	$(PY) manage.py compilemessages --locale vi --ignore '.venv' -v 0

setup: $(STAMP) $(PLOTLY_JS) $(MO)

run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo --if-empty
	@echo
	@echo "Unionboard: http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
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
	rm -rf $(VENV) staticfiles $(PLOTLY_JS) $(MO)
