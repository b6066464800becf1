"""Line-to-paragraph helpers shared by the PDF and OCR readers.

Layout readers see visual lines; the structure parser wants one logical paragraph per
block. These helpers decide where a paragraph must start whatever the geometry says
(headings, leden, onderdelen) and how wrapped lines are glued back together.
"""
from __future__ import annotations

import re
import unicodedata

# Labels of divisions/articles at the start of a line. Case-sensitive on purpose:
# "artikel 3, eerste lid" wrapped to the start of a line is a reference, not a heading.
_DIV_WORDS = (r"Hoofdstuk|HOOFDSTUK|Afdeling|AFDELING|Paragraaf|PARAGRAAF|Titel|TITEL|Deel|DEEL|"
              r"Artikel|ARTIKEL|Art\.|ART\.|Bijlage|BIJLAGE|Sectie|Onderdeel")
HEADING_RE = re.compile(
    rf"^(?:(?:{_DIV_WORDS})\s*(?:[0-9]+[0-9a-zA-Z]*(?:[.:][0-9]+[a-zA-Z]*)*|[IVXLC]+[a-z]?)\.?"
    rf"|§\s*[0-9]+[0-9a-z.]*)(?=\s|$|[.:])")
# A label with nothing after it: "Artikel 2:28" (also typed "2: 28"), "§ 3", "Hoofdstuk IV", "Artikel 1."
LABEL_ONLY_RE = re.compile(
    rf"^(?:(?:{_DIV_WORDS})\s*(?:[0-9]+[0-9a-zA-Z]*(?:(?:\.| ?: ?)[0-9]+[a-zA-Z]*)*|[IVXLC]+[a-z]?)|§\s*[0-9]+[0-9a-z.]*)\.?$")
# Numbered section titles of policy documents: "3.2 Reikwijdte", "4 Procedure", "4. Procedure"
SECTION_RE = re.compile(r"^[0-9]{1,2}(?:\.[0-9]{1,2}){0,3}(?:(?<=\.[0-9])[a-z]|(?<=\.[0-9]{2})[a-z])?\.?\s+[A-Z\u00c0-\u00de]")
_ROMAN = r"(?:i{1,3}|iv|vi{0,3}|ix|xi{0,3}|xiv|xvi{0,3}|xix|xx)"
# Leden and onderdelen: "1. ", "2a. ", "a. ", "1°. ", "1° ", "i. ", "(1) ", "a) "
ENUM_RE = re.compile(
    r"^(?:[0-9]{1,3}[a-z]?\.|([a-z])\1?\.|[0-9]{1,2}\s?°\.?|" + _ROMAN + r"\.|\([0-9]{1,3}[a-z]?\)|"
    r"\([a-z]{1,2}\)|[a-z]\)|[0-9]{1,3}\))(?:\s|$)")
# Words that make a following "1." or "Artikel 5" a continuation ("bedoeld in artikel\n1. ...").
_REFERENCE_END_RE = re.compile(
    r"(?:\b(?:artikel|artikelen|lid|leden|onder|onderdeel|onderdelen|bijlage|hoofdstuk|afdeling|"
    r"paragraaf|nummer|nr\.|sub|van|de|het|een|in|op|bij|tot|als)|[,(\-/])$", re.I)

# Prefixes Dutch always writes with a hyphen ("niet-naleving", "ex-partner", "oud-raadslid").
_HYPHEN_PREFIXES = {"niet", "ex", "oud", "non", "loco"}
# Line-final hyphen characters: the real one plus soft hyphens as PDF producers emit them.
HYPHENS = ("-", "\u00ad", "\u2010", "\x02", "\ufffe")


def _is_vowel(c: str) -> bool:
    return unicodedata.normalize("NFD", c)[:1].lower() in "aeiouy"


# Bullets of unnumbered lists (Word exports the Symbol-font bullet as U+F0B7).
BULLET_RE = re.compile("^[\u2022\u00b7\u25aa\u25e6\u2023\u25cf\u25a0\uf0b7\uf0a7\u2013\u2014-]\\s")
# Dashes also occur mid-sentence ("... en a\n– door middel van ..."): a list item only after
# a line that closes a sentence or introduces a list.
DASH_RE = re.compile("^[\u2013\u2014-]\\s")


def bullet_starts(prev: str, line: str) -> bool:
    if not BULLET_RE.match(line):
        return False
    return not DASH_RE.match(line) or prev.rstrip().endswith((":", ";", "."))
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})


_LIGATURE_RE = re.compile("[\ufb00-\ufb06]")


def fix_ligatures(text: str) -> str:
    """PDF text often keeps typographic ligatures ("ﬁnancieel"): words must match plainly."""
    # isascii() is O(1) for str; the regex scan is a cheap guard for the rest (max(text)
    # compares char by char in Python objects).
    return text if text.isascii() or not _LIGATURE_RE.search(text) else text.translate(_LIGATURES)


def starts_block(text: str) -> bool:
    """True when a line opens a heading, an enumerated lid/onderdeel or a bullet item."""
    return bool(HEADING_RE.match(text) or ENUM_RE.match(text) or BULLET_RE.match(text))


def continues_reference(prev: str) -> bool:
    return bool(_REFERENCE_END_RE.search(prev[-30:].rstrip()))  # tail only: search is O(len)


def join_lines(prev: str, nxt: str, vocab: "Vocab | None" = None) -> str:
    """Glue a wrapped line to its paragraph, undoing line-end hyphenation.

    "exploitatie-" + "vergunning" -> "exploitatievergunning"; "drank-" + "en horeca" keeps
    the hyphen and the space; "horeca-" + "inrichting" keeps the hyphen (Dutch vowel clash).
    `vocab` (the document's own words) settles compounds the document spells elsewhere.
    """
    prev = prev.rstrip()
    nxt = nxt.lstrip()
    if not prev:
        return nxt
    if not nxt:
        return prev
    last = prev[-1]
    if last in HYPHENS and len(prev) >= 2 and not prev[-2].isspace():
        stem = prev[:-1]
        first_word = re.match(r"\S+", nxt).group(0)
        if first_word.lower() in ("en", "of", "tot", "en/of", "dan", "als") or not nxt[0].isalpha():
            return stem + "- " + nxt
        m = re.search(r"(\S+)$", stem)
        stem_word = m.group(1) if m else stem
        if not stem[-1].isalpha() or "-" in stem_word:
            # "hoofdstuk 2-\nvliegtuigen", "lasten-min-\nbatenuitkomst": the hyphen is real
            return stem + "-" + nxt
        if vocab is not None:
            w2 = re.match(r"[^\W\d_]+", first_word)
            w2 = w2.group(0) if w2 else first_word
            sw = stem_word.lstrip("(\"'")
            if (sw + "-" + w2).lower() in vocab.hyphenated:
                return stem + "-" + nxt
            if (sw + w2).lower() in vocab.words:
                return stem + nxt
        if len(stem_word) == 1 or stem_word.lower() in _HYPHEN_PREFIXES:
            return stem + "-" + nxt  # "e-mail", "niet-ontvankelijk", "oud-wethouder"
        before = stem[: len(stem) - len(stem_word)].rstrip()
        proper = (stem_word[:1].isupper() and before and not before.endswith((".", ":", ";", "!", "?")))
        if (nxt[0].isupper() or (_is_vowel(stem[-1]) and _is_vowel(nxt[0]))
                or any(c.isupper() for c in stem_word[1:]) or proper):
            # "Noord-\nHolland", "horeca-\ninrichting", "APV-\nartikel", "Bibob-\ncoördinator"
            return stem + "-" + nxt
        return stem + nxt
    if last == "-" and re.search(r"\b(?:en|of|tot)\s+-$", prev) and nxt[0].isalpha():
        return prev + nxt  # "en -\naalmoezeniers": a dangling compound part
    return prev + " " + nxt


class Vocab:
    """Words a document spells on one line: decides how line-end hyphens are undone.

    Built lazily: most documents have no line-end hyphens and never pay for it.
    """

    _WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

    def __init__(self, texts):
        self._texts = texts
        self._words: set[str] | None = None
        self._hyphenated: set[str] = set()

    def _build(self) -> None:
        # Documents repeat their words: tokenise each distinct whitespace-separated token once.
        # Words never span whitespace, and a purely alphabetic token is one word as it stands.
        tokens: set[str] = set()
        for t in self._texts:
            tokens.update(t.split())
        words: set[str] = set()
        for tok in tokens:
            if tok.isalpha():
                words.add(tok.lower())
                continue
            for w in self._WORD.findall(tok):
                w = w.lower()
                if "-" in w:
                    self._hyphenated.add(w)
                    words.update(w.split("-"))
                else:
                    words.add(w)
        self._words = words
        self._texts = None

    @property
    def words(self) -> set[str]:
        if self._words is None:
            self._build()
        return self._words

    @property
    def hyphenated(self) -> set[str]:
        if self._words is None:
            self._build()
        return self._hyphenated


_PAGE_NO_RE = re.compile(
    r"^(?:(?:pagina|page|blz\.?|blad)\s*[0-9]+(?:\s*(?:van|of|/)\s*[0-9]+)?|[-\u2013\u2014]?\s*[0-9]{1,4}\s*[-\u2013\u2014]?"
    r"|[0-9]{1,4}\s*(?:/|van)\s*[0-9]{1,4}|[ivxlc]{1,6})$", re.I)


# A table-of-contents entry: dot leaders (or an ellipsis run) and a page number at the end.
TOC_LINE_RE = re.compile(r"(?:\.\s?){4,}\s*[0-9]{1,4}$|\u2026{2,}\s*[0-9]{1,4}$|_{4,}\s*[0-9]{1,4}$")


def is_toc_line(text: str) -> bool:
    # cheap guard first: this runs on every line of every PDF
    return bool(text) and text[-1].isdigit() and bool(TOC_LINE_RE.search(text))


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NO_RE.match(text.strip()))


_DIGITS_RE = re.compile(r"[0-9]+")


def squash_spaces(text: str) -> str:
    """" ".join(text.split()), without splitting a text that has nothing to squash (most):
    every whitespace character but the space is unprintable."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def norm_running(text: str) -> str:
    """Normalise a header/footer line so repeats match across pages."""
    # split() breaks at exactly the whitespace a regex \s matches in str patterns
    return " ".join(_DIGITS_RE.sub("#", text).split()).lower()
