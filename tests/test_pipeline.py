"""The whole pipeline on the seed articles, through the real Dagster machinery."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.orchestrate import run_pipeline
from pipeline.settings import EXPECTATIONS_DIR
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.staging import staging_path
from tests.conftest import settings_for

NATIONAL = "000_3f48738312f68a75.txt"
CNN = "003_aae34b095bee0b31.txt"


@pytest.fixture(scope="module")
def warehouse(seed_run) -> duckdb.DuckDBPyConnection:
    settings, _ = seed_run
    con = duckdb.connect(str(settings.database_path), read_only=True)
    yield con
    con.close()


def _one(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None):
    rows = con.execute(query, params or []).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def test_seed_titles_are_recovered(warehouse) -> None:
    titles = dict(warehouse.sql("SELECT source_path, title FROM articles").fetchall())
    assert titles == {
        NATIONAL: "Blinken’s latest Middle East trip yields few results amid row with Israel over Rafah",
        CNN: "Blinken meets with Netanyahu in Israel as diplomatic efforts ramp up",
    }


def test_boilerplate_leaves_the_body_for_the_audit_table(warehouse) -> None:
    body = _one(warehouse, "SELECT body FROM articles WHERE source_path = ?", [NATIONAL])[0]
    assert "Powered by automated translation" not in body
    assert "before leaving Israel. AP" not in body
    assert "A three-day diplomatic blitz" in body
    removed = dict(
        warehouse.execute(
            "SELECT text, kind FROM boilerplate_lines JOIN articles USING (article_id) WHERE source_path = ?",
            [NATIONAL],
        ).fetchall()
    )
    assert removed["Powered by automated translation"] == "translation_notice"
    caption = next(text for text in removed if text.endswith("before leaving Israel. AP"))
    assert removed[caption] == "caption"


def test_captions_keep_their_credit_and_point_at_their_audit_line(warehouse) -> None:
    caption, credit, kind = _one(
        warehouse,
        """SELECT c.caption, c.credit, b.kind FROM captions c
           JOIN boilerplate_lines b USING (article_id, line_no) JOIN articles a USING (article_id)
           WHERE a.source_path = ?""",
        [NATIONAL],
    )
    assert caption.endswith("before leaving Israel.") and credit == "AP" and kind == "caption"


def test_structure_of_the_national_seed(warehouse) -> None:
    subtitle, publisher, updated_at, published_at = _one(
        warehouse,
        "SELECT subtitle, publisher, updated_at, published_at FROM articles WHERE source_path = ?",
        [NATIONAL],
    )
    assert subtitle.startswith("Benjamin Netanyahu declares Israel will go ahead with ground operations")
    assert publisher == "The National"
    assert str(updated_at) == "2024-03-22 18:51:00" and published_at is None


def test_netanyahus_we_will_do_it_alone_quote_is_his(warehouse) -> None:
    speaker, speaker_mention, quote_type = _one(
        warehouse,
        "SELECT speaker, speaker_mention, quote_type FROM quotes WHERE text LIKE '%we will do it alone%'",
    )
    assert speaker == "Benjamin Netanyahu"
    assert speaker_mention.lower() == "he"
    assert quote_type == "direct"


def test_quote_and_mention_offsets_point_into_the_body(warehouse) -> None:
    bad = warehouse.sql(
        """SELECT count(*) FROM (
               SELECT q.text, substr(a.body, q.start_char + 1, q.end_char - q.start_char) AS cut
               FROM quotes q JOIN articles a USING (article_id)
               UNION ALL
               SELECT m.text, substr(a.body, m.start_char + 1, m.end_char - m.start_char)
               FROM entity_mentions m JOIN articles a USING (article_id))
           WHERE text <> cut"""
    ).fetchall()[0][0]
    assert bad == 0


def test_entities_are_canonical_within_an_article(warehouse) -> None:
    names = warehouse.execute(
        """SELECT DISTINCT m.name FROM entity_mentions m JOIN articles a USING (article_id)
           WHERE a.source_path = ? AND m.text LIKE '%Netanyahu%'""",
        [NATIONAL],
    ).fetchall()
    assert names == [("Benjamin Netanyahu",)]


def test_the_version_records_validation_and_exports_match(seed_run, warehouse) -> None:
    settings, _ = seed_run
    assert not list((settings.warehouse_dir / "staging").glob("*.duckdb*"))  # published: no batch kept
    version, status, validation = _one(warehouse, "SELECT version, status, validation FROM versions")
    assert (version, status) == (1, "published")
    passed, total = (int(n) for n in validation.split()[0].split("/"))
    assert passed == total > 0
    failed = _one(warehouse, "SELECT count(*) FROM validation_results WHERE NOT success")[0]
    assert failed == 0
    quotes = pl.read_parquet(settings.exports_dir / "quotes" / "*.parquet")
    assert quotes.height == _one(warehouse, "SELECT count(*) FROM quotes")[0]
    manifest = json.loads((settings.exports_dir / "_version.json").read_text())
    assert manifest["version"] == 1


def test_the_suites_are_checked_by_the_staging_step_itself(seed_run) -> None:
    _, outcome = seed_run
    events = outcome.result.all_events
    checked = [
        event
        for event in events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and event.asset_check_evaluation_data.check_name.endswith("_suite")
    ]
    assert sorted(event.asset_check_evaluation_data.check_name for event in checked) == sorted(
        f"{table}_suite" for table in TABLE_NAMES
    )
    assert {event.step_key for event in checked} == {"staged_batch"}  # no step of their own
    assert all(event.asset_check_evaluation_data.passed for event in checked)
    started = {event.step_key for event in events if event.event_type_value == "STEP_START"}
    assert not {step for step in started if step.endswith("_suite")}


def test_sql_models_are_built(warehouse) -> None:
    per_speaker = dict(
        warehouse.sql("SELECT speaker, sum(quotes) FROM quotes_per_speaker GROUP BY 1").fetchall()
    )
    direct = dict(
        warehouse.sql("SELECT coalesce(speaker, '(unknown)'), count(*) FROM quotes GROUP BY 1").fetchall()
    )
    assert per_speaker == direct
    assert per_speaker.get("Antony Blinken", 0) >= 3


def _strict_suites(folder: Path) -> Path:
    """The shipped suites, with one expectation the seeds cannot meet (every quote direct)."""
    folder.mkdir()
    for suite in EXPECTATIONS_DIR.iterdir():
        (folder / suite.name).write_text(suite.read_text())
    quotes_suite = json.loads((folder / "quotes.json").read_text())
    quotes_suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "quote_type", "value_set": ["direct"]},
        }
    )
    (folder / "quotes.json").write_text(json.dumps(quotes_suite))
    return folder


def test_a_failing_suite_blocks_publication(seed_input: Path, seed_run, tmp_path: Path) -> None:
    published, _ = seed_run
    strict = _strict_suites(tmp_path / "expectations")
    warehouse_dir = tmp_path / "warehouse"
    warehouse_dir.mkdir()
    (warehouse_dir / "news.duckdb").write_bytes(published.database_path.read_bytes())
    before = (warehouse_dir / "news.duckdb").read_bytes()

    outcome = run_pipeline(settings_for(seed_input, warehouse_dir, expectations_dir=strict))

    assert not outcome.success
    assert outcome.reason.startswith("nothing published: blocking suite failed: quotes:")
    assert "expect_column_values_to_be_in_set(quote_type)" in outcome.reason
    assert (warehouse_dir / "news.duckdb").read_bytes() == before
    kept = staging_path(warehouse_dir, outcome.result.run_id)
    assert str(kept) in outcome.reason
    con = duckdb.connect(str(kept), read_only=True)
    quote_types = {row[0] for row in con.sql("SELECT DISTINCT quote_type FROM quotes").fetchall()}
    con.close()
    assert quote_types - {"direct"}, "the kept batch holds the rows that failed the suite"


def test_a_warn_only_suite_records_its_failure_and_publishes(seed_input: Path, tmp_path: Path) -> None:
    strict = _strict_suites(tmp_path / "expectations")
    settings = settings_for(
        seed_input, tmp_path / "warehouse", expectations_dir=strict, warn_only_suites="quotes"
    )
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.reason
    con = duckdb.connect(str(settings.database_path), read_only=True)
    failed = con.sql(
        "SELECT table_name, column_name, unexpected_count > 0 FROM validation_results WHERE NOT success"
    ).fetchall()
    validation = con.sql("SELECT validation FROM versions").fetchall()[0][0]
    con.close()
    assert failed == [("quotes", "quote_type", True)]
    passed, total = (int(n) for n in validation.split()[0].split("/"))
    assert passed == total - 1


SEED_PEOPLE = [
    "Antony Blinken",
    "Benjamin Netanyahu",
    "Aaron David Miller",
    "Nate Evans",
    "Linda Thomas-Greenfield",
    "Chuck Schumer",
    "Mike Johnson",
    "Bill Burns",
]


def test_the_seed_people_are_one_person_entity_each_across_articles(warehouse) -> None:
    found = warehouse.execute(
        "SELECT name, label, count(*) OVER (PARTITION BY name) FROM entities WHERE name IN ?", [SEED_PEOPLE]
    ).fetchall()
    assert sorted(name for name, _, _ in found) == sorted(SEED_PEOPLE)
    assert {label for _, label, _ in found} == {"PERSON"}
    articles = dict(
        warehouse.sql(
            "SELECT name, article_count FROM entities WHERE name IN ('Antony Blinken', 'Benjamin Netanyahu')"
        ).fetchall()
    )
    assert articles == {"Antony Blinken": 2, "Benjamin Netanyahu": 2}
    assert warehouse.sql(
        "SELECT count(*) FROM entities WHERE name = 'State' AND label = 'ORG'"
    ).fetchall() == [(0,)]
