"""Run the whole asset graph in-process for the CLI, and say what happened in a few lines."""

from __future__ import annotations

import os
from dataclasses import dataclass

import dagster as dg

from pipeline.assembly import RUN_JOB, build_definitions
from pipeline.settings import Settings
from pipeline.storage.staging import staging_path
from pipeline.storage.warehouse import connect_read_only, current_version


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    reason: str
    summary: str
    result: dg.ExecuteInProcessResult


def run_pipeline(settings: Settings, verbose: bool = False) -> RunOutcome:
    """Materialise every asset once. Runs land in $DAGSTER_HOME when set, so the UI shows them."""
    job = build_definitions(settings).resolve_job_def(RUN_JOB)
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    log_level = "INFO" if verbose else "WARNING"
    with instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
    if result.success:
        return RunOutcome(True, "", summarise(settings, result.run_id), result)
    reason = failure_reason(settings, result)
    published = [m for m in result.asset_materializations_for_node("warehouse") if "version" in m.metadata]
    if published:
        reason = f"version {published[0].metadata['version'].value} was published, but {reason}"
    else:
        reason = f"nothing published: {reason}"
    return RunOutcome(False, reason, "", result)


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
