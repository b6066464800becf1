"""Norm views: completeness against the norm texts, grouping, manual answers, warnings."""
from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path

import pytest
import yaml

from checker.errors import UsageError
from checker.model import Article, CheckResult, DocumentInfo, Finding, StructuredDocument
from checker.norms import (
    aggregate,
    apply_norm_view,
    group_findings,
    items_for_requirement,
    load_norm,
    norm_names,
    norm_title,
)
from checker.norms import build as B
from checker.norms import extract as E
from checker.norms.currency import title_year
from checker.norms.manual import load_answers
from checker.paths import corpora_dir

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_NORMS = SHARED / "norms"
SHARED_SPEC = SHARED / "spec" / "requirements.yaml"
BUNDLED = corpora_dir() / "norms" / "bronnen"

needs_shared_norms = pytest.mark.skipif(not SHARED_NORMS.is_dir(), reason="../shared/norms absent")
needs_spec = pytest.mark.skipif(not SHARED_SPEC.is_file(), reason="../shared/spec absent")

# Written down by reading the norm texts, independent of the extractor's regexes.
EXPECTED_IDS = {
    "noord-holland": [f"NH {t}.{n}" for t, last in ((1, 5), (2, 11), (3, 10), (4, 7), (5, 12), (6, 2))
                      for n in range(1, last + 1)],
    "twente": [f"TW {g}-{c}" for g, last in (("BW", "d"), ("IP", "e"), ("BH", "g"), ("IW", "c"), ("CV", "a"))
               for c in "abcdefg"[: "abcdefg".index(last) + 1]],
    "limburg": ["LI T0.1", "LI T0.2", "LI 1.1", "LI 1.2", "LI 1.3", "LI 1.4"]
    + [f"LI T1.{n}" for n in range(1, 6)] + ["LI T2.1", "LI T3.1"]
    + [f"LI T4.{n}" for n in range(1, 4)] + ["LI T5.1", "LI T5.2"] + [f"LI T6.{n}" for n in range(1, 4)],
}
GROUP_ORDER = {
    "noord-holland": ["1", "2", "3", "4", "5", "6"],
    "twente": ["BW", "IP", "BH", "IW", "CV"],
    "limburg": ["T0", "T1", "T2", "T3", "T4", "T5", "T6"],
}


def _texts(d: Path) -> dict[str, str]:
    return B.read_texts(d)


def _ids(norm: str) -> list[str]:
    return [it.id for it in load_norm(norm).items()]


def _spec_requirements() -> list[dict]:
    return B.read_requirements(SHARED_SPEC)


def _all_req_ids() -> list[str]:
    return [r["id"] for r in yaml.safe_load((corpora_dir() / "norms" / "eisen.yaml").read_text())["requirements"]]


def _finding(req: str, status: str) -> Finding:
    return Finding(requirement=req, status=status, type=req.split(".")[0], title=req)


def _result(norm: str, statuses: dict[str, str], absent: list[str], docs=()) -> CheckResult:
    findings = [_finding(r, s) for r, s in statuses.items()]
    return CheckResult(norm=norm, findings=findings, absent_types=absent,
                       documents=[DocumentInfo(path=d.path, type=d.type, format=d.format,
                                               title=d.title, adopted=d.adopted) for d in docs])


def _item(result: CheckResult, item_id: str) -> dict:
    for g in result.groups:
        for it in g["items"]:
            if it["id"] == item_id:
                return it
    raise KeyError(item_id)


def _group(result: CheckResult, group_id: str) -> dict:
    return next(g for g in result.groups if g["id"] == group_id)


# ---------------------------------------------------------------- completeness


@needs_shared_norms
@pytest.mark.parametrize("norm", ["noord-holland", "twente", "limburg"])
def test_every_numbered_item_of_the_norm_text_is_in_the_yaml(norm):
    texts = _texts(SHARED_NORMS)
    data = yaml.safe_load((corpora_dir() / "norms" / f"{norm}.yaml").read_text(encoding="utf-8"))
    assert B.check_complete(norm, data, texts) == []
    # independent of the extractor: the ids a reader of the norm text counts
    assert _ids(norm) == EXPECTED_IDS[norm]
    assert [g.id for g in load_norm(norm).groups] == GROUP_ORDER[norm]
    scanned = E.numbered_ids_in_text(norm, texts)
    groups = {f"{load_norm(norm).prefix} {g}" for g in GROUP_ORDER[norm]}
    assert scanned - set(_ids(norm)) - groups == set()


@needs_shared_norms
def test_bundled_norm_texts_equal_the_shared_ones_and_build_check_passes():
    for f in list(E.SOURCE_FILES.values()) + [E.NO_ITEM_FILES]:
        for name in f:
            assert (BUNDLED / name).read_bytes() == (SHARED_NORMS / name).read_bytes(), name
    spec = SHARED_SPEC if SHARED_SPEC.is_file() else None
    assert B.verify(SHARED_NORMS, spec) == []


def test_bundled_texts_alone_verify_the_yaml():
    # runs without ../shared too: the package carries its own copy of the norm texts
    assert B.verify(BUNDLED, None) == []


def test_dropping_an_item_from_the_yaml_is_detected(tmp_path):
    out = tmp_path / "norms"
    shutil.copytree(corpora_dir() / "norms", out)
    p = out / "noord-holland.yaml"
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["groups"][4]["items"] = [it for it in data["groups"][4]["items"] if it["id"] != "NH 5.11"]
    data["groups"][1]["items"][0]["text"] = "Wij hebben geen integriteitsbeleid."
    # one bullet of the toelichting of 5.2 (the APV articles the norm asks for)
    nh52 = next(it for it in data["groups"][4]["items"] if it["id"] == "NH 5.2")
    nh52["toelichting"] = nh52["toelichting"].replace("• Sluiting van voor het publiek toegankelijke gebouwen", "")
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = B.verify(BUNDLED, None, out)
    assert any("NH 5.11" in x for x in problems)
    assert any("NH 2.1" in x and "tekst" in x for x in problems)
    assert any("Sluiting van voor het publiek toegankelijke gebouwen" in x for x in problems)
    assert len(problems) == 5  # 5.11: item + line; 2.1: quote + line; the bullet


def test_item_texts_are_quoted_from_the_norm():
    nh = load_norm("noord-holland")
    assert nh.item("NH 5.5").text == "Wij hebben actueel Bibob-beleid en passen dit ook toe."
    # footnote marker "driehoek2." is not part of the quote
    assert nh.item("NH 1.1").text.endswith("bij de interne bestuurlijke driehoek.")
    # 5.10 and 5.11 share one printed paragraph; both are items
    assert nh.item("NH 5.11").text.startswith("Wij pakken openstaande bestuurlijke vorderingen")
    assert "5.11" not in nh.item("NH 5.10").text
    assert "Coffeeshopvergunning" in nh.item("NH 5.5").toelichting
    tw = load_norm("twente")
    assert tw.item("TW BH-c").text.startswith("Neem een vergunningsplicht op in de APV")
    li = load_norm("limburg")
    # the published text spells "sessie" with Cyrillic letters; transliterated here
    assert li.item("LI T1.1").text == "Bewustwordingscessie directie/MT"
    assert li.item("LI T5.1").planning["toelichting"] == "Met name Bibob en Damocles"


@needs_spec
def test_every_requirement_is_mapped_in_the_noord_holland_view():
    nh = load_norm("noord-holland")
    for r in _spec_requirements():
        assert nh.items_for_requirement(r["id"]), r["id"]
        # the mapping is exactly the NH norm_refs of the spec
        assert set(nh.items_for_requirement(r["id"])) == {x for x in r["norm_refs"] if x.startswith("NH")}


@needs_spec
def test_twente_mapping_follows_the_tw_norm_refs_and_items_without_requirements_are_manual():
    tw = load_norm("twente")
    for r in _spec_requirements():
        assert set(tw.items_for_requirement(r["id"])) == {x for x in r["norm_refs"] if x.startswith("TW")}
    for norm in norm_names():
        for it in load_norm(norm).items():
            assert it.manual == (not it.requirements), it.id


def test_limburg_derives_requirements_from_the_shared_six_themes():
    li = load_norm("limburg")
    assert {r.split(".")[0] for r in li.item("LI T2.1").requirements} == {"integriteit"}
    assert {r.split(".")[0] for r in li.item("LI T3.1").requirements} == {"agressie"}
    assert {r.split(".")[0] for r in li.item("LI T5.1").requirements} == {"apv", "bibob", "damocles"}
    assert li.item("LI T4.2").manual and li.item("LI 1.1").manual
    assert li.item("LI T5.1").derivation


def test_helpers():
    assert norm_names() == ["noord-holland", "twente", "limburg"]
    assert norm_title("noord-holland") == "Noord-Hollandse Norm Weerbare Overheid"
    assert load_norm("TW").name == "twente"
    assert items_for_requirement("apv.exploitatie.horeca") == ["NH 5.2"]
    assert items_for_requirement("apv.exploitatie.horeca", "twente") == ["TW BH-c"]
    assert items_for_requirement("integriteit.belangenverstrengeling") == ["NH 2.1", "NH 2.6"]
    assert items_for_requirement("damocles.stappenplan", "twente") == []
    with pytest.raises(UsageError, match="Onbekende norm"):
        load_norm("friesland")


def test_aggregate():
    assert aggregate(["present", "present"]) == "present"
    assert aggregate(["present", "not_applicable"]) == "present"
    assert aggregate(["not_applicable"]) == "not_applicable"
    assert aggregate(["missing", "not_applicable"]) == "missing"
    assert aggregate(["present", "missing"]) == "partial"
    assert aggregate(["partial", "present"]) == "partial"
    assert aggregate([]) is None


# ---------------------------------------------------------------- apply_norm_view

def _apv_damocles_result(norm="noord-holland"):
    statuses = {r: "present" for r in _all_req_ids() if r.startswith("apv.")}
    statuses["apv.exploitatie.shisha"] = "missing"
    statuses["apv.exploitatie.coffeeshop"] = "not_applicable"
    statuses.update({r: "present" for r in _all_req_ids() if r.startswith("damocles.")})
    docs = [
        StructuredDocument(path="/x/apv-veenhoven.pdf", format="pdf", type="apv",
                           title="Algemene Plaatselijke Verordening Veenhoven", adopted="2016-05-01"),
        StructuredDocument(path="/x/damocles.docx", format="docx", type="damocles",
                           title="Damoclesbeleid Veenhoven 2015"),
    ]
    return _result(norm, statuses, ["bibob", "integriteit", "agressie"], docs), docs


def test_noord_holland_view_groups_statuses_and_absent_documents():
    result, docs = _apv_damocles_result()
    findings_before = list(result.findings)
    apply_norm_view(result, docs)
    assert result.findings == findings_before  # the contract: findings untouched
    assert [g["id"] for g in result.groups] == ["1", "2", "3", "4", "5", "6"]
    assert _group(result, "5")["title"] == "Beleid & Handhaving"
    it52 = _item(result, "NH 5.2")
    assert it52["status"] == "partial"  # shisha missing
    assert {f["requirement"]: f["status"] for f in it52["findings"]}["apv.exploitatie.shisha"] == "missing"
    assert it52["manual"] is False and it52["text"].startswith("Wij hebben in onze APV")
    assert it52["reason"] == "Niet (volledig) voldaan: apv.exploitatie.shisha (ontbreekt)."
    assert _item(result, "NH 5.8")["status"] == "present"
    it55 = _item(result, "NH 5.5")
    assert it55["status"] == "document ontbreekt"
    assert "bibob.alcoholwet" in it55["not_checked"] and len(it55["not_checked"]) == 10
    assert "Bibob-beleid" in it55["reason"]
    assert _item(result, "NH 2.2")["status"] == "document ontbreekt"
    assert _item(result, "NH 3.1")["status"] == "document ontbreekt"
    assert _item(result, "NH 1.1")["status"] == "handmatig" and _item(result, "NH 1.1")["manual"]
    assert _group(result, "5")["counts"] == {"present": 1, "partial": 1, "handmatig": 9,
                                             "document ontbreekt": 1}
    assert _group(result, "4")["counts"] == {"handmatig": 7}
    # every finding appears under at least one item
    shown = {f["requirement"] for g in result.groups for it in g["items"] for f in it["findings"]}
    assert shown == {f.requirement for f in result.findings}


def test_manual_items_cover_organisational_items():
    result, docs = _apv_damocles_result()
    apply_norm_view(result, docs)
    ids = [m.norm_item for m in result.manual_items]
    for must in ("NH 1.1", "NH 1.2", "NH 2.3", "NH 2.7", "NH 3.8", "NH 4.7", "NH 5.6", "NH 6.2"):
        assert must in ids
    # items a document only partly shows: also to be assessed by hand (practice)
    m36 = next(m for m in result.manual_items if m.norm_item == "NH 3.6")
    assert "daadwerkelijk" in m36.text
    assert "NH 2.2" not in ids
    m47 = next(m for m in result.manual_items if m.norm_item == "NH 4.7")
    assert m47.group == "Informatiepositie & Informatiebeveiliging"
    assert "ondermijningstafel onder het RIEC-convenant" in m47.text
    assert m47.answer is None


def test_absent_type_and_currency_warnings():
    result, docs = _apv_damocles_result()
    apply_norm_view(result, docs)
    w = result.warnings
    bibob = next(x for x in w if x.startswith("Geen Bibob-beleid aangeleverd"))
    assert "10 eisen niet getoetst (bibob.alcoholwet, bibob.exploitatie," in bibob
    assert any(x.startswith("Geen gedragscode/integriteitsbeleid aangeleverd: 8 eisen") for x in w)
    assert any(x.startswith("Geen agressieprotocol aangeleverd: 9 eisen") for x in w)
    assert not any(x.startswith("Geen APV") or x.startswith("Geen Damocles") for x in w)
    apv = [x for x in w if "apv-veenhoven.pdf" in x]
    assert len(apv) == 2
    assert all("vastgesteld op 1 mei 2016" in x for x in apv)
    assert any("Alcoholwet (1 juli 2021)" in x for x in apv)
    assert any("Omgevingswet (1 januari 2024)" in x for x in apv)
    dam = [x for x in w if "damocles.docx" in x]
    assert len(dam) == 1
    assert "2015" in dam[0] and "afgeleid uit de titel" in dam[0] and "voorbereidingshandelingen" in dam[0]
    # idempotent: a second call adds no duplicates
    n = len(result.warnings)
    apply_norm_view(result, docs)
    assert len(result.warnings) == n


def test_currency_respects_the_dates_of_each_law_change():
    docs = [
        StructuredDocument(path="b.pdf", format="pdf", type="bibob", title="Beleidslijn Bibob",
                           adopted="2022-01-15"),
        StructuredDocument(path="d.pdf", format="pdf", type="damocles", title="Damoclesbeleid",
                           adopted="2019-03-01"),
        StructuredDocument(path="a.pdf", format="pdf", type="apv", title="APV 2021",
                           in_force_date="2024-02-01"),
        StructuredDocument(path="a2.pdf", format="pdf", type="apv", title="APV Veenhoven 2021"),
        StructuredDocument(path="g.pdf", format="pdf", type="integriteit", title="Gedragscode 2010"),
        StructuredDocument(path="u.pdf", format="pdf", type="damocles", title="Damoclesbeleid"),
        # adopted before the Omgevingswet, but its articles already name it
        StructuredDocument(path="b2022.pdf", format="pdf", type="bibob", title="Beleidsregel Bibob",
                           adopted="2022-06-01", articles=[Article(
                               number="3", title="Reikwijdte",
                               text="De Wet Bibob wordt toegepast op omgevingsvergunningen op grond "
                                    "van de Omgevingswet en op de vergunning op grond van artikel 3 "
                                    "Alcoholwet.")]),
        # adopted in December to enter into force with the Omgevingswet
        StructuredDocument(path="dec.pdf", format="pdf", type="apv", title="APV Veenhoven",
                           adopted="2023-12-14", in_force_date="2024-01-01"),
    ]
    result = _result("noord-holland", {}, [], docs)
    apply_norm_view(result, docs)
    w = result.warnings
    b = [x for x in w if "(b.pdf)" in x]
    assert len(b) == 2 and any("Wet Bibob (1 oktober 2022)" in x for x in b)
    assert any("Omgevingswet" in x for x in b) and not any("Alcoholwet" in x for x in b)
    assert not [x for x in w if "(d.pdf)" in x]
    assert not [x for x in w if "(a.pdf)" in x]  # in force after all changes
    # title year 2021: after 1 July or before? undecidable -> only the Omgevingswet warning
    a2 = [x for x in w if "(a2.pdf)" in x]
    assert len(a2) == 1 and "Omgevingswet" in a2[0] and "afgeleid uit de titel" in a2[0]
    assert not [x for x in w if "(g.pdf)" in x]  # no law change affects integriteit
    assert not [x for x in w if "(dec.pdf)" in x]
    b2022 = [x for x in w if "(b2022.pdf)" in x]
    assert len(b2022) == 1 and "verruiming van de Wet Bibob (1 oktober 2022)" in b2022[0]
    u = [x for x in w if "(u.pdf)" in x]
    assert len(u) == 1 and "geen vaststellingsdatum gevonden" in u[0]


def test_title_year():
    assert title_year("APV Veenhoven 2016") == 2016
    assert title_year("Algemene plaatselijke verordening 2016, 3e wijziging 2022") == 2022
    assert title_year("Beleidsregels Bibob 2016-2020") == 2020
    assert title_year("Damoclesbeleid artikel 13b Opiumwet") is None
    assert title_year("Opiumwet 1928") is None
    assert title_year("Kenmerk 190211") is None


def test_twente_view_keeps_unmapped_findings_in_an_extra_group():
    result, docs = _apv_damocles_result("twente")
    apply_norm_view(result, docs)
    assert [g["id"] for g in result.groups] == ["BW", "IP", "BH", "IW", "CV", "overig"]
    assert _item(result, "TW BH-c")["status"] == "present"
    assert _item(result, "TW BH-d")["status"] == "document ontbreekt"
    assert _item(result, "TW IW-a")["status"] == "document ontbreekt"
    assert _item(result, "TW BW-a")["status"] == "handmatig"
    other = _group(result, "overig")
    assert [it["id"] for it in other["items"]] == ["NH 5.2", "NH 5.8"]
    assert "apv.exploitatie.horeca" not in _item(result, "NH 5.2")["requirements"]
    assert _item(result, "NH 5.2")["status"] == "partial"
    assert {m.norm_item for m in result.manual_items} >= {"TW BW-a", "TW CV-a", "TW IW-a"}


def test_limburg_item_spanning_types_is_never_met_when_a_type_is_absent():
    result, docs = _apv_damocles_result("limburg")
    for f in result.findings:
        f.status = "present"
    apply_norm_view(result, docs)
    it = _item(result, "LI T5.1")
    assert it["status"] == "partial"  # apv + damocles present, bibob absent
    assert len(it["not_checked"]) == 10
    assert it["reason"] == "10 van 27 eisen niet getoetst (geen Bibob-beleid aangeleverd)."
    assert it["planning"]["actiehouder"] == "OOV"
    assert _item(result, "LI T2.1")["status"] == "document ontbreekt"
    assert _item(result, "LI 1.1")["status"] == "handmatig"


def test_group_findings_accepts_json_dicts_and_infers_absent_types():
    groups = group_findings([{"requirement": "agressie.nazorg", "status": "missing"}], "noord-holland")
    items = {it["id"]: it for g in groups for it in g["items"]}
    assert items["NH 3.10"]["status"] == "missing"
    assert items["NH 5.2"]["status"] == "document ontbreekt"


# ---------------------------------------------------------------- manual answers


def test_manual_yaml_merges_into_manual_items_and_groups(tmp_path):
    f = tmp_path / "handmatig.yaml"
    f.write_text("NH 1.1: ja\n"
                 "nh1.2:\n  antwoord: gedeeltelijk\n  toelichting: 0-meting gedaan, herhaling niet gepland\n"
                 "NH 4.7: n.v.t.\n"
                 "NH 3.6:\n  answer: nee\n  note: geen training gegeven\n"
                 "NH 5.2: ja\n"
                 "TW BW-a: ja\n", encoding="utf-8")
    result, docs = _apv_damocles_result()
    apply_norm_view(result, docs, manual=f)
    m = {x.norm_item: x for x in result.manual_items}
    assert m["NH 1.1"].answer == "present"
    assert m["NH 1.2"].answer == "partial" and m["NH 1.2"].note.startswith("0-meting gedaan")
    assert m["NH 4.7"].answer == "not_applicable"
    assert m["NH 3.6"].answer == "missing" and m["NH 3.6"].note == "geen training gegeven"
    assert m["NH 2.3"].answer is None
    it = _item(result, "NH 1.2")
    assert it["answer"] == "partial" and it["status"] == "handmatig" and "herhaling" in it["note"]
    # an answer never overrides what the documents show
    assert _item(result, "NH 5.2")["status"] == "partial" and _item(result, "NH 5.2")["answer"] == "present"


def test_example_manual_file_is_valid():
    example = corpora_dir() / "norms" / "handmatig-voorbeeld.yaml"
    for norm in norm_names():
        answers, warnings = load_answers(example, norm)
        assert answers and not warnings
    answers, _ = load_answers(example, "twente")
    assert answers["TW IP-a"].answer == "missing"


def test_manual_csv_semicolon_windows_encoding(tmp_path):
    f = tmp_path / "antwoorden.csv"
    f.write_bytes("id;antwoord;toelichting\n"
                  "NH 1.1;Ja;Besproken in het MT\n"
                  "NH 2.10;gedeeltelijk;\"Clausule; nog niet in alle contracten\"\n"
                  "NH 4.3;;\n"
                  "5.9;nee;Geen medewerker voor Damocles – vacature\n".encode("cp1252"))
    answers, warnings = load_answers(f, "noord-holland")
    assert warnings == []
    assert answers["NH 1.1"].answer == "present" and answers["NH 1.1"].note == "Besproken in het MT"
    assert answers["NH 2.10"].answer == "partial" and "nog niet" in answers["NH 2.10"].note
    assert "NH 4.3" not in answers  # empty answer: a template row
    assert answers["NH 5.9"].answer == "missing" and "–" in answers["NH 5.9"].note


def test_manual_csv_comma_and_list_yaml(tmp_path):
    c = tmp_path / "a.csv"
    c.write_text("normonderdeel,status,note\nTW BH-e,present,ok\n", encoding="utf-8")
    assert load_answers(c, "twente")[0]["TW BH-e"].answer == "present"
    y = tmp_path / "a.yml"
    y.write_text("antwoorden:\n  - id: LI T6.1\n    antwoord: ja\n    toelichting: RIB verstuurd\n",
                 encoding="utf-8")
    a = load_answers(y, "limburg")[0]
    assert a["LI T6.1"].answer == "present" and a["LI T6.1"].note == "RIB verstuurd"


def test_answers_for_another_norm_are_ignored_with_a_warning(tmp_path):
    f = tmp_path / "h.yaml"
    f.write_text("NH 1.1: ja\n", encoding="utf-8")
    result, docs = _apv_damocles_result("twente")
    apply_norm_view(result, docs, manual=f)
    assert all(m.answer is None for m in result.manual_items)
    assert any("andere norm" in w for w in result.warnings)


@pytest.mark.parametrize("name,content,message", [
    ("h.yaml", "NH 9.9: ja\n", "onbekend normonderdeel 'NH 9.9'"),
    ("h.yaml", "NH 1.1: misschien\n", "onbekend antwoord 'misschien'"),
    ("h.yaml", "NH 1.1: [ja\n", "geen geldige YAML"),
    ("h.yaml", "- ja\n- nee\n", "'id'"),
    ("h.yaml", "2.10: ja\n", "voorvoegsel"),
    ("h.yaml", "NH 1.1: ja\nNH 1.2: nee\nNH 1.1: nee\n", "regel 3: normonderdeel NH 1.1 staat twee keer"),
    ("h.yaml", "NH 1.1:\n  - ja\n", "verwacht een antwoord"),
    ("h.csv", "foo;bar\nNH 1.1;ja\n", "kolommen 'id' en 'antwoord'"),
    ("h.csv", "id;antwoord\nNH 1.1;ja;te veel;cellen\n", "meer kolommen"),
    ("h.csv", "id;antwoord\nNH 1.1;ja\nnh 1.1;nee\n", "twee keer"),
    ("h.xlsx", "PK\x03\x04\x00\x00", "geen tekstbestand"),
    ("h.txt", "NH 1.1: ja\n", "gebruik een .yaml- of .csv-bestand"),
])
def test_bad_manual_file_gives_a_dutch_usage_error(tmp_path, name, content, message):
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    result, docs = _apv_damocles_result()
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("(", r"\(")):
        apply_norm_view(result, docs, manual=f)


def test_missing_manual_file(tmp_path):
    result, docs = _apv_damocles_result()
    with pytest.raises(UsageError, match="niet gevonden"):
        apply_norm_view(result, docs, manual=tmp_path / "bestaat-niet.yaml")


def test_cli_rejects_a_bad_manual_file_before_reading_documents(tmp_path, monkeypatch, capsys):
    from checker import cli, pipeline

    def must_not_run(*a, **k):
        raise AssertionError("documents were read before the manual file was checked")

    monkeypatch.setattr(pipeline, "check_paths", must_not_run)
    bad = tmp_path / "handmatig.yaml"
    bad.write_text("NH 1.1: misschien\n", encoding="utf-8")
    doc = tmp_path / "apv.txt"
    doc.write_text("Artikel 1\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["normtoets", "check", str(doc), "--manual", str(bad)])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "handmatig.yaml, bij NH 1.1: onbekend antwoord 'misschien'" in err
    assert "Traceback" not in err


def test_unknown_norm_in_result_is_a_usage_error():
    with pytest.raises(UsageError):
        apply_norm_view(CheckResult(norm="utrecht"), [])


# ---------------------------------------------------------------- through the pipeline


def test_check_documents_fills_groups_via_the_pipeline(monkeypatch, tmp_path):
    """check_documents computes absent_types and calls apply_norm_view; a stand-in matcher
    keeps this test independent of the rules engine."""
    from checker import pipeline

    def evaluate(docs, checked_types):
        ids = [r for r in _all_req_ids() if r.split(".")[0] in checked_types]
        return [_finding(r, "present") for r in ids], "test"

    fake = types.ModuleType("checker.match")
    fake.evaluate = evaluate
    monkeypatch.setitem(sys.modules, "checker.match", fake)
    docs = [StructuredDocument(path="bibob.pdf", format="pdf", type="bibob",
                               title="Beleidsregel Bibob", adopted="2023-03-01")]
    manual = tmp_path / "h.csv"
    manual.write_text("id;antwoord\nTW BH-a;ja\n", encoding="utf-8")
    result = pipeline.check_documents(docs, norm="twente", manual=manual)
    assert result.absent_types == ["apv", "damocles", "integriteit", "agressie"]
    assert _item(result, "TW BH-d")["status"] == "present"
    assert _item(result, "TW BH-c")["status"] == "document ontbreekt"
    assert next(m for m in result.manual_items if m.norm_item == "TW BH-a").answer == "present"
    assert any("Omgevingswet" in w for w in result.warnings)
    assert any(w.startswith("Geen APV aangeleverd: 12 eisen") for w in result.warnings)
    assert result.to_dict()["groups"][2]["id"] == "BH"  # JSON-serialisable plain dicts


def test_finding_for_a_requirement_no_view_knows_lands_in_the_extra_group():
    result = _result("noord-holland", {"apv.exploitatie.horeca": "present",
                                       "apv.exploitatie.kamerverhuur": "missing"}, [])
    apply_norm_view(result, [])
    other = _group(result, "overig")
    assert [it["id"] for it in other["items"]] == ["apv.exploitatie.kamerverhuur"]
    assert other["items"][0]["status"] == "missing"


def test_currency_warnings_also_from_stored_document_info():
    # batch/history hand over DocumentInfo (no text): the date alone decides
    result = CheckResult(norm="noord-holland", documents=[
        DocumentInfo(path="oud/damocles.pdf", type="damocles", format="pdf",
                     title="Beleidsregel 13b Opiumwet", adopted="2017-11-30")])
    apply_norm_view(result, [])
    assert any("(damocles.pdf) is vastgesteld op 30 november 2017" in w for w in result.warnings)
