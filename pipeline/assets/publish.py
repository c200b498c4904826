"""Write, audit, publish, as Dagster assets over `pipeline.storage`: the batch is staged (cast and checked
against the table contract) and audited by the suites in one step, the audit stored in the staged file; the
same step reports it as the suite checks; publishing (which refuses a failed blocking audit itself) builds
the SQL models in the same staged copy of the warehouse and swaps it in."""

import hashlib

import dagster as dg
import polars as pl

from pipeline.assets.checks import STAGED_BATCH, suite_check_results, suite_check_specs
from pipeline.assets.cleaning import current_rows, current_union
from pipeline.assets.partitions import every_partition
from pipeline.nlp.model import installed_model_version
from pipeline.quality.suites import Suite, load_suites
from pipeline.resources import WirehouseConfig
from pipeline.storage.audit import audit_batch
from pipeline.storage.cache import code_fingerprint
from pipeline.storage.exports import export_current
from pipeline.storage.schema import TABLE_NAMES, conform_all
from pipeline.storage.sql_models import discover_models
from pipeline.storage.staging import stage_batch, staging_path
from pipeline.storage.warehouse import RunInfo, publish
from pipeline.text.captions import CAPTIONS_SCHEMA
from pipeline.text.clean import BOILERPLATE_SCHEMA

WRITER_POOL = "duckdb_writer"


def staged_batch_asset(suites: dict[str, Suite], warn_only: frozenset[str]) -> dg.AssetsDefinition:
    """`staged_batch` with one asset check per suite (blocking but for `warn_only`), evaluated in its step."""

    @dg.asset(
        key=STAGED_BATCH,
        group_name="publish",
        ins={
            "articles": every_partition("articles"),
            "boilerplate_lines": every_partition("boilerplate_lines"),
            "captions": every_partition("captions"),
        },
        check_specs=suite_check_specs(suites, warn_only),
        description="Write and audit: every table of this run (the union of the current partitions' rows and "
        "the corpus-level tables), checked against the table contract, in warehouse/staging/<run_id>.duckdb, "
        "with the suites' results stored in it and reported as its checks (publishing refuses a failed one).",
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
    ):
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
        settings = wirehouse.settings
        path = staging_path(settings.warehouse_dir, context.run.run_id)
        row_counts = stage_batch(path, conform_all(tables), context.run.run_id, input_fingerprint(articles))
        current = load_suites(settings.expectations_dir)  # read now: edits apply without reloading the code
        audits = audit_batch(path, current, settings.warn_only, settings.cache_dir / "validation")
        manifest = pl.DataFrame({"run_id": [context.run.run_id], "path": [str(path)]})
        yield dg.Output(
            manifest,
            metadata={
                "path": dg.MetadataValue.path(str(path)),
                "row_counts": dg.MetadataValue.json(row_counts),
                "audit": dg.MetadataValue.json(
                    {audit.result.suite.table: audit.result.success for audit in audits}
                ),
            },
        )
        yield from suite_check_results(suites, warn_only, path, current)

    return staged_batch


@dg.asset(
    group_name="publish",
    pool=WRITER_POOL,
    description="Publish: the audited batch becomes a new version of news.duckdb, every table at once, with "
    "the SQL models built over it in the same staged copy before the swap.",
)
def warehouse(
    context: dg.AssetExecutionContext, wirehouse: WirehouseConfig, staged_batch: pl.DataFrame
) -> dg.MaterializeResult:
    settings = wirehouse.settings
    run = RunInfo(
        run_id=context.run.run_id,
        code_version=code_fingerprint(settings.seeds_dir),
        model_version=installed_model_version(),
    )
    batch_path = staging_path(settings.warehouse_dir, staged_batch["run_id"][0])
    models = discover_models(settings.models_dir, TABLE_NAMES)
    published = publish(settings.database_path, batch_path, run, models)  # refuses a failed audit itself
    batch_path.unlink(missing_ok=True)  # published: only failed batches are kept for inspection
    context.log.info(
        f"{published.summary}: {published.row_counts}; {len(published.models)} SQL model(s) built"
    )
    return dg.MaterializeResult(
        metadata={
            "version": published.version,
            "run_id": context.run.run_id,
            "rows_added": published.rows_added,
            "rows_retired": published.rows_retired,
            "row_counts": dg.MetadataValue.json(published.row_counts),
            "validation": published.validation,
            "sql_models_built": len(published.models),
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
