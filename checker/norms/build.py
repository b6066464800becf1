"""Build and verify corpora/norms/<norm>.yaml from the norm texts and requirements.yaml.

    python -m checker.norms.build                 # regenerate the YAML files
    python -m checker.norms.build --check         # verify only; exit 1 on any problem
    python -m checker.norms.build --norms DIR --spec FILE

The norm texts are the source of truth for the items (ids, groups, quoted text);
requirements.yaml `norm_refs` are the source of truth for which requirement ids a
document can show for an item. Items without requirements are `manual: true`.

Limburg has no `LI` refs in requirements.yaml. The spoorboekje plans work on the same
six themes as Noord-Holland (DOMAIN.md), so its action "Vaststellen en/of actualiseren
beleid, code en protocollen" of theme N gets the requirements whose NH norm lies in
theme N. That derivation is written into the YAML (`derivation:`), not hidden in code.

`--check` also guarantees that nothing is silently dropped: every numbered item that an
independent scan of each norm text finds must be in the YAML, and every item's quoted
text must occur in the norm text.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import yaml

from . import extract as E

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NORMS = ROOT.parent / "shared" / "norms"
DEFAULT_SPEC = ROOT.parent / "shared" / "spec" / "requirements.yaml"
OUT_DIR = ROOT / "corpora" / "norms"

META = {
    "noord-holland": {
        "title": "Noord-Hollandse Norm Weerbare Overheid",
        "short": "Noord-Hollandse norm",
        "prefix": "NH",
        "order": 1,
        "year": 2024,
    },
    "twente": {
        "title": "Twente: basis op orde (Weerbare Overheid en Maatschappij)",
        "short": "Twentse basis op orde",
        "prefix": "TW",
        "order": 2,
        "year": 2023,
    },
    "limburg": {
        "title": "Limburgse norm en spoorboekje implementatie",
        "short": "Limburgse norm",
        "prefix": "LI",
        "order": 3,
        "year": 2024,
    },
}

# Items a document can partly show, while the rest is organisational practice that only
# the municipality can assess. They appear both as checked item and as manual item.
MANUAL_ASPECTS = {
    "NH 2.6": "of de organisatie weet welke functies gevoelig zijn en alert is in de praktijk",
    "NH 2.9": "of bij de eed- of belofteaflegging aandacht is voor integriteit en netwerkbewustzijn",
    "NH 3.1": "of het protocol actief wordt uitgedragen en de organisatie erop aanspreekbaar is",
    "NH 3.2": "of de organisatienorm intern en extern bekend wordt gemaakt (bijv. huisregels bij de ingang)",
    "NH 3.6": "of de trainingen daadwerkelijk worden gegeven",
    "NH 3.7": "of voorvallen in de praktijk worden gemeld, geregistreerd en aangegeven",
    "NH 5.2": "of er toezicht wordt gehouden en gehandhaafd bij overtredingen",
    "NH 5.5": "of het Bibob-beleid ook wordt toegepast",
    "NH 5.8": "of het Damoclesbeleid consequent wordt uitgevoerd",
    "TW IW-a": "of iedere medewerker de ambtseed of belofte daadwerkelijk heeft afgelegd",
    "TW IW-b": "of iedere nieuwe medewerker daadwerkelijk een VOG overlegt",
    "LI T2.1": "of beleid, code en protocollen zijn vastgesteld of geactualiseerd volgens de planning",
    "LI T3.1": "of beleid, code en protocollen zijn vastgesteld of geactualiseerd volgens de planning",
    "LI T5.1": "of beleid, code en protocollen zijn vastgesteld of geactualiseerd volgens de planning",
}

LI_POLICY_ACTION = "Vaststellen en/of actualiseren beleid, code en protocollen"


def read_texts(norms_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(norms_dir).glob("*.txt"))}


def read_requirements(spec: Path) -> list[dict]:
    data = yaml.safe_load(Path(spec).read_text(encoding="utf-8"))
    return list(data["requirements"])


def _nh_theme(ref: str) -> str | None:
    if ref.startswith("NH "):
        return ref[3:].split(".")[0]
    return None


def build_norm(norm: str, texts: dict[str, str], reqs: list[dict]) -> dict:
    groups = E.extract(norm, texts)
    meta = META[norm]
    out_groups = []
    for g in groups:
        items = []
        for it in g.items:
            mapped = [r["id"] for r in reqs if it.id in (r.get("norm_refs") or [])]
            derivation = None
            if norm == "limburg" and it.text == LI_POLICY_ACTION:
                theme = g.id[1:]
                derived = [r["id"] for r in reqs
                           if any(_nh_theme(ref) == theme for ref in r.get("norm_refs") or [])]
                if derived:
                    derivation = (f"Eisen bij de Noord-Hollandse norm thema {theme}: het spoorboekje "
                                  f"werkt met dezelfde zes thema's.")
                mapped += [r for r in derived if r not in mapped]
            item: dict = {"id": it.id, "text": it.text}
            if it.toelichting:
                item["toelichting"] = it.toelichting
            if it.extra:
                item["planning"] = dict(it.extra)
            item["requirements"] = mapped
            item["manual"] = not mapped
            if mapped and it.id in MANUAL_ASPECTS:
                item["manual_aspect"] = MANUAL_ASPECTS[it.id]
            if derivation:
                item["derivation"] = derivation
            items.append(item)
        out_groups.append({"id": g.id, "title": g.title, "items": items})
    return {
        "norm": norm,
        "title": meta["title"],
        "short": meta["short"],
        "prefix": meta["prefix"],
        "order": meta["order"],
        "year": meta["year"],
        "sources": list(E.SOURCE_FILES[norm]),
        "groups": out_groups,
    }


HEADER = """\
# Generated by `python -m checker.norms.build` from the norm texts in bronnen/ and
# ../shared/spec/requirements.yaml. Do not edit by hand: fix the extractor or the
# requirement norm_refs and regenerate; `python -m checker.norms.build --check` and
# tests/test_norms.py verify that every numbered item of the norm text is here.
"""


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks so the quoted norm text stays readable."""


def _str(dumper: yaml.SafeDumper, s: str):
    style = "|" if "\n" in s else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


_Dumper.add_representer(str, _str)


def build_requirement_index(reqs: list[dict]) -> dict:
    """The requirement ids in catalogue order with type and norm_refs (no criteria:
    those belong to rules/). Lets the norm views name requirements that were not
    checked because their document type is absent."""
    return {"requirements": [{"id": r["id"], "type": r["type"],
                              "norm_refs": list(r.get("norm_refs") or [])} for r in reqs]}


def dump(data: dict) -> str:
    return HEADER + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def verify(norms_dir: Path, spec: Path | None, out_dir: Path = OUT_DIR) -> list[str]:
    """Problems (Dutch/English mix is fine here: developer tool) - empty when all is well."""
    problems: list[str] = []
    texts = read_texts(norms_dir)
    reqs = read_requirements(spec) if spec and Path(spec).exists() else None
    for norm in META:
        path = out_dir / f"{norm}.yaml"
        if not path.exists():
            problems.append(f"{path} ontbreekt")
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        problems += check_complete(norm, data, texts)
        if reqs is not None and data != build_norm(norm, texts, reqs):
            problems.append(f"{path.name} wijkt af van wat de normtekst en requirements.yaml "
                            "opleveren; draai python -m checker.norms.build")
    if reqs is not None:
        idx = out_dir / "eisen.yaml"
        if not idx.exists() or yaml.safe_load(idx.read_text(encoding="utf-8")) != build_requirement_index(reqs):
            problems.append("eisen.yaml ontbreekt of wijkt af van requirements.yaml; "
                            "draai python -m checker.norms.build")
    for name in E.NO_ITEM_FILES:
        if name in texts and E.numbered_ids_in_text("noord-holland", {
                E.SOURCE_FILES["noord-holland"][0]: texts[name]}):
            problems.append(f"{name} bevat genummerde normonderdelen die geen view heeft")
    return problems


def check_complete(norm: str, data: dict, texts: dict[str, str]) -> list[str]:
    problems = []
    item_ids = {it["id"] for g in data["groups"] for it in g["items"]}
    group_ids = {f"{data['prefix']} {g['id']}" for g in data["groups"]}
    for ref in sorted(E.numbered_ids_in_text(norm, texts)):
        if ref not in item_ids and ref not in group_ids:
            problems.append(f"{norm}: {ref} staat in de normtekst maar niet in de YAML")
    full = E.normalize(E._clean_cell("\n".join(texts[f] for f in E.SOURCE_FILES[norm])))
    for g in data["groups"]:
        for it in g["items"]:
            if E.normalize(it["text"]) not in full:
                problems.append(f"{norm}: tekst van {it['id']} komt niet voor in de normtekst")
    problems += check_coverage(norm, data, texts)
    return problems


_NOISE = re.compile(r"^(\d\s+(Burgemeester|https?:|Bijvoorbeeld|RIEC)|Copyright|Proclaimer|Klachten)")
_SUBHEADINGS = {"Algemene Plaatselijke Verordening (APV)", "Wet Bibob", "Wet Damocles (Opiumwet)",
                "Financiële weerbaarheid", "Bestuurlijke en integrale uitvoeringskracht"}


def check_coverage(norm: str, data: dict, texts: dict[str, str]) -> list[str]:
    """Every line of the normative part of the text is in the YAML (as item text or
    toelichting), so not even a bullet of a toelichting (e.g. the APV articles of 5.2)
    is dropped. Theme headings, sub-headings, footnotes and the page footer excepted."""
    corpus = E.normalize(" ".join(
        f"{it['text']} {it.get('toelichting', '')}" for g in data["groups"] for it in g["items"]))
    titles = {g["title"] for g in data["groups"]}
    if norm == "noord-holland":
        text = texts[E.SOURCE_FILES[norm][0]]
        starts = [m.start() for m in re.finditer(r"^1\.\s+Bewustwording", text, re.M)]
        lines = text[starts[-1]:].split("\n")
    elif norm == "limburg":
        lines = texts["limburgse-norm.txt"].split("\n")[1:]  # after the title line
    else:
        text = texts[E.SOURCE_FILES[norm][0]]
        lines = text[text.rfind("BIJLAGE BASIS OP ORDE"):].split("\n")[2:]
        footer = ("SAMEN STERK", "EEN VEILIG TWENTE")
        lines = [ln for ln in lines
                 if not ln.strip().endswith(":") and not ln.strip().upper().startswith(footer)]
    problems = []
    for line in lines:
        s = line.strip()
        if not s or _NOISE.match(s) or s in _SUBHEADINGS:
            continue
        m = re.match(r"^[1-6]\.\s+(.*)$", s)
        if m and m.group(1) in titles:
            continue
        for part in re.split(r"(?:^|(?<=\s))[1-6]\.\d{1,2}\.?\s+(?=W)|^-\s*[a-z]\)\s*", s):
            if E.normalize(part) and E.normalize(part) not in corpus:
                problems.append(f"{norm}: regel ontbreekt in de YAML: {part[:80]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--norms", type=Path, default=DEFAULT_NORMS)
    ap.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args(argv)
    if not (a.norms / E.SOURCE_FILES["noord-holland"][0]).is_file():
        if not a.check:
            print(f"normteksten niet gevonden in {a.norms}; geef --norms DIR", file=sys.stderr)
            return 2
        a.norms = a.out / "bronnen"  # verify against the bundled copies
    if not a.spec.is_file():
        a.spec = None
    if not a.check and a.spec is None:
        print("requirements.yaml niet gevonden; geef --spec FILE", file=sys.stderr)
        return 2
    if not a.check:
        texts = read_texts(a.norms)
        reqs = read_requirements(a.spec)
        a.out.mkdir(parents=True, exist_ok=True)
        src = a.out / "bronnen"
        src.mkdir(exist_ok=True)
        for name in list(E.SOURCE_FILES.values()) + [E.NO_ITEM_FILES]:
            for f in name:
                shutil.copyfile(a.norms / f, src / f)
        for norm in META:
            (a.out / f"{norm}.yaml").write_text(dump(build_norm(norm, texts, reqs)), encoding="utf-8")
        (a.out / "eisen.yaml").write_text(dump(build_requirement_index(reqs)), encoding="utf-8")
    problems = verify(a.norms, a.spec, a.out)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(problems)} probleem/problemen" if problems else "norm-YAML volledig en actueel")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
