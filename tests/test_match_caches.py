"""The speed-ups of the matcher give the same answers as the plain way.

- regex terms are searched from the occurrences of their literal starts (nlp._finditer)
  instead of at every character: same matches as re.finditer;
- the rule set is read from a pickle in the user cache when no file it depends on changed;
- lemmas come from an SQLite copy of the lookup table: same lemmas as the table.
No timings are asserted (bench/bench_check.py measures).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from checker.match import nlp
from checker.match import rules as R
from checker.match.nlp import Segment, TextIndex, compiled
from checker.paths import corpora_dir, rules_dir

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _index(text: str) -> TextIndex:
    return TextIndex([Segment(p) for p in text.split("\n") if p.strip()])


def _regex_terms():
    rs = R.load_rules()
    return [compiled(t.term, t.note, t.end) for ts in rs.lexicon.sets.values() for t in ts.terms
            if t.term.startswith("re:")]


def _starts(rx):
    """nlp._literal_starts without the word-start marks."""
    got = nlp._literal_starts(rx)
    return got if got is None else tuple(s.lstrip(nlp._WB) for s in got)


def test_literal_starts_of_typical_patterns():
    starts = _starts
    assert nlp._literal_starts(re.compile(r"\bvergunning", re.I)) == (nlp._WB + "vergunning",)  # begins a word
    assert nlp._literal_starts(re.compile(r"vergunning", re.I)) == ("vergunning",)
    assert set(starts(re.compile(r"\b(?:verplichte|facultatieve)\b", re.I))) == {"verplichte", "facultatieve"}
    assert set(starts(re.compile(r"(?<!geen )\bvergunning\b", re.I))) == {"vergunning"}
    assert set(starts(re.compile(r"\b(?:is\s+)?verboden", re.I))) == {"is", "verboden"}
    assert set(starts(re.compile(r"(?:^|\n)abc", re.I))) == {nlp._BOS, "\nabc"}  # ^: offset 0 only
    assert set(starts(re.compile(r"(?:^|\n)abc", re.I | re.M))) == {"abc", "\nabc"}
    assert starts(re.compile(r"\b\w*eed\b", re.I)) is None      # may start with any letter
    assert starts(re.compile(r"(?:x|)y?", re.I)) is None         # may match the empty string
    assert starts(re.compile(r"\bstraße\b", re.I)) == ("straße",)  # Latin-1: plain lowercase


@pytest.mark.parametrize("name", ["apv-duinwijk-2024.txt", "gedragscode-duinwijk-2021.txt"])
def test_regex_terms_find_what_finditer_finds(name):
    src = SHARED / name
    if not src.is_file():
        pytest.skip("shared corpus not available")
    idx = _index(src.read_text(encoding="utf-8"))
    for term in _regex_terms():
        want = [(m.start(), m.end()) for m in term.regex.finditer(idx.text)]
        assert [(m.start(), m.end()) for m in idx._finditer(term.regex)] == want, term.raw


def test_anchors_of_typical_patterns():
    _, (starts, anchors) = nlp.literal_starts_of(r"\bvergunning\b[^.;]{0,60}\b(?:vereist|nodig)\b")
    assert starts == (nlp._WB + "vergunning",)
    assert anchors[0] == (10, 70, (nlp._WB + "nodig", nlp._WB + "vereist"), ".;", 0)  # [^.;] cannot cross . or ;
    _, (_, anchors) = nlp.literal_starts_of(r"(?:^|\n)(?![^.;\n]*\bweiger)[^.;\n]*\bintrekken\b")
    assert anchors[0] == (0, None, (nlp._WB + "intrekken",), "\n.;", 1)  # after the leading \n
    _, (_, anchors) = nlp.literal_starts_of(r"\bis\s+(?:\w+\s+)*bevoegd")
    assert anchors[0] == (3, None, (nlp._WB + "bevoegd",), ".;:", 0)  # \s and \w: neither . ; nor :
    _, (_, anchors) = nlp.literal_starts_of(r"\bis\s+(?:\w+\s+|-)*bevoegd")  # "-bevoegd": not a word start
    assert anchors[0][2] == ("bevoegd",)


def test_anchored_search_finds_what_finditer_finds():
    idx = _index("de vergunning is niet vereist. vergunning; nodig\nvergunning is\nnodig en vergunning nodig\n"
                 "intrekken\nwij weigeren. intrekken is\nzij weigeren intrekken\nhoreca-vergunning (vergunning) "
                 "2.30vergunning is_zo van toepassing; café's-vergunning nodig\n" + "is het zo. " * 40)
    for rx in (re.compile(r"\bvergunning\b[^.;]{0,60}\b(?:vereist|nodig)\b", re.I),
               re.compile(r"\bvergunning\b[^.;\n]*\bnodig", re.I),
               re.compile(r"\bis\b\s+(?:\w+\s+){0,3}(?:zo|nodig)\b", re.I),
               re.compile(r"(?:^|\n)(?![^.;\n]*\bweiger)[^.;\n]*\bintrekken\b", re.I),
               re.compile(r"\bvergunning\b", re.I), re.compile(r"\bvan toepassing", re.I),
               re.compile(r"\b(?:s|zo|30vergunning)\b", re.I)):
        assert [m.span() for m in idx._finditer(rx)] == [m.span() for m in rx.finditer(idx.text)] != [], rx


def test_overlapping_starts_and_casefold_risk():
    # starts inside an earlier match are skipped exactly as finditer skips them
    idx = _index("de vergunningvergunning is vereist; is is verboden\neen vergunning niet vereist")
    for rx in (re.compile(r"\bvergunning\w*", re.I), re.compile(r"\b(?:is\s+)?(?:is|verboden)\b", re.I),
               re.compile(r"(?:^|\n)een\s+vergunning", re.I), re.compile(r"ning(?:vergun)?", re.I)):
        assert [m.span() for m in idx._finditer(rx)] == [m.span() for m in rx.finditer(idx.text)]
    # dotless i / long s match ASCII i / s under IGNORECASE: then the plain scan is used
    idx = _index("Het ıs verboden; het ſtaat vast")
    assert idx.casefold_risk
    for rx in (re.compile(r"\bis\s+verboden", re.I), re.compile(r"\bstaat\b", re.I)):
        assert [m.span() for m in idx._finditer(rx)] == [m.span() for m in rx.finditer(idx.text)] != []


def _copy_rules(tmp_path: Path) -> tuple[Path, Path]:
    rd, cd = tmp_path / "rules", tmp_path / "corpora"
    shutil.copytree(rules_dir(), rd)
    shutil.copytree(corpora_dir(), cd)
    return rd, cd


def test_rule_cache_round_trip_and_invalidation(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NORMTOETS_CACHE", raising=False)
    rd, cd = _copy_rules(tmp_path)
    built = R._cached_load(rd, cd)                       # builds and writes the cache
    cached = list((tmp_path / "cache").rglob("rules-*.pickle"))
    assert len(cached) == 1
    again = R._cached_load(rd, cd)                       # read back from the pickle
    assert again is not built
    assert again.version == built.version
    assert [(r.id, r.criteria, r.decide) for r in again.rules] == [(r.id, r.criteria, r.decide) for r in built.rules]
    assert again.lexicon.sets.keys() == built.lexicon.sets.keys()
    assert again.regex_starts == built.regex_starts
    # any edit of a rule file is a new key: the cache never serves stale rules
    f = sorted(rd.glob("*.yaml"))[0]
    f.write_text(f.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = R._cached_load(rd, cd)
    assert edited.version != built.version
    assert len(list((tmp_path / "cache").rglob("rules-*.pickle"))) == 2


def test_rule_cache_errors_are_not_cached_and_bad_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rd, cd = _copy_rules(tmp_path)
    good = R._cached_load(rd, cd)
    for p in (tmp_path / "cache").rglob("rules-*.pickle"):
        p.write_bytes(b"not a pickle")                   # corrupt: rebuilt from the YAML
    assert R._cached_load(rd, cd).version == good.version
    bad = sorted(rd.glob("*.yaml"))[0]
    bad.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(R.RuleError):
        R._cached_load(rd, cd)
    with pytest.raises(R.RuleError):                     # still an error the second time
        R._cached_load(rd, cd)


def test_rule_cache_off_or_unwritable(tmp_path, monkeypatch):
    rd, cd = _copy_rules(tmp_path)
    monkeypatch.setenv("NORMTOETS_CACHE", "0")
    assert R._cached_load(rd, cd).rules
    monkeypatch.delenv("NORMTOETS_CACHE")
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))   # cache dir cannot be created
    assert R._cached_load(rd, cd).rules


def test_lemmas_equal_the_lookup_table(monkeypatch, tmp_path):
    words = ["vergunningen", "horecabedrijven", "loopt", "gelopen", "exploitatievergunning", "xyzzy",
             "inrichtingen", "café's", "coffeeshops", "burgemeester", "weigert", "ingetrokken"]
    table = nlp.lemma_table()
    if not table:
        pytest.skip("spacy-lookups-data not installed")
    expected = {w: table.get(w, w) for w in words}
    # a fresh process: no table in memory, the SQLite copy (built in an empty cache dir)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(nlp, "_LEMMAS", None)
    monkeypatch.setattr(nlp, "_LEMMA_MEMO", {})
    monkeypatch.setattr(nlp, "_LEMMA_DB", None)
    monkeypatch.setattr(nlp, "lemma_table", lambda: table)  # building the copy reads this
    assert nlp.lemmas(words) == expected
    assert list((tmp_path / "cache").rglob("*.sqlite"))
    monkeypatch.setattr(nlp, "_LEMMA_MEMO", {})
    assert {w: nlp.lemma(w) for w in words} == expected
