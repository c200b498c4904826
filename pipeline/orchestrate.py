"""Run the whole asset graph in-process for the CLI, and say what happened in a few lines.

`wirehouse run` registers the folder's new content as landing batches (dynamic partitions, at most
WIREHOUSE_BATCH_FILES files each), then materialises every batch of the warehouse in one run over their
range (an unchanged batch costs little: cleaning and parses are cached), the corpus-level assets and one
publish. The run is recorded in the project's Dagster instance (DAGSTER_HOME, by default `.dagster_home/`),
so `make ui` shows it with its materialisations and checks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipeline import progress
from pipeline.assembly import RUN_JOB, build_definitions
from pipeline.assets.partitions import LANDING_BATCHES
from pipeline.ingest import describe_deferred, list_settled_inputs
from pipeline.landing import read_batch, register_listed_files, registered_keys
from pipeline.nlp import ahead
from pipeline.nlp.workers import started_early
from pipeline.rerun import RunStamp
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.staging import staging_path
from pipeline.storage.warehouse import connect_read_only, current_version


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    reason: str
    summary: str
    result: dg.ExecuteInProcessResult


logger = logging.getLogger(__name__)
INSTANCE_FOLDER = ".dagster_home"


def dagster_home() -> Path:
    """The project's Dagster instance: DAGSTER_HOME when set, else `.dagster_home/` in the project."""
    return Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / INSTANCE_FOLDER).resolve()


def project_instance() -> dg.DagsterInstance:
    """The instance `make ui` shows (created with the project's dagster.yaml when missing); its events
    are written through connections kept open for the run when it stores them in SQLite
    (`pipeline.event_log`)."""
    from pipeline.event_log import with_open_connections
    from pipeline.ui import INSTANCE_CONFIG

    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")
    ref = InstanceRef.from_dir(str(home))
    return dg.DagsterInstance.from_ref(ref._replace(storage_data=with_open_connections(ref.storage_data)))


def register_batches(settings: Settings, instance: dg.DagsterInstance) -> list[str]:
    """Register the folder's new content as batches; every batch of the warehouse, known to `instance`."""
    keys = register_files(settings)
    add_partitions(instance, keys)
    return keys


def register_files(settings: Settings) -> list[str]:
    """Register the folder's new content as batches of the warehouse (no Dagster); every batch's key."""
    if settings.input_dir.is_dir():  # else the run's current_inputs step fails saying so
        listing = list_settled_inputs(settings.input_dir, settings.settle_seconds)
        registration = register_listed_files(listing, settings.warehouse_dir, settings.batch_files)
        if registration.deferred:
            logger.warning(describe_deferred(registration.deferred, settings.settle_seconds))
    return registered_keys(settings.warehouse_dir)


def add_partitions(instance: dg.DagsterInstance, keys: list[str]) -> None:
    """The batches `instance` does not know yet, added as partitions of `landing_batches`."""
    known = set(instance.get_dynamic_partitions(LANDING_BATCHES.name))
    missing = [key for key in keys if key not in known]
    if missing:
        instance.add_dynamic_partitions(LANDING_BATCHES.name, missing)


def range_tags(instance: dg.DagsterInstance, keys: list[str]) -> dict[str, str]:
    """Run tags for one run over the range that spans `keys` in the instance's order of batches."""
    order = {key: n for n, key in enumerate(instance.get_dynamic_partitions(LANDING_BATCHES.name))}
    ordered = sorted(keys, key=order.__getitem__)
    return {ASSET_PARTITION_RANGE_START_TAG: ordered[0], ASSET_PARTITION_RANGE_END_TAG: ordered[-1]}


PID_TAG, HOST_TAG = "wirehouse/pid", "wirehouse/host"


def release_dead_runs(instance: dg.DagsterInstance) -> None:
    """A `wirehouse run` that was killed never ends its Dagster run, and that run keeps its slot in the
    writer pool: the next run would wait for it forever. Runs of this host whose process is gone are
    marked failed and their slots freed."""
    host = socket.gethostname()
    unfinished = dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
    for run in instance.get_runs(filters=unfinished):
        pid = run.tags.get(PID_TAG)
        if pid is None or run.tags.get(HOST_TAG) != host or _alive(int(pid)):
            continue
        instance.report_run_failed(run, f"its wirehouse process ({pid}) is gone: killed or crashed")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_pipeline(
    settings: Settings, verbose: bool = False, instance: dg.DagsterInstance | None = None
) -> RunOutcome:
    """Register new content, then materialise every batch and the corpus-level assets in one run."""
    # what this run reads, taken before it registers anything: the next run's shortcut (pipeline.rerun)
    stamp = RunStamp.take(settings)
    definitions = build_definitions(settings)  # a broken suite or SQL model stops the run before any worker
    job = definitions.resolve_job_def(RUN_JOB)
    progress.stage("register_batches")
    earlier = set(registered_keys(settings.warehouse_dir))
    keys = register_files(settings)
    # the parse workers load their model for the files registered now while Dagster starts, then the run
    # reads and cleans (started before the instance is opened: a second sooner)
    new = sum(read_batch(settings.warehouse_dir, key).height for key in keys if key not in earlier)
    with started_early(new, settings.batch_size, settings.n_process):
        instance = instance or project_instance()
        log_level = "INFO" if verbose else "WARNING"
        run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
        with instance, _steps_reported_as_stages(instance):
            release_dead_runs(instance)
            add_partitions(instance, keys)
            owner = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
            if keys:
                try:
                    result = job.execute_in_process(
                        instance=instance,
                        raise_on_error=False,
                        run_config=run_config,
                        tags={**range_tags(instance, keys), **owner},
                    )
                finally:
                    ahead.discard()  # a parse ahead no parse step took (the run failed before it)
            else:  # an empty folder: nothing per batch, the corpus-level assets publish an empty version
                corpus = [key for key in job.asset_layer.executable_asset_keys if not _per_batch(job, key)]
                result = job.execute_in_process(
                    instance=instance,
                    raise_on_error=False,
                    run_config=run_config,
                    asset_selection=corpus,
                    tags=owner,
                )
    if result.success:
        summary = summarise(settings, result.run_id)
        _remember(stamp, settings)
        return RunOutcome(True, "", summary, result)
    reason = failure_reason(settings, result)
    published = [m for m in result.asset_materializations_for_node("warehouse") if "version" in m.metadata]
    if published:
        reason = f"version {published[0].metadata['version'].value} was published, but {reason}"
    else:
        reason = f"nothing published: {reason}"
    return RunOutcome(False, reason, "", result)


@contextlib.contextmanager
def _steps_reported_as_stages(instance: dg.DagsterInstance) -> Iterator[None]:
    """Each step that starts is reported as a stage (`pipeline.progress`) for the CLI to show: every event
    of a run passes through `handle_new_event`, wrapped here for the run's length."""
    handle = instance.handle_new_event

    def handle_and_report(event: dg.EventLogEntry, **kwargs: Any) -> None:
        handle(event, **kwargs)
        if event.dagster_event is not None and event.dagster_event.is_step_start and event.step_key:
            progress.stage(event.step_key)

    instance.handle_new_event = handle_and_report  # type: ignore[method-assign]
    try:
        yield
    finally:
        del instance.handle_new_event  # the class's method again


def _per_batch(job: dg.JobDefinition, key: dg.AssetKey) -> bool:
    return job.asset_layer.get(key).partitions_def is not None


def failure_reason(settings: Settings, result: dg.ExecuteInProcessResult) -> str:
    """One line: the failing expectations when a suite blocked publication, else the first step error."""
    failed_checks = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    if failed_checks:
        failures = " | ".join(evaluation.description or evaluation.check_name for evaluation in failed_checks)
        kept = staging_path(settings.warehouse_dir, result.run_id)
        return f"blocking suite failed: {failures} (the failed batch is kept in {kept})"
    for event in result.all_events:
        if event.is_step_failure:
            return f"step {event.step_key} failed: {_root_cause(event.step_failure_data.error)}"
    return "the run failed"


def _root_cause(error: dg.SerializableErrorInfo | None) -> str:
    """Our exception (which names the file), not Dagster's wrappers around it or what it wraps."""
    while error is not None and error.cls_name and error.cls_name.startswith("Dagster") and error.cause:
        error = error.cause
    if error is None:
        return "unknown error"
    message = error.message.strip()
    return _without_our_class_name(message.splitlines()[0]) if message else error.cls_name or "error"


def _without_our_class_name(line: str) -> str:
    """`pipeline.storage.exports.ExportError: could not write ...` -> `could not write ...`: our errors
    are written to be read as they are; a builtin's name (`FileNotFoundError: ...`) stays."""
    name, separator, rest = line.partition(": ")
    return rest if separator and name.startswith("pipeline.") and " " not in name else line


def _remember(stamp: RunStamp, settings: Settings) -> None:
    """Leave the run's fingerprint for the next `wirehouse run` to skip an unchanged re-run; a failure to
    write it only costs the next run its shortcut."""
    try:
        con = connect_read_only(settings.database_path)
        try:
            version = current_version(con)
        finally:
            con.close()
        stamp.record(version)
    except Exception:  # never fail a published run for its shortcut
        logger.warning("could not remember this run for the next one (it will run in full)", exc_info=True)


def summarise(settings: Settings, run_id: str) -> str:
    con = connect_read_only(settings.database_path)
    try:
        version = current_version(con)
        counts = {
            table: con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            for table in (
                "articles",
                "entities",
                "entity_mentions",
                "quotes",
                "boilerplate_lines",
                "quarantine",
            )
        }
    finally:
        con.close()
    return "\n".join(
        [
            f"Wirehouse published version {version} (run {run_id[:8]})",
            f"  articles          {counts['articles']:>7}   from {settings.input_dir}",
            f"  entities          {counts['entities']:>7}   ({counts['entity_mentions']} mentions)",
            f"  quotes            {counts['quotes']:>7}",
            f"  boilerplate lines {counts['boilerplate_lines']:>7}   removed, each with its reason",
            f"  quarantined files {counts['quarantine']:>7}",
            f"  warehouse         {settings.database_path}",
            f"  parquet exports   {settings.exports_dir}/<table>/*.parquet",
            f"  list versions     wirehouse versions --warehouse {settings.warehouse_dir}",
        ]
    )
