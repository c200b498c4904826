"""Cleaned articles and the audit of every removed line."""

import dagster as dg
import polars as pl

from pipeline.assets.metadata import frame_metadata
from pipeline.text.captions import extract_captions
from pipeline.text.clean import clean_articles

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
def clean(raw_articles: pl.DataFrame):
    """Boilerplate removed line by line, the article's structure recovered."""
    cleaned, removed = clean_articles(raw_articles)
    articles = cleaned.join(
        raw_articles.select("article_id", "source_path", "content_sha256", "encoding"), on="article_id"
    ).select(ARTICLE_COLUMNS)
    captions = extract_captions(removed)
    by_kind = removed.group_by("kind").len().sort("len", descending=True)
    yield dg.Output(
        articles,
        "articles",
        metadata=frame_metadata(articles, ["article_id", "source_path", "title", "publisher"]),
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
