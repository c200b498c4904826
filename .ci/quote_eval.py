"""Score quote extraction on a gold set in seconds, per outlet, for developing the extractor.

The scorer in ../shared/eval runs the whole pipeline (minutes); this runs only the extraction and entity
resolution over Docs parsed once and cached, with the scorer's own matching, and adds what the scorer does
not print: speaker accuracy per outlet (the worst is the figure to raise) and the misses by the kind of
speaker mention (pronoun, description, name, none), written to --errors for reading.

    .venv/bin/python .ci/quote_eval.py ../shared/eval/quotes-dev/gold.jsonl --warehouse DIR

DIR is a warehouse the real scorer left with --keep (its `news.duckdb` holds the cleaned bodies); the
figures agree with the scorer's as long as cleaning is unchanged since that warehouse was written.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.nlp.canonical import resolve_entities
from pipeline.nlp.extract import MENTIONS_SCHEMA, QUOTES_SCHEMA, doc_rows
from pipeline.nlp.model import load_model, model_version
from pipeline.nlp.paragraphs import paragraph_doc
from pipeline.nlp.reference import load_reference

PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "his", "her", "who"})


def load_scorer(gold: Path):
    spec = importlib.util.spec_from_file_location("score_quotes", gold.parents[1] / "score_quotes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bodies(warehouse: Path) -> pl.DataFrame:
    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    try:
        return con.sql("SELECT article_id, source_path, body FROM articles").pl()
    finally:
        con.close()


def parsed_docs(articles: pl.DataFrame, cache: Path):
    """Docs of every body, parsed once per body and model and kept in a DocBin."""
    from spacy.tokens import DocBin

    nlp = load_model()
    digest = hashlib.sha256(model_version(nlp).encode())
    for body in articles["body"].to_list():
        digest.update((body or "").encode() + b"\0")
    path = cache / f"docs-{digest.hexdigest()[:16]}.spacy"
    if path.exists():
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    raw = (paragraph_doc(nlp, body or "") for body in articles["body"].to_list())
    docs = list(nlp.pipe(raw, batch_size=64))
    cache.mkdir(parents=True, exist_ok=True)
    # LEMMA too: the attribute ruler's lemmas ("has" -> "have") are not recomputed from a DocBin
    attrs = ["ORTH", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "POS", "MORPH", "SENT_START", "LEMMA"]
    bin_ = DocBin(attrs=attrs)
    for doc in docs:
        bin_.add(doc)
    bin_.to_disk(path)
    return docs


def mention_kind(written: str | None) -> str:
    if not written:
        return "none"
    words = written.split()
    if words[0].lower() in PRONOUNS and len(words) == 1:
        return "pronoun"
    if written[:1].islower() or words[0].lower() in ("the", "a", "an"):
        return "description"
    return "name"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold", type=Path)
    ap.add_argument("--warehouse", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/wirehouse-quote-eval"))
    ap.add_argument("--errors", type=Path, help="write every matched quote with a wrong speaker here")
    ap.add_argument("--misses", type=Path, help="write every gold quote no prediction covers here")
    ap.add_argument("--predictions", type=Path, help="write every predicted quote here (Parquet)")
    a = ap.parse_args()
    scorer = load_scorer(a.gold.resolve())
    gold = [json.loads(line) for line in a.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = bodies(a.warehouse).sort("source_path")
    docs = parsed_docs(articles, a.cache)
    ref = load_reference()
    mentions, quotes = [], []
    for article_id, doc in zip(articles["article_id"].to_list(), docs, strict=True):
        m_rows, q_rows = doc_rows(article_id, doc, ref)
        mentions.extend(m_rows)
        quotes.extend(q_rows)
    mention_frame = pl.DataFrame(mentions, schema=MENTIONS_SCHEMA)
    quote_frame = pl.DataFrame(quotes, schema=QUOTES_SCHEMA)
    _, quote_frame, _ = resolve_entities(mention_frame, quote_frame, articles=articles)
    stems = dict(zip(articles["article_id"], (Path(p).stem for p in articles["source_path"]), strict=True))
    pred: dict[str, list[dict]] = defaultdict(list)
    for row in quote_frame.iter_rows(named=True):
        pred[stems[row["article_id"]]].append(row)
    if a.predictions:
        quote_frame.with_columns(
            source=pl.col("article_id").replace_strict(stems, return_dtype=pl.String)
        ).write_parquet(a.predictions)
    overall = scorer.score(gold, pred, 0.3)
    print(
        f"all       P {overall['P']:.3f} R {overall['R']:.3f} F1 {overall['F1']:.3f} "
        f"speaker {overall['speaker_acc']:.3f}  gold={overall['gold']} pred={overall['pred']}"
    )
    by_outlet: dict[str, list[dict]] = defaultdict(list)
    for art in gold:
        by_outlet[art.get("outlet") or art.get("publisher") or "?"].append(art)
    for outlet, arts in sorted(by_outlet.items()):
        s = scorer.score(arts, pred, 0.3)
        print(
            f"{outlet[:24]:<24} n={len(arts):>3} F1 {s['F1']:.3f} R {s['R']:.3f} "
            f"speaker {s['speaker_acc']:.3f}"
        )
    kinds: Counter[tuple[str, bool]] = Counter()
    errors, misses = [], []
    for art in gold:
        placed = [(scorer.place(art["text"], p["text"]), p) for p in pred.get(art["id"], [])]
        placed = [(span, p) for span, p in placed if span]
        for g in art["quotes"]:
            if not g.get("quote_span") or g["quote_span"][1] <= g["quote_span"][0]:
                continue
            gs, ge = g["quote_span"]
            best = max(placed, key=lambda sp: max(0, min(ge, sp[0][1]) - max(gs, sp[0][0])), default=None)
            if best is None or max(0, min(ge, best[0][1]) - max(gs, best[0][0])) / (ge - gs) <= 0.3:
                misses.append({"id": art["id"], "cue": g.get("verb"), "quote": g.get("quote", "")[:200]})
                continue
            ref_name = g.get("reference") or g.get("speaker")
            if not ref_name:
                continue
            ok = bool(scorer.surnames(ref_name) & scorer.surnames(best[1]["speaker"]))
            kind = mention_kind(g.get("speaker"))
            kinds[(kind, ok)] += 1
            if not ok:
                errors.append(
                    {
                        "id": art["id"],
                        "kind": kind,
                        "gold": ref_name,
                        "gold_written": g.get("speaker"),
                        "predicted": best[1]["speaker"],
                        "predicted_written": best[1]["speaker_mention"],
                        "cue": best[1]["cue"],
                        "quote": best[1]["text"][:160],
                    }
                )
    for kind in ("name", "pronoun", "description", "none"):
        right, wrong = kinds[(kind, True)], kinds[(kind, False)]
        if right + wrong:
            print(f"speaker as {kind:<12} {right / (right + wrong):.3f} of {right + wrong}")
    if a.misses:
        a.misses.write_text("".join(json.dumps(m) + "\n" for m in misses), encoding="utf-8")
    if a.errors:
        a.errors.write_text("".join(json.dumps(e) + "\n" for e in errors), encoding="utf-8")


if __name__ == "__main__":
    main()
