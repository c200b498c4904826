"""Start the Dagster UI (`dagster dev`) for checks and screenshots, and end it with all its children.

`dagster dev` spawns a code server, a gRPC server, the webserver and a daemon; ending only the parent
leaves them running, so it is started in its own process group and the whole group is ended.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from pipeline.settings import PROJECT_ROOT

INSTANCE_CONFIG = (
    "concurrency:\n  pools:\n    default_limit: 1  # one writer of news.duckdb at a time\n"
    "nux:\n  enabled: false\n"
    "telemetry:\n  enabled: false\n"
    "python_logs:\n  managed_python_loggers: [pipeline]  # our log lines in the run's event log\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


@contextlib.contextmanager
def dagster_dev(home: Path, env: dict[str, str] | None = None, timeout: float = 180) -> Iterator[int]:
    """`dagster dev` on a free local port with `home` as DAGSTER_HOME; yields the port once assets load."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")
    port = free_port()
    dagster = str(Path(sys.executable).parent / "dagster")
    process = subprocess.Popen(
        [dagster, "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {}), "DAGSTER_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError, KeyError, TypeError):
                if graphql(port, "{ assetNodes { id } }")["assetNodes"]:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"dagster dev exited with {process.returncode} before the UI answered")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the Dagster UI did not answer on port {port} within {timeout:.0f} s")
            time.sleep(1)
        yield port
    finally:
        _end_group(process)


def _end_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    time.sleep(1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children that outlived the parent
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
