"""HTML pages saved as .txt: recognise them and keep their text, laid out as the cleaner expects.

A page is recognised by how it starts (a doctype, `<html>`, `<head>`, `<body>`, ...) or by many HTML tags
anywhere; a text that mentions a tag or two ("the <p> element") is not a page. The text is extracted with
the standard library's `html.parser`: scripts, styles and the `<head>` are dropped, entities unescaped,
whitespace inside a block collapsed (as a browser does) and block elements (paragraphs, headings, list
items, ...) put on lines of their own with a blank line between paragraphs.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

_TAG_NAMES = (
    "html|head|body|title|meta|link|script|style|div|span|p|a|br|img|h[1-6]|ul|ol|li|table|tr|td|th|"
    "article|section|header|footer|nav|main|aside|figure|figcaption|blockquote|strong|em|b|i|iframe"
)
_PAGE_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S
)
_TAG = re.compile(rf"</?(?:{_TAG_NAMES})\b[^<>]*>", re.I)
MIN_TAGS = 10  # a text with this many HTML tags is markup, whatever it starts with

SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "object"})
PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "pre", "table", "ul", "ol", "hr"}
)
LINES = frozenset(
    {
        "br", "div", "li", "tr", "td", "th", "dt", "dd", "section", "article", "header", "footer",
        "nav", "main", "aside", "figure", "body", "form", "address", "caption", "summary", "details",
    }
)  # fmt: skip
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_DROPPED_BLOCK = re.compile(r"<(script|style|noscript|template|head)\b.*?</\1\s*>", re.I | re.S)
_ANY_TAG = re.compile(r"<[^<>]*>")


def looks_like_html(text: str) -> bool:
    """True for a web page or markup fragment, false for prose that mentions a tag."""
    if _PAGE_START.match(text[:4096]):
        return True
    return len(_TAG.findall(text, 0, 200_000)) >= MIN_TAGS


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []  # open elements whose content is dropped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skipping = [t for t in self.skipping if t != "head"]  # a <head> left open ends here
        if tag in SKIPPED:
            self.skipping.append(tag)
        self._break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            while self.skipping and self.skipping.pop() != tag:
                pass
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(_SPACES.sub(" ", data))

    def _break(self, tag: str) -> None:
        if self.skipping:
            return
        if tag in PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in LINES:
            self.parts.append("\n")


def html_to_text(markup: str) -> str:
    """The visible text of `markup`, one block per line, paragraphs separated by a blank line."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except Exception:  # html.parser gives up on some malformed markup ("<![if"): strip tags the crude way
        extractor.parts = [_crude_text(markup)]
    lines = [line.strip() for line in "".join(extractor.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _crude_text(markup: str) -> str:
    without_blocks = _DROPPED_BLOCK.sub("\n", markup)
    return "\n".join(
        _SPACES.sub(" ", unescape(line)) for line in _ANY_TAG.sub("\n", without_blocks).split("\n")
    )
