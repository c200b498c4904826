"""Reading an input folder: decoding, hashing, duplicates and quarantine."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.ingest import read_input_folder
from pipeline.text.decode import UndecodableInput, decode_bytes


def test_utf8_is_read_as_is() -> None:
    decoded = decode_bytes("“Quoted,” she said.".encode())
    assert decoded.text == "“Quoted,” she said."
    assert decoded.encoding == "utf-8"


def test_cp1252_curly_quotes_are_recovered() -> None:
    decoded = decode_bytes("\u201cQuoted,\u201d she said.".encode("cp1252"))
    assert decoded.text == "“Quoted,” she said."
    assert decoded.encoding == "cp1252"


def test_utf16_with_bom() -> None:
    decoded = decode_bytes(codecs.BOM_UTF16_LE + "Minister resigns".encode("utf-16-le"))
    assert decoded.text == "Minister resigns"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b" \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"PK\x03\x04rest", "binary"),
    ],
)
def test_non_text_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UndecodableInput) as refused:
        decode_bytes(data)
    assert refused.value.reason == reason


def test_folder_is_read_recursively_with_quarantine_and_duplicates(tmp_path: Path) -> None:
    (tmp_path / "nested").mkdir()
    (tmp_path / "a.txt").write_text("Storm closes ports\n\nThe storm closed three ports.", encoding="utf-8")
    (tmp_path / "nested" / "copy.txt").write_text(
        "Storm closes ports\n\nThe storm closed three ports.", encoding="utf-8"
    )
    (tmp_path / "nested" / "b.txt").write_text("Rates rise\n\nThe bank raised rates.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")

    raw, quarantine = read_input_folder(tmp_path)

    assert sorted(raw["source_path"].to_list()) == ["a.txt", "nested/b.txt"]
    assert raw["article_id"].n_unique() == 2
    assert all(len(digest) == 64 for digest in raw["content_sha256"])
    reasons = dict(zip(quarantine["source_path"], quarantine["reason"], strict=True))
    assert reasons == {"empty.txt": "empty", "nested/copy.txt": "duplicate"}
    assert "a.txt" in quarantine.filter(quarantine["reason"] == "duplicate")["detail"][0]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does-not-exist"):
        read_input_folder(tmp_path / "does-not-exist")
