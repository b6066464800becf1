"""Every rule's own examples (rules/*.yaml `examples:`), run through the real reader,
structure parser and rules engine - like semgrep rules carry their test files.

Generic: a rule file added by anyone (apv, bibob, damocles, integriteit, agressie) is
tested here without changing this file.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from checker.match import evaluate
from checker.match.rules import load_rules, spec_path
from checker.paths import rules_dir
from checker.pipeline import load_document

RULESET = load_rules()
TITLES = {"apv": "Algemene plaatselijke verordening Voorbeeldstad", "bibob": "Beleidsregel Wet Bibob Voorbeeldstad",
          "damocles": "Damoclesbeleid Voorbeeldstad", "integriteit": "Gedragscode integriteit Voorbeeldstad",
          "agressie": "Agressieprotocol Voorbeeldstad"}
_HEADING = re.compile(r"^\s*(?:artikel|art\.|hoofdstuk|afdeling|paragraaf|§|\d+(?:\.\d+)*\.?\s)", re.I)


def example_text(example: dict, doc_type: str) -> str:
    """A real document starts with its title; add one when the snippet starts with a heading."""
    text = example["text"]
    if _HEADING.match(text.splitlines()[0] if text.strip() else ""):
        text = TITLES.get(doc_type, "Document") + "\n" + text
    return text
CASES = [(r.id, i, ex) for r in RULESET.rules for i, ex in enumerate(r.examples)]


def _rule(rid):
    return RULESET.by_id()[rid]


@pytest.mark.parametrize("rid,i,example", CASES,
                         ids=[f"{rid}[{i}]-{ex.get('name', '')[:40]}" for rid, i, ex in CASES])
def test_rule_example(rid, i, example, tmp_path: Path):
    rule = _rule(rid)
    doc_type = example.get("type", rule.type)
    f = tmp_path / f"voorbeeld-{i}.txt"
    f.write_text(example_text(example, doc_type), encoding="utf-8")
    doc = load_document(f, type_override=doc_type)
    findings, _ = evaluate([doc], [doc_type])
    finding = next(x for x in findings if x.requirement == rid)
    assert finding.status == example["status"], (
        f"{rid} example '{example.get('name')}': got {finding.status}, want {example['status']}\n"
        f"{finding.explanation}\n" + "\n".join(finding.trace))
    if finding.status in ("present", "partial", "not_applicable"):
        assert finding.evidence, f"{rid}: a {finding.status} finding needs evidence"
        numbers = {a.number for a in doc.articles}
        assert all(e.location in numbers or e.location is None for e in finding.evidence)
    assert finding.explanation.strip()


def test_every_rule_has_positive_and_negative_examples():
    for r in RULESET.rules:
        statuses = [ex["status"] for ex in r.examples]
        assert statuses, f"{r.id} has no examples"
        assert any(s in ("present", "not_applicable") for s in statuses) or \
            any(d["status"] == "present" for d in r.decide) is False, f"{r.id}: no positive example"
        assert any(s in ("missing", "partial") for s in statuses), f"{r.id}: no negative example"


def test_rule_ids_match_the_catalogue():
    p = spec_path()
    if p is None:
        pytest.skip("requirements.yaml not reachable")
    spec = yaml.safe_load(p.read_text(encoding="utf-8"))["requirements"]
    spec_types = {r["id"]: r["type"] for r in spec}
    ours = {r.id: r.type for r in RULESET.rules}
    for rid, t in ours.items():
        assert rid in spec_types, f"rule {rid} is not in requirements.yaml"
        assert spec_types[rid] == t
    # every rule file that exists covers all ids of its type
    for f in rules_dir().glob("*.yaml"):
        types = {r["type"] for r in (yaml.safe_load(f.read_text(encoding="utf-8")).get("rules") or [])}
        for t in types:
            want = {rid for rid, tt in spec_types.items() if tt == t}
            have = {rid for rid, tt in ours.items() if tt == t}
            assert want <= have, f"{f.name}: missing rules for {sorted(want - have)}"


def test_rules_version_is_stable_hash():
    a = load_rules().version
    assert len(a) == 12 and a == RULESET.version
