"""The model's attribute ruler and lemmatizer, made cheap without changing what they produce.

Profiled on BBC bodies, the stock `attribute_ruler` and `lemmatizer` took 19% of the parse; once the
ruler's tag -> POS/MORPH patterns had become an array lookup, its word exceptions still took 8% of the parse
workers' time, because spaCy's Matcher calls a Python predicate per token for every `IN`/`NOT_IN`/`REGEX`
condition of every pattern. spaCy's ruler finds every match on the Doc as it comes in, then applies them in
pattern order, so each attribute of a token ends up with the value of the last pattern that matches the
token and sets it. Here the same choice is made with arrays:

- single-token patterns of equalities and `IN`/`NOT_IN` sets (`Compiled.conditions`) are compiled into one
  table over the values they mention: a token's values pick a cell, the cell names the last pattern that
  sets each of POS, TAG, MORPH, LEMMA and DEP for such a token;
- fixed-length patterns (several tokens, a `REGEX`, a target `index`) are matched with array operations
  over the Doc's columns (a regex is run once per distinct word and remembered);
- anything else (operators, fuzzy or subset predicates, extension or lexeme attributes) still goes through
  spaCy's Matcher; the last pattern still wins, whichever way a match was found;
- the lemmatizer stays loaded but is taken out of the pipeline: `token._.lemma` applies it to one token on
  demand, with the same rules, tables and cache, and keeps a lemma an exception already set.

`tests/test_fast_attributes.py` checks every attribute the parse yields against the stock pipeline, on real
text and on random patterns against spaCy's own ruler.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token
    from spacy.vocab import Vocab

FACTORY = "wirehouse_attribute_ruler"
# conditions read with `Doc.to_array`, which reads a token exactly as the Matcher does (`get_token_attr`)
CONDITION_ATTRS = frozenset(
    "ORTH LOWER NORM SHAPE PREFIX SUFFIX TAG POS DEP LEMMA ENT_TYPE IS_ALPHA IS_ASCII IS_DIGIT IS_LOWER "  # noqa: SIM905
    "IS_UPPER IS_TITLE IS_PUNCT IS_SPACE IS_STOP LIKE_NUM LIKE_URL LIKE_EMAIL".split()
)
# a REGEX is matched against the string of the value, so only on attributes whose values are strings
REGEX_ATTRS = frozenset("ORTH LOWER NORM SHAPE PREFIX SUFFIX TAG DEP LEMMA".split())  # noqa: SIM905
# what a compiled pattern may set: spaCy writes these on the token only (not its lexeme)
SET_ATTRS = ("POS", "TAG", "MORPH", "LEMMA", "DEP")
# the table holds at most this many cells; single-token patterns that would make it larger are matched as
# sequences instead
MAX_CELLS = 1 << 22
# a regex's verdict is remembered for this many distinct words, then forgotten
REGEX_MEMORY = 200_000


@dataclass(frozen=True)
class Condition:
    """One test on a token's value of `attr`: in `members` (inside) or not, or `regex` found in its string."""

    attr: int
    inside: bool = True
    members: frozenset[int] = frozenset()
    regex: re.Pattern[str] | None = None


Spec = tuple[Condition, ...]  # what one token of a pattern must meet


@dataclass
class Compiled:
    """A pattern as arrays can match it: alternatives of token specs, and the token of a match it sets."""

    position: int
    alternatives: list[list[Spec]]
    index: int

    @property
    def single(self) -> bool:
        """A table pattern: every alternative one token, set itself, no regex."""
        return (
            self.index in (0, -1)
            and all(len(specs) == 1 for specs in self.alternatives)
            and not any(c.regex for specs in self.alternatives for spec in specs for c in spec)
        )

    def mentioned(self) -> dict[int, set[int]]:
        values: dict[int, set[int]] = {}
        for specs in self.alternatives:
            for condition in specs[0]:
                values.setdefault(condition.attr, set()).update(condition.members)
        return values


def speed_up(nlp: Language) -> Language:
    """Swap in the fast attribute ruler and on-demand lemmas; a model without them is left alone."""
    from spacy.tokens import Token

    if "attribute_ruler" in nlp.pipe_names:
        patterns = nlp.get_pipe("attribute_ruler").patterns
        _register_factory()
        nlp.replace_pipe("attribute_ruler", FACTORY, config={"patterns": patterns})
    if "lemmatizer" in nlp.pipe_names:
        lemmatizer = nlp.get_pipe("lemmatizer")
        nlp.disable_pipe("lemmatizer")
        Token.set_extension("lemma", getter=lambda token: lemma_of(token, lemmatizer), force=True)
    else:
        Token.set_extension("lemma", getter=lambda token: token.lemma_, force=True)
    return nlp


def lemma_of(token: Token, lemmatizer: Any) -> str:
    """What the stock lemmatizer (overwrite off) would have set: an exception's lemma, else its rules."""
    return token.lemma_ if token.lemma else lemmatizer.lemmatize(token)[0]


def compile_pattern(position: int, pattern: dict, vocab: Vocab) -> Compiled | None:
    """The pattern's token specs as arrays can match them, or None (it stays with spaCy's Matcher). Values
    are read as the Matcher reads them (`_get_attr_values`, `_SetPredicate`, `_RegexPredicate`)."""
    index = pattern.get("index", 0)
    if not isinstance(index, int):
        return None
    alternatives = []
    for tokens in pattern["patterns"]:
        if not tokens or not all(isinstance(spec, dict) for spec in tokens):
            return None
        specs = [_spec(spec, vocab) for spec in tokens]
        if any(spec is None for spec in specs):
            return None
        alternatives.append(specs)
    return Compiled(position, alternatives, index) if alternatives else None  # type: ignore[arg-type]


def _spec(spec: dict, vocab: Vocab) -> Spec | None:
    from spacy.attrs import IDS
    from spacy.strings import get_string_id

    conditions = []
    for key, value in spec.items():
        name = key.upper() if isinstance(key, str) else None
        name = "ORTH" if name == "TEXT" else name
        if name not in CONDITION_ATTRS:  # also OP, _ (extensions), MORPH, ENT_IOB, integer keys
            return None
        attr = IDS[name]
        if isinstance(value, str):
            conditions.append(Condition(attr, members=frozenset([vocab.strings.add(value)])))
        elif isinstance(value, (bool, int)) and value >= 0:  # values are unsigned 64-bit integers
            conditions.append(Condition(attr, members=frozenset([int(value)])))
        elif isinstance(value, dict) and value:
            for predicate, operand in value.items():
                kind = predicate.upper() if isinstance(predicate, str) else None
                if kind in ("IN", "NOT_IN") and isinstance(operand, list):
                    if not all(isinstance(member, str) for member in operand):
                        return None
                    members = frozenset(get_string_id(member) for member in operand)
                    conditions.append(Condition(attr, kind == "IN", members))
                elif kind == "REGEX" and isinstance(operand, str) and name in REGEX_ATTRS:
                    conditions.append(Condition(attr, regex=re.compile(operand)))
                else:
                    return None
        else:
            return None
    return tuple(conditions)


@dataclass(frozen=True)
class AttributeTable:
    """For every combination of the values the table's patterns mention (any other value is one class), the
    last of them that sets each column: `winners[column, outcome[cell]]`, -1 for none."""

    attrs: list[int]  # the token attributes the patterns test, one dimension each
    values: list[np.ndarray]  # per dimension, the sorted values the patterns mention
    strides: np.ndarray
    outcome: np.ndarray  # cell -> outcome
    winners: np.ndarray  # (column, outcome) -> pattern position or -1

    def cells(self, values: np.ndarray) -> np.ndarray:
        """The table cell of each token, from its values of `attrs` (one column each)."""
        cell = np.zeros(len(values), dtype=np.int64)
        for dim, known in enumerate(self.values):
            if not len(known):  # only `IN []`: every value is of class 0
                continue
            column = values[:, dim]
            where = np.searchsorted(known, column).clip(max=len(known) - 1)
            cell += np.where(known[where] == column, where + 1, 0) * self.strides[dim]
        return cell


def build_table(patterns: list[Compiled], sets: dict[int, list[bool]], n_columns: int) -> AttributeTable:
    """The table of single-token patterns (`sets[position][c]`: the pattern sets column c)."""
    mentioned: dict[int, set[int]] = {}
    for pattern in patterns:
        for attr, members in pattern.mentioned().items():
            mentioned.setdefault(attr, set()).update(members)
    attrs = sorted(mentioned)
    values = [np.array(sorted(mentioned[attr]), dtype=np.uint64) for attr in attrs]
    shape = tuple(len(known) + 1 for known in values)  # class 0: a value no pattern mentions
    strides = np.array([math.prod(shape[d + 1 :]) for d in range(len(shape))], dtype=np.int64)
    winners = np.full((n_columns, math.prod(shape)), -1, dtype=np.int32)
    for pattern in sorted(patterns, key=lambda p: p.position):
        matched = np.zeros(shape, dtype=bool)
        for (spec,) in pattern.alternatives:
            meets = np.ones(shape, dtype=bool)
            for condition in spec:
                dim = attrs.index(condition.attr)
                known = values[dim].tolist()
                by_class = [not condition.inside] + [
                    (value in condition.members) == condition.inside for value in known
                ]
                meets &= np.array(by_class).reshape([-1 if d == dim else 1 for d in range(len(shape))])
            matched |= meets
        for column, sets_it in enumerate(sets[pattern.position]):
            if sets_it:
                np.copyto(winners[column], pattern.position, where=matched.reshape(-1))
    outcomes, outcome = _distinct_columns(winners)
    dtype = np.uint16 if outcomes.shape[1] <= np.iinfo(np.uint16).max else np.uint32
    return AttributeTable(attrs, values, strides, outcome.reshape(-1).astype(dtype), outcomes)


def _distinct_columns(winners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(winners, axis=1, return_inverse=True)`, with each column packed into one integer first
    (sorting the columns as records took 0.9 s for this model's 393,414 cells; integers, a few ms)."""
    base = int(winners.max()) + 2
    if base ** len(winners) >= 2**63:
        return np.unique(winners, axis=1, return_inverse=True)
    weights = base ** np.arange(len(winners), dtype=np.int64)
    keys, outcome = np.unique(weights @ (winners.astype(np.int64) + 1), return_inverse=True)
    outcomes = (keys[None, :] // weights[:, None]) % base - 1
    return outcomes.astype(np.int32), outcome


@dataclass
class _Columns:
    """One Doc's values of the attributes the patterns test, and what each spec and regex gave on it."""

    doc: Doc
    values: dict[int, np.ndarray]
    regexes: dict[tuple[int, re.Pattern[str]], dict[int, bool]]
    held: dict[Spec, np.ndarray] = field(default_factory=dict)
    distinct: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def holds(self, spec: Spec) -> np.ndarray:
        """Which tokens meet every condition of `spec`."""
        if spec not in self.held:
            ok = np.ones(len(self.doc), dtype=bool)
            for condition in spec:
                column = self.values[condition.attr]
                if condition.regex is not None:
                    ok &= self._search(condition.attr, condition.regex, column)
                elif len(condition.members) == 1:
                    ok &= (column == next(iter(condition.members))) == condition.inside
                else:
                    members = np.fromiter(condition.members, dtype=np.uint64, count=len(condition.members))
                    ok &= np.isin(column, members) == condition.inside
            self.held[spec] = ok
        return self.held[spec]

    def _search(self, attr: int, regex: re.Pattern[str], column: np.ndarray) -> np.ndarray:
        """The regex on each distinct value once (the string store's string, as the Matcher reads it)."""
        if attr not in self.distinct:
            self.distinct[attr] = np.unique(column, return_inverse=True)
        distinct, inverse = self.distinct[attr]
        known = self.regexes.setdefault((attr, regex), {})
        if len(known) > REGEX_MEMORY:
            known.clear()
        strings = self.doc.vocab.strings
        found = [
            known[value] if value in known else known.setdefault(value, bool(regex.search(strings[value])))
            for value in distinct.tolist()
        ]
        return np.array(found, dtype=bool)[inverse.reshape(-1)]


class FastAttributeRuler:
    """spaCy's AttributeRuler with the same patterns and the same result: a table for single-token
    patterns, array matching for fixed-length ones, spaCy's Matcher for the rest; the last pattern wins."""

    def __init__(self, nlp: Language, name: str, patterns: list[dict]) -> None:
        from spacy.attrs import IDS
        from spacy.matcher import Matcher
        from spacy.tokens._retokenize import normalize_token_attrs

        self.name = name
        vocab = nlp.vocab
        self.columns = [IDS[attr] for attr in SET_ATTRS]
        self.attrs = [normalize_token_attrs(vocab, dict(p["attrs"])) for p in patterns]
        self.indices = [p.get("index", 0) for p in patterns]
        # value[c, position]: what the pattern at `position` sets column c to, where it sets it
        self.value = np.zeros((len(self.columns), max(len(patterns), 1)), dtype=np.uint64)
        for position, attrs in enumerate(self.attrs):
            for column, attr in enumerate(self.columns):
                if attr in attrs:
                    self.value[column, position] = attrs[attr]
        self.sets = [[attr in attrs for attr in self.columns] for attrs in self.attrs]
        table: list[Compiled] = []
        mentioned: dict[int, set[int]] = {}
        self.sequences: list[Compiled] = []
        self.matcher = Matcher(vocab)
        self.residual: dict[int, int] = {}  # matcher key -> pattern position
        for position, pattern in enumerate(patterns):
            compiled = compile_pattern(position, pattern, vocab)
            if compiled is None or not set(self.attrs[position]) <= set(self.columns):
                key = vocab.strings.add(f"{name}:{position}")
                self.matcher.add(key, pattern["patterns"])
                self.residual[key] = position
                continue
            if compiled.single:
                trial = {attr: set(values) for attr, values in mentioned.items()}
                for attr, members in compiled.mentioned().items():
                    trial.setdefault(attr, set()).update(members)
                if math.prod(len(values) + 1 for values in trial.values()) <= MAX_CELLS:
                    table.append(compiled)
                    mentioned = trial
                    continue
            self.sequences.append(compiled)
        sets = {p.position: self.sets[p.position] for p in table}
        self.table = build_table(table, sets, len(self.columns)) if table else None
        dims = self.table.attrs if self.table is not None else []
        tested = {c.attr for p in self.sequences for specs in p.alternatives for s in specs for c in s}
        self.read = [*dims, *sorted(tested - set(dims)), *self.columns]  # what `to_array` reads
        self.regexes: dict[tuple[int, re.Pattern[str]], dict[int, bool]] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        # every match is found on the Doc as it came in, as spaCy's ruler does before it sets anything
        matches = sorted(
            (self.residual[key], start, end)
            for key, start, end in (self.matcher(doc, allow_missing=True) if self.residual else ())
        )
        values = doc.to_array(self.read)
        before = values[:, -len(self.columns) :].T  # (column, token)
        if self.table is not None:
            table = self.table
            winners = table.winners[:, table.outcome[table.cells(values[:, : len(table.attrs)])]]
        else:
            winners = np.full(before.shape, -1, dtype=np.int32)
        if self.sequences:
            columns = _Columns(doc, dict(zip(self.read, values.T, strict=True)), self.regexes)
            for pattern in self.sequences:
                self._apply(pattern.position, self._targets(pattern, columns), winners)
        self._apply_matches(doc, matches, winners)
        after = np.where(winners >= 0, self.value[np.arange(len(self.columns))[:, None], winners], before)
        changed = [c for c in range(len(self.columns)) if (after[c] != before[c]).any()]
        if changed:
            doc.from_array([self.columns[c] for c in changed], after[changed].T.copy())
        return doc

    def _targets(self, pattern: Compiled, columns: _Columns) -> np.ndarray:
        """The tokens the pattern sets: `index` within every match of every alternative."""
        n = len(columns.doc)
        targets = []
        for specs in pattern.alternatives:
            length = len(specs)
            if length > n:
                continue
            starts = np.ones(n - length + 1, dtype=bool)
            for offset, spec in enumerate(specs):
                starts &= columns.holds(spec)[offset : n - length + 1 + offset]
            found = np.flatnonzero(starts)
            if len(found):
                if not -length <= pattern.index < length:
                    raise _bad_index(
                        pattern.position, pattern.index, columns.doc[found[0] : found[0] + length]
                    )
                targets.append(found + pattern.index % length)
        return np.concatenate(targets) if targets else np.zeros(0, dtype=np.int64)

    def _apply(self, position: int, tokens: np.ndarray, winners: np.ndarray) -> None:
        """A matching pattern takes each column it sets from an earlier pattern (spaCy applies in order)."""
        if len(tokens):
            for column, sets_it in enumerate(self.sets[position]):
                if sets_it:
                    winners[column, tokens] = np.maximum(winners[column, tokens], position)

    def _apply_matches(self, doc: Doc, matches: list[tuple[int, int, int]], winners: np.ndarray) -> None:
        """The Matcher's matches: columns as `_apply`; anything else a pattern sets is set now, in pattern
        order (spaCy's `set_token_attrs`), since only these patterns set it."""
        from spacy.tokens._retokenize import set_token_attrs

        for position, start, end in matches:
            span = doc[start:end]
            try:
                token = span[self.indices[position]]
            except IndexError:
                raise _bad_index(position, self.indices[position], span) from None
            self._apply(position, np.array([token.i]), winners)
            others = {attr: value for attr, value in self.attrs[position].items() if attr not in self.columns}
            if others:
                set_token_attrs(token, others)


def _bad_index(position: int, index: int, span: Any) -> ValueError:
    return ValueError(f"attribute ruler pattern {position}: index {index} is outside its match {span.text!r}")


def _register_factory() -> None:
    from spacy.language import Language

    if not Language.has_factory(FACTORY):
        Language.factory(FACTORY, func=FastAttributeRuler)
