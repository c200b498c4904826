"""Altair charts of the report's figures: one function per frame, each returning a Vega-Lite spec (a dict).

Every chart draws exactly the frame printed beside it (no aggregation of its own), so the numbers in the
table are the numbers in the picture.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import polars as pl

WIDTH = 440
QUOTE_TYPES = ["direct", "partial", "indirect"]
GENDERS = ["female", "male", "unknown"]
GENDER_COLOURS = ["#d95f02", "#1b9e77", "#9e9e9e"]
OUTCOME_COLOURS = ["#1b9e77", "#d73027"]

Spec = dict[str, Any]


def _count_axis(largest: object) -> alt.Axis:
    """Whole numbers only: no tick at 0.5 of an article."""
    top = int(largest) if isinstance(largest, int | float) else 1
    return alt.Axis(format="d", tickMinStep=1, tickCount=max(1, min(top, 10)))


def _bar_height(rows: int) -> int:
    return max(60, 22 * rows)


def articles_per_day(frame: pl.DataFrame) -> Spec:
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("day:O", title="day", sort="ascending"),
            xOffset=alt.XOffset("publisher:N"),
            y=alt.Y("articles:Q", title="articles", axis=_count_axis(frame["articles"].max())),
            color=alt.Color("publisher:N", title="publisher"),
            tooltip=["publisher", "day", "articles"],
        )
        .properties(width=WIDTH, height=220)
    )
    return chart.to_dict()


def top_speakers(frame: pl.DataFrame) -> Spec:
    long = frame.unpivot(
        index=["speaker", "quotes"], on=QUOTE_TYPES, variable_name="quote_type", value_name="count"
    )
    order = frame["speaker"].to_list()
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("speaker:N", sort=order, title=None),
            x=alt.X("count:Q", title="quotes", stack="zero", axis=_count_axis(frame["quotes"].max())),
            color=alt.Color("quote_type:N", scale=alt.Scale(domain=QUOTE_TYPES), title="quote type"),
            order=alt.Order("quote_type_order:Q"),
            tooltip=["speaker", "quote_type", "count", "quotes"],
        )
        .transform_calculate(quote_type_order="indexof(['direct', 'partial', 'indirect'], datum.quote_type)")
        .properties(width=WIDTH, height=_bar_height(len(order)))
    )
    return chart.to_dict()


def gender_share(frame: pl.DataFrame) -> Spec:
    labelled = frame.with_columns((pl.col("publisher") + " · " + pl.col("month")).alias("publisher_month"))
    order = labelled["publisher_month"].unique(maintain_order=True).to_list()
    chart = (
        alt.Chart(labelled)
        .mark_bar()
        .encode(
            y=alt.Y("publisher_month:N", sort=order, title="publisher · month"),
            x=alt.X(
                "share:Q", stack="normalize", title="share of the month's quotes", axis=alt.Axis(format="%")
            ),
            color=alt.Color(
                "speaker_gender:N",
                scale=alt.Scale(domain=GENDERS, range=GENDER_COLOURS),
                title="speaker gender",
            ),
            order=alt.Order("gender_order:Q"),
            tooltip=["publisher", "month", "speaker_gender", "quotes", "speakers", "share"],
        )
        .transform_calculate(gender_order="indexof(['female', 'male', 'unknown'], datum.speaker_gender)")
        .properties(width=WIDTH, height=_bar_height(len(order)))
    )
    return chart.to_dict()


def top_entities(frame: pl.DataFrame) -> Spec:
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("entity:N", sort=frame["entity"].to_list(), title=None),
            x=alt.X("mentions:Q", title="mentions"),
            color=alt.Color("label:N", title="label"),
            tooltip=["entity", "label", "mentions", "articles"],
        )
        .properties(width=WIDTH, height=_bar_height(frame.height))
    )
    return chart.to_dict()


def top_pairs(frame: pl.DataFrame) -> Spec:
    labelled = frame.with_columns((pl.col("entity_a") + " + " + pl.col("entity_b")).alias("pair"))
    chart = (
        alt.Chart(labelled)
        .mark_bar(color="#7570b3")
        .encode(
            y=alt.Y("pair:N", sort=labelled["pair"].to_list(), title=None),
            x=alt.X("sentences:Q", title="sentences naming both"),
            tooltip=["entity_a", "entity_b", "sentences", "articles"],
        )
        .properties(width=WIDTH, height=_bar_height(frame.height))
    )
    return chart.to_dict()


def quoted_about(frame: pl.DataFrame) -> Spec:
    speakers = frame["speaker"].unique(maintain_order=True).to_list()
    about = frame["about"].unique(maintain_order=True).to_list()
    base = alt.Chart(frame).encode(
        x=alt.X("about:N", sort=about, title="mentioned inside the quote", axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("speaker:N", sort=speakers, title="speaker"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("quotes:Q", scale=alt.Scale(scheme="blues"), title="quotes"),
        tooltip=["speaker", "about", "about_label", "quotes", "articles"],
    )
    labels = base.mark_text(fontSize=11).encode(text="quotes:Q")
    chart = (cells + labels).properties(width=max(WIDTH, 26 * len(about)), height=_bar_height(len(speakers)))
    return chart.to_dict()


def boilerplate(frame: pl.DataFrame) -> Spec:
    return _simple_bars(frame, "kind", "lines", "lines removed", "#e7298a")


def quarantine(frame: pl.DataFrame) -> Spec:
    return _simple_bars(frame, "reason", "files", "files quarantined", "#a6761d")


def suites(frame: pl.DataFrame) -> Spec:
    long = frame.unpivot(index=["suite"], on=["passed", "failed"], variable_name="outcome", value_name="n")
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("suite:N", sort=frame["suite"].to_list(), title=None),
            x=alt.X("n:Q", title="expectations", stack="zero"),
            color=alt.Color(
                "outcome:N", scale=alt.Scale(domain=["passed", "failed"], range=OUTCOME_COLOURS), title=None
            ),
            tooltip=["suite", "outcome", "n"],
        )
        .properties(width=WIDTH, height=_bar_height(frame.height))
    )
    return chart.to_dict()


def changes(frame: pl.DataFrame) -> Spec:
    long = frame.select("table_name", pl.col("added"), (-pl.col("retired")).alias("retired")).unpivot(
        index=["table_name"], on=["added", "retired"], variable_name="change", value_name="rows"
    )
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("table_name:N", sort=frame["table_name"].to_list(), title=None),
            x=alt.X("rows:Q", title="rows retired (left) and added (right)"),
            color=alt.Color(
                "change:N",
                scale=alt.Scale(domain=["added", "retired"], range=["#1b9e77", "#d73027"]),
                title=None,
            ),
            tooltip=["table_name", "change", "rows"],
        )
        .properties(width=WIDTH, height=_bar_height(frame.height))
    )
    return chart.to_dict()


def _simple_bars(frame: pl.DataFrame, category: str, value: str, title: str, colour: str) -> Spec:
    chart = (
        alt.Chart(frame)
        .mark_bar(color=colour)
        .encode(
            y=alt.Y(f"{category}:N", sort=frame[category].to_list(), title=None),
            x=alt.X(f"{value}:Q", title=title, axis=_count_axis(frame[value].max())),
            tooltip=list(frame.columns),
        )
        .properties(width=WIDTH, height=_bar_height(frame.height))
    )
    return chart.to_dict()


CHARTS: dict[str, Callable[[pl.DataFrame], Spec]] = {
    "articles_per_day": articles_per_day,
    "top_speakers": top_speakers,
    "gender_share": gender_share,
    "top_entities": top_entities,
    "top_pairs": top_pairs,
    "quoted_about": quoted_about,
    "boilerplate": boilerplate,
    "quarantine": quarantine,
    "suites": suites,
    "changes": changes,
}
