# Wirehouse: `make run` and `make test` work on a fresh machine (Python 3.11 + pip): they bootstrap uv,
# build .venv from uv.lock (the spaCy model included) and then do their job. Nothing is downloaded at run time.

UV_VERSION := 0.13.8
UV := python3 -m uv
VENV := .venv
BIN := $(VENV)/bin
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup redis cluster-demo run sql test test-long fuzz lint format ui ui-check validate profile bench clean

setup: $(VENV)/.synced

# --compile-bytecode: every library's .pyc written once here, as pip does when it installs. uv leaves that to
# the first import, and where nothing may write them (PYTHONDONTWRITEBYTECODE, a read-only install) every
# process compiled the whole stack again: Dagster, spaCy, Great Expectations, in the CLI and in each parse
# worker (imports 3-4x slower: Great Expectations 8.6 s of CPU instead of 3 s; README, Performance)
$(VENV)/.synced: pyproject.toml uv.lock Makefile
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --locked --compile-bytecode
	@touch $@

run: setup  ## the whole pipeline on seeds/articles into warehouse/
	$(BIN)/wirehouse run

sql: setup  ## harlequin, a terminal SQL client, read-only on warehouse/news.duckdb (after make run)
	$(BIN)/wirehouse sql

# Debian's chromium, for the report's offline rendering test and ui-check (issue 20)
CHROMIUM_INSTALL := command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

test: setup redis  ## the test suite (without the tests marked long)
	@$(CHROMIUM_INSTALL)
	$(BIN)/pytest

test-long: setup  ## only the long tests: load and faults at full size (20,000 files, ...)
	$(BIN)/pytest -m long

FUZZ_SECONDS ?= 300
fuzz: setup  ## fuzz the cleaning and quote functions for FUZZ_SECONDS (default 300) with hypothesis
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python .ci/fuzz.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python .ci/copy_check.py

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

validate: setup  ## Dagster loads every definition
	$(BIN)/dagster definitions validate

ui: setup  ## the Dagster UI on http://127.0.0.1:3000 (instance in .dagster_home: one writer at a time)
	@mkdir -p $(DAGSTER_HOME)
	@test -f $(DAGSTER_HOME)/dagster.yaml || $(BIN)/python -c "import pipeline.ui as ui, sys; sys.stdout.write(ui.INSTANCE_CONFIG)" > $(DAGSTER_HOME)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -h 127.0.0.1 -p 3000

ui-check: setup  ## start the UI, check it over GraphQL, save screenshots of the asset graph and the dataset report in ui-check/
	@$(CHROMIUM_INSTALL)
	$(BIN)/python .ci/ui_check.py --out ui-check

redis:  ## Debian's redis-server, the Celery broker of the cluster demo and its test (installed as root if missing)
	@command -v redis-server >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server)

PARTITIONS ?= 6
cluster-demo: setup redis  ## INPUT=DIR WAREHOUSE=DIR PARTITIONS=N: one backfill over Redis, S3 (moto) and 2 Celery workers
	@test -n "$(INPUT)" -a -n "$(WAREHOUSE)" || (echo "usage: make cluster-demo INPUT=DIR WAREHOUSE=DIR PARTITIONS=N" >&2; exit 2)
	$(BIN)/python .ci/cluster_demo.py --input "$(INPUT)" --warehouse "$(WAREHOUSE)" --partitions $(PARTITIONS)

clean:  ## remove outputs (the published warehouse included)
	rm -rf warehouse/news.duckdb* warehouse/.news.duckdb* warehouse/exports warehouse/handoff warehouse/staging \
		warehouse/cache warehouse/landing warehouse/reports .dagster_home ui-check profile

profile: setup  ## one `wirehouse run` on ../shared/corpora/bbc under py-spy: CPU per step and inside the parse
	$(BIN)/python .ci/profile_run.py --out profile

bench: setup  ## the pipeline (defaults, and per BENCH_PROCESSES="1 2") against bare spaCy on ../shared/corpora/bbc, peak tree RSS, unchanged re-run (1x and 10x; BENCH_SCALES="1" for 1x only)
	$(BIN)/python .ci/bench.py
