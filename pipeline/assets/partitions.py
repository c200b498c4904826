"""Landing batches as dynamic partitions, and the helpers every per-batch asset uses.

A step may materialise one partition (a sensor's run, a backfill's run) or a range of them (`wirehouse
run`: every batch of the warehouse in one run). Inputs from partitioned assets arrive as {partition key:
frame} (see `pipeline.io_manager`); a step over several partitions returns the same shape.
"""

import dagster as dg
import polars as pl

from pipeline.io_manager import UNION
from pipeline.landing import is_registered
from pipeline.resources import WirehouseConfig

LANDING_BATCHES = dg.DynamicPartitionsDefinition(name="landing_batches")


def every_partition(asset: str) -> dg.AssetIn:
    """The input of a corpus-level asset: every materialised partition of `asset` in this warehouse."""
    return dg.AssetIn(key=asset, metadata={UNION: True})


def own_keys(context: dg.AssetExecutionContext, wirehouse: WirehouseConfig) -> list[str]:
    """The step's partitions registered in this warehouse (a range may span another warehouse's batches
    when one Dagster instance serves several warehouses)."""
    keys = context.partition_keys if context.has_partition_key_range or context.has_partition_key else []
    return [key for key in keys if is_registered(wirehouse.settings.warehouse_dir, key)]


def step_output(context: dg.AssetExecutionContext, frames: dict[str, pl.DataFrame], schema: dict):
    """One frame for a one-partition step; {key: frame} (every key of the step, empty where not ours)."""
    keys = context.partition_keys
    complete = {key: frames.get(key, pl.DataFrame(schema=schema)) for key in keys}
    return complete[keys[0]] if len(keys) == 1 else complete


def union(frames: dict[str, pl.DataFrame], schema: dict | None = None) -> pl.DataFrame:
    """The partitions' frames as one (empty with `schema` when there are none)."""
    parts = [frame for frame in frames.values() if frame is not None]
    if not parts:
        return pl.DataFrame(schema=schema or {})
    return pl.concat(parts, how="diagonal_relaxed")
