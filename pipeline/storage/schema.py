"""The table contract: every published table, its key, its columns with their types, and what it holds.

One place for it, read by staging (`conform`: frames are cast to these types and checked against these
columns before they are written), by publishing (the order of tables), by the exports (one file per table)
and by the SQL models (their `source('wirehouse', ...)` tables). The README's table list agrees with it
(tests/test_table_contract.py).

A column a step starts producing must be declared here first: staging refuses a frame with an undeclared
column, naming the table and the column, instead of publishing it unnoticed or dropping it. Adding a
column is one line in the table's `columns` (at the end: the row hashes of the history follow the order).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

TEXT = pl.String()
WHOLE = pl.Int64()
MOMENT = pl.Datetime("us")
TEXTS = pl.List(pl.String())


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: tuple[str, ...]
    description: str
    columns: tuple[Column, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        return {column.name: column.dtype for column in self.columns}


class TableContractError(ValueError):
    """A frame that does not match its table's declared columns; the message names table and column."""


PUBLISHED_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "articles",
        ("article_id",),
        "One row per article: structure recovered and clean body.",
        (
            Column("article_id", TEXT, "Hash of the file's bytes: the same content, the same id."),
            Column("source_path", TEXT, "Path relative to the input folder."),
            Column("title", TEXT),
            Column("subtitle", TEXT, "The standfirst, when there is one."),
            Column("body", TEXT, "Clean text; every offset in other tables points into it."),
            Column("publisher", TEXT),
            Column("published_at", MOMENT, "NULL when unknown."),
            Column("updated_at", MOMENT, "NULL when unknown."),
            Column("word_count", WHOLE),
            Column("content_sha256", TEXT),
            Column("encoding", TEXT, "How the bytes were decoded (utf-8, utf-16, cp1252, utf-8+html, ...)."),
        ),
    ),
    TableSpec(
        "boilerplate_lines",
        ("article_id", "line_no"),
        "Every line removed from a body, with why.",
        (
            Column("article_id", TEXT),
            Column("line_no", WHOLE),
            Column("text", TEXT, "The line as it was."),
            Column("kind", TEXT, "caption, byline, advert, duplicate_line, blank, ..."),
            Column("rule", TEXT, "The rule that removed it."),
        ),
    ),
    TableSpec(
        "captions",
        ("article_id", "line_no"),
        "Photo captions with their credit.",
        (
            Column("article_id", TEXT),
            Column("line_no", WHOLE),
            Column("caption", TEXT),
            Column("credit", TEXT, "Agency or photographer; NULL when none."),
        ),
    ),
    TableSpec(
        "entity_mentions",
        ("mention_id",),
        "Named-entity mentions with offsets into the body.",
        (
            Column("mention_id", TEXT),
            Column("article_id", TEXT),
            Column("entity_id", TEXT),
            Column("name", TEXT, "The entity's canonical name."),
            Column("text", TEXT, "As written: body[start_char:end_char]."),
            Column("label", TEXT, "spaCy label: PERSON, ORG, GPE, LOC, NORP, ..."),
            Column("role", TEXT),
            Column("start_char", WHOLE),
            Column("end_char", WHOLE),
            Column("sentence_no", WHOLE),
        ),
    ),
    TableSpec(
        "entities",
        ("entity_id",),
        "Canonical entities with mention and article counts.",
        (
            Column("entity_id", TEXT),
            Column("name", TEXT),
            Column("label", TEXT),
            Column("aliases", TEXTS),
            Column("mention_count", WHOLE),
            Column("article_count", WHOLE),
            Column("gender", TEXT, "PERSON: female, male or NULL, from evidence in the text only."),
            Column("gender_evidence", TEXT),
        ),
    ),
    TableSpec(
        "quotes",
        ("quote_id",),
        "Direct, partial and reported quotes with their speakers.",
        (
            Column("quote_id", TEXT),
            Column("article_id", TEXT),
            Column("text", TEXT, "The quoted or reported words, without quote marks."),
            Column("quote_type", TEXT, "direct, partial or indirect."),
            Column("speaker", TEXT, "Canonical name; NULL when unknown."),
            Column("speaker_entity_id", TEXT),
            Column("speaker_mention", TEXT, 'As written: "he", "Mr Miller".'),
            Column("cue", TEXT, 'e.g. "said".'),
            Column("start_char", WHOLE),
            Column("end_char", WHOLE),
            Column("speaker_role", TEXT),
            Column("speaker_gender", TEXT),
        ),
    ),
    TableSpec(
        "quarantine",
        ("source_path",),
        "Inputs that could not be processed, with the reason.",
        (
            Column("source_path", TEXT),
            Column("reason", TEXT, "empty, binary, too_large, not_english, outside_input, ..."),
            Column("detail", TEXT),
        ),
    ),
)
TABLES: dict[str, TableSpec] = {spec.name: spec for spec in PUBLISHED_TABLES}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
HISTORY_COLUMNS = ("_row_hash", "valid_from", "valid_to")
CONTRACT_FILE = "pipeline/storage/schema.py"


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its table's columns, in the declared order and types; a missing or undeclared
    column, or a value that does not fit its type, is a `TableContractError` naming table and column."""
    spec = TABLES.get(name)
    if spec is None:
        raise TableContractError(f"{name!r} is not a published table (declared: {', '.join(TABLE_NAMES)})")
    declared = spec.column_names
    undeclared = [column for column in frame.columns if column not in declared]
    if undeclared:
        raise TableContractError(
            f"table {name!r} has column(s) {', '.join(map(repr, undeclared))} that the table contract "
            f"does not declare: add them to {name!r} in {CONTRACT_FILE} to publish them"
        )
    missing = [column for column in declared if column not in frame.columns]
    if missing:
        raise TableContractError(
            f"table {name!r} lacks the declared column(s) {', '.join(map(repr, missing))} ({CONTRACT_FILE})"
        )
    cast = []
    for column in spec.columns:
        try:
            cast.append(frame.get_column(column.name).cast(column.dtype, strict=True))
        except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as error:
            raise TableContractError(
                f"table {name!r} column {column.name!r}: {frame.schema[column.name]} values do not fit the "
                f"declared {column.dtype} ({str(error).splitlines()[0]})"
            ) from error
    return pl.DataFrame(cast)


def conform_all(tables: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Every published table conformed; a table missing from `tables` is named."""
    missing = [name for name in TABLE_NAMES if name not in tables]
    if missing:
        raise TableContractError(f"tables missing from the batch: {', '.join(missing)}")
    return {name: conform(name, tables[name]) for name in TABLE_NAMES}


def quote_identifier(identifier: str) -> str:
    """A table or column name as a SQL identifier, whatever characters it holds."""
    return '"' + identifier.replace('"', '""') + '"'
