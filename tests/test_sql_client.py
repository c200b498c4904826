"""`wirehouse sql`: DuckDB's own renderers on the published warehouse, read-only; harlequin interactively."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.settings import PROJECT_ROOT

WIREHOUSE = str(Path(sys.executable).parent / "wirehouse")
QUERY = (
    "SELECT speaker, count(*) AS quotes FROM quotes WHERE speaker IS NOT NULL GROUP BY ALL ORDER BY 2 DESC, 1"
)


def _sql(warehouse: Path, *args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WIREHOUSE, "sql", "--warehouse", str(warehouse), *args],
        cwd=PROJECT_ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def warehouse(seed_run) -> Path:
    settings, _ = seed_run
    return settings.warehouse_dir


@pytest.fixture(scope="module")
def expected(warehouse: Path) -> list[tuple[str, int]]:
    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    try:
        return con.sql(QUERY).fetchall()
    finally:
        con.close()


def test_table_is_duckdbs_box_rendering(warehouse: Path, expected) -> None:
    result = _sql(warehouse, QUERY)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    box = [line for line in lines if not line.rstrip().endswith("columns")]  # "10 rows  2 columns" footer
    assert box[0].startswith("┌") and box[-1].startswith("└")
    assert "speaker" in lines[1] and "varchar" in lines[2] and "int64" in lines[2]
    assert expected[0][0] in result.stdout


def test_csv_has_a_header_and_every_row(warehouse: Path, expected) -> None:
    result = _sql(warehouse, "--format", "csv", QUERY)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["speaker", "quotes"]
    assert [(name, int(count)) for name, count in rows[1:]] == expected


def test_json_is_an_array_of_objects(warehouse: Path, expected) -> None:
    result = _sql(warehouse, "--format", "json", QUERY)
    assert result.returncode == 0, result.stderr
    assert [(row["speaker"], row["quotes"]) for row in json.loads(result.stdout)] == expected


def test_a_file_of_statements_prints_the_last(warehouse: Path, tmp_path: Path, expected) -> None:
    script = tmp_path / "speakers.sql"
    script.write_text(f"SET threads = 1;\n{QUERY};\n", encoding="utf-8")
    result = _sql(warehouse, "--format", "csv", "-f", str(script))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(expected) + 1


def test_output_redirected_to_a_file_keeps_what_was_there(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with out.open("w") as handle:
        handle.write("# exported\n")
        handle.flush()
        result = _sql(warehouse, "--format", "csv", "SELECT 1 AS one", stdout=handle)
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines() == ["# exported", "one", "1"]


def test_the_warehouse_is_opened_read_only(warehouse: Path) -> None:
    result = _sql(warehouse, "CREATE TABLE notes AS SELECT 1 AS x")
    assert result.returncode == 1
    assert result.stderr.startswith("wirehouse sql: ") and "read-only" in result.stderr


def test_errors_are_duckdbs_words_and_exit_1(warehouse: Path) -> None:
    result = _sql(warehouse, "SELECT * FROM quotez")
    assert result.returncode == 1
    assert result.stderr.startswith("wirehouse sql: Catalog Error: Table with name quotez does not exist")
    assert "Traceback" not in result.stderr


def test_a_query_and_a_file_together_or_no_query_without_a_terminal_exit_2(warehouse: Path) -> None:
    both = _sql(warehouse, "SELECT 1", "-f", "x.sql")
    assert both.returncode == 2 and "not both" in both.stderr
    none = _sql(warehouse)
    assert none.returncode == 2
    assert none.stderr.strip() == (
        'wirehouse sql: no query given: pass one ("SELECT ..."), or -f FILE.sql; '
        "the interactive client needs a terminal"
    )


def test_no_warehouse_says_to_run_first(tmp_path: Path) -> None:
    result = _sql(tmp_path, "SELECT 1")
    assert result.returncode == 1
    assert "run `wirehouse run` first" in result.stderr


def test_without_a_query_on_a_terminal_harlequin_opens_the_warehouse(warehouse: Path) -> None:
    """In a pseudo-terminal: harlequin starts, shows its catalog and connects (read-only)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal's side
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"})
        os.execv(WIREHOUSE, [WIREHOUSE, "sql", "--warehouse", str(warehouse)])
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and b"Database Connected" not in seen:
            ready, _, _ = select.select([fd], [], [], 1)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    assert b"Data Catalog" in seen
    assert b"Database Connected" in seen


def test_a_trailing_semicolon_and_comment_as_in_the_readme(warehouse: Path) -> None:
    query = "SELECT count(*) AS quotes FROM quotes_at(1);  -- any table as of version n: <table>_at(n)"
    for output_format, expected in (("csv", "quotes\n"), ("json", '"quotes":'), ("table", "quotes")):
        result = _sql(warehouse, "--format", output_format, query)
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout


def test_a_reader_that_leaves_early_is_no_traceback(warehouse: Path) -> None:
    shell = f"{WIREHOUSE} sql --warehouse {warehouse} --format csv 'SELECT * FROM range(200000)' | head -1"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
    assert result.stdout == "range\n"
    assert "Traceback" not in result.stderr
