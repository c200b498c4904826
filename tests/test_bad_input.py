"""Bad input in the landing folder: each file is refused with a clear reason, or read correctly, and the
other files of the run are processed all the same."""

from __future__ import annotations

import codecs
import io
import json
import os
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from pipeline import ingest
from pipeline.ingest import QUARANTINE_REASONS, InputLimits, read_input_folder
from pipeline.settings import EXPECTATIONS_DIR, Settings
from pipeline.text.clean import clean_article
from pipeline.text.decode import UndecodableInput, decode_bytes
from pipeline.text.html import html_to_text, looks_like_html
from pipeline.text.language import guess_language

ARTICLE = (
    "Storm closes three ports\n"
    "\n"
    "Ferry services were cancelled on Tuesday after the storm closed three ports on the south coast.\n"
    "\n"
    "“We have never seen waves like this,” said harbour master Ana Müller, who has worked at the port for "
    "twenty years. The coastguard said that the ports would stay closed until the wind dropped.\n"
)
FRENCH = (
    "Une tempête ferme trois ports\n\n"
    "Les liaisons par ferry ont été annulées mardi après que la tempête a fermé trois ports de la côte sud. "
    "« Nous n'avons jamais vu de telles vagues », a déclaré la capitaine du port, qui travaille dans le "
    "port depuis vingt ans. Les garde-côtes ont indiqué que les ports resteraient fermés jusqu'à ce que le "
    "vent tombe.\n"
)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", ARTICLE)
    return buffer.getvalue()


def _folder_with(tmp_path: Path, name: str, data: bytes) -> Path:
    """A landing folder with one good article and the file under test."""
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    return tmp_path


def _read_one(tmp_path: Path, name: str, data: bytes, limits: InputLimits | None = None):
    raw, quarantine = read_input_folder(_folder_with(tmp_path, name, data), limits)
    assert "good.txt" in raw["source_path"].to_list(), "the good file must be read whatever the bad one"
    refused = {row["source_path"]: row for row in quarantine.iter_rows(named=True)}
    read = {row["source_path"]: row for row in raw.iter_rows(named=True)}
    return read.get(name), refused.get(name)


# --- refused, with a reason -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason", "in_detail"),
    [
        (b"", "empty", "0 bytes"),
        (b"  \n\t\r\n   \n", "empty", "whitespace"),
        (b"\x00\x01\x02 \n\x07\x08", "binary", "control bytes"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary", "PNG image"),
        (_zip_bytes(), "binary", "zip archive"),
        (bytes(range(256)) * 8, "binary", "NUL bytes"),
        (codecs.BOM_UTF8 + b"\n \n", "empty", "whitespace"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "undecodable", "utf-16"),
        (b"<html><head><title>x</title><script>var a = 1;</script></head><body> </body></html>",
         "html_without_text", "HTML"),
        (FRENCH.encode(), "not_english", "fr"),
        ("Правительство во вторник объявило о новых мерах поддержки экономики и малого бизнеса в "
         "регионах страны, сообщил министр. По его словам, эти меры помогут сохранить рабочие места "
         "и поддержать доходы семей в трудный период.".encode(), "not_english", "CYRILLIC"),
    ],
    ids=["empty", "whitespace", "controls-only", "png", "zip-renamed", "random-binary", "bom-whitespace",
         "utf16-bom-invalid", "html-no-text", "french", "russian"],
)  # fmt: skip
def test_bad_file_is_quarantined_with_reason(
    tmp_path: Path, data: bytes, reason: str, in_detail: str
) -> None:
    read, refused = _read_one(tmp_path, "bad.txt", data)
    assert read is None
    assert refused is not None and refused["reason"] == reason
    assert in_detail.casefold() in refused["detail"].casefold()


def test_fifty_megabytes_is_too_large_without_reading_it(tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "huge.txt"
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    with big.open("wb") as handle:
        handle.write(ARTICLE.encode())
        handle.truncate(50 * 1024 * 1024)
    opened: list[Path] = []
    real_open = Path.open

    def spy_open(self: Path, *args, **kwargs):
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy_open)
    raw, quarantine = read_input_folder(tmp_path, InputLimits())
    assert raw["source_path"].to_list() == ["good.txt"]
    row = quarantine.row(0, named=True)
    assert (row["source_path"], row["reason"]) == ("huge.txt", "too_large")
    assert "52,428,800 bytes" in row["detail"] and "WIREHOUSE_MAX_FILE_BYTES" in row["detail"]
    assert big not in opened


def test_the_size_limits_are_configurable_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WIREHOUSE_MAX_FILE_BYTES", "100")
    monkeypatch.setenv("WIREHOUSE_MAX_TEXT_CHARS", "90")
    limits = Settings.from_env().input_limits  # read at the edge, then passed down
    assert limits == InputLimits(max_file_bytes=100, max_text_chars=90)
    raw, quarantine = read_input_folder(
        _folder_with(tmp_path, "b.txt", b"Rates rise\n\nThe bank raised rates."), limits
    )
    assert raw["source_path"].to_list() == ["b.txt"]  # 35 bytes
    assert quarantine.rows() == [("good.txt", "too_large", quarantine["detail"][0])]
    assert "over the limit of 100 bytes" in quarantine["detail"][0]
    monkeypatch.setenv("WIREHOUSE_MAX_FILE_BYTES", "10000")
    _, quarantine = read_input_folder(tmp_path, Settings.from_env().input_limits)
    assert quarantine["reason"].to_list() == ["too_large"]
    assert "WIREHOUSE_MAX_TEXT_CHARS" in quarantine["detail"][0]


def test_a_megabyte_on_one_line_is_refused_quickly(tmp_path: Path) -> None:
    sentence = "The minister said the plan would cut waiting times in every hospital by next spring. "
    line = (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]
    started = time.perf_counter()
    read, refused = _read_one(tmp_path, "one-line.txt", line.encode(), InputLimits())
    assert read is None and refused is not None
    assert refused["reason"] == "too_large"
    assert "1,000,000 characters" in refused["detail"]
    assert time.perf_counter() - started < 10


def test_a_long_line_under_the_limit_is_cleaned_quickly() -> None:
    sentence = "The minister said the plan would cut waiting times in every hospital by next spring. "
    line = sentence * (150_000 // len(sentence))
    started = time.perf_counter()
    cleaned = clean_article(line)
    assert time.perf_counter() - started < 10
    kept = [cleaned.title, cleaned.subtitle, cleaned.body, *(r.text for r in cleaned.removed)]
    assert line.strip() in kept  # one line: it is somewhere, whole


def test_a_directory_named_like_an_article_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    raw, quarantine = read_input_folder(tmp_path)
    assert raw["source_path"].to_list() == ["good.txt"]
    assert quarantine.rows() == [("folder.txt", "unreadable", "not a regular file (a directory)")]


def test_a_named_pipe_is_unreadable_and_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    raw, quarantine = read_input_folder(tmp_path)
    assert raw["source_path"].to_list() == ["good.txt"]
    assert dict(zip(quarantine["source_path"], quarantine["reason"], strict=True)) == {
        "pipe.txt": "unreadable"
    }
    assert "named pipe" in quarantine["detail"][0]


def test_symlink_loop_and_broken_symlink_are_unreadable(tmp_path: Path) -> None:
    (tmp_path / "loop-a.txt").symlink_to(tmp_path / "loop-b.txt")
    (tmp_path / "loop-b.txt").symlink_to(tmp_path / "loop-a.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    raw, quarantine = read_input_folder(tmp_path)
    assert raw["source_path"].to_list() == ["good.txt"]
    refused = {row[0]: row[1:] for row in quarantine.rows()}
    assert refused["loop-a.txt"][0] == refused["loop-b.txt"][0] == "unreadable"
    assert "symbolic links" in refused["loop-a.txt"][1]
    assert refused["dangling.txt"] == ("unreadable", f"broken symbolic link to {tmp_path / 'nowhere.txt'}")
    ingest.folder_fingerprint(tmp_path)  # the sensor's fingerprint does not trip over them either


def test_a_permission_error_is_unreadable(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "good.txt").write_text(ARTICLE.replace("three", "four"), encoding="utf-8")
    real_open = Path.open

    def deny(self: Path, *args, **kwargs):
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    raw, quarantine = read_input_folder(tmp_path)
    assert raw["source_path"].to_list() == ["good.txt"]
    row = quarantine.row(0, named=True)
    assert (row["source_path"], row["reason"]) == ("secret.txt", "unreadable")
    assert row["detail"].startswith("PermissionError") and "Permission denied" in row["detail"]


def test_a_file_deleted_after_listing_has_vanished(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "gone.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "good.txt").write_text(ARTICLE.replace("three", "four"), encoding="utf-8")
    real_list = ingest.list_input_files

    def list_then_delete(folder: Path) -> list[Path]:
        listed = real_list(folder)
        (folder / "gone.txt").unlink()
        return listed

    monkeypatch.setattr(ingest, "list_input_files", list_then_delete)
    raw, quarantine = read_input_folder(tmp_path)
    assert raw["source_path"].to_list() == ["good.txt"]
    row = quarantine.row(0, named=True)
    assert (row["source_path"], row["reason"]) == ("gone.txt", "vanished")
    assert "gone before it was read" in row["detail"]


# --- read, correctly ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_single_byte_encodings_are_detected_and_recorded(tmp_path: Path, encoding: str) -> None:
    text = ARTICLE if encoding == "cp1252" else ARTICLE.replace("“", '"').replace("”", '"')
    read, refused = _read_one(tmp_path, "legacy.txt", text.encode(encoding))
    assert refused is None and read is not None
    assert read["text"] == text
    assert read["encoding"] == "cp1252"  # latin-1 letters are the same bytes in cp1252


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    decoded = decode_bytes("Café owner said".encode("latin-1") + b" \x81\x8d")
    assert decoded.encoding == "latin-1"
    assert decoded.text == "Café owner said "  # the two undefined bytes are C1 controls: dropped


def test_utf8_with_a_stray_cp1252_quote_keeps_its_utf8() -> None:
    data = "Ana Müller said the ports – all three – would close.".encode() + b" \x93Never,\x94 she said."
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8+cp1252"
    assert decoded.text == "Ana Müller said the ports – all three – would close. “Never,” she said."


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_is_read_with_or_without_bom(tmp_path: Path, codec: str, bom: bool) -> None:
    prefix = (codecs.BOM_UTF16_LE if codec == "utf-16-le" else codecs.BOM_UTF16_BE) if bom else b""
    read, refused = _read_one(tmp_path, "wide.txt", prefix + ARTICLE.encode(codec))
    assert refused is None and read is not None
    assert read["text"] == ARTICLE
    assert read["encoding"] == ("utf-16" if bom else codec)


def test_control_characters_are_dropped_and_every_printable_character_kept(tmp_path: Path) -> None:
    noisy = (
        "Storm\x07 closes\x00 three\x1b ports\x7f\x0c\n"
        "Ferry services\x0b were\u2028cancelled.\x85\u2029End\x9b."
    )
    read, refused = _read_one(tmp_path, "noisy.txt", (noisy * 3).encode())
    assert refused is None and read is not None
    expected = "Storm closes three ports\n\nFerry services\n were\ncancelled.\n\n\nEnd."
    assert read["text"] == expected * 3
    assert clean_article(read["text"]).title == "Storm closes three ports"  # the cleaner copes


def test_mixed_line_endings_are_normalised(tmp_path: Path) -> None:
    mixed = ARTICLE.replace("\n", "\r\n", 2).replace("\n\n“", "\r\r“")
    assert "\r\n" in mixed and "\r\r" in mixed
    read, refused = _read_one(tmp_path, "mixed.txt", mixed.encode())
    assert refused is None and read is not None
    assert "\r" not in read["text"]
    assert read["text"] == ARTICLE
    assert clean_article(mixed) == clean_article(ARTICLE)


def test_accented_english_is_english() -> None:
    text = (
        "Café owner José Martínez said the new rules would hurt small businesses in São Paulo. “It is a "
        "disaster for us,” he told reporters on Tuesday, adding that the naïve résumé of the policy ignored "
        "the coöperation of local traders in Zürich and Kraków."
    )
    assert guess_language(text).is_english
    assert guess_language("Storm closes ports").is_english  # too short to judge: let through


def test_a_team_sheet_is_still_english() -> None:
    sheet = (Path(__file__).parents[1] / "seeds" / "articles").glob("*.txt")
    for article in sheet:
        assert guess_language(article.read_text(encoding="utf-8")).is_english


def test_the_language_check_can_be_switched_off(tmp_path: Path) -> None:
    read, refused = _read_one(tmp_path, "fr.txt", FRENCH.encode(), InputLimits(check_language=False))
    assert refused is None and read is not None


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Storm closes ports | News</title>
<style>p { color: red }</style><script>window.track("x < y && z");</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Storm closes three ports</h1>
<p>Ferry services were cancelled on Tuesday after the storm
   closed three ports on the south&nbsp;coast.</p>
<p>&ldquo;We have never seen waves like this,&rdquo; said harbour master Ana M&uuml;ller.<br>
The coastguard said the ports would stay closed &amp; that ferries would wait.</p>
<script type="application/ld+json">{"headline": "do not keep"}</script>
</article></body></html>"""


def test_html_saved_as_txt_is_reduced_to_its_text(tmp_path: Path) -> None:
    read, refused = _read_one(tmp_path, "page.txt", PAGE.encode())
    assert refused is None and read is not None
    assert read["encoding"] == "utf-8+html"
    assert read["text"] == (
        "Home World\n\n"
        "Storm closes three ports\n\n"
        "Ferry services were cancelled on Tuesday after the storm closed three ports on the "
        "south\u00a0coast.\n\n"
        "“We have never seen waves like this,” said harbour master Ana Müller.\n"
        "The coastguard said the ports would stay closed & that ferries would wait."
    )
    assert "track" not in read["text"] and "color" not in read["text"] and "do not keep" not in read["text"]
    cleaned = clean_article(read["text"])
    assert "Ana Müller" in cleaned.body


def test_prose_mentioning_a_tag_is_not_html() -> None:
    text = "Developers said the <p> element and the <div> tag were misused on the site, the report found."
    assert not looks_like_html(text)
    assert decode_bytes(text.encode()).encoding == "utf-8"


def test_malformed_markup_never_raises() -> None:
    assert "text" in html_to_text("<html><![if !supportLists]>text<![endif]><p>more")
    assert html_to_text("<html><body><script>unclosed") == ""


def test_every_reason_is_allowed_by_the_quarantine_suite() -> None:
    suite = json.loads((EXPECTATIONS_DIR / "quarantine.json").read_text(encoding="utf-8"))
    (allowed,) = [
        e["kwargs"]["value_set"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == "reason"
    ]
    assert set(allowed) == set(QUARANTINE_REASONS)


def test_decode_raises_only_undecodable_input_with_a_known_reason() -> None:
    for data in (b"", b"\x00" * 10, b"\xff\xfe\x00", b"PK\x05\x06" + bytes(18), b"<html></html>"):
        with pytest.raises(UndecodableInput) as refused:
            decode_bytes(data)
        assert refused.value.reason in QUARANTINE_REASONS


# --- links leading outside the input folder -----------------------------------------------------------------

SECRET = "Salary review, confidential: the board agreed the figures on Monday; nobody else may read them.\n"


def _landing_beside_a_secret(tmp_path: Path) -> tuple[Path, Path]:
    """An input folder with one good article, and a private folder beside it holding a readable text."""
    inputs, private = tmp_path / "input", tmp_path / "private"
    inputs.mkdir()
    private.mkdir()
    (inputs / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (private / "secret.txt").write_text(SECRET, encoding="utf-8")
    return inputs, private


def _outside(quarantine) -> dict[str, str]:
    return {
        row["source_path"]: row["detail"]
        for row in quarantine.iter_rows(named=True)
        if row["reason"] == "outside_input"
    }


def test_a_link_to_a_file_beside_the_input_folder_is_quarantined_unread(tmp_path: Path, monkeypatch) -> None:
    inputs, private = _landing_beside_a_secret(tmp_path)
    (inputs / "innocent.txt").symlink_to(private / "secret.txt")
    opened: list[str] = []
    real_open = Path.open

    def recording_open(self: Path, *args, **kwargs):
        opened.append(os.path.realpath(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", recording_open)
    raw, quarantine = read_input_folder(inputs)
    assert raw["source_path"].to_list() == ["good.txt"]
    detail = _outside(quarantine)["innocent.txt"]
    assert "innocent.txt" in detail and "secret" not in detail and "Salary" not in detail
    assert str(private / "secret.txt") not in opened, "the target must never be opened"


def test_a_link_to_a_directory_outside_is_quarantined_and_not_descended(tmp_path: Path) -> None:
    inputs, private = _landing_beside_a_secret(tmp_path)
    (inputs / "shared").symlink_to(private, target_is_directory=True)
    raw, quarantine = read_input_folder(inputs)
    assert raw["source_path"].to_list() == ["good.txt"]
    assert list(_outside(quarantine)) == ["shared"]
    assert SECRET.strip() not in " ".join(raw["text"].to_list())


def test_a_chain_of_links_that_ends_outside_is_quarantined(tmp_path: Path) -> None:
    inputs, private = _landing_beside_a_secret(tmp_path)
    (inputs / "hop").mkdir()
    (inputs / "hop" / "second.txt").symlink_to(private / "secret.txt")
    (inputs / "first.txt").symlink_to(inputs / "hop" / "second.txt")
    raw, quarantine = read_input_folder(inputs)
    assert raw["source_path"].to_list() == ["good.txt"]
    assert set(_outside(quarantine)) == {"first.txt", "hop/second.txt"}


def test_links_that_stay_inside_the_folder_keep_working(tmp_path: Path) -> None:
    inputs, _ = _landing_beside_a_secret(tmp_path)
    (inputs / "archive").mkdir()
    (inputs / "archive" / "story.txt").write_text(ARTICLE.replace("three", "four"), encoding="utf-8")
    (inputs / "latest.txt").symlink_to(inputs / "archive" / "story.txt")
    (inputs / "mirror").symlink_to(inputs / "archive", target_is_directory=True)
    raw, quarantine = read_input_folder(inputs)
    assert set(raw["source_path"]) == {"good.txt", "archive/story.txt"}
    reasons = dict(zip(quarantine["source_path"], quarantine["reason"], strict=True))
    assert reasons == {"latest.txt": "duplicate"}


def test_the_landing_registry_never_hashes_a_link_outside(tmp_path: Path) -> None:
    from pipeline.landing import register_new_files

    inputs, private = _landing_beside_a_secret(tmp_path)
    (inputs / "innocent.txt").symlink_to(private / "secret.txt")
    batches = register_new_files(inputs, tmp_path / "warehouse", batch_size=10)
    registered = [path for batch in batches for path, _ in batch.files]
    assert registered == ["good.txt"]


# --- end to end --------------------------------------------------------------------------------------------


def test_a_run_over_a_folder_of_bad_input_publishes_the_good_articles(
    seed_input: Path, tmp_path: Path
) -> None:
    """`wirehouse run` on the seeds plus every kind of bad file: the seeds are published, each bad file is in
    `quarantine` with its reason, and the quarantine suite accepts the reasons."""
    from tests.test_cli import _wirehouse

    inputs = tmp_path / "input"
    inputs.mkdir()
    for article in seed_input.glob("*.txt"):
        (inputs / article.name).write_bytes(article.read_bytes())
    files = {
        "empty.txt": b"",
        "blank.txt": b" \n\n\t \r\n",
        "photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "archive.txt": _zip_bytes(),
        "french.txt": FRENCH.encode(),
        "shell.txt": b"<html><head><style>p{}</style></head><body><script>x()</script></body></html>",
        "legacy.txt": ARTICLE.encode("cp1252"),
        "wide.txt": codecs.BOM_UTF16_LE + ARTICLE.replace("three", "five").encode("utf-16-le"),
        "page.txt": PAGE.encode(),
    }
    for name, data in files.items():
        (inputs / name).write_bytes(data)
    (inputs / "folder.txt").mkdir()
    (inputs / "loop.txt").symlink_to(inputs / "loop.txt")
    (tmp_path / "private.txt").write_text(SECRET, encoding="utf-8")
    (inputs / "private.txt").symlink_to(tmp_path / "private.txt")
    with (inputs / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)

    result = _wirehouse("run", "--input", str(inputs), "--warehouse", str(tmp_path / "wh"))
    assert result.returncode == 0, result.stderr[-3000:]
    con = duckdb.connect(str(tmp_path / "wh" / "news.duckdb"), read_only=True)
    quarantined = dict(con.sql("SELECT source_path, reason FROM quarantine").fetchall())
    encodings = dict(con.sql("SELECT source_path, encoding FROM articles").fetchall())
    leaked = con.sql("SELECT count(*) FROM articles WHERE body LIKE '%confidential%'").fetchall()[0][0]
    con.close()
    assert leaked == 0
    assert quarantined == {
        "empty.txt": "empty",
        "blank.txt": "empty",
        "photo.txt": "binary",
        "archive.txt": "binary",
        "french.txt": "not_english",
        "shell.txt": "html_without_text",
        "folder.txt": "unreadable",
        "loop.txt": "unreadable",
        "huge.txt": "too_large",
        "private.txt": "outside_input",
    }
    seeds = {article.name: "utf-8" for article in seed_input.glob("*.txt")}
    assert encodings == {**seeds, "legacy.txt": "cp1252", "wide.txt": "utf-16", "page.txt": "utf-8+html"}
