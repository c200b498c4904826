"""Raw articles from the input folder; what cannot be read goes to quarantine."""

import dagster as dg

from pipeline.assets.metadata import frame_metadata
from pipeline.ingest import read_input_folder
from pipeline.resources import WirehouseConfig


@dg.multi_asset(
    outs={
        "raw_articles": dg.AssetOut(description="Decoded input files, one row per distinct content."),
        "quarantine": dg.AssetOut(description="Input files that could not be processed, with the reason."),
    },
    group_name="ingest",
)
def read_inputs(context: dg.AssetExecutionContext, wirehouse: WirehouseConfig):
    """Every `*.txt` below the input folder, decoded; duplicates and unreadable files quarantined."""
    raw, quarantine = read_input_folder(wirehouse.settings.input_dir)
    if quarantine.height:
        by_reason = dict(quarantine.group_by("reason").len().sort("reason").iter_rows())
        first = quarantine.row(0, named=True)
        context.log.warning(
            f"quarantined {quarantine.height} file(s) {by_reason}, "
            f"e.g. {first['source_path']}: {first['detail']} (all in the quarantine table)"
        )
    yield dg.Output(
        raw, "raw_articles", metadata=frame_metadata(raw, ["article_id", "source_path", "encoding"])
    )
    yield dg.Output(quarantine, "quarantine", metadata=frame_metadata(quarantine))
