"""The report as one self-contained HTML page: Vega-Embed's JavaScript inlined, a table beside every chart.

Nothing on the page is fetched: the Vega, Vega-Lite and Vega-Embed bundle comes from vl-convert (shipped
inside its wheel), the data is in each chart's spec, the style is inline, and the charts' action menu (which
links to the online editor) is turned off.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import polars as pl

from pipeline.report.charts import CHARTS, Spec
from pipeline.report.figures import Figures


@dataclass(frozen=True)
class Section:
    key: str  # the figure's name in Figures.frames and CHARTS
    title: str
    explains: str
    empty: str  # shown instead of a chart when the frame has no row


SECTIONS: tuple[Section, ...] = (
    Section(
        "articles_per_day",
        "Articles per publisher and day",
        "Articles of this version by publisher and publication day (the update time when no publication "
        "time is known).",
        "No article in this version.",
    ),
    Section(
        "top_speakers",
        "Most quoted speakers",
        "Quotes per speaker (mart <code>quotes_per_speaker</code>, summed over outlets), by quote type.",
        "Nobody is quoted in this version.",
    ),
    Section(
        "gender_share",
        "Quote share by speaker gender, per publisher and month",
        "Mart <code>quote_share_by_gender</code>: gender comes from evidence in the text only; speakers "
        "without such evidence (or without a name) are shown as <em>unknown</em>.",
        "No quote in this version.",
    ),
    Section(
        "top_entities",
        "Most mentioned entities",
        "Mentions per canonical entity (<code>entities.mention_count</code>).",
        "No entity in this version.",
    ),
    Section(
        "top_pairs",
        "Strongest co-mentions",
        "Pairs of entities named in the same sentence (mart <code>entity_cooccurrence</code>).",
        "No two entities are mentioned together in this version.",
    ),
    Section(
        "quoted_about",
        "Who is quoted about whom",
        "Speakers and the entities mentioned inside their quotes (mart <code>quoted_about</code>).",
        "No quote mentions an entity in this version.",
    ),
    Section(
        "boilerplate",
        "Boilerplate removed, by kind",
        "Lines removed from the articles' bodies (<code>boilerplate_lines</code>), each kept with its rule.",
        "No line was removed in this version.",
    ),
    Section(
        "quarantine",
        "Quarantined files, by reason",
        "Inputs that could not be processed (<code>quarantine</code>).",
        "No file was quarantined in this version.",
    ),
    Section(
        "suites",
        "Validation suites",
        "Every Great Expectations suite run on this version's batch before it was published "
        "(<code>validation_results</code>).",
        "No suite result is recorded for this version.",
    ),
    Section(
        "changes",
        "What changed since the previous version",
        "Rows each table gained and lost with this version (from the history's "
        "<code>valid_from</code>/<code>valid_to</code>).",
        "No table changed.",
    ),
)

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px 32px;
       color: #222; }
h1 { margin-bottom: 4px; } h2 { margin: 0 0 4px 0; font-size: 1.15em; }
.meta { color: #555; margin: 0 0 16px 0; }
.summary { border-collapse: collapse; margin-bottom: 20px; }
.summary td { padding: 2px 14px 2px 0; }
section { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; padding: 16px 0;
          border-top: 1px solid #ddd; }
.figure { flex: 0 1 auto; min-width: 480px; }
.explains { color: #555; margin: 0 0 8px 0; max-width: 560px; font-size: 0.92em; }
.numbers { flex: 1 1 320px; max-height: 520px; overflow: auto; }
table.data { border-collapse: collapse; font-size: 0.86em; }
table.data th, table.data td { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: left; }
table.data td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.data th { background: #f4f4f4; position: sticky; top: 0; }
.empty { color: #777; font-style: italic; }
"""


def render_page(figures: Figures, javascript_bundle: str) -> str:
    """The whole page for one version's figures."""
    info = figures.info
    specs: dict[str, Spec] = {}
    sections = []
    for section in SECTIONS:
        frame = figures[section.key]
        chart_id = f"chart-{section.key.replace('_', '-')}"
        if frame.is_empty():
            drawing = f'<p class="empty">{html.escape(section.empty)}</p>'
        else:
            spec = CHARTS[section.key](frame)
            spec.pop("$schema", None)  # a URL vega-embed never loads; the mode is given below instead
            specs[chart_id] = spec
            drawing = f'<div class="chart" id="{chart_id}"></div>'
        note = _note(section.key, figures)
        sections.append(
            f'<section id="{section.key}">\n<div class="figure">\n<h2>{html.escape(section.title)}</h2>\n'
            f'<p class="explains">{section.explains}{note}</p>\n{drawing}\n</div>\n'
            f'<div class="numbers">{html_table(frame)}</div>\n</section>'
        )
    state = "the current version" if info.version == info.current else f"current is {info.current}"
    title = f"Wirehouse dataset report: version {info.version}"
    counts = "".join(
        f"<tr><td>{html.escape(name)}</td><td class='n'>{count:,}</td></tr>"
        for name, count in info.row_counts.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
<script>
{_bundle_safe(javascript_bundle)}
</script>
</head>
<body data-version="{info.version}" data-charts="{len(specs)}">
<h1>{html.escape(title)}</h1>
<p class="meta">{state}; published {info.published_at:%Y-%m-%d %H:%M:%S} UTC by run
{html.escape(info.run_id)}; {html.escape(info.validation or "no validation summary")};
code {html.escape(info.code_version)}, model {html.escape(info.model_version)}.</p>
<table class="summary data"><tr><th>table</th><th>rows</th></tr>{counts}</table>
{chr(10).join(sections)}
<script>
const specs = {_script_safe(json.dumps(specs))};
const drawn = Object.entries(specs).map(([id, spec]) =>
  vegaEmbed("#" + id, spec, {{mode: "vega-lite", renderer: "svg", actions: false}}));
Promise.all(drawn).then(() => {{
    document.body.dataset.drawn = String(drawn.length);
    document.body.dataset.height = String(document.documentElement.scrollHeight);
  }})
  .catch((error) => {{ document.body.dataset.error = String(error); console.error(error); }});
</script>
</body>
</html>
"""


def html_table(frame: pl.DataFrame) -> str:
    """The frame as a plain HTML table: the numbers behind the chart beside it."""
    header = "".join(f"<th>{html.escape(column)}</th>" for column in frame.columns)
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]
    rows = []
    for row in frame.iter_rows():
        cells = "".join(
            f'<td class="n">{_number(value)}</td>' if is_number else f"<td>{html.escape(_text(value))}</td>"
            for value, is_number in zip(row, numeric, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="data"><tr>{header}</tr>{"".join(rows)}</table>'


def _note(key: str, figures: Figures) -> str:
    if key == "top_speakers":
        unattributed = int(figures["quotes_without_speaker"]["quotes"][0])
        return f" Quotes with no speaker found: {unattributed:,}."
    if key == "changes":
        previous = figures.info.version - 1
        return (
            f" Compared with version {previous}."
            if previous >= 1
            else " The first version: every row is new."
        )
    return ""


def _number(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return f"{value:,}" if isinstance(value, int) else html.escape(str(value))


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _script_safe(text: str) -> str:
    """JSON inside a <script> element: `</script>` in the data cannot close it early."""
    return text.replace("</", "<\\/")


def _bundle_safe(bundle: str) -> str:
    """The library's own JavaScript, verbatim (rewriting code is not safe); it must not close the element."""
    if "</script" in bundle.lower():
        raise ValueError("the Vega-Embed bundle contains `</script`: it cannot be inlined as is")
    return bundle
