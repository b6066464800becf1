"""Regexes and small text predicates shared by the structure modules.

Everything here is pure-regex and linear, so a 200-page APV parses in milliseconds.
"""
from __future__ import annotations

import re

# An article/division number as printed: "2:28", "2.1.3", "13b", "2:30a", "1.5a", "IV", "12 a".
# A single capital suffix ("Artikel 4A") is printed by some municipalities for inserted articles.
NUM = r"(?:[0-9]{1,4}(?:[a-z]{0,3}|[A-Z](?![A-Za-z]))(?:[:.][0-9]{1,4}(?:[a-z]{0,3}|[A-Z](?![A-Za-z]))){0,3}|[IVXLC]{1,7}[a-z]?)"

# Article numbers as typed by hand or read by OCR: "2: 28", "2 :28" (a space at the colon).
_ART_NUM = NUM.replace("(?:[:.][0-9]", "(?:(?:[.]|[ ]?:[ ]?)[0-9]", 1)
ARTICLE_RE = re.compile(
    rf"^(?:Artikel|ARTIKEL|Art\.|ART\.|Art|Artikelen)\s*(?P<num>{_ART_NUM})(?![0-9A-Za-z])\.?(?P<rest>.*)$",
    re.S)
ARTICLE_FIRST = "A"  # the first character of any ARTICLE_RE match: a cheap test first

DIVISION_RE = re.compile(
    rf"^(?P<word>Hoofdstuk|HOOFDSTUK|Titel|TITEL|Afdeling|AFDELING|Paragraaf|PARAGRAAF|§|Deel|DEEL|"
    rf"Bijlage|BIJLAGE)\s*(?P<num>{NUM}|[A-Z](?![a-z]))?(?![0-9A-Za-z])\.?(?P<rest>.*)$", re.S)
DIVISION_FIRST = frozenset("HTAPD§B")  # the first characters of DIVISION_RE's words

# "3", "3.2", "4.1.2" followed by a title; an optional dot after the number.
# "2.2a Growshops": an inserted section keeps the letter, as "Artikel 2:30a" does.
SECTION_RE = re.compile(r"^(?P<num>[0-9]{1,2}(?:\.[0-9]{1,2}){0,3})(?P<suffix>[a-z]?)(?P<dot>\.?)\s+(?P<rest>\S.*)$",
                        re.S)

# Words that make "Artikel 5 <word>" a reference in running text instead of a heading.
REFERENCE_WORDS = {
    "van", "lid", "leden", "eerste", "tweede", "derde", "vierde", "vijfde", "zesde", "zevende",
    "achtste", "negende", "tiende", "bedoeld", "is", "zijn", "wordt", "worden", "werd", "en", "of",
    "tot", "t/m", "juncto", "jo", "jo.", "onder", "zoals", "bepaalt", "geldt", "gelden", "blijft",
    "blijven", "komt", "vervalt", "bevat", "kan", "kunnen", "moet", "dient", "regelt", "ziet", "heeft",
    "had", "luidt", "luidde", "sub", "onderdeel", "aanhef", "der", "de", "het", "uit", "in", "op", "bij",
    "met", "voor", "na", "om", "te", "die", "dat", "daarvan", "hiervan", "alsmede", "respectievelijk",
    "wet", "ter", "over", "betreft", "verwijst", "noemt", "geeft", "biedt", "maakt", "vermeldt",
}
# Reference-like continuation after a division label: "Afdeling 6 van hoofdstuk 2 is nieuw."
VERVALLEN_RE = re.compile(
    r"^[\[\(<{]?\s*(?:vervallen|vervalt|ingetrokken|gereserveerd|geschrapt|(?:dit artikel is )?vervallen)"
    r"(?:\s+(?:per|met ingang van|sinds|bij)\b[^\]\)]*)?\.?\s*[\]\)>}]?\s*\.?$", re.I)
# The characters VERVALLEN_RE can start with (re.I): a bracket, a space or the first letter of
# one of its words. A non-ASCII character may be a look-alike of "i" or a space: the regex decides.
_VERVALLEN_FIRST = frozenset("[(<{ \t\n\r\f\v\x1c\x1d\x1e\x1fvViIgGdD")


def is_vervallen(text: str) -> bool:
    """VERVALLEN_RE.match, after a cheap test of the first character."""
    first = text[:1]
    return (first in _VERVALLEN_FIRST or not first.isascii()) and bool(VERVALLEN_RE.match(text))

TOELICHTING_RE = re.compile(
    r"^(?:[IVX]+\.?\s+|[0-9]+\.?\s+)?(?:algemene\s+|artikelsgewijze\s+|artikelgewijze\s+|nota\s+van\s+|memorie\s+van\s+|"
    r"(?:de\s+)?)?toelichting(?:\s+(?:op|bij|behorende\s+bij)\b.{0,150})?\s*:?$", re.I)
ARTIKELSGEWIJS_RE = re.compile(r"^(?:[IVX]+\.?\s+)?(?:artikelsgewijs|artikelgewijs|artikelsgewijze\s+toelichting)\s*:?$", re.I)

SIGNATURE_RE = re.compile(
    r"^(?:aldus\s+(?:vastgesteld|besloten|gedaan)|zo\s+vastgesteld|vastgesteld\s+in\s+de\s+(?:openbare\s+)?vergadering|"
    r"lasten\s+en\s+bevelen|gegeven\s+te\b|ondertekening\b|besloten\s+in\s+de\s+(?:openbare\s+)?vergadering|"
    r"aldus\s+besloten)", re.I)
# "De griffier, mr. E.J. van Dalen" / "De raad voornoemd," - only as a short line of its own.
_ROLE_RE = re.compile(
    r"^(?:(?:de\s+)?(?:raad|burgemeester|college)\b[^.]{0,60}\bvoornoemd|"
    r"(?:de\s+)?(?:griffier|voorzitter|(?:gemeente)?secretaris|burgemeester)\s*,)", re.I)


# Tests of the first two characters spare most body lines ("1. Het ...", "a. ...") the regexes
# below. re.I equates a few non-ASCII look-alikes with i, k and s: such lines take the regexes.
_SIGNATURE_STARTS = frozenset(("al", "zo", "va", "la", "ge", "on", "be"))  # SIGNATURE_RE's words
_ROLE_STARTS = frozenset(("de", "ra", "bu", "co", "gr", "vo", "ge", "se"))  # _ROLE_RE's words
_PLACE_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ'")  # PLACE_DATE_RE (case-sensitive)
_DIGIT_SET = frozenset("0123456789")


def signature_opening(text: str) -> bool:
    """SIGNATURE_RE.match, after a cheap test of the first two characters."""
    head = text[:2]
    if head.isascii() and head.lower() not in _SIGNATURE_STARTS:
        return False
    return bool(SIGNATURE_RE.match(text))


def is_signature(text: str) -> bool:
    head = text[:2]
    plain = head.isascii()
    if plain:
        head = head.lower()
    if (not plain or head in _SIGNATURE_STARTS) and SIGNATURE_RE.match(text):
        return True
    # (a place and date ends in a year and has its comma within 45 characters: cheap tests first)
    if (text[:1] in _PLACE_FIRST and text.rstrip(".\n")[-1:] in _DIGIT_SET and "," in text[:45]
            and PLACE_DATE_RE.match(text)):
        return True
    if len(text) > 80 or not ((not plain or head in _ROLE_STARTS) and _ROLE_RE.match(text)):
        return False
    return not text.endswith((".", ";", ":")) or (text.count(",") == 1 and text.endswith("."))

# "Oosterhaven, 10 januari 2023": a place-and-date line opens an ondertekening.
PLACE_DATE_RE = re.compile(
    r"^(?:'s-)?[A-Z][\w'’ .-]{1,40},\s+(?:de\s+)?[0-9]{1,2}\s+(?:januari|februari|maart|april|mei|juni|juli|augustus|"
    r"september|oktober|november|december)\s+(?:19|20)[0-9]{2}\.?$")

ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_NUM_SEP_RE = re.compile(r"[.:]")
_ARABIC_PART_RE = re.compile(r"^([0-9]+)([a-z]*)$")
_ROMAN_PART_RE = re.compile(r"^([IVXLC]+)([a-z]?)$")
_ABBREVIATION_END_RE = re.compile(r"\b[A-Z][a-z]{0,3}\.$")


def roman_to_int(s: str) -> int | None:
    s = s.upper()
    if not s or any(c not in ROMAN_VALUES for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = ROMAN_VALUES[c]
        if i + 1 < len(s) and ROMAN_VALUES[s[i + 1]] > v:
            total -= v
        else:
            total += v
    return total


def clean_num(num: str) -> str:
    """'2 : 28' -> '2:28', '12 a' -> '12a'; keeps the separator as printed."""
    return "".join(num.split()).rstrip(".:")


def num_key(num: str) -> tuple:
    """Sort key for article numbers: '2:30a' -> ((2,''), (30,'a')); roman -> arabic."""
    parts = _NUM_SEP_RE.split(num)
    key = []
    for p in parts:
        if p.isdigit() and p.isascii():  # the common case, without a regex
            key.append((int(p), ""))
            continue
        m = _ARABIC_PART_RE.match(p)
        if m:
            key.append((int(m.group(1)), m.group(2)))
            continue
        m = _ROMAN_PART_RE.match(p)
        r = roman_to_int(m.group(1)) if m else None
        key.append((r if r is not None else 0, m.group(2) if m else p))
    return tuple(key)


def is_title_like(s: str, max_words: int = 16, max_len: int = 140) -> bool:
    """A heading title: short, no sentence-final punctuation, starts with a capital or bracket."""
    s = s.strip()
    if not s or len(s) > max_len:
        return False
    if len(s.split(None, max_words)) > max_words:  # (more words than that: no need to split them all)
        return False
    if s[-1] in ".;,:" and not s.endswith("etc.") and not _ABBREVIATION_END_RE.search(s):
        return False
    first = s[0]
    if not (first.isupper() or first in "[(\"'‘“" or first.isdigit()):
        return False
    return True

