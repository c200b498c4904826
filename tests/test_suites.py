"""Great Expectations suites from JSON files, run on Polars frames."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from pipeline.quality.remembered import validate_remembered
from pipeline.quality.suites import SuiteFileError, load_suite, load_suites, validate
from pipeline.settings import EXPECTATIONS_DIR
from pipeline.storage.schema import TABLE_NAMES


def _suite_file(tmp_path: Path, expectations: list[dict]) -> Path:
    path = tmp_path / "quotes.json"
    path.write_text(json.dumps({"name": "quotes", "expectations": expectations}), encoding="utf-8")
    return path


def test_every_published_table_has_a_suite() -> None:
    assert set(load_suites(EXPECTATIONS_DIR)) == set(TABLE_NAMES)


def test_failures_are_named_with_their_counts(tmp_path: Path) -> None:
    suite = load_suite(
        _suite_file(
            tmp_path,
            [
                {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "quote_id"}},
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": "quote_type", "value_set": ["direct", "partial", "indirect"]},
                },
            ],
        )
    )
    frame = pl.DataFrame({"quote_id": ["q1", "q1", "q2"], "quote_type": ["direct", "rumour", "partial"]})
    result = validate(frame, suite)
    assert not result.success
    failed = {(outcome.expectation, outcome.unexpected_count) for outcome in result.failures}
    assert failed == {("expect_column_values_to_be_unique", 2), ("expect_column_values_to_be_in_set", 1)}
    assert "rumour" in result.summary()


def test_a_clean_frame_passes(tmp_path: Path) -> None:
    suite = load_suite(
        _suite_file(
            tmp_path, [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "quote_id"}}]
        )
    )
    assert validate(pl.DataFrame({"quote_id": ["q1", "q2"]}), suite).success


def test_malformed_suite_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "articles.json"
    path.write_text('{"expectations": [', encoding="utf-8")
    with pytest.raises(SuiteFileError, match=r"articles\.json: not valid JSON"):
        load_suite(path)
    path.write_text('{"expectations": [{"kwargs": {}}]}', encoding="utf-8")
    with pytest.raises(SuiteFileError, match="expectation 1 has no 'type'"):
        load_suite(path)


def test_a_result_is_reused_only_for_the_same_rows_and_suite(tmp_path: Path) -> None:
    path = _suite_file(
        tmp_path,
        [
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "quote_type", "value_set": ["direct", "partial"]},
            }
        ],
    )
    memory = tmp_path / "validation"
    frame = pl.DataFrame({"quote_id": ["q1", "q2"], "quote_type": ["direct", "rumour"]})

    first = validate_remembered(frame, load_suite(path), memory)
    again = validate_remembered(frame.clone(), load_suite(path), memory)
    assert (first.reused, again.reused) == (False, True)
    assert again.outcomes == first.outcomes and not again.success  # a remembered failure still fails
    assert "earlier validation of the same rows" in again.summary()

    changed_row = validate_remembered(
        frame.with_columns(pl.lit("direct").alias("quote_type")), load_suite(path), memory
    )
    assert not changed_row.reused and changed_row.success

    suite = json.loads(path.read_text(encoding="utf-8"))
    suite["expectations"][0]["kwargs"]["value_set"].append("rumour")
    path.write_text(json.dumps(suite), encoding="utf-8")
    changed_suite = validate_remembered(frame, load_suite(path), memory)
    assert not changed_suite.reused and changed_suite.success


def test_an_unreadable_remembered_result_is_validated_again(tmp_path: Path) -> None:
    suite = load_suite(
        _suite_file(
            tmp_path, [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "quote_id"}}]
        )
    )
    frame = pl.DataFrame({"quote_id": ["q1", None]})
    memory = tmp_path / "validation"
    validate_remembered(frame, suite, memory)
    (record,) = memory.glob("*.json")
    record.write_text("{truncated", encoding="utf-8")
    result = validate_remembered(frame, suite, memory)
    assert not result.reused and not result.success
    assert json.loads(record.read_text(encoding="utf-8"))["row_count"] == 2
