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


@pytest.mark.parametrize("name", ["apv-duinwijk-2024.txt", "gedragscode-duinwijk-2021.txt"])
def test_regex_terms_only_compiled_when_they_may_match(name):
    """find() decides from the literal plan, without compiling, that most cannot match."""
    src = SHARED / name
    if not src.is_file():
        pytest.skip("shared corpus not available")
    idx = _index(src.read_text(encoding="utf-8"))
    rx_terms = [nlp.compile_term(t.raw) for t in _regex_terms()]  # fresh: nothing compiled
    skipped = 0
    for term in rx_terms:
        cand = idx._candidates(nlp._term_plan(term.pattern), thorough=True)
        skipped += cand == []
        found = [] if cand == [] else [m.span() for m in idx._finditer(term.regex, cand)]
        assert found == [m.span() for m in term.regex.finditer(idx.text)], term.raw
    assert skipped > len(rx_terms) // 4


def test_near_steps_through_either_list():
    import random

    rnd = random.Random(5)
    for _ in range(300):
        cand = sorted(rnd.sample(range(400), rnd.randint(1, 60)))
        anchors = sorted(rnd.sample(range(400), rnd.randint(1, 60)))
        stops = sorted(rnd.sample(range(400), rnd.randint(0, 20)))
        lo, shift = rnd.randint(0, 10), rnd.randint(0, 5)
        hi = rnd.choice([None, lo + rnd.randint(0, 80)])
        want = [c for c in cand if any(c + lo <= a and (hi is None or a <= c + hi)
                                       and not any(c + shift <= s < a for s in stops) for a in anchors)]
        assert nlp._near(cand, anchors, lo, hi, stops, shift) == want


def test_word_hints_match_like_lemma_lookups():
    """A term word's vocabulary matches from the hints (the whole table, inverted) are those
    found by looking up the lemmas of the document's words."""
    table = nlp.lemma_table()
    if not table:
        pytest.skip("spacy-lookups-data not installed")
    src = SHARED / "apv-duinwijk-2024.txt"
    if not src.is_file():
        pytest.skip("shared corpus not available")
    words = sorted({w for ts in R.load_rules().lexicon.sets.values() for t in ts.terms
                    if not t.term.startswith("re:") for w in nlp.term_words(t.term)})
    hints = nlp.word_hints(words)
    plain, hinted = _index(src.read_text(encoding="utf-8")), _index(src.read_text(encoding="utf-8"))
    through_lemma = 0
    for w in hints:
        p = nlp.TokPattern(w, forms=frozenset(nlp.inflections(w)), lemma=nlp.lemma(w))
        q = nlp.TokPattern(w, forms=p.forms, lemma=hints[w][0], by_lemma=frozenset(hints[w][1]))
        assert q.lemma == p.lemma
        assert hinted._vocab_matching(q) == plain._vocab_matching(p), w
        through_lemma += bool(hinted._vocab_matching(q) - p.forms)
    assert through_lemma > 10


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
    assert again.word_hints == built.word_hints
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


def test_inflections_of_typical_words():
    assert {"lokalen", "lokale"} <= nlp.inflections("lokaal")          # doubled vowel: one in the plural
    assert "verbodden" in nlp.inflections("verbod")                    # short vowel: doubled consonant
    assert "gebieden" in nlp.inflections("gebied") and "gebiedden" not in nlp.inflections("gebied")
    assert {"paracommerciële", "paracommerciele"} <= nlp.inflections("paracommercieel")
    assert {"bedrijven", "huizen"} <= nlp.inflections("bedrijf") | nlp.inflections("huis")
    assert nlp.inflections("a") == {"a"} | {"a" + s for s in nlp._SUFFIXES}


def test_word_literals_found_in_the_vocabulary_like_in_the_text():
    src = SHARED / "apv-duinwijk-2024.txt"
    text = src.read_text(encoding="utf-8") if src.is_file() else ""
    idx = _index(text + "\nhoreca-inrichting café's 2.30a vergunningvergunning aaaa_b x2y ")
    assert idx._lower_exact
    for lit in ("vergunning", "aa", "inrichting", "30a", "a", "_b", "2y", "s", "ning", "café", "zzzq"):
        assert idx._positions((lit,)) == nlp._occurrences(idx.text, lit), lit
        assert idx._occurs(lit) == (lit in idx.text)
        assert idx._positions((nlp._WB + "van toepassing",)) == nlp._occurrences(idx.text, "van toepassing")
