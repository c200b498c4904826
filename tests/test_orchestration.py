"""Wirehouse as a Dagster project: multiprocess runs, incremental re-runs, the sensor, the UI."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.assembly import RUN_JOB, build_definitions, run_job
from pipeline.orchestrate import run_pipeline
from pipeline.resources import WirehouseConfig
from pipeline.settings import PROJECT_ROOT
from pipeline.storage.schema import TABLE_NAMES
from tests.conftest import settings_for


def _parse_metadata(result: dg.ExecuteInProcessResult | dg.ExecutionResult) -> dict[str, object]:
    (materialization,) = [
        event.event_specific_data.materialization
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
        and event.event_specific_data.materialization.asset_key == dg.AssetKey("parsed_quotes")
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
    con = duckdb.connect(str(settings.database_path), read_only=True)
    counts = con.sql("SELECT version, row_counts FROM versions ORDER BY version").fetchall()
    con.close()
    assert [version for version, _ in counts] == [1, 2]
    assert json.loads(counts[0][1]) == json.loads(counts[1][1])  # the cache gives back the same rows


def test_a_run_under_the_multiprocess_executor(seed_input: Path, tmp_path: Path, monkeypatch) -> None:
    warehouse = tmp_path / "warehouse"
    monkeypatch.setenv("WIREHOUSE_INPUT_DIR", str(seed_input))
    monkeypatch.setenv("WIREHOUSE_WAREHOUSE_DIR", str(warehouse))
    with dg.instance_for_test() as instance:
        result = dg.execute_job(dg.reconstructable(run_job), instance=instance)
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
    with dg.instance_for_test() as instance:
        first = sensor(dg.build_sensor_context(instance=instance, resources=resources))
        assert len(first.run_requests) == 1
        assert (
            defs.resolve_job_def(RUN_JOB)
            .execute_in_process(instance=instance, tags=first.run_requests[0].tags)
            .success
        )

        (landing / "new").mkdir()
        (landing / "new" / "harbour.txt").write_text(
            "Harbour reopens after storm\n\n"
            "The harbour reopened on Monday after a week of repairs, the port authority said.\n\n"
            "“We are back in business,” harbour master Ellen Kowalski said.\n",
            encoding="utf-8",
        )
        second = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor, resources=resources))
        assert len(second.run_requests) == 1
        result = defs.resolve_job_def(RUN_JOB).execute_in_process(
            instance=instance, tags=second.run_requests[0].tags
        )
        assert result.success
        assert _parse_metadata(result)["articles_parsed"] == 1  # only the new file is parsed

    con = duckdb.connect(str(settings.database_path), read_only=True)
    titles = {row[0] for row in con.sql("SELECT title FROM articles").fetchall()}
    speakers = {row[0] for row in con.sql("SELECT speaker FROM quotes").fetchall()}
    con.close()
    assert "Harbour reopens after storm" in titles
    assert "Ellen Kowalski" in speakers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


@pytest.fixture
def dagster_ui(tmp_path: Path):
    """`dagster dev` on a free local port, in its own process group, ended with all its children."""
    port = _free_port()
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("concurrency:\n  pools:\n    default_limit: 1\n", encoding="utf-8")
    env = {**os.environ, "DAGSTER_HOME": str(home), "WIREHOUSE_WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    dagster = str(Path(sys.executable).parent / "dagster")
    process = subprocess.Popen(
        [dagster, "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if _graphql(port, "{ assetNodes { id } }")["assetNodes"]:
                    break
            except OSError:
                pass
            assert process.poll() is None, "dagster dev exited"
            assert time.monotonic() < deadline, "the UI did not answer within 180 s"
            time.sleep(1)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        time.sleep(1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # children that outlived the parent


def test_the_ui_loads_every_asset_check_sensor_and_schedule(dagster_ui: int) -> None:
    data = _graphql(
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
