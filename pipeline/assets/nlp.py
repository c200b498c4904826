"""One spaCy parse per article, yielding entity mentions and quotes; then entities across articles.

Parsing is incremental: per-article outputs are cached by article content and the extraction fingerprint
(model, code, seeds), so an unchanged article is never parsed twice. Resolving entities across the corpus
(aliases, labels, one id per real-world entity) runs over all articles every time: it takes a second.
"""

import hashlib

import dagster as dg
import polars as pl

from pipeline.assets.metadata import frame_metadata
from pipeline.nlp.canonical import resolve_entities as canonicalise
from pipeline.nlp.extract import MENTIONS_SCHEMA, QUOTES_SCHEMA
from pipeline.nlp.model import extraction_fingerprint
from pipeline.nlp.workers import Extracted, extract_in_chunks
from pipeline.quality.suites import preload_great_expectations
from pipeline.resources import WirehouseConfig
from pipeline.storage.cache import FrameCache

NLP_TABLES = ("entity_mentions", "quotes")
CHECKPOINT_ARTICLES = 1000  # parsed articles are cached at least this often, so a stopped run loses little


@dg.multi_asset(
    outs={
        "parsed_mentions": dg.AssetOut(
            description="Entity mentions per article, canonical within the article."
        ),
        "parsed_quotes": dg.AssetOut(
            description="Quotes per article with speakers resolved within the article."
        ),
    },
    group_name="nlp",
)
def parse(context: dg.AssetExecutionContext, articles: pl.DataFrame, wirehouse: WirehouseConfig):
    """The single spaCy pass of the pipeline, over the articles not parsed before (see nlp.workers)."""
    settings = wirehouse.settings
    cache = FrameCache(settings.cache_dir / "nlp", extraction_fingerprint(), NLP_TABLES)
    keys = cache_keys(articles)
    _, hits = cache.lookup(keys, rows=False)
    missing = ~keys.is_in(list(hits))
    todo = articles.filter(missing)
    if todo.height:
        if settings.n_process > 1:
            preload_great_expectations()  # the parent waits on the workers meanwhile; the suites need it next
        key_of = dict(zip(todo["article_id"], keys.filter(missing), strict=True))
        _parse_into_cache(context, todo, key_of, cache, settings.batch_size, settings.n_process)
    context.log.info(f"parsed {todo.height} article(s), {articles.height - todo.height} from the cache")
    # every article's rows from the cache, read once the workers are gone: the parent never holds the rows
    # of a whole corpus while the workers hold their models
    cached, _ = cache.lookup(keys)
    mentions = _combine(cached, "entity_mentions", MENTIONS_SCHEMA, "mention_id")
    quotes = _combine(cached, "quotes", QUOTES_SCHEMA, "quote_id")
    work = {"articles_parsed": todo.height, "articles_from_cache": articles.height - todo.height}
    yield dg.Output(mentions, "parsed_mentions", metadata={"dagster/row_count": mentions.height, **work})
    yield dg.Output(quotes, "parsed_quotes", metadata={"dagster/row_count": quotes.height, **work})


@dg.multi_asset(
    outs={
        "entity_mentions": dg.AssetOut(description="Named-entity mentions with offsets into the body."),
        "quotes": dg.AssetOut(description="Direct, partial and reported quotes with resolved speakers."),
        "entities": dg.AssetOut(
            description="Canonical entities across articles, with mention and article counts."
        ),
    },
    group_name="nlp",
)
def resolve_entities(parsed_mentions: pl.DataFrame, parsed_quotes: pl.DataFrame, articles: pl.DataFrame):
    """One entity id per real-world entity across the corpus; mentions and speakers point to it."""
    mentions, quotes, entities = canonicalise(parsed_mentions, parsed_quotes, articles=articles)
    by_article = articles.select("article_id", "source_path")
    quotes_per_article = quotes.group_by("article_id").len().join(by_article, on="article_id")
    entities_per_article = (
        mentions.group_by("article_id")
        .agg(pl.col("entity_id").n_unique().alias("len"))
        .join(by_article, on="article_id")
    )
    yield dg.Output(
        mentions,
        "entity_mentions",
        metadata={
            **frame_metadata(mentions, ["article_id", "name", "label", "text"]),
            "entities_per_article": _per_article(entities_per_article),
        },
    )
    yield dg.Output(
        quotes,
        "quotes",
        metadata={
            **frame_metadata(quotes, ["quote_type", "speaker", "cue", "text"]),
            "quotes_per_article": _per_article(quotes_per_article),
        },
    )
    yield dg.Output(
        entities,
        "entities",
        metadata={
            **frame_metadata(entities, ["name", "label", "mention_count", "article_count"]),
            "merged_from": parsed_mentions["entity_id"].n_unique(),
        },
    )


def _per_article(counts: pl.DataFrame) -> dg.MetadataValue:
    return dg.MetadataValue.json({row["source_path"]: row["len"] for row in counts.iter_rows(named=True)})


def _parse_into_cache(
    context: dg.AssetExecutionContext,
    todo: pl.DataFrame,
    key_of: dict[str, str],
    cache: FrameCache,
    batch_size: int,
    n_process: int,
) -> None:
    """Parse the articles chunk by chunk, storing finished chunks in the cache every CHECKPOINT_ARTICLES.

    A run stopped part way (killed, out of memory, a restart) keeps what it parsed: the next run starts
    from the cache. Only the chunks not yet stored are held in memory."""
    pending: list[Extracted] = []
    parsed = 0
    for chunk in extract_in_chunks(todo, batch_size=batch_size, n_process=n_process):
        pending.append(chunk)
        parsed += len(chunk.article_ids)
        if sum(len(c.article_ids) for c in pending) >= CHECKPOINT_ARTICLES or parsed == todo.height:
            cache.store(
                {a: key_of[a] for c in pending for a in c.article_ids},
                {
                    "entity_mentions": pl.concat([c.mentions for c in pending]),
                    "quotes": pl.concat([c.quotes for c in pending]),
                },
            )
            pending.clear()
            context.log.info(f"parsed {parsed}/{todo.height} article(s)")


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


def _combine(cached: dict[str, pl.DataFrame], table: str, schema: dict, order_by: str) -> pl.DataFrame:
    frame = cached.get(table)
    combined = frame if frame is not None else pl.DataFrame(schema=schema)
    return combined.select(list(schema)).sort(order_by)
