"""Raw articles from the input folder; what cannot be read goes to quarantine."""

import dagster as dg

from pipeline.assets.metadata import frame_metadata
from pipeline.ingest import describe_deferred, read_settled_input_folder
from pipeline.landing import read_batch
from pipeline.resources import WirehouseConfig

LANDING_BATCHES = dg.DynamicPartitionsDefinition(name="landing_batches")


@dg.asset(
    partitions_def=LANDING_BATCHES,
    group_name="ingest",
    description="New or changed files (by content hash) registered together by the `new_input_files` sensor.",
)
def landing_batch(context: dg.AssetExecutionContext, wirehouse: WirehouseConfig) -> dg.MaterializeResult:
    files = read_batch(wirehouse.settings.warehouse_dir, context.partition_key)
    return dg.MaterializeResult(metadata={**frame_metadata(files), "files": files.height})


@dg.multi_asset(
    outs={
        "raw_articles": dg.AssetOut(description="Decoded input files, one row per distinct content."),
        "quarantine": dg.AssetOut(description="Input files that could not be processed, with the reason."),
    },
    group_name="ingest",
    deps=[landing_batch],
)
def read_inputs(context: dg.AssetExecutionContext, wirehouse: WirehouseConfig):
    """Every settled `*.txt` below the input folder, decoded; duplicates and unreadable files quarantined;
    files still being written are left for the next run (the sensor registers them once they settle)."""
    settings = wirehouse.settings
    found = read_settled_input_folder(settings.input_dir, settle_seconds=settings.settle_seconds)
    raw, quarantine = found.raw, found.quarantine
    if found.deferred:
        context.log.warning(describe_deferred(found.deferred, found.settle_seconds))
    if quarantine.height:
        by_reason = dict(quarantine.group_by("reason").len().sort("reason").iter_rows())
        first = quarantine.row(0, named=True)
        context.log.warning(
            f"quarantined {quarantine.height} file(s) {by_reason}, "
            f"e.g. {first['source_path']}: {first['detail']} (all in the quarantine table)"
        )
    raw_metadata = {
        **frame_metadata(raw, ["article_id", "source_path", "encoding"]),
        "deferred_files": len(found.deferred),  # named in the run's log
    }
    yield dg.Output(raw, "raw_articles", metadata=raw_metadata)
    yield dg.Output(quarantine, "quarantine", metadata=frame_metadata(quarantine))
