"""Cleaned lines -> divisions, articles (or numbered sections), toelichting notes.

One pass over the lines with a small state machine:
  pre -> body <-> toelichting, body -> signed (ondertekening) -> bijlage.
Articles stop at the Toelichting, the ondertekening and a Bijlage; they resume only for
a heading that continues the article numbering (a per-article toelichting, a second
part), never for the "Artikel 2:28" headings a toelichting repeats.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Article, Division, Note
from .clean import Line
from .headings import Heading, article_heading, division_heading, next_line_title
from .leden import parse_leden
from .patterns import (ARTICLE_FIRST, ARTIKELSGEWIJS_RE, DIVISION_FIRST, TOELICHTING_RE, is_signature, is_title_like,
                       is_vervallen, num_key, signature_opening)
from .sections import _candidate as section_candidate, find_sections

_TRAIL_VERV_RE = re.compile(r"[\[\(](?:vervallen|vervalt|ingetrokken)[^\]\)]*[\]\)]\s*\.?$", re.I)
_BODY_VERV_RE = re.compile(
    r"^(?:\[|\()?\s*(?:dit\s+artikel\s+is\s+)?(?:vervallen|vervalt|ingetrokken)\b[^.]{0,80}[\]\)]?\.?$", re.I)
_ROMAN_NUM_RE = re.compile(r"^[IVXLC]+[a-z]?$")
_SECTION_START_RE = re.compile(r"^[0-9]{1,2}(?:\.[0-9]{1,2})*\.?\s+\S")
_REFERS_RE = re.compile(r"\bartikel\s+([0-9]+[a-z]?(?:[.:][0-9]+[a-z]?)*)", re.I)
_BARE_TOELICHTING_RE = re.compile(r"toelichting\s*:?", re.I)
_CHAPTER_PREFIX_RE = re.compile(r"^([0-9]+)[:.][0-9]")
_ENUM_ITEM_RE = re.compile(r"^[a-z]{1,2}[.)]\s")
_NEXT_HEADING_RE = re.compile(r"^(?:[0-9]{1,2}\.\s|[A-Z])")


@dataclass
class Built:
    articles: list[Article] = field(default_factory=list)
    divisions: list[Division] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    preamble: list[Line] = field(default_factory=list)
    signature: list[Line] = field(default_factory=list)
    mode: str = "artikel"
    first_struct: int | None = None   # index of the first division/article line


# The characters TOELICHTING_RE and ARTIKELSGEWIJS_RE can start with: with re.I, a roman
# numeral, a digit or the first letter of one of their words.
_TOEL_FIRST = frozenset("iIvVxX0123456789aAnNmMdDtT")


def is_toelichting_heading(line: Line) -> bool:
    t = line.text
    if len(t) > 170:
        return False
    first = t[:1]
    if first.isascii() and first not in _TOEL_FIRST:
        return False  # (a non-ASCII first character may be a look-alike that re.I equates)
    if t.isascii():
        # A cheap test first. (Only for ASCII: re.I also matches a few non-ASCII look-alikes
        # of i, s and k that lower() leaves as they are.)
        lower = t.lower()
        if "toelichting" not in lower and "gewij" not in lower:
            return False
    return bool(TOELICHTING_RE.match(t) or ARTIKELSGEWIJS_RE.match(t))


def _is_roman(num: str) -> bool:
    return bool(_ROMAN_NUM_RE.match(num))


def _plausible_next(prev: tuple | None, cur: tuple) -> bool:
    """Does `cur` continue the numbering after `prev` (same chapter +1..+5, or a new chapter)?"""
    if prev is None:
        return cur[-1][0] <= 3
    if cur <= prev:
        return False
    if len(cur) != len(prev):
        return False
    if cur[:-1] == prev[:-1]:
        return cur[-1][0] - prev[-1][0] <= 5
    # new chapter: first component grows by a little, article number restarts low
    return 0 < cur[0][0] - prev[0][0] <= 2 and cur[-1][0] <= 3


def build(lines: list[Line], forced: dict | None = None) -> Built:
    """`forced`: line index -> SectionCand, for the fallback where chapters are the sections."""
    out = Built()
    n = len(lines)
    # (the first character rules out most lines before a regex runs)
    heads: list[Heading | None] = [article_heading(ln.text, ln.styled) if ln.text[:1] == ARTICLE_FIRST else None
                                   for ln in lines]
    divs: list[Heading | None] = [division_heading(ln.text, ln.styled)
                                  if not heads[i] and ln.text[:1] in DIVISION_FIRST else None
                                  for i, ln in enumerate(lines)]
    toel = [is_toelichting_heading(ln) for ln in lines]

    # ---- mode: articles, or numbered sections of a policy document
    # (the articles part ends at the first toelichting or ondertekening after a strong heading)
    end = n
    first_strong = next((i for i, h in enumerate(heads) if h and h.strength >= 2), n)
    for i in range(first_strong + 1, n):
        if toel[i] or signature_opening(lines[i].text):
            end = i
            break
    strong_nums = {h.number for h in heads[:end] if h and h.strength >= 2}
    section_idx: dict[int, object] = {}
    if forced:
        out.mode = "sectie"
        section_idx = forced
    elif len(strong_nums) < 6:
        # A policy with numbered sections may still quote a few law articles as lines.
        stop = n
        first_cand = None
        for i, ln in enumerate(lines):
            if first_cand is None and _SECTION_START_RE.match(ln.text):
                first_cand = i
            if first_cand is not None and i > first_cand and (
                    signature_opening(ln.text) or (divs[i] and divs[i].kind == "bijlage")):
                # (not at a toelichting: policies often explain section by section; a closing
                # toelichting repeats earlier numbers, which the sequence check rejects)
                stop = i
                break
        from .sections import SectionCand
        chapters: dict = {}
        for kind in ("hoofdstuk", "paragraaf", "afdeling"):
            # the top division level only: "Hoofdstuk 2" over "2.1", or "Paragraaf 2" where no chapters
            chapters = {i: SectionCand(i, (int(d.number),), d.number, d.title, False, True, d.vervallen,
                                       d.body, chapter=True)
                        for i, d in enumerate(divs) if d and d.kind == kind and d.number.isdigit()}
            if chapters:
                break
        secs = find_sections(lines, 0, stop, chapters)
        if len(secs) >= 2 and (len(strong_nums) < 2 or len(secs) >= 3 * len(strong_nums)):
            out.mode = "sectie"
            # "Hoofdstuk 2" over "2.1", "2.2" helps find the sequence but stays a division
            # (labelled policies list the numbered paragraphs, as an APV lists its articles).
            section_idx = {c.index: c for c in secs if not c.chapter}
    has_hoofdstuk = any(d and d.kind == "hoofdstuk" for d in divs)
    # "Titel" sits above "Hoofdstuk" when it comes first (Titel 1 > Hoofdstuk 1), else below it.
    first_kind = next((d.kind for d in divs if d and d.kind in ("titel", "hoofdstuk")), None)
    titel_above = has_hoofdstuk and first_kind == "titel"

    # ---- the walk
    state = "pre"
    signed = False
    cur: Article | None = None
    body: list[tuple[str, int | None]] = []
    seen: set[str] = set()
    last_key: tuple | None = None
    chapter = section = None
    afdeling_open = False
    note: Note | None = None
    open_divs: dict[str, str] = {}
    sub_parent: int | None = None
    sub_next = 1
    note_parts: dict[int, list[str]] = {}  # joined once at the end: linear in the text size
    skip = -1

    def close():
        nonlocal cur, body
        if cur is None:
            return
        cur.text = "\n".join([t for t, _ in body])
        cur.end_page = cur.page
        for _, p in reversed(body):
            if p:
                cur.end_page = p
                break
        if cur.status != "vervallen":
            title = cur.title or ""
            if (is_vervallen(title) or (("(" in title or "[" in title) and _TRAIL_VERV_RE.search(title))
                    or (len(body) <= 1 and cur.text and len(cur.text) < 120 and _BODY_VERV_RE.match(cur.text))):
                cur.status = "vervallen"
        if cur.status != "vervallen":
            cur.leden = parse_leden(body)
        out.articles.append(cur)
        cur, body = None, []

    def add_note_line(ln: Line, heading: str | None, refers: str | None):
        nonlocal note
        if heading is not None:
            note = Note(heading=heading, text="", page=ln.page, refers_to=refers)
            out.notes.append(note)
            return
        if note is None:
            note = Note(heading="Toelichting", text="", page=ln.page)
            out.notes.append(note)
        note_parts.setdefault(id(note), []).append(ln.text)

    def start_article(i: int, h: Heading, kind: str, chap, sect) -> None:
        nonlocal cur, body, skip, last_key
        ln = lines[i]
        title = h.title
        heading_text = h.heading_text or ln.text
        if h.bare and i + 1 < n and next_line_title(lines[i + 1].text) and not _is_struct(i + 1):
            title = lines[i + 1].text
            heading_text = f"{heading_text} {title}"
            skip = i + 1
        elif title and not h.body and i + 2 < n and _title_wraps(lines[i + 1].text, lines[i + 2].text):
            # A long title wrapped onto a second block: "... voor het publiek" | "toegankelijke gebouwen"
            title = f"{title} {lines[i + 1].text}"
            heading_text = f"{heading_text} {lines[i + 1].text}"
            skip = i + 1
        cur = Article(number=h.number, title=title, page=ln.page, chapter=chap, section=sect,
                      kind=kind, heading=heading_text)
        if h.vervallen or is_vervallen(title or ""):
            cur.status = "vervallen"
        body = [(h.body, ln.page)] if h.body else []
        seen.add(h.number)
        last_key = num_key(h.number)

    def _is_struct(j: int) -> bool:
        return bool(heads[j] and heads[j].strength >= 2) or j in section_idx or toel[j]

    artikel_mode = out.mode == "artikel"
    for i, ln in enumerate(lines):
        if i <= skip:
            continue
        text = ln.text
        h = heads[i] if artikel_mode else None
        if (state == "body" and h is None and divs[i] is None and not toel[i] and sub_parent is None
                and i not in section_idx and not is_signature(text)):
            # Most lines are article text: none of the branches below applies to them.
            if cur is not None:
                body.append((text, ln.page))
            continue

        if state == "toel" and divs[i] and divs[i].kind == "bijlage" and not ln.text.lower().startswith("bijlage bij"):
            state = "bijlage"  # an annex after the toelichting is neither toelichting nor articles
        if state == "toel":
            if (h and not signed and h.strength >= 2 and h.number not in seen
                    and (last_key is None or num_key(h.number) > last_key) and not _is_roman(h.number)):
                state = "body"  # a per-article toelichting: the articles go on
            elif i in section_idx and not signed and section_idx[i].number not in seen:
                state = "body"
            else:
                dh = divs[i]
                if h or (heads[i] and heads[i].strength >= 1):
                    hh = h or heads[i]
                    add_note_line(ln, text, hh.number)
                elif dh and dh.number:
                    add_note_line(ln, text, None)
                elif is_title_like(text, max_words=8, max_len=90) and not text.endswith(":"):
                    add_note_line(ln, text, None)
                else:
                    add_note_line(ln, None, None)
                continue

        if toel[i] and (state != "pre" or out.first_struct is None):
            # "Toelichting" right under an article (or "Toelichting op artikel 2") explains that one.
            m = _REFERS_RE.search(text)
            refers = m.group(1) if m else (
                cur.number if cur is not None and _BARE_TOELICHTING_RE.fullmatch(text) else None)
            close()
            state = "toel"
            note = None
            add_note_line(ln, text, refers)
            continue

        if state == "body" and is_signature(text):
            close()
            state = "signed"
            signed = True
            out.signature.append(ln)
            continue

        d = divs[i]
        if d and not (i in section_idx):
            if d.kind == "bijlage":
                if state == "pre" and out.first_struct is None and i < 3:
                    pass  # a document that is itself a bijlage: its label is the title
                else:
                    close()
                    state = "bijlage"
                    title = d.title
                    if not title and i + 1 < n and next_line_title(lines[i + 1].text) and not _is_struct(i + 1):
                        title = lines[i + 1].text
                        skip = i + 1
                    out.divisions.append(Division("bijlage", d.number, title, ln.page))
                    _mark(out.divisions[-1], len(out.articles))
                    continue
            elif (state == "body" and open_divs.get(d.kind) == d.number and cur is not None
                  and lines[i - 1].page != ln.page):
                continue  # a running header repeating the current chapter at the top of a page
            elif state in ("pre", "body") or (state in ("signed", "bijlage") and _resumes(i, heads, lines, seen, last_key)):
                close()
                open_divs[d.kind] = d.number
                title = d.title
                if d.bare and i + 1 < n and next_line_title(lines[i + 1].text) and not _is_struct(i + 1):
                    title = lines[i + 1].text
                    skip = i + 1
                div = Division(d.kind, d.number, title, ln.page)
                out.divisions.append(div)
                _mark(div, len(out.articles))
                if out.first_struct is None:
                    out.first_struct = i
                state = "body"
                if d.kind == "hoofdstuk" or (d.kind == "titel" and not has_hoofdstuk):
                    chapter, section, afdeling_open = d.number, None, False
                elif d.kind == "titel" and titel_above:
                    chapter, section, afdeling_open = None, None, False
                elif d.kind in ("afdeling", "titel"):
                    section, afdeling_open = d.number, True
                elif d.kind == "paragraaf" and not afdeling_open:
                    section = d.number
                if d.body:
                    body.append((d.body, ln.page))
                continue

        replaced_toc = False
        if artikel_mode and h and h.number in seen and h.strength >= 2 and state == "body":
            # A table of contents lists every heading without a body; the real one replaces it.
            prev = next((a for a in out.articles if a.number == h.number), None)
            if prev is not None and not prev.text and (prev.status == "vervallen") == bool(h.vervallen):
                close()
                out.articles.remove(prev)
                seen.discard(h.number)
                replaced_toc = True
        if artikel_mode and h:
            ok = h.number not in seen
            if ok and cur is not None and _is_roman(cur.number) and not _is_roman(h.number):
                ok = False  # a quoted article inside a wijzigingsartikel ("komt te luiden: ...")
            if ok and h.strength < 2:
                ok = _plausible_next(last_key, num_key(h.number))
            if ok and h.strength == 2 and not h.bare and last_key is not None and not replaced_toc:
                # Unstyled "Artikel 5 Opiumwet" far back in the numbering is a reference.
                k = num_key(h.number)
                if k < last_key and len(k) == len(last_key) and k[0] != last_key[0] and len(k) > 1:
                    ok = False
            if ok and state in ("signed", "bijlage"):
                ok = h.strength >= 2 and (last_key is None or num_key(h.number) > last_key)
            if ok:
                close()
                chap = chapter
                if chap is None:
                    m = _CHAPTER_PREFIX_RE.match(h.number)
                    chap = m.group(1) if m else None
                start_article(i, h, "artikel", chap, section)
                sub_parent = int(h.number) if h.number.isdigit() else None
                sub_next = 1
                if out.first_struct is None:
                    out.first_struct = i
                state = "body"
                continue

        if (artikel_mode and state == "body" and sub_parent is not None
                and (sc := section_candidate(i, ln)) is not None and len(sc.num) == 2 and not sc.suffix
                and sc.num[0] == sub_parent and sc.num[1] == sub_next and (ln.styled or not sc.dotted)):
            # "Artikel 4" with numbered subsections "4.1", "4.2" (codes and protocols do this)
            close()
            parent_key = last_key
            hh = Heading("sectie", sc.number, sc.title, sc.body, 3, sc.vervallen, heading_text=text)
            start_article(i, hh, "sectie", chapter or str(sc.num[0]), section)
            last_key = parent_key
            sub_next += 1
            continue

        if i in section_idx and state in ("pre", "body"):
            c = section_idx[i]
            close()
            hh = Heading("sectie", c.number, c.title, c.body, 3, c.vervallen, bare=not c.title,
                         heading_text=text[: len(text) - len(c.body)].strip() if c.body else text)
            start_article(i, hh, "sectie", c.number.split(".")[0] if forced else str(c.num[0]), None)
            if out.first_struct is None:
                out.first_struct = i
            state = "body"
            continue

        if state == "pre":
            out.preamble.append(ln)
        elif state == "body":
            if cur is not None:
                body.append((text, ln.page))
        elif state == "signed":
            out.signature.append(ln)
    close()
    if not out.articles and forced is None:
        # No articles and no numbered sections: a policy organised only in numbered chapters or
        # paragrafen ("Hoofdstuk 3 Reikwijdte", "§ 2"); those then are its sections.
        fb = _chapter_sections(lines, divs)
        if fb:
            return build(lines, fb)
    for nt in out.notes:
        parts = note_parts.get(id(nt))
        if parts:
            nt.text = "\n".join(parts)
    return out


def _title_wraps(nxt: str, after: str) -> bool:
    if not nxt[:1].islower() or len(nxt) > 60 or nxt.endswith((".", ";", ":", ",")):
        return False
    if _ENUM_ITEM_RE.match(nxt) or len(nxt.split()) > 7:
        return False
    return bool(_NEXT_HEADING_RE.match(after))


def _chapter_sections(lines: list[Line], divs: list[Heading | None]) -> dict:
    from .sections import SectionCand

    by_kind: dict[str, list[int]] = {}
    for i, d in enumerate(divs):
        if d and d.number and d.kind in ("hoofdstuk", "paragraaf", "afdeling", "titel"):
            by_kind.setdefault(d.kind, []).append(i)
    for kind in ("hoofdstuk", "titel", "paragraaf", "afdeling"):
        idx = by_kind.get(kind, [])
        nums = [divs[i].number for i in idx]
        if len(idx) >= 2 and len(set(nums)) == len(nums):
            return {i: SectionCand(i, (0,), divs[i].number, divs[i].title, False, True,
                                   divs[i].vervallen, divs[i].body) for i in idx}
    return {}


def _resumes(i, heads, lines, seen, last_key) -> bool:
    """After the ondertekening or a bijlage, does a real next article follow this division?"""
    for j in range(i + 1, min(i + 4, len(lines))):
        h = heads[j]
        if h and h.strength >= 2 and h.number not in seen and (last_key is None or num_key(h.number) > last_key):
            return True
    return False


def _mark(div: Division, article_index: int) -> None:
    # The outline places each division among the articles by this index.
    div.article_index = article_index
