"""When runs happen: a sensor on the landing folder and a daily full re-publish. Both start stopped."""

import dagster as dg

from pipeline.assets.ingest import LANDING_BATCHES
from pipeline.ingest import describe_deferred, list_settled_inputs
from pipeline.landing import Registration, register_listed_files
from pipeline.resources import WirehouseConfig

LANDING_JOB = "landing_run"


def input_folder_sensor() -> dg.SensorDefinition:
    @dg.sensor(
        name="new_input_files",
        job_name=LANDING_JOB,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Registers new and changed files in the input folder as landing batches (dynamic "
        "partitions) and requests a run for each: the run publishes the folder's new state. Files still "
        "being written (changed within WIREHOUSE_SETTLE_SECONDS) wait for a later tick.",
    )
    def _sensor(context: dg.SensorEvaluationContext, wirehouse: WirehouseConfig) -> dg.SensorResult:
        settings = wirehouse.settings
        if not settings.input_dir.is_dir():
            return dg.SensorResult(skip_reason=f"input folder {settings.input_dir} does not exist")
        settle_seconds = settings.settle_seconds
        listing = list_settled_inputs(settings.input_dir, settle_seconds)
        if listing.fingerprint() == context.cursor:
            reason = _with_deferred("no new or changed files", listing.deferred, settle_seconds)
            return dg.SensorResult(skip_reason=reason)
        registration = register_listed_files(listing, settings.warehouse_dir)
        return landing_runs(context, registration, settle_seconds)

    return _sensor


def landing_runs(
    context: dg.SensorEvaluationContext, registration: Registration, settle_seconds: float
) -> dg.SensorResult:
    """A run per new batch; the cursor covers only settled files, so a deferred one is looked at again."""
    if not registration.batches:
        reason = (
            _with_deferred("no new content settled yet", registration.deferred, settle_seconds)
            if registration.deferred
            else "files changed on disk but hold no new content"
        )
        return dg.SensorResult(skip_reason=reason, cursor=registration.fingerprint)
    if registration.deferred:
        context.log.info(describe_deferred(registration.deferred, settle_seconds))
    keys = [batch.key for batch in registration.batches]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=key, partition_key=key) for key in keys],
        dynamic_partitions_requests=[LANDING_BATCHES.build_add_request(keys)],
        cursor=registration.fingerprint,
    )


def _with_deferred(reason: str, deferred: tuple[str, ...], settle_seconds: float) -> str:
    return f"{reason}; {describe_deferred(deferred, settle_seconds)}" if deferred else reason


def daily_republish(job_name: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="daily_full_republish",
        job_name=job_name,
        cron_schedule="0 3 * * *",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="A full run every night at 03:00, publishing a new version.",
    )
