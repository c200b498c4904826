"""Bytes to text: detect the encoding, refuse what is not text, say why.

The order of the checks:

1. nothing at all, or a known binary signature (PNG, zip, PDF, ...) -> `empty` / `binary`;
2. a byte-order mark decides the encoding (UTF-8, UTF-16, UTF-32); without one, UTF-16 is recognised by
   its zero bytes, and a file full of other control bytes is `binary`;
3. otherwise strict UTF-8; UTF-8 with a few stray bytes (a cp1252 quote pasted in) keeps its UTF-8 and
   reads the strays as cp1252 (`utf-8+cp1252`); anything else is cp1252 (or latin-1 for the five bytes
   cp1252 leaves undefined), the usual encodings of text copied from web pages;
4. the text is made safe for the later stages without losing a visible character (`sanitise`): mojibake
   (UTF-8 once read as cp1252 and saved again) is repaired where that is certain, invisible format
   characters (zero-width spaces, soft hyphens, bidi marks, a BOM inside the text) are dropped (see
   `pipeline.text.normalise.remove_invisibles_and_mojibake`), line endings become LF (CRLF and lone CR, and
   the Unicode line/paragraph separators, form feeds and vertical tabs), other control characters are
   dropped;
5. an HTML page saved as .txt is reduced to its visible text (`<encoding>+html`);
6. a text with nothing but whitespace left is `empty` (`html_without_text` for a page).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from pipeline.text.html import html_to_text, looks_like_html
from pipeline.text.normalise import remove_invisibles_and_mojibake

BINARY_SIGNATURES: dict[bytes, str] = {
    b"\x89PNG": "PNG image",
    b"PK\x03\x04": "zip archive",
    b"PK\x05\x06": "zip archive (empty)",
    b"%PDF": "PDF document",
    b"\x1f\x8b": "gzip archive",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"\x7fELF": "ELF executable",
    b"7z\xbc\xaf\x27\x1c": "7-Zip archive",
    b"Rar!\x1a\x07": "RAR archive",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "Microsoft Office (OLE) document",
    b"SQLite format 3\x00": "SQLite database",
    b"PAR1": "Parquet file",
}
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SAMPLE_BYTES = 8192  # binary and UTF-16 sniffing look at the start of the file
MAX_CONTROL_SHARE = 0.05  # more control bytes than this (tab, LF, CR, FF, VT, ESC aside): not text

_TEXT_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1b")
# Line breaks that are not LF: CRLF, CR, VT, FF, NEL, LINE SEPARATOR; PARAGRAPH SEPARATOR is a blank line.
_LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85\u2028]")
# C0 and C1 controls, DEL, and the non-characters a text never means; tab and LF stay.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


class UndecodableInput(ValueError):
    """An input that is not article text; `reason` is a short code stored in `quarantine`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a text file into clean text (see the module docstring). Raises only `UndecodableInput`."""
    if not data:
        raise UndecodableInput("empty", "the file has 0 bytes")
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise UndecodableInput("binary", f"looks like a {kind}, not text")
    decoded = _decode_with_bom(data) or _decode_utf16_without_bom(data) or _decode_plain(data)
    text = sanitise(decoded.text)
    encoding = decoded.encoding
    if looks_like_html(text):
        text = sanitise(html_to_text(text))
        encoding = f"{encoding}+html"
        if not text.strip():
            raise UndecodableInput(
                "html_without_text", "an HTML page with no text outside tags, scripts, styles"
            )
    if not text.strip():
        raise UndecodableInput("empty", "the file holds only whitespace (or control characters)")
    return DecodedText(text, encoding)


def sanitise(text: str) -> str:
    """Mojibake repaired, invisible format characters dropped, line endings to LF, control characters
    dropped; every visible character is kept. The text an HTML page is reduced to goes through it again
    (its entities can spell a soft hyphen or a zero-width space)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = remove_invisibles_and_mojibake(text)  # before the controls go: mojibake can end in a C1 control
    text = _LINE_BREAK.sub("\n", text).replace("\u2029", "\n\n")
    return _CONTROL.sub("", text)


def _decode_with_bom(data: bytes) -> DecodedText | None:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data.decode(encoding), encoding)
            except UnicodeDecodeError as error:
                raise UndecodableInput(
                    "undecodable", f"{encoding} BOM but invalid {encoding}: {error}"
                ) from error
    return None


def _decode_utf16_without_bom(data: bytes) -> DecodedText | None:
    """UTF-16 text without a BOM: mostly ASCII, so every other byte is zero (odd ones for LE)."""
    sample = data[:SAMPLE_BYTES]
    if len(sample) < 4 or len(data) % 2 or b"\x00" not in sample:
        return None
    even_zero = sample[0::2].count(0) / len(sample[0::2])
    odd_zero = sample[1::2].count(0) / len(sample[1::2])
    for encoding, zero_share, other_share in (
        ("utf-16-le", odd_zero, even_zero),
        ("utf-16-be", even_zero, odd_zero),
    ):
        if zero_share >= 0.6 and other_share <= 0.1:
            try:
                return DecodedText(data.decode(encoding), encoding)
            except UnicodeDecodeError:
                return None
    return None


def _decode_plain(data: bytes) -> DecodedText:
    sample = data[:SAMPLE_BYTES]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _TEXT_CONTROLS)
    if controls / len(sample) > MAX_CONTROL_SHARE:
        zeros = sample.count(0)
        what = f"{zeros} NUL bytes and {controls - zeros} other control bytes"
        raise UndecodableInput("binary", f"{what} in the first {len(sample)} bytes: not text")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    mostly_utf8 = _decode_mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    try:
        return DecodedText(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        return DecodedText(data.decode("latin-1"), "latin-1")


def _decode_mostly_utf8(data: bytes) -> DecodedText | None:
    """UTF-8 with a few stray bytes (cp1252 pasted into UTF-8), fewer than its valid non-ASCII characters:
    the strays are read as cp1252."""
    replaced = data.decode("utf-8", errors="replace")
    strays = replaced.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for char in replaced if char > "\x7f") - strays
    if multibyte >= max(strays, 1):  # cp1252 text almost never holds valid UTF-8 sequences
        return DecodedText(data.decode("utf-8", errors=_CP1252_STRAYS), "utf-8+cp1252")
    return None


def _cp1252_strays(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 read as cp1252 (latin-1 where cp1252 has a gap)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_cp1252_char(byte) for byte in bad), error.end


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_CP1252_STRAYS = "wirehouse-cp1252-strays"
codecs.register_error(_CP1252_STRAYS, _cp1252_strays)
