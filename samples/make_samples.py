#!/usr/bin/env python3
"""Render the fictional municipality's source texts to DOCX and PDF, and write labels.

Sources live in samples/src/<name>.txt (one paragraph per line, the same convention as
the shared corpus; "| a | b |" lines are table rows) with the hand-written expectations
in samples/src/<name>.expect.yaml. The older APV for the ``diff`` demo lives in
samples/src/lindeveld-2019/ so that samples/src/*.txt is exactly one municipality's set.
Outputs go to samples/lindeveld/ (current documents) and samples/lindeveld-2019/ (the
older APV used by the ``diff`` demo).

The renderers are deliberately realistic rather than tidy: the APV DOCX uses real
heading styles, the Bibob DOCX uses bold plain paragraphs with manual numbering (as many
municipalities' drafts do), the PDFs carry running headers and "Pagina N van M" footers
and hyphenate some long compounds at line ends. tests/corpus/check/make.py reuses these
functions for the independent check corpus.

Usage:  python samples/make_samples.py [--only NAME] [--formats pdf,docx]
Needs python-docx, reportlab and pyyaml only (no network, no LibreOffice).
"""
from __future__ import annotations

import argparse
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"

# --------------------------------------------------------------------------------------
# Line classification
# --------------------------------------------------------------------------------------

RE_HOOFDSTUK = re.compile(r"^(Hoofdstuk|HOOFDSTUK)\s+[0-9IVXLC]+[A-Za-z]?\b")
RE_AFDELING = re.compile(r"^(Afdeling|AFDELING|Titel|TITEL)\s+[0-9IVXLC]+[A-Za-z]?\b")
RE_PARAGRAAF = re.compile(r"^(Paragraaf\s+\d+[a-z]?\b|§\s*\d+[a-z]?\b)")
# "Artikel 2:28 Title", "Art. 2.28 Title", "Artikel 2.3.1 Title", "Artikel 12 Title",
# "Artikel 2:31 [Vervallen]"
RE_ARTIKEL = re.compile(r"^(?:Artikel|ARTIKEL|Art\.)\s+(\d+(?:[:.]\d+)*[a-z]?)(?=\s|$|\.\s)")
# numbered section heading without trailing dot: "3 Reikwijdte", "3.1 Beschikkingen ..."
RE_SECTION = re.compile(r"^(\d+(?:\.\d+)*)\s+(?=[A-Z\u00C0-\u00DD])")
RE_TOELICHTING = re.compile(
    r"^(Toelichting|TOELICHTING|Algemene toelichting|Toelichting op de verordening|"
    r"Toelichting bij de [A-Za-z ]+)$"
)
RE_ITEM = re.compile(r"^(\d+\.|[a-z]\.|\d+°|[a-z]\))\s")
RE_SUBITEM = re.compile(r"^([a-z]\.|\d+°|[a-z]\))\s")


@dataclass
class Block:
    kind: str  # title, hoofdstuk, afdeling, paragraaf, artikel, section, para, item, table, toelichting
    text: str
    number: str | None = None
    level: int = 0
    in_toelichting: bool = False
    rows: list[list[str]] = field(default_factory=list)


def classify(lines: list[str], sections: bool) -> list[Block]:
    """Turn source lines into blocks. ``sections`` enables "3.1 Title" headings (policy
    documents); in an APV such lines do not occur and the option stays off."""
    blocks: list[Block] = []
    in_toel = False
    for i, raw in enumerate(lines):
        line = raw.rstrip()
        if not line.strip():
            continue
        if i == 0:
            blocks.append(Block("title", line))
            continue
        if line.startswith("| "):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", "", rows=[cells], in_toelichting=in_toel))
            continue
        if RE_TOELICHTING.match(line):
            in_toel = True
            blocks.append(Block("toelichting", line, level=1, in_toelichting=True))
            continue
        if RE_HOOFDSTUK.match(line):
            blocks.append(Block("hoofdstuk", line, level=1, in_toelichting=in_toel))
            continue
        if RE_AFDELING.match(line):
            blocks.append(Block("afdeling", line, level=2, in_toelichting=in_toel))
            continue
        if RE_PARAGRAAF.match(line):
            blocks.append(Block("paragraaf", line, level=2, in_toelichting=in_toel))
            continue
        m = RE_ARTIKEL.match(line)
        if m:
            blocks.append(Block("artikel", line, number=m.group(1), level=3, in_toelichting=in_toel))
            continue
        if sections:
            m = RE_SECTION.match(line)
            if m and len(line) < 140:
                depth = m.group(1).count(".") + 1
                blocks.append(Block("section", line, number=m.group(1), level=min(depth, 3),
                                    in_toelichting=in_toel))
                continue
        kind = "item" if RE_ITEM.match(line) else "para"
        blocks.append(Block(kind, line, in_toelichting=in_toel))
    return blocks


def article_numbers(blocks: list[Block]) -> list[str]:
    """The labelled `articles` list: every article/section number outside the toelichting,
    in document order, as printed."""
    out: list[str] = []
    for b in blocks:
        if b.in_toelichting:
            break
        if b.kind in ("artikel", "section") and b.number:
            out.append(b.number)
    return out


# --------------------------------------------------------------------------------------
# Document specifications
# --------------------------------------------------------------------------------------


@dataclass
class DocSpec:
    name: str                 # output base name
    src: Path                 # source .txt
    doctype: str              # apv, bibob, damocles, integriteit, agressie
    municipality: str
    short_title: str          # for the running header
    heading_mode: str = "styles"   # styles | bold (manual numbering in plain bold paragraphs)
    sections: bool = True     # numbered "3.1 Title" headings exist
    chapter_breaks: bool = False   # page break before each Hoofdstuk (APV)
    columns: int = 1          # 2 = two-column PDF layout (reading order test)
    expect: Path | None = None


def lindeveld_specs() -> list[DocSpec]:
    def s(name, doctype, short, **kw):
        return DocSpec(name=name, src=SRC / f"{name}.txt", doctype=doctype, municipality="Lindeveld",
                       short_title=short, expect=SRC / f"{name}.expect.yaml", **kw)
    return [
        s("apv-lindeveld-2024", "apv", "Algemene Plaatselijke Verordening Lindeveld 2024",
          sections=False, chapter_breaks=True),
        s("bibob-lindeveld-2023", "bibob", "Beleidsregel Bibob 2023", heading_mode="bold"),
        s("damocles-lindeveld-2021", "damocles", "Damoclesbeleid 2021"),
        s("gedragscode-lindeveld-2022", "integriteit", "Gedragscode integriteit 2022"),
        s("agressieprotocol-lindeveld-2023", "agressie", "Protocol agressie en geweld 2023"),
    ]


def lindeveld_2019_specs() -> list[DocSpec]:
    return [DocSpec(name="apv-lindeveld-2019", src=SRC / "lindeveld-2019" / "apv-lindeveld-2019.txt",
                    doctype="apv",
                    municipality="Lindeveld",
                    short_title="Algemene Plaatselijke Verordening Lindeveld 2019",
                    sections=False, chapter_breaks=True,
                    expect=SRC / "lindeveld-2019" / "apv-lindeveld-2019.expect.yaml")]


def read_blocks(spec: DocSpec) -> list[Block]:
    lines = spec.src.read_text(encoding="utf-8").splitlines()
    return classify(lines, spec.sections)


# --------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------


def _add_field(run, instr: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instr
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, text, sep, shown, end):
        run._r.append(el)


def render_docx(spec: DocSpec, blocks: list[Block], out: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)

    hp = sec.header.paragraphs[0]
    hp.text = f"Gemeente {spec.municipality}\t\t{spec.short_title}"
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.add_run("Pagina ")
    _add_field(fp.add_run(), "PAGE")
    fp.add_run(" van ")
    _add_field(fp.add_run(), "NUMPAGES")

    first_chapter = True
    for b in blocks:
        if b.kind == "title":
            if spec.heading_mode == "bold":
                # drafts without any outline styles: even the title is just big bold text
                r = doc.add_paragraph().add_run(b.text)
                r.bold = True
                r.font.size = Pt(16)
            else:
                doc.add_paragraph(b.text, style="Title")
        elif b.kind == "table":
            ncols = max(len(r) for r in b.rows)
            table = doc.add_table(rows=len(b.rows), cols=ncols)
            table.style = "Table Grid"
            for ri, row in enumerate(b.rows):
                for ci in range(ncols):
                    cell = table.cell(ri, ci)
                    cell.text = row[ci] if ci < len(row) else ""
                    if ri == 0:
                        for r in cell.paragraphs[0].runs:
                            r.bold = True
            doc.add_paragraph("")
        elif b.kind in ("hoofdstuk", "afdeling", "paragraaf", "artikel", "section", "toelichting"):
            if spec.chapter_breaks and (b.kind == "toelichting" or
                                        (b.kind == "hoofdstuk" and not b.in_toelichting)):
                if not first_chapter:
                    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                first_chapter = False
            if b.in_toelichting and b.kind != "toelichting":
                # headings inside the explanatory notes: emphasised text, not outline levels
                p = doc.add_paragraph()
                r = p.add_run(b.text)
                r.bold = True
                r.italic = True
            elif spec.heading_mode == "bold":
                p = doc.add_paragraph()
                r = p.add_run(b.text)
                r.bold = True
                if b.level == 1:
                    r.font.size = Pt(12)
                p.paragraph_format.keep_with_next = True
                p.paragraph_format.space_before = Pt(10 if b.level == 1 else 6)
            else:
                doc.add_heading(b.text, level=b.level or 1)
        else:
            p = doc.add_paragraph(b.text)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            if b.kind == "item":
                deep = bool(RE_SUBITEM.match(b.text))
                p.paragraph_format.left_indent = Cm(1.6 if deep else 0.8)
                p.paragraph_format.first_line_indent = Cm(-0.8)
    doc.core_properties.title = spec.short_title
    doc.core_properties.author = f"Gemeente {spec.municipality}"
    doc.core_properties.last_modified_by = f"Gemeente {spec.municipality}"
    doc.core_properties.created = doc.core_properties.modified = _FIXED_DATE
    doc.core_properties.revision = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    _normalise_zip(out)


# Fixed timestamps keep regenerated files byte-identical, so the lead's commits show only
# real changes.
_FIXED_DATE = datetime(2024, 1, 25, 12, 0, 0)


def _normalise_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as zin:
        items = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 25, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------

# Second halves of Dutch compounds at which a long word may be broken at a line end.
# Real municipal PDFs come out of Word with hyphenation switched on; a reader that does
# not rejoin "exploitatie-\nvergunning" loses exactly the words the rules look for.
_COMPOUND_TAILS = sorted({
    "vergunning", "vergunningen", "verordening", "gedrag", "levensgedrag", "bedrijf",
    "bedrijven", "inrichting", "inrichtingen", "ondermijning", "beoordelingen", "gebied",
    "gebieden", "risicogebied", "regeling", "automaten", "automatenhal", "hallen",
    "handelingen", "hoeveelheid", "beschikking", "beschikkingen", "transacties",
    "verklaring", "werkzaamheden", "verstrengeling", "persoon", "personen", "klimaat",
    "toezicht", "sluiting", "lokaliteit", "rechtspersoon", "rechtspersonen", "verbod",
    "ontzegging", "terrein", "terreinen", "horecawet", "schendingen", "protocol",
    "instrumenten", "plaatsen", "activiteit", "activiteiten", "orgaan", "plan", "meester",
    "gebouw", "gebouwen", "manifestaties", "maatregelen", "verblijf", "verblijven", "handel",
    "eigenaar", "overlast", "omstandigheden", "voorschriften", "aanwijzing", "vereniging",
    "verenigingen", "document", "documentatie", "registers", "medewerker", "medewerkers",
    "beleid", "overtreding", "wanordelijkheden", "leidinggevende", "leidinggevenden",
}, key=len, reverse=True)


def dutch_hyphenator(word: str):
    """pyphen-style iterator of (head, tail) pairs, longest head first."""
    low = word.lower()
    pairs = []
    for tail in _COMPOUND_TAILS:
        if low.endswith(tail) and len(low) - len(tail) >= 4:
            cut = len(word) - len(tail)
            if word[cut - 1].isalpha():
                pairs.append((word[:cut], word[cut:]))
    seen = set()
    for h, t in sorted(pairs, key=lambda p: -len(p[0])):
        if h not in seen:
            seen.add(h)
            yield h, t


def _styles():
    from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=12, leading=17,
                          alignment=TA_JUSTIFY, spaceAfter=5, hyphenationLang=dutch_hyphenator,
                          embeddedHyphenation=1, hyphenationMinWordLength=8)
    item = ParagraphStyle("item", parent=body, leftIndent=20, firstLineIndent=-20, spaceAfter=3)
    sub = ParagraphStyle("sub", parent=body, leftIndent=40, firstLineIndent=-20, spaceAfter=3)
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=17, leading=22,
                           alignment=TA_LEFT, spaceAfter=16)
    h = {
        1: ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=13.5, leading=18,
                          spaceBefore=14, spaceAfter=8, keepWithNext=1),
        2: ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=12, leading=16,
                          spaceBefore=10, spaceAfter=6, keepWithNext=1),
        3: ParagraphStyle("h3", fontName="Times-Bold", fontSize=12, leading=16,
                          spaceBefore=8, spaceAfter=4, keepWithNext=1),
    }
    toel = ParagraphStyle("toelh", fontName="Times-BoldItalic", fontSize=11.5, leading=15.5,
                          spaceBefore=6, spaceAfter=3, keepWithNext=1)
    cell = ParagraphStyle("cell", fontName="Times-Roman", fontSize=10, leading=12.5)
    cellb = ParagraphStyle("cellb", parent=cell, fontName="Times-Bold")
    return body, item, sub, title, h, toel, cell, cellb


def deferred_canvas(decorate):
    """A reportlab Canvas class that draws each page's header and footer only when the page
    count is known: decorate(canvas, page_number, total) ("Pagina N van M")."""
    from reportlab.pdfgen import canvas

    class DeferredCanvas(canvas.Canvas):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self._saved = []

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self.saveState()
                decorate(self, self._pageNumber, total)
                self.restoreState()
                super().showPage()
            super().save()

    return DeferredCanvas


def _numbered_canvas(municipality: str, short_title: str):
    from reportlab.lib.units import cm

    def decorate(c, page: int, total: int) -> None:
        w, h = c._pagesize
        c.setFont("Helvetica-Bold", 9)
        c.drawString(2.5 * cm, h - 1.5 * cm, f"Gemeente {municipality}")
        c.setFont("Helvetica", 9)
        c.drawRightString(w - 2.5 * cm, h - 1.5 * cm, short_title)
        c.setLineWidth(0.5)
        c.line(2.5 * cm, h - 1.7 * cm, w - 2.5 * cm, h - 1.7 * cm)
        c.drawCentredString(w / 2, 1.3 * cm, f"Pagina {page} van {total}")

    return deferred_canvas(decorate)


def render_pdf(spec: DocSpec, blocks: list[Block], out: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import (BaseDocTemplate, Frame, PageBreak, PageTemplate, Paragraph,
                                    SimpleDocTemplate, Spacer, Table, TableStyle)

    body, item, sub, title, h, toel, cell, cellb = _styles()
    story = []
    first_chapter = True
    for b in blocks:
        txt = escape(b.text)
        if b.kind == "title":
            story.append(Paragraph(txt, title))
        elif b.kind == "table":
            ncols = max(len(r) for r in b.rows)
            data = [[Paragraph(escape(r[c]) if c < len(r) else "", cellb if i == 0 else cell)
                     for c in range(ncols)] for i, r in enumerate(b.rows)]
            width = (A4[0] - 5.4 * cm) / spec.columns - (0.4 * cm if spec.columns > 1 else 0)
            first = width * 0.44
            rest = (width - first) / max(1, ncols - 1)
            t = Table(data, colWidths=[first] + [rest] * (ncols - 1), repeatRows=1)
            t.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story += [Spacer(1, 4), t, Spacer(1, 8)]
        elif b.kind in ("hoofdstuk", "afdeling", "paragraaf", "artikel", "section", "toelichting"):
            if spec.chapter_breaks and (b.kind == "toelichting" or
                                        (b.kind == "hoofdstuk" and not b.in_toelichting)):
                if not first_chapter:
                    story.append(PageBreak())
                first_chapter = False
            if b.in_toelichting and b.kind != "toelichting":
                story.append(Paragraph(txt, toel))
            else:
                story.append(Paragraph(txt, h[b.level or 1]))
        else:
            style = body
            if b.kind == "item":
                # onderdelen (a., b., 1°) sit one step deeper than leden (1., 2.)
                style = sub if RE_SUBITEM.match(b.text) else item
            story.append(Paragraph(txt, style))
    out.parent.mkdir(parents=True, exist_ok=True)
    margins = dict(invariant=1, leftMargin=2.7 * cm, rightMargin=2.7 * cm, topMargin=2.6 * cm,
                   bottomMargin=2.2 * cm, title=spec.short_title,
                   author=f"Gemeente {spec.municipality}")
    if spec.columns == 2:
        # Gemeenteblad-style two columns: text must be read column by column, not across.
        doc = BaseDocTemplate(str(out), pagesize=A4, **margins)
        gap = 0.8 * cm
        w = (doc.width - gap) / 2
        frames = [Frame(doc.leftMargin, doc.bottomMargin, w, doc.height, id="left"),
                  Frame(doc.leftMargin + w + gap, doc.bottomMargin, w, doc.height, id="right")]
        doc.addPageTemplates([PageTemplate(id="twocol", frames=frames)])
    else:
        doc = SimpleDocTemplate(str(out), pagesize=A4, **margins)
    doc.build(story, canvasmaker=_numbered_canvas(spec.municipality, spec.short_title))


# --------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------


class _FlowList(list):
    pass


def _flow_repr(dumper, data):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


yaml.add_representer(_FlowList, _flow_repr, Dumper=yaml.SafeDumper)


def labels_yaml(doctype: str, municipality: str, articles: list[str], expect: dict) -> str:
    """Contract label format; `articles` and `locations` written as flow lists."""
    exp = {}
    for rid, e in expect.items():
        entry = {"status": e["status"]}
        if e.get("locations"):
            entry["locations"] = _FlowList(str(x) for x in e["locations"])
        entry["why"] = e["why"]
        exp[rid] = entry
    data = {"type": doctype, "municipality": municipality, "articles": _FlowList(articles),
            "expect": exp}
    return yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True, width=100)


def write_labels(spec: DocSpec, blocks: list[Block], out: Path) -> None:
    expect = yaml.safe_load(spec.expect.read_text(encoding="utf-8"))
    out.write_text(labels_yaml(spec.doctype, spec.municipality, article_numbers(blocks), expect),
                   encoding="utf-8")


def build(spec: DocSpec, out_dir: Path, formats: tuple[str, ...]) -> list[Path]:
    blocks = read_blocks(spec)
    made = []
    if "docx" in formats:
        p = out_dir / f"{spec.name}.docx"
        render_docx(spec, blocks, p)
        made.append(p)
    if "pdf" in formats:
        p = out_dir / f"{spec.name}.pdf"
        render_pdf(spec, blocks, p)
        made.append(p)
    if spec.expect is not None:
        p = out_dir / f"{spec.name}.labels.yaml"
        write_labels(spec, blocks, p)
        made.append(p)
    return made



def corpus_spec(txt: Path, labels: dict, opts: dict) -> DocSpec:
    """DocSpec for a labelled test-corpus document (tests/corpus/make.py)."""
    title = txt.read_text(encoding="utf-8").splitlines()[0].strip()
    return DocSpec(
        name=txt.stem, src=txt, doctype=labels["type"], municipality=labels["municipality"],
        short_title=title, heading_mode=opts.get("heading_mode", "styles"),
        # numbered "3.1 Title" headings occur in policy documents, never in these APVs
        sections=labels["type"] != "apv", chapter_breaks=opts.get("chapter_breaks", False),
        columns=opts.get("columns", 1),
    )


def maintain_corpus(folder: Path, render: dict[str, dict], labels_only: bool = False,
                    recompute_labels: bool = True) -> int:
    """Recompute every labels file's `articles` from its .txt (keeping `expect`) unless the
    lists are hand-written, and render the documents listed in `render` to the formats
    given there (tests/corpus/make.py)."""
    import sys

    root = folder.parents[2]
    for txt in sorted(folder.glob("*.txt")):
        lab_path = folder / f"{txt.stem}.labels.yaml"
        if not lab_path.exists():
            print(f"skip {txt.name}: no labels", file=sys.stderr)
            continue
        labels = yaml.safe_load(lab_path.read_text(encoding="utf-8"))
        spec = corpus_spec(txt, labels, render.get(txt.stem, {}))
        blocks = read_blocks(spec)
        if recompute_labels:
            lab_path.write_text(labels_yaml(labels["type"], labels["municipality"], article_numbers(blocks),
                                            labels["expect"]), encoding="utf-8")
            print(lab_path.relative_to(root))
        if labels_only or txt.stem not in render:
            continue
        for fmt in render[txt.stem]["formats"]:
            out = folder / f"{txt.stem}.{fmt}"
            (render_docx if fmt == "docx" else render_pdf)(spec, blocks, out)
            print(out.relative_to(root))
    return 0

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="build only the document with this base name")
    ap.add_argument("--formats", default="pdf,docx")
    args = ap.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    jobs = [(s, HERE / "lindeveld") for s in lindeveld_specs()]
    jobs += [(s, HERE / "lindeveld-2019") for s in lindeveld_2019_specs()]
    for spec, out_dir in jobs:
        if args.only and spec.name != args.only:
            continue
        for p in build(spec, out_dir, formats):
            print(p.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
