"""Cleaned articles and the audit of every removed line, per landing batch.

Cleaning compares the articles of a publisher with each other (site furniture: lines that recur on many of
its pages, see `pipeline.text.repetition`). That comparison is the one corpus-level part: each batch lists
its articles' candidate lines (`line_candidates`), `line_statistics` finds the furniture of each publisher
over every current article, and each batch is cleaned with it. The result equals cleaning the whole corpus
at once (`pipeline.text.clean.clean_articles`). A batch's cleaning is remembered for its exact input (texts,
the furniture its articles hold, the cleaning code and seeds): an unchanged re-run skips it.
"""

import functools
import hashlib
from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.assets.metadata import frame_metadata
from pipeline.assets.partitions import LANDING_BATCHES, every_partition, own_keys, step_output, union
from pipeline.ingest import RAW_SCHEMA
from pipeline.resources import WirehouseConfig
from pipeline.settings import PROJECT_ROOT
from pipeline.storage.cache import LastResult, fingerprint, frame_digest
from pipeline.text import clean as text_clean
from pipeline.text.captions import CAPTIONS_SCHEMA, extract_captions
from pipeline.text.reference import CleaningReference, load_reference
from pipeline.text.repetition import find_site_repeats

CLEANED = ("articles", "boilerplate_lines", "captions")
ARTICLE_COLUMNS = [
    "article_id",
    "source_path",
    "title",
    "subtitle",
    "body",
    "publisher",
    "published_at",
    "updated_at",
    "word_count",
    "content_sha256",
    "encoding",
]
CANDIDATES_SCHEMA = {"article_id": pl.String, "publisher": pl.String, "candidates": pl.List(pl.String)}
FURNITURE_SCHEMA = {"publisher": pl.String, "line_key": pl.String}
_FROM_RAW = {"source_path": pl.String, "content_sha256": pl.String, "encoding": pl.String}
ARTICLES_SCHEMA = {name: text_clean.ARTICLE_SCHEMA.get(name, _FROM_RAW.get(name)) for name in ARTICLE_COLUMNS}


# --- the domain steps (plain functions over frames) -------------------------------------------------------


def first_pass(raw: pl.DataFrame, ref: CleaningReference) -> pl.DataFrame:
    """Each article's publisher and the keys of its body lines that could be site furniture."""
    rows = []
    for article_id, text in raw.select("article_id", "text").iter_rows():
        outcome = text_clean._clean(text or "", ref)
        rows.append((article_id, outcome.article.publisher, sorted(outcome.candidates)))
    return pl.DataFrame(rows, schema=CANDIDATES_SCHEMA, orient="row")


def site_furniture(candidates: pl.DataFrame) -> pl.DataFrame:
    """(publisher, line key) of every line that is furniture of its publisher over these articles."""
    publishers = candidates["publisher"].to_list()
    found = find_site_repeats(publishers, [frozenset(keys) for keys in candidates["candidates"].to_list()])
    rows = {(publishers[position], key) for position, keys in found.items() for key in keys}
    return pl.DataFrame(sorted(rows), schema=FURNITURE_SCHEMA, orient="row")


def clean_with_furniture(
    raw: pl.DataFrame, candidates: pl.DataFrame, furniture: pl.DataFrame, ref: CleaningReference
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(articles, boilerplate_lines) of `raw` as `clean_articles` over the whole corpus gives them."""
    by_publisher: dict[str, set[str]] = {}
    for publisher, key in furniture.iter_rows():
        by_publisher.setdefault(publisher, set()).add(key)
    first = {row[0]: row[1:] for row in candidates.iter_rows()}
    article_rows, removed_rows = [], []
    for article_id, text in raw.select("article_id", "text").iter_rows():
        publisher, keys = first[article_id]
        hits = frozenset(keys) & by_publisher.get(publisher, set()) if publisher is not None else frozenset()
        cleaned = text_clean._clean(text or "", ref, hits).article
        article_rows.append(text_clean._article_row(article_id, cleaned))
        removed_rows.extend((article_id, r.line_no, r.text, r.kind, r.rule) for r in cleaned.removed)
    return (
        pl.DataFrame(article_rows, schema=text_clean.ARTICLE_SCHEMA, orient="row"),
        pl.DataFrame(removed_rows, schema=text_clean.BOILERPLATE_SCHEMA, orient="row"),
    )


# --- the assets -------------------------------------------------------------------------------------------


@dg.asset(
    partitions_def=LANDING_BATCHES,
    group_name="cleaning",
    description="Per article of the batch: its publisher and the lines that could be site furniture.",
)
def line_candidates(
    context: dg.AssetExecutionContext, wirehouse: WirehouseConfig, raw_articles: dict[str, pl.DataFrame]
):
    ref = load_reference(wirehouse.settings.seeds_dir)
    frames = {
        key: first_pass(raw_articles.get(key, pl.DataFrame(schema=RAW_SCHEMA)), ref)
        for key in own_keys(context, wirehouse)
    }
    return step_output(context, frames, CANDIDATES_SCHEMA)


@dg.asset(
    ins={"line_candidates": every_partition("line_candidates")},
    group_name="cleaning",
    description="Per publisher, the lines that recur on many of its current articles (site furniture): "
    "the corpus-level statistics cleaning uses.",
)
def line_statistics(line_candidates: dict[str, pl.DataFrame], current_articles: pl.DataFrame) -> dg.Output:
    """Over the current articles only, in the order of the folder, as one run over the folder sees them."""
    candidates = (
        union(line_candidates, CANDIDATES_SCHEMA)
        .unique("article_id", keep="first")
        .join(current_articles.select("article_id", "position"), on="article_id")
        .sort("position")
        .drop("position")
    )
    furniture = site_furniture(candidates)
    per_publisher = dict(furniture.group_by("publisher").len().sort("publisher").iter_rows())
    return dg.Output(
        furniture,
        metadata={
            **frame_metadata(furniture),
            "articles": candidates.height,
            "furniture_lines_per_publisher": dg.MetadataValue.json(per_publisher),
        },
    )


@dg.multi_asset(
    outs={
        "articles": dg.AssetOut(description="Articles: title, standfirst, publisher, dates and clean body."),
        "boilerplate_lines": dg.AssetOut(
            description="Every line removed from an article, with kind and rule."
        ),
        "captions": dg.AssetOut(description="Photo captions with their agency or photographer credit."),
    },
    partitions_def=LANDING_BATCHES,
    group_name="cleaning",
)
def clean(
    context: dg.AssetExecutionContext,
    wirehouse: WirehouseConfig,
    raw_articles: dict[str, pl.DataFrame],
    line_candidates: dict[str, pl.DataFrame],
    line_statistics: pl.DataFrame,
):
    """Boilerplate removed line by line, the article's structure recovered, site furniture removed."""
    results: dict[str, dict[str, pl.DataFrame]] = {name: {} for name in CLEANED}
    reused = 0
    for key in own_keys(context, wirehouse):
        raw = raw_articles.get(key, pl.DataFrame(schema=RAW_SCHEMA))
        candidates = line_candidates.get(key, pl.DataFrame(schema=CANDIDATES_SCHEMA))
        cleaned, was_reused = _clean_batch(wirehouse, key, raw, candidates, line_statistics)
        reused += was_reused
        for name in CLEANED:
            results[name][key] = cleaned[name]
    if reused:
        context.log.info(f"{reused} batch(es) with the same input and cleaning code: their cleaning reused")
    articles = union(results["articles"], ARTICLES_SCHEMA)
    removed = union(results["boilerplate_lines"], text_clean.BOILERPLATE_SCHEMA)
    captions = union(results["captions"], CAPTIONS_SCHEMA)
    by_kind = dict(removed.group_by("kind").len().sort("len", descending=True).iter_rows())
    yield dg.Output(
        step_output(context, results["articles"], ARTICLES_SCHEMA),
        "articles",
        metadata={
            **frame_metadata(articles, ["article_id", "source_path", "title", "publisher"]),
            "cleaning_reused": reused > 0 and reused == len(results["articles"]),
        },
    )
    yield dg.Output(
        step_output(context, results["boilerplate_lines"], text_clean.BOILERPLATE_SCHEMA),
        "boilerplate_lines",
        metadata={"dagster/row_count": removed.height, "removed_by_kind": dg.MetadataValue.json(by_kind)},
    )
    yield dg.Output(
        step_output(context, results["captions"], CAPTIONS_SCHEMA),
        "captions",
        metadata={"dagster/row_count": captions.height},
    )


def _clean_batch(
    wirehouse: WirehouseConfig,
    key: str,
    raw: pl.DataFrame,
    candidates: pl.DataFrame,
    furniture: pl.DataFrame,
) -> tuple[dict[str, pl.DataFrame], bool]:
    """One batch cleaned, or its cleaning remembered for the same texts and the same furniture."""
    seeds_dir = wirehouse.settings.seeds_dir
    texts = raw.select("article_id", "text")
    relevant = furniture.join(candidates.select("publisher").unique(), on="publisher").sort(pl.all())
    digest = hashlib.sha256(f"{frame_digest(texts)}-{frame_digest(relevant)}".encode()).hexdigest()[:32]
    memory = LastResult(
        wirehouse.settings.cache_dir / "clean" / key, f"{cleaning_fingerprint(seeds_dir)}-{digest}"
    )
    remembered = memory.load(CLEANED)
    if remembered is not None:
        return remembered, True
    ref = load_reference(seeds_dir)
    cleaned, removed = clean_with_furniture(raw, candidates, furniture, ref)
    articles = cleaned.join(
        raw.select("article_id", "source_path", "content_sha256", "encoding"), on="article_id", how="left"
    ).select(ARTICLE_COLUMNS)
    result = {"articles": articles, "boilerplate_lines": removed, "captions": extract_captions(removed, ref)}
    memory.store(result)
    return result, False


@functools.cache
def cleaning_fingerprint(seeds_dir: Path) -> str:
    """What cleaning depends on besides its input: the text layer's code and the run's seed CSVs."""
    return fingerprint([], [*(PROJECT_ROOT / "pipeline" / "text").glob("*.py"), *seeds_dir.glob("*.csv")])


def current_union(articles: dict[str, pl.DataFrame], current_articles: pl.DataFrame) -> pl.DataFrame:
    """The current articles from every batch: each once, at its current path, in the folder's order."""
    return (
        union(articles, ARTICLES_SCHEMA)
        .unique("article_id", keep="first")
        .drop("source_path")
        .join(current_articles, on="article_id")
        .sort("position")
        .select(ARTICLE_COLUMNS)
    )


def current_rows(
    frames: dict[str, pl.DataFrame], schema: dict, current_articles: pl.DataFrame, order: list[str]
) -> pl.DataFrame:
    """A per-article table's rows of the current articles, in the folder's order then `order`."""
    return (
        union(frames, schema)
        .join(current_articles.select("article_id", "position"), on="article_id")
        .unique([*order, "article_id"], keep="first", maintain_order=True)
        .sort("position", *order)
        .drop("position")
    )
