"""Each suite in `expectations/` as a blocking asset check on the staged batch: it reports the audit that
staging stored in the batch (`pipeline.storage.audit`), so Dagster shows and blocks on the very results
`publish` gates on; the checks are not the gate."""

import dagster as dg
import polars as pl

from pipeline.quality.suites import Suite, SuiteFileError, load_suite
from pipeline.storage.audit import read_batch_audit, suite_result

STAGED_BATCH = dg.AssetKey("staged_batch")


def suite_check_name(table: str) -> str:
    return f"{table}_suite"


def suite_check_key(table: str) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(STAGED_BATCH, suite_check_name(table))


def suite_checks(
    suites: dict[str, Suite], warn_only: frozenset[str] = frozenset()
) -> list[dg.AssetChecksDefinition]:
    """Blocking checks, but for the tables named in `warn_only` (WIREHOUSE_WARN_ONLY_SUITES)."""
    unknown = warn_only - set(suites)
    if unknown:
        raise SuiteFileError(
            f"WIREHOUSE_WARN_ONLY_SUITES names tables without a suite: {', '.join(sorted(unknown))}"
        )
    return [_suite_check(suite, blocking=suite.table not in warn_only) for suite in suites.values()]


def _suite_check(suite: Suite, blocking: bool) -> dg.AssetChecksDefinition:
    effect = (
        "a failure blocks publication" if blocking else "a failure is a warning (WIREHOUSE_WARN_ONLY_SUITES)"
    )

    @dg.asset_check(
        asset=STAGED_BATCH,
        name=suite_check_name(suite.table),
        blocking=blocking,
        description=f"Great Expectations suite {suite.path.name} on the staged `{suite.table}` "
        f"({suite.expectation_count} expectations); {effect}.",
    )
    def _check(staged_batch: pl.DataFrame) -> dg.AssetCheckResult:
        batch_path = staged_batch["path"][0]
        audit = read_batch_audit(batch_path)
        if audit is None or not any(row["table_name"] == suite.table for row in audit):
            return dg.AssetCheckResult(
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
                description=f"{suite.table}: the staged batch {batch_path} holds no audit by this suite",
            )
        result = suite_result(load_suite(suite.path), audit)
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
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            description=result.summary(),
            metadata={
                "expectations": len(outcomes),
                "failed": len(result.failures),
                "rows": result.row_count,
                "reused_result": result.reused,
                "outcomes": dg.MetadataValue.json(outcomes),
                "suite_file": str(suite.path),
                "staged_batch": batch_path,
            },
        )

    return _check
