"""Reference data for the NLP layer, kept as small CSV seeds so a change is a data change, not code."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True)
class Reference:
    """Word lists that quote attribution and entity clean-up rely on."""

    reporting_verbs: frozenset[str]  # lemmas, lower case
    honorifics: frozenset[str]  # single-token titles, lower case, without a trailing dot
    roles: tuple[str, ...]  # role phrases as written in the seed, longest first
    # lower-case first name -> "m" / "f"
    first_names: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # noun lemma -> "person" / "org" / "document": what "the minister" / "the company" / "the report"
    # stands for (a document speaks for its author)
    speaker_nouns: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # lower-case alias -> label, from the entity aliases seed: "labour" is an ORG whatever the model says
    alias_labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


def read_pairs(path: Path, key: str, value: str, allowed: frozenset[str]) -> dict[str, str]:
    """A two-column seed as a dict (keys lower-cased); ValueError naming the file on a bad value."""
    keys, values = read_column(path, key), read_column(path, value)
    bad = sorted({v for v in values if v not in allowed})
    if bad:
        raise ValueError(f"{path}: {value!r} must be one of {sorted(allowed)}, got {bad}")
    return {k.lower(): v for k, v in zip(keys, values, strict=True)}


def read_column(path: Path, column: str) -> list[str]:
    """The non-empty values of one column of a seed CSV; ValueError naming the file when malformed."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or column not in reader.fieldnames:
                raise ValueError(
                    f"{path}: expected a header with a {column!r} column, got {reader.fieldnames}"
                )
            values = []
            for line_no, row in enumerate(reader, start=2):
                value = (row.get(column) or "").strip()
                if not value:
                    raise ValueError(f"{path}: line {line_no} has an empty {column!r}")
                values.append(value)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{path}: cannot read seed CSV ({exc})") from exc
    if not values:
        raise ValueError(f"{path}: no rows")
    return values


@functools.lru_cache(maxsize=8)
def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    """Read the seeds once per process."""
    verbs = read_column(seeds_dir / "reporting_verbs.csv", "lemma")
    honorifics = read_column(seeds_dir / "honorifics.csv", "honorific")
    roles = read_column(seeds_dir / "roles.csv", "role")
    return Reference(
        reporting_verbs=frozenset(v.lower() for v in verbs),
        honorifics=frozenset(h.lower().rstrip(".") for h in honorifics),
        roles=tuple(sorted(set(roles), key=lambda r: (-len(r), r))),
        first_names=read_pairs(seeds_dir / "first_names.csv", "first_name", "gender", frozenset("mf")),
        speaker_nouns=read_pairs(
            seeds_dir / "speaker_nouns.csv", "lemma", "kind", frozenset({"person", "org", "document"})
        ),
        alias_labels=read_pairs(seeds_dir / "entity_aliases.csv", "alias", "label", ENTITY_LABELS),
    )


ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW"})
