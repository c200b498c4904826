"""When runs happen: a sensor on the input folder and a daily full re-publish. Both start stopped."""

import dagster as dg

from pipeline.ingest import folder_fingerprint
from pipeline.resources import WirehouseConfig


def input_folder_sensor(job_name: str) -> dg.SensorDefinition:
    @dg.sensor(
        name="new_input_files",
        job_name=job_name,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Requests a run when files below the input folder are added or changed.",
    )
    def _sensor(context: dg.SensorEvaluationContext, wirehouse: WirehouseConfig) -> dg.SensorResult:
        input_dir = wirehouse.settings.input_dir
        if not input_dir.is_dir():
            return dg.SensorResult(skip_reason=f"input folder {input_dir} does not exist")
        fingerprint = folder_fingerprint(input_dir)
        if fingerprint == context.cursor:
            return dg.SensorResult(skip_reason="no new or changed files")
        return dg.SensorResult(run_requests=[dg.RunRequest(run_key=fingerprint)], cursor=fingerprint)

    return _sensor


def daily_republish(job_name: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="daily_full_republish",
        job_name=job_name,
        cron_schedule="0 3 * * *",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="A full run every night at 03:00, publishing a new version.",
    )
