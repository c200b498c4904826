"""Each suite in `expectations/` as a blocking asset check on the table it names."""

import json

import dagster as dg
import polars as pl

from pipeline.quality.suites import Suite, load_suite, validate


def suite_check_name(table: str) -> str:
    return f"{table}_suite"


def suite_checks(suites: dict[str, Suite]) -> list[dg.AssetChecksDefinition]:
    return [_suite_check(suite) for suite in suites.values()]


def _suite_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=suite.table,
        name=suite_check_name(suite.table),
        blocking=True,
        description=f"Great Expectations suite {suite.path.name}: {suite.expectation_count} expectations; "
        "a failure blocks publication.",
    )
    def _check(frame: pl.DataFrame) -> dg.AssetCheckResult:
        result = validate(frame, load_suite(suite.path))  # re-read: edits apply without a reload
        outcomes = [
            {
                "table_name": suite.table,
                "expectation": outcome.expectation,
                "column_name": outcome.column,
                "success": outcome.success,
                "unexpected_count": outcome.unexpected_count,
                "detail": outcome.detail,
            }
            for outcome in result.outcomes
        ]
        return dg.AssetCheckResult(
            passed=result.success,
            description=result.summary(),
            metadata={
                "expectations": len(outcomes),
                "failed": len(result.failures),
                "rows": result.row_count,
                "outcomes": dg.MetadataValue.json(outcomes),
                "suite_file": str(suite.path),
            },
        )

    return _check


def outcomes_from_metadata(metadata: dict[str, dg.MetadataValue]) -> list[dict[str, object]]:
    """The per-expectation outcomes a suite check stored, back as plain rows."""
    value = metadata.get("outcomes")
    data = value.value if value is not None else []
    return json.loads(json.dumps(data))
