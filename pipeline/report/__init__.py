"""The dataset report: one self-contained HTML page about a published version.

SQL over the version (read-only, time travel for earlier versions) -> Polars frames (`figures`) -> Altair
charts (`charts`) -> one HTML page with the JavaScript inlined and a table beside every chart (`page`).
`wirehouse report` and the Dagster asset `dataset_report` both call `write_report`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.report.figures import Figures, version_figures
from pipeline.report.page import SECTIONS, render_page

__all__ = ["Report", "default_report_path", "javascript_bundle", "summary_markdown", "write_report"]


@dataclass(frozen=True)
class Report:
    path: Path
    version: int
    figures: Figures

    @property
    def summary(self) -> str:
        return summary_markdown(self.figures)


def default_report_path(warehouse_dir: Path, version: int) -> Path:
    """`<warehouse>/reports/version-N.html`: one page per version, never overwritten by another's."""
    return warehouse_dir / "reports" / f"version-{version}.html"


def write_report(
    database_path: Path, models_dir: Path, out: Path | None = None, version: int | None = None
) -> Report:
    """Write the page for `version` (default: current) to `out` (default: beside the warehouse); the
    file is written beside its final name and renamed, so a reader never sees half a page."""
    figures = version_figures(database_path, models_dir, version)
    path = out or default_report_path(database_path.parent, figures.info.version)
    page = render_page(figures, javascript_bundle())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, path)
    return Report(path=path, version=figures.info.version, figures=figures)


@functools.cache
def javascript_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script from vl-convert's wheel (Altair's Vega-Lite version)."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())


def summary_markdown(figures: Figures) -> str:
    """A few lines for the Dagster UI: the version, its size, its top speaker, the suites and the changes."""
    info = figures.info
    suites = figures["suites"]
    failed = int(suites["failed"].sum()) if suites.height else 0
    expectations = int(suites["expectations"].sum()) if suites.height else 0
    speakers = figures["top_speakers"]
    top = (
        f"{speakers['speaker'][0]} ({int(speakers['quotes'][0])} quotes)"
        if speakers.height
        else "nobody quoted"
    )
    changes = figures["changes"]
    lines = [
        f"**Version {info.version}** (current: {info.current}), "
        f"published {info.published_at:%Y-%m-%d %H:%M} UTC",
        "",
        "| table | rows | added | retired |",
        "|---|---:|---:|---:|",
        *(
            f"| {row['table_name']} | {row['rows_now']} | {row['added']} | {row['retired']} |"
            for row in changes.iter_rows(named=True)
        ),
        "",
        f"- most quoted: {top}",
        f"- suites: {expectations - failed}/{expectations} expectations passed",
        f"- sections: {', '.join(section.title for section in SECTIONS)}",
    ]
    return "\n".join(lines)
