"""One spaCy parse per article, yielding entity mentions and quotes; entities from the mentions.

Parsing is incremental: outputs are cached by article content and the extraction fingerprint (model,
code, seeds), so an unchanged article is never parsed twice.
"""

import hashlib

import dagster as dg
import polars as pl

from pipeline.assets.metadata import frame_metadata
from pipeline.nlp.entities import build_entities
from pipeline.nlp.extract import MENTIONS_SCHEMA, QUOTES_SCHEMA, extract
from pipeline.nlp.model import extraction_fingerprint, load_model
from pipeline.resources import WirehouseConfig
from pipeline.storage.cache import FrameCache

NLP_TABLES = ("entity_mentions", "quotes")


@dg.multi_asset(
    outs={
        "entity_mentions": dg.AssetOut(description="Named-entity mentions with offsets into the body."),
        "quotes": dg.AssetOut(description="Direct, partial and reported quotes with resolved speakers."),
    },
    group_name="nlp",
)
def parse(context: dg.AssetExecutionContext, articles: pl.DataFrame, wirehouse: WirehouseConfig):
    """The single `nlp.pipe` pass of the pipeline, over the articles not parsed before."""
    settings = wirehouse.settings
    cache = FrameCache(settings.cache_dir / "nlp", extraction_fingerprint(), NLP_TABLES)
    keys = cache_keys(articles)
    cached, hits = cache.lookup(keys)
    todo = articles.filter(~keys.is_in(list(hits)))
    fresh: dict[str, pl.DataFrame] = {}
    if todo.height:
        mentions, quotes = extract(
            todo, load_model(), batch_size=settings.batch_size, n_process=settings.n_process
        )
        fresh = {"entity_mentions": mentions, "quotes": quotes}
        cache.store(dict(zip(todo["article_id"], cache_keys(todo), strict=True)), fresh)
    context.log.info(f"parsed {todo.height} article(s), {articles.height - todo.height} from the cache")
    mentions = _combine(cached, fresh, "entity_mentions", MENTIONS_SCHEMA, "mention_id")
    quotes = _combine(cached, fresh, "quotes", QUOTES_SCHEMA, "quote_id")
    work = {"articles_parsed": todo.height, "articles_from_cache": articles.height - todo.height}
    per_article = (
        quotes.group_by("article_id")
        .len()
        .join(articles.select("article_id", "source_path"), on="article_id")
    )
    yield dg.Output(
        mentions,
        "entity_mentions",
        metadata={**frame_metadata(mentions, ["article_id", "name", "label", "text"]), **work},
    )
    yield dg.Output(
        quotes,
        "quotes",
        metadata={
            **frame_metadata(quotes, ["quote_type", "speaker", "cue", "text"]),
            **work,
            "quotes_per_article": dg.MetadataValue.json(
                {row["source_path"]: row["len"] for row in per_article.iter_rows(named=True)}
            ),
        },
    )


def cache_keys(articles: pl.DataFrame) -> pl.Series:
    """An article's NLP outputs depend on its id (in every row id) and its cleaned body."""
    return pl.Series(
        "key",
        [
            f"{article_id}:{hashlib.sha256((body or '').encode()).hexdigest()[:16]}"
            for article_id, body in articles.select("article_id", "body").iter_rows()
        ],
        dtype=pl.String,
    )


def _combine(
    cached: dict[str, pl.DataFrame], fresh: dict[str, pl.DataFrame], table: str, schema: dict, order_by: str
) -> pl.DataFrame:
    parts = [frame for frame in (cached.get(table), fresh.get(table)) if frame is not None]
    combined = pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame(schema=schema)
    return combined.select(list(schema)).sort(order_by)


@dg.asset(group_name="nlp", description="Canonical entities with mention and article counts.")
def entities(entity_mentions: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    table = build_entities(entity_mentions)
    return dg.Output(
        table, metadata=frame_metadata(table, ["name", "label", "mention_count", "article_count"])
    )
