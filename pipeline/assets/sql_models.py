"""The SQL files in `dbt_like_sql/` as Dagster assets, built in the warehouse after each publish.

All selected models are built in one write of the warehouse, in dependency order, so every model is
built over the same published version; their YAML tests are reported as asset checks.
"""

import dagster as dg

from pipeline.assets.publish import WRITER_POOL, warehouse
from pipeline.resources import WirehouseConfig
from pipeline.storage.sql_models import BuiltModel, SqlModel, build_model
from pipeline.storage.warehouse import current_version, writing


def sql_model_assets(models: list[SqlModel]) -> list[dg.AssetsDefinition]:
    """One asset per model (in a group per folder), one asset check per model test."""
    if not models:
        return []
    specs = [_spec(model) for model in models]
    check_specs = [
        dg.AssetCheckSpec(name=test.name, asset=model.name, description=f"{test.kind} on {test.column}")
        for model in models
        for test in model.tests
    ]

    @dg.multi_asset(
        specs=specs, check_specs=check_specs, can_subset=True, pool=WRITER_POOL, name="dbt_like_sql"
    )
    def build_sql_models(context: dg.AssetExecutionContext, wirehouse: WirehouseConfig):
        selected = [model for model in models if dg.AssetKey(model.name) in context.selected_asset_keys]
        with writing(wirehouse.settings.database_path) as con:
            version = current_version(con)
            built = {model.name: build_model(con, model) for model in selected}
        for model in selected:
            yield dg.MaterializeResult(
                asset_key=model.name, metadata=_metadata(model, built[model.name], version)
            )
            for test in model.tests:
                failing = built[model.name].test_failures[test.name]
                yield dg.AssetCheckResult(
                    asset_key=model.name,
                    check_name=test.name,
                    passed=failing == 0,
                    metadata={
                        "failing_rows": failing,
                        "sql": dg.MetadataValue.md(f"```sql\n{test.failing_rows_sql()}\n```"),
                    },
                )

    return [build_sql_models]


def _spec(model: SqlModel) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=model.name,
        group_name=f"sql_{model.group}",
        description=model.description or f"SQL model {model.path.name}",
        deps=[warehouse.key, *(dg.AssetKey(name) for name in model.depends_on)],
        kinds={"duckdb", "sql"},
        metadata={
            "sql_file": dg.MetadataValue.path(str(model.path)),
            "materialized": model.materialized,
            "sql": dg.MetadataValue.md(f"```sql\n{model.sql.strip()}\n```"),
        },
        skippable=True,
    )


def _metadata(model: SqlModel, built: BuiltModel, version: int | None) -> dict[str, object]:
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=type_, description=model.column_descriptions.get(name))
            for name, type_ in built.columns
        ]
    )
    return {
        "dagster/row_count": built.row_count,
        "dagster/column_schema": schema,
        "materialized": model.materialized,
        "built_on_version": version,
    }
