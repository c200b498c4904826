"""Cleaned articles and the audit of every removed line.

Cleaning compares the articles of a publisher with each other, so its result is remembered for its exact
input as a whole (article ids and texts, the cleaning code and seeds): an unchanged re-run skips it.
"""

import functools

import dagster as dg
import polars as pl

from pipeline.assets.metadata import frame_metadata
from pipeline.resources import WirehouseConfig
from pipeline.settings import PROJECT_ROOT, SEEDS_DIR
from pipeline.storage.cache import LastResult, fingerprint, frame_digest
from pipeline.text.captions import extract_captions
from pipeline.text.clean import clean_articles

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


@dg.multi_asset(
    outs={
        "articles": dg.AssetOut(description="Articles: title, standfirst, publisher, dates and clean body."),
        "boilerplate_lines": dg.AssetOut(
            description="Every line removed from an article, with kind and rule."
        ),
        "captions": dg.AssetOut(description="Photo captions with their agency or photographer credit."),
    },
    group_name="cleaning",
)
def clean(context: dg.AssetExecutionContext, raw_articles: pl.DataFrame, wirehouse: WirehouseConfig):
    """Boilerplate removed line by line, the article's structure recovered."""
    texts = raw_articles.select("article_id", "text")
    memory = LastResult(
        wirehouse.settings.cache_dir / "clean", f"{cleaning_fingerprint()}-{frame_digest(texts)}"
    )
    remembered = memory.load(CLEANED)
    reused = remembered is not None
    if remembered is None:
        cleaned, removed = clean_articles(texts)
        remembered = {
            "articles": cleaned,
            "boilerplate_lines": removed,
            "captions": extract_captions(removed),
        }
        memory.store(remembered)
    else:
        context.log.info("same input and cleaning code as the last run: its cleaning reused")
    cleaned, removed, captions = (remembered[name] for name in CLEANED)
    articles = cleaned.join(
        raw_articles.select("article_id", "source_path", "content_sha256", "encoding"), on="article_id"
    ).select(ARTICLE_COLUMNS)
    by_kind = removed.group_by("kind").len().sort("len", descending=True)
    yield dg.Output(
        articles,
        "articles",
        metadata={
            **frame_metadata(articles, ["article_id", "source_path", "title", "publisher"]),
            "cleaning_reused": reused,
        },
    )
    yield dg.Output(
        removed,
        "boilerplate_lines",
        metadata={
            **frame_metadata(removed, ["article_id", "line_no", "kind", "rule", "text"]),
            "removed_by_kind": dg.MetadataValue.json(dict(by_kind.iter_rows())),
        },
    )
    yield dg.Output(
        captions, "captions", metadata=frame_metadata(captions, ["article_id", "credit", "caption"])
    )


@functools.cache
def cleaning_fingerprint() -> str:
    """What cleaning depends on besides its input: the text layer's code and the seed CSVs."""
    return fingerprint([], [*(PROJECT_ROOT / "pipeline" / "text").glob("*.py"), *SEEDS_DIR.glob("*.csv")])
