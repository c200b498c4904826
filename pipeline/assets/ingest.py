"""Raw articles per landing batch; the folder's current state decides what is published and what is
quarantined."""

import dagster as dg
import polars as pl

from pipeline.assets.metadata import frame_metadata
from pipeline.assets.partitions import LANDING_BATCHES, every_partition, own_keys, step_output, union
from pipeline.cleaning_passes import read_by_batch  # on the workers started early
from pipeline.ingest import QUARANTINE_SCHEMA, RAW_SCHEMA
from pipeline.landing import (
    REFUSED_SCHEMA,
    current_contents,
    list_current_inputs,
    read_batch,
)
from pipeline.resources import WirehouseConfig

CURRENT_ARTICLES_SCHEMA = {"article_id": pl.String, "source_path": pl.String, "position": pl.Int64}


@dg.asset(
    partitions_def=LANDING_BATCHES,
    group_name="ingest",
    description="New or changed files (by content hash) registered together by the `new_input_files` sensor "
    "or by `wirehouse run`.",
)
def landing_batch(context: dg.AssetExecutionContext, wirehouse: WirehouseConfig) -> dg.MaterializeResult:
    keys = own_keys(context, wirehouse)
    files = [read_batch(wirehouse.settings.warehouse_dir, key) for key in keys]
    frame = pl.concat(files) if files else pl.DataFrame()
    return dg.MaterializeResult(metadata={**frame_metadata(frame), "files": frame.height})


@dg.multi_asset(
    outs={
        "raw_articles": dg.AssetOut(description="The batch's files decoded, one row per content."),
        "refused_contents": dg.AssetOut(
            description="Contents of the batch that cannot be processed (empty, binary, ...), and why."
        ),
    },
    partitions_def=LANDING_BATCHES,
    group_name="ingest",
    deps=[landing_batch],
)
def read_inputs(context: dg.AssetExecutionContext, wirehouse: WirehouseConfig):
    """Only the batch's own files: a file changed since the batch was registered is another batch's."""
    settings = wirehouse.settings
    batches = {key: read_batch(settings.warehouse_dir, key) for key in own_keys(context, wirehouse)}
    raw: dict[str, pl.DataFrame] = {}
    refused: dict[str, pl.DataFrame] = {}
    for key, found in read_by_batch(settings.input_dir, batches, settings.input_limits).items():
        raw[key], refused[key] = found.raw, found.refused
        if found.skipped:
            context.log.info(f"batch {key}: {found.skipped} file(s) changed or gone since it was registered")
    all_raw = union(raw, RAW_SCHEMA)
    yield dg.Output(
        step_output(context, raw, RAW_SCHEMA),
        "raw_articles",
        metadata=frame_metadata(all_raw, ["article_id", "source_path", "encoding"]),
    )
    yield dg.Output(
        step_output(context, refused, REFUSED_SCHEMA),
        "refused_contents",
        metadata=frame_metadata(union(refused, REFUSED_SCHEMA)),
    )


@dg.multi_asset(
    outs={
        "current_articles": dg.AssetOut(
            description="The articles the next version holds: each current file's content, at its path."
        ),
        "quarantine": dg.AssetOut(description="Input files that could not be processed, with the reason."),
    },
    ins={
        "raw_articles": every_partition("raw_articles"),
        "refused_contents": every_partition("refused_contents"),
    },
    group_name="ingest",
)
def current_inputs(
    context: dg.AssetExecutionContext,
    wirehouse: WirehouseConfig,
    raw_articles: dict[str, pl.DataFrame],
    refused_contents: dict[str, pl.DataFrame],
):
    """The input folder as it is now, against every batch's outputs: a file removed or changed since its
    batch is left out (its new content is a newer batch's); duplicates and unreadable files quarantined."""
    settings = wirehouse.settings
    current, unreadable = list_current_inputs(settings.input_dir, settings.input_limits)
    decoded = union(raw_articles, RAW_SCHEMA).select("article_id", "content_sha256")
    articles, quarantine = current_contents(
        current, unreadable, decoded, union(refused_contents, REFUSED_SCHEMA)
    )
    waiting = current.height - articles.height - (quarantine.height - unreadable.height)
    if waiting > 0:
        context.log.warning(
            f"{waiting} file(s) hold content no batch has processed yet: left for a later run"
        )
    if quarantine.height:
        by_reason = dict(quarantine.group_by("reason").len().sort("reason").iter_rows())
        first = quarantine.row(0, named=True)
        context.log.warning(
            f"quarantined {quarantine.height} file(s) {by_reason}, "
            f"e.g. {first['source_path']}: {first['detail']} (all in the quarantine table)"
        )
    yield dg.Output(
        articles,
        "current_articles",
        metadata={**frame_metadata(articles), "waiting_for_a_batch": max(waiting, 0)},
    )
    yield dg.Output(
        quarantine.select(list(QUARANTINE_SCHEMA)), "quarantine", metadata=frame_metadata(quarantine)
    )
