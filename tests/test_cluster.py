"""The cluster demo at its smallest: the seeds in 2 landing batches, one backfill through the Celery
executor on 2 real workers, a real Redis broker and a real S3-compatible store (moto), all started and
stopped by the demo; the published rows equal a plain `wirehouse run` over the same folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.settings import PROJECT_ROOT

DEMO = PROJECT_ROOT / ".ci" / "cluster_demo.py"
WIREHOUSE = str(Path(sys.executable).parent / "wirehouse")
TABLES = ("articles", "entity_mentions", "entities", "quotes", "boilerplate_lines", "captions", "quarantine")


def published_rows(database: Path) -> dict[str, list[str]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = {}
        for table in TABLES:
            columns = [row[0] for row in con.sql(f"DESCRIBE {table}").fetchall() if row[0] != "version"]
            listed = ", ".join(f'"{column}"' for column in columns)
            rows[table] = sorted(map(repr, con.sql(f"SELECT {listed} FROM {table}").fetchall()))
        return rows
    finally:
        con.close()


@pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server missing: `make test` installs it"
)
def test_a_backfill_of_two_partitions_on_two_celery_workers_publishes_a_plain_runs_rows(
    seed_input: Path, tmp_path: Path
) -> None:
    demo = subprocess.run(
        [sys.executable, str(DEMO), "--input", str(seed_input), "--warehouse", str(tmp_path / "cluster")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    last = demo.stdout.strip().splitlines()[-1]
    assert last.startswith("cluster-demo: partitions=2 workers=2 version=1 articles=2 quotes=")
    assert " handoffs=s3://wirehouse-handoffs/" in last
    assert "stopped redis-server" in demo.stdout and "stopped moto_server (S3)" in demo.stdout
    assert demo.stdout.count("stopped celery worker") == 2

    plain = subprocess.run(
        [WIREHOUSE, "run", "--input", str(seed_input), "--warehouse", str(tmp_path / "plain")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert plain.returncode == 0, plain.stderr[-3000:]
    assert published_rows(tmp_path / "cluster" / "news.duckdb") == published_rows(
        tmp_path / "plain" / "news.duckdb"
    )
