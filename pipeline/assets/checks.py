"""Each suite in `expectations/` as a blocking asset check on the staged batch: it reports the audit that
staging stored in the batch (`pipeline.storage.audit`), so Dagster shows and blocks on the very results
`publish` gates on; the checks are not the gate.

The checks are declared on `staged_batch` and evaluated by its own step, from the audit it has just stored:
seven steps of their own cost a run 56 events and seven input loads for a tenth of a second of work each.
"""

from pathlib import Path

import dagster as dg

from pipeline.quality.suites import Suite, SuiteFileError
from pipeline.storage.audit import read_batch_audit, suite_result

STAGED_BATCH = dg.AssetKey("staged_batch")


def suite_check_name(table: str) -> str:
    return f"{table}_suite"


def suite_check_key(table: str) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(STAGED_BATCH, suite_check_name(table))


def _blocking(suite: Suite, warn_only: frozenset[str]) -> bool:
    return suite.table not in warn_only


def suite_check_specs(
    suites: dict[str, Suite], warn_only: frozenset[str] = frozenset()
) -> list[dg.AssetCheckSpec]:
    """Blocking checks, but for the tables named in `warn_only` (WIREHOUSE_WARN_ONLY_SUITES)."""
    unknown = warn_only - set(suites)
    if unknown:
        raise SuiteFileError(
            f"WIREHOUSE_WARN_ONLY_SUITES names tables without a suite: {', '.join(sorted(unknown))}"
        )
    return [_suite_check_spec(suite, _blocking(suite, warn_only)) for suite in suites.values()]


def _suite_check_spec(suite: Suite, blocking: bool) -> dg.AssetCheckSpec:
    effect = (
        "a failure blocks publication" if blocking else "a failure is a warning (WIREHOUSE_WARN_ONLY_SUITES)"
    )
    return dg.AssetCheckSpec(
        name=suite_check_name(suite.table),
        asset=STAGED_BATCH,
        blocking=blocking,
        description=f"Great Expectations suite {suite.path.name} on the staged `{suite.table}` "
        f"({suite.expectation_count} expectations); {effect}.",
    )


def suite_check_results(
    suites: dict[str, Suite], warn_only: frozenset[str], batch_path: Path, audited: dict[str, Suite]
) -> list[dg.AssetCheckResult]:
    """One result per declared suite, read back from the audit stored in the staged batch (opened once),
    with the suite files as the step has just read them for that audit (`audited`)."""
    audit = read_batch_audit(batch_path)
    return [
        _suite_check_result(audited.get(table, suite), _blocking(suite, warn_only), audit, str(batch_path))
        for table, suite in suites.items()
    ]


def _suite_check_result(
    suite: Suite, blocking: bool, audit: list[dict[str, object]] | None, batch_path: str
) -> dg.AssetCheckResult:
    severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN
    name = suite_check_name(suite.table)
    if audit is None or not any(row["table_name"] == suite.table for row in audit):
        return dg.AssetCheckResult(
            check_name=name,
            passed=False,
            severity=severity,
            description=f"{suite.table}: the staged batch {batch_path} holds no audit by this suite",
        )
    result = suite_result(suite, audit)
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
        check_name=name,
        passed=result.success,
        severity=severity,
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
