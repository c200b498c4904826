"""What the multiprocess executor's forkserver imports once (see `pipeline.assembly.PRELOAD_MODULES`):
the definitions, the spaCy model and Great Expectations. Each step process is forked from it."""

import importlib

import pipeline.definitions  # noqa: F401  (the assets, Dagster, Polars, DuckDB)
from pipeline.nlp.model import load_model

load_model()
importlib.import_module("great_expectations")
