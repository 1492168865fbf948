# EyeClass: `make run` starts the app, `make test` runs the tests. Both create .venv/ on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint install migrate check-deploy clean vendor

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	@$(PY) manage.py migrate --noinput -v 0

run: migrate
	@$(PY) manage.py ensure_demo_teacher --school-admin
	@$(PY) manage.py serve

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install  ## the in-process tier only (tests/conftest.py says which tests are in it), on both cores
	$(PY) -m pytest -m fast -n 2 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -p no:cacheprovider tests/test_layers.py  # the runtime never imports the lab; no import circles

check-deploy: install
	EYECLASS_ENV=production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=eyeclass.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var

vendor:  ## refresh static/vendor from npm (the vendored copy is committed; run/test need no npm)
	npm install --no-save --no-audit --no-fund
	cp node_modules/chart.js/LICENSE.md static/vendor/chart.js/
	# without its source-map comment: the map is not vendored, and collectstatic's manifest refuses a missing file
	sed '/^\/\/# sourceMappingURL=/d' node_modules/chart.js/dist/chart.umd.min.js > static/vendor/chart.js/chart.umd.min.js
