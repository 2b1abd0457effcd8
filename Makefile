# The Met Open Data Gateway. `make help` lists the targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install serve test lint format bench bench-year bench-sparql bench-api clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the gateway with its dev tools

serve: $(STAMP) ## Build and publish the demo data if missing, then serve on 127.0.0.1:8000
	$(BIN)/gateway demo-data --if-missing
	$(BIN)/gateway publish --if-missing
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(STAMP) ## Lint, then run the whole test suite (installs Virtuoso and Chromium from Debian if missing)
	.ci/test-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP) ## ruff check
	$(BIN)/ruff check .

format: $(STAMP) ## ruff format and fix imports
	$(BIN)/ruff check --fix --select I .
	$(BIN)/ruff format .

# morph-kgc's own environment: its pins conflict with the gateway's (bench/requirements.txt).
MORPH_STAMP := bench/.venv/.installed

$(MORPH_STAMP): bench/requirements.txt
	test -x bench/.venv/bin/python || $(PYTHON) -m venv bench/.venv
	bench/.venv/bin/pip install --quiet -r bench/requirements.txt
	touch $(MORPH_STAMP)

bench: $(STAMP) $(MORPH_STAMP) ## Incremental publish of one new Met month onto 3 and 15 years, vs the month alone and morph-kgc; API and /sparql on 15 years (bench/README.md)
	$(BIN)/python bench/incremental_bench.py $(BENCH_ARGS)

bench-year: $(STAMP) $(MORPH_STAMP) ## Benchmark gateway publish on a Met-size year against morph-kgc (bench/README.md)
	$(BIN)/python bench/publish_vs_morph_kgc.py $(BENCH_ARGS)

SPARQL_DATA = $(or $(BENCH_DATA),var/bench/scale-12)

bench-sparql: $(STAMP) ## SPARQL: pyoxigraph, /sparql embedded, Virtuoso, /sparql remote (bench/README.md)
	test -f $(SPARQL_DATA)/releases/current/manifest.json || { \
		$(BIN)/gateway demo-data --data-dir $(SPARQL_DATA) --scale 12 --if-missing && \
		$(BIN)/gateway publish --data-dir $(SPARQL_DATA); }
	$(BIN)/python bench/sparql_bench.py --data-dir $(SPARQL_DATA) $(BENCH_ARGS)

bench-api: $(STAMP) ## /api/crimes-street 1-mile queries under wrk against Datasette (bench/README.md)
	command -v wrk >/dev/null || apt-get install -y --no-install-recommends wrk
	test -x bench/.venv-datasette/bin/datasette || \
		($(PYTHON) -m venv bench/.venv-datasette && bench/.venv-datasette/bin/pip install --quiet 'datasette>=0.65,<0.66')
	$(BIN)/python bench/api_vs_datasette.py $(BENCH_ARGS)

clean: ## Remove the virtual environment and the data directory
	rm -rf $(VENV) var
