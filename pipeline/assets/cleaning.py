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
from pipeline.cleaning_passes import (  # the passes, on the workers
    candidates_by_batch,
    cleaned_by_batch,
    provisional_bodies,
)
from pipeline.ingest import RAW_SCHEMA
from pipeline.nlp import ahead
from pipeline.nlp.ahead import nlp_cache
from pipeline.nlp.workers import started_workers
from pipeline.resources import WirehouseConfig
from pipeline.settings import PROJECT_ROOT
from pipeline.storage.cache import LastResult, fingerprint, frame_digest
from pipeline.text import clean as text_clean
from pipeline.text.captions import CAPTIONS_SCHEMA, extract_captions
from pipeline.text.clean import CANDIDATES_SCHEMA, site_furniture
from pipeline.text.reference import load_reference

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
_FROM_RAW = {"source_path": pl.String, "content_sha256": pl.String, "encoding": pl.String}
ARTICLES_SCHEMA = {name: text_clean.ARTICLE_SCHEMA.get(name, _FROM_RAW.get(name)) for name in ARTICLE_COLUMNS}


# --- the assets -------------------------------------------------------------------------------------------


@dg.asset(
    partitions_def=LANDING_BATCHES,
    group_name="cleaning",
    description="Per article of the batch: its publisher and the lines that could be site furniture.",
)
def line_candidates(
    context: dg.AssetExecutionContext, wirehouse: WirehouseConfig, raw_articles: dict[str, pl.DataFrame]
):
    keys = own_keys(context, wirehouse)
    raws = {key: raw_articles.get(key, pl.DataFrame(schema=RAW_SCHEMA)) for key in keys}
    settings = wirehouse.settings
    frames = candidates_by_batch(raws, settings.seeds_dir)
    if started_workers():  # the parse starts now on the bodies the first pass gave (pipeline.nlp.ahead)
        sent = ahead.start(provisional_bodies(), nlp_cache(settings.cache_dir), settings.batch_size)
        if sent:
            context.log.info(f"parsing {sent} article(s) ahead on the workers, while cleaning goes on")
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
    keys = own_keys(context, wirehouse)
    raws = {key: raw_articles.get(key, pl.DataFrame(schema=RAW_SCHEMA)) for key in keys}
    candidates = {key: line_candidates.get(key, pl.DataFrame(schema=CANDIDATES_SCHEMA)) for key in keys}
    cleaned, reused = _clean_batches(wirehouse, raws, candidates, line_statistics)
    results = {name: {key: cleaned[key][name] for key in keys} for name in CLEANED}
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


def _clean_batches(
    wirehouse: WirehouseConfig,
    raws: dict[str, pl.DataFrame],
    candidates: dict[str, pl.DataFrame],
    furniture: pl.DataFrame,
) -> tuple[dict[str, dict[str, pl.DataFrame]], int]:
    """Each batch cleaned, or its cleaning remembered for the same texts and the same furniture; and how
    many were remembered. The batches to clean are cleaned together (on the started workers if any)."""
    seeds_dir = wirehouse.settings.seeds_dir
    memories = {key: _memory(wirehouse, key, raw, candidates[key], furniture) for key, raw in raws.items()}
    results = {key: memory.load(CLEANED) for key, memory in memories.items()}
    todo = [key for key, result in results.items() if result is None]
    fresh = cleaned_by_batch(
        {key: raws[key] for key in todo}, {key: candidates[key] for key in todo}, furniture, seeds_dir
    )
    ref = load_reference(seeds_dir)
    for key in todo:
        articles, removed = fresh[key]
        articles = articles.join(
            raws[key].select("article_id", "source_path", "content_sha256", "encoding"),
            on="article_id",
            how="left",
        ).select(ARTICLE_COLUMNS)
        results[key] = {
            "articles": articles,
            "boilerplate_lines": removed,
            "captions": extract_captions(removed, ref),
        }
        memories[key].store(results[key])
    return results, len(raws) - len(todo)


def _memory(
    wirehouse: WirehouseConfig,
    key: str,
    raw: pl.DataFrame,
    candidates: pl.DataFrame,
    furniture: pl.DataFrame,
) -> LastResult:
    """Where a batch's cleaning is remembered, for its exact texts and the furniture its publishers have."""
    texts = raw.select("article_id", "text")
    relevant = furniture.join(candidates.select("publisher").unique(), on="publisher").sort(pl.all())
    digest = hashlib.sha256(f"{frame_digest(texts)}-{frame_digest(relevant)}".encode()).hexdigest()[:32]
    seeds_dir = wirehouse.settings.seeds_dir
    return LastResult(
        wirehouse.settings.cache_dir / "clean" / key, f"{cleaning_fingerprint(seeds_dir)}-{digest}"
    )


@functools.cache
def cleaning_fingerprint(seeds_dir: Path) -> str:
    """What cleaning depends on besides its input: the text layer's code, its passes and the seed CSVs."""
    source = PROJECT_ROOT / "pipeline"
    code = [*(source / "text").glob("*.py"), source / "cleaning_passes.py"]
    return fingerprint([], [*code, *seeds_dir.glob("*.csv")])


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
