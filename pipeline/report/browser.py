"""Opening the report in headless Chromium (Debian's package), offline, to see that its charts are drawn.

Used by `make ui-check` and the tests. Chromium gets no network: background services are off and every
request would go to a proxy on a closed loopback port, so a page that needed anything from outside would
show nothing. The page itself records how many charts Vega-Embed drew (`<body data-drawn="n">`) and its
height, which the DOM dump reads back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

HEADLESS_FLAGS = [  # a quiet headless chromium: no first-run work, no background traffic
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
]
CHROMIUM_FLAGS = [
    *HEADLESS_FLAGS,
    "--proxy-server=127.0.0.1:9",  # offline: nothing answers there, so any fetch fails
    "--proxy-bypass-list=<-loopback>",
    "--virtual-time-budget=15000",
]
WIDTH = 1400
EXTERNAL_SOURCE = re.compile(
    r"<(?:script|img|iframe|embed|source)\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//"
    r"|@import\s+(?:url\()?\s*[\"']?\s*(?:https?:)?//"
    r"|url\(\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)


class BrowserError(RuntimeError):
    pass


@dataclass(frozen=True)
class Rendered:
    charts: int  # charts the page asked Vega-Embed to draw
    drawn: int  # charts drawn (0 when Vega-Embed failed or never ran)
    svgs: int  # <svg class="marks"> elements in the rendered DOM
    height: int  # the page's height in pixels
    error: str


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise BrowserError("chromium is not installed: `apt-get install chromium` (make ui-check does it)")
    return found


def external_sources(page: str) -> list[str]:
    """Every script, style, image or frame the page would load from another host (should be none)."""
    return [match.group(0) for match in EXTERNAL_SOURCE.finditer(page)]


def render(page: Path) -> Rendered:
    """The page's DOM after its scripts ran, offline."""
    dom = _chromium(page, [f"--window-size={WIDTH},800", "--dump-dom"]).stdout

    def attribute(name: str) -> str:
        found = re.search(rf'<body[^>]*\bdata-{name}="([^"]*)"', dom)
        return found.group(1) if found else ""

    return Rendered(
        charts=int(attribute("charts") or 0),
        drawn=int(attribute("drawn") or 0),
        svgs=len(re.findall(r'<svg[^>]*class="marks"', dom)),
        height=int(attribute("height") or 0),
        error=attribute("error"),
    )


def screenshot(page: Path, png: Path, height: int | None = None) -> Rendered:
    """A screenshot of the whole page (or its top `height` pixels), offline; returns what was drawn."""
    rendered = render(page)
    if rendered.drawn != rendered.charts or rendered.error:
        raise BrowserError(
            f"{page}: {rendered.drawn} of {rendered.charts} charts drawn offline {rendered.error}".strip()
        )
    size = f"--window-size={WIDTH},{height or max(rendered.height, 800)}"
    png.parent.mkdir(parents=True, exist_ok=True)
    _chromium(page, [size, f"--screenshot={png.resolve()}"])
    if not png.exists():
        raise BrowserError(f"chromium wrote no screenshot of {page}")
    return rendered


def _chromium(page: Path, extra: list[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="wirehouse-chromium-") as profile:
        result = subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=180,
        )
    if result.returncode != 0:
        raise BrowserError(f"chromium failed on {page}: {result.stderr.strip()[-500:]}")
    return result
