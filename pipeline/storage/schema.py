"""The published tables: their order and keys. Columns come from the frames the pipeline builds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: tuple[str, ...]
    description: str


PUBLISHED_TABLES: tuple[TableSpec, ...] = (
    TableSpec("articles", ("article_id",), "One row per article: structure recovered and clean body."),
    TableSpec("boilerplate_lines", ("article_id", "line_no"), "Every line removed from a body, with why."),
    TableSpec("captions", ("article_id", "line_no"), "Photo captions with their credit."),
    TableSpec("entity_mentions", ("mention_id",), "Named-entity mentions with offsets into the body."),
    TableSpec("entities", ("entity_id",), "Canonical entities with mention and article counts."),
    TableSpec("quotes", ("quote_id",), "Direct, partial and reported quotes with their speakers."),
    TableSpec("quarantine", ("source_path",), "Inputs that could not be processed, with the reason."),
)
TABLE_NAMES: tuple[str, ...] = tuple(spec.name for spec in PUBLISHED_TABLES)
HISTORY_COLUMNS = ("_row_hash", "valid_from", "valid_to")


def quote_identifier(identifier: str) -> str:
    """A table or column name as a SQL identifier, whatever characters it holds."""
    return '"' + identifier.replace('"', '""') + '"'
