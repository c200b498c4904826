"""Lossless text normalisation for raw article text.

Only changes that carry no information are made: Unicode composition (NFC), non-breaking spaces turned
into plain spaces, line endings unified to LF and trailing whitespace stripped per line. Every word and
every line survives, so line numbers stay valid after normalisation.

`remove_invisibles_and_mojibake` is the one text-hygiene step that runs before that, when a file is decoded
(`pipeline.text.decode.sanitise`): it drops the invisible format characters that split or hide words and
repairs certain mojibake, so the stored text, the article body and every offset into it already lack them.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

# Non-breaking spaces that copy-pasted web text is full of; they mean "a space" to a reader.
NBSP_CHARS = "\u00a0\u202f\u2007"
_NBSP_TABLE = str.maketrans(dict.fromkeys(NBSP_CHARS, " "))
_SPACE_RUN = re.compile(r"[ \t]+")
_BOM = "\ufeff"

# Invisible format characters (Unicode category Cf) that only split, hide or reorder what is written:
# soft hyphen; Arabic letter mark; Mongolian vowel separator; zero-width space, non-joiner, joiner;
# left-to-right and right-to-left marks; bidi embeddings and overrides (U+202A-U+202E); word joiner and the
# invisible maths operators (U+2060-U+2064); bidi isolates (U+2066-U+2069); the deprecated format characters
# (U+206A-U+206F); the byte-order mark / zero-width no-break space anywhere in the text.
# Other Cf characters are kept on purpose: the Arabic and Syriac number signs are visible, the tag
# characters (U+E0020-U+E007F) spell emoji subdivision flags, and the rest never occur in English news.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_ZWJ = "\u200d"
_EMOJI_PRESENTATION = "\ufe0f"
# ftfy's encoding repair alone, without its guesses: a space is not taken for a lost no-break space
# (restore_byte_a0), lost bytes are not replaced by U+FFFD, lone C1 controls are not read as cp1252.
_MOJIBAKE_ONLY = ftfy.TextFixerConfig(
    restore_byte_a0=False, replace_lossy_sequences=False, fix_c1_controls=False
)
_MISREAD_AS = {"latin-1", "sloppy-windows-1252"}  # cp1252 as Windows and browsers read it (0x81 -> U+0081)
_UTF8 = {"utf-8", "utf-8-variants"}
_C1_CONTROL = re.compile("[\x80-\x9f]")


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


def remove_invisibles_and_mojibake(text: str) -> str:
    """Invisible format characters dropped and mojibake repaired where it is certain; nothing else changes.

    Mojibake: UTF-8 that was read as cp1252 (or latin-1) and saved again ("RenÃ©e", "donâ€™t").
    `ftfy.fix_encoding` finds it; its fix is taken only if every step of it reads cp1252/latin-1 back as
    UTF-8 (the whole text, or the mojibake stretches of a text that is otherwise right) and it makes no
    C1 control. ftfy's guesses are not taken: other code pages, a space read as a lost no-break space, a
    lone C1 control read as cp1252 (the decoder drops it, or reads NEL as a line break); a text that would
    need one of them as well is left as it is. So quote marks, dashes, ellipses, spaces, line breaks and
    Unicode forms stay as written. This runs before control characters are dropped: the closing quote's
    mojibake "â€\x9d" ends in one.

    Invisible characters: see `_INVISIBLE` ("Ma\u200bria" -> "Maria", "news\u00adpaper" -> "newspaper"). A
    zero-width joiner is kept only inside an emoji sequence (after an emoji, a skin tone or U+FE0F, before
    an emoji: a family or a rainbow flag stays one emoji); anywhere else it is dropped like the others."""
    text = _INVISIBLE.sub(_drop_invisible, text)  # first: they can hide mojibake from ftfy
    fixed, steps = ftfy.fix_encoding_and_explain(text, _MOJIBAKE_ONLY)
    certain = bool(steps) and all(_decodes_utf8(step) for step in steps)
    if certain and len(_C1_CONTROL.findall(fixed)) <= len(_C1_CONTROL.findall(text)):  # no new control
        text = _INVISIBLE.sub(_drop_invisible, fixed)  # "â€‹" was a zero-width space
    return text


def _decodes_utf8(step: ftfy.ExplanationStep) -> bool:
    """An ftfy repair step that reads back as UTF-8 what was misread as cp1252 or latin-1."""
    action, parameter = step
    return (
        (action == "encode" and parameter in _MISREAD_AS)
        or (action == "decode" and parameter in _UTF8)
        or (action == "apply" and parameter == "decode_inconsistent_utf8")
    )


def _drop_invisible(match: re.Match[str]) -> str:
    at, text = match.start(), match.string
    if match.group() == _ZWJ and 0 < at < len(text) - 1:
        before, after = text[at - 1], text[at + 1]
        emoji_before = before == _EMOJI_PRESENTATION or unicodedata.category(before) in {"So", "Sk"}
        if emoji_before and unicodedata.category(after) == "So":
            return _ZWJ
    return ""


def squash_spaces(line: str) -> str:
    """Collapse runs of spaces/tabs inside a line and strip it (NBSP next to a space leaves doubles)."""
    return _SPACE_RUN.sub(" ", line).strip()
