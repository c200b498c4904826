"""The SQL files in `dbt_like_sql/` as Dagster assets; their YAML tests as asset checks.

Publishing builds every model in the staged copy of the warehouse before the swap (pipeline.storage.
warehouse.publish), so marts are part of the version. These assets then report what was built, read-only.
A model materialised on its own whose SQL is not the one built (a new or edited file, between two runs)
is built over the current version, all selected models in one write, in dependency order.
"""

from pathlib import Path

import dagster as dg

from pipeline.assets.publish import WRITER_POOL, warehouse
from pipeline.resources import WirehouseConfig
from pipeline.storage.sql_models import BuiltModel, SqlModel, inspect_model
from pipeline.storage.warehouse import build_models, connect_read_only, current_version, models_current


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
        built, version, by_publish = _published_or_built(wirehouse.settings.database_path, selected)
        for model in selected:
            metadata = {**_metadata(model, built[model.name], version), "built_by_publish": by_publish}
            yield dg.MaterializeResult(asset_key=model.name, metadata=metadata)
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


def _published_or_built(
    database_path: Path, selected: list[SqlModel]
) -> tuple[dict[str, BuiltModel], int | None, bool]:
    """The selected models as the published version holds them (built by its publish: True), or, when
    one is missing or its SQL changed since, built now over the current version (False)."""
    con = connect_read_only(database_path)
    try:
        version = current_version(con)
        if models_current(con, selected, version):
            return {model.name: inspect_model(con, model) for model in selected}, version, True
    finally:
        con.close()
    built = build_models(database_path, selected)
    con = connect_read_only(database_path)
    try:
        return built, current_version(con), False
    finally:
        con.close()


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
