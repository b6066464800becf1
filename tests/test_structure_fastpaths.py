"""The structure parser's cheap first-character tests must never reject a line its regex
would accept. They are written out by hand next to the regexes; these tests derive the
possible starts from the regexes themselves, so a word added to a regex without its first
characters fails here instead of silently missing headings or signatures."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.match import nlp
from checker.structure import builder, clean, patterns

ROOT = Path(__file__).resolve().parents[1]


def _literal_starts(rx) -> set[str]:
    """Lowercased literal strings one of which begins every match of a ^-anchored regex."""
    parser, consts = nlp._sre()
    items = list(parser.parse(rx.pattern, rx.flags).data)
    k = 0
    while k < len(items) and items[k][0] is consts.AT:  # the ^
        k += 1
    starts = nlp._starts(items, False, k)
    assert starts and "" not in starts, f"no literal start derivable for {rx.pattern[:40]}"
    return starts


@pytest.mark.parametrize("rx, allowed, width", [
    (patterns.SIGNATURE_RE, patterns._SIGNATURE_STARTS, 2),
    (patterns._ROLE_RE, patterns._ROLE_STARTS, 2),
    (patterns.ARTICLE_RE, {c.lower() for c in patterns.ARTICLE_FIRST}, 1),
    (patterns.DIVISION_RE, {c.lower() for c in patterns.DIVISION_FIRST}, 1),
    (clean._PAGE_LABEL_RE, {c.lower() for c in clean._LABEL_FIRST}, 1),
    (clean._TOC_HEAD_RE, {c.lower() for c in clean._LABEL_FIRST}, 1),
    (clean._CVDR_META_RE, {c.lower() for c in clean._LABEL_FIRST}, 1),
])
def test_first_character_sets_cover_every_word_of_the_regex(rx, allowed, width):
    missing = {s[:width] for s in _literal_starts(rx)} - set(allowed)
    assert not missing, f"add {sorted(missing)} to the fast test of {rx.pattern[:40]}"


def _corpus_lines() -> list[str]:
    lines = set()
    for path in sorted(ROOT.glob("tests/corpus/**/*.txt")) + sorted(ROOT.glob("samples/**/*.txt")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            lines.add(line)
            lines.add(line.upper())
            lines.add(f"[{line[:40]}]")
    lines.update(["Vervallen", "[vervallen per 1 januari 2020]", "(Ingetrokken)", "\u0130ngetrokken",
                  "Aldus vastgesteld in de openbare vergadering", "Zo gedaan", "'s-Hertogenbosch, 3 mei 2021",
                  "De griffier,", "De burgemeester,", "Artikel 2:28", "Hoofdstuk 3", "§ 4", "Toelichting",
                  "II. Artikelsgewijze toelichting", "Nota van toelichting"])
    return sorted(lines)


def test_fast_paths_agree_with_the_regexes_on_every_corpus_line():
    lines = _corpus_lines()
    assert len(lines) > 1000
    for t in lines:
        assert patterns.is_vervallen(t) == bool(patterns.VERVALLEN_RE.match(t)), t
        assert patterns.signature_opening(t) == bool(patterns.SIGNATURE_RE.match(t)), t
        if not t[:1] == patterns.ARTICLE_FIRST:
            assert not patterns.ARTICLE_RE.match(t), t
        if t[:1] not in patterns.DIVISION_FIRST:
            assert not patterns.DIVISION_RE.match(t), t
        if patterns.TOELICHTING_RE.match(t) or patterns.ARTIKELSGEWIJS_RE.match(t):
            assert t[:1] in builder._TOEL_FIRST or not t[:1].isascii(), t
