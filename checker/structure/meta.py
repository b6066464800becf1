"""Title, municipality, vaststelling and inwerkingtreding dates."""
from __future__ import annotations

import datetime as _dt
import re

from ..model import Article
from .clean import Line
from .patterns import PLACE_DATE_RE

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "febr": 2, "maart": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_RE = re.compile(
    rf"\b(?P<d>[0-9]{{1,2}})(?:e|ste|de|den|ste)?\s+(?P<m>{_MONTH_ALT})\.?\s+(?P<y>(?:19|20)[0-9]{{2}})\b"
    r"|\b(?P<d2>[0-9]{1,2})[-/.](?P<m2>[0-9]{1,2})[-/.](?P<y2>(?:19|20)[0-9]{2})\b", re.I)


def _iso(m: re.Match) -> str | None:
    try:
        if m.group("d"):
            d, mo, y = int(m.group("d")), MONTHS[m.group("m").lower()], int(m.group("y"))
        else:
            d, mo, y = int(m.group("d2")), int(m.group("m2")), int(m.group("y2"))
        return _dt.date(y, mo, d).isoformat()
    except (ValueError, KeyError):
        return None


def parse_date(text: str) -> str | None:
    for m in DATE_RE.finditer(text):
        iso = _iso(m)
        if iso:
            return iso
    return None


# ------------------------------------------------------------------ title

_BAD_META_TITLE_RE = re.compile(r"^(?:microsoft\s+word|untitled|naamloos|document\d*|titel|title|python-docx)\b|\.(?:docx?|pdf|odt)$", re.I)
_NOT_TITLE_RE = re.compile(
    r"^(?:de\s+raad|het\s+college|de\s+burgemeester|burgemeester\s+en|gelet|gelezen|overwegende|"
    r"besluit(?:en)?(?:\s*:|\s+vast|\s*$)|wij\s+[A-Z]|hebben\s+goedgevonden|"
    r"gemeenteblad|officiële\s+uitgave|staatscourant|staatsblad|nr\.|nummer\b|datum\b|kenmerk|zaaknummer|"
    r"onderwerp\b|registratienummer|concept\b|versie\b|pagina\b|allen,|gezien|op\s+de\s+voordracht|inhoud(?:sopgave)?$)", re.I)


def find_title(lines: list[Line], preamble: list[Line], first_struct: int | None, metadata: dict) -> tuple[str, Line | None]:
    head = preamble[:8] if preamble else lines[:3]
    for ln in head:
        if ln.title_style and len(ln.text) <= 300:
            return ln.text, ln
    mt = (metadata or {}).get("title")
    if isinstance(mt, str):
        mt = re.sub(r"\s+", " ", mt).strip()
        if len(mt) >= 5 and not _BAD_META_TITLE_RE.search(mt):
            match = next((ln for ln in head if ln.text.strip().lower() == mt.lower()), None)
            if match is None:
                fuller = _fuller_title(head, mt)
                if fuller is not None:
                    return fuller
            return mt, match
    for ln in head:
        if _NOT_TITLE_RE.match(ln.text) or DATE_RE.fullmatch(ln.text.strip(" .,")) or len(ln.text) < 4:
            continue
        if ln.styled or len(ln.text) <= 250:
            return ln.text, ln
        break
    if head:
        t = head[0].text
        return (t if len(t) <= 300 else t[:297].rstrip() + "..."), head[0]
    return "", None


_WORD_RE = re.compile(r"[\w'’-]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(text)]


def _contains_run(seq: list[str], run: list[str]) -> bool:
    k = len(run)
    return any(seq[i:i + k] == run for i in range(len(seq) - k + 1))


def _fuller_title(head: list[Line], meta_title: str) -> tuple[str, Line] | None:
    """The first-page title when it says all the metadata title says and more.

    PDF producers often fill the Title field with the short running-header text
    ("Protocol agressie en geweld 2023") while page 1 prints the full title
    ("Protocol agressie en geweld gemeente Lindeveld 2023"), or cut it off ("... van het").
    A long formal title that quotes the metadata title as its citeertitel in brackets
    ("Besluit van 30 september 2010, houdende ... (Besluit brandweer BES)") does not win.
    """
    want = _words(meta_title)
    if not want:
        return None
    for ln in head[:3]:
        if not ln.styled or (ln.page or 1) > 1 or len(ln.text) > 250 or _NOT_TITLE_RE.match(ln.text):
            continue
        got = _words(ln.text)
        if not (set(want) < set(got)):
            continue
        if got[:len(want)] == want or not _contains_run(got, want):
            return ln.text, ln  # cut-off metadata, or words inserted ("gemeente Lindeveld")
        m = re.search(r"\(([^()]+)\)\s*$", ln.text)
        if m and m.group(1)[:1].isupper():
            quoted = _words(m.group(1))
            if quoted[:len(want)] == want and len(quoted) > len(want):
                return m.group(1).strip(), ln  # a cut-off citeertitel, printed in full in brackets
        return None
    return None


# ------------------------------------------------------------------ municipality

_NAME = r"((?:'s-|'t\s)?[A-ZÀ-Þ][\w'’\-]*(?:(?:\s(?:aan|op|den|de|der|van|in|a/d|bij|aan den))?\s[A-ZÀ-Þ][\w'’\-]*){0,2})"
_STOP_WORDS = {"Algemene", "Beleidsregel", "Beleidsregels", "Verordening", "Gedragscode", "Protocol", "Het",
               "De", "Burgemeester", "Wet", "Opiumwet", "Gemeentewet", "Bibob", "Damocles", "Damoclesbeleid",
               "APV", "Integriteit"}
_MUNI_PATTERNS = [
    re.compile(r"\b[Rr]aad\s+van\s+de\s+gemeente\s+" + _NAME),
    re.compile(r"\b(?:[Bb]urgemeester|[Cc]ollege\s+van\s+burgemeester\s+en\s+wethouders)\s+van\s+(?:de\s+gemeente\s+)?" + _NAME),
    re.compile(r"\b[Gg]emeente(?:raad)?\s+" + _NAME),
]
_TITLE_MUNI_RE = re.compile(
    r"\b(?:APV|[Vv]erordening|[Bb]eleid|[Bb]eleidslijn|[Bb]eleidsregels?|[Gg]edragscode|[Pp]rotocol|Bibob|"
    r"Damoclesbeleid|[Ii]ntegriteitsbeleid)\s+" + _NAME + r"\s+(?:19|20)[0-9]{2}\b")


def _clean_name(name: str) -> str | None:
    parts = name.split()
    while parts and parts[-1] in _STOP_WORDS:
        parts.pop()
    if not parts or parts[0] in _STOP_WORDS or parts[0].lower() in ("van", "de"):
        return None
    return " ".join(parts).rstrip(",;.")


def find_municipality(title: str, lines: list[Line]) -> str | None:
    m = re.search(r"\b[Gg]emeente\s+" + _NAME, title)
    if m and (n := _clean_name(m.group(1))):
        return n
    head = " \n".join(ln.text for ln in lines[:25])
    for rx in _MUNI_PATTERNS[:2]:
        m = rx.search(head)
        if m and (n := _clean_name(m.group(1))):
            return n
    m = _TITLE_MUNI_RE.search(title)
    if m and (n := _clean_name(m.group(1))):
        return n
    m = _MUNI_PATTERNS[2].search(head)
    if m and (n := _clean_name(m.group(1))):
        return n
    return None


# ------------------------------------------------------------------ dates

_ADOPT_RES = [
    re.compile(r"vastgesteld\s+(?:bij|in|door)\b[^.]{0,160}?(?:\bvan|\bop|d\.d\.)\s+(?=[0-9])", re.I),
    re.compile(r"(?:raads)?besluit\s+(?:van|d\.d\.)\s+(?=[0-9])", re.I),
    re.compile(r"(?:datum\s+)?vaststelling\s*:?\s*(?=[0-9])|vastgesteld\s+(?:op\s+)?:?\s*(?=[0-9])", re.I),
]
_TITLE_DATE_RE = re.compile(r"^(?:Wet|Besluit|Regeling|Verordening|Rijkswet|Beschikking)\s+van\s+", re.I)
_IN_FORCE_RES = [
    re.compile(r"\b(?:treedt|treden)\b[^.]{0,120}?\bin\s+werking\s+(?:op|met\s+ingang\s+van|per|vanaf)\s+(?:de\s+dag\s+na\s+[^.]*?,\s*doch\s+niet\s+eerder\s+dan\s+)?", re.I),
    re.compile(r"\b(?:met\s+ingang\s+van|per)\s+(?=[0-9][^.]{0,30}?\bin\s+werking)", re.I),
]


def _date_after(text: str, pos: int, span: int = 40) -> str | None:
    m = DATE_RE.search(text, pos, min(len(text), pos + span))
    return _iso(m) if m else None


def find_adopted(title: str, signature: list[Line], lines: list[Line], articles: list[Article],
                 preamble: list[Line]) -> str | None:
    for k, ln in enumerate(signature):
        if re.search(r"vastgesteld|besloten|gedaan", ln.text, re.I) or (k == 0 and PLACE_DATE_RE.match(ln.text)):
            d = parse_date(ln.text)
            if not d:
                nxt = " ".join(x.text for x in signature[k + 1:k + 3])
                d = parse_date(nxt)
            if d:
                return d
    texts = [title] + [ln.text for ln in preamble] + [ln.text for ln in signature]
    for rx in _ADOPT_RES:
        for t in texts:
            for m in rx.finditer(t):
                d = _date_after(t, m.end())
                if d:
                    return d
    if _TITLE_DATE_RE.match(title):
        d = _date_after(title, 0, 60)
        if d:
            return d
    for t in [ln.text for ln in lines[-15:]]:
        if re.search(r"\bvastgesteld\b", t, re.I):
            d = parse_date(t)
            if d:
                return d
    return None


_WERKING_RE = re.compile(r"werking", re.I)


def find_in_force(articles: list[Article], preamble: list[Line], signature: list[Line]) -> str | None:
    ordered = sorted(articles, key=lambda a: 0 if _WERKING_RE.search(a.title or "") else 1)
    for a in ordered:
        for rx in _IN_FORCE_RES:
            for m in rx.finditer(a.text):
                # The subject must be this regulation, not another act mentioned in passing.
                sent_start = max(a.text.rfind(".", 0, m.start()), a.text.rfind("\n", 0, m.start())) + 1
                subject = a.text[sent_start:m.start() + 30]
                if re.search(r"\b(?:Omgevingswet|Alcoholwet|wet\s+[A-Z]|[A-Z]\w+wet)\b", subject) and not re.search(
                        r"\b(?:deze|dit|het|de)\s+(?:verordening|beleid|regeling|besluit|beleidsregel|code|protocol|beleidslijn)", subject, re.I):
                    continue
                d = _date_after(a.text, m.end())
                if d:
                    return d
    for ln in list(preamble) + list(signature):
        for rx in _IN_FORCE_RES:
            for m in rx.finditer(ln.text):
                d = _date_after(ln.text, m.end())
                if d:
                    return d
    return None
