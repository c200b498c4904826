"""Small invented pages for the cleaning tests: a headline and three paragraphs around the lines tested."""

from __future__ import annotations

from pipeline.text.clean import CleanedArticle

HEADLINE = "Harbour council approves new flood barrier after long debate"
OPENING = "The harbour council approved a new flood barrier on Tuesday after a debate that lasted six hours."
MIDDLE = "Engineers said the barrier would protect about four hundred homes along the lower quay from storms."
CLOSING = "Construction is expected to start in the spring and to take two years to complete."


def page(*parts: str) -> str:
    """Parts separated by blank lines, as a page copied from a browser."""
    return "\n\n".join(parts) + "\n"


def removed(article: CleanedArticle) -> dict[str, tuple[str, str]]:
    """Removed line (stripped, normalised) -> (kind, rule)."""
    return {" ".join(r.text.split()): (r.kind, r.rule) for r in article.removed}
