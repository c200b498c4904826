"""`make cluster-demo`: the partitioned pipeline on a local cluster of real parts, on loopback.

A Redis broker (Debian's `redis-server`), an S3-compatible object store (`moto_server`), two Celery worker
processes (`dagster-celery`), and a Dagster instance with its webserver and daemon (`dagster dev`). INPUT is
registered as N landing batches; one asset backfill of the N partitions runs through the Celery executor
(per-batch steps on the workers, hand-offs in s3://, the corpus-level steps once every batch is done) and
publishes one version. Everything started here is stopped at the end. The last line:

    cluster-demo: partitions=N workers=2 version=V articles=A quotes=Q handoffs=s3://...
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.ingest import list_input_files  # noqa: E402
from pipeline.ui import dagster_dev, free_port  # noqa: E402

BIN = Path(sys.executable).parent
BUCKET = "wirehouse-handoffs"
CLUSTER_INSTANCE = """\
concurrency:
  runs:
    max_concurrent_runs: 2  # runs of the backfill at once (queued); their steps go to the Celery workers
  pools:
    default_limit: 1  # one writer of news.duckdb at a time
telemetry:
  enabled: false
nux:
  enabled: false
"""
TERMINAL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}


def log(message: str) -> None:
    print(f"cluster-demo: {message}", flush=True)


@contextlib.contextmanager
def process(name: str, args: list[str], env: dict[str, str], out: Path) -> Iterator[subprocess.Popen]:
    """A process in its own group, logging to `out`; the whole group is ended on exit."""
    handle = out.open("w")
    started = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    log(f"started {name} (pid {started.pid})")
    try:
        yield started
    finally:
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(started.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                started.wait(timeout=wait)
                break
        handle.close()
        log(f"stopped {name}")


def wait_for_port(port: int, what: str, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    if answer.get("errors"):
        raise RuntimeError(f"GraphQL error: {answer['errors']}")
    return answer["data"]


LAUNCH = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on UnauthorizedError { message }
  }
}"""
STATUS = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status runs(limit: 1000) { runId status } }
    ... on PythonError { message }
  }
}"""


def backfill(port: int, keys: list[str], timeout: float) -> tuple[str, list[dict]]:
    """One asset backfill of every asset over the partitions `keys`; waits for it to end."""
    assets = graphql(port, "{ assetNodes { assetKey { path } } }")["assetNodes"]
    params = {
        "partitionNames": keys,
        "assetSelection": [{"path": node["assetKey"]["path"]} for node in assets],
        "fromFailure": False,
        "title": f"cluster-demo: {len(keys)} landing batches",
    }
    launched = graphql(port, LAUNCH, {"params": params})["launchPartitionBackfill"]
    if launched["__typename"] != "LaunchBackfillSuccess":
        raise RuntimeError(f"the backfill was not launched: {launched}")
    backfill_id = launched["backfillId"]
    log(f"backfill {backfill_id} of {len(keys)} partitions launched")
    deadline = time.monotonic() + timeout
    status, runs = "REQUESTED", []
    while time.monotonic() < deadline:
        answer = graphql(port, STATUS, {"id": backfill_id})["partitionBackfillOrError"]
        status, runs = answer.get("status"), answer.get("runs") or []
        if status in TERMINAL and all(run["status"] in {"SUCCESS", "FAILURE", "CANCELED"} for run in runs):
            return status, runs
        time.sleep(3)
    raise TimeoutError(f"backfill {backfill_id} still {status} after {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    input_dir, warehouse_dir = args.input.resolve(), args.warehouse.resolve()
    files = len(list_input_files(input_dir))
    batch_files = max(1, math.ceil(files / args.partitions))
    work = Path(tempfile.mkdtemp(prefix="wirehouse-cluster-"))
    redis_port, s3_port = free_port(), free_port()
    handoffs = f"s3://{BUCKET}/{warehouse_dir.name}-{int(time.time())}"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(work / "dagster_home"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "WIREHOUSE_INPUT_DIR": str(input_dir),
        "WIREHOUSE_WAREHOUSE_DIR": str(warehouse_dir),
        "WIREHOUSE_BATCH_FILES": str(batch_files),
        "WIREHOUSE_EXECUTOR": "celery",
        "WIREHOUSE_HANDOFF_URL": handoffs,
        "WIREHOUSE_CELERY_BROKER": f"redis://127.0.0.1:{redis_port}/0",
        "WIREHOUSE_CELERY_BACKEND": f"redis://127.0.0.1:{redis_port}/1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "wirehouse",
        "AWS_SECRET_ACCESS_KEY": "wirehouse",
    }
    os.environ.update(env)  # this process registers the batches and reads the object store too
    home = Path(env["DAGSTER_HOME"])
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(CLUSTER_INSTANCE, encoding="utf-8")
    celery_config = work / "celery.yaml"
    celery_config.write_text(
        "execution:\n  config:\n"
        f"    broker: {env['WIREHOUSE_CELERY_BROKER']}\n"
        f"    backend: {env['WIREHOUSE_CELERY_BACKEND']}\n"
        "    config_source:\n      worker_concurrency: 1\n      worker_prefetch_multiplier: 1\n",
        encoding="utf-8",
    )
    log(f"{files} files in {input_dir} -> {args.partitions} landing batches of at most {batch_files}")
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        redis = [
            "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no",
        ]  # fmt: skip
        stack.enter_context(process("redis-server", redis, env, work / "redis.log"))
        s3 = [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)]
        stack.enter_context(process("moto_server (S3)", s3, env, work / "moto.log"))
        wait_for_port(redis_port, "redis-server")
        wait_for_port(s3_port, "moto_server")
        import s3fs

        s3fs.S3FileSystem().mkdir(BUCKET)

        from pipeline.orchestrate import project_instance, register_batches
        from pipeline.settings import Settings

        settings = Settings.from_env()
        with project_instance() as instance:
            keys = register_batches(settings, instance)
        log(f"registered {len(keys)} landing batches: {', '.join(keys)}")
        for number in range(1, args.workers + 1):
            worker = [
                str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
                "-y", str(celery_config), "-n", f"wirehouse-worker-{number}", "-l", "warning",
            ]  # fmt: skip
            stack.enter_context(process(f"celery worker {number}", worker, env, work / f"worker{number}.log"))
        port = stack.enter_context(dagster_dev(home, env=env))
        log(f"Dagster webserver and daemon on http://127.0.0.1:{port}")
        status, runs = backfill(port, keys, args.timeout)
        handoff_files = len(s3fs.S3FileSystem().find(handoffs.removeprefix("s3://")))
    failed = [run["runId"] for run in runs if run["status"] != "SUCCESS"]
    if status not in {"COMPLETED", "COMPLETED_SUCCESS"} or failed:
        log(f"backfill ended {status}; failed runs: {failed}; logs in {work}")
        return 1
    import duckdb

    con = duckdb.connect(str(settings.database_path), read_only=True)
    try:
        versions = con.sql("SELECT version, run_id FROM versions ORDER BY version").fetchall()
        articles = con.sql("SELECT count(*) FROM articles").fetchall()[0][0]
        quotes = con.sql("SELECT count(*) FROM quotes").fetchall()[0][0]
    finally:
        con.close()
    run_ids = {run["runId"] for run in runs}
    published = [version for version, run_id in versions if run_id in run_ids]
    log(
        f"{len(runs)} runs in {time.monotonic() - started:.0f} s; {handoff_files} hand-off files in "
        f"{handoffs}; versions published by the backfill: {published}"
    )
    if len(published) != 1:
        log(f"expected one version from the backfill, got {published}")
        return 1
    print(
        f"cluster-demo: partitions={len(keys)} workers={args.workers} version={published[0]} "
        f"articles={articles} quotes={quotes} handoffs={handoffs}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
