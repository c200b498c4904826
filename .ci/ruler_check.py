"""The fast attribute ruler on BBC bodies: the same tokens as the stock pipeline, and the parse's time.

Parses the first N corpus articles (as the cleaning stage hands them to the parse) with the stock model and
with the pipeline's (`load_model`: fast attribute ruler, lemmas on demand), compares every token (text, tag,
POS, morphology, lemma, dependency, head, sentence start, entity type and IOB, norm) and every entity span,
then times `nlp.pipe` of each over the same texts, in the same process, one after the other, ROUNDS times.

    .venv/bin/python .ci/ruler_check.py [--articles 300] [--rounds 2]

Exit status 1 when any token differs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc"
BATCH_SIZE = 64


def token_attributes(doc, lemma) -> list[tuple]:
    return [
        (t.text, t.tag_, t.pos_, t.morph.key, lemma(t), t.dep_, t.head.i, t.is_sent_start, *ent)
        for t in doc
        for ent in [(t.ent_type_, t.ent_iob_, t.norm_)]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import spacy

    from pipeline.nlp.model import MODEL_NAME, load_model
    from pipeline.text.clean import clean_article

    paths = sorted(args.corpus.glob("*.txt"))[: args.articles]
    texts = [clean_article(p.read_text(encoding="utf-8", errors="replace")).body for p in paths]
    stock, ours = spacy.load(MODEL_NAME), load_model()
    differing = tokens = 0
    for text, expected, got in zip(
        texts, stock.pipe(texts, batch_size=BATCH_SIZE), ours.pipe(texts, batch_size=BATCH_SIZE), strict=True
    ):
        want, have = (
            token_attributes(expected, lambda t: t.lemma_),
            token_attributes(got, lambda t: t._.lemma),
        )
        tokens += len(want)
        spans = [(e.start, e.end, e.label_) for e in expected.ents] != [
            (e.start, e.end, e.label_) for e in got.ents
        ]
        if want != have or spans:
            differing += 1
            first = next((i for i, (a, b) in enumerate(zip(want, have, strict=False)) if a != b), None)
            print(f"differs: {text[:60]!r}... token {first}: {want[first] if first is not None else 'ents'}")
    print(f"{len(texts)} articles, {tokens} tokens compared: {differing} article(s) differ")
    for round_ in range(args.rounds):
        for name, nlp in (("stock", stock), ("ours", ours)):
            load = os.getloadavg()[0]
            start = time.perf_counter()
            for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
                pass
            seconds = time.perf_counter() - start
            print(f"round {round_ + 1} {name:<5} nlp.pipe {seconds:6.1f} s (load {load:.2f})")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
