"""The Dagster definitions load, with every stage, check, sensor and schedule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg

from pipeline.automation import input_folder_sensor
from pipeline.definitions import defs
from pipeline.landing import read_batch
from pipeline.resources import WirehouseConfig
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.schema import TABLE_NAMES


def test_every_stage_is_an_asset_and_every_suite_a_blocking_check_on_the_staged_batch() -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    stages = {
        "raw_articles",
        *TABLE_NAMES,
        "staged_batch",
        "warehouse",
        "parquet_exports",
        "quotes_per_speaker",
    }
    assert stages <= keys
    suites = [check for check in graph.asset_check_keys if check.name.endswith("_suite")]
    assert {check.name for check in suites} == {f"{table}_suite" for table in TABLE_NAMES}
    assert {check.asset_key.to_user_string() for check in suites} == {"staged_batch"}
    assert all(graph.get_check_spec(check).blocking for check in suites)
    model_tests = {
        check.name for check in graph.asset_check_keys if check.asset_key.to_user_string() == "stg_quotes"
    }
    assert {"unique_quote_id", "accepted_values_quote_type"} <= model_tests
    assert graph.get(dg.AssetKey("warehouse")).parent_keys == {dg.AssetKey("staged_batch")}


def test_sensor_registers_new_content_as_landing_batches(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_text("Headline\n\nA paragraph.", encoding="utf-8")
    sensor = input_folder_sensor()
    config = WirehouseConfig.from_settings(
        Settings.from_env(input_dir=landing, warehouse_dir=tmp_path / "wh")
    )
    first = sensor(dg.build_sensor_context(resources={"wirehouse": config}))
    (request,) = first.run_requests
    (added,) = first.dynamic_partitions_requests
    assert added.partition_keys == [request.partition_key]
    assert read_batch(tmp_path / "wh", request.partition_key)["source_path"].to_list() == ["a.txt"]

    unchanged = sensor(dg.build_sensor_context(cursor=first.cursor, resources={"wirehouse": config}))
    assert not unchanged.run_requests

    (landing / "copy.txt").write_text(
        "Headline\n\nA paragraph.", encoding="utf-8"
    )  # same content: nothing new
    (landing / "b.txt").write_text("Another\n\nNew paragraph.", encoding="utf-8")
    changed = sensor(dg.build_sensor_context(cursor=first.cursor, resources={"wirehouse": config}))
    (second,) = changed.run_requests
    assert read_batch(tmp_path / "wh", second.partition_key)["source_path"].to_list() == ["b.txt"]


def test_dagster_definitions_validate() -> None:
    dagster = str(Path(sys.executable).parent / "dagster")
    result = subprocess.run(
        [dagster, "definitions", "validate"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert defs.resolve_sensor_def("new_input_files") and defs.resolve_schedule_def("daily_full_republish")
