"""The rules engine on realistic documents: cross-article evidence, scope, exclusions,
nuloptie, modality, repealed law, separate verordeningen, evidence and explanations.

Documents go through the real reader and structure parser (TXT), like `normtoets check`.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checker.errors import UsageError
from checker.match import _complete, evaluate, explain
from checker.match.rules import list_rules_json, list_rules_text, load_rules
from checker.model import Finding
from checker.pipeline import load_document

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"

APV_HEAD = "Algemene plaatselijke verordening Voorbeeldstad 2024\n"
BIBOB_HEAD = "Beleidsregel Wet Bibob Voorbeeldstad 2024\n"


def _doc(tmp_path: Path, name: str, text: str, doc_type: str):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return load_document(f, type_override=doc_type)


def _find(findings, rid) -> Finding:
    return next(f for f in findings if f.requirement == rid)


def _check(tmp_path, text, doc_type="apv", name="doc.txt"):
    head = APV_HEAD if doc_type == "apv" else BIBOB_HEAD
    d = _doc(tmp_path, name, head + text, doc_type)
    findings, version = evaluate([d], [doc_type])
    return {f.requirement: f for f in findings}, d


# ------------------------------------------------------------------ labelled corpus

LABELLED = sorted(p for p in SHARED.glob("*.labels.yaml")
                  if yaml.safe_load(p.read_text(encoding="utf-8")).get("type") in ("apv", "bibob")) \
    if SHARED.is_dir() else []


@pytest.mark.parametrize("labels", LABELLED, ids=[p.name.split(".")[0] for p in LABELLED])
def test_labelled_corpus_txt(labels: Path):
    lab = yaml.safe_load(labels.read_text(encoding="utf-8"))
    txt = labels.with_name(labels.name.replace(".labels.yaml", ".txt"))
    doc = load_document(txt, type_override=lab["type"])
    findings, _ = evaluate([doc], [lab["type"]])
    got = {f.requirement: f for f in findings}
    wrong = []
    for rid, gold in lab["expect"].items():
        f = got[rid]
        if f.status == "present" and gold["status"] in ("missing", "partial"):
            pytest.fail(f"false present for {rid}: {f.explanation}")
        if f.status != gold["status"]:
            wrong.append(f"{rid}: {f.status} != {gold['status']}")
        elif gold.get("locations"):
            want = {str(x).replace(":", ".") for x in gold["locations"]}
            have = {str(e.location).replace(":", ".") for e in f.evidence}
            if not want & have:
                wrong.append(f"{rid}: evidence {sorted(have)} not in {sorted(want)}")
    assert not wrong, "\n".join(wrong)


# ------------------------------------------------------------------ APV behaviour


HORECA = """Hoofdstuk 2 Openbare orde
Afdeling 4 Evenementen
Artikel 2:24 Evenementenvergunning
1. Het is verboden zonder vergunning van de burgemeester een evenement te organiseren.
Artikel 2:25 Weigering evenementenvergunning
1. De burgemeester weigert de vergunning, indien de organisator in enig opzicht van slecht levensgedrag is.
Afdeling 6 Horecabedrijven
Artikel 2:27 Begripsbepalingen
In deze afdeling wordt verstaan onder:
a. horecabedrijf: een besloten ruimte waarin dranken worden geschonken, waaronder in ieder geval begrepen:
1°. een café of restaurant;
2°. een shishalounge;
b. paracommerciële rechtspersoon: een vereniging die een kantine exploiteert.
Artikel 2:28 Exploitatievergunning
1. Het is verboden zonder vergunning van de burgemeester een horecabedrijf te exploiteren.
2. Dit artikel is niet van toepassing op een horecabedrijf dat wordt geëxploiteerd door een paracommerciële rechtspersoon.
Artikel 2:29 Weigeringsgronden
1. De burgemeester weigert de vergunning, bedoeld in artikel 2:28, indien:
a. de exploitant of een leidinggevende in enig opzicht van slecht levensgedrag is;
b. de exploitatie in strijd is met het omgevingsplan.
Artikel 2:30 [Vervallen]
Hoofdstuk 3 Seksbranche
Artikel 3:3 Vergunning seksbedrijf
1. Het is verboden zonder vergunning van de burgemeester een seksbedrijf te exploiteren.
Artikel 3:5 Weigeringsgronden
1. De burgemeester weigert de vergunning in het belang van de openbare orde.
"""


def test_evidence_spans_definition_licence_and_ground(tmp_path):
    got, doc = _check(tmp_path, HORECA)
    f = got["apv.exploitatie.horeca"]
    assert f.status == "present"
    assert f.evidence[0].location == "2:28"          # the licence decides first
    assert {"2:28", "2:29"} <= {e.location for e in f.evidence}
    assert "2:24" not in {e.location for e in f.evidence}
    assert "art. 2:28 lid 1" in f.explanation and "2:29 lid 1 onder a" in f.explanation
    assert all(len(e.quote) <= 302 for e in f.evidence)
    assert all(e.document == doc.path for e in f.evidence)
    crit = {c.id: c for c in f.criteria}
    assert crit["vergunningplicht"].met and crit["levensgedrag"].met
    # shishalounge named in the definition of horecabedrijf inherits the licence
    assert got["apv.exploitatie.shisha"].status == "present"


def test_ground_counts_only_for_its_own_licence(tmp_path):
    got, _ = _check(tmp_path, HORECA)
    seks = got["apv.exploitatie.seksbedrijf"]
    assert seks.status == "partial"
    assert "levensgedrag" in seks.explanation
    assert got["apv.exploitatie.evenement"].status == "present"
    ev = got["apv.exploitatie.evenement"]
    assert "2:29" not in {e.location for e in ev.evidence if e.role == "levensgedrag"}


def test_exclusion_removes_subject_from_the_regime(tmp_path):
    got, _ = _check(tmp_path, HORECA)
    para = got["apv.exploitatie.paracommercieel"]
    assert para.status != "present"
    assert "uitgezonderd" in para.explanation or "uitgezonderd" in " ".join(c.note for c in para.criteria)


def test_toelichting_vervallen_and_preamble_never_count(tmp_path):
    text = """De raad van de gemeente Voorbeeldstad;
gelet op artikel 13b van de Opiumwet en artikel 174 van de Gemeentewet;
overwegende dat ondermijning moet worden bestreden;
besluit vast te stellen de volgende verordening.
Artikel 2:38 Speelautomatenhallen
Op speelautomatenhallen is de Verordening speelautomatenhallen 2019 van toepassing.
Artikel 2:39 [Vervallen]
Artikel 2:41 Verbod op coffeeshops [Vervallen]
Toelichting
Artikel 2:38
Een toets op slecht levensgedrag volgt uit de verordening speelautomatenhallen. In de gemeente is geen coffeeshop toegestaan.
De burgemeester kan een voor het publiek toegankelijk gebouw sluiten in het belang van de openbare orde.
"""
    got, doc = _check(tmp_path, text)
    assert got["apv.exploitatie.speelautomaten"].status == "partial"
    assert "verordening" in got["apv.exploitatie.speelautomaten"].explanation.lower()
    assert got["apv.exploitatie.coffeeshop"].status == "missing"
    assert got["apv.sluiting.publieke_gebouwen"].status == "missing"
    assert got["apv.ondernemersklimaat"].status == "missing"


def test_referenced_verordening_supplied_as_second_document(tmp_path):
    apv = _doc(tmp_path, "apv.txt", APV_HEAD + """Artikel 2:38 Speelautomatenhallen
Op het exploiteren van een speelautomatenhal is de Verordening speelautomatenhallen Voorbeeldstad 2019 van toepassing.
""", "apv")
    alone, _ = evaluate([apv], ["apv"])
    assert _find(alone, "apv.exploitatie.speelautomaten").status == "partial"
    ver = _doc(tmp_path, "verordening.txt", """Verordening speelautomatenhallen Voorbeeldstad 2019
Artikel 1 Begripsbepalingen
In deze verordening wordt verstaan onder speelautomatenhal: een ruimte waarin speelautomaten staan.
Artikel 2 Vergunning
1. Het is verboden zonder vergunning van de burgemeester een speelautomatenhal te exploiteren.
Artikel 3 Weigeringsgronden
1. De burgemeester weigert de vergunning, indien de exploitant in enig opzicht van slecht levensgedrag is.
""", "apv")
    both, _ = evaluate([apv, ver], ["apv"])
    f = _find(both, "apv.exploitatie.speelautomaten")
    assert f.status == "present"
    assert {e.document for e in f.evidence} >= {ver.path}
    assert "verordening.txt" in f.explanation


def test_nuloptie_is_not_applicable_with_the_ban_as_evidence(tmp_path):
    got, _ = _check(tmp_path, """Artikel 2:41 Coffeeshops
1. In dit artikel wordt verstaan onder coffeeshop: een lokaal waarin softdrugs worden verkocht.
2. Het is verboden een coffeeshop te exploiteren.
Artikel 3:2 Seksbedrijven
Een vergunning voor een seksbedrijf wordt niet verleend.
""")
    f = got["apv.exploitatie.coffeeshop"]
    assert f.status == "not_applicable"
    assert f.evidence[0].location == "2:41" and "verboden" in f.evidence[0].quote
    assert got["apv.exploitatie.seksbedrijf"].status == "not_applicable"


def test_licence_beats_a_restricted_ban(tmp_path):
    got, _ = _check(tmp_path, """Artikel 3:4 Vergunning
1. Het is verboden zonder vergunning van de burgemeester een escortbedrijf te exploiteren.
2. Het is verboden een escortbedrijf te exploiteren vanuit een hotelkamer.
Artikel 3:5 Weigering
1. De burgemeester weigert de vergunning in het belang van de openbare orde.
""")
    assert got["apv.exploitatie.seksbedrijf"].status == "partial"


def test_camera_area_is_no_vergunningplicht_area(tmp_path):
    got, _ = _check(tmp_path, """Artikel 2:77 Cameratoezicht
1. De burgemeester kan besluiten tot cameratoezicht op door hem aangewezen openbare plaatsen in het belang van de openbare orde.
Artikel 2:78 Exploitatievergunning
1. Het is verboden zonder vergunning van de burgemeester een horecabedrijf te exploiteren.
""")
    assert got["apv.vergunningplicht.gebieden"].status == "missing"
    assert got["apv.gebiedsaanwijzing"].status == "present"
    assert got["apv.vergunningplicht.branches"].status == "missing"


def test_ocr_variant_and_hyphenation_still_match(tmp_path):
    got, _ = _check(tmp_path, """Artikel 2:28 Exploitatievergunning
1. Het is verboden zonder vergunning van de burgemeester een horecabedrljf te exploiteren.
2. De burgemeester weigert de exploitatie-
vergunning indien de exploitant in enig opzicht van slecht levensgedrag is.
""")
    assert got["apv.exploitatie.horeca"].status == "present"


# ------------------------------------------------------------------ Bibob behaviour


BIBOB = """Artikel 1 Begripsbepalingen
In deze beleidsregel wordt verstaan onder:
a. Wabo: de Wet algemene bepalingen omgevingsrecht.
Artikel 2 Wettelijk kader
Sinds 1 juli 2021 geldt de Alcoholwet, die de Drank- en Horecawet vervangt.
Artikel 3 Reikwijdte
1. De burgemeester past de Wet Bibob in alle gevallen toe bij aanvragen om:
a. een vergunning als bedoeld in artikel 3 van de Alcoholwet;
b. een exploitatievergunning voor een horecabedrijf.
2. De burgemeester kan de Wet Bibob toepassen bij aanvragen om:
a. een vergunning voor een speelautomatenhal;
b. een vergunning voor een seksinrichting.
3. Het college kan de Wet Bibob toepassen bij aanvragen om een omgevingsvergunning voor het bouwen als bedoeld in de Wabo.
Artikel 4 Uitzonderingen
Deze beleidsregel is niet van toepassing op subsidies.
"""


def test_bibob_modality_is_inherited_from_the_lead_sentence(tmp_path):
    got, _ = _check(tmp_path, BIBOB, "bibob")
    assert got["bibob.alcoholwet"].status == "present"
    assert got["bibob.exploitatie"].status == "present"
    assert got["bibob.speelautomaten"].status == "partial"
    assert got["bibob.seksbedrijf"].status == "partial"
    assert "kan" in got["bibob.speelautomaten"].explanation
    assert got["bibob.subsidie"].status == "missing"
    assert got["bibob.coffeeshop"].status == "missing"


def test_bibob_repealed_law_used_as_basis_is_partial(tmp_path):
    got, _ = _check(tmp_path, BIBOB, "bibob")
    f = got["bibob.actueel"]
    assert f.status == "partial"
    locs = {e.location for e in f.evidence}
    assert {"1", "3"} <= locs and "2" not in locs     # art. 2 only records the change of law
    assert got["bibob.omgevingsvergunning"].status == "partial"


def test_bibob_only_change_record_stays_present(tmp_path):
    got, _ = _check(tmp_path, """Artikel 1 Wettelijk kader
Sinds 1 juli 2021 geldt de Alcoholwet, die de Drank- en Horecawet vervangt.
Artikel 2 Reikwijdte
De burgemeester past de Wet Bibob in alle gevallen toe bij aanvragen om een vergunning als bedoeld in artikel 3 van de Alcoholwet.
""", "bibob")
    assert got["bibob.actueel"].status == "present"


def test_bibob_alcohol_licence_only_by_repealed_name_is_partial(tmp_path):
    got, _ = _check(tmp_path, """Artikel 3 Horeca
1. De burgemeester past de Wet in alle gevallen toe bij aanvragen om:
a. een drank- en horecavergunning ingevolge de Drank- en Horecawet.
""", "bibob")
    assert got["bibob.alcoholwet"].status == "partial"
    assert "Drank- en Horecawet" in got["bibob.alcoholwet"].explanation


# ------------------------------------------------------------------ interface


def test_findings_in_catalogue_order_for_checked_types_only(tmp_path):
    got, d = _check(tmp_path, HORECA)
    findings, version = evaluate([d], ["apv"])
    ids = [f.requirement for f in findings]
    assert ids[0] == "apv.exploitatie.horeca" and len(ids) == 12
    assert all(i.startswith("apv.") for i in ids)
    assert version == load_rules().version
    assert evaluate([d], []) == ([], version)


def test_requirement_without_rule_is_reported_missing_not_dropped():
    out = _complete([], ["apv"])
    assert len(out) == 12 and all(f.status == "missing" for f in out)
    assert "handmatig" in out[0].explanation


def test_explain_shows_candidates_criteria_and_decision(tmp_path):
    d = _doc(tmp_path, "apv.txt", APV_HEAD + HORECA, "apv")
    text = explain("apv.exploitatie.seksbedrijf", [d])
    assert "Oordeel: gedeeltelijk (partial)" in text
    assert "weigeringsgrond slecht levensgedrag" in text
    assert "3:3" in text and "niet gekoppeld" in text
    with pytest.raises(UsageError):
        explain("apv.bestaat.niet", [d])
    other = explain("bibob.alcoholwet", [d])
    assert "Geen document van het soort 'bibob'" in other


def test_rules_listing():
    txt = list_rules_text(None)
    assert "apv.exploitatie.horeca" in txt and "bibob.actueel" in txt
    tw = {r["requirement"] for r in list_rules_json("twente")["rules"]}
    assert "apv.exploitatie.horeca" in tw and "bibob.coffeeshop" not in tw
    data = list_rules_json(None)
    assert data["rules_version"] == load_rules().version
    assert all(r["criteria"] for r in data["rules"])


def test_place_of_another_activity_is_not_the_licensed_object(tmp_path):
    got, _ = _check(tmp_path, """Artikel 2:38 Aanwezigheidsvergunning
1. Het is verboden zonder vergunning van de burgemeester in een horecabedrijf een kansspelautomaat aanwezig te hebben.
2. De burgemeester weigert de vergunning indien de exploitant in enig opzicht van slecht levensgedrag is.
""")
    assert got["apv.exploitatie.horeca"].status == "missing"
    assert got["apv.exploitatie.speelautomaten"].status == "present"


def test_explanation_names_locations_per_criterion(tmp_path):
    got, _ = _check(tmp_path, HORECA)
    f = got["apv.exploitatie.evenement"]
    assert f.explanation.startswith("Evenementenvergunning")
    assert "art. 2:24 lid 1" in f.explanation and "art. 2:25 lid 1" in f.explanation
    seks = got["apv.exploitatie.seksbedrijf"]
    assert "Ontbreekt: weigeringsgrond slecht levensgedrag" in seks.explanation


def test_bullet_lists_inherit_their_own_lead_sentence(tmp_path):
    got, _ = _check(tmp_path, """Artikel 3 Reikwijdte
De burgemeester past de Wet Bibob altijd toe bij:
- een vergunning als bedoeld in artikel 3 van de Alcoholwet;
- een exploitatievergunning voor een horecabedrijf.
De burgemeester kan de Wet Bibob toepassen bij:
- een vergunning voor een speelautomatenhal.
""", "bibob")
    assert got["bibob.alcoholwet"].status == "present"
    assert got["bibob.exploitatie"].status == "present"
    assert got["bibob.speelautomaten"].status == "partial"


def test_levensgedrag_explicitly_not_tested_is_no_ground(tmp_path):
    got, _ = _check(tmp_path, """Artikel 2:28 Exploitatievergunning
1. Het is verboden zonder vergunning van de burgemeester een horecabedrijf te exploiteren.
2. De burgemeester toetst daarbij niet op het levensgedrag van de exploitant.
""")
    assert got["apv.exploitatie.horeca"].status == "partial"


def test_article_title_sets_the_modality_of_a_plain_list(tmp_path):
    got, _ = _check(tmp_path, """Artikel 3 Verplichte toetsing
Beschikkingen:
a. een vergunning als bedoeld in artikel 3 van de Alcoholwet;
b. een vergunning voor een seksinrichting.
Artikel 4 Facultatieve toetsing
De Wet Bibob wordt toegepast bij aanvragen om:
a. een exploitatievergunning voor een horecabedrijf.
""", "bibob")
    assert got["bibob.exploitatie"].status == "partial"
    assert got["bibob.alcoholwet"].status == "present"      # bare list under 'Verplichte toetsing'
    assert got["bibob.seksbedrijf"].status == "present"


def test_broken_lexicon_fails_at_load_with_the_set_named(tmp_path):
    from checker.match.rules import RuleError

    rules = tmp_path / "rules"
    corp = tmp_path / "corpora"
    rules.mkdir()
    corp.mkdir()
    (corp / "x.yaml").write_text('sets:\n  kapot:\n    terms: ["re:(open"]\n', encoding="utf-8")
    with pytest.raises(RuleError, match="kapot"):
        load_rules(rules, corp)
    (corp / "x.yaml").write_text('sets:\n  goed:\n    terms: [woord]\n', encoding="utf-8")
    (rules / "y.yaml").write_text(
        "rules:\n  - id: apv.x\n    type: apv\n    criteria:\n      - {id: a, kind: clause, all: [onbekend]}\n",
        encoding="utf-8")
    with pytest.raises(RuleError, match="onbekend"):
        load_rules(rules, corp)
