"""Is this text English? A cheap, dependency-free check before the English spaCy model sees it.

Function words ("the", "of", "and", "said", ...) make up a third to a half of the words of any English
prose, whatever its subject, accents or names ("Café owner José Martínez said ..."), while other languages
use almost none of them. So the share of English function words among the words of a text separates
English from the rest reliably, even for a few dozen words. The same measure against small lists for a
few other languages names the likely language for the quarantine detail; texts mostly in a non-Latin
script are named by their script. Texts too short to judge are given the benefit of the doubt.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

MIN_WORDS = 20  # fewer words than this (and few letters): too little to judge, taken as English
MIN_LETTERS = 200  # ... but a long run of letters without spaces (Chinese, Japanese, Thai) is judged
ENGLISH_MIN_SHARE = 0.10  # English news prose: 0.30-0.50 (team sheets: 0.17); others: below 0.06

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _vocab(words: str) -> frozenset[str]:
    return frozenset(words.split())


FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _vocab(
        """the of and to a in is that for it was on with as he she his her by at be this are from or
        have has had an they which not but were their its been who will would said says also after than
        more about when there we our you your them these those into over what all can could up out
        one new if no only other some such then two so us him i my do does did just being while where
        how any most should may last before because between during against under since says year"""
    ),
    "fr": _vocab(
        """le la les des du de un une et est que qui dans pour pas sur au aux avec ce cette il elle ils
        sont par plus se ne en ont mais ou son sa ses leur été être nous vous a"""
    ),
    "de": _vocab(
        """der die das und ist nicht den dem des ein eine einer zu mit sich auf für von im ich sie es
        auch wird werden hat haben bei nach wie aus noch nur oder wurde über dass sind vor"""
    ),
    "es": _vocab(
        """el la los las de del y que en un una es por con para no se su sus al lo como más pero fue
        ha han este esta sobre entre cuando también muy"""
    ),
    "it": _vocab(
        """il lo la gli le di del della dei delle e che un una è per non con si da al alla sono come più
        ma anche questo questa nel nella stato"""
    ),
    "pt": _vocab(
        """o a os as de do da dos das e que em um uma é para com não se por no na mais ao como mas foi
        são sua seu também pelo pela"""
    ),
    "nl": _vocab(
        """de het een en van is dat die niet in op te zijn met voor er aan ook als maar bij werd wordt
        hij zij ze naar om dan nog wel"""
    ),
}


@dataclass(frozen=True)
class LanguageGuess:
    is_english: bool
    language: str  # "en", "fr", ..., "unknown", or a script such as "CYRILLIC script"
    english_share: float  # share of the words that are English function words
    words: int

    @property
    def detail(self) -> str:
        return (
            f"detected language: {self.language}; English function words are {self.english_share:.0%} "
            f"of {self.words} words (English text: at least {ENGLISH_MIN_SHARE:.0%})"
        )


def guess_language(text: str) -> LanguageGuess:
    """Whether `text` is English, with the measure it rests on and the likely language otherwise."""
    words = [w.replace("’", "'") for w in _WORD.findall(text.casefold())]
    if not words:
        return LanguageGuess(True, "unknown", 0.0, 0)
    letters = sum(len(w) for w in words)
    shares = {lang: sum(w in vocab for w in words) / len(words) for lang, vocab in FUNCTION_WORDS.items()}
    english = shares["en"]
    if len(words) < MIN_WORDS and letters < MIN_LETTERS:
        return LanguageGuess(True, "unknown", english, len(words))
    if english >= ENGLISH_MIN_SHARE:
        return LanguageGuess(True, "en", english, len(words))
    return LanguageGuess(False, _likely_language(words, shares), english, len(words))


def _likely_language(words: list[str], shares: dict[str, float]) -> str:
    script = _main_script(words)
    if script != "LATIN":
        return f"{script} script"
    best, share = max(((lang, s) for lang, s in shares.items() if lang != "en"), key=lambda pair: pair[1])
    return best if share >= ENGLISH_MIN_SHARE else "unknown"


def _main_script(words: list[str]) -> str:
    """The script most letters are written in ("LATIN", "CYRILLIC", "CJK", "ARABIC", ...)."""
    scripts: Counter[str] = Counter()
    for word in words:
        for char in word:
            name = unicodedata.name(char, "")
            scripts[name.split(" ")[0] if name else "UNKNOWN"] += 1
    return scripts.most_common(1)[0][0] if scripts else "UNKNOWN"
