"""DOCX reader: walks word/document.xml itself (lxml, no entity resolution).

Why not python-docx's Paragraph.text: it drops runs inside w:ins (tracked insertions)
and cannot render automatic list numbering, and "Artikel 3" produced by a numbered
heading style would be lost. Here: body order including tables, tracked changes
(insertions count, deletions do not), Word numbering rendered from numbering.xml,
heading styles, bold/italic/size resolved through the style chain.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from lxml import etree

from ..errors import DocumentError
from ..model import Block, RawDocument
from .layout import is_toc_line, starts_block

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 20000

_HEADING_STYLE_RE = re.compile(r"^(?:heading|kop)\s*([1-9])$", re.I)
_TITLE_STYLE_RE = re.compile(r"^(?:title|titel)$", re.I)
_TOC_STYLE_RE = re.compile(r"^(?:toc|inhopg|inhoudsopgave)\s*[0-9]$|^toc heading$|^kop van inhoudsopgave$", re.I)

# Skipped subtrees: deleted text, moved-away text, field instructions, drawings/text boxes,
# footnote marks. Their text is not part of the paragraph as the reader sees it.
_SKIP = {_W + t for t in ("del", "moveFrom", "instrText", "delInstrText", "drawing", "pict",
                          "footnoteReference", "endnoteReference", "commentReference", "rPr",
                          "pPr", "object")}
_SKIP.add("{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent")


def _parser() -> etree.XMLParser:
    # No DTDs, no entities, no network: a DOCX is untrusted input (XXE, billion laughs).
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _parse(xml: bytes):
    try:
        return etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as e:
        raise DocumentError(f"Het Word-bestand is beschadigd (ongeldige XML: {e.msg}).",
                            code="unreadable") from None


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentError("Het Word-bestand is beschadigd (geen geldig ZIP-archief).",
                            code="unreadable") from None
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise DocumentError("Het Word-bestand bevat onredelijk veel onderdelen en wordt niet gelezen.",
                            code="too_large")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise DocumentError(
            f"Het Word-bestand pakt uit tot {total // (1024 * 1024)} MB; dat is onredelijk groot "
            "(mogelijk een zip-bom) en wordt niet gelezen.", code="too_large")
    try:
        doc = zf.getinfo("word/document.xml")
    except KeyError:
        raise DocumentError("Dit is geen Word-document (word/document.xml ontbreekt).",
                            code="unsupported") from None
    ratio = doc.file_size / max(1, doc.compress_size)
    if ratio > MAX_RATIO and doc.file_size > 2 * 1024 * 1024:
        raise DocumentError(
            f"Het Word-bestand is verdacht sterk gecomprimeerd (factor {ratio:.0f}; mogelijk een "
            "zip-bom) en wordt niet gelezen.", code="too_large")
    return zf


def _read_part(zf: zipfile.ZipFile, name: str):
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    with zf.open(info) as f:
        data = f.read(MAX_TOTAL_UNCOMPRESSED + 1)
    if len(data) > MAX_TOTAL_UNCOMPRESSED:
        raise DocumentError("Het Word-bestand is te groot om te lezen.", code="too_large")
    try:
        return _parse(data)
    except DocumentError:
        if name == "word/document.xml":
            raise
        return None  # a broken styles/numbering part must not lose the text


def _val(el, tag: str, default: str | None = None) -> str | None:
    """w:val of the child w:<tag> of el (el may be None); default when either is missing."""
    child = el.find(_W + tag) if el is not None else None
    return child.get(_W + "val") if child is not None else default


def _on(el, tag: str) -> bool | None:
    """Value of a toggle property (w:b, w:i, w:vanish) on an rPr element, None if absent."""
    if el is None:
        return None
    t = el.find(_W + tag)
    if t is None:
        return None
    v = t.get(_W + "val")
    return v not in ("0", "false", "off", "none")


# ---------------------------------------------------------------- styles


class Styles:
    def __init__(self, root):
        self.by_id: dict[str, etree._Element] = {}
        self.default_para: str | None = None
        self.defaults_rpr = None
        if root is None:
            return
        for st in root.findall(_W + "style"):
            sid = st.get(_W + "styleId")
            if sid:
                self.by_id[sid] = st
                if st.get(_W + "type") == "paragraph" and st.get(_W + "default") in ("1", "true"):
                    self.default_para = sid
        self.defaults_rpr = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")

    def chain(self, sid: str | None):
        seen = set()
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            st = self.by_id[sid]
            yield st
            sid = _val(st, "basedOn")

    def name(self, sid: str | None) -> str | None:
        if not sid or sid not in self.by_id:
            return sid
        name = _val(self.by_id[sid], "name", sid)
        # built-in names are stored lower-case ("heading 1"); show them as Word does
        return name[:1].upper() + name[1:] if re.match(r"^(heading|title|subtitle) ?\d?$", name) else name

    def run_prop(self, tag: str, rstyle: str | None, pstyle: str | None) -> bool:
        for sid in (rstyle, pstyle):
            for st in self.chain(sid):
                v = _on(st.find(_W + "rPr"), tag)
                if v is not None:
                    return v
        return bool(_on(self.defaults_rpr, tag))

    def size(self, rstyle: str | None, pstyle: str | None) -> float | None:
        for sid in (rstyle, pstyle):
            for st in self.chain(sid):
                sz = st.find(f"{_W}rPr/{_W}sz")
                if sz is not None and sz.get(_W + "val", "").isdigit():
                    return int(sz.get(_W + "val")) / 2
        if self.defaults_rpr is not None:
            sz = self.defaults_rpr.find(_W + "sz")
            if sz is not None and sz.get(_W + "val", "").isdigit():
                return int(sz.get(_W + "val")) / 2
        return None

    def heading_level(self, pstyle: str | None) -> int | None:
        for st in self.chain(pstyle):
            name = _val(st, "name") or ""
            m = _HEADING_STYLE_RE.match(name.strip()) or _HEADING_STYLE_RE.match(st.get(_W + "styleId") or "")
            if m:
                return int(m.group(1))
            if _TITLE_STYLE_RE.match(name.strip()):
                return 0
            ol = st.find(f"{_W}pPr/{_W}outlineLvl")
            if ol is not None and (ol.get(_W + "val") or "").isdigit() and int(ol.get(_W + "val")) < 9:
                return int(ol.get(_W + "val")) + 1
        return None

    def num_pr(self, pstyle: str | None):
        """numId/ilvl a paragraph inherits from its style (numbered heading styles)."""
        for st in self.chain(pstyle):
            np_ = st.find(f"{_W}pPr/{_W}numPr")
            if np_ is not None:
                nid = np_.find(_W + "numId")
                lvl = np_.find(_W + "ilvl")
                if nid is not None:
                    return nid.get(_W + "val"), int(lvl.get(_W + "val", "0")) if lvl is not None else 0
        return None


# ---------------------------------------------------------------- numbering


def _roman(n: int) -> str:
    vals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _letters(n: int) -> str:
    # Word: a..z, then aa..zz, aaa..
    if n <= 0:
        return ""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _fmt(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)  # decimal, ordinal, cardinalText... digits are what readers need


class Numbering:
    """Word automatic numbering: numbering.xml definitions + running counters."""

    def __init__(self, root):
        self.abstract: dict[str, dict[int, dict]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        for an in root.findall(_W + "abstractNum"):
            aid = an.get(_W + "abstractNumId")
            self.abstract[aid] = self._levels(an)
            link = an.find(_W + "numStyleLink")
            if link is not None:
                self.abstract[aid]["_link"] = link.get(_W + "val")
        for num in root.findall(_W + "num"):
            nid = num.get(_W + "numId")
            an = num.find(_W + "abstractNumId")
            overrides: dict[int, int] = {}
            for ov in num.findall(_W + "lvlOverride"):
                ilvl = int(ov.get(_W + "ilvl", "0"))
                so = ov.find(_W + "startOverride")
                if so is not None and (so.get(_W + "val") or "").isdigit():
                    overrides[ilvl] = int(so.get(_W + "val"))
                lvl = ov.find(_W + "lvl")
                if lvl is not None:
                    overrides.setdefault(-1 - ilvl, 0)
                    self.abstract.setdefault("ov:" + nid, {})[ilvl] = self._level(lvl)
            if an is not None:
                self.nums[nid] = (an.get(_W + "val"), overrides)

    @staticmethod
    def _level(lvl) -> dict:
        start = _val(lvl, "start", "1")
        return {"fmt": _val(lvl, "numFmt", "decimal"), "text": _val(lvl, "lvlText", ""),
                "start": int(start) if (start or "").lstrip("-").isdigit() else 1,
                "suff": _val(lvl, "suff", "tab"), "legal": lvl.find(_W + "isLgl") is not None}

    def _levels(self, an) -> dict[int, dict]:
        out: dict[int, dict] = {}
        for lvl in an.findall(_W + "lvl"):
            out[int(lvl.get(_W + "ilvl", "0"))] = self._level(lvl)
        return out

    def link_styles(self, styles: "Styles") -> None:
        """Resolve w:numStyleLink: a list style whose levels live in another abstractNum."""
        for aid, levels in list(self.abstract.items()):
            link = levels.get("_link")
            if not link:
                continue
            np_ = styles.num_pr(link)
            if np_ and np_[0] in self.nums:
                target = self.abstract.get(self.nums[np_[0]][0], {})
                for k, v in target.items():
                    if isinstance(k, int):
                        levels.setdefault(k, v)

    def _def(self, nid: str, ilvl: int) -> dict | None:
        ov = self.abstract.get("ov:" + nid, {})
        if ilvl in ov:
            return ov[ilvl]
        aid = self.nums.get(nid, (None, {}))[0]
        return self.abstract.get(aid, {}).get(ilvl)

    def label(self, nid: str | None, ilvl: int) -> str:
        """Advance the counter of (num, level) and render its lvlText ("Artikel %1", "%1.%2.")."""
        if not nid or nid == "0" or nid not in self.nums:
            return ""
        lvl = self._def(nid, ilvl)
        if lvl is None:
            return ""
        aid, overrides = self.nums[nid]
        # Counters are kept per abstract definition, as Word continues a list across num
        # instances of the same abstractNum unless a startOverride restarts it.
        key = aid
        counters = self.counters.setdefault(key, {})
        if nid not in self.counters.setdefault("_seen", {}):
            self.counters["_seen"][nid] = 1
            for lv, start in overrides.items():
                if lv >= 0:
                    counters[lv] = start - 1
                    for deeper in [k for k in counters if k > lv]:
                        del counters[deeper]
        counters[ilvl] = counters.get(ilvl, lvl["start"] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = lvl["text"] or ""
        if lvl["fmt"] == "bullet":
            return ""

        def sub(m):
            k = int(m.group(1)) - 1
            d = self._def(nid, k) or {"fmt": "decimal", "start": 1}
            n = counters.get(k, d["start"])
            fmt = "decimal" if lvl["legal"] else d["fmt"]
            return _fmt(n, fmt)

        return re.sub(r"%([1-9])", sub, text).strip()


# ---------------------------------------------------------------- body walk


class _Reader:
    def __init__(self, styles: Styles, numbering: Numbering):
        self.styles = styles
        self.numbering = numbering
        self.blocks: list[Block] = []

    def body(self, body) -> None:
        for child in body:
            self.element(child, in_table=False)

    def element(self, el, in_table: bool) -> None:
        tag = el.tag
        if tag == _W + "p":
            self.paragraph(el, in_table)
        elif tag == _W + "tbl":
            self.table(el)
        elif tag in (_W + "sdt", _W + "customXml", _W + "sdtContent", _W + "ins", _W + "moveTo",
                     _W + "smartTag"):
            for c in el:
                self.element(c, in_table)

    def table(self, tbl) -> None:
        for tr in tbl.iter(_W + "tr"):
            if _nearest_table(tr) is not tbl:
                continue  # rows of a nested table: handled by its own table() call below
            cells: list[str] = []
            for tc in tr:
                if tc.tag == _W + "sdt":
                    tcs = tc.findall(f"{_W}sdtContent/{_W}tc")
                else:
                    tcs = [tc] if tc.tag == _W + "tc" else []
                for cell in tcs:
                    parts: list[str] = []
                    for p in cell:
                        if p.tag == _W + "p":
                            t = self.para_text(p)[0]
                            if t:
                                parts.append(t)
                        elif p.tag == _W + "tbl":
                            self.table(p)
                    cells.append(" ".join(parts))
            if any(c.strip() for c in cells):
                if len(cells) == 1:
                    self.blocks.append(Block(text=cells[0].strip(), kind="table", source="table",
                                             style="table"))
                else:
                    self.blocks.append(Block(text="| " + " | ".join(c.strip() for c in cells) + " |",
                                             kind="table", source="table", style="table"))

    def para_text(self, p) -> tuple[str, list[tuple[str, bool, bool, float | None]]]:
        """Paragraph text with runs (text, bold, italic, size) for style decisions."""
        pstyle = _val(p.find(_W + "pPr"), "pStyle") or self.styles.default_para
        runs: list[tuple[str, bool, bool, float | None]] = []
        self._collect(p, pstyle, runs)
        text = "".join(r[0] for r in runs)
        return text.strip(), runs

    def _collect(self, el, pstyle, runs) -> None:
        for c in el:
            tag = c.tag
            if tag in _SKIP or not isinstance(tag, str):
                continue
            if tag == _W + "r":
                self._run(c, pstyle, runs)
            elif tag == _W + "p":  # never expected inline; text boxes are skipped above
                continue
            else:
                self._collect(c, pstyle, runs)

    def _run(self, r, pstyle, runs) -> None:
        rpr = r.find(_W + "rPr")
        rstyle = _val(rpr, "rStyle")
        vanish = _on(rpr, "vanish")
        if vanish is None:
            vanish = self.styles.run_prop("vanish", rstyle, pstyle)
        if vanish:
            return
        parts: list[str] = []
        for c in r:
            tag = c.tag
            if tag == _W + "t":
                parts.append(c.text or "")
            elif tag == _W + "tab" or tag == _W + "ptab":
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                if c.get(_W + "type") in (None, "textWrapping"):
                    parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "sym":
                continue
        text = "".join(parts)
        if not text:
            return
        bold = _on(rpr, "b")
        if bold is None:
            bold = self.styles.run_prop("b", rstyle, pstyle)
        italic = _on(rpr, "i")
        if italic is None:
            italic = self.styles.run_prop("i", rstyle, pstyle)
        size = None
        if rpr is not None:
            sz = rpr.find(_W + "sz")
            if sz is not None and (sz.get(_W + "val") or "").isdigit():
                size = int(sz.get(_W + "val")) / 2
        if size is None:
            size = self.styles.size(rstyle, pstyle)
        runs.append((text, bool(bold), bool(italic), size))

    def paragraph(self, p, in_table: bool) -> None:
        ppr = p.find(_W + "pPr")
        pstyle = _val(ppr, "pStyle")
        numpr = None
        if ppr is not None:
            np_ = ppr.find(_W + "numPr")
            if np_ is not None:
                nid = np_.find(_W + "numId")
                lvl = np_.find(_W + "ilvl")
                if nid is not None:
                    numpr = (nid.get(_W + "val"), int(lvl.get(_W + "val", "0")) if lvl is not None else 0)
                elif lvl is not None:
                    inherited = self.styles.num_pr(pstyle)
                    if inherited:
                        numpr = (inherited[0], int(lvl.get(_W + "val", "0")))
        if numpr is None:
            numpr = self.styles.num_pr(pstyle or self.styles.default_para)
        text, runs = self.para_text(p)
        if not text:
            return  # empty paragraphs do not advance Word's counters either
        style_name = self.styles.name(pstyle) if pstyle else None
        if style_name and _TOC_STYLE_RE.match(style_name) or is_toc_line(text):
            return  # table of contents: headings again, with page numbers
        label = self.numbering.label(*numpr) if numpr else ""
        level = self.styles.heading_level(pstyle) if pstyle else None
        if level is None and ppr is not None:
            ol = ppr.find(_W + "outlineLvl")  # outline level set on the paragraph itself
            if ol is not None and (ol.get(_W + "val") or "").isdigit() and int(ol.get(_W + "val")) < 9:
                level = int(ol.get(_W + "val")) + 1
        visible = [r for r in runs if r[0].strip()]
        bold = bool(visible) and all(r[1] for r in visible)
        italic = bool(visible) and all(r[2] for r in visible)
        sizes = [r[3] for r in visible if r[3]]
        size = max(set(sizes), key=sizes.count) if sizes else None
        if label:
            text = f"{label} {text}"
        # Soft line breaks inside one paragraph: split where a lid/onderdeel/heading starts.
        pieces = [re.sub(r"[ \t\u00a0]+", " ", s).strip() for s in text.split("\n")]
        pieces = [s for s in pieces if s]
        merged: list[str] = []
        for s in pieces:
            if merged and not starts_block(s):
                merged[-1] = merged[-1] + " " + s
            else:
                merged.append(s)
        for i, s in enumerate(merged):
            kind = "heading" if level is not None and i == 0 else "para"
            if in_table:
                kind = "table"
            self.blocks.append(Block(text=s, kind=kind, heading_level=level if kind == "heading" else None,
                                     bold=bold, italic=italic, font_size=size, style=style_name,
                                     source="table" if in_table else None))


def _nearest_table(el):
    p = el.getparent()
    while p is not None and p.tag != _W + "tbl":
        p = p.getparent()
    return p


# ---------------------------------------------------------------- entry point


def read_docx(path: Path, data: bytes, fmt: str = "docx") -> RawDocument:
    zf = _open_zip(data)
    with zf:
        root = _read_part(zf, "word/document.xml")
        styles = Styles(_read_part(zf, "word/styles.xml"))
        numbering = Numbering(_read_part(zf, "word/numbering.xml"))
        core = _read_part(zf, "docProps/core.xml")
    body = root.find(_W + "body")
    if body is None:
        raise DocumentError("Het Word-document heeft geen inhoud (geen w:body).", code="empty")
    numbering.link_styles(styles)
    reader = _Reader(styles, numbering)
    reader.body(body)
    metadata: dict = {}
    if core is not None:
        for el in core:
            local = etree.QName(el).localname
            if local in ("title", "created", "modified", "creator", "subject") and (el.text or "").strip():
                metadata[local if local != "creator" else "author"] = el.text.strip()
    warnings: list[str] = []
    if root.find(f".//{_W}ins") is not None or root.find(f".//{_W}del") is not None:
        warnings.append("Het Word-document bevat bijgehouden wijzigingen; gelezen is de tekst met alle "
                        "wijzigingen geaccepteerd.")
    # Manual "Artikel 3" in a plain bold paragraph stays kind "para" with bold=True: only a
    # style makes a heading; the structure parser decides from text + bold.
    return RawDocument(path=str(path), format="docx", blocks=reader.blocks, metadata=metadata,
                       warnings=warnings)
