#!/usr/bin/env python3
"""Build the real-text structure corpus: src/NAME.md -> NAME.txt/.docx/.pdf/.html + NAME.labels.yaml.

The sources are real Dutch regulations and policy texts (national laws, besluiten and
beleidsregels from the laws-markdown corpus of Dutch legislation, a municipal
marktverordening), kept in a small markdown form close to how they were published:

    ## Title                     the document title
    ### Artikel 12a               a structural heading (article, division, numbered section)
    #### Title text               the title printed with the heading above
    | a | b |                     a table row
    anything else                 one paragraph per line

The gold `articles` list comes from that markup alone ("### Artikel X" -> X; a bare
"### 3.2" numbered section -> 3.2), never from the parser. Each document is rendered the
way municipal exports differ: article headings printed as "Artikel 5", "ARTIKEL 5",
"Art. 5", "Artikel 5." or "Artikel 5:"; titles on the heading line or below it; Word
headings styled, bold-only or plain; PDFs with a running header, page-number footer,
justified text and hyphenated compounds (reportlab, via samples/make_samples.py).

    python tests/corpus/structure-real/_build.py
"""
from __future__ import annotations

import html
import importlib.util
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
_spec = importlib.util.spec_from_file_location("make_samples", ROOT / "samples" / "make_samples.py")
ms = importlib.util.module_from_spec(_spec)
sys.modules["make_samples"] = ms
_spec.loader.exec_module(ms)

# name -> rendering variant. art: how "Artikel N" is printed; join: title on the heading
# line (with this separator) or None for the next line; docx: styles | bold | plain;
# pdf: bold | plain headings; upper: division words in capitals; html: also an HTML file.
DEFAULT = dict(art="Artikel {n}", join=None, docx="styles", pdf="bold", upper=False, html=False,
               header="Staatsblad van het Koninkrijk der Nederlanden", toc=None, toel=False, columns=1)
# toc: a table of contents before the text, entries ending in a page number after dot
# leaders ("dots"), a tab ("tab") or a plain space ("space"); toel: an artikelsgewijze
# toelichting after the text that repeats every article heading; columns: 2 = Gemeenteblad
# two-column PDF.
VARIANTS = {
    "bes-brandweer": dict(docx="bold", join=" ", html=True),
    "wet-aanpassing-waterschapsverkiezingen": dict(art="ARTIKEL {n}", docx="plain", pdf="plain"),
    "marktverordening-amsterdam-h3": dict(join=" - ", header="Gemeenteblad Amsterdam", html=True),
    "gemeentewet-h4": dict(art="Art. {n}.", docx="bold", upper=True),
    "wet-bibob-h1": dict(art="Artikel {n}:", join=". ", docx="styles"),
    "drank-horecawet-par4-8": dict(art="Artikel {n}", join=" ", docx="bold", pdf="bold", toc="dots", toel=True,
                                   header="Gemeenteblad", html=True, columns=2),
}


def parse_md(text: str):
    """-> title, items [(kind, text, title)], gold numbers."""
    title = ""
    items: list[list] = []
    gold: list[str] = []
    in_toel = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            title = line[3:].strip()
        elif line.startswith("#### "):
            if items and items[-1][0] == "head" and not items[-1][2]:
                items[-1][2] = line[5:].strip()
            else:
                items.append(["sub", line[5:].strip(), ""])
        elif line.startswith("### "):
            head = line[4:].strip()
            if re.match(r"^(?:Algemene |Artikelsgewijze )?[Tt]oelichting", head):
                in_toel = True
            m = re.match(r"^Artikel\s+(\S+)$", head) or re.match(r"^([0-9]+(?:\.[0-9]+)*)$", head)
            if m and not in_toel:
                gold.append(m.group(1))
            items.append(["head", head, ""])
        elif line.startswith("| "):
            items.append(["row", line, ""])
        else:
            items.append(["para", line, ""])
    return title, items, gold


def _level(head: str) -> int:
    if re.match(r"^(Hoofdstuk|Titel|Deel|Bijlage|Toelichting|Algemene toelichting)", head):
        return 1
    if re.match(r"^(Afdeling|Paragraaf|§)", head):
        return 2
    if re.match(r"^[0-9]+$", head):
        return 1
    if re.match(r"^[0-9]+\.[0-9]+$", head):
        return 2
    return 3


def render_lines(items, v) -> list[tuple[str, str, int]]:
    """-> [(kind, text, level)] with kind head | para | item | row."""
    out = []
    for kind, text, title in items:
        if kind == "head":
            m = re.match(r"^Artikel\s+(\S+)$", text)
            head = v["art"].format(n=m.group(1)) if m else text
            if v["upper"] and not m:
                head = re.sub(r"^(Hoofdstuk|Afdeling|Paragraaf|Titel|Bijlage)", lambda x: x.group(1).upper(), head)
            lvl = _level(text)
            if title and v["join"] is not None:
                sep = v["join"]
                if head.endswith((".", ":")) and sep.strip() in (".", ":"):
                    sep = " "
                out.append(("head", f"{head}{sep}{title}", lvl))
            else:
                out.append(("head", head, lvl))
                if title:
                    out.append(("head", title, lvl))
        elif kind == "sub":
            out.append(("head", text, 2))
        elif kind == "row":
            out.append(("row", text, 0))
        else:
            k = "item" if re.match(r"^(?:[0-9]{1,2}\.|[a-z]\.|[0-9]{1,2}°\.?)\s", text) else "para"
            out.append((k, text, 0))
    return out


def add_toc(lines, style: str):
    """A contents list made from the headings, as word processors generate it."""
    toc = [("head", "Inhoudsopgave", 1)]
    page = 2
    for k, (kind, text, lvl) in enumerate(lines):
        if kind != "head" or lvl > 3:
            continue
        page += 1 if k % 3 == 0 else 0
        entry = {"dots": f"{text} {'.' * 12} {page}", "tab": f"{text}\t{page}", "space": f"{text} {page}"}[style]
        toc.append(("para", entry, 0))
    return toc + lines


def add_toelichting(lines):
    """An artikelsgewijze toelichting that repeats each article heading (not labelled)."""
    out = list(lines) + [("head", "Artikelsgewijze toelichting", 1)]
    for kind, text, lvl in lines:
        if kind == "head" and lvl == 3:
            out.append(("head", text, 3))
            out.append(("para", "Dit artikel behoeft geen nadere toelichting; zie de algemene toelichting.", 0))
    return out


def to_blocks(title: str, lines, heading_kind: bool):
    blocks = [ms.Block("title", title)]
    for kind, text, lvl in lines:
        if kind == "row":
            cells = [c.strip() for c in text.strip().strip("|").split("|")]
            if blocks[-1].kind == "table":
                blocks[-1].rows.append(cells)
            else:
                blocks.append(ms.Block("table", "", rows=[cells]))
        elif kind == "head" and heading_kind:
            blocks.append(ms.Block("artikel", text, level=lvl))
        else:
            blocks.append(ms.Block("item" if kind == "item" else "para", text))
    return blocks


def _canvas(header: str, short: str):
    from reportlab.lib.units import cm

    def decorate(c, page: int, total: int) -> None:
        w, h = c._pagesize
        c.setFont("Helvetica", 8.5)
        c.drawString(2.5 * cm, h - 1.5 * cm, header)
        c.drawRightString(w - 2.5 * cm, h - 1.5 * cm, short)
        c.drawCentredString(w / 2, 1.3 * cm, f"{page}/{total}" if total % 2 else f"- {page} -")

    return ms.deferred_canvas(decorate)


# Re-rendered shared regulations (see _from_shared.py) cycle through these printing styles.
COMBOS = [
    dict(art="ARTIKEL {n}", join=" ", docx="bold", upper=True, toc="dots"),
    dict(art="Art. {n}", join=" - ", docx="plain", pdf="plain", toel=True),
    dict(art="Artikel {n}.", docx="styles", html=True, toc="space", columns=2),
    dict(art="Artikel {n}:", join=". ", docx="bold", html=True, toel=True, toc="tab"),
    dict(art="Artikel {n}", join=": ", docx="plain", pdf="plain", upper=True, columns=2),
]


def variant(name: str) -> dict:
    if name.startswith("v-"):
        digits = int(re.sub(r"[^0-9]", "", name) or 0)
        return dict(DEFAULT, **COMBOS[digits % len(COMBOS)])
    return dict(DEFAULT, **VARIANTS.get(name, {}))


def build(md: Path) -> None:
    name = md.stem
    v = variant(name)
    title, items, gold = parse_md(md.read_text(encoding="utf-8"))
    lines = render_lines(items, v)
    if v["toel"]:
        lines = add_toelichting(lines)
    if v["toc"]:
        lines = add_toc(lines, v["toc"])
    # TXT: one paragraph per line, as the corpus convention
    txt = [title] + [t for _, t, _ in lines]
    (HERE / f"{name}.txt").write_text("\n\n".join(txt) + "\n", encoding="utf-8")
    short = re.sub(r"^.*\(([^()]+)\)\s*$", r"\1", title)[:60]
    spec = ms.DocSpec(name=name, src=md, doctype="apv", municipality=v["header"], short_title=short,
                      heading_mode="bold" if v["docx"] == "bold" else "styles", columns=v["columns"])
    ms.render_docx(spec, to_blocks(title, lines, v["docx"] != "plain"), HERE / f"{name}.docx")
    ms._numbered_canvas = lambda _m, _s: _canvas(v["header"], short)
    ms.render_pdf(spec, to_blocks(title, lines, v["pdf"] != "plain"), HERE / f"{name}.pdf")
    if v["html"]:
        parts = ["<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'>",
                 f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"]
        in_table = False
        for kind, text, lvl in lines:
            if kind == "row":
                if not in_table:
                    parts.append("<table>")
                    in_table = True
                cells = [c.strip() for c in text.strip().strip("|").split("|")]
                parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
                continue
            if in_table:
                parts.append("</table>")
                in_table = False
            tag = f"h{lvl + 1}" if kind == "head" else "p"
            parts.append(f"<{tag}>{html.escape(text)}</{tag}>")
        if in_table:
            parts.append("</table>")
        parts.append("</body></html>")
        (HERE / f"{name}.html").write_text("\n".join(parts), encoding="utf-8")
    src = SOURCES.get(name) or (f"shared/structure/{name[2:]} (laws-markdown), re-rendered" if name.startswith("v-") else "")
    labels = {"source": src, "articles": gold}
    (HERE / f"{name}.labels.yaml").write_text(
        yaml.safe_dump(labels, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


SOURCES = {
    "bes-brandweer": "laws-markdown AMvB-BES/.../BWBR0028581 (Besluit brandweer BES)",
    "wet-aanpassing-waterschapsverkiezingen": "laws-markdown wet/.../BWBR0034822",
    "marktverordening-amsterdam-h3": "Amsterdam marktverordening (excerpt, hoofdstuk 3)",
    "gemeentewet-h4": "laws-markdown wet/gemeentewet/BWBR0005416 (art. 81h-83)",
    "wet-bibob-h1": "laws-markdown wet/.../BWBR0013798 (art. 1-7)",
    "drank-horecawet-par4-8": "laws-markdown wet/drank-/en/horecawet/BWBR0002458 (art. 25d-44a)",
}


def main(argv: list[str]) -> int:
    srcs = sorted((HERE / "src").glob("*.md"))
    if argv:
        srcs = [s for s in srcs if s.stem in argv]
    for md in srcs:
        build(md)
        print("built", md.stem)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
