"""Bytes to text: detect the encoding, refuse what is not text, say why."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

BINARY_SIGNATURES: dict[bytes, str] = {
    b"\x89PNG": "PNG image",
    b"PK\x03\x04": "zip archive",
    b"%PDF": "PDF document",
    b"\x1f\x8b": "gzip archive",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
}
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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
    """Decode a text file: BOMs first, then strict UTF-8, then cp1252 (common for copied pages)."""
    if not data:
        raise UndecodableInput("empty", "the file has 0 bytes")
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise UndecodableInput("binary", f"looks like a {kind}, not text")
    decoded = _decode_with_bom(data) or _decode_plain(data)
    if not decoded.text.strip():
        raise UndecodableInput("empty", "the file holds only whitespace")
    return decoded


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


def _decode_plain(data: bytes) -> DecodedText:
    if b"\x00" in data[:4096]:
        raise UndecodableInput("binary", "contains NUL bytes, not text")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return DecodedText(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        return DecodedText(data.decode("latin-1"), "latin-1")
