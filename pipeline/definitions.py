"""The code location Dagster loads (`[tool.dagster] module_name`), built for the environment's settings."""

from pipeline.assembly import build_definitions
from pipeline.settings import Settings

defs = build_definitions(Settings.from_env())
