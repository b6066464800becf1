"""Corpus-level tests for the policy rules (rules/damocles.yaml, integriteit.yaml,
agressie.yaml): whole documents in other municipalities' wording, run through the real
reader, structure parser and rules engine, with the status a careful jurist would give
for every requirement of the type.

The rules' own snippets are tested by tests/test_rules.py; these documents test how the
criteria combine in a full document (scope sections, exclusions elsewhere in the text,
tables, 'nog niet uitgewerkt' passages, topics mentioned in the wrong context).
Labelled corpora (../shared/corpus, tests/corpus/check) are scored at the end: a false
"present" there fails the suite.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checker.match import evaluate
from checker.pipeline import load_document

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- documents

DAMOCLES_TABLE = """Beleidsregels Opiumwet gemeente Rietdijk 2023
De burgemeester van Rietdijk;
gelet op artikel 13b van de Opiumwet;
besluit vast te stellen de volgende beleidsregels.
Artikel 1 Begripsbepalingen
In deze beleidsregels wordt verstaan onder:
a. pand: een woning of lokaal dan wel een bij een woning of lokaal behorend erf;
b. harddrugs: middelen vermeld op lijst I van de Opiumwet;
c. softdrugs: middelen vermeld op lijst II van de Opiumwet.
Artikel 2 Toepassingsbereik
Deze beleidsregels zijn van toepassing op panden in de gemeente Rietdijk.
Artikel 3 Hoeveelheden
Van een handelshoeveelheid is sprake bij meer dan 0,5 gram harddrugs of meer dan 5 gram softdrugs. Bij een hoeveelheid voor eigen gebruik treedt de burgemeester niet op.
Artikel 4 Stappenplan
| Constatering | Woning | Lokaal |
| 1e keer | waarschuwing | sluiting 3 maanden |
| 2e keer | sluiting 3 maanden | sluiting 6 maanden |
| 3e keer | sluiting 12 maanden | sluiting 12 maanden |
Artikel 5 Voorwerpen en stoffen
Het aanwezig hebben van voorwerpen of stoffen waarvan redelijkerwijs duidelijk is dat zij bestemd zijn voor het bedrijfsmatig telen van hennep, wordt gelijkgesteld met een handelshoeveelheid softdrugs.
Artikel 6 Citeertitel
Deze beleidsregels worden aangehaald als Damoclesbeleid Rietdijk 2023.
"""

DAMOCLES_OLD_LOKALEN = """Beleidslijn sluiting lokalen gemeente Kanaalzijde 2012
De burgemeester van Kanaalzijde;
gelet op artikel 13b van de Opiumwet;
besluit vast te stellen de volgende beleidslijn.
1 Inleiding
Deze beleidslijn gaat over het optreden van de burgemeester tegen de handel in harddrugs vanuit lokalen.
2 Reikwijdte
1. De beleidslijn is van toepassing op voor het publiek toegankelijke lokalen en niet voor het publiek toegankelijke lokalen.
2. Woningen vallen niet onder deze beleidslijn.
3 Werkwijze
1. Ter voorbereiding van een besluit tot sluiting vraagt de burgemeester een bestuurlijke rapportage aan de politie.
2. Bij herhaling binnen twee jaar wordt het lokaal voor zes maanden gesloten.
4 Inwerkingtreding
Deze beleidslijn treedt in werking op 1 januari 2012.
"""

GEDRAGSCODE_FULL = """Gedragscode integriteit gemeente Rietdijk 2024
Het college van burgemeester en wethouders, de burgemeester en de raad van Rietdijk stellen de volgende gedragscode vast.
1 Reikwijdte
Deze gedragscode is van toepassing op:
a. ambtenaren en andere medewerkers in dienst van de gemeente;
b. de burgemeester en de wethouders;
c. de leden van de raad en de commissieleden;
d. inhuurkrachten, uitzendkrachten en gedetacheerden.
2 Belangen
2.1 Nevenwerkzaamheden
Nevenwerkzaamheden meld je vooraf aan je leidinggevende; zij worden opgenomen in het register nevenwerkzaamheden.
2.2 Belangenverstrengeling
Je vermijdt iedere schijn van belangenverstrengeling en neemt niet deel aan besluitvorming waarbij je een persoonlijk belang hebt.
3 Geschenken
Je neemt geen geschenken aan met een waarde van meer dan € 50 en meldt ieder geschenk in het register geschenken.
4 Informatie
1. Je bent verplicht tot geheimhouding van vertrouwelijke informatie.
2. Inhuurkrachten ondertekenen voor aanvang van de opdracht een verklaring van geheimhouding.
5 Melden
1. Vermoedens van misstanden meld je bij het meldpunt integriteit.
2. Je kunt ook terecht bij de externe vertrouwenspersoon.
6 Onderzoek
1. Bij een vermoeden van een integriteitsschending besluit de gemeentesecretaris of een onderzoek wordt ingesteld.
2. De betrokkene wordt in de gelegenheid gesteld zijn zienswijze te geven voordat het onderzoeksrapport wordt vastgesteld.
7 Aanstelling
1. Nieuwe medewerkers leggen bij hun aanstelling de ambtseed of belofte af.
2. Voor functies die als integriteitsgevoelig zijn aangemerkt, wordt bij indiensttreding een VOG gevraagd.
"""

GEDRAGSCODE_THIN = """Gedragscode medewerkers gemeente Kanaalzijde
1 Voor wie
1. Deze code geldt voor medewerkers van de gemeente.
2. Voor politieke ambtsdragers is een afzonderlijke gedragscode vastgesteld.
2 Informatie
Je gaat zorgvuldig en vertrouwelijk om met informatie die je in je werk krijgt.
3 Ondersteuning
Met vragen over integriteit kun je terecht bij de vertrouwenspersoon.
4 Onderzoek
Een protocol voor integriteitsonderzoek wordt nog opgesteld.
5 Eed en VOG
1. De ambtseed is voor medewerkers niet verplicht.
2. Een VOG kan worden gevraagd als daartoe aanleiding bestaat.
"""

AGRESSIE_FULL = """Agressieprotocol gemeente Rietdijk 2024
1 Doel
Dit protocol is gebaseerd op de norm van Stop Agressie Samen. Het protocol beschermt medewerkers, bestuurders en raadsleden tegen agressie en geweld.
2 Wat is agressie
Agressie is ieder gedrag dat wij niet accepteren: schelden, bedreigen, intimideren, fysiek geweld. Ook bedreigingen via sociale media en e-mail horen daarbij.
3 Melden en registreren
Ieder incident meld je bij je leidinggevende. De leidinggevende registreert het incident in het incidentenregistratiesysteem.
4 Aangifte
De gemeente doet als werkgever aangifte; je kunt het adres van de gemeente als domicilie opgeven.
5 Maatregelen
De burgemeester kan de dader een gebouwverbod opleggen. In alle spreekkamers is een alarmknop.
6 Schade
De gemeente verhaalt de schade op de dader.
7 Nazorg
Na een incident biedt de leidinggevende nazorg; zo nodig volgt doorverwijzing naar bedrijfsmaatschappelijk werk.
8 Training
Medewerkers volgen de training omgaan met agressie. Wethouders en raadsleden krijgen een weerbaarheidstraining.
"""

AGRESSIE_THIN = """Protocol agressie gemeente Kanaalzijde 2018
1 Inleiding
Dit protocol is van toepassing op alle medewerkers. Agressie meld je bij je leidinggevende via e-mail.
2 Aangifte
1. Aangiftes worden door politie en OM conform de afspraken Veilige Publieke Taak opgepakt.
2. Het slachtoffer kan zelf aangifte doen.
3 Schade
Schade aan eigendommen van de medewerker vergoedt de gemeente.
4 Nazorg
Een regeling voor nazorg wordt nog uitgewerkt.
5 Veiligheid
Alle medewerkers volgen de BHV-training. Tegen de dader worden passende maatregelen genomen.
"""

# Decoys: every topic is named, none is regulated well enough for "present".
GEDRAGSCODE_DECOY = """Gedragscode gemeente Heuvelrand
1 Inleiding
In deze code komen onder meer nevenwerkzaamheden, geschenken, geheimhouding en de ambtseed aan de orde.
2 Reikwijdte
De code geldt voor alle medewerkers en bestuurders.
3 Geschenken
Wees terughoudend met het aannemen van geschenken.
4 Vertrouwelijke informatie
Ga zorgvuldig om met vertrouwelijke informatie. Externe partijen met wie wij samenwerken, sluiten een verwerkersovereenkomst.
5 Melden
Meld een vermoeden van een misstand bij de gemeentesecretaris.
6 Ambtseed
De ambtseed is een belangrijk moment.
7 VOG
Medewerkers in kwetsbare functies kunnen worden gevraagd een VOG te overleggen.
"""

AGRESSIE_DECOY = """Agressieprotocol gemeente Heuvelrand
1 Inleiding
Dit protocol is bedoeld voor medewerkers. De gemeente neemt deel aan Stop Agressie Samen.
2 Balie
Bij agressie aan de balie waarschuw je een collega.
3 Online
Het protocol staat online op intranet.
4 Registratie
De arbocoördinator rapporteert jaarlijks over het aantal gemelde incidenten.
5 Aangifte
Aangifte doen is een keuze van de medewerker.
6 Schade
Schade aan kleding wordt door de gemeente vergoed.
7 Training
Een training voor medewerkers wordt op termijn aangeboden.
"""

DAMOCLES_DECOY = """Damoclesbeleid gemeente Heuvelrand
1 Inleiding
De burgemeester kan op grond van artikel 13b van de Opiumwet woningen en lokalen sluiten. Dit beleid richt zich op lokalen.
2 Drugs
Onder drugs verstaan wij middelen van lijst I of II van de Opiumwet.
3 Herhaling voorkomen
Sluiting is bedoeld om herhaling te voorkomen.
4 Procedure
Ter voorbereiding van de sluiting wordt een bestuurlijke rapportage opgesteld. De sluiting duurt in beginsel drie maanden.
"""

CASES = {
    "gedragscode-decoy": ("integriteit", GEDRAGSCODE_DECOY, {
        "integriteit.doelgroepen": "partial",          # no externen
        "integriteit.belangenverstrengeling": "partial",  # only listed as a theme
        "integriteit.geschenken": "partial",           # no limit, melden or register
        "integriteit.geheimhouding": "partial",        # verwerkersovereenkomst is no clause for inhuur
        "integriteit.melden": "partial",               # no vertrouwenspersoon
        "integriteit.eed": "partial",                  # not as a duty at indiensttreding
        "integriteit.screening": "partial",            # VOG optional
    }),
    "agressie-decoy": ("agressie", AGRESSIE_DECOY, {
        "agressie.norm": "partial",                   # no limits/huisregels
        "agressie.digitaal": "missing",               # 'online op intranet'
        "agressie.doelgroepen": "partial",
        "agressie.melden_registreren": "partial",     # reporting figures, no registration rule
        "agressie.aangifte": "partial",
        "agressie.schadeverhaal": "missing",
        "agressie.nazorg": "missing",
        "agressie.training": "missing",               # only 'op termijn'
        "agressie.maatregelen": "missing",            # warning a colleague is no measure
    }),
    "damocles-decoy": ("damocles", DAMOCLES_DECOY, {
        "damocles.grondslag": "present",
        "damocles.woning_lokaal": "partial",          # the law names both, the policy lokalen
        "damocles.drugssoorten": "partial",           # only the statutory lists
        "damocles.voorbereidingshandelingen": "missing",
        "damocles.stappenplan": "partial",            # duration only
    }),
    "damocles-table": ("damocles", DAMOCLES_TABLE, {
        "damocles.grondslag": "present",
        "damocles.woning_lokaal": "present",
        "damocles.drugssoorten": "present",
        "damocles.voorbereidingshandelingen": "present",
        "damocles.stappenplan": "present",
    }),
    "damocles-old-lokalen": ("damocles", DAMOCLES_OLD_LOKALEN, {
        "damocles.grondslag": "present",
        "damocles.woning_lokaal": "partial",          # woningen expressly left out
        "damocles.drugssoorten": "partial",           # only harddrugs
        "damocles.voorbereidingshandelingen": "missing",  # 'ter voorbereiding van een besluit'
        "damocles.stappenplan": "partial",            # only herhaling, no first offence
    }),
    "gedragscode-full": ("integriteit", GEDRAGSCODE_FULL, {
        "integriteit.doelgroepen": "present",
        "integriteit.belangenverstrengeling": "present",
        "integriteit.geschenken": "present",
        "integriteit.geheimhouding": "present",
        "integriteit.melden": "present",
        "integriteit.onderzoeksprotocol": "present",
        "integriteit.eed": "present",
        "integriteit.screening": "present",
    }),
    "gedragscode-thin": ("integriteit", GEDRAGSCODE_THIN, {
        "integriteit.doelgroepen": "partial",          # politieke ambtsdragers: own code
        "integriteit.belangenverstrengeling": "missing",
        "integriteit.geschenken": "missing",
        "integriteit.geheimhouding": "partial",        # no verklaring for externen
        "integriteit.melden": "partial",               # vertrouwenspersoon only
        "integriteit.onderzoeksprotocol": "missing",   # protocol 'wordt nog opgesteld'
        "integriteit.eed": "partial",                  # named, expressly not required
        "integriteit.screening": "partial",            # VOG only 'kan ... als aanleiding'
    }),
    "agressie-full": ("agressie", AGRESSIE_FULL, {
        "agressie.norm": "present",
        "agressie.digitaal": "present",
        "agressie.doelgroepen": "present",
        "agressie.melden_registreren": "present",
        "agressie.aangifte": "present",
        "agressie.schadeverhaal": "present",
        "agressie.nazorg": "present",
        "agressie.training": "present",
        "agressie.maatregelen": "present",
    }),
    "agressie-thin": ("agressie", AGRESSIE_THIN, {
        "agressie.norm": "partial",                   # VPT only as police handling
        "agressie.digitaal": "missing",               # e-mail only as a reporting channel
        "agressie.doelgroepen": "partial",            # only medewerkers
        "agressie.melden_registreren": "partial",     # melden, no registratie
        "agressie.aangifte": "partial",               # victim on his own
        "agressie.schadeverhaal": "missing",          # employer compensates, no verhaal
        "agressie.nazorg": "missing",                 # 'wordt nog uitgewerkt'
        "agressie.training": "missing",               # BHV is no aggression training
        "agressie.maatregelen": "partial",            # 'passende maatregelen' only
    }),
}


def _check(tmp_path: Path, name: str, doc_type: str, text: str):
    f = tmp_path / f"{name}.txt"
    f.write_text(text, encoding="utf-8")
    doc = load_document(f, type_override=doc_type)
    findings, _ = evaluate([doc], [doc_type])
    return doc, {x.requirement: x for x in findings}


@pytest.mark.parametrize("name", sorted(CASES))
def test_policy_document(name, tmp_path: Path):
    doc_type, text, expect = CASES[name]
    doc, found = _check(tmp_path, name, doc_type, text)
    wrong = []
    for rid, status in expect.items():
        f = found[rid]
        if f.status != status:
            wrong.append(f"{rid}: got {f.status}, want {status}\n    {f.explanation}\n    "
                         + "\n    ".join(f.trace))
    assert not wrong, "\n".join(wrong)
    numbers = {a.number for a in doc.articles}
    for f in found.values():
        assert f.explanation.strip()
        if f.status in ("present", "partial"):
            assert f.evidence, f"{f.requirement}: {f.status} without evidence"
            assert all(e.location in numbers or e.location is None for e in f.evidence)


def test_every_policy_requirement_is_covered():
    covered = {rid for _, _, exp in CASES.values() for rid in exp}
    spec = ROOT.parent / "shared" / "spec" / "requirements.yaml"
    if not spec.is_file():
        pytest.skip("requirements.yaml not reachable")
    ids = {r["id"] for r in yaml.safe_load(spec.read_text(encoding="utf-8"))["requirements"]
           if r["type"] in ("damocles", "integriteit", "agressie")}
    assert ids == covered


def test_explanations_are_dutch_and_name_the_gap(tmp_path: Path):
    _, found = _check(tmp_path, "thin", "integriteit", GEDRAGSCODE_THIN)
    f = found["integriteit.geheimhouding"]
    assert "geheimhoudingsverklaring" in f.explanation
    assert "Ontbreekt" in f.explanation


# ---------------------------------------------------------------- labelled corpora

def _labelled():
    out = []
    for corpus in (ROOT.parent / "shared" / "corpus", ROOT / "tests" / "corpus" / "check",
                   ROOT / "tests" / "corpus" / "check3"):
        if not corpus.is_dir():
            continue
        for lab in sorted(corpus.glob("*.labels.yaml")):
            data = yaml.safe_load(lab.read_text(encoding="utf-8"))
            if data.get("type") not in ("damocles", "integriteit", "agressie"):
                continue
            txt = lab.with_name(lab.name.replace(".labels.yaml", ".txt"))
            if txt.is_file():
                out.append((txt, data))
    return out


LABELLED = _labelled()

# Documents whose type the structure stage does not detect yet (checker/structure is not
# ours): the rules are still checked on them with the labelled type, so a false present
# cannot hide behind the detection gap. Remove an entry once detection is fixed.
KNOWN_MISTYPED = {
}


@pytest.mark.skipif(not LABELLED, reason="no labelled policy documents reachable")
@pytest.mark.parametrize("path,labels", LABELLED, ids=[p.name for p, _ in LABELLED])
def test_labelled_policy_documents_no_false_present(path: Path, labels: dict):
    doc = load_document(path)
    if path.name in KNOWN_MISTYPED and doc.type != labels["type"]:
        doc = load_document(path, type_override=labels["type"])
    assert doc.type == labels["type"], f"{path.name}: detected as {doc.type}"
    findings, _ = evaluate([doc], [doc.type])
    got = {f.requirement: f.status for f in findings}
    false_present = [rid for rid, exp in labels["expect"].items()
                     if got.get(rid) == "present" and exp["status"] in ("partial", "missing")]
    assert not false_present, f"{path.name}: false present for {false_present}"
