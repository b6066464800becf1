"""Is this line an article heading, a division heading, or a reference in running text?

The signal is what follows the number. "Artikel 2:28 Exploitatievergunning" and a bare
"Artikel 5" are headings; "Artikel 3, eerste lid, ..." and "Artikel 5 van de Opiumwet
is van toepassing" are references. Style (heading/bold) strengthens a candidate;
numbering monotonicity (checked by the builder) breaks the remaining ties.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .patterns import ARTICLE_RE, DIVISION_RE, REFERENCE_WORDS, clean_num, is_title_like, is_vervallen

_SEP_RE = re.compile(r"^\s*(?:[-\u2013\u2014:|.]|\s)\s*")
_TRAIL_VERVALLEN_RE = re.compile(r"\s*[\[\(](?:vervallen|vervalt|ingetrokken)[^\]\)]*[\]\)]\s*\.?$", re.I)
# Words a body sentence typically opens with; used to split "Artikel 3 Titel Het college ..."
_BODY_STARTERS = (
    "Het|De|Een|In|Op|Onder|Deze|Dit|Indien|Voor|Bij|Als|Aan|Zonder|Tenzij|Onverminderd|Met|Ter|"
    "Wie|Wij|Je|Na|Ten|Hij|Zij|Degene|Er|Uit|Burgemeester|Gedurende|Behoudens|Wanneer|Zodra|Iedere|"
    "Ieder|Elke|Alle|Geen|Binnen|Buiten|Tot|Door|Over|Vanaf")
_BODY_SPLIT_RE = re.compile(rf"\s(?=(?:{_BODY_STARTERS})\s+[a-zà-ÿ0-9])")
_LID_SPLIT_RE = re.compile(r"\s(?=(?:1|1\.|1°|a\.)\s+[A-Za-zÀ-ÿ])")
_MERGED_LID_RE = re.compile(r"^([0-9]{1,2})\.\s+(\S.*)$")
_BIJLAGE_BIJ_RE = re.compile(r"^(?:bij|behorend|behorende)\b", re.I)
_ENUM_START_RE = re.compile(r"^(?:[0-9]{1,2}[.)]?|[a-z][.)])\s")


_LAW_NAME_RE = re.compile(r"^(?:[A-Z][a-z]+wet(?:\s+[0-9]{4})?|Wet\b|Awb\b|Algemene\s+wet\b|Grondwet\b|Besluit\b|"
                          r"Gemeentewet\b|Opiumwet\b|Alcoholwet\b)")
_VERB_RE = re.compile(r"\b(?:is|zijn|wordt|worden|geldt|gelden|blijft|blijven|kan|kunnen|mag|mogen|moet|moeten|"
                      r"heeft|hebben|bevat|regelt|bepaalt|luidt|vervalt|treedt|gaat|ziet|vindt|neemt)\b")


@dataclass
class Heading:
    kind: str                 # artikel | hoofdstuk | titel | afdeling | paragraaf | deel | bijlage
    number: str
    title: str = ""
    body: str = ""            # text merged into the heading block (PDF), to be put back as body
    strength: int = 2         # 3 styled/bare, 2 number+title, 1 weak (needs sequence support)
    vervallen: bool = False
    bare: bool = False        # nothing after the number: the title may be on the next line
    heading_text: str = ""


def _split_merged(rest: str) -> tuple[str, str] | None:
    """'Begripsbepalingen In deze verordening ...' -> ('Begripsbepalingen', 'In deze ...')."""
    for rx in (_LID_SPLIT_RE, _BODY_SPLIT_RE):
        for m in rx.finditer(rest):
            title, body = rest[:m.start()].strip(), rest[m.start():].strip()
            if not title or len(body) < 25:
                continue
            if is_title_like(title, max_words=12, max_len=110):
                return title, body
            break
    return None


def _trail_vervallen(s: str) -> bool:
    """'... (vervallen)', '... [Vervallen per 1-1-2020]'; the bracket test spares most searches."""
    return ("(" in s or "[" in s) and bool(_TRAIL_VERVALLEN_RE.search(s))


def _analyse_rest(rest: str, styled: bool) -> tuple[str, str, int, bool, bool] | None:
    """Returns (title, body, strength, vervallen, bare) or None when the rest marks a reference."""
    rest = rest.strip()
    if rest[:1] in (",", ";"):
        return None
    if rest.startswith("(") and not is_vervallen(rest) and not styled and not (
            rest.endswith(")") and is_title_like(rest[1:-1])):
        return None
    had_sep = bool(rest) and rest[0] in "-\u2013\u2014:|."
    if had_sep:
        rest = _SEP_RE.sub("", rest, count=1).strip()
    if not rest:
        return "", "", 3, False, True
    if is_vervallen(rest):
        return rest, "", 3, True, False
    if rest[0].islower():  # (rest is stripped: its first word starts there)
        w = rest.split(None, 1)[0].lower().strip(".,;:()")
        if w in REFERENCE_WORDS or not had_sep and not styled:
            return None
        if styled and is_title_like(rest[0].upper() + rest[1:]):
            return rest, "", 2, False, False
        return None
    if rest[0].isdigit() and not had_sep:
        # "Artikel 2 1. Het college ..." (PDF merge) or "Artikel 2 2024" nonsense.
        m = _MERGED_LID_RE.match(rest)
        if m and m.group(1) == "1":
            return "", rest, 2, False, False
        return None
    verv = _trail_vervallen(rest)
    if rest.startswith("(") and rest.endswith(")") and is_title_like(rest[1:-1]):
        return rest[1:-1].strip(), "", 3 if styled else 2, verv, False  # "Artikel 1 (Begripsbepalingen)"
    if not styled and _LAW_NAME_RE.match(rest):
        # "Artikel 13b Opiumwet" quoted as a line: a law's article, not one of this document
        return (rest, "", 1, verv, False) if is_title_like(rest) else None
    if rest.endswith(".") and len(rest.split()) <= 6 and not _VERB_RE.search(rest) \
            and is_title_like(rest[:-1]) and not styled:
        return rest[:-1], "", 1, verv, False  # "Artikel 4 Sluitingstijden."
    if is_title_like(rest, max_words=18, max_len=160):
        # A capitalised word then a verb phrase ("Opiumwet geeft de ...") is a sentence; the
        # title test rejects most of them by their final period.
        return rest, "", 3 if styled else 2, verv, False
    split = _split_merged(rest)
    if split:
        return split[0], split[1], 2 if styled else 1, _trail_vervallen(split[0]), False
    if styled and len(rest) <= 200 and not rest.endswith("."):
        return rest, "", 2, verv, False
    return None


def article_heading(text: str, styled: bool = False) -> Heading | None:
    m = ARTICLE_RE.match(text)
    if not m:
        return None
    num, rest = m.group("num", "rest")
    num = clean_num(num)
    if not num:
        return None
    # "Art. 2:28" / "Artikel 2:28": in running text a reference is nearly always lowercase.
    res = _analyse_rest(rest, styled)
    if res is None:
        return None
    title, body, strength, verv, bare = res
    if bare and not styled and text.startswith("Art "):
        strength = 1
    return Heading("artikel", num, title, body, strength, verv, bare,
                   text if not body else text[: len(text) - len(body)].strip())  # heading_text


_DIV_KIND = {"hoofdstuk": "hoofdstuk", "titel": "titel", "afdeling": "afdeling", "paragraaf": "paragraaf",
             "§": "paragraaf", "deel": "deel", "bijlage": "bijlage"}


def division_heading(text: str, styled: bool = False) -> Heading | None:
    m = DIVISION_RE.match(text)
    if not m:
        return None
    kind = _DIV_KIND[m.group("word").lower()]
    num = clean_num(m.group("num") or "")
    rest = m.group("rest").strip()
    if kind != "bijlage" and not num:
        return None
    if kind == "bijlage":
        if not num and rest[:1].isalnum() and not _BIJLAGE_BIJ_RE.match(rest):
            # "Bijlagen zijn ..." / "Bijlage behorende" handled; other words: running text.
            if not is_title_like(rest) or not styled:
                return None
        if _BIJLAGE_BIJ_RE.match(rest):
            if len(rest) > 200 or rest.endswith((".", ";")):
                return None
            return Heading("bijlage", num, rest, "", 2 if not styled else 3)
    if rest[:1] in (",", ";"):
        return None
    had_sep = bool(rest) and rest[0] in "-\u2013\u2014:|."
    if had_sep:
        rest = _SEP_RE.sub("", rest, count=1).strip()
    if not rest:
        return Heading(kind, num, "", "", 3, bare=True, heading_text=text)
    first = rest.split(None, 1)[0]
    if first[0].islower():
        w = first.lower().strip(".,;:()")
        if w in REFERENCE_WORDS or not styled:
            return None
    if is_vervallen(rest):
        return Heading(kind, num, rest, "", 3, vervallen=True, heading_text=text)
    if is_title_like(rest, max_words=22, max_len=200) or (styled and len(rest) <= 200 and not rest.endswith(".")):
        return Heading(kind, num, rest, "", 3 if styled else 2, heading_text=text)
    # "Hoofdstuk 2 Openbare orde Artikel 2:1 ..." or a merged heading + first sentence (PDF).
    split = _split_merged(rest)
    if split and kind != "bijlage":
        return Heading(kind, num, split[0], split[1], 1, heading_text=text[: len(text) - len(split[1])].strip())
    return None


def next_line_title(text: str) -> bool:
    """May this line be the title printed under a bare 'Artikel 5' / 'Hoofdstuk 2'?"""
    if not is_title_like(text, max_words=16, max_len=150):
        return False
    if len(text.split()) > 4 and _VERB_RE.search(text):
        return False  # "Deze regeling treedt in werking ..." without its final period: body
    if article_heading(text) or _ENUM_START_RE.match(text):
        return False
    d = division_heading(text)
    if d and d.number:
        return False
    return True
