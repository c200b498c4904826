"""`dataset_report`: the HTML report of the version just published, linked from the asset's page."""

import dagster as dg

from pipeline.assets.publish import warehouse
from pipeline.resources import WirehouseConfig


@dg.asset(
    group_name="report",
    deps=[warehouse],
    kinds={"html"},
    description="One self-contained HTML page about the current version (charts with their numbers: "
    "publishers, speakers, gender shares, entities, boilerplate, quarantine, suites, changes); "
    "`wirehouse report` writes the same page for any version.",
)
def dataset_report(wirehouse: WirehouseConfig) -> dg.MaterializeResult:
    from pipeline.report import write_report  # Altair and the Vega bundle: loaded only when it runs

    settings = wirehouse.settings
    report = write_report(settings.database_path, settings.models_dir)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report.path)),
            "url": dg.MetadataValue.url(report.path.resolve().as_uri()),
            "version": report.version,
            "summary": dg.MetadataValue.md(report.summary),
        }
    )
