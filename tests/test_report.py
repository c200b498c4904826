"""The dataset report (issue 20): its figures against SQL counts on the seeds, earlier versions through time
travel, a self-contained page, drawn offline by headless chromium, and the Dagster asset."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipeline.cli import main
from pipeline.orchestrate import run_pipeline
from pipeline.report import default_report_path, write_report
from pipeline.report.browser import external_sources, screenshot
from pipeline.report.figures import Figures, version_figures
from pipeline.storage.schema import TABLE_NAMES
from tests.conftest import SEED_ARTICLES, settings_for


def _sql(database: Path, query: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.sql(query).fetchall()
    finally:
        con.close()


def _rows(frame: pl.DataFrame, *columns: str) -> set[tuple]:
    return set(frame.select(columns).iter_rows())


@pytest.fixture(scope="module")
def seed_figures(seed_run) -> tuple[Path, Figures]:
    settings, _ = seed_run
    return settings.database_path, version_figures(settings.database_path, settings.models_dir)


def test_articles_per_publisher_and_day_equal_the_articles_table(seed_figures) -> None:
    database, figures = seed_figures
    expected = _sql(
        database,
        "SELECT publisher, coalesce(CAST(CAST(coalesce(published_at, updated_at) AS DATE) AS VARCHAR), "
        "'(no date)'), count(*) FROM articles GROUP BY ALL",
    )
    assert _rows(figures["articles_per_day"], "publisher", "day", "articles") == set(expected)
    assert (
        figures["articles_per_day"]["articles"].sum() == _sql(database, "SELECT count(*) FROM articles")[0][0]
    )


def test_most_quoted_speakers_and_their_quote_types_equal_the_quotes_table(seed_figures) -> None:
    database, figures = seed_figures
    expected = _sql(
        database,
        "SELECT speaker, count(*), count(*) FILTER (WHERE quote_type = 'direct'), "
        "count(*) FILTER (WHERE quote_type = 'partial'), count(*) FILTER (WHERE quote_type = 'indirect') "
        "FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker ORDER BY 2 DESC, speaker LIMIT 15",
    )
    frame = figures["top_speakers"]
    assert frame.select("speaker", "quotes", "direct", "partial", "indirect").rows() == expected
    assert frame.height > 3 and frame["quotes"][0] >= frame["quotes"][1]
    unattributed = _sql(database, "SELECT count(*) FROM quotes WHERE speaker IS NULL")[0][0]
    assert figures["quotes_without_speaker"]["quotes"][0] == unattributed


def test_quote_share_by_gender_counts_every_quote_and_shows_unknown_as_unknown(seed_figures) -> None:
    database, figures = seed_figures
    expected = _sql(
        database,
        "SELECT a.publisher, coalesce(q.speaker_gender, 'unknown'), count(*) "
        "FROM quotes q JOIN articles a USING (article_id) GROUP BY ALL",
    )
    frame = figures["gender_share"]
    assert _rows(frame, "publisher", "speaker_gender", "quotes") == set(expected)
    assert frame["quotes"].sum() == _sql(database, "SELECT count(*) FROM quotes")[0][0]
    assert "unknown" in frame["speaker_gender"].to_list()
    assert None not in frame["speaker_gender"].to_list() and None not in frame["month"].to_list()
    for (_, _), group in frame.group_by("publisher", "month"):
        assert group["share"].sum() == pytest.approx(1.0, abs=1e-3)


def test_most_mentioned_entities_equal_their_mentions(seed_figures) -> None:
    database, figures = seed_figures
    counted = dict(
        _sql(
            database,
            "SELECT e.name, count(*) FROM entity_mentions JOIN entities e USING (entity_id) GROUP BY e.name",
        )
    )
    frame = figures["top_entities"]
    assert frame.height == 15
    assert {row["entity"]: row["mentions"] for row in frame.iter_rows(named=True)} == {
        name: counted[name] for name in frame["entity"]
    }
    assert frame["mentions"].min() >= sorted(counted.values(), reverse=True)[14]


def test_strongest_co_mentions_equal_entities_sharing_a_sentence(seed_figures) -> None:
    database, figures = seed_figures
    mentions = _sql(
        database,
        "SELECT DISTINCT m.article_id, m.sentence_no, e.name FROM entity_mentions m JOIN entities e "
        "USING (entity_id)",
    )
    sentences: dict[tuple, set[str]] = {}
    for article, sentence, name in mentions:
        sentences.setdefault((article, sentence), set()).add(name)
    pairs = Counter(frozenset((a, b)) for names in sentences.values() for a in names for b in names if a < b)
    frame = figures["top_pairs"]
    for row in frame.iter_rows(named=True):
        assert row["sentences"] == pairs[frozenset((row["entity_a"], row["entity_b"]))]
    assert frame["sentences"][0] == max(pairs.values())


def test_who_is_quoted_about_whom_equals_mentions_inside_quotes(seed_figures) -> None:
    database, figures = seed_figures
    expected = _sql(
        database,
        "SELECT q.speaker, e.name, count(DISTINCT q.quote_id) FROM quotes q "
        "JOIN entity_mentions m ON m.article_id = q.article_id AND m.start_char >= q.start_char "
        "AND m.end_char <= q.end_char JOIN entities e ON e.entity_id = m.entity_id "
        "WHERE q.speaker IS NOT NULL AND m.entity_id IS DISTINCT FROM q.speaker_entity_id GROUP BY ALL",
    )
    frame = figures["quoted_about"]
    assert frame.height > 0
    assert _rows(frame, "speaker", "about", "quotes") <= set(expected)
    assert frame["quotes"][0] == max(count for *_, count in expected)


def test_boilerplate_quarantine_suites_and_changes_equal_their_tables(seed_figures) -> None:
    database, figures = seed_figures
    assert _rows(figures["boilerplate"], "kind", "lines") == set(
        _sql(database, "SELECT kind, count(*) FROM boilerplate_lines GROUP BY kind")
    )
    assert _rows(figures["quarantine"], "reason", "files") == set(
        _sql(database, "SELECT reason, count(*) FROM quarantine GROUP BY reason")
    )
    suites = figures["suites"]
    assert set(suites["suite"]) == set(TABLE_NAMES)
    assert suites["failed"].sum() == 0
    assert (
        suites["expectations"].sum()
        == _sql(
            database,
            "SELECT count(*) FROM validation_results WHERE version = (SELECT max(version) FROM versions)",
        )[0][0]
    )
    changes = figures["changes"]
    assert changes["table_name"].to_list() == list(TABLE_NAMES)
    assert dict(changes.select("table_name", "rows_now").rows()) == figures.info.row_counts


def test_the_page_is_self_contained_with_a_table_beside_every_chart(seed_run, tmp_path: Path) -> None:
    settings, _ = seed_run
    out = tmp_path / "report.html"
    assert main(["report", "--warehouse", str(settings.warehouse_dir), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert external_sources(page) == []
    assert 'src="http' not in page and 'href="http' not in page
    specs = page.split("const specs = ", 1)[1]
    assert "$schema" not in specs and "http" not in specs.split("</script>", 1)[0]  # no URL in the data
    assert page.count("<section ") == page.count('<table class="data">') == 10  # a table in every section
    assert page.count('class="chart"') == 9  # every section but the quarantine (empty on the seeds)
    assert "vegaEmbed(" in page and "Antony Blinken" in page


def test_the_report_is_drawn_offline_in_headless_chromium(seed_run, tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (make test installs it)")
    from PIL import Image, ImageStat

    settings, _ = seed_run
    report = write_report(settings.database_path, settings.models_dir, tmp_path / "report.html")
    rendered = screenshot(report.path, tmp_path / "report.png")
    assert rendered.charts == 9 and rendered.drawn == 9 and rendered.svgs == 9 and not rendered.error
    image = Image.open(tmp_path / "report.png").convert("RGB")
    assert ImageStat.Stat(image.convert("L")).stddev[0] > 10  # not blank
    coloured = sum(image.convert("HSV").getchannel("S").histogram()[60:])
    assert coloured / (image.width * image.height) > 0.01  # the charts' colours, not only grey text


def test_the_dagster_asset_writes_the_page_with_its_path_and_a_summary(seed_run) -> None:
    settings, outcome = seed_run
    (materialization,) = [
        event.event_specific_data.materialization
        for event in outcome.result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
        and event.event_specific_data.materialization.asset_key == dg.AssetKey("dataset_report")
    ]
    metadata = {key: value.value for key, value in materialization.metadata.items()}
    assert Path(metadata["path"]) == default_report_path(settings.warehouse_dir, 1)
    assert Path(metadata["path"]).exists()
    assert "**Version 1**" in metadata["summary"] and "| quotes |" in metadata["summary"]


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory):
    """Version 1: the seeds; version 2: one article removed and an empty file added."""
    folder = tmp_path_factory.mktemp("report-input")
    for article in SEED_ARTICLES.glob("*.txt"):
        shutil.copy(article, folder / article.name)
    settings = settings_for(folder, tmp_path_factory.mktemp("report-warehouse"))
    first = run_pipeline(settings)
    assert first.success, first.reason
    removed = sorted(folder.glob("*.txt"))[0]
    removed.unlink()
    (folder / "empty.txt").write_text("", encoding="utf-8")
    second = run_pipeline(settings)
    assert second.success, second.reason
    return settings


def test_an_earlier_version_shows_that_versions_figures(two_versions, tmp_path: Path) -> None:
    settings = two_versions
    database = settings.database_path
    assert _sql(database, "SELECT max(version) FROM versions")[0][0] == 2
    out = tmp_path / "v1.html"
    assert (
        main(["report", "--version", "1", "--warehouse", str(settings.warehouse_dir), "--out", str(out)]) == 0
    )
    v1 = version_figures(database, settings.models_dir, version=1)
    v2 = version_figures(database, settings.models_dir)
    assert (v1.info.version, v1.info.current, v2.info.version) == (1, 2, 2)

    for version, figures in ((1, v1), (2, v2)):
        articles = _sql(database, f"SELECT publisher, count(*) FROM articles_at({version}) GROUP BY ALL")
        assert _rows(
            figures["articles_per_day"].group_by("publisher").agg(pl.col("articles").sum()),
            "publisher",
            "articles",
        ) == set(articles)
        quotes = _sql(database, f"SELECT count(*) FROM quotes_at({version})")[0][0]
        assert figures["gender_share"]["quotes"].sum() == quotes
        reasons = _sql(database, f"SELECT reason, count(*) FROM quarantine_at({version}) GROUP BY ALL")
        assert _rows(figures["quarantine"], "reason", "files") == set(reasons)
    assert v1["articles_per_day"]["articles"].sum() == 2 and v2["articles_per_day"]["articles"].sum() == 1
    assert v1["quarantine"].is_empty() and v2["quarantine"].rows() == [("empty", 1)]
    assert v1["gender_share"]["quotes"].sum() > v2["gender_share"]["quotes"].sum()

    changes = dict(v2["changes"].select("table_name", "retired").rows())
    assert changes["articles"] == 1
    assert dict(v2["changes"].select("table_name", "added").rows())["quarantine"] == 1
    assert dict(v1["changes"].select("table_name", "retired").rows())["articles"] == 0

    page = out.read_text(encoding="utf-8")
    assert "version 1" in page and "current is 2" in page and "No file was quarantined" in page
