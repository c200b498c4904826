"""The SQL files in `dbt_like_sql/` as Dagster assets, built in the warehouse after each publish."""

import dagster as dg

from pipeline.assets.publish import WRITER_POOL, warehouse
from pipeline.resources import WirehouseConfig
from pipeline.storage.sql_models import SqlModel, build_model
from pipeline.storage.warehouse import writing


def sql_model_assets(models: list[SqlModel]) -> list[dg.AssetsDefinition]:
    """One asset per model, all built in one write of the warehouse, in dependency order."""
    if not models:
        return []
    specs = [
        dg.AssetSpec(
            key=model.name,
            group_name=f"sql_{model.group}",
            description=model.description or f"SQL model {model.path.name}",
            deps=[warehouse.key, *(dg.AssetKey(name) for name in model.depends_on)],
            kinds={"duckdb", "sql"},
            metadata={"sql_file": str(model.path), "materialized": model.materialized},
            skippable=True,
        )
        for model in models
    ]

    @dg.multi_asset(specs=specs, can_subset=True, pool=WRITER_POOL, name="dbt_like_sql")
    def build_sql_models(context: dg.AssetExecutionContext, wirehouse: WirehouseConfig):
        selected = [model for model in models if dg.AssetKey(model.name) in context.selected_asset_keys]
        with writing(wirehouse.settings.database_path) as con:
            row_counts = {model.name: build_model(con, model) for model in selected}
        for model in selected:
            yield dg.MaterializeResult(
                asset_key=model.name,
                metadata={"dagster/row_count": row_counts[model.name], "materialized": model.materialized},
            )

    return [build_sql_models]
