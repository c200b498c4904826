"""One spaCy parse per article, per landing batch, yielding entity mentions and quotes; then entities
across every current article (the corpus-level step).

Parsing is incremental: per-article outputs are cached by article content and the extraction fingerprint
(model, code, seeds), so an unchanged article is never parsed twice. Resolving entities across the corpus
(aliases, labels, one id per real-world entity) runs over all articles every time: it takes a second.
"""

import dagster as dg
import polars as pl

from pipeline.assets.cleaning import current_union
from pipeline.assets.metadata import frame_metadata
from pipeline.assets.partitions import LANDING_BATCHES, every_partition, own_keys, step_output, union
from pipeline.assets.warmup import warm_up_for_publishing
from pipeline.nlp import ahead
from pipeline.nlp.ahead import CHECKPOINT_ARTICLES, NLP_TABLES, cache_keys, nlp_cache, store_chunks
from pipeline.nlp.canonical import resolve_entities as canonicalise
from pipeline.nlp.extract import MENTIONS_SCHEMA, QUOTES_SCHEMA
from pipeline.nlp.workers import Extracted, extract_in_chunks, stop_started, workers_for
from pipeline.resources import WirehouseConfig
from pipeline.storage.cache import FrameCache

__all__ = ["CHECKPOINT_ARTICLES", "NLP_TABLES", "cache_keys", "parse", "resolve_entities"]
# No concurrency pool on the parse: a killed run would hold its slot and every later run would wait. The
# parse takes the cores and memory it needs (pipeline.nlp.workers.choose_workers).


@dg.multi_asset(
    outs={
        "parsed_mentions": dg.AssetOut(
            description="Entity mentions per article, canonical within the article."
        ),
        "parsed_quotes": dg.AssetOut(
            description="Quotes per article with speakers resolved within the article."
        ),
    },
    partitions_def=LANDING_BATCHES,
    group_name="nlp",
)
def parse(context: dg.AssetExecutionContext, articles: dict[str, pl.DataFrame], wirehouse: WirehouseConfig):
    """The single spaCy pass of the pipeline, over the batch's articles not parsed yet (see nlp.workers)."""
    settings = wirehouse.settings
    cache = nlp_cache(settings.cache_dir)
    if ahead.running():
        warm_up_for_publishing()  # this process waits on the workers now (earlier, it would slow cleaning)
    parsed_ahead = ahead.finish()  # started by line_candidates on the workers started early, if any
    keys = own_keys(context, wirehouse)
    batch_of = {key: articles[key] for key in keys if key in articles}
    everything = (
        union(batch_of) if batch_of else pl.DataFrame(schema={"article_id": pl.String, "body": pl.String})
    )
    cache_key = cache_keys(everything)
    _, hits = cache.lookup(cache_key, rows=False)
    missing = ~cache_key.is_in(list(hits))
    todo = everything.filter(missing)
    if todo.height:
        n_process = workers_for(todo.height, settings.batch_size, settings.n_process, context.log.info)
        if n_process > 1:
            warm_up_for_publishing()  # the parent waits on the workers meanwhile
        key_of = dict(zip(todo["article_id"], cache_key.filter(missing), strict=True))
        _parse_into_cache(context, todo, key_of, cache, settings.batch_size, n_process)
    stop_started()  # if nothing was left to parse here, the workers started early are not needed any more
    context.log.info(
        f"parsed {todo.height} article(s) here, {everything.height - todo.height} from the cache "
        f"({len(parsed_ahead)} of them parsed ahead by this run, while cleaning ran)"
    )
    # every article's rows from the cache, read once the workers are gone: the parent never holds the rows
    # of a whole corpus while the workers hold their models
    mentions: dict[str, pl.DataFrame] = {}
    quotes: dict[str, pl.DataFrame] = {}
    for key, frame in batch_of.items():
        cached, _ = cache.lookup(cache_keys(frame))
        mentions[key] = _combine(cached, "entity_mentions", MENTIONS_SCHEMA, "mention_id")
        quotes[key] = _combine(cached, "quotes", QUOTES_SCHEMA, "quote_id")
    # an article parsed ahead (and not changed by cleaning since) was parsed by this run, not cached before
    from_cache = int((~missing & ~cache_key.is_in(list(parsed_ahead))).sum())
    work = {"articles_parsed": everything.height - from_cache, "articles_from_cache": from_cache}
    yield dg.Output(
        step_output(context, mentions, MENTIONS_SCHEMA),
        "parsed_mentions",
        metadata={"dagster/row_count": sum(f.height for f in mentions.values()), **work},
    )
    yield dg.Output(
        step_output(context, quotes, QUOTES_SCHEMA),
        "parsed_quotes",
        metadata={"dagster/row_count": sum(f.height for f in quotes.values()), **work},
    )


@dg.multi_asset(
    outs={
        "entity_mentions": dg.AssetOut(description="Named-entity mentions with offsets into the body."),
        "quotes": dg.AssetOut(description="Direct, partial and reported quotes with resolved speakers."),
        "entities": dg.AssetOut(
            description="Canonical entities across articles, with mention and article counts."
        ),
    },
    ins={
        "parsed_mentions": every_partition("parsed_mentions"),
        "parsed_quotes": every_partition("parsed_quotes"),
        "articles": every_partition("articles"),
    },
    group_name="nlp",
)
def resolve_entities(
    parsed_mentions: dict[str, pl.DataFrame],
    parsed_quotes: dict[str, pl.DataFrame],
    articles: dict[str, pl.DataFrame],
    current_articles: pl.DataFrame,
):
    """One entity id per real-world entity across the current articles; mentions and speakers point to it."""
    articles = current_union(articles, current_articles)
    current = articles.select("article_id")
    parsed_mentions = union(parsed_mentions, MENTIONS_SCHEMA).join(current, on="article_id", how="semi")
    parsed_quotes = union(parsed_quotes, QUOTES_SCHEMA).join(current, on="article_id", how="semi")
    parsed_mentions = parsed_mentions.unique("mention_id", keep="first").sort("mention_id")
    parsed_quotes = parsed_quotes.unique("quote_id", keep="first").sort("quote_id")
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
            store_chunks(cache, pending, key_of)
            pending.clear()
            context.log.info(f"parsed {parsed}/{todo.height} article(s)")


def _combine(cached: dict[str, pl.DataFrame], table: str, schema: dict, order_by: str) -> pl.DataFrame:
    frame = cached.get(table)
    combined = frame if frame is not None else pl.DataFrame(schema=schema)
    return combined.select(list(schema)).sort(order_by)
