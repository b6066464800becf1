"""PDF reader: pypdfium2 text layer -> visual lines -> logical paragraphs.

Per line only a handful of character probes go through ctypes (origin, last box, size,
font of the first char), which keeps the hot path close to pdftotext speed. Lines become
paragraphs by vertical gap, font change, indentation, lines ending short of the margin
and heading/lid patterns. Running headers, footers and page numbers are dropped.
pdfplumber is used only for pages pdfium flags as two-column or as holding a table;
pages without a text layer go to OCR (ocr.py).
"""
from __future__ import annotations

import codecs
import ctypes
import io
import logging
import os
import re
from collections import Counter
from itertools import starmap
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from ..errors import DocumentError
from ..model import Block, RawDocument
from ..parallel import fork_map
from ..parallel import jobs as process_count
from .layout import (
    BULLET_RE,
    ENUM_RE,
    HEADING_RE,
    HYPHENS,
    LABEL_ONLY_RE,
    SECTION_RE,
    Vocab,
    bullet_starts,
    continues_reference,
    fix_ligatures,
    is_page_number,
    is_toc_line,
    join_lines,
    norm_running,
    squash_spaces,
)

log = logging.getLogger(__name__)

MAX_OCR_PAGES = 300
_BOLD_NAME_RE = re.compile(r"bold|black|heavy|semibold|demi|[-,]bd\b|extrabold", re.I)
_ITALIC_NAME_RE = re.compile(r"italic|oblique|[-,]it\b", re.I)
_SENTENCE_END = (".", ":", ";", "!", "?")


class Line:
    __slots__ = ("text", "x0", "x1", "y", "top", "size", "bold", "italic", "first_w", "page",
                 "left", "right", "col", "table")

    def __init__(self, text, x0, x1, y, top, size, bold, italic, first_w, page, col=0, table=False):
        self.text = text
        self.x0 = x0
        self.x1 = x1
        self.y = y            # baseline, PDF user space (grows upwards)
        self.top = top
        self.size = size
        self.bold = bold
        self.italic = italic
        self.first_w = first_w  # width of the first word: would it have fitted on the line above?
        self.page = page
        self.left = 0.0       # text area of the column the line sits in (set later)
        self.right = 0.0
        self.col = col
        self.table = table    # a whole table row rendered as "| a | b |"

    def __reduce__(self):
        # Lines made in other processes (pdfplumber's re-read pages) come back pickled:
        # constructor arguments are several times cheaper than the default pickling of a
        # __slots__ object. left/right are set only after all pages are back.
        return (Line, _LINE_ARGS(self))

    def __repr__(self):  # debugging aid
        return f"Line(p{self.page} y={self.y:.0f} x={self.x0:.0f}-{self.x1:.0f} s={self.size:.1f} b={self.bold} {self.text[:40]!r})"


_Y = attrgetter("y")
# Line(...)'s arguments in order, read off a line
_LINE_ARGS = attrgetter("text", "x0", "x1", "y", "top", "size", "bold", "italic", "first_w", "page", "col", "table")


# ---------------------------------------------------------------- opening


def _open(data: bytes):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        err = raw.FPDF_GetLastError()
        if err == raw.FPDF_ERR_PASSWORD or "password" in str(e).lower():
            raise DocumentError(
                "Het PDF-bestand is versleuteld met een wachtwoord; sla het op zonder beveiliging "
                "en probeer het opnieuw.", code="encrypted") from None
        if err == raw.FPDF_ERR_SECURITY:
            raise DocumentError("Het PDF-bestand gebruikt een niet-ondersteunde beveiliging.",
                                code="encrypted") from None
        raise DocumentError("Het PDF-bestand is beschadigd of onvolledig en kan niet worden gelezen.",
                            code="unreadable") from None


# ---------------------------------------------------------------- line extraction (pdfium)


def _bare(fn, restype=ctypes.c_int):
    """`fn` re-typed without argtypes: ctypes then passes the arguments as they are instead of
    converting each through its declared type, which makes a call about three times cheaper.
    Callers must pass C-compatible values only: handles, Python ints, byref() out-parameters.
    The pointer class of the loaded library is reused, so its calling convention is kept."""
    bare = type(fn)(ctypes.cast(fn, ctypes.c_void_p).value)
    bare.restype = restype
    return bare


class _CharProbe:
    """pdfium's per-character queries for the line hot path, with reused out-parameters.

    Font styles are cached by font flags + name, so the weight is looked up once per font.
    """

    def __init__(self, raw):
        self.char_box = _bare(raw.FPDFText_GetCharBox)
        self.char_origin = _bare(raw.FPDFText_GetCharOrigin)
        self.font_size = _bare(raw.FPDFText_GetFontSize, ctypes.c_double)
        self.font_info = _bare(raw.FPDFText_GetFontInfo, ctypes.c_ulong)
        self.font_weight = _bare(raw.FPDFText_GetFontWeight)
        self.get_rect = _bare(raw.FPDFText_GetRect)
        self.buf = ctypes.create_string_buffer(256)
        self.flags = ctypes.c_int()
        self.flags_ref = ctypes.byref(self.flags)
        self.cache: dict = {}
        self.rounded: dict[float, float] = {}  # font size -> to 0.1: documents use a few sizes

    def style(self, tp, i):
        n = self.font_info(tp, i, self.buf, 256, self.flags_ref)
        key = (self.flags.value, self.buf.value if n else b"")
        hit = self.cache.get(key)
        if hit is None:  # first time this font is seen: weight and name decide
            weight = self.font_weight(tp, i)
            name = key[1].decode("latin-1", "replace")
            bold = weight >= 600 or bool(_BOLD_NAME_RE.search(name)) or bool(key[0] & (1 << 18))
            italic = bool(_ITALIC_NAME_RE.search(name)) or bool(key[0] & 64)
            hit = self.cache[key] = (bold, italic)
        return hit


# The text of one visual line without surrounding whitespace (as str.strip() removes it).
# pdfium joins a line ending in a hyphen with the next one and marks the hyphen as U+FFFE:
# split there again so every Line is one visual line (a lone U+FFFE is no line).
_LINE_RE = re.compile(r"[^\s\ufffe](?:[^\r\n\ufffe]*[^\s\ufffe])?(?:[^\S\r\n]*\ufffe)?")


def _pdfium_error(message: str) -> Exception:
    """The error pypdfium2's page helpers raise where a raw call fails."""
    from pypdfium2 import PdfiumError

    return PdfiumError(message)


def _page_text(tp, n: int, raw) -> str:
    """All text of a text page with n chars, as pypdfium2's PdfTextPage.get_text_range() gives
    it: chars at either end that have no place in the text are left out of the range asked
    for (pdfium would read past it otherwise: crbug.com/pdfium/2079)."""
    text_index = raw.FPDFText_GetTextIndexFromCharIndex
    c0, c1 = 0, n - 1
    while True:
        if c0 > c1:
            return ""
        t0 = text_index(tp, c0)
        if t0 == -1:
            c0 += 1
            continue
        t1 = text_index(tp, c1)
        if t1 == -1:
            c1 -= 1
            continue
        break
    buffer = (ctypes.c_ushort * (t1 + 2 - t0))()  # + NUL
    out = raw.FPDFText_GetText(tp, c0, c1 - c0 + 1, buffer)
    return codecs.decode(memoryview(buffer)[:out - 1], "utf-16-le", "ignore")


def _pdfium_lines(tp, pageno: int, probe: _CharProbe, raw) -> list[Line]:
    """Visual lines of one page with position, size and style from a few char probes.

    This is the hot path (every line of every page): bare ctypes calls (see _bare) with
    reused out-parameters, attribute lookups hoisted out of the loop.
    """
    n = raw.FPDFText_CountChars(tp)
    if n == -1:
        raise _pdfium_error("Failed to get character count.")
    if n <= 0:
        return []
    text = _page_text(tp, n, raw)
    clamp = len(text) != n  # non-BMP chars shift offsets: then keep indices in range
    last_idx = n - 1
    lines: list[Line] = []
    r_ = ctypes.c_double()
    ox = ctypes.c_double()
    oy = ctypes.c_double()
    scratch = ctypes.byref(ctypes.c_double())
    r_ref, ox_ref, oy_ref = ctypes.byref(r_), ctypes.byref(ox), ctypes.byref(oy)
    get_box = probe.char_box
    get_size = probe.font_size
    get_origin = probe.char_origin
    style = probe.style
    rounded = probe.rounded
    append = lines.append
    for m in _LINE_RE.finditer(text):
        stripped = m.group()
        i0, i1 = m.span()
        i1 -= 1
        im = (i0 + i1) // 2
        if clamp:
            i0, i1, im = min(i0, last_idx), min(i1, last_idx), min(im, last_idx)
        get_origin(tp, i0, ox_ref, oy_ref)
        x0 = ox.value
        y = oy.value
        get_box(tp, i1, scratch, r_ref, scratch, scratch)
        x1 = r_.value
        # Middle and last char; list labels ("1." + tab) may carry odd sizes, so the first char
        # only breaks a tie.
        s1 = get_size(tp, i1)
        sm = get_size(tp, im) if im != i1 else s1
        if abs(sm - s1) > 0.05:
            s1 = sorted((get_size(tp, i0), sm, s1))[1]
        size = rounded.get(s1)
        if size is None:
            size = round(s1, 1)
            if s1:  # 0.0 and -0.0 are one key but round to different zeros
                rounded[s1] = size
        # Whole-line bold/italic: probe the first char; only when it is styled the others.
        bold, italic = style(tp, i0)
        if (bold or italic) and i1 != i0:
            b1, it1 = style(tp, i1)
            bm, itm = style(tp, im)
            bold = bold and b1 and bm
            italic = italic and it1 and itm
        sp = stripped.find(" ")
        if sp > 0:
            # i0 + sp - 1 < i1 <= last_idx unless the indices were clamped
            i = min(i0 + sp - 1, last_idx) if clamp else i0 + sp - 1
            get_box(tp, i, scratch, r_ref, scratch, scratch)
            first_w = r_.value - x0
        else:
            first_w = x1 - x0
        if x1 < x0:  # right-to-left or odd boxes
            x1 = x0 + first_w if first_w > 0 else x0
        if "\ufffe" in stripped:
            stripped = stripped.replace("\ufffe", "-")
        append(Line(stripped, x0, x1, y, y + size * 0.75, size, bold, italic, first_w, pageno))
    return lines


def _is_two_column(lines: list[Line], tp, raw) -> float | None:
    """Return the gutter x when the page is set in two columns, else None."""
    body = [ln for ln in lines if len(ln.text) > 15]
    if len(body) < 6:
        return None
    x0s = [ln.x0 for ln in body]  # (list comprehensions: cheaper than generators per item)
    x1s = [ln.x1 for ln in body]
    lo = min(x0s)
    hi = max(x1s)
    mid = (lo + hi) / 2
    width = hi - lo
    left = [x1 for x1 in x1s if x1 < mid + 0.02 * width]
    right_only = len([x0 for x0 in x0s if x0 > mid - 0.02 * width])
    if (len(left) >= 5 and right_only >= 5 and (len(left) + right_only) >= 0.6 * len(body)
            and _pct(left, 0.8) > mid - 0.15 * width):
        # both halves filled up to the gutter: columns of running text, not a short-cell table
        return mid
    # Columns interleaved line by line in the content stream: pdfium then joins the left and
    # right halves into one line. Detect an empty vertical band around the middle.
    spanning = [ln for ln in body if ln.x0 < mid - 0.2 * width and ln.x1 > mid + 0.2 * width]
    if len(spanning) < 4:
        return None
    # Probe the middle of up to 12 spanning lines; single-column text hits a glyph at once.
    sample = spanning[:: max(1, len(spanning) // 12)][:12]
    hits = 0
    for ln in sample:
        if raw.FPDFText_GetCharIndexAtPos(tp, mid, ln.y + ln.size * 0.3, ln.size * 0.6, ln.size * 0.3) >= 0:
            hits += 1
            if hits > 0.2 * len(sample):
                return None
    return mid


def _table_rows_hint(tp, lines: list[Line], height: float, probe: _CharProbe, raw) -> bool:
    """Cheap pdfium signal for a table: several text rows holding 2+ runs far apart."""
    n = raw.FPDFText_CountRects(tp, 0, -1)
    if n == -1:
        raise _pdfium_error("Failed to count rectangles.")
    if n < len(lines) + 3:
        return False
    boxes: list[tuple[float, float, float, float]] = []
    lv, tv, rv, bv = (ctypes.c_double() for _ in range(4))
    refs = ctypes.byref(lv), ctypes.byref(tv), ctypes.byref(rv), ctypes.byref(bv)
    get_rect = probe.get_rect
    for k in range(n):
        if not get_rect(tp, k, *refs):
            raise _pdfium_error("Failed to get rectangle.")
        left, bottom, right, top = lv.value, bv.value, rv.value, tv.value  # y grows upwards
        if top > height * 0.92 or bottom < height * 0.08:
            continue  # running header/footer zone
        boxes.append((top, bottom, left, right))
    # Group runs into rows by vertical overlap, not by equal bottoms: a lone "x" in a tick
    # column has no descenders and sits a point or two higher than the text beside it.
    boxes.sort(key=lambda b: -(b[0] + b[1]))
    rows: list[list[tuple[float, float, float, float]]] = []
    for b in boxes:
        if rows:
            r = rows[-1][0]
            overlap = min(r[0], b[0]) - max(r[1], b[1])
            if overlap >= 0.5 * min(r[0] - r[1], b[0] - b[1]):
                rows[-1].append(b)
                continue
        rows.append([b])
    multi = 0
    for runs in rows:
        if len(runs) >= 2:
            spans = sorted((b[2], b[3]) for b in runs)
            if any(b[0] - a[1] > 12 for a, b in zip(spans, spans[1:])):
                multi += 1
    return multi >= 2


def _plumber_tables(plumber_pdf, pageno: int, lines: list[Line]) -> list[Line]:
    """Replace the lines inside ruled tables by one pseudo-line per table row."""
    page = plumber_pdf.pages[pageno - 1]
    height = float(page.height)
    tables = page.find_tables()
    if not tables:
        return lines
    out = list(lines)
    for t in tables:
        x0, top, x1, bottom = t.bbox
        y_hi, y_lo = height - top, height - bottom
        rows = [r for r in t.extract() if r and any((c or "").strip() for c in r)]
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        inside = [ln for ln in out if y_lo - 1 <= ln.y <= y_hi + 1 and ln.x0 >= x0 - 2 and ln.x1 <= x1 + 2]
        if not inside:
            continue
        at = out.index(inside[0])
        ref = inside[0]
        inside_ids = set(map(id, inside))
        out = [ln for ln in out if id(ln) not in inside_ids]
        row_lines = []
        for r_i, row in enumerate(rows):
            cells = [" ".join((c or "").split()) for c in row]
            ln = Line("| " + " | ".join(cells) + " |", x0, x1, ref.y - r_i * 0.01, ref.top, ref.size,
                      False, False, 0.0, pageno, ref.col)
            ln.table = True
            row_lines.append(ln)
        out[at:at] = row_lines
    return out


def _plumber_lines(plumber_pdf, pageno: int, gutter: float) -> list[Line]:
    """Read a two-column page column by column from pdfplumber's word boxes."""
    page = plumber_pdf.pages[pageno - 1]
    height = float(page.height)
    words = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False,
                               use_text_flow=False, x_tolerance=1.5)
    out: list[Line] = []
    for col in (0, 1):
        cw = [w for w in words if (w["x0"] + w["x1"]) / 2 < gutter] if col == 0 else \
             [w for w in words if (w["x0"] + w["x1"]) / 2 >= gutter]
        cw.sort(key=lambda w: (round(w["bottom"]), w["x0"]))
        rows: list[list[dict]] = []
        for w in cw:
            if rows and abs(rows[-1][0]["bottom"] - w["bottom"]) < max(2.0, w["size"] * 0.3):
                rows[-1].append(w)
            else:
                rows.append([w])
        for row in rows:
            row.sort(key=lambda w: w["x0"])
            text = " ".join(w["text"] for w in row)
            sizes = sorted(w["size"] for w in row)
            size = round(sizes[len(sizes) // 2], 1)
            bold = all(_BOLD_NAME_RE.search(w["fontname"] or "") for w in row)
            italic = all(_ITALIC_NAME_RE.search(w["fontname"] or "") for w in row)
            ln = Line(text, row[0]["x0"], row[-1]["x1"], height - row[0]["bottom"] + size * 0.2,
                      height - row[0]["top"], size, bold, italic, row[0]["x1"] - row[0]["x0"],
                      pageno, col)
            out.append(ln)
    return out


# ---------------------------------------------------------------- running headers / footers


def _strip_running(pages: list[list[Line]], heights: list[float]) -> set[str]:
    """Remove page numbers and lines repeated in the top/bottom zone of many pages (in place)."""
    n_text_pages = sum(1 for p in pages if p)
    zone_lines: list[tuple[int, Line]] = []
    for pi, lines in enumerate(pages):
        if not lines:
            continue
        h = heights[pi]
        by_y = sorted(lines, key=_Y, reverse=True)  # reverse keeps equal y in page order, as key=-y
        # the two highest and the two lowest lines, in page order
        for ln in sorted({*by_y[:2], *by_y[-2:]}, key=lines.index):
            if ln.y > h * 0.90 or ln.y < h * 0.10 or len(lines) <= 3:
                zone_lines.append((pi, ln))
    keys = {id(ln): (norm_running(ln.text), ln.y > heights[pi] / 2) for pi, ln in zone_lines}
    counts = Counter(keys.values())
    need = max(2, int(n_text_pages * 0.4 + 0.5)) if n_text_pages >= 2 else 10 ** 9
    # Headers naming the current chapter repeat only within that chapter; set in a smaller
    # font than the body they are running text already when seen on three pages.
    body = _body_size(pages, 0.0)
    drop: dict[int, set[Line]] = {}  # page index -> its lines to drop (Lines hash by identity)
    repeated: set[str] = set()
    done: set[tuple] = set()
    # Most extreme line first, so that a body heading that repeats the chapter header right
    # below it ("Hoofdstuk 2 ..." twice) loses only the header.
    zone_lines.sort(key=lambda t: (t[0], -abs(t[1].y - heights[t[0]] / 2)))
    for pi, ln in zone_lines:
        key = keys[id(ln)]
        threshold = min(need, 3) if ln.size < body - 0.5 else need
        if is_page_number(ln.text) or (counts[key] >= threshold and (pi, key) not in done):
            drop.setdefault(pi, set()).add(ln)
            done.add((pi, key))
            if counts[key] >= threshold:
                repeated.add(key[0])
    for pi, gone in drop.items():
        pages[pi] = [ln for ln in pages[pi] if ln not in gone]
    return repeated


# ---------------------------------------------------------------- paragraphs


def _body_size(pages: list[list[Line]], default: float) -> float:
    """The font size carrying most of the text."""
    chars: dict[float, int] = {}
    get = chars.get  # a plain dict: Counter's += is twice as slow on this per-line loop
    for lines in pages:
        for ln in lines:
            chars[ln.size] = get(ln.size, 0) + len(ln.text)
    # max() keeps the first of equal counts, as Counter.most_common(1) does
    return max(chars.items(), key=lambda kv: kv[1])[0] if chars else default


def _doc_stats(pages: list[list[Line]]):
    body = _body_size(pages, 10.0)
    # Baseline distances between consecutive body lines (in body sizes, to 0.05), and the
    # pairs wider than 1.3 lines: a pitch candidate there is checked for paragraph boundaries.
    clusters: dict[float, int] = {}  # plain dicts: Counter's += is twice as slow per pair
    wide: dict[float, list[tuple[Line, Line]]] = {}
    steps: dict[float, float] = {}  # distance -> rounded: documents repeat a few distances
    lo, hi = 0.9 * body, 3.0 * body
    for lines in pages:
        a = None  # the line before b when it is in the body size
        for b in lines:
            if b.size != body:
                a = None
                continue
            if a is not None and a.col == b.col:
                d = a.y - b.y
                if lo < d < hi:
                    v = steps.get(d)
                    if v is None:
                        v = steps[d] = round(d / body * 20) / 20
                    clusters[v] = clusters.get(v, 0) + 1
                    if v > 1.3:
                        wide.setdefault(v, []).append((a, b))
            a = b
    # The line pitch is the smallest frequent distance. In documents made of one-line
    # paragraphs the frequent distance is the paragraph distance: recognised by its pairs
    # nearly all being paragraph boundaries (sentence end above, lid/heading below); then
    # assume single spacing below it.
    total = sum(clusters.values())
    pitch = 1.2
    if total:
        for v in sorted(clusters):
            if clusters[v] >= max(3, 0.1 * total):
                if v > 1.3 and _boundaries(wide[v]) >= 0.8 * clusters[v]:
                    pitch = min(1.2, v / 1.3)
                else:
                    pitch = v
                break
        else:
            # max() keeps the first of equal counts, as Counter.most_common(1) does
            pitch = max(clusters.items(), key=lambda kv: kv[1])[0]
    return body, pitch


def _boundaries(pairs: list[tuple[Line, Line]]) -> int:
    """How many line pairs look like a paragraph boundary."""
    return sum(1 for a, b in pairs if a.text.endswith(_SENTENCE_END) or ENUM_RE.match(b.text)
               or HEADING_RE.match(b.text))


def _set_margins(pages: list[list[Line]], body: float, page_width: float | None = None) -> None:
    """Text area per page and column; the right margin is what decides 'short' lines."""
    body_lines = [ln for lines in pages for ln in lines if ln.col == 0 and abs(ln.size - body) < 1]
    all_right = [ln.x1 for ln in body_lines]
    all_left = [ln.x0 for ln in body_lines]
    g_right = _pct(all_right, 0.97) if all_right else None
    g_left = _pct(all_left, 0.05) if all_left else None
    if g_right is not None and page_width:
        # A short document may have no line reaching the margin: assume margins are symmetric
        # (as in Word/LibreOffice defaults) when no line comes near the mirrored left margin.
        mirrored = page_width - g_left
        if mirrored > g_right and g_right < mirrored - 0.15 * (mirrored - g_left):
            g_right = mirrored
    for lines in pages:
        cols = {ln.col for ln in lines}
        for c in cols:
            cl = [ln for ln in lines if ln.col == c] if len(cols) > 1 else lines  # no copy
            if len(cols) > 1 or g_right is None:
                right = _pct([ln.x1 for ln in cl], 0.97)
                left = min(ln.x0 for ln in cl)
            else:
                right = max(g_right, _pct([ln.x1 for ln in cl], 0.97)) if len(cl) > 3 else g_right
                left = g_left
            for ln in cl:
                ln.left = left
                ln.right = right


def _pct(vals, q):
    vals = sorted(vals)
    return vals[min(len(vals) - 1, int(q * (len(vals) - 1) + 0.5))]


# Matches where any of ENUM_RE, BULLET_RE, HEADING_RE and SECTION_RE does. ENUM_RE comes
# first, so its backreference still means its own group 1.
_MAY_OPEN_RE = re.compile("|".join(f"(?:{r.pattern})" for r in (ENUM_RE, BULLET_RE, HEADING_RE, SECTION_RE)))


def _new_paragraph(p: Line, ln: Line, body: float, pitch: float) -> bool:
    """Does `ln` open a new paragraph after `p`? Cheap geometric tests first (hot path)."""
    if p.bold != ln.bold or abs(p.size - ln.size) > 0.6:
        return True  # style change
    ptext = p.text
    text = ln.text
    dy = p.y - ln.y
    line_h = pitch * (p.size if p.size > ln.size else ln.size)
    same_page = ln.page == p.page
    if (p.bold and same_page and 0 < dy <= line_h * 1.6 and LABEL_ONLY_RE.match(ptext)
            and not ENUM_RE.match(text) and not HEADING_RE.match(text)):
        # "Artikel 2:28" with its title on the next line in the same bold font: one heading
        return False
    sentence_end = ptext.endswith(_SENTENCE_END)
    # A line ending in "letter-" before a lowercase word is a hyphenated word, never a paragraph end.
    hyphenated = len(ptext) > 2 and ptext[-1] == "-" and ptext[-2].isalpha() and text[:1].islower()
    fits = not hyphenated and p.x1 + 0.35 * ln.size + ln.first_w < p.right - 1.0
    same_flow = same_page and ln.col == p.col and dy > 0
    if same_flow:
        # Lines inside a paragraph sit exactly one pitch apart; any extra space is paragraph
        # spacing (tighter after a sentence end, where a new paragraph is likelier).
        if fits or dy > line_h * (1.08 if sentence_end else 1.15) + 0.5:
            return True
    # Enumerations and headings open a block unless the line above ends like a reference.
    if _MAY_OPEN_RE.match(text):  # one test for the many lines that match none of the four
        if (ENUM_RE.match(text) and not continues_reference(ptext)
                or BULLET_RE.match(text) and bullet_starts(ptext, text)):
            return True
        if HEADING_RE.match(text) and (ln.bold or sentence_end or ln.x1 < ln.right - 6 * ln.size):
            return True
        if SECTION_RE.match(text) and (ln.bold or ln.size > body + 1) and not continues_reference(ptext):
            return True
    if not same_flow:
        # page or column break: continue only a paragraph that ran to the margin mid-sentence
        return fits or sentence_end
    if (ln.x0 > p.x0 + 1.5 * ln.size and ln.x0 > ln.left + 1.5 * ln.size and p.x0 <= p.left + 2
            and not ENUM_RE.match(ptext) and not HEADING_RE.match(ptext)):
        # first-line indent of a new paragraph under a flush-left line; an indent under a
        # "1."/"a." line is the hanging indent of that lid/onderdeel
        return True
    return False


PARALLEL_LINES = 4000  # below this splitting the paragraph pass over processes does not pay


def _paragraphs(pages: list[list[Line]], body: float, pitch: float) -> list[Block]:
    lines = [ln for page in pages for ln in page]
    # Consumed only when a line-end hyphen needs it (Vocab builds lazily, in each process).
    vocab = Vocab(ln.text for ln in lines)
    n = process_count() if len(lines) >= PARALLEL_LINES else 1
    # Every process builds the paragraphs that start in its share of the lines: the splits
    # depend only on document-wide values that are known by now, so the result is the same.
    cuts = [len(lines) * k // n for k in range(n + 1)]
    chunks = fork_map(lambda k: _paragraph_blocks(lines, cuts[k], cuts[k + 1], body, pitch, vocab),
                      range(n))
    return [Block(*fields) for chunk in chunks for fields in chunk]


def _paragraph_blocks(lines: list[Line], start: int, end: int, body: float, pitch: float,
                      vocab: Vocab) -> list[tuple]:
    """Blocks of the paragraphs whose first line lies in lines[start:end] (the last one may
    run on past `end`), as tuples of Block's fields in order: ten times cheaper to pickle."""
    blocks: list[tuple] = []
    n = len(lines)
    i = start
    if i > 0:  # skip the tail of a paragraph that began before `start`
        while i < end and not _breaks(lines[i - 1], lines[i], body, pitch):
            i += 1
    if i >= end:
        return blocks

    def flush(cur: list[Line]) -> None:
        first = cur[0]
        if first.table:  # table rows are never joined: one row per block
            blocks.append((first.text, first.page, "table", None, False, False, first.size, "table", "table"))
            return
        if len(cur) == 1:  # most paragraphs are one line: nothing to join
            text = first.text
            bold, italic = first.bold, first.italic
        else:
            if any(ln.text.rstrip()[-1:] in HYPHENS for ln in cur[:-1]):
                text = ""
                for ln in cur:
                    text = join_lines(text, ln.text, vocab)
            else:
                # join_lines glues lines with one space unless the text so far ends in a
                # hyphen; the whitespace around that space is squashed below anyway
                text = " ".join([ln.text for ln in cur])
            # most lines are neither: the first line settles it without a generator
            bold = first.bold and all(ln.bold for ln in cur)
            italic = first.italic and all(ln.italic for ln in cur)
        if "\u00ad" in text:  # soft hyphens left inside words
            text = text.replace("\u00ad", "")
        text = fix_ligatures(squash_spaces(text))
        if not text:
            return
        size = first.size
        heading = (size >= body + 1.5 and len(text) < 250) or (
            bold and len(text) < 160 and not text.endswith((".", ";", ",")) and
            (HEADING_RE.match(text) or SECTION_RE.match(text) or len(cur) <= 2))
        level = None
        if heading:
            level = 1 if size >= body + 6 else 2 if size >= body + 3 else 3 if size >= body + 1.5 else 4
        blocks.append((text, first.page, "heading" if heading else "para", level, bold, italic, size))

    prev = lines[i]
    cur = [prev]
    for j in range(i + 1, n):
        ln = lines[j]
        if ln.table or prev.table or _new_paragraph(prev, ln, body, pitch):  # _breaks, inlined
            flush(cur)
            if j >= end:
                return blocks
            cur = []
        cur.append(ln)
        prev = ln
    flush(cur)
    return blocks


def _breaks(p: Line, ln: Line, body: float, pitch: float) -> bool:
    return ln.table or p.table or _new_paragraph(p, ln, body, pitch)


# ---------------------------------------------------------------- entry point


def _plumber_pass(data: bytes, pages: list[list[Line]], two_col: dict[int, float], table_pages: list[int]) -> None:
    """Re-read the pages pdfium flagged as two-column or tabular with pdfplumber (in place).

    pdfplumber is slow (~0.1 s a page), so only these pages get it, spread over the cores;
    each process opens the document once. A page pdfplumber fails on keeps pdfium's reading.
    """
    jobs = [(pi, gutter) for pi, gutter in two_col.items()] + [(pi, None) for pi in table_pages]
    opened: dict[int, object] = {}  # pid -> pdfplumber document

    def run(job: tuple[int, float | None]) -> list[Line] | None:
        import pdfplumber

        pi, gutter = job
        ppdf = opened.get(os.getpid())
        if ppdf is None:
            ppdf = opened[os.getpid()] = pdfplumber.open(io.BytesIO(data))
        try:
            if gutter is not None:
                return _plumber_lines(ppdf, pi + 1, gutter) or None
            return _plumber_tables(ppdf, pi + 1, pages[pi])
        except Exception:  # noqa: BLE001 - keep pdfium's reading of the page
            log.debug("pdfplumber failed on page %d", pi + 1, exc_info=True)
            return None

    try:
        for (pi, _), new in zip(jobs, fork_map(run, jobs, min_items=4)):
            if new is not None:
                pages[pi] = new
    finally:
        for ppdf in opened.values():
            ppdf.close()


PARALLEL_PAGES = 24  # below this a fork costs more than it saves


class _Page(NamedTuple):
    lines: list[Line]
    height: float
    width: float
    kind: str = "text"          # text | bad | textless | two_col | table
    gutter: float | None = None

    def __reduce__(self):
        # Pages read in other processes come back pickled: each line as a plain tuple of its
        # constructor arguments pickles in C, without Line.__reduce__'s Python call per line.
        return _unpickle_page, (list(map(_LINE_ARGS, self.lines)), *self[1:])


def _unpickle_page(rows, *rest) -> _Page:
    return _Page(list(starmap(Line, rows)), *rest)


def _read_page(pdf, pi: int, probe: _CharProbe, raw) -> _Page:
    """Lines of page pi (0-based) and what the page needs next: pdfplumber or OCR.

    Raw pdfium handles instead of pypdfium2's PdfPage/PdfTextPage: their finalizers and
    parent bookkeeping cost more than the Python work on a short page, and both handles
    are closed here anyway.
    """
    page = raw.FPDF_LoadPage(pdf, pi)
    if not page:  # a broken page object must not lose the others
        log.debug("page %d failed to load", pi + 1)
        return _Page([], 842.0, 0.0, "bad")
    try:
        height, width = raw.FPDF_GetPageHeightF(page), raw.FPDF_GetPageWidthF(page)
        tp = raw.FPDFText_LoadPage(page)
        if not tp:
            raise _pdfium_error("Failed to load text page.")
        kind, gutter = "text", None
        try:
            lines = _pdfium_lines(tp, pi + 1, probe, raw)
            if lines:
                gutter = _is_two_column(lines, tp, raw)
                if gutter is not None:
                    kind = "two_col"
                elif _table_rows_hint(tp, lines, height, probe, raw):
                    kind = "table"
        finally:
            raw.FPDFText_ClosePage(tp)
        if not lines and raw.FPDFPage_CountObjects(page) > 0:
            kind = "textless"
        return _Page(lines, height, width, kind, gutter)
    finally:
        raw.FPDF_ClosePage(page)


def read_pdf(path: Path, data: bytes, fmt: str = "pdf") -> RawDocument:
    import pypdfium2.raw as raw

    pdf = _open(data)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise DocumentError("Het PDF-bestand bevat geen pagina's.", code="empty")
        metadata: dict = {}
        try:
            meta = pdf.get_metadata_dict(skip_empty=True)
            title = _clean_title(meta.get("Title", ""))
            if title:
                metadata["title"] = title
            for k_src, k_dst in (("CreationDate", "created"), ("ModDate", "modified"),
                                 ("Author", "author")):
                if meta.get(k_src):
                    metadata[k_dst] = meta[k_src]
        except Exception:  # noqa: BLE001 - metadata is a nicety
            pass
        probe = _CharProbe(raw)
        # Pages are independent until the running headers: read them on all cores
        # (each process holds its own copy of the opened document after the fork).
        read = fork_map(lambda pi: _read_page(pdf, pi, probe, raw), range(n_pages), min_items=PARALLEL_PAGES)
        pages = [r.lines for r in read]
        heights = [r.height for r in read]
        widths = [r.width for r in read if r.kind != "bad"]
        bad_pages = [pi + 1 for pi, r in enumerate(read) if r.kind == "bad"]
        textless = [pi for pi, r in enumerate(read) if r.kind == "textless"]
        two_col = {pi: r.gutter for pi, r in enumerate(read) if r.kind == "two_col"}
        table_pages = [pi for pi, r in enumerate(read) if r.kind == "table"]
        if two_col or table_pages:
            _plumber_pass(data, pages, two_col, table_pages[:200])
        warnings: list[str] = []
        if bad_pages:
            shown = ", ".join(map(str, bad_pages[:10])) + (" ..." if len(bad_pages) > 10 else "")
            warnings.append(f"Pagina {shown} van de PDF is beschadigd en overgeslagen.")
        ocr_pages: dict[int, list[Block]] = {}
        if textless:
            from .ocr import ocr_pdf_pages

            ocr_pages, ocr_warnings = ocr_pdf_pages(pdf, textless, max_pages=MAX_OCR_PAGES)
            warnings.extend(ocr_warnings)
    finally:
        pdf.close()

    running = _strip_running(pages, heights)
    # Table-of-contents entries repeat every heading with a page number: they would read as
    # duplicate articles downstream.
    # (is_toc_line's first test inlined: most lines do not end in a digit)
    pages = [[ln for ln in lines if not ln.text[-1:].isdigit() or ln.table or not is_toc_line(ln.text)]
             for lines in pages]
    body, pitch = _doc_stats(pages)
    _set_margins(pages, body, widths[0] if widths else None)
    blocks = _paragraphs(pages, body, pitch)
    if ocr_pages:
        from .ocr import strip_running_blocks

        strip_running_blocks(ocr_pages, running)
        blocks = _merge_ocr(blocks, ocr_pages)
    if not any(b.text.strip() for b in blocks):
        from .ocr import NOT_INSTALLED_MARK

        reasons = [w for w in warnings if w.startswith(NOT_INSTALLED_MARK)]
        if textless and reasons:
            raise DocumentError("De PDF bevat geen tekstlaag (gescande pagina's) en OCR was niet mogelijk: "
                                + reasons[0], code="no_text")
        if textless:
            raise DocumentError("De PDF bevat geen tekst: de pagina's zijn leeg of er is met OCR geen tekst "
                                "op herkend.", code="empty")
        raise DocumentError("De PDF bevat geen tekst (alleen lege pagina's of afbeeldingen zonder tekst).",
                            code="empty")
    return RawDocument(path=str(path), format="pdf", blocks=blocks, pages=n_pages,
                       metadata=metadata, warnings=warnings)


def _clean_title(title: str) -> str:
    """PDF Title metadata as a document title: drop converter noise and bare file names."""
    title = " ".join((title or "").split())
    title = re.sub(r"^(?:Microsoft (?:Word|PowerPoint) - |Word - )", "", title)
    if re.search(r"\.(?:docx?|pdf|odt|rtf|dotx?)$", title, re.I) or re.fullmatch(r"(?:untitled|naamloos|document\d*)", title, re.I):
        return ""
    return title


def _merge_ocr(blocks: list[Block], ocr_pages: dict[int, list[Block]]) -> list[Block]:
    """Put OCR'd pages back in page order among the text-layer blocks."""
    out: list[Block] = []
    pending = sorted(ocr_pages.items())
    for b in blocks:
        while pending and pending[0][0] + 1 < (b.page or 0):
            out.extend(pending.pop(0)[1])
        out.append(b)
    for _, bl in pending:
        out.extend(bl)
    return out
