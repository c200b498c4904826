"""One run context built at the edge: what is given to the settings reaches the code below, and the
environment is not read again on the way (the Dagster resource only holds the settings)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.orchestrate import run_pipeline
from pipeline.resources import WirehouseConfig
from pipeline.settings import SEEDS_DIR, Settings
from tests.conftest import SEED_ARTICLES, settings_for

EXTRA_PATTERN = 'advert,from_the_run_seeds,"^Russia and China vetoed the measure on Friday.*$"\n'


def test_the_resource_holds_the_settings_it_was_given_whatever_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmp_path, tmp_path / "wh", max_file_bytes=1234, check_language=False)
    monkeypatch.setenv("WIREHOUSE_MAX_FILE_BYTES", "99")
    monkeypatch.setenv("WIREHOUSE_SEEDS_DIR", str(tmp_path / "elsewhere"))
    held = WirehouseConfig.from_settings(settings).settings
    assert held == settings
    assert (held.input_limits.max_file_bytes, held.input_limits.check_language) == (1234, False)
    assert held.seeds_dir == SEEDS_DIR


def test_a_limit_and_a_seeds_folder_given_to_the_settings_reach_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    for article in SEED_ARTICLES.glob("*.txt"):
        shutil.copy(article, folder / article.name)
    (folder / "long.txt").write_text("Long story\n\n" + "A sentence of the story. " * 300, encoding="utf-8")
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds, ignore=shutil.ignore_patterns("articles"))
    with (seeds / "boilerplate_patterns.csv").open("a", encoding="utf-8") as patterns:
        patterns.write(EXTRA_PATTERN)
    # the environment says otherwise: were it read below the edge, every file would be too large
    monkeypatch.setenv("WIREHOUSE_MAX_FILE_BYTES", "1")
    settings = settings_for(folder, tmp_path / "warehouse", max_file_bytes=6_000, seeds_dir=seeds)

    outcome = run_pipeline(settings)

    assert outcome.success, outcome.reason
    con = duckdb.connect(str(settings.database_path), read_only=True)
    try:
        quarantined = con.sql("SELECT source_path, reason, detail FROM quarantine").fetchall()
        articles = con.sql("SELECT count(*) FROM articles").fetchall()[0][0]
        rules = {row[0] for row in con.sql("SELECT rule FROM boilerplate_lines").fetchall()}
    finally:
        con.close()
    assert [(path, reason) for path, reason, _ in quarantined] == [("long.txt", "too_large")]
    assert "over the limit of 6,000 bytes" in quarantined[0][2]
    assert articles == 2
    assert "pattern:from_the_run_seeds" in rules  # the cleaning reference came from the run's seeds folder


def test_settings_built_from_a_given_environment_read_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREHOUSE_MAX_TEXT_CHARS", "5")
    settings = Settings.build({"WIREHOUSE_CHECK_LANGUAGE": "0"})
    assert (settings.max_text_chars, settings.check_language) == (200_000, False)
