"""`make ui-check`: start the Dagster UI, check it over GraphQL, save a screenshot of the asset graph.

Uses Debian's chromium (headless); the Makefile installs it when missing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.ui import dagster_dev, graphql

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1800,1100",
    "--virtual-time-budget=20000",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("ui-check"))
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium is not installed: `apt-get install chromium` (make ui-check does it)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, dagster_dev(Path(scratch) / "dagster_home") as port:
        assets = graphql(port, "{ assetNodes { assetKey { path } } }")["assetNodes"]
        print(f"UI on port {port}: {len(assets)} assets loaded")
        groups = ("ingest", "cleaning", "nlp", "publish", "sql_staging", "sql_marts")
        pages = [("lineage", "/asset-groups")]
        pages += [(f"group-{group}", f"/locations/wirehouse/asset-groups/{group}") for group in groups]
        for name, page in pages:
            target = args.out.resolve() / f"{name}.png"
            profile = Path(scratch) / f"chromium-{name}"
            subprocess.run(
                [
                    browser,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    f"--screenshot={target}",
                    f"http://127.0.0.1:{port}{page}",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            print(f"saved {target}")


if __name__ == "__main__":
    main()
