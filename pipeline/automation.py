"""When runs happen: a sensor on the landing folder and a daily full re-publish. Both start stopped."""

import dagster as dg

from pipeline.assets.ingest import LANDING_BATCHES
from pipeline.ingest import folder_fingerprint
from pipeline.landing import register_new_files
from pipeline.resources import WirehouseConfig

LANDING_JOB = "landing_run"


def input_folder_sensor() -> dg.SensorDefinition:
    @dg.sensor(
        name="new_input_files",
        job_name=LANDING_JOB,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Registers new and changed files in the input folder as landing batches (dynamic "
        "partitions) and requests a run for each: the run publishes the folder's new state.",
    )
    def _sensor(context: dg.SensorEvaluationContext, wirehouse: WirehouseConfig) -> dg.SensorResult:
        settings = wirehouse.settings
        if not settings.input_dir.is_dir():
            return dg.SensorResult(skip_reason=f"input folder {settings.input_dir} does not exist")
        fingerprint = folder_fingerprint(settings.input_dir)
        if fingerprint == context.cursor:
            return dg.SensorResult(skip_reason="no new or changed files")
        batches = register_new_files(settings.input_dir, settings.warehouse_dir)
        if not batches:
            return dg.SensorResult(
                skip_reason="files changed on disk but hold no new content", cursor=fingerprint
            )
        keys = [batch.key for batch in batches]
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=key, partition_key=key) for key in keys],
            dynamic_partitions_requests=[LANDING_BATCHES.build_add_request(keys)],
            cursor=fingerprint,
        )

    return _sensor


def daily_republish(job_name: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="daily_full_republish",
        job_name=job_name,
        cron_schedule="0 3 * * *",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="A full run every night at 03:00, publishing a new version.",
    )
