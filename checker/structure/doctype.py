"""Document type from weighted cues: the title dominates, content confirms.

A national act or besluit ("Wet van 19 juli 1934", "Wij Beatrix ...") is none of our
types, even when it mentions horeca or Bibob; nothing fitting gives None so that the
user is asked for --type instead of being told a wrong story.
"""
from __future__ import annotations

import re
from itertools import islice
from pathlib import Path

from ..casefold import lower_is_exact
from ..model import DOC_TYPES

_I = re.I
TITLE_CUES: dict[str, list[tuple[re.Pattern, float]]] = {
    "apv": [
        (re.compile(r"algemene\s+plaatselijke\s+verordening", _I), 10),
        # older and regional names of the same regulation
        (re.compile(r"algemene\s+(?:politie|plaatselijke\s+politie)\s*-?\s*verordening", _I), 10),
        (re.compile(r"\bAPV\b"), 9),
        (re.compile(r"verordening\b[^.]{0,40}\b(?:speelautomaten|speelautomatenhal|kansspel|speelgelegenhe)", _I), 9),
        (re.compile(r"\bexploitatie\s*verordening|verordening\b[^.]{0,40}\bexploitatie", _I), 8),
        (re.compile(r"verordening\b[^.]{0,40}\b(?:horeca|seks|prostitutie|coffeeshop|evenementen|sluiting|"
                    r"openbare\s+orde|drank)", _I), 7),
        (re.compile(r"speelautomatenhal", _I), 6),
        (re.compile(r"(?:horeca|exploitatie|speelautomaten|seks|prostitutie|evenementen|drank|kansspel)"
                    r"[- ]?verordening", _I), 8),
    ],
    "bibob": [
        (re.compile(r"bibob", _I), 10),
        (re.compile(r"integriteitsbeoordeling", _I), 8),
    ],
    "damocles": [
        (re.compile(r"damocles", _I), 10),
        (re.compile(r"\b13\s?b\b", _I), 9),
        (re.compile(r"opiumwet", _I), 6),
        (re.compile(r"drugspand|sluiting\s+(?:van\s+)?(?:drugs)?(?:panden|woningen)", _I), 5),
    ],
    "integriteit": [
        (re.compile(r"gedragscode", _I), 10),
        (re.compile(r"\bintegriteit(?:s(?:code|beleid|regeling|protocol|beleidskader|kader|plan|schending(?:en)?|"
                    r"meldpunt|onderzoek))?\b", _I), 9),
        (re.compile(r"meldregeling|klokkenluid|vermoeden\s+van\s+(?:een\s+)?misstand", _I), 7),
        (re.compile(r"ambtseed|eed\s+of\s+belofte|nevenwerkzaamheden|nevenfuncties", _I), 5),
    ],
    "agressie": [
        (re.compile(r"agressie", _I), 10),
        (re.compile(r"veilige\s+publieke\s+taak|\bVPT\b", _I), 9),
        # "Beleid veilig werken", "Protocol ongewenst bezoekersgedrag": aggression policies by other names
        (re.compile(r"veilig\s+werken|ongewenst\s+(?:bezoekers|klant)gedrag", _I), 6),
        (re.compile(r"stop\s+agressie\s+samen", _I), 10),
        (re.compile(r"\bgeweld\b", _I), 6),
        (re.compile(r"huisregels|toegangsverbod", _I), 4),
    ],
}

CONTENT_CUES: dict[str, list[tuple[re.Pattern, float]]] = {
    "apv": [
        (re.compile(r"algemene\s+plaatselijke\s+verordening", _I), 1.0),
        (re.compile(r"algemene\s+politie\s*-?\s*verordening", _I), 1.0),
        (re.compile(r"exploitatievergunning", _I), 0.6),
        (re.compile(r"horecabedrijf|openbare\s+inrichting", _I), 0.4),
        (re.compile(r"openbare\s+plaats", _I), 0.3),
        (re.compile(r"evenementenvergunning|\bevenement\b", _I), 0.3),
        (re.compile(r"seksinrichting|seksbedrijf|speelautomatenhal|standplaats", _I), 0.4),
        (re.compile(r"de\s+raad\s+van\s+de\s+gemeente", _I), 1.0),
        (re.compile(r"Artikel\s+[0-9]+:[0-9]+"), 0.2),
    ],
    "bibob": [
        (re.compile(r"\bbibob\b", _I), 0.8),
        (re.compile(r"landelijk\s+bureau", _I), 0.6),
        (re.compile(r"integriteitsbeoordeling", _I), 0.6),
        (re.compile(r"ernstig\s+gevaar", _I), 0.5),
        (re.compile(r"vragenformulier|eigen\s+onderzoek", _I), 0.4),
    ],
    "damocles": [
        (re.compile(r"\b13\s?b\b", _I), 0.8),
        (re.compile(r"damocles", _I), 1.0),
        (re.compile(r"handelshoeveelheid|gebruikershoeveelheid", _I), 0.7),
        (re.compile(r"harddrugs|softdrugs", _I), 0.4),
        (re.compile(r"sluiting\s+(?:van\s+)?(?:de\s+)?(?:woning|het\s+lokaal|lokaal|pand)", _I), 0.5),
        (re.compile(r"stappenplan|voorbereidingshandelingen", _I), 0.4),
    ],
    "integriteit": [
        (re.compile(r"nevenwerkzaamhe|nevenfunctie", _I), 0.6),
        (re.compile(r"belangenverstrengeling", _I), 0.6),
        (re.compile(r"geschenken|giften|uitnodigingen", _I), 0.5),
        (re.compile(r"vertrouwenspersoon", _I), 0.5),
        (re.compile(r"integriteitsschending|integriteit\b", _I), 0.5),
        (re.compile(r"ambtseed|eed\s+of\s+belofte", _I), 0.5),
        (re.compile(r"geheimhouding", _I), 0.2),
    ],
    "agressie": [
        (re.compile(r"agressie", _I), 0.8),
        (re.compile(r"aangifte", _I), 0.4),
        (re.compile(r"nazorg", _I), 0.5),
        (re.compile(r"schadeverhaal|verhaalt\s+[^.]{0,20}schade", _I), 0.5),
        (re.compile(r"gele\s+kaart|rode\s+kaart|toegangsverbod|huisverbod", _I), 0.5),
        (re.compile(r"\bela\b|eenduidige\s+landelijke\s+afspraken", _I), 0.6),
        (re.compile(r"veilige\s+publieke\s+taak", _I), 0.8),
    ],
}


def _lowercase_variant(rx: re.Pattern) -> re.Pattern | None:
    """`rx` without re.I, for the lowercased text; None for a case-sensitive cue."""
    if rx.flags & _I and rx.pattern == rx.pattern.lower():
        return re.compile(rx.pattern, rx.flags & ~_I)
    return None


_LEAD_WORD_RE = re.compile(r"(?:\\b)?([a-z0-9]+)(?![?*{])")
_SIMPLE_CLASS_RE = re.compile(r"\[\^?[^\]\[|\\]+\]")  # "[^.]": no "|" (nor anything unusual) inside


def _lead_words(pattern: str) -> tuple[str, ...] | None:
    r"""The words the alternatives of a plain cue start with ("abc\s+def|\bghi\b": abc, ghi);
    a text containing none of them has no match. None for a cue with groups or other classes."""
    if "(" in pattern or "\\|" in pattern or "[" in _SIMPLE_CLASS_RE.sub("", pattern):
        return None
    words = []
    for alternative in pattern.split("|"):
        m = _LEAD_WORD_RE.match(alternative)
        if not m:
            return None
        words.append(m.group(1))
    return tuple(words)


# Content cues are counted over up to 80 000 characters. Without re.I the regex engine can
# jump to a literal prefix instead of trying every position, so the case-insensitive cues
# (written in lowercase) run case-sensitively over the lowercased text: same counts, ~5x faster.
# Most cues of the other types do not occur at all: a substring test for their lead words
# (a fast scan) spares the regex. A cue like "\bword" or "a|b" has no literal prefix, so
# the regex engine tries every position: such cues are tried only where a lead word occurs.
_CONTENT_CUES_LC = {
    t: [(rx, rx_lc, words, w, words is not None and (rx_lc.pattern.startswith("\\b") or "|" in rx_lc.pattern))
        for rx, w in cues for rx_lc in [_lowercase_variant(rx)]
        for words in [_lead_words(rx_lc.pattern) if rx_lc is not None else None]]
    for t, cues in CONTENT_CUES.items()}


def _count_at_leads(rx: re.Pattern, text: str, words: tuple[str, ...], cap: int = 8) -> int:
    """Up to `cap` matches of rx.finditer(text), trying rx only where a lead word occurs
    (every match starts at one): the same non-overlapping leftmost matches."""
    nxt = [text.find(w) for w in words]
    count = 0
    while count < cap:
        p = min((q for q in nxt if q >= 0), default=-1)
        if p < 0:
            break
        m = rx.match(text, p)  # (\b still sees the character before p)
        if m:
            count += 1
        pos = m.end() if m else p + 1  # (a match is never empty: it holds its lead word)
        for k, q in enumerate(nxt):
            if 0 <= q < pos:
                nxt[k] = text.find(words[k], pos)
    return count

_NATIONAL_RE = re.compile(
    r"^(?:(?:Rijks)?wet|Besluit|Regeling|Koninklijk\s+besluit|Beschikking|Verdrag|Verordening\s+\((?:EU|EG)\))\s+van\s+"
    r"(?:[0-9]|de\s+Minister|Onze\s+Minister)", _I)
_NATIONAL_BODY_RE = re.compile(
    r"\bWij\s+(?:Willem-Alexander|Beatrix|Juliana|Wilhelmina)\b|bij\s+de\s+gratie\s+Gods|"
    r"De\s+(?:Staatssecretaris|Minister)\s+van\s+[A-Z][^,;]{0,80}[,;]?\s*(?:Gelet|Besluit)|"
    r"\bOnze\s+Minister\b|(?:^|\n)De\s+(?:Staatssecretaris|Minister)\s+van\s+[A-Z]", _I)
_MUNICIPAL_RE = re.compile(r"\b(?:gemeente|gemeenteraad|burgemeester|college\s+van\s+burgemeester|raad\s+van\s+de)\b", _I)


def detect_type(title: str, text: str, path: str = "",
                type_override: str | None = None) -> tuple[str | None, str, dict[str, float]]:
    """Returns (type, source, scores); scores are 0..1 per type."""
    head = text[:3000]
    text = text[:80000]  # cue counts are capped; the opening chapters say enough
    stem = Path(path).stem.replace("_", " ").replace("-", " ") if path else ""
    lowered = text.lower()
    if not lower_is_exact(lowered):  # checker.casefold: such texts take the re.I cues
        lowered = None
    raw: dict[str, float] = {}
    title_hit: dict[str, float] = {}
    for t in DOC_TYPES:
        ts = max((w for rx, w in TITLE_CUES[t] if rx.search(title)), default=0.0)
        fs = max((w for rx, w in TITLE_CUES[t] if rx.search(stem)), default=0.0) * 0.5
        cs = 0.0
        for rx, rx_lc, words, w, at_leads in _CONTENT_CUES_LC[t]:
            # (counts are capped at 8: no need to find the matches after that)
            if rx_lc is None or lowered is None:
                c = len(list(islice(rx.finditer(text), 8)))
            elif at_leads:
                c = _count_at_leads(rx_lc, lowered, words)
            elif words is None or any(word in lowered for word in words):
                c = len(list(islice(rx_lc.finditer(lowered), 8)))
            else:
                c = 0
            cs += w * c ** 0.5
        raw[t] = ts + fs + min(cs, 8.0)
        title_hit[t] = max(ts, fs)
    scores = {t: round(min(v / 20.0, 1.0), 3) for t, v in raw.items()}
    if type_override:
        return type_override, "override", scores
    national = bool(_NATIONAL_RE.match(title.strip()) or _NATIONAL_BODY_RE.search(head))
    if national and not _MUNICIPAL_RE.search(title):
        return None, "detected", scores
    best = max(DOC_TYPES, key=lambda t: (raw[t], title_hit[t]))
    ranked = sorted(raw.values(), reverse=True)
    if title_hit[best] >= 5 or any(title_hit.values()):
        # Title cues dominate: take the best type among those the title names.
        named = [t for t in DOC_TYPES if title_hit[t] > 0]
        best = max(named, key=lambda t: (title_hit[t], raw[t]))
        return best, "detected", scores
    # No title cue: content must be clear, municipal and well ahead of the runner-up.
    if raw[best] >= 6.0 and raw[best] - (ranked[1] if len(ranked) > 1 else 0) >= 2.0 and _MUNICIPAL_RE.search(text[:20000]):
        return best, "detected", scores
    return None, "detected", scores
