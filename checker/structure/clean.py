"""Reader blocks -> cleaned lines: page furniture removed, style hints condensed.

Readers already try to drop running headers and page numbers; this is a second,
conservative pass because a stray "12" or a repeated document title at the top of
every page would otherwise end up inside article text or be read as a heading.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..ingest.layout import norm_running
from ..model import RawDocument

_PAGE_LABEL = r"(?:pagina|page|blz\.?|blad)\s*[0-9]+(?:\s*(?:van|of|/)\s*[0-9]+)?"  # "pagina 3 van 12"
_PAGE_LABEL_RE = re.compile(rf"^{_PAGE_LABEL}$", re.I)
_PAGE_NO_RE = re.compile(
    rf"^(?:{_PAGE_LABEL}|[-\u2013\u2014]\s*[0-9]{{1,4}}\s*[-\u2013\u2014]"
    r"|[0-9]{1,4}\s*(?:/|van)\s*[0-9]{1,4})$", re.I)
_BARE_NO_RE = re.compile(r"^[0-9]{1,4}$")
_ENUM_ONLY_RE = re.compile(r"^(?:[0-9]{1,2}(?:\.[0-9]{1,2}){0,3}\.?|[a-z]\.|[0-9]{1,2}\s?°)$")
_STRUCT_RE = re.compile(r"^(?:Artikel|ARTIKEL|Art\.|Hoofdstuk|HOOFDSTUK|Afdeling|AFDELING|Paragraaf|PARAGRAAF|§|Titel|TITEL|"
                        r"Bijlage|BIJLAGE|Deel|DEEL)\s*[0-9IVXLC]|^[0-9]{1,2}(?:\.[0-9]{1,2})*\.?\s+[A-Z]")
_TAG_ONLY_RE = re.compile(r"^(?:<[^>]{1,300}>\s*)+$")
_MD_HASH_RE = re.compile(r"^#{1,6}\s*")
_MD_LINK_RE = re.compile(r"\[([^\]]{1,300})\]\([^)\s]{1,500}\)")
_MD_EMPH_RE = re.compile(r"(?<![\w*])\*{1,2}([^*\n]{1,200}?)\*{1,2}(?![\w*])")
_TITLEISH_RE = re.compile(r"verordening|beleid|regel|code|protocol|\bwet\b|besluit|regeling|\bAPV\b|bibob|damocles", re.I)
_TOC_HEAD_RE = re.compile(r"^(?:inhoud|inhoudsopgave|inhoudsoverzicht|inhoudstafel)\s*:?$", re.I)
_TOC_ENTRY_RE = re.compile(r"(?:\.{3,}|\u2026+|\t|\s)\s*[0-9]{1,3}$")
_LEADER_RE = re.compile(r"(?:\.{4,}|\u2026{2,}|(?:\. ){4,})\s*[0-9]{1,3}$")
_CVDR_META_RE = re.compile(r"^wetstechnische\s+informatie$", re.I)
# The first letters of _PAGE_LABEL_RE, _TOC_HEAD_RE and _CVDR_META_RE (re.I; a non-ASCII
# character may be a look-alike that re.I equates, so those take the regexes too).
_LABEL_FIRST = frozenset("pPbBiIwW")
_DIGITS = "0123456789"


@dataclass
class Line:
    text: str
    page: int | None
    styled: bool = False          # heading style or bold: a layout signal of a heading
    level: int | None = None
    kind: str = "para"
    title_style: bool = False     # "Title" style / h1: a document title


def clean_blocks(raw: RawDocument) -> list[Line]:
    blocks = []
    plain_text = raw.format in ("md", "txt")
    markdown = raw.format == "md"
    for b in raw.blocks:
        t = b.text or ""
        if "\u200b" in t:
            t = t.replace("\u200b", "")
        # All whitespace (incl. newlines and no-break spaces) to single spaces. Most readers
        # deliver that already: a printable text has no whitespace but the ASCII space.
        if not t.isprintable() or "  " in t or t[:1] == " " or t[-1:] == " ":
            t = " ".join(t.split())
        if plain_text and t[:1] in "#<":
            if _TAG_ONLY_RE.match(t):
                continue  # "<meta http-equiv=...>" at the top of Markdown exports
            t = _MD_HASH_RE.sub("", t)  # "###Artikel 3c": a heading the reader did not see
        if markdown and ("](" in t or "*" in t):
            t = _MD_LINK_RE.sub(r"\1", t)
            t = _MD_EMPH_RE.sub(r"\1", t)
        if t:
            blocks.append((t, b))
    if not blocks:
        return []

    drop: set[int] = set()
    paged = any(b.page for _, b in blocks)
    if paged:
        # Page edges: first/last two blocks of each page.
        by_page: dict[int, list[int]] = {}
        for i, (_, b) in enumerate(blocks):
            by_page.setdefault(b.page or 0, []).append(i)
        edge: set[int] = set()
        for idxs in by_page.values():
            edge.update(idxs[:2])
            edge.update(idxs[-2:])
        keys = {i: norm_running(blocks[i][0]) for i in edge}
        counts = Counter(keys.values())
        npages = len(by_page)
        for i in edge:
            t = blocks[i][0]
            if _PAGE_NO_RE.match(t) or (_BARE_NO_RE.match(t) and not _next_is_title(blocks, i)):
                drop.add(i)
            elif (npages >= 3 and len(t) < 200 and counts[keys[i]] >= max(3, 0.4 * npages)
                  and not _STRUCT_RE.match(t)):
                # ("Artikel 3" often opens a page too; with digits masked it looks like a header.)
                drop.add(i)
        # A running header that repeats the document title is the title on page 1: keep one.
        first_page = min(by_page)
        seen_title: set[str] = set()
        for i in reversed(by_page[first_page][:3]):
            t = blocks[i][0]
            if i in drop and _TITLEISH_RE.search(t) and keys[i] not in seen_title and not _PAGE_NO_RE.match(t):
                seen_title.add(keys[i])  # (dropped blocks are page edges: they have a key)
                drop.discard(i)
    for i, (t, _) in enumerate(blocks):
        # (the leader search is slow on long paragraphs: test the final digit first)
        if t[-1] in _DIGITS and _LEADER_RE.search(t):
            drop.add(i)
        elif t[0] not in _LABEL_FIRST and t[0].isascii():
            continue  # (the cheap test: no page label or heading below starts so)
        elif _PAGE_LABEL_RE.match(t):
            drop.add(i)
        elif _TOC_HEAD_RE.match(t):
            # A table of contents repeats every heading with a page number; its entries are no headings.
            drop.add(i)
            j = i + 1
            while j < len(blocks) and len(blocks[j][0]) <= 160 and (
                    _TOC_ENTRY_RE.search(blocks[j][0])
                    or (j + 1 < len(blocks) and _TOC_ENTRY_RE.search(blocks[j + 1][0]) and len(blocks[j][0]) <= 100)):
                drop.add(j)
                j += 1
        elif _CVDR_META_RE.match(t):
            # CVDR publications open with a metadata table ("Wetstechnische informatie").
            drop.add(i)
            j = i + 1
            while j < len(blocks) and (blocks[j][1].kind == "table" or blocks[j][1].source == "table"
                                       or (blocks[j][1].style or "").lower() in ("td", "th", "tr", "table")):
                drop.add(j)
                j += 1

    lines: list[Line] = []
    carry = ""
    for i, (t, b) in enumerate(blocks):
        if i in drop:
            continue
        if len(t) <= 12 and _ENUM_ONLY_RE.match(t):  # (at most "12.12.12.12.")
            # A number set apart from its text by layout ("3" | "Reikwijdte", "1." | "Het ...").
            carry = (carry + " " + t).strip()
            continue
        if carry and _STRUCT_RE.match(t) and t[0] not in _DIGITS:
            carry = ""  # a stray number before "Artikel 5" is page furniture, not part of it
        if carry:
            t = carry + " " + t
            carry = ""
        kind = b.kind
        title_style = kind == "heading" and b.heading_level == 0
        styled = kind == "heading" or bool(b.bold) or title_style
        if b.style:  # (most PDF blocks have none)
            style = b.style.lower()
            title_style = title_style or style in ("title", "titel", "h1")
            styled = styled or title_style or style.startswith(("heading", "kop"))
        # (positional: keyword arguments double the cost of creating thousands of lines)
        lines.append(Line(t, b.page, styled, b.heading_level, kind, title_style))
    if carry:
        lines.append(Line(text=carry, page=None))
    return lines


def _next_is_title(blocks, i: int) -> bool:
    """A bare number followed on the same page by a capitalised short line is a section number."""
    if i + 1 >= len(blocks):
        return False
    t, b = blocks[i + 1]
    return (b.page == blocks[i][1].page and len(t) < 80 and t[:1].isupper() and not t.endswith(".")
            and not _STRUCT_RE.match(t))
