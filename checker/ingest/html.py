"""HTML / XHTML / XML reader, including CVDR publications (lokaleregelgeving.overheid.nl).

CVDR XML (cvdr/meta/body/regeling/regeling-tekst/hoofdstuk/artikel/kop/lid/al/lijst/li)
is rendered the way the published page reads: one heading block per kop ("Artikel 2:28
Exploitatievergunning"), one block per lid ("1. ...") and per li ("a. ..."). HTML: h1-h6
are headings, p/li/td... are blocks, the "Wetstechnische informatie" metadata block is
dropped. All parsing is without DTDs, entity expansion or network access (no XXE).
"""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import DocumentError
from ..model import Block, RawDocument
from .layout import starts_block

MAX_MARKUP_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 200

_WS = re.compile(r"[ \t\r\n\u00a0\x0b]+")
_WS_NO_NL = re.compile(r"[ \t\r\u00a0]+")
_ENUM_LABEL = re.compile(r"^(?:[0-9]{1,3}[a-z]?|[a-z]{1,2}|[ivxlc]{1,6}|[0-9]{1,2}°)[.)°]?$")


def _clean(s: str) -> str:
    return _WS.sub(" ", s or "").strip()


def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True, recover=False)


def _depth_error() -> DocumentError:
    return DocumentError(f"Het document is te diep genest (meer dan {MAX_DEPTH} niveaus) en wordt "
                         "niet gelezen.", code="too_large")


def _check_depth(root) -> None:
    """Iterative depth check: the walkers below recurse, hostile files nest deeply."""
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        if d > MAX_DEPTH:
            raise _depth_error()
        stack.extend((c, d + 1) for c in el)


# ---------------------------------------------------------------- CVDR / BWB XML

# Elements that carry a <kop> and the label to use when the kop has none.
_DIVISIONS = {
    "boek": ("Boek", 1), "deel": ("Deel", 1), "titeldeel": ("Titel", 1), "hoofdstuk": ("Hoofdstuk", 2),
    "afdeling": ("Afdeling", 3), "paragraaf": ("Paragraaf", 4), "subparagraaf": ("Paragraaf", 5),
    "sub-paragraaf": ("Paragraaf", 5), "artikel": ("Artikel", 6), "circulaire.divisie": ("", 4),
    "divisie": ("", 4), "bijlage": ("Bijlage", 2), "toelichting": ("Toelichting", 2),
    "artikelsgewijs": ("", 3), "algemeen": ("", 3), "nota-toelichting": ("Toelichting", 2),
    "enig-artikel": ("Artikel", 6),
}
_SKIP_XML = {"meta", "meta-data", "metadata", "owmskern", "owmsmantel", "cvdripm", "redactie",
             "redactionele-correcties", "wetstechnische-informatie", "plaatje", "illustratie",
             "head", "script", "style"}
_CONTAINERS = {"cvdr", "body", "regeling", "regeling-tekst", "wettekst", "wet-besluit", "circulaire",
               "circulaire-tekst", "aanhef", "considerans", "wij", "afkondiging", "regeling-sluiting",
               "wetsluiting", "slotformulering", "ondertekening", "tekst", "toestand", "wetgeving",
               "gemeenteblad", "context", "nota", "inhoud", "bijlagen", "divisietekst", "regeling-bijlage"}
_PARAS = {"al", "considerans.al", "context.al", "tussenkop", "intitule", "citeertitel", "dagtekening",
          "functie", "naam", "plaats", "datum", "slotzin", "p", "aanhef.al", "wij.al", "al-groep"}


def _inline_text(el, skip_blocks: bool = True) -> str:
    """Text of an element with its inline children, leaving out nested lists/tables."""
    parts = [el.text or ""]
    for c in el:
        name = _local(c.tag)
        if name and (not skip_blocks or name not in ("lijst", "tabel", "table", "li", "al")):
            if name not in _SKIP_XML and name not in ("noot", "li.nr", "lidnr"):
                parts.append(_inline_text(c, skip_blocks))
        parts.append(c.tail or "")
    return "".join(parts)


def _label(nr: str) -> str:
    nr = _clean(nr)
    if not nr:
        return ""
    if nr[-1] in ".)°:":
        return nr
    return nr + "."


class _CvdrReader:
    def __init__(self):
        self.blocks: list[Block] = []

    def add(self, text: str, kind: str = "para", level: int | None = None, style: str | None = None):
        text = _clean(text)
        if text:
            self.blocks.append(Block(text=text, kind=kind, heading_level=level, style=style, source="cvdr"))

    def walk(self, el, prefix: str = "") -> str:
        """Render el; `prefix` ("1.", "a.") goes before the first paragraph. Returns unused prefix."""
        name = _local(el.tag)
        if not name or name in _SKIP_XML:
            return prefix
        if name in _DIVISIONS:
            self.division(el, name)
            return prefix
        if name == "kop":
            self.kop(el, "")
            return prefix
        if name == "lid":
            nr = el.find("{*}lidnr")
            if nr is None:
                nr = el.find("lidnr")
            label = _label(nr.text if nr is not None else el.get("nr", "") or "")
            self.children(el, label)
            return prefix
        if name == "li":
            nr = el.find("{*}li.nr")
            if nr is None:
                nr = el.find("li.nr")
            label = _label(_inline_text(nr) if nr is not None else el.get("nr", "") or "")
            self.children(el, label)
            return prefix
        if name in ("tabel", "table"):
            self.table(el)
            return prefix
        if name in ("lidnr", "li.nr", "label", "nr"):
            return prefix
        if name in _PARAS:
            text = _inline_text(el)
            if _clean(text):
                kind = "heading" if name in ("tussenkop", "intitule") else "para"
                self.add(f"{prefix} {text}" if prefix else text, kind=kind,
                         level=0 if name == "intitule" else (7 if kind == "heading" else None), style=name)
                prefix = ""
            # lists/tables nested inside an al
            for c in el:
                if _local(c.tag) in ("lijst", "tabel", "table"):
                    self.walk(c)
            return prefix
        return self.children(el, prefix)

    def children(self, el, prefix: str = "") -> str:
        own = _clean(el.text or "")
        if own and _local(el.tag) not in _CONTAINERS and _local(el.tag) not in ("lijst",):
            self.add(f"{prefix} {own}" if prefix else own)
            prefix = ""
        for c in el:
            prefix = self.walk(c, prefix)
        if prefix:  # a numbered lid/li without text of its own
            self.add(prefix)
        return ""

    def kop(self, kop, default_label: str, level: int | None = None) -> bool:
        parts = {}
        for c in kop:
            parts[_local(c.tag)] = _clean(_inline_text(c))
        if parts:
            label = parts.get("label", default_label)
            text = " ".join(p for p in (label, parts.get("nr", ""), parts.get("titel", "")) if p)
        else:
            text = _clean(_inline_text(kop))
        if not text:
            return False
        self.add(text, kind="heading", level=level, style="kop")
        return True

    def division(self, el, name: str) -> None:
        default_label, level = _DIVISIONS[name]
        kop = el.find("{*}kop")
        if kop is None:
            kop = el.find("kop")
        # kop as attributes (label="Artikel" nr="8" titel="...") on the element itself
        if kop is None and (el.get("nr") or el.get("titel")):
            text = " ".join(p for p in (el.get("label", default_label), el.get("nr", ""), el.get("titel", "")) if p)
            self.add(text, kind="heading", level=level, style="kop")
        elif kop is None and name in ("toelichting", "bijlage", "nota-toelichting"):
            self.add(default_label, kind="heading", level=level, style=name)
        elif kop is not None:
            if not self.kop(kop, default_label, level) and name in ("toelichting", "bijlage"):
                self.add(default_label, kind="heading", level=level, style=name)
        for c in el:
            if c is not kop:
                self.walk(c)

    def table(self, el) -> None:
        for row in el.iter("{*}row", "row", "{*}tr", "tr"):
            cells = [_clean(_inline_text(c, skip_blocks=False)) for c in row
                     if _local(c.tag) in ("entry", "td", "th")]
            if any(cells):
                text = cells[0] if len(cells) == 1 else "| " + " | ".join(cells) + " |"
                self.blocks.append(Block(text=text, kind="table", style="table", source="cvdr"))


def _read_xml(path: Path, data: bytes) -> RawDocument:
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as e:
        msg = str(e)
        if "depth" in msg.lower() or "huge" in msg.lower():
            raise _depth_error() from None
        raise DocumentError(f"Het XML-bestand is ongeldig of beschadigd ({e.msg}).", code="unreadable") from None
    if root is None:
        raise DocumentError("Het XML-bestand is leeg.", code="empty")
    _check_depth(root)
    if _local(root.tag) == "html":
        return _read_html_tree(path, root, fmt="xml")
    metadata: dict = {}
    for el in root.iter("{*}title", "title", "{*}citeertitel", "citeertitel"):
        t = _clean(_inline_text(el, skip_blocks=False))
        if t:
            metadata["title"] = t
            break
    for tag, key in (("issued", "issued"), ("inwerkingtredingDatum", "in_force_date"),
                     ("uitwerkingtredingDatum", "out_of_force"), ("creator", "creator"),
                     ("identifier", "identifier")):
        el = next(iter(root.iter("{*}" + tag, tag)), None)
        if el is not None and _clean(el.text or ""):
            metadata[key] = _clean(el.text)
    reader = _CvdrReader()
    reader.walk(root)
    blocks = reader.blocks
    has_title = any(b.style in ("intitule", "citeertitel") for b in blocks[:5])
    if metadata.get("title") and not has_title and blocks and blocks[0].text != metadata["title"]:
        blocks.insert(0, Block(text=metadata["title"], kind="heading", heading_level=0, style="title",
                               source="cvdr"))
    return RawDocument(path=str(path), format="xml", blocks=blocks, metadata=metadata)


# ---------------------------------------------------------------- HTML

_H_LEVEL = {f"h{i}": i for i in range(1, 7)}
_HTML_SKIP = {"script", "style", "nav", "noscript", "template", "head", "svg", "iframe", "button",
              "form", "select", "object", "canvas", "math", "map"}
_HTML_BLOCK = {"p", "li", "dd", "dt", "blockquote", "pre", "caption", "figcaption", "address",
               "summary", "legend"} | set(_H_LEVEL)
_HTML_CONTAINER = {"html", "body", "div", "section", "article", "main", "ul", "ol", "dl", "table",
                   "thead", "tbody", "tfoot", "header", "footer", "aside", "figure", "details",
                   "fieldset", "center", "hgroup", "menu"}
_DROP_CLASS = re.compile(r"wetstechnische|\bwti\b|metadata|breadcrumb|cookie|skiplink|sr-only|print-only",
                         re.I)


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                 (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= v:
            out += s
            n -= v
    return out


# Published regulations mark a heading's parts as adjacent spans with no space between
# them: <span class="artikel_kop_label">Artikel</span><span class="artikel_kop_nr">1</span>
# <span class="artikel_kop_titel">Begripsbepalingen</span>. A reader must not glue those
# into "Artikel1Begripsbepalingen".
_FIELD_CLASS = re.compile(r"(?:^|[_\s-])(?:nr|nummer|number|label|titel|title|kop)(?:$|[_\s-])", re.I)


def _glue(parts: list[str], text: str, field: bool) -> None:
    if not text:
        return
    prev = next((p for p in reversed(parts) if p), "")
    if prev and prev[-1:].isalnum() and text[:1].isalnum() and (
            field or (prev[-1].isalpha() and text[0].isdigit()) or (prev[-1].isdigit() and text[0].isupper())):
        parts.append(" ")
    parts.append(text)


class _HtmlReader:
    def __init__(self):
        self.blocks: list[Block] = []
        self.pending_label = ""
        self.skip_level: int | None = None

    def add(self, text: str, kind: str = "para", level: int | None = None, style: str | None = None,
            bold: bool = False):
        text = re.sub(r"[ \t\r\u00a0]*\n[ \t\r\n\u00a0]*", "\n", text.replace("\n", " ").replace("\x0b", "\n"))
        text = _WS_NO_NL.sub(" ", text).strip()
        if not text:
            return
        if kind != "heading" and _ENUM_LABEL.match(text) and len(text) <= 5:
            # "<span class='lidnr'>1</span><p>...</p>": the number belongs to the next block
            self.pending_label = _label(text)
            return
        if self.pending_label:
            text = f"{self.pending_label} {text}"
            self.pending_label = ""
        # <br> inside one element: a new block only where a lid/onderdeel/heading starts
        pieces = [_clean(s) for s in text.split("\n")]
        merged: list[str] = []
        for s in pieces:
            if not s:
                continue
            if merged and (kind == "heading" or not starts_block(s)):
                merged[-1] += " " + s
            else:
                merged.append(s)
        for s in merged:
            self.blocks.append(Block(text=s, kind=kind, heading_level=level, style=style, bold=bold))

    def dropped(self, el) -> bool:
        name = _local(el.tag)
        if name in _HTML_SKIP:
            return True
        cls = " ".join(filter(None, (el.get("class"), el.get("id"))))
        if cls and _DROP_CLASS.search(cls):
            return True
        if el.get("hidden") is not None or el.get("aria-hidden") == "true":
            return True
        if (el.get("role") or "").lower() in ("navigation", "banner", "contentinfo", "search", "menu"):
            return True
        if name in ("header", "footer") and next(el.iter("nav", "{*}nav", "form", "{*}form"), None) is not None:
            return True  # site chrome, not the regulation's own header
        return False

    def text_of(self, el) -> str:
        parts = [el.text or ""]
        for c in el:
            name = _local(c.tag)
            if name and not self.dropped(c):
                if name == "br":
                    parts.append("\x0b")  # a hard break; source newlines are just whitespace
                else:
                    _glue(parts, self.text_of(c), bool(_FIELD_CLASS.search(c.get("class") or "")))
            _glue(parts, c.tail or "", False)
        return "".join(parts)

    def has_heading(self, el, level: int) -> bool:
        return any(_local(c.tag) in _H_LEVEL and _H_LEVEL[_local(c.tag)] <= level for c in el.iter())

    def has_block_child(self, el) -> bool:
        for c in el.iter():
            if c is not el and _local(c.tag) in (_HTML_BLOCK | _HTML_CONTAINER | {"tr", "td", "th"}):
                return True
        return False

    def walk(self, el, ol_label: str = "") -> None:
        name = _local(el.tag)
        if not name or self.dropped(el):
            return
        if self.skip_level is not None:
            # inside the metadata section: skip until a heading of the same or a higher level
            if name in _H_LEVEL and _H_LEVEL[name] <= self.skip_level:
                self.skip_level = None
            elif name in _H_LEVEL or not self.has_heading(el, self.skip_level):
                return
        if name in _H_LEVEL and _clean(self.text_of(el)).lower() in ("wetstechnische informatie",
                                                                      "wetstechnische gegevens"):
            self.skip_level = _H_LEVEL[name]
            return
        if name in _H_LEVEL:
            self.add(self.text_of(el), kind="heading", level=_H_LEVEL[name], style=name)
            return
        if name == "table":
            self.table(el)
            return
        if name in ("ol", "ul"):
            self.list_(el, name)
            return
        if name in _HTML_BLOCK and not self.has_block_child(el):
            text = self.text_of(el).strip(" \t\r\n\u00a0")
            if ol_label and text and not re.match(r"^\(?[0-9a-z]{1,4}[.)°]\s", _clean(text)):
                text = f"{ol_label} {text}"
            bold = bool(text) and all(_local(c.tag) in ("b", "strong") for c in el) and not _clean(el.text or "") \
                and len(el) > 0
            self.add(text, kind="para", style=name, bold=bold)
            return
        # container or a block with nested blocks: inline runs become blocks of their own
        run: list[str] = [el.text or ""]
        first = True
        for c in el:
            cname = _local(c.tag)
            if cname in _HTML_BLOCK or cname in _HTML_CONTAINER or cname in ("table", "tr", "td", "th") \
                    or (cname and self.has_block_child(c)):
                label = ol_label if first else ""
                txt = "".join(run)
                if _clean(txt):
                    self.add(f"{label} {txt}" if label else txt, style=name)
                    label = ""
                run = []
                self.walk(c, label)
                first = False
            elif cname and not self.dropped(c):
                run.append(self.text_of(c) if cname != "br" else "\x0b")
            run.append(c.tail or "")
        txt = "".join(run)
        if _clean(txt):
            self.add(f"{ol_label} {txt}" if ol_label and first else txt, style=name)

    def list_(self, el, name: str) -> None:
        start = el.get("start", "1")
        n = int(start) if start.lstrip("-").isdigit() else 1
        typ = el.get("type", "1")
        for li in el:
            if _local(li.tag) != "li":
                self.walk(li)
                continue
            label = ""
            if name == "ol":
                v = li.get("value")
                if v and v.isdigit():
                    n = int(v)
                label = (chr(ord("a") + (n - 1) % 26) if typ == "a" else chr(ord("A") + (n - 1) % 26)
                         if typ == "A" else _roman(n) if typ == "i" else _roman(n).upper() if typ == "I"
                         else str(n)) + "."
                n += 1
            self.walk(li, label)

    def table(self, el) -> None:
        for tr in el.iter("tr", "{*}tr"):
            cells = [_clean(self.text_of(c)) for c in tr if _local(c.tag) in ("td", "th")]
            if any(cells):
                text = cells[0] if len(cells) == 1 else "| " + " | ".join(cells) + " |"
                self.blocks.append(Block(text=text, kind="table", style="table", source="table"))


_WTI_KEYS = {"officiële naam regeling": "title", "citeertitel": "citation_title",
             "datum inwerkingtreding": "in_force_date", "organisatie": "organisation",
             "datum ondertekening": "adopted", "datum vaststelling": "adopted"}
_NL_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def _wti_metadata(root) -> dict:
    """Fields of the 'Wetstechnische informatie' table (dropped from the text, kept as metadata)."""
    out: dict = {}
    for tr in root.iter("tr", "{*}tr"):
        cells = [c for c in tr if _local(c.tag) in ("td", "th")]
        if len(cells) != 2:
            continue
        key = _WTI_KEYS.get(_clean("".join(cells[0].itertext())).lower().rstrip(":"))
        value = _clean("".join(cells[1].itertext()))
        if key and value and key not in out:
            m = _NL_DATE.match(value)
            out[key] = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else value
    return out


def _read_html_tree(path: Path, root, fmt: str) -> RawDocument:
    metadata: dict = {}
    for t in root.iter("title", "{*}title"):
        if _clean(t.text or ""):
            metadata["title"] = _clean(t.text)
            break
    for m in root.iter("meta", "{*}meta"):
        name = (m.get("name") or m.get("property") or "").lower()
        if name in ("dcterms.title", "dc.title", "og:title") and m.get("content") and "title" not in metadata:
            metadata["title"] = _clean(m.get("content"))
    metadata.update(_wti_metadata(root))
    body = next(iter(root.iter("body", "{*}body")), root)
    reader = _HtmlReader()
    reader.walk(body)
    if reader.pending_label:
        reader.blocks.append(Block(text=reader.pending_label))
    return RawDocument(path=str(path), format=fmt, blocks=reader.blocks, metadata=metadata)


def _read_html(path: Path, data: bytes) -> RawDocument:
    from lxml import html as lhtml

    parser = lhtml.HTMLParser(no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = lhtml.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise DocumentError(f"Het HTML-bestand kan niet worden gelezen ({e}).", code="unreadable") from None
    _check_depth(root)
    return _read_html_tree(path, root, fmt="html")


def read_markup(path: Path, data: bytes, fmt: str) -> RawDocument:
    if len(data) > MAX_MARKUP_BYTES:
        raise DocumentError(f"Het {fmt.upper()}-bestand is te groot ({len(data) // (1024 * 1024)} MB; "
                            f"maximaal {MAX_MARKUP_BYTES // (1024 * 1024)} MB).", code="too_large")
    if fmt == "xml":
        return _read_xml(path, data)
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith(b"<?xml") and b"<html" in head and b"xhtml" in head:
        # XHTML: parse as XML (safe parser) so namespaces and structure survive; fall back to HTML
        try:
            root = etree.fromstring(data, _xml_parser())
        except etree.XMLSyntaxError as e:
            if "depth" in str(e).lower():
                raise _depth_error() from None
            root = None
        if root is not None:
            _check_depth(root)
            return _read_html_tree(path, root, fmt="html")
    return _read_html(path, data)
