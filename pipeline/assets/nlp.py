"""One spaCy parse per article, yielding entity mentions and quotes; entities from the mentions."""

import dagster as dg
import polars as pl

from pipeline.assets.metadata import frame_metadata
from pipeline.nlp.entities import build_entities
from pipeline.nlp.extract import extract
from pipeline.nlp.model import load_model
from pipeline.resources import WirehouseConfig


@dg.multi_asset(
    outs={
        "entity_mentions": dg.AssetOut(description="Named-entity mentions with offsets into the body."),
        "quotes": dg.AssetOut(description="Direct, partial and reported quotes with resolved speakers."),
    },
    group_name="nlp",
)
def parse(articles: pl.DataFrame, wirehouse: WirehouseConfig):
    """The single `nlp.pipe` pass of the pipeline: both outputs come from the same Doc."""
    settings = wirehouse.settings
    mentions, quotes = extract(
        articles, load_model(), batch_size=settings.batch_size, n_process=settings.n_process
    )
    per_article = (
        quotes.group_by("article_id")
        .len()
        .join(articles.select("article_id", "source_path"), on="article_id")
    )
    yield dg.Output(
        mentions,
        "entity_mentions",
        metadata=frame_metadata(mentions, ["article_id", "name", "label", "text"]),
    )
    yield dg.Output(
        quotes,
        "quotes",
        metadata={
            **frame_metadata(quotes, ["quote_type", "speaker", "cue", "text"]),
            "quotes_per_article": dg.MetadataValue.json(
                {row["source_path"]: row["len"] for row in per_article.iter_rows(named=True)}
            ),
        },
    )


@dg.asset(group_name="nlp", description="Canonical entities with mention and article counts.")
def entities(entity_mentions: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    table = build_entities(entity_mentions)
    return dg.Output(
        table, metadata=frame_metadata(table, ["name", "label", "mention_count", "article_count"])
    )
