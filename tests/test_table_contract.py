"""The table contract (pipeline/storage/schema.py): staging conforms frames to it and fails loudly on a
column it does not declare; the frames the pipeline builds, the published tables and the README agree."""

from __future__ import annotations

import re

import duckdb
import polars as pl
import pytest

from pipeline.assets.cleaning import ARTICLES_SCHEMA
from pipeline.ingest import QUARANTINE_SCHEMA
from pipeline.nlp.extract import MENTIONS_SCHEMA, QUOTES_SCHEMA
from pipeline.settings import PROJECT_ROOT
from pipeline.storage.schema import TABLE_NAMES, TABLES, TableContractError, conform, conform_all
from pipeline.text.captions import CAPTIONS_SCHEMA
from pipeline.text.clean import BOILERPLATE_SCHEMA


def _quotes(**extra: list) -> pl.DataFrame:
    frame = pl.DataFrame({name: [None] for name in TABLES["quotes"].column_names})
    return frame.with_columns(**{name: pl.Series(values) for name, values in extra.items()})


def test_a_column_the_contract_does_not_declare_fails_naming_table_and_column() -> None:
    with pytest.raises(TableContractError) as refused:
        conform("quotes", _quotes(speaker_confidence=[0.9]))
    message = str(refused.value)
    assert "table 'quotes'" in message and "'speaker_confidence'" in message
    assert "pipeline/storage/schema.py" in message


def test_a_missing_column_or_a_value_of_the_wrong_type_is_named() -> None:
    with pytest.raises(TableContractError, match=r"table 'quotes' lacks the declared column\(s\) 'cue'"):
        conform("quotes", _quotes().drop("cue"))
    with pytest.raises(TableContractError, match=r"table 'quotes' column 'start_char': String values"):
        conform("quotes", _quotes(start_char=["seven"]))
    with pytest.raises(TableContractError, match="tables missing from the batch: quarantine"):
        conform_all({name: pl.DataFrame() for name in TABLE_NAMES if name != "quarantine"})


def test_frames_are_cast_and_ordered_as_declared() -> None:
    frame = pl.DataFrame(
        {"credit": ["AP"], "caption": ["A boat."], "line_no": [3], "article_id": ["a"]},
        schema={"credit": pl.String, "caption": pl.String, "line_no": pl.Int32, "article_id": pl.String},
    )
    conformed = conform("captions", frame)
    assert conformed.schema == pl.Schema(TABLES["captions"].polars_schema)
    assert conformed.row(0) == ("a", 3, "A boat.", "AP")


def test_the_frames_the_pipeline_builds_match_the_contract() -> None:
    built = {
        "articles": ARTICLES_SCHEMA,
        "boilerplate_lines": BOILERPLATE_SCHEMA,
        "captions": CAPTIONS_SCHEMA,
        "entity_mentions": MENTIONS_SCHEMA,
        "quotes": {**QUOTES_SCHEMA, "speaker_gender": pl.String},  # added when entities are resolved
        "quarantine": QUARANTINE_SCHEMA,
    }
    for name, schema in built.items():
        assert pl.Schema(schema) == pl.Schema(TABLES[name].polars_schema), name


def test_the_published_tables_have_the_declared_columns_and_types(seed_run) -> None:
    settings, _ = seed_run
    con = duckdb.connect(str(settings.database_path), read_only=True)
    try:
        for name in TABLE_NAMES:
            published = con.sql(f"SELECT * FROM {name} LIMIT 0").pl().schema
            declared = pl.Schema(TABLES[name].polars_schema)
            assert [column for column in published if column != "version"] == list(declared), name
            assert {column: published[column] for column in declared} == dict(declared), name
    finally:
        con.close()


def test_the_readme_table_list_agrees_with_the_contract() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\| `(\w+)` \| (.+) \|$", readme, flags=re.MULTILINE)
        if match.group(1) in TABLES
    }
    assert sorted(rows) == sorted(TABLE_NAMES)
    for name, cells in rows.items():
        key, _, columns = cells.partition(" | ")
        # names in backticks, not the examples in parentheses or quotes
        named = set(re.findall(r"`(\w+)`", re.sub(r"\([^()]*\)", "", columns))) | set(
            re.findall(r"`(\w+)`", key)
        )
        assert named - {"version", *TABLE_NAMES} == set(TABLES[name].column_names), name
