"""Read the numbered items straight from the norm texts.

The norm texts are the source of truth. This module finds every numbered item in
them so that (a) `build.py` can generate corpora/norms/<norm>.yaml and (b) the tests
can prove that no item of a norm text is missing from that YAML.

What counts as a numbered item per source file:

- Noord-Hollandse norm: "1.1 Wij ..." up to "6.2. Wij ..." (norm statements start
  with "Wij"/"We"); themes are the "N. Titel" lines. 5.10 and 5.11 share one
  paragraph in the published text, so items are also found mid-line.
- Twente: the lettered items "a)" .. under the five group headings of the
  "BIJLAGE BASIS OP ORDE". The eight numbered *deelprojecten* earlier in the file
  are project plans of the region, not norm items, and are deliberately not items.
- Limburgse norm: "1.1 Wij ..." to "1.4 Wij ..." (each printed twice: summary and
  detail; the first occurrence is the item, the detail text its toelichting).
- Spoorboekje Eijsden-Margraten: the 0-meting and "Thema N" tables; every action row
  is an item.
- Noord-Holland pilots quickscan: background text without numbered items.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SOURCE_FILES = {
    "noord-holland": ["noord-hollandse-norm-weerbare-overheid.txt"],
    "twente": ["twente-weerbare-overheid-basis-op-orde.txt"],
    "limburg": ["limburgse-norm.txt", "limburgse-norm-spoorboekje-eijsden-margraten.txt"],
}
# Norm texts that are read for completeness but hold no numbered items.
NO_ITEM_FILES = ["noord-holland-pilots-quickscan.txt"]

TWENTE_GROUPS = {
    "(interne) bewustwording en organisatie": "BW",
    "informatiepositie": "IP",
    "beleid en handhaving": "BH",
    "integere veilige werkomgeving": "IW",
    "communicatie en voorlichting": "CV",
}


@dataclass
class RawItem:
    id: str
    group: str
    text: str
    toelichting: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class RawGroup:
    id: str
    title: str
    items: list[RawItem] = field(default_factory=list)


def normalize(text: str) -> str:
    """Whitespace-collapsed text without footnote markers ("driehoek2." -> "driehoek.")."""
    text = re.sub(r"(?<=[a-zà-ÿ’)])\d(?=[.\s]|$)", "", text)
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------- Noord-Holland

_NH_THEME = re.compile(r"^([1-6])\.\s+([A-Z][^\n]{3,80})$", re.M)
_NH_ITEM = re.compile(r"(?:(?<=\n)|(?<=\.\s)|^)([1-6])\.(\d{1,2})\.?[ \t]+(?=W(?:ij|e)\b)")


def extract_noord_holland(text: str) -> list[RawGroup]:
    # Theme titles: the first listing ("HOOFDTHEMA'S") gives every title.
    titles: dict[str, str] = {}
    for m in _NH_THEME.finditer(text):
        titles.setdefault(m.group(1), m.group(2).strip())
    # The detailed part starts at the second "1. Bewustwording" heading.
    starts = [m.start() for m in re.finditer(r"^1\.\s+Bewustwording", text, re.M)]
    body = text[starts[-1]:] if starts else text
    marks = list(_NH_ITEM.finditer(body))
    groups: dict[str, RawGroup] = {}
    seen: set[str] = set()
    for i, m in enumerate(marks):
        num = f"{m.group(1)}.{m.group(2)}"
        if num in seen:
            continue
        seen.add(num)
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        chunk = body[m.end():end]
        first, _, rest = chunk.partition("\n")
        rest = _strip_nh_noise(rest)
        g = groups.setdefault(m.group(1), RawGroup(m.group(1), titles.get(m.group(1), "")))
        g.items.append(RawItem(f"NH {num}", m.group(1), normalize(first), _paragraphs(rest)))
    return [groups[k] for k in sorted(groups, key=int)]


def _strip_nh_noise(text: str) -> str:
    # Cut the next theme heading, sub-headings and footnotes off the toelichting.
    text = re.split(r"\n[1-6]\.\s+[A-Z][^\n]{3,80}\n", "\n" + text)[0]
    lines = [ln for ln in text.split("\n")
             if not re.match(r"^\s*\d\s+(Burgemeester|https?:|Bijvoorbeeld|RIEC)", ln)
             and ln.strip() not in {"Algemene Plaatselijke Verordening (APV)", "Wet Bibob",
                                    "Wet Damocles (Opiumwet)", "Financiële weerbaarheid",
                                    "Bestuurlijke en integrale uitvoeringskracht"}
             and not ln.startswith("Copyright") and ln.strip() not in {"Proclaimer Copyright",
                                                                        "Klachten Contact"}]
    return "\n".join(lines)


def _paragraphs(text: str) -> str:
    # Paragraphs separated by a blank line; line breaks inside (bullet lists) are kept.
    paras = ["\n".join(n for n in (normalize(ln) for ln in p.split("\n")) if n)
             for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paras if p)


# ---------------------------------------------------------------- Twente

def extract_twente(text: str) -> list[RawGroup]:
    idx = text.rfind("BIJLAGE BASIS OP ORDE")
    body = text[idx:] if idx >= 0 else text
    groups: list[RawGroup] = []
    for line in body.split("\n"):
        s = line.strip()
        head = s[:-1].strip().lower() if s.endswith(":") else None
        if head in TWENTE_GROUPS:
            groups.append(RawGroup(TWENTE_GROUPS[head], s[:-1].strip()))
            continue
        m = re.match(r"^-\s*([a-z])\)\s+(.*)$", s)
        if m and groups:
            g = groups[-1]
            g.items.append(RawItem(f"TW {g.id}-{m.group(1)}", g.id, normalize(m.group(2))))
    return groups


def twente_item_count(text: str) -> int:
    """Lettered items in the bijlage, counted independently of the group headings."""
    idx = text.rfind("BIJLAGE BASIS OP ORDE")
    return len(re.findall(r"^\s*-\s*[a-z]\)\s", text[idx:], re.M))


# ---------------------------------------------------------------- Limburg

_LI_ITEM = re.compile(r"^(1\.[1-9])\.?\s+(Wij\b.*)$", re.M)


def extract_limburgse_norm(text: str) -> list[RawItem]:
    marks = list(_LI_ITEM.finditer(text))
    items: dict[str, RawItem] = {}
    for i, m in enumerate(marks):
        num = m.group(1)
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        if num not in items:
            items[num] = RawItem(f"LI {num}", "T1", normalize(m.group(2)))
        else:
            # second occurrence: the detail text is the toelichting
            items[num].toelichting = _paragraphs(text[m.end():end])
    return [items[k] for k in sorted(items, key=lambda n: int(n.split(".")[1]))]


def _clean_cell(s: str) -> str:
    s = re.sub(r"</?b>", "", s)
    # The published spoorboekje spells "Bewustwordingscессie" with Cyrillic letters;
    # transliterate them (с = s) so that the text is searchable and readable.
    s = s.translate(str.maketrans("сеорахСЕОРАХ", "seorahSEORAH"))
    return normalize(s)


def extract_spoorboekje(text: str) -> list[RawGroup]:
    groups: list[RawGroup] = []
    for line in text.split("\n"):
        cells = [c for c in line.split("\t")]
        first = _clean_cell(cells[0]) if cells else ""
        if line.startswith("<b>") and len([c for c in cells if c.strip()]) == 1:
            m = re.match(r"^Thema\s+(\d)\s+(.*)$", first)
            if m:
                groups.append(RawGroup(f"T{m.group(1)}", m.group(2)))
            elif first.lower() == "0-meting":
                groups.append(RawGroup("T0", "0-meting"))
            continue
        if not groups or len(cells) < 3 or first.lower() == "actie" or not first:
            continue
        g = groups[-1]
        when, who = _clean_cell(cells[1]), _clean_cell(cells[2])
        note = _clean_cell(cells[3]) if len(cells) > 3 else ""
        n = len(g.items) + 1
        g.items.append(RawItem(f"LI {g.id}.{n}", g.id, first,
                               extra={"wanneer": when, "actiehouder": who, "toelichting": note}))
    return groups


def spoorboekje_theme_count(text: str) -> int:
    return len(set(re.findall(r"Thema\s+(\d)\s", _clean_cell(text))))


def extract(norm: str, texts: dict[str, str]) -> list[RawGroup]:
    """All groups with their items for one norm, from {file name: text}."""
    if norm == "noord-holland":
        return extract_noord_holland(texts[SOURCE_FILES[norm][0]])
    if norm == "twente":
        return extract_twente(texts[SOURCE_FILES[norm][0]])
    if norm == "limburg":
        norm_items = extract_limburgse_norm(texts["limburgse-norm.txt"])
        groups = extract_spoorboekje(texts["limburgse-norm-spoorboekje-eijsden-margraten.txt"])
        for g in groups:
            if g.id == "T1":
                g.items[:0] = norm_items
        return groups
    raise KeyError(norm)


def numbered_ids_in_text(norm: str, texts: dict[str, str]) -> set[str]:
    """Item ids found by a deliberately simple, independent scan of the raw text.

    Used by the completeness check: whatever `extract` and the YAML contain, every id
    this scan sees must be there.
    """
    ids: set[str] = set()
    if norm == "noord-holland":
        t = texts[SOURCE_FILES[norm][0]]
        for m in re.finditer(r"(?<![\d.\-/])([1-6])\.(\d{1,2})\.?\s+Wij\b", t):
            ids.add(f"NH {m.group(1)}.{m.group(2)}")
    elif norm == "twente":
        t = texts[SOURCE_FILES[norm][0]]
        t = t[t.rfind("BIJLAGE BASIS OP ORDE"):]
        group = None
        for line in t.split("\n"):
            s = line.strip()
            if s.endswith(":") and s[:-1].strip().lower() in TWENTE_GROUPS:
                group = TWENTE_GROUPS[s[:-1].strip().lower()]
            m = re.match(r"^-\s*([a-z])\)", s)
            if m and group:
                ids.add(f"TW {group}-{m.group(1)}")
    elif norm == "limburg":
        for m in re.finditer(r"^(1\.\d)\.?\s+Wij\b", texts["limburgse-norm.txt"], re.M):
            ids.add(f"LI {m.group(1)}")
        sb = texts["limburgse-norm-spoorboekje-eijsden-margraten.txt"]
        for m in re.finditer(r"Thema\s+(\d)\s", sb):
            ids.add(f"LI T{m.group(1)}")  # group ids: every theme must be a group
        if "0-meting" in sb:
            ids.add("LI T0")
    return ids
