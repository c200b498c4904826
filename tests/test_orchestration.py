"""Wirehouse as a Dagster project: multiprocess runs, incremental re-runs, the sensor, the UI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.assembly import RUN_JOB, build_definitions, run_job
from pipeline.automation import LANDING_JOB
from pipeline.orchestrate import range_tags, register_batches, run_pipeline
from pipeline.resources import WirehouseConfig
from pipeline.settings import Settings
from pipeline.storage.schema import TABLE_NAMES
from pipeline.ui import dagster_dev, graphql
from tests.conftest import settings_for


def _parse_metadata(
    result: dg.ExecuteInProcessResult | dg.ExecutionResult, asset: str = "parsed_quotes"
) -> dict[str, object]:
    (materialization,) = [
        event.event_specific_data.materialization
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
        and event.event_specific_data.materialization.asset_key == dg.AssetKey(asset)
    ]
    return {key: value.value for key, value in materialization.metadata.items()}


def test_a_second_run_over_the_same_input_does_no_nlp_work(seed_input: Path, tmp_path: Path) -> None:
    settings = settings_for(seed_input, tmp_path / "warehouse")
    first = run_pipeline(settings)
    second = run_pipeline(settings)
    assert first.success and second.success, first.reason + second.reason
    assert _parse_metadata(first.result)["articles_parsed"] == 2
    assert _parse_metadata(second.result)["articles_parsed"] == 0
    assert _parse_metadata(second.result)["articles_from_cache"] == 2
    assert [_parse_metadata(run.result, "articles")["cleaning_reused"] for run in (first, second)] == [
        False,
        True,
    ]
    suites = [
        check for check in second.result.get_asset_check_evaluations() if check.check_name.endswith("_suite")
    ]
    assert len(suites) == len(TABLE_NAMES)  # same rows: every suite's result is remembered
    assert all(check.metadata["reused_result"].value for check in suites)
    con = duckdb.connect(str(settings.database_path), read_only=True)
    counts = con.sql("SELECT version, row_counts FROM versions ORDER BY version").fetchall()
    con.close()
    assert json.loads(counts[0][1]) == json.loads(counts[-1][1])  # the cache gives back the same rows


def test_a_run_under_the_multiprocess_executor(seed_input: Path, tmp_path: Path, monkeypatch) -> None:
    warehouse = tmp_path / "warehouse"
    monkeypatch.setenv("WIREHOUSE_INPUT_DIR", str(seed_input))
    monkeypatch.setenv("WIREHOUSE_WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("WIREHOUSE_BATCH_FILES", "1")  # two landing batches
    with dg.instance_for_test() as instance:
        keys = register_batches(Settings.from_env(), instance)
        assert len(keys) == 2
        result = dg.execute_job(
            dg.reconstructable(run_job), instance=instance, tags=range_tags(instance, keys)
        )
        assert result.success
        pids = {
            event.pid
            for event in result.all_events
            if event.event_type_value == "STEP_START" and event.pid is not None
        }
    assert len(pids) > 3, "each step ran in its own process"
    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    assert con.sql("SELECT count(*) FROM articles").fetchall()[0][0] == 2
    assert con.sql("SELECT count(*) FROM quotes WHERE speaker = 'Benjamin Netanyahu'").fetchall()[0][0] >= 2
    con.close()


def test_a_file_dropped_in_the_landing_folder_is_published_through_the_sensor(
    seed_input: Path, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(seed_input, landing)
    settings = settings_for(landing, tmp_path / "warehouse")
    defs = build_definitions(settings)
    sensor = defs.resolve_sensor_def("new_input_files")
    resources = {"wirehouse": WirehouseConfig.from_settings(settings)}
    landing_job = defs.resolve_job_def(LANDING_JOB)

    def launch(instance: dg.DagsterInstance, evaluation: dg.SensorResult) -> dg.ExecuteInProcessResult:
        """What the daemon does with a sensor result: add the partitions, launch the run."""
        (request,) = evaluation.run_requests
        for partitions in evaluation.dynamic_partitions_requests:
            instance.add_dynamic_partitions(partitions.partitions_def_name, partitions.partition_keys)
        return landing_job.execute_in_process(instance=instance, partition_key=request.partition_key)

    with dg.instance_for_test() as instance:
        first = sensor(dg.build_sensor_context(instance=instance, resources=resources))
        assert launch(instance, first).success

        (landing / "new").mkdir()
        (landing / "new" / "harbour.txt").write_text(
            "Harbour reopens after storm\n\n"
            "The harbour reopened on Monday after a week of repairs, the port authority said.\n\n"
            "“We are back in business,” harbour master Ellen Kowalski said.\n",
            encoding="utf-8",
        )
        second = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor, resources=resources))
        result = launch(instance, second)
        assert result.success
        assert _parse_metadata(result)["articles_parsed"] == 1  # only the new file is parsed
        batches = instance.get_dynamic_partitions("landing_batches")
        assert batches == [first.run_requests[0].partition_key, second.run_requests[0].partition_key]

    con = duckdb.connect(str(settings.database_path), read_only=True)
    titles = {row[0] for row in con.sql("SELECT title FROM articles").fetchall()}
    speakers = {row[0] for row in con.sql("SELECT speaker FROM quotes").fetchall()}
    versions = con.sql("SELECT count(*) FROM versions").fetchall()[0][0]
    con.close()
    assert "Harbour reopens after storm" in titles
    assert "Ellen Kowalski" in speakers
    assert versions == 2


@pytest.fixture
def dagster_ui(tmp_path: Path):
    """The real `dagster dev` (webserver, daemon, code server) on a free local port."""
    with dagster_dev(
        tmp_path / "dagster_home", env={"WIREHOUSE_WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    ) as port:
        yield port


def test_the_ui_loads_every_asset_check_sensor_and_schedule(dagster_ui: int) -> None:
    data = graphql(
        dagster_ui,
        """{
          assetNodes { assetKey { path } }
          assetCheckKeys: assetNodes { assetChecksOrError { ... on AssetChecks { checks { name } } } }
          repositoriesOrError { ... on RepositoryConnection { nodes {
            sensors { name } schedules { name } jobs { name } } } }
        }""",
    )
    assets = {"/".join(node["assetKey"]["path"]) for node in data["assetNodes"]}
    assert {
        "raw_articles",
        *TABLE_NAMES,
        "staged_batch",
        "warehouse",
        "parquet_exports",
        "quotes_per_speaker",
    } <= assets
    checks = {
        check["name"]
        for node in data["assetCheckKeys"]
        for check in (node["assetChecksOrError"] or {}).get("checks", [])
    }
    assert {f"{table}_suite" for table in TABLE_NAMES} <= checks
    (repository,) = data["repositoriesOrError"]["nodes"]
    assert {sensor["name"] for sensor in repository["sensors"]} == {"new_input_files"}
    assert {schedule["name"] for schedule in repository["schedules"]} == {"daily_full_republish"}
    assert RUN_JOB in {job["name"] for job in repository["jobs"]}
