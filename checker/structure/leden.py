"""Article body -> leden ("1.", "2.") with onderdelen ("a.", "b.") and sub-onderdelen ("1°").

Numbers are accepted only in sequence (a "3." right after lid 1 is text, a "c." after
"a." is not an onderdeel), so quoted numbers or enumerations in sentences stay text.
"""
from __future__ import annotations

import re

from ..model import Lid

_LID_RE = re.compile(r"^(?P<num>[0-9]{1,2})(?P<suf>[a-z]?)\.\s+(?P<text>\S.*)$", re.S)
_LET_RE = re.compile(r"^\(?(?P<let>[a-z]{1,2})[.)](?:\s+|(?=[A-Z]))(?P<text>\S.*)$", re.S)
_DEG_RE = re.compile(r"^(?P<num>[0-9]{1,2})\s?°\.?\s*(?P<text>\S.*)$", re.S)
_ROM_RE = re.compile(r"^\(?(?P<rom>i{1,3}|iv|vi{0,3}|ix|x)[.)]\s+(?P<text>\S.*)$", re.S)
# Inline lid boundary in a paragraph that the reader merged: "... verboden. 2. Het ..."
_INLINE_LID_RE = re.compile(r"(?<=[.;:])\s+(?=([0-9]{1,2})\.\s+[A-Z])")
# The cheap test for such a boundary, one pattern per separator: the regex engine skips ahead
# to a literal first character, where a class like [.;:] makes it try every position.
_INLINE_HINT_RES = tuple(re.compile(sep + r"\s+[0-9]{1,2}\.\s+[A-Z]") for sep in (r"\.", ";", ":"))


def _has_inline_lid(text: str) -> bool:
    dot, semicolon, colon = _INLINE_HINT_RES
    # (a substring test is cheaper than a regex search that finds nothing)
    return bool(dot.search(text) or (";" in text and semicolon.search(text))
                or (":" in text and colon.search(text)))


_DIGITS = frozenset("0123456789")  # (_LID_RE and _DEG_RE start with [0-9])
_LETTERED = frozenset("(abcdefghijklmnopqrstuvwxyz")  # (_LET_RE and _ROM_RE)


def _next_letter(prev: str | None) -> str:
    if prev is None:
        return "a"
    if prev == "z":
        return "aa"
    if len(prev) == 2:  # "aa" -> "bb" (Dutch legislative style) or "ab"; accept both below
        return chr(ord(prev[0]) + 1) * 2
    return chr(ord(prev) + 1)


def _split_inline(text: str, expected: int) -> list[str]:
    parts: list[str] = []
    rest = text
    while True:
        m = None
        for cand in _INLINE_LID_RE.finditer(rest):
            if int(cand.group(1)) == expected:
                m = cand
                break
        if not m:
            break
        parts.append(rest[: m.start()].strip())
        rest = rest[m.end():]
        expected += 1
    parts.append(rest.strip())
    return [p for p in parts if p]


def parse_leden(body: list[tuple[str, int | None]]) -> list[Lid]:
    leden: list[Lid] = []
    lid: Lid | None = None
    ond: Lid | None = None
    next_lid = 1
    last_letter: str | None = None
    last_deg = 0
    numbered = False

    lines = body
    # One test for the whole body first: no match crosses the NUL between two lines.
    if _has_inline_lid("\0".join([text for text, _ in body])):
        lines = []
        for text, page in body:
            if _has_inline_lid(text):
                lines.extend((part, page) for part in _split_inline(text, 1))
            else:
                lines.append((text, page))

    for text, page in lines:
        # Most lines are plain text: test the first character before the regexes.
        first = text[:1]
        numeric = first in _DIGITS
        lettered = not numeric and first in _LETTERED
        m = _LID_RE.match(text) if numeric else None
        if m:
            num, suf, rest = m.groups()
            n = int(num)
            ok = (n == next_lid and not suf) or (suf and numbered and n == next_lid - 1) or \
                 (n == next_lid + 1 and numbered and not suf)
            if ok:
                lid = Lid(f"{n}{suf}", rest.strip(), page)
                leden.append(lid)
                numbered = True
                next_lid = n + 1
                ond = None
                last_letter = None
                last_deg = 0
                continue
        m = _LET_RE.match(text) if lettered else None
        if m:
            let, rest = m.groups()
            if let == (_next_letter(last_letter) if last_letter else "a") or (
                    last_letter and len(let) == 2 and let[0] == let[1] and last_letter == "z"):
                if lid is None:
                    lid = Lid(None, "", page)
                    leden.append(lid)
                ond = Lid(let, rest.strip(), page)
                lid.onderdelen.append(ond)
                last_letter = let
                last_deg = 0
                continue
        m = _DEG_RE.match(text) if numeric else None
        if m and int(m.group("num")) == last_deg + 1:
            sub = Lid(f"{m.group('num')}°", m.group("text").strip(), page)
            if ond is None and lid is None:
                lid = Lid(None, "", page)
                leden.append(lid)
            (ond if ond is not None else lid).onderdelen.append(sub)
            last_deg += 1
            continue
        m = _ROM_RE.match(text) if lettered and ond is not None else None
        if m:
            sub = Lid(m.group("rom"), m.group("text").strip(), page)
            ond.onderdelen.append(sub)
            continue
        # Continuation text: belongs to the innermost open element.
        target = ond if ond is not None and last_letter is not None and not lid_text_closes(ond) else None
        if target is None:
            if lid is None:
                lid = Lid(None, "", page)
                leden.append(lid)
            target = lid
            if target.onderdelen:
                # Text after a list of onderdelen closes the list ("... : a. .. b. ..  Dit geldt ...").
                ond = None
        target.text = (target.text + "\n" + text).strip() if target.text else text
    if len(leden) == 1 and leden[0].number is None and not leden[0].onderdelen:
        return []
    return leden


def lid_text_closes(ond: Lid) -> bool:
    """An onderdeel ending in '.' (not ';' or ',') ends its list; following text is the lid's."""
    t = ond.text.rstrip()
    if ond.onderdelen:
        t = ond.onderdelen[-1].text.rstrip()
    return t.endswith(".")
