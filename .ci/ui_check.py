"""`make ui-check`: start the Dagster UI, check it over GraphQL, save a screenshot of the asset graph;
then write the dataset report of the warehouse (`wirehouse report`), open it offline and save a screenshot
in which its charts are drawn (`--report-only` for that part alone).

Uses Debian's chromium (headless); the Makefile installs it when missing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.report.browser import HEADLESS_FLAGS, BrowserError, chromium
from pipeline.ui import dagster_dev, graphql

CHROMIUM_FLAGS = [*HEADLESS_FLAGS, "--window-size=1800,1100", "--virtual-time-budget=20000"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("ui-check"))
    parser.add_argument("--report-only", action="store_true", help="only the dataset report's check")
    parser.add_argument("--warehouse", type=Path, help="the report's warehouse (default: warehouse)")
    parser.add_argument("--docs", type=Path, help="also copy the report's screenshot here (the README's)")
    args = parser.parse_args()
    try:
        browser = chromium()
    except BrowserError as exc:
        raise SystemExit(str(exc)) from None
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        ui_screenshots(browser, args.out)
    report_check(args.out, args.warehouse, args.docs)


def ui_screenshots(browser: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch, dagster_dev(Path(scratch) / "dagster_home") as port:
        assets = graphql(port, "{ assetNodes { assetKey { path } } }")["assetNodes"]
        print(f"UI on port {port}: {len(assets)} assets loaded")
        groups = ("ingest", "cleaning", "nlp", "publish", "sql_staging", "sql_marts")
        pages = [("lineage", "/asset-groups")]
        pages += [(f"group-{group}", f"/locations/wirehouse/asset-groups/{group}") for group in groups]
        for name, page in pages:
            target = out.resolve() / f"{name}.png"
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


# --- the dataset report (issue 20) ---
MIN_COLOURED_SHARE = 0.01  # charts are coloured; text, rules and tables are grey


def report_check(out: Path, warehouse: Path | None, docs: Path | None) -> None:
    """The report of the warehouse's current version (the pipeline is run first if nothing is published),
    with no external source, drawn offline: every chart drawn, and a screenshot that is not blank."""
    from pipeline.report import write_report
    from pipeline.report.browser import external_sources, screenshot
    from pipeline.settings import Settings

    settings = Settings.from_env(warehouse_dir=warehouse)
    if not settings.database_path.exists():
        wirehouse = Path(sys.executable).parent / "wirehouse"
        subprocess.run([str(wirehouse), "run", "--warehouse", str(settings.warehouse_dir)], check=True)
    report = write_report(settings.database_path, settings.models_dir, out / "report.html")
    external = external_sources(report.path.read_text(encoding="utf-8"))
    if external:
        raise SystemExit(f"{report.path} loads from outside: {external[:3]}")
    png = out / "report.png"
    rendered = screenshot(report.path, png)
    spread, coloured = pixel_stats(png)
    if spread < 10 or coloured < MIN_COLOURED_SHARE:
        raise SystemExit(f"{png} looks blank: grey-level spread {spread:.1f}, coloured share {coloured:.3f}")
    print(
        f"report of version {report.version}: {rendered.drawn}/{rendered.charts} charts drawn offline, "
        f"no external source; saved {png} (spread {spread:.1f}, coloured {coloured:.1%})"
    )
    if docs is not None:
        docs.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, docs)
        print(f"copied to {docs}")


def pixel_stats(png: Path) -> tuple[float, float]:
    """The screenshot's grey-level standard deviation, and the share of clearly coloured pixels."""
    from PIL import Image, ImageStat

    image = Image.open(png).convert("RGB")
    spread = ImageStat.Stat(image.convert("L")).stddev[0]
    saturation = image.convert("HSV").getchannel("S")
    coloured = sum(saturation.histogram()[60:]) / (image.width * image.height)
    return spread, coloured


if __name__ == "__main__":
    main()
