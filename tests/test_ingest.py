"""Readers: PDF, DOCX, HTML/CVDR XML, TXT produce one logical paragraph per block."""
from __future__ import annotations

import collections
import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from checker.errors import DocumentError
from checker.ingest import read_document
from checker.ingest.layout import ENUM_RE, HEADING_RE, join_lines

_spec = importlib.util.spec_from_file_location(
    "ingest_builders", Path(__file__).parent / "fixtures" / "ingest" / "builders.py")
builders = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(builders)

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
HAS_TESSERACT = shutil.which("tesseract") is not None


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("ingest")


@pytest.fixture(scope="module")
def apv_pdf(work):
    return read_document(builders.build_apv_pdf(work / "apv.pdf"))


@pytest.fixture(scope="module")
def apv_docx(work):
    return read_document(builders.build_apv_docx(work / "apv.docx"))


def texts(raw):
    return [b.text for b in raw.blocks]


def block(raw, prefix):
    hits = [b for b in raw.blocks if b.text.startswith(prefix)]
    assert hits, f"no block starts with {prefix!r}: {texts(raw)}"
    return hits[0]


# ---------------------------------------------------------------- PDF


def test_pdf_running_header_footer_and_page_numbers_removed(apv_pdf):
    assert apv_pdf.format == "pdf" and apv_pdf.pages == 3
    assert not any(t == builders.HEADER for t in texts(apv_pdf)[1:])
    assert not any(re.search(r"Pagina \d+ van \d+", t) for t in texts(apv_pdf))
    assert apv_pdf.metadata["title"] == "APV Testdorp 2024"


def test_pdf_headings_and_leden_are_separate_blocks(apv_pdf):
    t = texts(apv_pdf)
    assert t[0] == "Algemene plaatselijke verordening Testdorp 2024"
    assert "Hoofdstuk 1 Algemene bepalingen" in t
    assert "Artikel 1:1 Begripsbepalingen" in t
    assert "Afdeling 8 Toezicht op horecabedrijven" in t
    i = t.index("Artikel 1:2 Bevoegd bestuursorgaan")
    assert t[i + 1].startswith("1. Het college is bevoegd")
    assert t[i + 1].endswith("de burgemeester of de raad toekent.")  # wrapped lines joined
    assert t[i + 2].startswith("2. Voor zover")
    art = block(apv_pdf, "Artikel 1:1")
    assert art.bold and art.page == 1 and art.font_size == 10
    assert block(apv_pdf, "b. horecabedrijf:").text.endswith("worden bereid;")
    assert "Artikel 2:30 [Vervallen]" in t


def test_pdf_chapter_running_headers_removed(work):
    """A header naming the current chapter repeats on only a third of the pages."""
    from reportlab.pdfgen import canvas

    chapters = ["Hoofdstuk 1 Algemene bepalingen", "Hoofdstuk 2 Openbare orde", "Hoofdstuk 3 Seksbranche"]
    path = work / "chapters.pdf"
    c = canvas.Canvas(str(path))
    art = 0
    for ci, chapter in enumerate(chapters):
        for page in range(4):
            c.setFont("Helvetica", 8)
            c.drawString(72, 800, chapter)
            c.drawRightString(523, 30, str(ci * 4 + page + 1))
            y = 760
            if page == 0:
                c.setFont("Helvetica-Bold", 10)
                c.drawString(72, y, chapter)
                y -= 24
            for _ in range(3):
                art += 1
                c.setFont("Helvetica-Bold", 10)
                c.drawString(72, y, f"Artikel {ci + 1}:{art} Onderwerp {art}")
                c.setFont("Helvetica", 10)
                c.drawString(72, y - 14, f"De burgemeester kan regels stellen over onderwerp {art}.")
                y -= 40
            c.showPage()
    c.save()
    t = texts(read_document(path))
    for chapter in chapters:
        assert t.count(chapter) == 1, t
    assert not any(x.isdigit() for x in t)
    assert t[:2] == ["Hoofdstuk 1 Algemene bepalingen", "Artikel 1:1 Onderwerp 1"]


def test_pdf_article_title_on_next_line_stays_one_heading(apv_pdf):
    assert "Artikel 2:28 Exploitatievergunning" in texts(apv_pdf)
    assert "Exploitatievergunning" not in texts(apv_pdf)


def test_pdf_line_end_hyphenation(apv_pdf):
    assert builders.HYPHEN_EXPECTED in texts(apv_pdf)
    assert "drank- en horecavergunning" in block(apv_pdf, "3. De burgemeester weigert").text
    assert "horeca-inrichting" in block(apv_pdf, "b. horecabedrijf").text


@pytest.mark.parametrize("interleave", [True, False])
def test_pdf_two_column_page_read_column_by_column(apv_pdf, work, interleave):
    raw = apv_pdf if interleave else read_document(
        builders.build_apv_pdf(work / "cols.pdf", scanned_page=False, interleave=False))
    page2 = [b.text for b in raw.blocks if b.page == 2]
    assert page2[0] == "Artikel 3:1 Begripsbepalingen"
    assert page2[1] == builders.LEFT_COL[1]
    assert page2.index("Artikel 3:2 Vergunning") < page2.index("Artikel 3:3 Weigeringsgronden")
    assert builders.LEFT_COL[3] in page2 and builders.RIGHT_COL[1] in page2
    assert page2[-1] == builders.RIGHT_COL[3]


def test_pdf_policy_hanging_indent_spacing_and_table(work):
    raw = read_document(builders.build_policy_pdf(work / "damocles.pdf"))
    assert texts(raw) == [
        "4 Stappenplan",
        builders.POLICY_INTRO,
        builders.POLICY_ITEMS[0],
        builders.POLICY_ITEMS[1],
        "Toelichting bij het stappenplan",  # only paragraph spacing separates it
        "| Situatie | Woning | Lokaal |",
        *("| " + " | ".join(r) + " |" for r in builders.POLICY_TABLE),
        "5 Bijzondere omstandigheden",
        "De burgemeester kan afwijken van het stappenplan.",
    ]
    assert raw.blocks[0].kind == "heading" and raw.blocks[0].font_size == 13.5
    assert [b.kind for b in raw.blocks].count("table") == 4


def test_pdf_tick_table_keeps_empty_cells(work):
    """A ruled tick table: the "x" must stay in its own column, empty cells kept as "|  |"."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10, leading=13)
    rows = [["Beschikking", "Altijd", "Facultatief"],
            [Paragraph("Vergunning op grond van artikel 3 Alcoholwet voor een horecabedrijf", body), "x", ""],
            [Paragraph("Exploitatievergunning horecabedrijf (artikel 2:28 APV)", body), "", "x"],
            ["Vergunning speelautomatenhal", "x", ""],
            ["Subsidies", "", "x"]]
    table = Table(rows, colWidths=[190, 90, 90])
    # Centred cells: the lone "x" sits higher than the baseline of the text beside it.
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("FONTNAME", (0, 0), (-1, -1), "Helvetica")]))
    story = [Paragraph("Artikel 2 Overzicht toetsing", ParagraphStyle("h", fontName="Helvetica-Bold")),
             Paragraph("1. De volgende tabel geeft aan bij welke beschikkingen de Wet wordt toegepast.", body),
             table,
             Paragraph("Artikel 3 Inwerkingtreding", ParagraphStyle("h", fontName="Helvetica-Bold"))]
    path = work / "tick.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    got = [t for t in texts(read_document(path)) if t.startswith("|")]
    assert got == [
        "| Beschikking | Altijd | Facultatief |",
        "| Vergunning op grond van artikel 3 Alcoholwet voor een horecabedrijf | x |  |",
        "| Exploitatievergunning horecabedrijf (artikel 2:28 APV) |  | x |",
        "| Vergunning speelautomatenhal | x |  |",
        "| Subsidies |  | x |",
    ]


def test_pdf_title_from_first_page_not_short_metadata_header(work):
    """Title metadata often holds the short running-header text; page 1 prints the full title."""
    from reportlab.pdfgen import canvas

    from checker.structure import structure_document

    path = work / "titel.pdf"
    c = canvas.Canvas(str(path))
    c.setTitle("Gedragscode integriteit 2022")
    for page in range(3):
        c.setFont("Helvetica", 8)
        c.drawString(72, 800, "Gedragscode integriteit 2022")
        y = 740
        if page == 0:
            c.setFont("Helvetica-Bold", 17)
            c.drawString(72, y, "Gedragscode integriteit gemeente Oosterbeek 2022")
            y -= 40
        for k in range(3):
            n = page * 3 + k + 1
            c.setFont("Helvetica-Bold", 12)
            c.drawString(72, y, f"Artikel {n} Onderwerp {n}")
            c.setFont("Helvetica", 12)
            c.drawString(72, y - 18, "Medewerkers melden nevenwerkzaamheden vooraf bij hun leidinggevende.")
            y -= 60
        c.showPage()
    c.save()
    doc = structure_document(read_document(path))
    assert doc.title == "Gedragscode integriteit gemeente Oosterbeek 2022"
    assert doc.municipality == "Oosterbeek"
    assert [a.number for a in doc.articles] == [str(n) for n in range(1, 10)]


def test_table_of_contents_entries_are_dropped(work):
    from reportlab.pdfgen import canvas

    import docx

    path = work / "toc.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("Helvetica-Bold", 12)
    c.drawString(72, 760, "Inhoudsopgave")
    c.setFont("Helvetica", 10)
    for i, (head, page) in enumerate((("Artikel 2:28 Exploitatievergunning", 2), ("Artikel 2:29 Sluitingstijden", 2))):
        c.drawString(72, 730 - 14 * i, f"{head} {'.' * 60} {page}")
    c.showPage()
    c.setFont("Helvetica-Bold", 10)
    c.drawString(72, 760, "Artikel 2:28 Exploitatievergunning")
    c.setFont("Helvetica", 10)
    c.drawString(72, 740, "Het is verboden een horecabedrijf te exploiteren zonder vergunning.")
    c.showPage()
    c.save()
    assert texts(read_document(path)) == ["Inhoudsopgave", "Artikel 2:28 Exploitatievergunning",
                                          "Het is verboden een horecabedrijf te exploiteren zonder vergunning."]
    d = docx.Document()
    d.add_paragraph("Artikel 2:28 Exploitatievergunning\t31", style=d.styles.add_style("toc 1", 1))
    d.add_paragraph("Artikel 2:28 Exploitatievergunning")
    d.save(str(work / "toc.docx"))
    assert texts(read_document(work / "toc.docx")) == ["Artikel 2:28 Exploitatievergunning"]


@pytest.mark.skipif(not HAS_TESSERACT, reason="tesseract not installed")
def test_pdf_scanned_page_is_ocrd_with_warning(apv_pdf):
    import difflib

    ocr = [b for b in apv_pdf.blocks if b.source == "ocr"]
    assert ocr and all(b.page == 3 for b in ocr)
    # running header and "Pagina 3 van 3" are gone, the wrapped lid is one block
    assert len(ocr) == len(builders.SCAN_EXPECTED), [b.text for b in ocr]
    for got, want in zip(ocr, builders.SCAN_EXPECTED):
        assert difflib.SequenceMatcher(None, got.text, want).ratio() > 0.95, (got.text, want)
    assert ocr[0].kind == "heading"
    assert any("OCR" in w and "Pagina 3" in w for w in apv_pdf.warnings)
    # text-layer pages come first, OCR'd page after them
    assert apv_pdf.blocks[-1].source == "ocr"


def test_pdf_without_tesseract_warns_and_keeps_text_pages(work, monkeypatch):
    from checker.ingest import ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    raw = read_document(builders.build_apv_pdf(work / "noocr.pdf", two_column=False))
    assert "Artikel 2:28 Exploitatievergunning" in texts(raw)
    assert not any(b.source == "ocr" for b in raw.blocks)
    assert any("apt-get install tesseract-ocr tesseract-ocr-nld" in w for w in raw.warnings)


def test_scan_only_pdf_without_tesseract_is_a_clear_error(work, monkeypatch):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from checker.ingest import ocr

    path = work / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(builders._scan_image()), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(DocumentError) as e:
        read_document(path)
    assert e.value.code == "no_text"
    assert "tekstlaag" in str(e.value) and "apt-get install tesseract-ocr" in str(e.value)


# ---------------------------------------------------------------- DOCX


def test_docx_heading_styles_and_bold_manual_numbering(apv_docx):
    first = apv_docx.blocks[0]
    assert first.kind == "heading" and first.heading_level == 0 and first.style == "Title"
    h1 = block(apv_docx, "Hoofdstuk 1")
    assert h1.kind == "heading" and h1.heading_level == 1 and h1.style == "Heading 1"
    manual = block(apv_docx, "Artikel 1:1 Begripsbepalingen")
    assert manual.kind == "para" and manual.bold
    assert block(apv_docx, "Artikel 1:2").heading_level == 2
    assert not block(apv_docx, "a. horecabedrijf").bold
    assert apv_docx.metadata["title"] == "APV Testdorp 2024"
    assert apv_docx.pages is None and all(b.page is None for b in apv_docx.blocks)


def test_docx_table_rows(apv_docx):
    rows = [b for b in apv_docx.blocks if b.kind == "table"]
    assert [b.text for b in rows] == ["| Categorie | Sluitingstijd |", "| Horecabedrijf | 02.00 uur |"]
    t = texts(apv_docx)
    assert t.index(rows[0].text) > t.index("1. Het college is bevoegd te beslissen op een aanvraag om een vergunning.")


def test_docx_automatic_numbering_rendered(apv_docx):
    t = texts(apv_docx)
    i = t.index("Artikel 3 Exploitatievergunning")
    assert block(apv_docx, "Artikel 3 Exploitatievergunning").bold
    assert t[i + 1] == "1. Het is verboden een horecabedrijf te exploiteren zonder vergunning."
    assert t[i + 2] == "2. De burgemeester weigert de vergunning indien:"
    assert t[i + 3] == "a. de exploitant van slecht levensgedrag is;"
    assert t[i + 4] == "b. het woon- en leefklimaat nadelig wordt beïnvloed."
    assert t[i + 5] == "Artikel 4 Sluitingstijden"
    assert t[i + 6].startswith("1. Het is verboden een horecabedrijf open te hebben")  # lower level restarts


def test_docx_tracked_changes_and_headers(apv_docx):
    assert "De burgemeester kan de vergunning in het belang van de openbare orde intrekken." in texts(apv_docx)
    assert "altijd" not in apv_docx.text
    assert "KOPTEKST" not in apv_docx.text and "Pagina 1" not in apv_docx.text
    assert any("bijgehouden wijzigingen" in w for w in apv_docx.warnings)


def test_docx_numbering_formats():
    from checker.ingest.docx import _fmt

    assert [_fmt(n, "lowerLetter") for n in (1, 2, 26, 27)] == ["a", "b", "z", "aa"]
    assert [_fmt(n, "lowerRoman") for n in (1, 4, 9, 14)] == ["i", "iv", "ix", "xiv"]
    assert _fmt(3, "upperLetter") == "C" and _fmt(7, "decimal") == "7" and _fmt(2, "upperRoman") == "II"


def test_content_decides_format_docx_renamed_pdf(work):
    src = builders.build_apv_docx(work / "x.docx")
    renamed = work / "eigenlijk-word.pdf"
    renamed.write_bytes(src.read_bytes())
    raw = read_document(renamed)
    assert raw.format == "docx" and "Artikel 3 Exploitatievergunning" in texts(raw)


# ---------------------------------------------------------------- HTML / XML


def test_cvdr_xml(work):
    path = work / "cvdr.xml"
    path.write_text(builders.CVDR_XML, encoding="utf-8")
    raw = read_document(path)
    assert raw.format == "xml"
    assert raw.metadata["title"] == "Algemene plaatselijke verordening Testdorp 2024"
    assert texts(raw) == [
        "Algemene plaatselijke verordening Testdorp 2024",
        "De raad van de gemeente Testdorp;",
        "Hoofdstuk 2 Openbare orde",
        "Afdeling 8 Toezicht op horecabedrijven",
        "Artikel 2:28 Exploitatievergunning",
        "1. Het is verboden een horecabedrijf te exploiteren zonder vergunning van de burgemeester.",
        "2. De burgemeester weigert de vergunning indien:",
        "a. de exploitant in enig opzicht van slecht levensgedrag is;",
        "b. de exploitatie het woon- en leefklimaat nadelig beïnvloedt.",
        "Artikel 2:29 [Vervallen]",
        "Toelichting",
        "Artikel 2:28 regelt de exploitatievergunning.",
    ]
    assert block(raw, "Artikel 2:28").kind == "heading"
    assert block(raw, "Toelichting").kind == "heading"
    assert "CVDR999999" not in raw.text  # metadata stays out of the text


def test_plain_html_blocks(work):
    path = work / "beleid.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>Bibob-beleid</title><style>p{color:red}</style>"
        "<script>var x = 'Artikel 99';</script></head><body><nav><a href='/'>Home</a></nav>"
        "<h1>Beleidsregel Bibob Testdorp</h1><h2>3 Reikwijdte</h2><p>De wet wordt <b>altijd</b> toegepast op:</p>"
        "<ol type='a'><li>exploitatievergunningen;</li><li>speelautomatenhallen.</li></ol>"
        "<div class='lid'><span class='lidnr'>2</span><p>De burgemeester kan advies vragen.</p></div>"
        "<table><tr><th>Sector</th><th>Toepassing</th></tr><tr><td>Horeca</td><td>altijd</td></tr></table>"
        "</body></html>", encoding="utf-8")
    raw = read_document(path)
    assert raw.format == "html" and raw.metadata["title"] == "Bibob-beleid"
    assert texts(raw) == ["Beleidsregel Bibob Testdorp", "3 Reikwijdte", "De wet wordt altijd toegepast op:",
                          "a. exploitatievergunningen;", "b. speelautomatenhallen.",
                          "2. De burgemeester kan advies vragen.",
                          "| Sector | Toepassing |", "| Horeca | altijd |"]
    assert raw.blocks[1].kind == "heading" and raw.blocks[1].heading_level == 2


def test_published_page_chrome_and_metadata_section_dropped(work):
    path = work / "regeling.html"
    path.write_text(
        "<html><body><header><nav><a href='/'>Home</a></nav><p>Zoeken in regelgeving</p></header><main>"
        "<h1>APV Testdorp 2024</h1><h2>Wetstechnische informatie</h2>"
        "<table><tr><td>Organisatie</td><td>Testdorp</td></tr><tr><td>Datum inwerkingtreding</td>"
        "<td>01-03-2024</td></tr></table><p>Zie ook de toelichting.</p>"
        "<h2>Tekst van de regeling</h2><h3>Artikel 1:1 Begripsbepalingen</h3><p>In deze verordening wordt "
        "verstaan onder:</p></main><footer role='contentinfo'><p>Over deze site</p></footer></body></html>",
        encoding="utf-8")
    raw = read_document(path)
    assert texts(raw) == ["APV Testdorp 2024", "Tekst van de regeling",
                          "Artikel 1:1 Begripsbepalingen", "In deze verordening wordt verstaan onder:"]
    assert raw.metadata["in_force_date"] == "2024-03-01" and raw.metadata["organisation"] == "Testdorp"


@pytest.mark.skipif(not (CORPUS / "apv-duinwijk-2024.html").exists(), reason="shared corpus absent")
def test_corpus_html_drops_wetstechnische_informatie():
    raw = read_document(CORPUS / "apv-duinwijk-2024.html")
    assert "Wetstechnische informatie" not in raw.text and "Officiële naam regeling" not in raw.text
    assert raw.blocks[0].text == "Algemene plaatselijke verordening Duinwijk 2024"
    assert block(raw, "Artikel 1:1 Begripsbepalingen").kind == "heading"


# ---------------------------------------------------------------- TXT / MD


def test_txt_encodings(work):
    body = "Artikel 1 Begrippen\nCafé één – €50 per geschenk\n"
    (work / "cp.txt").write_bytes(body.encode("cp1252"))
    (work / "u16.txt").write_bytes(body.encode("utf-16"))
    (work / "bom.txt").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    for name, warned in (("cp.txt", True), ("u16.txt", False), ("bom.txt", False)):
        raw = read_document(work / name)
        assert texts(raw) == ["Artikel 1 Begrippen", "Café één – €50 per geschenk"], name
        assert bool(raw.warnings) == warned


def test_markdown_headings(work):
    (work / "code.md").write_text("# Gedragscode\n\n## 2 Geschenken\n\nGeschenken tot **50 euro** mogen.\n",
                                  encoding="utf-8")
    raw = read_document(work / "code.md")
    assert [(b.kind, b.heading_level, b.text) for b in raw.blocks] == [
        ("heading", 1, "Gedragscode"), ("heading", 2, "2 Geschenken"), ("para", None, "Geschenken tot 50 euro mogen.")]


# ---------------------------------------------------------------- layout helpers


@pytest.mark.parametrize("prev,nxt,want", [
    ("de exploitatie-", "vergunning wordt", "de exploitatievergunning wordt"),
    ("de horeca-", "inrichting", "de horeca-inrichting"),
    ("de drank-", "en horecavergunning", "de drank- en horecavergunning"),
    ("provincie Noord-", "Holland", "provincie Noord-Holland"),
    ("de APV-", "bepaling", "de APV-bepaling"),
    ("hoofdstuk 2-", "vliegtuigen", "hoofdstuk 2-vliegtuigen"),
    ("zee-", "eend", "zee-eend"),
    ("de niet-", "naleving", "de niet-naleving"),
    ("per e-", "mail", "per e-mail"),
    ("een bedrijfs-", "matig", "een bedrijfsmatig"),
    ("het", "college", "het college"),
])
def test_join_lines(prev, nxt, want):
    assert join_lines(prev, nxt) == want


def test_block_start_patterns():
    for s in ("Artikel 2:28 Exploitatievergunning", "Art. 12a", "Artikel 2.1.3", "Hoofdstuk 2 Openbare orde",
              "Afdeling 3", "§ 2 Toezicht", "Paragraaf 1"):
        assert HEADING_RE.match(s), s
    for s in ("1. Het", "2a. De", "a. bouwwerk", "1°. een", "1° een", "i. de", "iv. de"):
        assert ENUM_RE.match(s), s
    for s in ("artikel 3, eerste lid", "is. niet", "in. x", "Artikelen 3 en 4"):
        assert not (HEADING_RE.match(s) or ENUM_RE.match(s)), s


# ---------------------------------------------------------------- the shared corpus (real renderings)


def _norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus absent")
@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_corpus_paragraphs_match_txt_rendering(fmt):
    """Each rendering must give the same paragraphs as the TXT of the same text (multiset)."""
    scores = []
    for txt in sorted(CORPUS.glob("*.txt")):
        other = txt.with_suffix("." + fmt)
        if not other.exists():
            continue
        want = collections.Counter(_norm(ln) for ln in txt.read_text(encoding="utf-8").splitlines() if ln.strip())
        got = collections.Counter(_norm(b.text) for b in read_document(other).blocks)
        common = sum((want & got).values())
        f1 = 2 * common / (sum(want.values()) + sum(got.values()))
        scores.append((f1, other.name))
    assert scores
    assert min(scores)[0] >= 0.97, min(scores)
