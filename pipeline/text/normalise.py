"""Lossless text normalisation for raw article text.

Only changes that carry no information are made: Unicode composition (NFC), non-breaking spaces turned
into plain spaces, line endings unified to LF and trailing whitespace stripped per line. Every word and
every line survives, so line numbers stay valid after normalisation.
"""

from __future__ import annotations

import re
import unicodedata

# Non-breaking spaces that copy-pasted web text is full of; they mean "a space" to a reader.
NBSP_CHARS = "\u00a0\u202f\u2007"
_NBSP_TABLE = str.maketrans(dict.fromkeys(NBSP_CHARS, " "))
_SPACE_RUN = re.compile(r"[ \t]+")
_BOM = "\ufeff"


def unify_newlines(text: str) -> str:
    """CRLF and lone CR become LF, so that line numbers mean the same on every platform."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_lines(text: str) -> list[str]:
    """Lines of `text` after newline unification (a trailing newline does not add an empty line)."""
    lines = unify_newlines(text).split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def normalise_line(line: str) -> str:
    """NFC, non-breaking spaces to spaces, trailing whitespace stripped."""
    return unicodedata.normalize("NFC", line).translate(_NBSP_TABLE).rstrip()


def normalise_text(text: str) -> str:
    """Normalise a whole text line by line; a leading byte-order mark (an encoding artefact) is dropped."""
    if text.startswith(_BOM):
        text = text[1:]
    return "\n".join(normalise_line(line) for line in unify_newlines(text).split("\n"))


def squash_spaces(line: str) -> str:
    """Collapse runs of spaces/tabs inside a line and strip it (NBSP next to a space leaves doubles)."""
    return _SPACE_RUN.sub(" ", line).strip()
