"""Small helpers that make asset metadata readable in the Dagster UI."""

import dagster as dg
import polars as pl


def frame_metadata(frame: pl.DataFrame, preview_columns: list[str] | None = None) -> dict[str, object]:
    """Row count and a Markdown preview of the first rows (long text cut short)."""
    return {
        "dagster/row_count": frame.height,
        "preview": dg.MetadataValue.md(markdown_preview(frame, preview_columns)),
    }


def markdown_preview(
    frame: pl.DataFrame, columns: list[str] | None = None, rows: int = 5, width: int = 60
) -> str:
    columns = columns or frame.columns[:6]
    header = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    lines = []
    for row in frame.select(columns).head(rows).iter_rows():
        cells = [_cell(value, width) for value in row]
        lines.append("| " + " | ".join(cells) + " |")
    return header + "\n".join(lines)


def _cell(value: object, width: int) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"
