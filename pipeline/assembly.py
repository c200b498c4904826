"""Assembles the Dagster definitions for given settings; the logic lives in the modules it imports."""

from __future__ import annotations

import dagster as dg

from pipeline.assets.cleaning import clean, line_candidates, line_statistics
from pipeline.assets.ingest import current_inputs, landing_batch, read_inputs
from pipeline.assets.nlp import parse, resolve_entities
from pipeline.assets.publish import parquet_exports, staged_batch_asset, warehouse
from pipeline.assets.report import dataset_report  # the dataset report (issue 20)
from pipeline.assets.sql_models import sql_model_assets
from pipeline.automation import LANDING_JOB, daily_republish, input_folder_sensor
from pipeline.io_manager import PolarsParquetIOManager
from pipeline.landing import landing_dir
from pipeline.quality.suites import load_suites
from pipeline.resources import WirehouseConfig
from pipeline.settings import Settings
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.sql_models import discover_models

RUN_JOB = "wirehouse_run"
# Imported once by the multiprocess executor's forkserver: each step is a fork of a process that holds
# them (and the spaCy model), instead of a new interpreter importing the whole stack.
PRELOAD_MODULES = ["pipeline.assets.preload"]
PER_BATCH_ASSETS = (landing_batch, read_inputs, line_candidates, clean, parse)


def executor_for(settings: Settings) -> dg.ExecutorDefinition:
    """The executor of launched runs, jobs and backfills alike (`wirehouse run` runs in process).

    Celery: the broker and result backend come from WIREHOUSE_CELERY_BROKER / WIREHOUSE_CELERY_BACKEND
    (e.g. redis://host:6379/0), read by Dagster when a run starts."""
    if settings.executor == "celery":
        from dagster_celery import celery_executor

        return celery_executor.configured(
            {
                "broker": {"env": "WIREHOUSE_CELERY_BROKER"},
                "backend": {"env": "WIREHOUSE_CELERY_BACKEND"},
                "include": ["pipeline.definitions"],
            },
            name="celery",
        )
    forkserver = {"forkserver": {"preload_modules": PRELOAD_MODULES}}
    return dg.multiprocess_executor.configured({"start_method": forkserver}, name="multiprocess")


def build_definitions(settings: Settings) -> dg.Definitions:
    """Everything Dagster needs, for the given settings (the CLI and tests pass their own)."""
    models = discover_models(settings.models_dir, TABLE_NAMES)
    suites = load_suites(settings.expectations_dir)
    assets = [
        *PER_BATCH_ASSETS,
        current_inputs,
        line_statistics,
        resolve_entities,
        staged_batch_asset(suites, settings.warn_only),
        warehouse,
        parquet_exports,
        *sql_model_assets(models),
        dataset_report,  # issue 20: the HTML report after each publish
    ]
    return dg.Definitions(
        assets=assets,
        jobs=[
            dg.define_asset_job(
                RUN_JOB,
                selection=dg.AssetSelection.all() - dg.AssetSelection.assets(landing_batch),
                description="Over a range of landing batches (every batch: `wirehouse run`): read, clean, "
                "parse each batch; line statistics and entities over the corpus; validate, publish one "
                "version, export, build the SQL models.",
            ),
            dg.define_asset_job(
                LANDING_JOB,
                selection=dg.AssetSelection.all(),
                description="A landing batch registered by the sensor, then the corpus-level assets and "
                "one publish.",
            ),
        ],
        executor=executor_for(settings),
        sensors=[input_folder_sensor()],
        schedules=[daily_republish(RUN_JOB)],
        resources={
            "wirehouse": WirehouseConfig.from_settings(settings),
            "io_manager": PolarsParquetIOManager(
                base_path=settings.handoff_location, landing_dir=str(landing_dir(settings.warehouse_dir))
            ),
        },
    )


def run_job() -> dg.JobDefinition:
    """The run job for the environment's settings, as a module-level function: executors that start
    steps in other processes (multiprocess, Celery, Kubernetes) rebuild the job with `reconstructable`."""
    return build_definitions(Settings.from_env()).resolve_job_def(RUN_JOB)
