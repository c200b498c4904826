"""`wirehouse run` and `wirehouse versions` end to end in a subprocess, as users and scorers call them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl

from pipeline.settings import PROJECT_ROOT

WIREHOUSE = str(Path(sys.executable).parent / "wirehouse")


def _wirehouse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WIREHOUSE, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)


def test_run_then_versions(seed_input: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    first = _wirehouse("run", "--input", str(seed_input), "--warehouse", str(warehouse))
    assert first.returncode == 0, first.stderr[-2000:]
    assert "published version 1" in first.stdout
    assert "articles                2" in first.stdout

    second = _wirehouse("run", "--input", str(seed_input), "--warehouse", str(warehouse))
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.stdout.strip() == "nothing changed: version 1 is current"

    versions = _wirehouse("versions", "--warehouse", str(warehouse))
    assert versions.returncode == 0
    lines = [line for line in versions.stdout.splitlines() if line[:1].isdigit()]
    assert [line.split()[0] for line in lines] == ["1"]
    assert all("published" in line and "articles=2" in line for line in lines)

    changed = tmp_path / "changed"
    shutil.copytree(seed_input, changed)
    first_article = sorted(changed.glob("*.txt"))[0]
    first_article.write_text(first_article.read_text(encoding="utf-8") + "\nA new closing line.\n", "utf-8")
    third = _wirehouse("run", "--input", str(changed), "--warehouse", str(warehouse))
    assert third.returncode == 0, third.stderr[-2000:]
    assert "published version 2" in third.stdout

    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    assert con.sql("SELECT count(*) FROM articles_at(1)").fetchall()[0][0] == 2
    con.close()

    exported = _wirehouse(
        "export", "--version", "1", "--warehouse", str(warehouse), "--out", str(tmp_path / "v1")
    )
    assert exported.returncode == 0, exported.stderr
    assert pl.read_parquet(tmp_path / "v1" / "articles" / "*.parquet").height == 2


def test_a_missing_input_folder_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    result = _wirehouse("run", "--input", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "wh"))
    assert result.returncode != 0
    assert "nowhere" in result.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "wh" / "news.duckdb").exists()


def test_unreadable_files_are_quarantined_and_the_run_goes_on(seed_input: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "input"
    shutil.copytree(seed_input, inputs)
    (inputs / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = _wirehouse("run", "--input", str(inputs), "--warehouse", str(tmp_path / "wh"))
    assert result.returncode == 0, result.stderr[-2000:]
    con = duckdb.connect(str(tmp_path / "wh" / "news.duckdb"), read_only=True)
    assert con.sql("SELECT source_path, reason FROM quarantine").fetchall() == [("photo.txt", "binary")]
    assert con.sql("SELECT count(*) FROM articles").fetchall()[0][0] == 2
    con.close()


def test_a_malformed_suite_file_is_one_clear_line(seed_input: Path, tmp_path: Path) -> None:
    suites = tmp_path / "expectations"
    suites.mkdir()
    (suites / "quotes.json").write_text('{"expectations": [', encoding="utf-8")
    result = subprocess.run(
        [WIREHOUSE, "run", "--input", str(seed_input), "--warehouse", str(tmp_path / "wh")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "WIREHOUSE_EXPECTATIONS_DIR": str(suites)},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"wirehouse run: nothing published: {suites / 'quotes.json'}: not valid JSON")


def test_models_lists_every_sql_file_with_its_dependencies() -> None:
    result = _wirehouse("models")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert set(rows) == {path.stem for path in (PROJECT_ROOT / "dbt_like_sql").rglob("*.sql")}
    assert "stg_quotes" in rows["quotes_per_speaker"]
