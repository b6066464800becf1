"""Structure: RawDocument -> StructuredDocument, and the `parse` outline.

Own documents in tests/corpus/structure/ use other numbering and layouts than the shared
corpus (roman chapters, "Art. 2.28", "§ 1" with the title on the next line, "1. Inleiding"
sections, wijzigingsartikelen). The shared corpora are checked too when present.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from checker.ingest import read_document
from checker.model import Block, ParseResult, RawDocument
from checker.report.jsonout import parse_dict
from checker.report.outline import render_outline
from checker.structure import structure_document
from checker.structure.meta import parse_date

HERE = Path(__file__).parent
OWN = HERE / "corpus" / "structure"
SHARED = HERE.parent.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
SHARED_STRUCTURE = SHARED / "structure"


def _norm(n: str) -> str:
    return re.sub(r"\s+", "", n).lower().replace(":", ".").rstrip(".")


def _load(path: Path, type_override=None):
    return structure_document(read_document(path), type_override=type_override)


def _labels(path: Path) -> dict:
    name = path.name.split(".")[0]
    return yaml.safe_load((path.parent / f"{name}.labels.yaml").read_text(encoding="utf-8"))


def _f1(pred, gold) -> float:
    p, g = [_norm(x) for x in pred], [_norm(x) for x in gold]
    tp = sum(min(p.count(x), g.count(x)) for x in set(g))
    if not p or not g:
        return 1.0 if p == g else 0.0
    prec, rec = tp / len(p), tp / len(g)
    return 0.0 if tp == 0 else 2 * prec * rec / (prec + rec)


OWN_DOCS = sorted(OWN.glob("*.txt"))


@pytest.fixture(scope="module")
def own():
    return {p.stem: _load(p) for p in OWN_DOCS}


# ------------------------------------------------------------------ own corpus, label-driven


@pytest.mark.parametrize("path", OWN_DOCS, ids=lambda p: p.stem)
def test_own_documents_match_labels(path, own):
    doc = own[path.stem]
    lab = _labels(path)
    assert [a.number for a in doc.articles] == lab["articles"]
    assert doc.type == lab["type"]
    assert doc.municipality == lab["municipality"]
    if "adopted" in lab:
        assert doc.adopted == lab["adopted"]
    if "in_force_date" in lab:
        assert doc.in_force_date == lab["in_force_date"]
    if "vervallen" in lab:
        assert [a.number for a in doc.articles if a.status == "vervallen"] == lab["vervallen"]
    if "title" in lab:
        assert doc.title == lab["title"]
    if "toelichting_refers" in lab:
        assert [n.refers_to for n in doc.toelichting if n.refers_to] == lab["toelichting_refers"]


def test_roman_chapters_afdelingen_and_leden(own):
    doc = own["apv-zeeveld-2023"]
    kinds = [(d.kind, d.number) for d in doc.divisions]
    assert ("hoofdstuk", "II") in kinds and ("afdeling", "2") in kinds and ("bijlage", "1") in kinds
    art = {a.number: a for a in doc.articles}
    assert art["2.28"].chapter == "II" and art["2.28"].section == "2"
    assert art["2.28"].title == "Exploitatievergunning"
    assert [lid.number for lid in art["2.28"].leden] == ["1", "2", "3"]
    # a line starting with a lowercase reference stays text of the lid before it
    assert "artikel 3, eerste lid, van de Alcoholwet" in art["2.28"].leden[1].text
    defs = art["2.27"].leden[0]
    assert defs.number is None and [o.number for o in defs.onderdelen] == ["a", "b"]
    assert [s.number for s in defs.onderdelen[0].onderdelen] == ["1°", "2°", "3°"]


def test_references_at_line_start_are_not_headings(own):
    art = {a.number: a for a in own["apv-zeeveld-2023"].articles}
    assert "Artikel 1.4 van de vorige verordening" in art["1.4"].text
    assert "Artikel 2.28 bedoelde vergunning" in art["2.29"].text
    lind = {a.number: a for a in own["speelautomatenhallen-lindedal-2019"].articles}
    assert lind["2"].text.startswith("Artikel 1 van de Wet op de kansspelen")
    assert "Artikel 3, eerste lid, geldt niet" in lind["3"].text


def test_toelichting_kept_apart(own):
    doc = own["apv-zeeveld-2023"]
    assert [n.refers_to for n in doc.toelichting if n.refers_to] == ["2.28", "2.30", "2.41"]
    assert all("nuloptie" not in a.text for a in doc.articles)
    assert any("nuloptie" in n.text for n in doc.toelichting)
    # bijlage items after the toelichting are neither notes nor articles
    assert not any(n.heading.startswith("1. Markt") for n in doc.toelichting)
    # the ondertekening ends the last article
    assert "griffier" not in {a.number: a for a in doc.articles}["3.3"].text


def test_bare_headings_take_title_from_next_line_and_merged_headings_split(own):
    art = {a.number: a for a in own["speelautomatenhallen-lindedal-2019"].articles}
    assert art["1"].title == "Begripsbepalingen"
    assert art["13b"].title == "Inwerkingtreding"
    assert art["4"].title == "Aantal speelautomatenhallen"
    assert art["4"].text.startswith("Het aantal speelautomatenhallen")
    assert art["6"].status == "vervallen"
    divs = own["speelautomatenhallen-lindedal-2019"].divisions
    assert [(d.kind, d.number, d.title) for d in divs][:2] == [("paragraaf", "1", "Algemene bepalingen"),
                                                               ("paragraaf", "2", "Vergunning")]


def test_policy_sections_not_leden_or_list_items(own):
    doc = own["damocles-kroonwaard-2021"]
    assert all(a.kind == "sectie" for a in doc.articles)
    sec = {a.number: a for a in doc.articles}
    assert "1. Waarschuwing" in sec["4"].text and "4. Sluiting voor twaalf maanden" in sec["4"].text
    assert [lid.number for lid in sec["5"].leden] == ["1", "2"]
    code = {a.number: a for a in own["gedragscode-beekstede-2020"].articles}
    assert code["3.1.1"].title == "Melden" and code["3.1.1"].chapter == "3"
    assert "Grondwet" not in code["5"].text  # bijlage


def test_wijzigingsartikelen_quoted_articles_are_text(own):
    doc = own["wijziging-apv-zeeveld-2024"]
    assert [a.number for a in doc.articles] == ["I", "II"]
    assert "Artikel 2.42 Sluiting panden" in doc.articles[0].text


def test_titel_above_hoofdstuk(own):
    art = {a.number: a for a in own["bibob-heuvelrijk-2022"].articles}
    assert art["2.1.3"].chapter == "2" and art["2.1.3"].section == "2.1"
    assert art["3.1"].chapter == "3"


def test_type_override_and_national_regulation():
    doc = _load(OWN / "damocles-kroonwaard-2021.txt", type_override="bibob")
    assert doc.type == "bibob" and doc.type_source == "override"
    assert doc.type_scores["damocles"] > doc.type_scores["bibob"]
    law = RawDocument(path="wet.txt", format="txt", blocks=[Block(t) for t in (
        "Wet van 2 februari 1956, houdende regels over de horeca",
        "Wij JULIANA, bij de gratie Gods, Koningin der Nederlanden",
        "Artikel 1", "Een exploitatievergunning voor een horecabedrijf wordt geweigerd bij slecht levensgedrag.",
        "Artikel 2", "Deze wet treedt in werking op 1 januari 1957.")])
    doc = structure_document(law)
    assert doc.type is None and [a.number for a in doc.articles] == ["1", "2"]
    assert doc.adopted == "1956-02-02" and doc.in_force_date == "1957-01-01"


def test_dates():
    assert parse_date("vastgesteld op 1 januari 2024") == "2024-01-01"
    assert parse_date("per 01-01-2024") == "2024-01-01"
    assert parse_date("den 19den Juli 1934") == "1934-07-19"
    assert parse_date("31 februari 2024") is None


# ------------------------------------------------------------------ reader-shaped input (PDF/DOCX)


def _pdf_like() -> RawDocument:
    """Blocks as an imperfect PDF reader gives them: running header, page numbers, a heading
    merged with its first lid, the title in a separate block, a bold heading style."""
    pages = [
        ["Algemene plaatselijke verordening Kustdorp 2024", "Algemene plaatselijke verordening Kustdorp 2024",
         "De raad van de gemeente Kustdorp;", "Hoofdstuk 2", "Openbare orde",
         "Artikel 2:28 Exploitatievergunning 1. Het is verboden zonder vergunning van de burgemeester een "
         "horecabedrijf te exploiteren.", "2. De vergunning wordt geweigerd bij slecht levensgedrag.", "1"],
        ["Algemene plaatselijke verordening Kustdorp 2024", "Artikel 2:29", "Sluitingstijden",
         "Het is verboden een horecabedrijf geopend te hebben tussen 02.00 en 06.00 uur.",
         "Artikel 2:30 Vervallen", "Pagina 2 van 3"],
        ["Algemene plaatselijke verordening Kustdorp 2024", "Artikel 2:31 Inwerkingtreding",
         "Deze verordening treedt in werking op 1 januari 2025.",
         "Aldus vastgesteld in de openbare vergadering van 12 december 2024.", "3"],
    ]
    blocks = []
    for p, texts in enumerate(pages, start=1):
        for t in texts:
            heading = t.startswith(("Artikel", "Hoofdstuk"))
            blocks.append(Block(text=t, page=p, kind="heading" if heading else "para", bold=heading,
                                heading_level=3 if heading else None))
    return RawDocument(path="kustdorp.pdf", format="pdf", blocks=blocks, pages=3)


def test_pdf_like_blocks():
    doc = structure_document(_pdf_like())
    assert [a.number for a in doc.articles] == ["2:28", "2:29", "2:30", "2:31"]
    a = doc.articles[0]
    assert a.title == "Exploitatievergunning" and a.chapter == "2" and a.page == 1
    assert [lid.number for lid in a.leden] == ["1", "2"]
    assert "Kustdorp 2024" not in a.text and not a.text.rstrip().endswith("1")
    b = doc.articles[1]
    assert b.title == "Sluitingstijden" and b.page == 2 and "Pagina" not in b.text
    assert doc.articles[2].status == "vervallen"
    assert doc.title == "Algemene plaatselijke verordening Kustdorp 2024"
    assert doc.type == "apv" and doc.municipality == "Kustdorp"
    assert doc.in_force_date == "2025-01-01" and doc.adopted == "2024-12-12"
    assert doc.divisions[0].title == "Openbare orde"


def test_styled_dotted_sections_and_unstyled_lists():
    texts = [("Protocol agressie en geweld", True), ("1. Inleiding", True),
             ("Dit protocol beschrijft de aanpak.", False), ("2. Maatregelen", True),
             ("1. Waarschuwing", False), ("2. Toegangsverbod", False), ("3. Aangifte", False),
             ("3. Nazorg", True), ("De leidinggevende zorgt voor nazorg.", False)]
    raw = RawDocument(path="p.docx", format="docx",
                      blocks=[Block(text=t, bold=b) for t, b in texts])
    doc = structure_document(raw)
    assert [a.number for a in doc.articles] == ["1", "2", "3"]
    assert doc.articles[2].title == "Nazorg" and doc.type == "agressie"


def test_json_contract_and_outline(own):
    result = ParseResult(documents=[own["apv-zeeveld-2023"], own["damocles-kroonwaard-2021"]])
    d = parse_dict(result)["documents"][0]
    art = next(a for a in d["articles"] if a["number"] == "2.28")
    assert {"number", "title", "page", "chapter", "section", "status", "text"} <= set(art)
    assert art["status"] == "in_force" and art["section"] == "2"
    assert all("_article_index" not in div for div in d["divisions"])
    plain = render_outline(result, color=False)
    assert "\x1b[" not in plain
    assert "HOOFDSTUK" not in plain or "Hoofdstuk II OPENBARE ORDE" in plain
    assert "Artikel 2.31" in plain and "[vervallen]" in plain
    assert "Toelichting:   10 onderdelen" in plain or "Toelichting:" in plain
    assert "  4 Stappenplan" in plain and "8 secties" in plain
    lines = plain.splitlines()
    assert lines.index("    Afdeling 2 TOEZICHT OP HORECABEDRIJVEN") < next(
        i for i, ln in enumerate(lines) if ln.strip().startswith("Artikel 2.28 "))
    assert "\x1b[" in render_outline(result, color=True)


# ------------------------------------------------------------------ shared corpora


def _shared(dirpath: Path, exts):
    if not dirpath.is_dir():
        return []
    return [p for p in sorted(dirpath.iterdir()) if p.suffix.lstrip(".") in exts
            and (dirpath / f"{p.name.split('.')[0]}.labels.yaml").exists()]


@pytest.mark.parametrize("path", _shared(SHARED_CORPUS, ("txt", "docx", "html")), ids=lambda p: p.name)
def test_shared_municipal_corpus(path):
    doc = _load(path)
    lab = _labels(path)
    assert _f1([a.number for a in doc.articles], lab["articles"]) >= 0.98
    assert doc.type == lab["type"]
    assert doc.municipality == lab["municipality"]
    assert all(not re.search(r"^Toelichting$", a.text, re.M) for a in doc.articles)


@pytest.mark.parametrize("path", _shared(SHARED_STRUCTURE, ("txt",)), ids=lambda p: p.name)
def test_shared_national_regulations(path):
    doc = _load(path)
    assert [a.number for a in doc.articles] == [str(x) for x in _labels(path)["articles"]]
    assert doc.type is None  # a national regulation is none of our document types


def test_shared_apv_details():
    path = SHARED_CORPUS / "apv-duinwijk-2024.txt"
    if not path.exists():
        pytest.skip("shared corpus not present")
    doc = _load(path)
    art = {a.number: a for a in doc.articles}
    assert art["2:29"].section == "6" and art["2:29"].chapter == "2"
    assert art["2:31"].status == "vervallen" and art["1:9"].status == "vervallen"
    assert art["2:29"].leden[0].onderdelen[0].text.startswith("de exploitant of een leidinggevende")
    assert doc.adopted == "2024-07-04" and doc.in_force_date == "2024-10-01"
    refs = [n.refers_to for n in doc.toelichting if n.refers_to]
    assert "2:28" in refs and "2:41" in refs


def _raw(texts, fmt="txt", path="doc.txt", pages=None) -> RawDocument:
    blocks = []
    for t in texts:
        if isinstance(t, tuple):
            blocks.append(Block(text=t[0], page=t[1]))
        else:
            blocks.append(Block(text=t))
    return RawDocument(path=path, format=fmt, blocks=blocks, pages=pages)


def test_table_of_contents_is_not_the_article_list():
    doc = structure_document(_raw([
        "Verordening evenementen Dijkhoven 2024", "Inhoudsopgave",
        "Artikel 1 Begripsbepalingen 2", "Artikel 2 Evenementenvergunning 2", "Artikel 3 Weigeringsgronden 3",
        "Artikel 1 Begripsbepalingen", "In deze verordening wordt verstaan onder evenement: elke voor publiek toegankelijke verrichting van vermaak.",
        "Artikel 2 Evenementenvergunning", "Het is verboden zonder vergunning van de burgemeester een evenement te organiseren.",
        "Artikel 3 Weigeringsgronden", "De burgemeester weigert de vergunning bij slecht levensgedrag van de organisator.",
    ]))
    assert [a.number for a in doc.articles] == ["1", "2", "3"]
    assert all(a.text for a in doc.articles) and doc.type == "apv"


def test_merged_section_heading_and_repeated_chapter_header():
    doc = structure_document(_raw([
        "Beleidsregel Bibob Waterland 2024", "1 Inleiding",
        "Deze beleidsregel beschrijft de toepassing van de Wet Bibob.",
        "2 Reikwijdte De burgemeester past de Wet Bibob toe bij alle exploitatievergunningen voor horeca.",
        "2.1 Horeca", "De burgemeester past de wet altijd toe.", "3 Slotbepaling",
        "Deze beleidsregel treedt in werking op 1 maart 2024."]))
    assert [a.number for a in doc.articles] == ["1", "2", "2.1", "3"]
    assert doc.articles[1].title == "Reikwijdte" and doc.articles[1].text.startswith("De burgemeester past")
    assert doc.in_force_date == "2024-03-01"
    apv = structure_document(_raw([
        ("Algemene plaatselijke verordening Rietveld", 1), ("Hoofdstuk 2 Openbare orde", 1),
        ("Afdeling 3 Horeca", 1), ("Artikel 2:27 Begripsbepalingen", 1),
        ("In deze afdeling wordt verstaan onder horecabedrijf: een café.", 1),
        ("Hoofdstuk 2 Openbare orde", 2), ("Artikel 2:28 Exploitatievergunning", 2),
        ("Het is verboden zonder vergunning een horecabedrijf te exploiteren.", 2),
        ("De griffier, mr. A. de Vries", 2)], fmt="pdf", path="r.pdf", pages=2))
    assert [(a.number, a.section) for a in apv.articles] == [("2:27", "3"), ("2:28", "3")]
    assert "griffier" not in apv.articles[-1].text


def test_heading_variants_and_quoted_law_articles():
    doc = structure_document(_raw([
        "Verordening marktgelden Zandvoorde", "Hoofdstuk I. Algemene bepalingen",
        "Artikel 1 (Begripsbepalingen)", "In deze verordening wordt verstaan onder markt: de weekmarkt.",
        "Artikel 2 Toepassing.", "Deze verordening geldt voor de weekmarkt.",
        "Artikel 3 [Vervallen per 01-01-2005.]", "Artikel 4. Slotbepaling.",
        "Deze verordening treedt in werking met ingang van 1 januari 2006.",
        "Artikel 5 Opiumwet is hier niet van toepassing."]))
    assert [(a.number, a.title, a.status) for a in doc.articles] == [
        ("1", "Begripsbepalingen", "in_force"), ("2", "Toepassing", "in_force"),
        ("3", "[Vervallen per 01-01-2005.]", "vervallen"), ("4", "Slotbepaling", "in_force")]
    assert doc.divisions[0].number == "I" and doc.in_force_date == "2006-01-01"
    pol = structure_document(_raw([
        "Damoclesbeleid Zandvoorde", "1 Inleiding", "Dit beleid gaat over drugs.", "2 Wettelijk kader",
        "Artikel 13b Opiumwet", "1. De burgemeester is bevoegd een last onder bestuursdwang op te leggen.",
        "Artikel 174a Gemeentewet", "1. De burgemeester kan besluiten een woning te sluiten.",
        "3 Stappenplan", "Bij een eerste overtreding volgt een waarschuwing.", "3.1 Woningen",
        "Sluiting voor drie maanden.", "4 Slot", "Dit beleid treedt in werking op 1 mei 2020."]))
    assert [a.number for a in pol.articles] == ["1", "2", "3", "3.1", "4"]
    assert "Artikel 174a Gemeentewet" in pol.articles[1].text and pol.type == "damocles"


def test_numbered_list_alone_is_not_a_section_list():
    doc = structure_document(_raw([
        "Protocol agressie gemeente Zandvoorde", "Wat doe je bij agressie?", "1. Blijf rustig",
        "2. Waarschuw een collega", "3. Bel zo nodig 112", "Na het incident",
        "Meld het incident bij je leidinggevende."]))
    assert doc.articles == [] and doc.type == "agressie" and doc.warnings


def test_chapters_only_policy_uses_chapters_as_sections():
    doc = structure_document(_raw([
        "Beleidsregels Bibob Eemdal 2021", "Hoofdstuk 1 Inleiding", "Deze beleidsregels gaan over de Wet Bibob.",
        "Hoofdstuk 2", "Reikwijdte", "De burgemeester past de wet toe bij horeca.",
        "Hoofdstuk 3 Slot", "Deze regels treden in werking op 1 mei 2021."]))
    assert [(a.number, a.title, a.kind) for a in doc.articles] == [
        ("1", "Inleiding", "sectie"), ("2", "Reikwijdte", "sectie"), ("3", "Slot", "sectie")]
    assert doc.articles[1].text == "De burgemeester past de wet toe bij horeca."
    assert doc.type == "bibob" and doc.in_force_date == "2021-05-01"


def test_markdown_export_with_meta_tag(tmp_path):
    md = tmp_path / "opiumwet.md"
    md.write_text(
        "<meta http-equiv='Content-Type' content='text/html; charset=utf-8' />\n\n"
        "##Wet van 12 mei 1928, tot vaststelling van bepalingen betreffende het opium\n\n"
        "Wij WILHELMINA, bij de gratie Gods, Koningin der Nederlanden.\n\n"
        "### Artikel  1  \n\n1.   In deze wet wordt verstaan onder:  \n\na. Onze Minister: de Minister van VWS;  \n\n"
        "###Artikel  3c \n\n1.  Bij [algemene maatregel van bestuur](#amvb) kunnen middelen worden aangewezen.   \n\n"
        "### Artikel  13b  \n\n1. De burgemeester is bevoegd tot oplegging van een last onder bestuursdwang. \n\n"
        "Lasten en bevelen, dat deze in het *Staatsblad* zal worden geplaatst.   \n\n"
        "### Lijst  I  \n\n| acetorfine  | –  |\n", encoding="utf-8")
    doc = _load(md)
    assert [a.number for a in doc.articles] == ["1", "3c", "13b"]
    assert doc.title.startswith("Wet van 12 mei 1928") and doc.type is None
    assert "algemene maatregel van bestuur kunnen" in doc.articles[1].text


def test_toelichting_per_article_does_not_end_the_articles():
    doc = structure_document(_raw([
        "Beleidslijn Bibob gemeente Noordkaap 2019",
        "Artikel 1. Begripsbepalingen", "In deze beleidslijn wordt verstaan onder Wet: de Wet Bibob.",
        "Toelichting", "Dit artikel definieert begrippen. Zie ook artikel 3.",
        "Artikel 2. Horeca", "De burgemeester past de Wet toe bij horeca.",
        "Toelichting op artikel 2", "Bij horeca wordt altijd getoetst.",
        "Artikel 3. Slot", "Deze beleidslijn treedt in werking op 1 juli 2019."]))
    assert [(a.number, a.title) for a in doc.articles] == [("1", "Begripsbepalingen"), ("2", "Horeca"), ("3", "Slot")]
    assert [n.refers_to for n in doc.toelichting] == ["1", "2"]
    assert all("getoetst" not in a.text for a in doc.articles)
    assert doc.in_force_date == "2019-07-01" and doc.municipality == "Noordkaap"


def test_page_number_before_a_heading_is_furniture():
    doc = structure_document(_raw([
        ("Verordening speelautomatenhallen Zuidoord", 1), ("Artikel 1 Begripsbepalingen", 1),
        ("In deze verordening wordt verstaan onder hal: een speelautomatenhal.", 1),
        ("2", 2), ("Artikel 2 Vergunning", 2),
        ("Het is verboden zonder vergunning van de burgemeester een hal te exploiteren.", 2),
        ("- 3 -", 3), ("Artikel 3 Weigeringsgronden", 3),
        ("De burgemeester weigert de vergunning bij slecht levensgedrag.", 3)],
        fmt="pdf", path="z.pdf", pages=3))
    assert [(a.number, a.title, a.page) for a in doc.articles] == [
        ("1", "Begripsbepalingen", 1), ("2", "Vergunning", 2), ("3", "Weigeringsgronden", 3)]


@pytest.mark.parametrize("title, body, expected", [
    ("Horecaverordening Maasdal 2020", "De raad van de gemeente Maasdal;", "apv"),
    ("Exploitatieverordening Maasdal 2020", "De raad van de gemeente Maasdal;", "apv"),
    ("Beleidsregels exploitatievergunning horeca Maasdal", "De burgemeester van Maasdal;", None),
    ("Beleidsregel sluiting drugspanden Maasdal", "De burgemeester van Maasdal;", "damocles"),
    ("Integriteitsbeleid gemeente Maasdal", "Het college van burgemeester en wethouders;", "integriteit"),
    ("Huisregels en protocol Veilige Publieke Taak", "Het college van Maasdal;", "agressie"),
    ("Regeling integriteit rijksambtenaren", "Onze Minister van Binnenlandse Zaken;", None),
])
def test_type_from_title_cues(title, body, expected):
    doc = structure_document(_raw([title, body, "Artikel 1 Begripsbepalingen", "Een begrip."]))
    assert doc.type == expected


def test_title_wrapped_onto_next_block():
    doc = structure_document(_raw([
        "Algemene plaatselijke verordening Zuidoord", "Artikel 2:3 Hinderlijk gedrag in of bij voor het publiek",
        "toegankelijke gebouwen", "1. Het is verboden zich in een voor het publiek toegankelijk gebouw hinderlijk te gedragen.",
        "Artikel 2:4 Bestuurlijke ophouding", "de bestuurlijke ophouding duurt ten hoogste twaalf uur."]))
    assert doc.articles[0].title == "Hinderlijk gedrag in of bij voor het publiek toegankelijke gebouwen"
    assert [lid.number for lid in doc.articles[0].leden] == ["1"]
    assert doc.articles[1].title == "Bestuurlijke ophouding"
    assert doc.articles[1].text.startswith("de bestuurlijke ophouding")


# ------------------------------------------------------------------ real texts (structure-real)

REAL = HERE / "corpus" / "structure-real"
# The real regulations in every rendering would be slow here; one format per document,
# cycling, keeps each reader covered (the scorer runs them all).
_REAL_FILES = []
for _k, _t in enumerate(sorted(REAL.glob("*.txt"))):
    _alts = [p for p in (_t.with_suffix(s) for s in (".pdf", ".docx", ".html", ".txt")) if p.exists()]
    _REAL_FILES.append(_alts[_k % len(_alts)])


@pytest.mark.parametrize("path", _REAL_FILES, ids=lambda p: p.name)
def test_real_regulations_match_labels(path):
    doc = _load(path)
    assert [a.number for a in doc.articles] == [str(x) for x in _labels(path)["articles"]]


def test_hoofdstuk_chapters_with_numbered_paragraphs_are_sections():
    # A policy numbered "Hoofdstuk 1 Inleiding" / "1.1 Aanleiding": the numbered paragraphs
    # are its sections, the chapters stay divisions (as over an APV's articles); the leden
    # inside stay leden.
    doc = structure_document(_raw([
        "Integriteitsbeleid gemeente Rivierenland 2021",
        "Hoofdstuk 1 Inleiding", "1.1 Aanleiding", "Integriteit is een belangrijke waarde voor de gemeente.",
        "1.2 Reikwijdte", "1. Dit beleid geldt voor raadsleden.", "2. Het geldt ook voor ambtenaren.",
        "Hoofdstuk 2 Gedragsregels", "2.1 Geschenken", "Medewerkers nemen geen geschenken aan boven 50 euro.",
        "2.2 Nevenwerkzaamheden", "Nevenwerkzaamheden worden vooraf gemeld.",
        "Hoofdstuk 3 Melden", "3.1 Meldprocedure", "Een vermoeden wordt gemeld bij de vertrouwenspersoon."]))
    assert [a.number for a in doc.articles] == ["1.1", "1.2", "2.1", "2.2", "3.1"]
    assert doc.articles[0].title == "Aanleiding" and doc.articles[2].chapter == "2"
    assert [(d.kind, d.number, d.title) for d in doc.divisions][:2] == [("hoofdstuk", "1", "Inleiding"),
                                                                       ("hoofdstuk", "2", "Gedragsregels")]
    assert "ambtenaren" in doc.articles[1].text


def test_chapters_alone_and_articles_under_chapters_unchanged():
    doc = structure_document(_raw([
        "Beleidsregel horeca gemeente Zand 2020", "Hoofdstuk 1 Inleiding", "Dit beleid gaat over horeca.",
        "Hoofdstuk 2 Toetsing", "De burgemeester toetst elke aanvraag.", "Hoofdstuk 3 Slot",
        "Dit beleid treedt in werking op 1 januari 2020."]))
    assert [a.number for a in doc.articles] == ["1", "2", "3"]
    apv = structure_document(_raw(
        ["Verordening Zand 2020", "Hoofdstuk 1 Algemeen"]
        + [x for n in range(1, 8) for x in (f"Artikel 1.{n} Onderwerp {n}", "Het college regelt dit.")]))
    assert [a.number for a in apv.articles] == [f"1.{n}" for n in range(1, 8)]


def test_roman_numbered_policy_sections():
    doc = structure_document(_raw([
        "Beleidsregels Damocles gemeente Oosterhout 2020",
        "I. Inleiding", "De burgemeester is bevoegd op grond van artikel 13b van de Opiumwet een woning te sluiten.",
        "II. Wettelijk kader", "Artikel 13b van de Opiumwet luidt als volgt:",
        "1. De burgemeester is bevoegd een last onder bestuursdwang op te leggen.",
        "III. Handhavingsbeleid", "Bij een eerste constatering volgt een waarschuwing.",
        "IV. Inwerkingtreding", "Deze beleidsregels treden in werking op de dag na bekendmaking."]))
    assert [a.number for a in doc.articles] == ["I", "II", "III", "IV"]
    assert doc.articles[2].title == "Handhavingsbeleid"
    # a wijzigingsbesluit's "Artikel I" / "Artikel II" stay articles, not sections
    wijz = structure_document(_raw([
        "Wijziging APV Zeeland 2022", "Artikel I", "De APV wordt als volgt gewijzigd:", "A",
        "Artikel 2:28 komt te luiden:", "Artikel 2:28 Exploitatievergunning",
        "1. Het is verboden een openbare inrichting te exploiteren zonder vergunning.",
        "Artikel II", "Deze wijziging treedt in werking op de dag na bekendmaking."]))
    assert [a.number for a in wijz.articles] == ["I", "II"]


def test_lettered_sections_and_paragraaf_top_level():
    doc = structure_document(_raw([
        "Beleidslijn Bibob gemeente Zuidhaven 2018",
        "A. Inleiding", "De gemeente wil voorkomen dat zij criminele activiteiten faciliteert.",
        "B. Reikwijdte", "De beleidslijn is van toepassing op de volgende beschikkingen:",
        "a. exploitatievergunningen voor horecabedrijven;", "b. vergunningen op grond van de Alcoholwet.",
        "C. Procedure", "Bij elke aanvraag wordt een vragenformulier verstrekt.",
        "D. Inwerkingtreding", "Deze beleidslijn treedt in werking op 1 januari 2018."]))
    assert [a.number for a in doc.articles] == ["A", "B", "C", "D"]
    code = structure_document(_raw([
        "Gedragscode integriteit gemeente Meerland 2019", "Paragraaf 1 Algemeen", "1.1 Doel",
        "Deze gedragscode beschrijft wat wij van elkaar verwachten.", "1.2 Reikwijdte",
        "De code geldt voor alle medewerkers.", "Paragraaf 2 Geschenken", "2.1 Aannemen van geschenken",
        "Geschenken boven 50 euro worden niet aangenomen."]))
    assert [a.number for a in code.articles] == ["1.1", "1.2", "2.1"]


def test_html_heading_spans_without_spaces(tmp_path):
    # officielebekendmakingen-style markup: label, number and title as adjacent spans
    page = tmp_path / "gmb.html"
    page.write_text(
        "<html><body><h1>Beleidsregels Bibob gemeente Lelystad 2023</h1>"
        + "".join(f"<div class='artikel'><h4 class='artikel_kop'><span class='artikel_kop_label'>Artikel</span>"
                  f"<span class='artikel_kop_nr'>{n}</span><span class='artikel_kop_titel'>{t}</span></h4>"
                  f"<p>De burgemeester past de wet toe.</p></div>"
                  for n, t in (("1", "Begripsbepalingen"), ("2", "Reikwijdte"), ("2a", "Horeca")))
        + "<p>Een woning<sup>1</sup> en een 2<sup>e</sup> lokaal.</p></body></html>", encoding="utf-8")
    doc = _load(page)
    assert [(a.number, a.title) for a in doc.articles] == [
        ("1", "Begripsbepalingen"), ("2", "Reikwijdte"), ("2a", "Horeca")]


def test_contents_list_without_page_numbers():
    # An "Inhoudsopgave" copied without page numbers lists every heading once more; the
    # sections and articles must be the real ones, with their text.
    heads = ["1 Inleiding", "1.1 Aanleiding", "1.2 Doel", "2 Kader", "2.1 Juridisch kader", "2.2 Uitgangspunten"]
    body = {"1.1 Aanleiding": "De Wet Bibob is in 2003 in werking getreden.",
            "1.2 Doel": "Het doel van dit beleid is de integriteit van de gemeente te beschermen.",
            "2.1 Juridisch kader": "De wet biedt de mogelijkheid vergunningen te weigeren.",
            "2.2 Uitgangspunten": "Het beleid gaat uit van een risicogerichte aanpak."}
    doc = structure_document(_raw(["Beleid Wet Bibob gemeente Woensdrecht", "Inhoudsopgave"] + heads
                                  + [x for h in heads for x in ([h, body[h]] if h in body else [h])]))
    assert [a.number for a in doc.articles] == ["1", "1.1", "1.2", "2", "2.1", "2.2"]
    assert "2003" in doc.articles[1].text and "risicogerichte" in doc.articles[5].text
    apv = structure_document(_raw([
        "Algemene Plaatselijke Verordening Ouder-Amstel 2017", "Inhoudsopgave",
        "Hoofdstuk 1 Algemene bepalingen", "Artikel 1.1 Begripsbepalingen", "Artikel 1.2 Beslistermijn",
        "Artikel 1.3 Indienen aanvraag (vervallen)", "Hoofdstuk 2 Openbare orde",
        "Artikel 2.1 Samenscholing en ongeregeldheden", "Artikel 2.2 Messen en steekwapens",
        "Hoofdstuk 1 Algemene bepalingen", "Artikel 1.1 Begripsbepalingen",
        "In deze verordening wordt verstaan onder openbare plaats: een voor het publiek toegankelijke plaats.",
        "Artikel 1.2 Beslistermijn", "1. Het bestuursorgaan beslist binnen acht weken.",
        "Artikel 1.3 Indienen aanvraag (vervallen)", "Hoofdstuk 2 Openbare orde",
        "Artikel 2.1 Samenscholing en ongeregeldheden", "1. Het is verboden deel te nemen aan een samenscholing.",
        "Artikel 2.2 Messen en steekwapens", "Het is verboden messen te dragen."]))
    assert [a.number for a in apv.articles] == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    assert "openbare plaats" in apv.articles[0].text and apv.articles[2].status == "vervallen"


def test_sections_numbered_with_point_zero():
    doc = structure_document(_raw([
        "Damoclesbeleid gemeente Heerenveen 2019",
        "1.0 Inleiding", "De burgemeester kan op grond van artikel 13b Opiumwet een woning sluiten.",
        "1.1 Aanleiding", "Het drugsbeleid is in 2019 geactualiseerd.",
        "2.0 Bevoegdheid", "De bevoegdheid berust bij de burgemeester.",
        "2.1 Woningen", "Bij woningen volgt eerst een waarschuwing.",
        "3.0 Slotbepalingen", "Dit beleid treedt in werking op 1 januari 2019."]))
    assert [a.number for a in doc.articles] == ["1.0", "1.1", "2.0", "2.1", "3.0"]


def test_inserted_section_with_letter_suffix():
    doc = structure_document(_raw([
        "Bibob-beleidslijn gemeente Breda 2016", "1 Inleiding", "De gemeente past de wet toe.",
        "2 Reikwijdte", "2.1 Horeca", "Alle horecavergunningen worden getoetst.",
        "2.2 Coffeeshops", "Gedoogbeschikkingen worden getoetst.", "2.2a Growshops",
        "Growshops worden getoetst bij signalen.", "2.3 Subsidies", "Subsidies worden getoetst.",
        "3 Slot", "Deze beleidslijn treedt in werking op 1 januari 2016."]))
    assert [a.number for a in doc.articles] == ["1", "2", "2.1", "2.2", "2.2a", "2.3", "3"]
    assert doc.articles[4].title == "Growshops" and "signalen" in doc.articles[4].text


def test_capital_letter_suffix_is_part_of_the_article_number():
    lines = ["Verordening Testdorp", "Artikel 1 Begrippen", "In deze verordening wordt verstaan onder iets.",
             "Artikel 4 Vergunning", "1. Het is verboden.", "Artikel 4A Ontheffing",
             "De burgemeester kan ontheffing verlenen.", "Artikel 2:30B Sluiting",
             "De burgemeester kan sluiten.", "Artikel 5 Slot", "Deze verordening heet zo."]
    raw = RawDocument(path="t.txt", format="txt", blocks=[Block(text=t) for t in lines])
    doc = structure_document(raw)
    assert [a.number for a in doc.articles] == ["1", "4", "4A", "2:30B", "5"]


def test_excerpt_starting_at_a_subsection_lists_its_sections():
    # An excerpt (or a chapter printed on its own) begins at "2.1": no "1" or "2" above it.
    doc = structure_document(_raw([
        "Uittreksel Damoclesbeleid gemeente Lindeveld 2022",
        "2.1 Woningen", "Bij een woning volgt bij een eerste overtreding een waarschuwing.",
        "2.2 Lokalen", "Een lokaal wordt direct gesloten voor drie maanden.",
        "2.3 Duur van de sluiting", "De sluiting duurt bij herhaling zes maanden.",
        "3 Slotbepalingen", "3.1 Inwerkingtreding", "Dit beleid treedt in werking op 1 januari 2022."]))
    assert [a.number for a in doc.articles] == ["2.1", "2.2", "2.3", "3", "3.1"]
    assert doc.articles[1].title == "Lokalen" and "drie maanden" in doc.articles[1].text
    # a lone numbered line is still no section list
    doc = structure_document(_raw([
        "Notitie handhaving", "2.1 Woningen worden gecontroleerd", "Er volgt een waarschuwing."]))
    assert doc.articles == []


def test_article_number_with_a_space_at_the_colon():
    # OCR and hand-typed APVs print "Artikel 2: 28" or "Artikel 2 :28" for 2:28.
    doc = structure_document(_raw([
        "Algemene plaatselijke verordening Testdorp", "Artikel 2: 27 Begripsbepalingen",
        "In deze afdeling wordt verstaan onder horecabedrijf: het bedrijfsmatig verstrekken van dranken.",
        "Artikel 2 :28 Exploitatievergunning", "1. Het is verboden een horecabedrijf te exploiteren zonder vergunning.",
        "Artikel 2 : 29 Sluitingstijden", "De burgemeester stelt sluitingstijden vast.",
        "Artikel 2: Slotbepaling", "Deze verordening heet zo."]))
    assert [a.number for a in doc.articles] == ["2:27", "2:28", "2:29", "2"]
    assert doc.articles[1].title == "Exploitatievergunning" and doc.articles[3].title == "Slotbepaling"


@pytest.mark.parametrize("meta, first, want", [
    # running-header text in the Title field; page 1 prints the full title
    ("Damoclesbeleid 2021", "Damoclesbeleid gemeente Noordwold 2021", "Damoclesbeleid gemeente Noordwold 2021"),
    # a cut-off Title field
    ("Regeling storing radioverbinding tijdens een gecontroleerde",
     "Regeling storing radioverbinding tijdens een gecontroleerde vlucht",
     "Regeling storing radioverbinding tijdens een gecontroleerde vlucht"),
    # the formal title quotes the metadata title as its citeertitel: the short one stays
    ("Besluit brandweer BES", "Besluit van 30 september 2010, houdende regels over de brandweer (Besluit brandweer BES)",
     "Besluit brandweer BES"),
    ("Wet bevordering integriteitsbeoordelingen door het openbaar",
     "Wet van 20 juni 2002, houdende regels inzake integriteitsbeoordelingen (Wet bevordering "
     "integriteitsbeoordelingen door het openbaar bestuur)",
     "Wet bevordering integriteitsbeoordelingen door het openbaar bestuur"),
])
def test_title_block_on_page_one_beats_a_shorter_metadata_title(meta, first, want):
    blocks = [Block(text=first, page=1, kind="heading", heading_level=2, bold=True),
              Block(text="Artikel 1 Begripsbepalingen", page=1, kind="heading", bold=True),
              Block(text="In dit besluit wordt verstaan onder wet: de wet.", page=1),
              Block(text="Artikel 2 Inwerkingtreding", page=1, kind="heading", bold=True),
              Block(text="Dit besluit treedt in werking op 1 januari 2021.", page=1)]
    doc = structure_document(RawDocument(path="t.pdf", format="pdf", blocks=blocks, metadata={"title": meta}))
    assert doc.title == want
