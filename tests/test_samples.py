"""The committed sample documents and the independent check corpus are complete and consistent.

These tests check the data, not the engine: every rendering exists and opens, every label
file follows the contract format and labels every requirement of its document type, and
the labelled `articles` are really printed in the document. Engine behaviour on these
documents is tested elsewhere.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CHECK = ROOT / "tests" / "corpus" / "check"
REQUIREMENTS = ROOT.parent / "shared" / "spec" / "requirements.yaml"
STATUSES = {"present", "partial", "missing", "not_applicable"}
TYPES = {"apv", "bibob", "damocles", "integriteit", "agressie"}

LINDEVELD = ["apv-lindeveld-2024", "bibob-lindeveld-2023", "damocles-lindeveld-2021",
             "gedragscode-lindeveld-2022", "agressieprotocol-lindeveld-2023"]


def _requirements() -> dict[str, set[str]]:
    if not REQUIREMENTS.is_file():
        pytest.skip("../shared/spec/requirements.yaml not present")
    spec = yaml.safe_load(REQUIREMENTS.read_text(encoding="utf-8"))
    by_type: dict[str, set[str]] = {}
    for r in spec["requirements"]:
        by_type.setdefault(r["type"], set()).add(r["id"])
    return by_type


def _label_files() -> list[Path]:
    files = sorted((SAMPLES / "lindeveld").glob("*.labels.yaml"))
    files += sorted((SAMPLES / "lindeveld-2019").glob("*.labels.yaml"))
    files += sorted(CHECK.glob("*.labels.yaml"))
    return files


def _source_text(label: Path) -> str:
    """The text a label file describes: the check corpus .txt or the samples source."""
    name = label.name[: -len(".labels.yaml")]
    for cand in (label.with_name(f"{name}.txt"), SAMPLES / "src" / f"{name}.txt",
                 SAMPLES / "src" / "lindeveld-2019" / f"{name}.txt"):
        if cand.is_file():
            return cand.read_text(encoding="utf-8")
    raise AssertionError(f"no source text for {label}")


@pytest.mark.parametrize("name", LINDEVELD)
def test_lindeveld_renderings_exist(name):
    for ext in ("pdf", "docx", "labels.yaml"):
        p = SAMPLES / "lindeveld" / f"{name}.{ext}"
        assert p.is_file() and p.stat().st_size > 0, f"missing {p.relative_to(ROOT)}"
    assert (SAMPLES / "src" / f"{name}.txt").is_file()
    assert (SAMPLES / "lindeveld" / f"{name}.pdf").read_bytes().startswith(b"%PDF-")
    assert (SAMPLES / "lindeveld" / f"{name}.docx").read_bytes().startswith(b"PK")


def test_older_apv_for_diff_demo_exists():
    for ext in ("pdf", "docx", "labels.yaml"):
        assert (SAMPLES / "lindeveld-2019" / f"apv-lindeveld-2019.{ext}").is_file()


def test_samples_are_one_complete_municipality():
    # samples/lindeveld holds exactly one document of every type
    types = [yaml.safe_load(p.read_text(encoding="utf-8"))["type"]
             for p in (SAMPLES / "lindeveld").glob("*.labels.yaml")]
    assert sorted(types) == sorted(TYPES)


def test_check_corpus_is_big_enough():
    labels = list(CHECK.glob("*.labels.yaml"))
    assert len(labels) >= 10
    munis = {yaml.safe_load(p.read_text(encoding="utf-8"))["municipality"] for p in labels}
    assert len(munis) >= 2 and "Lindeveld" not in munis
    # some documents are also scored as DOCX and PDF, not only as text
    assert any(CHECK.glob("*.pdf")) and any(CHECK.glob("*.docx"))
    for p in labels:
        name = p.name[: -len(".labels.yaml")]
        assert (CHECK / f"{name}.txt").is_file(), f"{name}: labels without text"


@pytest.mark.parametrize("label", _label_files(), ids=lambda p: p.name)
def test_labels_follow_contract_and_cover_every_requirement(label):
    by_type = _requirements()
    data = yaml.safe_load(label.read_text(encoding="utf-8"))
    assert data["type"] in TYPES
    assert data.get("municipality")
    assert data.get("articles"), "articles list empty"
    expect = data["expect"]
    assert set(expect) == by_type[data["type"]], (
        f"missing: {sorted(by_type[data['type']] - set(expect))}, "
        f"unknown: {sorted(set(expect) - by_type[data['type']])}")
    for rid, e in expect.items():
        assert e["status"] in STATUSES, rid
        assert e.get("why"), f"{rid}: no why"
        if e["status"] in ("present", "partial", "not_applicable"):
            assert e.get("locations"), f"{rid}: {e['status']} needs locations"


@pytest.mark.parametrize("label", _label_files(), ids=lambda p: p.name)
def test_labelled_articles_are_printed_and_locations_exist(label):
    data = yaml.safe_load(label.read_text(encoding="utf-8"))
    text = _source_text(label)
    arts = [str(a) for a in data["articles"]]
    assert len(arts) == len(set(arts)), "duplicate article numbers"
    for a in arts:
        pat = rf"^(?:Artikel|ARTIKEL|Art\.)\s+{re.escape(a)}\b|^{re.escape(a)}\s+\S"
        assert re.search(pat, text, re.M), f"article {a} not printed as a heading"
    known = {a.lower() for a in arts}
    for rid, e in data["expect"].items():
        for loc in e.get("locations") or []:
            assert str(loc).lower() in known, f"{rid}: location {loc} is not an article"


def test_generators_are_importable_and_deterministic_in_structure():
    sys.path.insert(0, str(SAMPLES))
    try:
        import make_samples as ms
    finally:
        sys.path.pop(0)
    for spec in ms.lindeveld_specs() + ms.lindeveld_2019_specs():
        blocks = ms.read_blocks(spec)
        label = yaml.safe_load(
            (SAMPLES / ("lindeveld-2019" if "2019" in spec.name else "lindeveld")
             / f"{spec.name}.labels.yaml").read_text(encoding="utf-8"))
        assert ms.article_numbers(blocks) == [str(a) for a in label["articles"]], spec.name
