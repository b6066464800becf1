"""Reports (text, markdown, html, csv, xlsx) on a realistic CheckResult built here.

`make_result()` is the fixture factory the other report tests import: 44 findings over
the five document types as the rules engine and the Noord-Holland norm view fill them.
"""
from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest

from checker.model import (
    CheckResult,
    CriterionResult,
    DocumentInfo,
    ErrorInfo,
    Evidence,
    Finding,
    ManualItem,
)

# (id, status, location, page, quote, norm refs) - quotes in the wording of real APVs/policies.
_ROWS = [
    ("apv.exploitatie.horeca", "present", "2:28", 31,
     "De burgemeester weigert de vergunning indien de exploitant of leidinggevende in enig "
     "opzicht van slecht levensgedrag is.", ["NH 5.2", "TW BH-c"]),
    ("apv.exploitatie.paracommercieel", "partial", "2:34b", 35,
     "Het is verboden in een paracommerciële inrichting alcoholhoudende drank te verstrekken "
     "buiten de in het tweede lid genoemde schenktijden.", ["NH 5.2"]),
    ("apv.exploitatie.seksbedrijf", "present", "3:6", 52,
     "De burgemeester weigert de vergunning indien de exploitant of beheerder in enig opzicht "
     "van slecht levensgedrag is.", ["NH 5.2"]),
    ("apv.exploitatie.coffeeshop", "not_applicable", "2:41", 38,
     "Het is verboden een coffeeshop te exploiteren.", ["NH 5.2"]),
    ("apv.exploitatie.evenement", "partial", "2:25", 27,
     "De burgemeester kan de vergunning weigeren in het belang van de openbare orde & "
     "veiligheid (zie <bijlage>).", ["NH 5.2"]),
    ("apv.exploitatie.shisha", "missing", None, None, "", ["NH 5.2"]),
    ("apv.exploitatie.speelautomaten", "partial", "2:38", 37,
     "Op speelautomatenhallen is de Verordening speelautomatenhallen Lindeveld 2019 van "
     "toepassing.", ["NH 5.2"]),
    ("apv.sluiting.publieke_gebouwen", "present", "2:9", 14,
     "De burgemeester kan bij een ernstige vrees voor verstoring van de openbare orde een voor "
     "het publiek toegankelijk gebouw sluiten.", ["NH 5.2"]),
    ("apv.ondernemersklimaat", "missing", None, None, "", ["NH 5.2"]),
    ("apv.vergunningplicht.branches", "missing", None, None, "", ["NH 5.2", "TW BH-c"]),
    ("apv.vergunningplicht.gebieden", "partial", "2:48", 41,
     "De burgemeester kan gebieden aanwijzen waarin een meldplicht geldt voor bedrijven.",
     ["NH 5.2", "TW BH-c"]),
    ("apv.gebiedsaanwijzing", "present", "2:77", 60,
     "De burgemeester kan een gebied aanwijzen als veiligheidsrisicogebied.", ["NH 5.2"]),
    ("bibob.alcoholwet", "partial", "3.1", 4,
     "De Wet Bibob wordt toegepast bij aanvragen om een drank- en horecavergunning.",
     ["NH 5.5", "TW BH-d"]),
    ("bibob.exploitatie", "present", "3.1", 4,
     "De Wet Bibob wordt in alle gevallen toegepast bij exploitatievergunningen.",
     ["NH 5.5", "TW BH-d"]),
    ("bibob.speelautomaten", "present", "3.1", 4,
     "Dit geldt eveneens voor vergunningen voor een speelautomatenhal.", ["NH 5.5"]),
    ("bibob.coffeeshop", "not_applicable", "3.4", 5,
     "In de gemeente Lindeveld worden geen coffeeshops toegestaan.", ["NH 5.5"]),
    ("bibob.seksbedrijf", "partial", "3.2", 4,
     "De burgemeester kan de Wet Bibob toepassen bij seksbedrijven.", ["NH 5.5"]),
    ("bibob.omgevingsvergunning", "partial", "3.3", 5,
     "Bij aanvragen om een omgevingsvergunning voor bouwen (Wabo) kan het college de wet "
     "toepassen.", ["NH 5.5"]),
    ("bibob.subsidie", "present", "3.3", 5,
     "Het college kan de Wet Bibob toepassen bij subsidiebeschikkingen.", ["NH 5.5"]),
    ("bibob.vastgoed", "missing", None, None, "", ["NH 5.5"]),
    ("bibob.overheidsopdrachten", "present", "3.5", 6,
     "Bij overheidsopdrachten, waaronder sociale en andere specifieke diensten, kan de wet "
     "worden toegepast.", ["NH 5.5"]),
    ("bibob.actueel", "partial", "1.2", 2,
     "gelet op de Drank- en Horecawet en de Wet algemene bepalingen omgevingsrecht",
     ["NH 5.5", "TW BH-d"]),
    ("damocles.grondslag", "present", "1", 1,
     "Beleidsregel van de burgemeester van Lindeveld inzake de toepassing van artikel 13b "
     "Opiumwet.", ["NH 5.8"]),
    ("damocles.woning_lokaal", "present", "2.1", 2,
     "Dit beleid ziet op woningen, lokalen en bij woningen of lokalen behorende erven.",
     ["NH 5.8"]),
    ("damocles.drugssoorten", "partial", "2.3", 3,
     "Van een handelshoeveelheid harddrugs is sprake bij meer dan 0,5 gram.", ["NH 5.8"]),
    ("damocles.voorbereidingshandelingen", "missing", None, None, "", ["NH 5.8"]),
    ("damocles.stappenplan", "present", "4", 5,
     "Eerste overtreding: sluiting voor de duur van drie maanden; tweede overtreding: zes "
     "maanden.", ["NH 5.8"]),
    ("integriteit.doelgroepen", "partial", "1.2", 2,
     "Deze gedragscode geldt voor alle medewerkers van de gemeente Lindeveld.", ["NH 2.2"]),
    ("integriteit.belangenverstrengeling", "present", "3.1", 5,
     "Nevenwerkzaamheden meld je vooraf; ze worden geregistreerd.", ["NH 2.1", "NH 2.6"]),
    ("integriteit.geschenken", "present", "3.3", 6,
     "Geschenken met een waarde van meer dan € 50 neem je niet aan.", ["NH 2.1"]),
    ("integriteit.geheimhouding", "partial", "3.5", 7,
     "Je gaat zorgvuldig om met vertrouwelijke informatie.", ["NH 2.10"]),
    ("integriteit.melden", "present", "4.1", 8,
     "Een vermoeden meld je bij de vertrouwenspersoon integriteit of via de meldregeling.",
     ["NH 2.4"]),
    ("integriteit.onderzoeksprotocol", "missing", None, None, "", ["NH 2.5"]),
    ("integriteit.eed", "present", "2.1", 3,
     "Iedere nieuwe medewerker legt de ambtseed of belofte af.", ["NH 2.9", "TW IW-a"]),
    ("integriteit.screening", "missing", None, None, "", ["NH 2.11", "TW IW-b"]),
    ("agressie.norm", "present", "1", 1,
     "Wij accepteren geen agressie; dit protocol volgt Stop Agressie Samen.",
     ["NH 3.1", "NH 3.2"]),
    ("agressie.digitaal", "missing", None, None, "", ["NH 3.1"]),
    ("agressie.doelgroepen", "partial", "1.3", 2,
     "Dit protocol geldt voor alle medewerkers met publiekscontact.", ["NH 3.1"]),
    ("agressie.melden_registreren", "present", "3", 4,
     "Elk incident wordt gemeld via het meldformulier en geregistreerd.", ["NH 3.7"]),
    ("agressie.aangifte", "present", "4", 5,
     "De werkgever doet aangifte namens de medewerker volgens de ELA.", ["NH 3.7"]),
    ("agressie.schadeverhaal", "present", "5", 6,
     "De gemeente verhaalt de schade op de dader.", ["NH 3.9"]),
    ("agressie.nazorg", "present", "6", 6,
     "De leidinggevende zorgt dezelfde dag voor opvang en nazorg.", ["NH 3.10"]),
    ("agressie.training", "missing", None, None, "", ["NH 3.6"]),
    ("agressie.maatregelen", "present", "7", 7,
     "Bij herhaling volgt een rode kaart: een toegangsverbod van ten hoogste een jaar.",
     ["NH 3.3", "NH 3.1"]),
]

DOCS = {
    "apv": "samples/lindeveld/apv-lindeveld-2024.pdf",
    "bibob": "samples/lindeveld/bibob-lindeveld-2021.docx",
    "damocles": "samples/lindeveld/damocles-lindeveld-2020.pdf",
    "integriteit": "samples/lindeveld/gedragscode-lindeveld-2022.pdf",
    "agressie": "samples/lindeveld/agressieprotocol-lindeveld-2023.docx",
}

_NORM_TEXT = {
    "NH 2.1": "Wij hebben een integriteitsbeleid dat ten minste bestaat uit een gedragscode.",
    "NH 2.2": "Onze gedragscode geldt voor medewerkers, politieke ambtsdragers en externen.",
    "NH 2.4": "Wij hebben een meldregeling en een vertrouwenspersoon integriteit.",
    "NH 2.5": "Wij hebben een protocol voor onderzoek naar integriteitsschendingen.",
    "NH 2.6": "Nevenwerkzaamheden worden gemeld en geregistreerd.",
    "NH 2.9": "Nieuwe medewerkers leggen de eed of belofte af.",
    "NH 2.10": "Wij borgen geheimhouding, ook bij inhuur.",
    "NH 2.11": "Wij screenen per functie(profiel).",
    "NH 3.1": "Wij hebben een agressieprotocol met een duidelijke norm.",
    "NH 3.2": "Wij sluiten aan bij de landelijke norm Stop Agressie Samen.",
    "NH 3.3": "Wij nemen maatregelen tegen daders.",
    "NH 3.6": "Medewerkers en politieke ambtsdragers worden getraind.",
    "NH 3.7": "Incidenten worden gemeld, geregistreerd en er wordt aangifte gedaan.",
    "NH 3.9": "Wij verhalen schade op de dader.",
    "NH 3.10": "Wij bieden nazorg aan slachtoffers.",
    "NH 5.2": "Wij hebben in onze APV artikelen opgenomen ten behoeve van de aanpak van "
              "ondermijnende criminaliteit.",
    "NH 5.5": "Wij hebben actueel Bibob-beleid en passen dit ook toe.",
    "NH 5.8": "Wij hebben actueel Damoclesbeleid (artikel 13b Opiumwet).",
}
_THEMES = {"2": "2. Integriteit", "3": "3. Veilige publieke taak", "5": "5. Beleid & Handhaving"}
_MANUAL = [
    ("NH 1.1", "1. Bewustwording", "Wij hebben een bestuurlijk en ambtelijk eigenaar voor weerbaarheid."),
    ("NH 1.2", "1. Bewustwording", "Wij organiseren jaarlijks een bewustwordingssessie."),
    ("NH 2.3", "2. Integriteit", "Wij hebben een integriteitscoördinator."),
    ("NH 4.5", "4. Informatie", "Wij hebben een coördinator bestuurlijke aanpak."),
    ("NH 5.6", "5. Beleid & Handhaving", "Wij beschikken over voldoende toegeruste Bibob-medewerkers."),
]


def _worst(statuses):
    for s in ("missing", "partial", "present", "not_applicable"):
        if s in statuses:
            return s
    return "missing"


def make_result(drop_types=(), with_groups: bool | str = True) -> CheckResult:
    """with_groups: True = hand-made norm groups, "real" = checker.norms view, False = none."""
    findings = []
    for rid, status, loc, page, quote, refs in _ROWS:
        t = rid.split(".")[0]
        if t in drop_types:
            continue
        ev = [Evidence(document=DOCS[t], location=loc, page=page, quote=quote)] if loc else []
        criteria = []
        if status == "partial":
            criteria = [
                CriterionResult(id="regime", label="vergunningstelsel of regeling aanwezig", met=True,
                                evidence=list(ev)),
                CriterionResult(id="levensgedrag", label="weigeringsgrond slecht levensgedrag",
                                met=False, note="geen weigeringsgrond levensgedrag gevonden"),
            ]
        explanation = {
            "present": "Alle criteria zijn gevonden.",
            "partial": "Er is een regeling, maar een criterium ontbreekt.",
            "missing": "Geen bepaling gevonden die hierover gaat.",
            "not_applicable": "De activiteit is uitdrukkelijk verboden (nuloptie).",
        }[status]
        findings.append(Finding(requirement=rid, status=status, evidence=ev, explanation=explanation,
                                title="", type=t, norm_refs=list(refs), criteria=criteria))
    docs = [DocumentInfo(path=p, type=t, format=p.rsplit(".", 1)[1], title=f"{t.upper()} Lindeveld",
                         adopted="2021-03-04", pages=12 if t != "apv" else 84, articles=40)
            for t, p in DOCS.items() if t not in drop_types]
    result = CheckResult(
        norm="noord-holland", documents=docs, findings=findings,
        errors=[ErrorInfo(path="samples/lindeveld/kapot.pdf",
                          error="PDF is versleuteld en kan niet worden gelezen.", code="encrypted")],
        absent_types=list(drop_types), municipality="Lindeveld",
        warnings=["bibob-lindeveld-2021.docx: verwijst naar de Drank- en Horecawet (vervallen per 1 juli 2021)."],
        version="0.1.0", rules_version="2026.11-test", generated="2026-11-25T12:30:00+00:00",
    )
    result.manual_items = [ManualItem(norm_item=i, group=g, text=txt,
                                      answer="present" if i == "NH 1.1" else None,
                                      note="Besluit college 12-03-2025" if i == "NH 1.1" else "")
                           for i, g, txt in _MANUAL]
    if with_groups == "real":
        # The norm colleague's view, exactly as the pipeline will fill it.
        from checker.norms import group_findings, manual_items

        result.groups = group_findings(result.findings, "noord-holland", result.absent_types, {})
        result.manual_items = manual_items("noord-holland")
        result.manual_items[0].answer, result.manual_items[0].note = "present", "Besluit college 12-03-2025"
    elif with_groups:
        # Same shape as checker.norms.view: item status "handmatig" for organisational
        # items, counts only for statuses that occur.
        by_ref: dict[str, list[Finding]] = {}
        for f in findings:
            for ref in f.norm_refs:
                if ref.startswith("NH"):
                    by_ref.setdefault(ref, []).append(f)
        groups = {}
        for ref in sorted(by_ref, key=lambda x: [int(n) for n in x[3:].split(".")]):
            theme = ref[3:].split(".")[0]
            fs = by_ref[ref]
            g = groups.setdefault(theme, {"id": theme, "title": _THEMES[theme], "kind": "norm", "items": []})
            g["items"].append({"id": ref, "text": _NORM_TEXT[ref], "manual": False,
                               "requirements": [f.requirement for f in fs],
                               "status": _worst({f.status for f in fs}), "answer": None, "note": ""})
        for i, gname, txt in _MANUAL:
            theme = i[3:].split(".")[0]
            g = groups.setdefault(theme, {"id": theme, "title": gname, "kind": "norm", "items": []})
            g["items"].append({"id": i, "text": txt, "manual": True, "requirements": [],
                               "status": "handmatig", "answer": "present" if i == "NH 1.1" else None,
                               "note": ""})
        for g in groups.values():
            counts: dict[str, int] = {}
            for it in g["items"]:
                counts[it["status"]] = counts.get(it["status"], 0) + 1
            g["counts"] = counts
        result.groups = [groups[k] for k in sorted(groups, key=int)]
    return result


# ---------------------------------------------------------------- tests


def test_fixture_is_realistic():
    r = make_result()
    assert len(r.findings) == 44
    assert {f.type for f in r.findings} == {"apv", "bibob", "damocles", "integriteit", "agressie"}
    assert {f.status for f in r.findings} == {"present", "partial", "missing", "not_applicable"}


def test_text_plain_report():
    from checker.report.text import render_text

    r = make_result(drop_types=("damocles",))
    out = render_text(r, color=False)
    assert "\x1b[" not in out
    assert "Gemeente: Lindeveld" in out
    for f in r.findings:
        assert f.requirement in out
    assert "✔ AANWEZIG" in out and "◐ GEDEELTELIJK" in out and "✘ ONTBREEKT" in out
    assert "– N.V.T." in out
    assert "art. 2:28 (p. 31): 'De burgemeester weigert de vergunning" in out
    # policy documents number sections, as the rules engine words it
    assert "par. 3.1 (p. 4): 'De Wet Bibob wordt in alle gevallen toegepast" in out
    assert "Damoclesbeleid: document ontbreekt" in out
    assert "kapot.pdf: PDF is versleuteld" in out
    assert "Drank- en Horecawet (vervallen per 1 juli 2021)" in out
    # the unmet criterion is named, not only the status
    assert "✘ weigeringsgrond slecht levensgedrag: geen weigeringsgrond" in out
    assert "39 eisen getoetst: 18 aanwezig, 11 gedeeltelijk, 8 ontbreekt, 2 n.v.t." in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_text_color_uses_ansi_only_when_asked():
    from checker.report.text import render_text

    r = make_result()
    colored = render_text(r, color=True)
    assert "\x1b[31m✘ ONTBREEKT" in colored and "\x1b[32m✔ AANWEZIG" in colored
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", colored)
    assert stripped == render_text(r, color=False)


def test_text_without_findings_or_documents():
    from checker.report.text import render_text

    r = CheckResult(norm="twente", errors=[ErrorInfo(path="leeg.pdf", error="Document is leeg.")],
                    absent_types=["apv", "bibob", "damocles", "integriteit", "agressie"])
    out = render_text(r)
    assert "(geen leesbare documenten)" in out
    assert "0 eisen getoetst" in out
    assert "APV: document ontbreekt" in out
    assert "leeg.pdf: Document is leeg." in out


def test_markdown_report():
    from checker.report.markdown import render_markdown

    r = make_result(drop_types=("agressie",))
    md = render_markdown(r)
    assert md.startswith("# ")
    assert "| Eis | Status |" in md or "| Eis |" in md
    for f in r.findings:
        assert f"`{f.requirement}`" in md
    assert "Agressieprotocol" in md and "document ontbreekt" in md
    # a pipe inside a title must not split the table row
    r.findings[0].title = "a | b"
    md = render_markdown(r)
    assert "a \\| b" in md
    assert "NH 1.1" in md and "voldoet" in md
    assert "## Per normonderdeel" in md and "| NH 1.2 | ? Handmatig | – |" in md
    assert "| NH 1.1 | ✔ Aanwezig (handmatig beantwoord) | – |" in md


def test_csv_one_row_per_requirement():
    from checker.report.tabular import render_csv

    r = make_result()
    rows = list(csv.DictReader(io.StringIO(render_csv(r))))
    assert [row["requirement"] for row in rows] == [f.requirement for f in r.findings]
    assert list(rows[0]) == ["requirement", "titel", "documentsoort", "status", "locaties",
                             "pagina's", "toelichting", "normverwijzingen"]
    horeca = rows[0]
    assert horeca["status"] == "present" and horeca["locaties"] == "2:28"
    assert horeca["pagina's"] == "31" and horeca["documentsoort"] == "APV"
    assert horeca["normverwijzingen"] == "NH 5.2; TW BH-c"
    assert horeca["titel"] == "Exploitatievergunning horeca met levensgedrag-eis"
    shisha = next(row for row in rows if row["requirement"] == "apv.exploitatie.shisha")
    assert shisha["status"] == "missing" and shisha["locaties"] == ""


def test_xlsx_sheets_fills_filter(tmp_path):
    import openpyxl

    from checker.report.tabular import render_xlsx

    r = make_result()
    data = render_xlsx(r)
    p = tmp_path / "r.xlsx"
    p.write_bytes(data)
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["Eisen", "Handmatig", "Documenten"]
    ws = wb["Eisen"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Eis", "Titel", "Documentsoort", "Status"]
    assert ws.max_row == 45
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions["B"].width >= 30
    statuses = {ws.cell(row=i, column=4).value for i in range(2, 46)}
    assert statuses == {"Aanwezig", "Gedeeltelijk", "Ontbreekt", "Niet van toepassing"}
    # one conditional fill rule per status, over the whole table
    rules = [rule for rng in ws.conditional_formatting for rule in rng.rules]
    assert len(rules) == 4
    assert all(rule.dxf.fill is not None for rule in rules)
    formulas = " ".join(rule.formula[0] for rule in rules)
    assert '"Ontbreekt"' in formulas and '"Aanwezig"' in formulas
    hm = wb["Handmatig"]
    assert hm.max_row == 1 + len(r.manual_items)
    assert [c.value for c in hm[2]][:4] == ["NH 1.1", "1. Bewustwording",
                                           "Wij hebben een bestuurlijk en ambtelijk eigenaar voor weerbaarheid.",
                                           "voldoet"]
    docs = wb["Documenten"]
    names = [docs.cell(row=i, column=1).value for i in range(2, docs.max_row + 1)]
    assert "apv-lindeveld-2024.pdf" in names and "kapot.pdf" in names


class _Outline(HTMLParser):
    """Collects what matters for accessibility: headings, table headers, visible text."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.th_scopes: list[str | None] = []
        self.tags: list[str] = []
        self.html_lang = None
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.html_lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th":
            self.th_scopes.append(a.get("scope"))
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("id"):
            self.ids.add(a["id"])


def test_html_self_contained_and_accessible():
    from checker.report.html import render_html

    r = make_result(drop_types=("damocles",))
    page = render_html(r)
    p = _Outline()
    p.feed(page)
    assert p.html_lang == "nl"
    assert "script" not in p.tags
    # no network: no external resources of any kind
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    # headings start at h1 and never skip a level
    assert p.headings[0] == 1 and p.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(p.headings, p.headings[1:]))
    assert p.th_scopes and all(s in ("col", "row") for s in p.th_scopes)
    # skip link points at an existing target, every internal link resolves
    assert p.links[0] == "#inhoud"
    for href in p.links:
        if href.startswith("#"):
            assert href[1:] in p.ids, href
    assert "<svg" in page and 'role="img"' in page
    assert "@media print" in page


def test_html_content(tmp_path):
    from checker.report.html import render_html

    r = make_result(drop_types=("damocles",))
    page = render_html(r)
    for f in r.findings:
        assert f'id="{f.requirement}"' in page
    # status in words, not colour alone
    for word in ("Aanwezig", "Gedeeltelijk", "Ontbreekt", "Niet van toepassing"):
        assert word in page
    # autoescape: the ampersand and angle brackets of a quote are escaped
    assert "openbare orde &amp; veiligheid (zie &lt;bijlage&gt;)" in page
    assert "<bijlage>" not in page
    assert "Lindeveld" in page and "apv-lindeveld-2024.pdf" in page
    assert "art. 2:28" in page and "p. 31" in page
    assert "Wij hebben in onze APV artikelen opgenomen" in page  # norm text of NH 5.2
    assert "Handmatig te beoordelen" in page and "Besluit college 12-03-2025" in page
    assert "Damoclesbeleid" in page and "document ontbreekt" in page.lower()
    assert "PDF is versleuteld" in page
    assert "Drank- en Horecawet (vervallen per 1 juli 2021)" in page
    assert "2026.11-test" in page and "0.1.0" in page
    assert "weigeringsgrond slecht levensgedrag" in page


def test_html_without_groups_charts_per_document_type():
    from checker.report.html import render_html

    r = make_result(with_groups=False)
    r.manual_items = []
    page = render_html(r)
    assert "<svg" in page
    assert "Bibob-beleid" in page
    for f in r.findings:
        assert f'id="{f.requirement}"' in page


def test_html_with_real_norm_view():
    from checker.report.html import render_html

    try:
        r = make_result(drop_types=("damocles",), with_groups="real")
    except ImportError:
        pytest.skip("norm view not available")
    page = render_html(r)
    for g in r.groups:
        assert g["title"].replace("&", "&amp;") in page
    assert "Handmatig" in page and "Document ontbreekt" in page
    # NH 5.8 (Damocles) cannot be assessed: shown as such, never as a finding status
    row = page[page.index("<th scope=\"row\">NH 5.8</th>"):]
    row = row[: row.index("</tr>")]
    assert "Document ontbreekt" in row
    assert "Besluit college 12-03-2025" in page


def test_answered_manual_item_counts_as_its_answer():
    from checker.report import group_counts
    from checker.report.html import render_html

    r = make_result()
    bewust = r.groups[0]
    assert [it["id"] for it in bewust["items"]] == ["NH 1.1", "NH 1.2"]
    # NH 1.1 answered "present" by the municipality, NH 1.2 still open
    counts = group_counts(bewust, {f.requirement: f for f in r.findings})
    assert counts["present"] == 1 and counts["manual"] == 1
    page = render_html(r)
    row = page[page.index('<th scope="row">NH 1.1</th>'):]
    row = row[: row.index("</tr>")]
    assert "Aanwezig" in row and "handmatig beantwoord" in row


def test_html_empty_result():
    from checker.report.html import render_html

    page = render_html(CheckResult(norm="limburg"))
    assert "Limburgse norm" in page
    assert "Geen eisen getoetst" in page


def test_render_dispatch_writes_files(tmp_path):
    from checker.errors import UsageError
    from checker.report import render

    r = make_result()
    for fmt, name in (("text", "r.txt"), ("markdown", "r.md"), ("html", "r.html"), ("csv", "r.csv"),
                      ("xlsx", "r.xlsx"), ("json", "r.json")):
        render(r, fmt, output=tmp_path / name)
        assert (tmp_path / name).stat().st_size > 500
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"
    with pytest.raises(UsageError):
        render(r, "xlsx", output=None)
