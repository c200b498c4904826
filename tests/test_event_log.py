"""`wirehouse run`'s event log: connections kept open for the run, Dagster's own files and readers.

No `from __future__ import annotations`: Dagster reads the asset's `context` annotation at definition time.
"""

from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events.log import EventLogEntry
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData

from pipeline.event_log import OpenConnectionsEventLogStorage, with_open_connections
from pipeline.orchestrate import project_instance
from pipeline.ui import INSTANCE_CONFIG


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="numbers")])
def numbers(context: dg.AssetExecutionContext):
    context.log.info("three numbers")
    yield dg.Output([1, 2, 3], metadata={"count": 3})
    yield dg.AssetCheckResult(check_name="positive", passed=True)


def _stock_instance(home: Path) -> dg.DagsterInstance:
    """The instance as the UI and the daemon open it: Dagster's classes, from the folder's dagster.yaml."""
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


def test_a_run_written_with_open_connections_reads_the_same_with_dagsters_classes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with project_instance() as instance:
        assert type(instance.event_log_storage) is OpenConnectionsEventLogStorage
        first = dg.materialize([numbers], instance=instance)
        second = dg.materialize([numbers], instance=instance)  # the same open connections, a new run file
        written = [len(instance.all_logs(run.run_id)) for run in (first, second)]
    with _stock_instance(tmp_path) as stock:
        assert type(stock.event_log_storage) is SqliteEventLogStorage
        assert [len(stock.all_logs(run.run_id)) for run in (first, second)] == written
        assert all(count > 10 for count in written)
        latest = stock.get_latest_materialization_event(dg.AssetKey("numbers"))
        assert latest is not None and latest.run_id == second.run_id
        assert latest.asset_materialization.metadata["count"].value == 3
        check = dg.AssetCheckKey(dg.AssetKey("numbers"), "positive")
        record = stock.event_log_storage.get_latest_asset_check_execution_by_key([check])[check]
        assert record.run_id == second.run_id
        assert record.status.value == "SUCCEEDED"
        assert stock.get_run_by_id(second.run_id).is_success
    assert INSTANCE_CONFIG in (tmp_path / "dagster.yaml").read_text()


def test_only_dagsters_default_sqlite_storage_is_replaced() -> None:
    postgres = ConfigurableClassData("dagster_postgres", "DagsterPostgresStorage", "postgres_db: {}\n")
    assert with_open_connections(postgres) is postgres
    default = ConfigurableClassData(
        "dagster._core.storage.sqlite_storage", "DagsterSqliteStorage", "base_dir: /somewhere\n"
    )
    replaced = with_open_connections(default)
    assert (replaced.module_name, replaced.class_name) == (
        "pipeline.event_log",
        "OpenConnectionsSqliteStorage",
    )
    assert replaced.config_yaml == default.config_yaml


def test_the_storage_starts_in_an_empty_folder(tmp_path: Path) -> None:
    """Dagster makes a new folder's index while the storage is being made: with its own connections."""
    storage = OpenConnectionsEventLogStorage(str(tmp_path / "events"))
    message = EventLogEntry(
        error_info=None,
        level=20,
        user_message="hello",
        run_id="run-1",
        timestamp=1.0,
        step_key=None,
        job_name="job",
        dagster_event=None,
    )
    storage.store_event(message)
    storage.dispose()
    stock = SqliteEventLogStorage(str(tmp_path / "events"))
    assert [entry.user_message for entry in stock.get_logs_for_run("run-1")] == ["hello"]
