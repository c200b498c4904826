"""Write, audit, publish: the batch is staged, audited by the suite checks, then made current at once."""

import hashlib

import dagster as dg
import polars as pl

from pipeline.assets.checks import STAGED_BATCH, outcomes_from_metadata, suite_check_key
from pipeline.assets.cleaning import current_rows, current_union
from pipeline.assets.partitions import every_partition
from pipeline.nlp.model import installed_model_version
from pipeline.resources import WirehouseConfig
from pipeline.storage.cache import code_fingerprint
from pipeline.storage.exports import export_current
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.sql_models import discover_models
from pipeline.storage.staging import stage_batch, staging_path
from pipeline.storage.warehouse import RunInfo, publish
from pipeline.text.captions import CAPTIONS_SCHEMA
from pipeline.text.clean import BOILERPLATE_SCHEMA

WRITER_POOL = "duckdb_writer"


@dg.asset(
    key=STAGED_BATCH,
    group_name="publish",
    ins={
        "articles": every_partition("articles"),
        "boilerplate_lines": every_partition("boilerplate_lines"),
        "captions": every_partition("captions"),
    },
    description="Write: every table of this run in warehouse/staging/<run_id>.duckdb, audited by the suites: "
    "the union of the current partitions' rows and the corpus-level tables.",
)
def staged_batch(
    context: dg.AssetExecutionContext,
    wirehouse: WirehouseConfig,
    articles: dict[str, pl.DataFrame],
    boilerplate_lines: dict[str, pl.DataFrame],
    captions: dict[str, pl.DataFrame],
    current_articles: pl.DataFrame,
    entity_mentions: pl.DataFrame,
    entities: pl.DataFrame,
    quotes: pl.DataFrame,
    quarantine: pl.DataFrame,
) -> dg.Output[pl.DataFrame]:
    articles = current_union(articles, current_articles)
    tables = {
        "articles": articles,
        "boilerplate_lines": current_rows(
            boilerplate_lines, BOILERPLATE_SCHEMA, current_articles, ["line_no"]
        ),
        "captions": current_rows(captions, CAPTIONS_SCHEMA, current_articles, ["line_no"]),
        "entity_mentions": entity_mentions,
        "entities": entities,
        "quotes": quotes,
        "quarantine": quarantine,
    }
    path = staging_path(wirehouse.settings.warehouse_dir, context.run.run_id)
    row_counts = stage_batch(path, tables, context.run.run_id, input_fingerprint(articles))
    manifest = pl.DataFrame({"run_id": [context.run.run_id], "path": [str(path)]})
    return dg.Output(
        manifest,
        metadata={"path": dg.MetadataValue.path(str(path)), "row_counts": dg.MetadataValue.json(row_counts)},
    )


@dg.asset(
    group_name="publish",
    pool=WRITER_POOL,
    description="Publish: the audited batch becomes a new version of news.duckdb, every table at once.",
)
def warehouse(
    context: dg.AssetExecutionContext, wirehouse: WirehouseConfig, staged_batch: pl.DataFrame
) -> dg.MaterializeResult:
    outcomes = _validation_outcomes(context)
    failed = [row for row in outcomes if not row["success"]]
    run = RunInfo(
        run_id=context.run.run_id,
        code_version=code_fingerprint(),
        model_version=installed_model_version(),
        validation_summary=f"{len(outcomes) - len(failed)}/{len(outcomes)} expectations passed",
        validation_rows=tuple(outcomes),
    )
    batch_path = staging_path(wirehouse.settings.warehouse_dir, staged_batch["run_id"][0])
    published = publish(wirehouse.settings.database_path, batch_path, run)
    batch_path.unlink(missing_ok=True)  # published: only failed batches are kept for inspection
    context.log.info(f"published version {published.version}: {published.row_counts}")
    return dg.MaterializeResult(
        metadata={
            "version": published.version,
            "run_id": context.run.run_id,
            "rows_added": published.rows_added,
            "rows_retired": published.rows_retired,
            "row_counts": dg.MetadataValue.json(published.row_counts),
            "validation": run.validation_summary,
            "database": dg.MetadataValue.path(str(wirehouse.settings.database_path)),
        }
    )


@dg.asset(group_name="publish", deps=[warehouse], description="Parquet copies of the current version.")
def parquet_exports(wirehouse: WirehouseConfig) -> dg.MaterializeResult:
    settings = wirehouse.settings
    models = discover_models(settings.models_dir, TABLE_NAMES)
    written = export_current(settings.database_path, settings.exports_dir, models)
    return dg.MaterializeResult(
        metadata={name: dg.MetadataValue.path(str(path)) for name, path in written.items()}
    )


def input_fingerprint(articles: pl.DataFrame) -> str:
    """One hash for the set of inputs: the same files give the same fingerprint in any order."""
    digest = hashlib.sha256()
    for content_hash in sorted(articles["content_sha256"].to_list()):
        digest.update(content_hash.encode())
    return digest.hexdigest()


def _validation_outcomes(context: dg.AssetExecutionContext) -> list[dict[str, object]]:
    """The suite results recorded by this run's blocking checks, read back from the event log."""
    rows: list[dict[str, object]] = []
    for table in TABLE_NAMES:
        records = context.instance.event_log_storage.get_asset_check_execution_history(
            suite_check_key(table), limit=1
        )
        if records and records[0].run_id == context.run.run_id and records[0].event is not None:
            evaluation = records[0].event.dagster_event.event_specific_data
            rows.extend(outcomes_from_metadata(evaluation.metadata))
    return rows
