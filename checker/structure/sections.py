"""Numbered sections of policy documents without articles ("3", "3.2 Reikwijdte", "4.1.2 ...").

The hard part is telling section headings from numbered leden and list items, which
look alike ("1. Inleiding" vs "1. Het college ..."). We decide from the document's own
pattern: which top-level form (with or without a dot after the number) yields the
longest heading sequence 1, 2, 3 ..., and whether headings carry a style. Leden restart
at 1 inside each section, so they never continue the heading sequence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import Line
from .headings import _split_merged
from .patterns import SECTION_RE, VERVALLEN_RE, is_title_like, roman_to_int

# "I. Inleiding", "II Wettelijk kader": roman top-level sections of a policy document.
_ROMAN_SECTION_RE = re.compile(r"^(?P<num>[IVX]{1,5})(?P<dot>\.?)\s+(?P<rest>[A-Z\u00C0-\u00DD].*)$", re.S)

_YEARISH_RE = re.compile(r"^(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)\b", re.I)


@dataclass
class SectionCand:
    index: int
    num: tuple[int, ...]
    number: str
    title: str
    dotted: bool
    styled: bool
    vervallen: bool = False
    body: str = ""
    chapter: bool = False    # a "Hoofdstuk 3 ..." line standing in for top-level section "3"
    suffix: str = ""         # "2.2a": inserted after 2.2, the numbering goes on from 2.2


def _candidate(i: int, line: Line) -> SectionCand | None:
    if line.kind == "table":
        return None  # "1 Alkmaar 6.804 51": a table row, however title-like
    m = SECTION_RE.match(line.text)
    if not m:
        return None
    number = m.group("num")
    suffix = m.group("suffix")
    if suffix and "." not in number:
        return None  # "3a Title" is rarer than a list item "3a ..." ; only "2.2a" counts
    rest = m.group("rest").strip()
    if _YEARISH_RE.match(rest):
        return None
    nums = tuple(int(x) for x in number.split("."))
    if len(nums) == 2 and nums[1] == 0 and nums[0] > 0:
        nums = nums[:1]  # "2.0 Bevoegdheid" is the chapter heading above "2.1", "2.2"
    dotted = bool(m.group("dot"))
    verv = bool(VERVALLEN_RE.match(rest))
    body = ""
    if not verv:
        if not rest[:1].isupper() and not rest[:1] in "[(\"'":
            return None
        limit_words = 14 if (len(nums) > 1 or not dotted) else 10
        body = ""
        if not is_title_like(rest, max_words=limit_words, max_len=130):
            split = _split_merged(rest) if (len(nums) > 1 or not dotted) else None
            if split:
                rest, body = split
            elif not (line.styled and len(rest) <= 160 and not rest.endswith(".")):
                return None
        if rest.endswith("?") and dotted and len(nums) == 1 and not line.styled:
            return None
    return SectionCand(i, nums, number + suffix, rest, dotted, line.styled, verv, body, suffix=suffix)


def _chain(cands: list[SectionCand], require_style: bool, top_dotted: bool | None,
           path: tuple[int, ...] = ()) -> list[SectionCand]:
    """Greedy longest plausible heading sequence; `path`: the number it continues after."""
    out: list[SectionCand] = []
    run_next, run_at = 0, -10   # an enumeration that restarted at 1: "1. Waarschuwing", "2. ..."
    for c in cands:
        if require_style and not c.styled:
            continue
        if len(c.num) == 1 and top_dotted is not None and c.dotted != top_dotted and not c.chapter:
            continue
        if len(c.num) == 1 and path and c.num[0] == 1:
            run_next, run_at = 2, c.index
            continue
        if len(c.num) == 1 and c.num[0] == run_next and c.index <= run_at + 1:
            run_next, run_at = run_next + 1, c.index
            continue
        if c.suffix:
            if path[:len(c.num)] == c.num and (not out or out[-1].number != c.number):
                out.append(c)  # the path stays at 2.2, so 2.3 follows
            continue
        if _follows(path, c.num):
            out.append(c)
            path = c.num
    return out


def _follows(path: tuple[int, ...], num: tuple[int, ...]) -> bool:
    if not path:
        return num[0] in (0, 1) and all(x == 1 for x in num[1:])
    if len(num) > 4:
        return False
    # first child
    if num == path + (1,):
        return True
    # next sibling at some level (allow one gap for a heading the reader lost)
    for k in range(1, len(path) + 1):
        if len(num) == k and num[:k - 1] == path[:k - 1] and path[k - 1] + 1 <= num[k - 1] <= path[k - 1] + 2:
            return True
        if len(num) == k + 1 and num[:k - 1] == path[:k - 1] and num[k - 1] == path[k - 1] + 1 and num[k] == 1:
            return True  # "4" missing, "4.1" directly
    return False


_LETTER_SECTION_RE = re.compile(r"^(?P<num>[A-H])(?P<dot>[.)])\s+(?P<rest>[A-Z\u00C0-\u00DD].*)$", re.S)


def _roman_candidate(i: int, line: Line, rx=_ROMAN_SECTION_RE) -> SectionCand | None:
    if line.kind == "table":
        return None
    m = rx.match(line.text)
    if not m:
        return None
    val = roman_to_int(m.group("num")) if rx is _ROMAN_SECTION_RE else ord(m.group("num")) - 64
    rest = m.group("rest").strip()
    if not val or not is_title_like(rest, max_words=10, max_len=100) or rest.endswith("?"):
        return None
    return SectionCand(i, (val,), m.group("num"), rest, bool(m.group("dot")), line.styled)


def _roman_sections(lines: list[Line], start: int, stop: int) -> list[SectionCand]:
    """Roman-numbered sections I, II, III ... or lettered ones "A. Inleiding", "B. ..." (only
    where no arabic numbering was found; roman first, as letters often sit under roman)."""
    for rx in (_ROMAN_SECTION_RE, _LETTER_SECTION_RE):
        out: list[SectionCand] = []
        for i in range(start, stop):
            c = _roman_candidate(i, lines[i], rx)
            if c and c.num[0] == (out[-1].num[0] + 1 if out else 1):
                out.append(c)
        if len(out) >= 3 or (len(out) == 2 and all(c.styled for c in out)):
            return out
    return []


def _drop_contents_list(cands: list[SectionCand]) -> list[SectionCand]:
    """A table of contents without page numbers ("1 Inleiding" / "1.1 Aanleiding" / ...) is a
    run of headings on consecutive lines whose numbers all come back later with text under
    them; the chain would otherwise take the empty entries and skip the real sections."""
    drop: set[int] = set()
    k = 0
    while k < len(cands):
        j = k
        while j + 1 < len(cands) and cands[j + 1].index == cands[j].index + 1:
            j += 1
        run = cands[k:j + 1]
        # the real headings may follow the contents list directly: cut where numbering restarts
        cut = next((p for p in range(1, len(run)) if run[p].number == run[0].number), len(run))
        toc = run[:cut]
        if len(toc) >= 4:
            later = {c.number for c in cands[k + cut:]}
            if sum(c.number in later for c in toc) >= 0.75 * len(toc):
                drop.update(c.index for c in toc)
        k = k + cut if cut < len(run) else j + 1
    return [c for c in cands if c.index not in drop] if drop else cands


def find_sections(lines: list[Line], start: int, stop: int,
                  chapters: dict[int, SectionCand] | None = None) -> list[SectionCand]:
    """`chapters`: line index -> candidate for "Hoofdstuk N" lines, the top level of a policy
    numbered "Hoofdstuk 1" / "1.1" / "1.2" (used only when such N.M sections exist)."""
    cands = [c for i in range(start, stop) if (c := _candidate(i, lines[i]))]
    if chapters:
        subs = {c.num[0] for c in cands if len(c.num) == 2}
        extra = {i: c for i, c in chapters.items() if start <= i < stop and c.num[0] in subs}
        if extra:
            cands = sorted([c for c in cands if c.index not in extra] + list(extra.values()),
                           key=lambda c: c.index)
    if not cands:
        return _roman_sections(lines, start, stop)
    cands = _drop_contents_list(cands)
    has_style = any(ln.styled for ln in lines[start:stop])
    # "1. Bel 112" / "2. Meld het incident" on consecutive lines is a list, not headings: a
    # heading has text under it. Only unstyled dotted top-level items can be confused so.
    tops = {c.index for c in cands if len(c.num) == 1 and c.dotted and not c.styled and not c.chapter}
    cands = [c for c in cands if not (c.index in tops and (c.index + 1 in tops or c.index - 1 in tops))]
    best: list[SectionCand] = []
    best_dotted = False
    for top_dotted in (False, True):
        chain = _chain(cands, False, top_dotted)
        # Ties go to the undotted form: "1. ..." is far more often a lid than a heading.
        if len(chain) > len(best):
            best, best_dotted = chain, top_dotted
    if has_style:
        styled = _chain(cands, True, best_dotted)
        if len(styled) >= 2 and len(styled) >= 0.6 * len(best):
            best = styled
    tops = [c for c in best if len(c.num) == 1]
    if len(best) < 2 or not tops:
        # roman "I", "II" over arabic "1.1" keep precedence; an excerpt only where nothing else is
        return _roman_sections(lines, start, stop) or _excerpt_sections(cands, has_style)
    return best


def _excerpt_sections(cands: list[SectionCand], has_style: bool) -> list[SectionCand]:
    """An excerpt or a chapter printed on its own starts at "2.1" with no "1" or "2" above it:
    take the numbering up from the first "N.1" before any top-level number, as if its
    parent heading had been there."""
    first = next((c for c in cands if len(c.num) == 1 or (len(c.num) > 1 and c.num[-1] == 1)), None)
    if first is None or len(first.num) == 1:
        return []
    pool = [c for c in cands if c.index >= first.index]
    best: list[SectionCand] = []
    for top_dotted in (False, True):
        for styled in ((False, True) if has_style else (False,)):
            chain = _chain(pool, styled, top_dotted, first.num[:-1])
            if len(chain) > len(best) and chain[0] is first:
                best = chain
    return best if len(best) >= 2 else []
