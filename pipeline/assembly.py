"""Assembles the Dagster definitions for given settings; the logic lives in the modules it imports."""

from __future__ import annotations

import dagster as dg

from pipeline.assets.checks import suite_checks
from pipeline.assets.cleaning import clean
from pipeline.assets.ingest import landing_batch, read_inputs
from pipeline.assets.nlp import parse, resolve_entities
from pipeline.assets.publish import parquet_exports, staged_batch, warehouse
from pipeline.assets.sql_models import sql_model_assets
from pipeline.automation import LANDING_JOB, daily_republish, input_folder_sensor
from pipeline.io_manager import PolarsParquetIOManager
from pipeline.quality.suites import load_suites
from pipeline.resources import WirehouseConfig
from pipeline.settings import Settings
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.sql_models import discover_models

RUN_JOB = "wirehouse_run"


def build_definitions(settings: Settings) -> dg.Definitions:
    """Everything Dagster needs, for the given settings (the CLI and tests pass their own)."""
    models = discover_models(settings.models_dir, TABLE_NAMES)
    assets = [
        landing_batch,
        read_inputs,
        clean,
        parse,
        resolve_entities,
        staged_batch,
        warehouse,
        parquet_exports,
        *sql_model_assets(models),
    ]
    return dg.Definitions(
        assets=assets,
        asset_checks=suite_checks(load_suites(settings.expectations_dir), settings.warn_only),
        jobs=[
            dg.define_asset_job(
                RUN_JOB,
                selection=dg.AssetSelection.all() - dg.AssetSelection.assets(landing_batch),
                description="Ingest, clean, parse, validate, publish a version, export, build SQL models.",
            ),
            dg.define_asset_job(
                LANDING_JOB,
                selection=dg.AssetSelection.all(),
                description="A landing batch registered by the sensor, then the whole (incremental) run.",
            ),
        ],
        sensors=[input_folder_sensor()],
        schedules=[daily_republish(RUN_JOB)],
        resources={
            "wirehouse": WirehouseConfig.from_settings(settings),
            "io_manager": PolarsParquetIOManager(base_path=str(settings.handoff_dir)),
        },
    )


def run_job() -> dg.JobDefinition:
    """The run job for the environment's settings, as a module-level function: executors that start
    steps in other processes (multiprocess, Celery, Kubernetes) rebuild the job with `reconstructable`."""
    return build_definitions(Settings.from_env()).resolve_job_def(RUN_JOB)
