"""The generic rules engine: criteria (rules/*.yaml) over units of structured documents.

Nothing in here knows a requirement. Criterion kinds, units, modality, exclusions,
definitions and cross-article links are explained in rules/README.md.
"""
from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from ..model import CriterionResult, Evidence, Finding, StructuredDocument
from . import units as U
from .nlp import TextIndex, compiled
from .rules import Lexicon, Rule, RuleSet

log = logging.getLogger(__name__)
LEVELS = ("none", "weak", "met")
EXCL_AFTER = 110   # chars after an exclusion cue in which a subject counts as excluded
EXCL_BEFORE = 70   # chars before the cue ("op een speelautomatenhal niet van toepassing")
# a sentence that restricts the previous one: "Dit gebeurt alleen ...", "Hij doet dat uitsluitend ..."
_RESTRICT = re.compile(r"\b(?:alleen|uitsluitend|slechts|enkel|pas)\b", re.I)
SECTION_WINDOW = 6  # max distance in articles for a same-afdeling link


class _Regimes(NamedTuple):
    """The regime articles a `linked` criterion links to, in one document."""
    targets: list[tuple[int, str]]   # (article, number) of the criterion's targets
    target_arts: set[int]
    others: list[tuple[int, str]]    # the other regimes found
    arts: list[int]                  # every regime article, sorted
    named: dict[str, list[int]]      # lid text -> the other regimes it refers to


@dataclass
class Hit:
    ctx: int
    uid: int
    note: str = ""
    weak: bool = False
    focus: int | None = None  # global char offset to centre the quote on


@dataclass
class CritOutcome:
    id: str
    label: str
    level: str = "none"
    hits: list[Hit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    sets: list = field(default_factory=list)          # term sets the criterion searched for
    regime_arts: set = field(default_factory=set)     # (ctx, art) covering the subject
    all_regime_arts: set = field(default_factory=set)  # (ctx, art) of every regime unit found


class Matcher:
    """Term-set lookups over one document, cached."""

    def __init__(self, ctx: U.DocCtx, lex: Lexicon):
        self.ctx = ctx
        self.lex = lex
        self._cache: dict[str, _SetMatches] = {}
        self._found: dict[str, list[tuple[list[tuple[int, int]], str]]] = {}  # (spans, note) per term
        # (TextIndex.find, the segments of those spans) per term spec
        self._term_spans: dict[tuple, tuple[list[tuple[int, int]], set[int]]] = {}
        self._which: dict[str, dict[tuple[int, int], tuple[str, str]]] = {}

    def terms_in(self, sets, segs) -> list[tuple[str, str]]:
        """(matched text, lexicon note) of every match of these sets in these segments."""
        out = []
        for name in sets:
            which = self._texts(name)
            for sp in self.in_segs(name, segs):
                t, note = which.get(sp, ("", ""))
                t = " ".join(t.split())
                if t and (t, note) not in out:
                    out.append((t, note))
        return out

    def _texts(self, set_name: str) -> dict[tuple[int, int], tuple[str, str]]:
        """span -> (matched text, note of the first term that matched it); only reports need
        it, so it is built on demand."""
        which = self._which.get(set_name)
        if which is None:
            self._lookup(set_name)
            text = self.ctx.index.text
            which = self._which[set_name] = {}
            for found, note in self._found[set_name]:
                for s, e in found:
                    which.setdefault((s, e), (text[s:e], note))
        return which

    def _lookup(self, set_name: str) -> _SetMatches:
        hit = self._cache.get(set_name)
        if hit is not None:
            return hit
        idx: TextIndex = self.ctx.index
        found = self._found[set_name] = []
        segs: set[int] = set()
        for spec in self.lex.get(set_name).terms:
            key = (spec.term, spec.note, spec.end)
            hit = self._term_spans.get(key)
            if hit is None:  # sets share terms ("horecabedrijf"): search each term once
                spans = idx.find(compiled(*key))
                hit = self._term_spans[key] = (spans, idx.segments_of(map(itemgetter(0), spans)))
            if hit[0]:
                found.append((hit[0], spec.note))
                segs |= hit[1]
        # all spans in text order; a segment's spans are found by bisection (in_segs), so no
        # Python-level work per span here (a large APV has ~15k)
        spans = found[0][0] if len(found) == 1 else sorted(chain.from_iterable(f for f, _ in found))
        hit = self._cache[set_name] = _SetMatches(segs, spans, list(map(itemgetter(0), spans)))
        return hit

    def segments(self, set_name: str) -> set[int]:
        """The segments with a match of the set (shared: do not modify)."""
        return self._lookup(set_name).segs

    def in_segs(self, set_name: str, segs) -> list[tuple[int, int]]:
        """The set's spans in these segments, segment by segment, each in text order."""
        found = self._cache.get(set_name) or self._lookup(set_name)
        out: list[tuple[int, int]] = []
        bounds = self.ctx.index.bounds
        for s in segs:
            if s in found.segs:
                out += found.spans[bisect_left(found.begins, bounds[s]):bisect_left(found.begins, bounds[s + 1])]
        return out

    def has(self, set_name: str, segs) -> bool:
        found = self._cache.get(set_name) or self._lookup(set_name)
        return not found.segs.isdisjoint(segs)


class _SetMatches(NamedTuple):
    """Where one term set matches in a document."""
    segs: set[int]                   # segments with a match
    spans: list[tuple[int, int]]     # every match (once per term that found it), in text order
    begins: list[int]                # their start offsets


class Engine:
    def __init__(self, ruleset: RuleSet, docs: list[StructuredDocument]):
        self.rs = ruleset
        self.docs = docs
        self.ctxs = U.build(docs)
        self.matchers = [Matcher(c, ruleset.lexicon) for c in self.ctxs]
        self._defs: dict[int, list[U.Definition]] = {}
        self._refs: dict[tuple[int, int], set[str]] = {}
        self._memo: dict[tuple, Any] = {}  # per-document derived lookups (def units, genus links)

    # -------------------------------------------------------------- helpers

    def defs(self, ci: int) -> list[U.Definition]:
        if ci not in self._defs:
            self._defs[ci] = U.definitions(self.ctxs[ci])
        return self._defs[ci]

    def def_units(self, ci: int) -> set[int]:
        key = ("units", ci)
        if key not in self._memo:  # asked once per candidate unit: build the set once
            self._memo[key] = {d.unit for d in self.defs(ci)}
        return self._memo[key]

    def _covering_terms(self, ci: int, subj: tuple[str, ...], chapter) -> list[tuple[str, U.Definition, int, bool]]:
        """What a regime unit of a chapter must name to cover the subject through a definition
        in force there (the chapter's own, chapter 1's or I's, or those outside chapters), in
        the order _covers tries them: (term, definition, focus, term is in d's genus).
        "T: ... waaronder S" asks for T, "S: een T ..." for a defined term T in S's genus.
        A term is listed once: asked again, it would give the same answer."""
        key = ("cover_terms", ci, subj, chapter)
        hit = self._memo.get(key)
        if hit is None:
            by_chapter = self._subject_defs(ci, subj)
            defs = sorted(x for ch in dict.fromkeys((chapter, None, "1", "I")) for x in by_chapter.get(ch, ()))
            hit, seen = [], set()
            for i, d, as_term, as_genus in defs:
                if as_term is not None and d.term not in seen:
                    seen.add(d.term)
                    hit.append((d.term, d, as_term, False))
                if as_genus is not None:
                    for term in self._genus_terms(ci, i):
                        if term not in seen:
                            seen.add(term)
                            hit.append((term, d, as_genus, True))
            self._memo[key] = hit
        return hit

    def _subject_defs(self, ci: int, subj: tuple[str, ...]) -> dict[Any, list[tuple[int, U.Definition, Any, Any]]]:
        """chapter -> (position, d, focus if d's term covers the subject, focus if d defines
        the subject) of the definitions naming the subject, in definition order (_def_subject)."""
        key = ("subj_defs", ci, subj)
        hit = self._memo.get(key)
        if hit is None:
            arts = self.ctxs[ci].articles
            subj_segs = self._subject_segs(ci, subj)
            hit = self._memo[key] = {}
            for i, (d, segs) in enumerate(self._def_segs(ci)):
                if subj_segs.isdisjoint(segs):
                    continue  # the subject is not in the definition: it cannot help
                as_term, as_genus = self._def_subject(ci, d, subj, segs)
                if as_term is not None or as_genus is not None:
                    hit.setdefault(arts[d.art].article.chapter, []).append((i, d, as_term, as_genus))
        return hit

    def _def_segs(self, ci: int) -> list[tuple[U.Definition, list[int]]]:
        """Each definition with its segments: its own and its sub-onderdelen."""
        key = ("def_segs", ci)
        hit = self._memo.get(key)
        if hit is None:
            ctx = self.ctxs[ci]
            hit = self._memo[key] = []
            for d in self.defs(ci):
                own = ctx.units[d.unit].own
                hit.append((d, [own] + U.children(ctx, own)))
        return hit

    def _subject_segs(self, ci: int, subj: tuple[str, ...]) -> set[int]:
        """The segments naming one of the subject sets."""
        key = ("subj_segs", ci, subj)
        hit = self._memo.get(key)
        if hit is None:
            m = self.matchers[ci]
            hit = self._memo[key] = {seg for name in subj for seg in m.segments(name)}
        return hit

    def _def_subject(self, ci: int, d: U.Definition, subj, segs: list[int]) -> tuple[Any, Any]:
        """How definition d (own segment and sub-onderdelen: segs) names the subject sets:
        (focus if its term covers the subject: "T: ... waaronder S", not negated and not
        the subject itself; focus if the subject is the definiendum: "S: een T ...")."""
        ctx = self.ctxs[ci]
        m = self.matchers[ci]
        own = segs[0]
        subj_spans = [sp for s in subj for sp in m.in_segs(s, segs)]
        as_term = as_genus = None
        if subj_spans and not _negated_in_def(ctx, subj_spans, m, segs) \
                and not _phrase_in(d.term, " ".join(subj_term_text(ctx, subj_spans))):
            as_term = subj_spans[0][0]
        seg = ctx.index.segments[own]
        head_start = seg.char_start + max(seg.text.find(":"), 0)
        head = [sp for s in subj for sp in m.in_segs(s, [own]) if sp[0] < head_start]
        if head:
            as_genus = head[0][0]
        return as_term, as_genus

    def _genus_terms(self, ci: int, me: int) -> list[str]:
        """The terms of the other definitions named in the genus of definition `me` (a
        position in defs), in the order of their first definition other than `me` (cached:
        asked for every regime unit; quadratic in terms)."""
        key = ("genus", ci, me)
        hit = self._memo.get(key)
        if hit is None:
            terms = self._memo.get(("def_terms", ci))
            if terms is None:  # (term, first word but for a final f/v, positions of its definitions)
                where: dict[str, list[int]] = {}
                for i, o in enumerate(self.defs(ci)):
                    if o.term.strip():
                        where.setdefault(o.term, []).append(i)
                terms = self._memo[("def_terms", ci)] = [(t, t.lower().split()[0][:-1], w) for t, w in where.items()]
            head = self.defs(ci)[me].head
            found = []
            for term, first_word, at in terms:
                if first_word in head:  # _phrase_in needs it in the text
                    first = next((i for i in at if i != me), None)
                    if first is not None and _phrase_in(term, head):
                        found.append((first, term))
            hit = self._memo[key] = [t for _, t in sorted(found)]
        return hit

    def refs(self, ci: int, ai: int) -> set[str]:
        key = (ci, ai)
        if key not in self._refs:
            self._refs[key] = U.article_refs(self.ctxs[ci], self.ctxs[ci].articles[ai])
        return self._refs[key]

    def units_of(self, ci: int, kind: str) -> list[U.Unit]:
        """The units of one kind, in document order (a shared list: do not modify)."""
        key = ("units_of", ci, kind)
        hit = self._memo.get(key)
        if hit is None:
            ctx = self.ctxs[ci]
            if kind == "document":
                hit = [ctx.units[ctx.document_unit]]
            else:  # thousands of units in a large APV
                hit = [u for u in ctx.units if u.kind == kind]
            self._memo[key] = hit
        return hit

    def _units_by_seg(self, ci: int, kind: str) -> list[list[int]]:
        """segment -> positions in units_of(ci, kind) of the units holding it."""
        key = ("by_seg", ci, kind)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = [[] for _ in self.ctxs[ci].index.segments]
            for i, u in enumerate(self.units_of(ci, kind)):
                for s in u.segs:
                    hit[s].append(i)
        return hit

    def _units_with(self, ci: int, kind: str, name: str) -> set[int]:
        """Positions in units_of(ci, kind) of the units with a match of set `name` (shared:
        do not modify)."""
        key = ("units_with", ci, kind, name)
        hit = self._memo.get(key)
        if hit is None:
            by_seg = self._units_by_seg(ci, kind)
            hit = self._memo[key] = set(chain.from_iterable(map(by_seg.__getitem__, self.matchers[ci].segments(name))))
        return hit

    def _matching_units(self, ci: int, kind: str, c: dict, subject=None) -> list[U.Unit]:
        """The units of a kind that pass unit_matches(ci, u, c), in document order; when c has
        no `all` or `any` sets and subject sets are given, only those that name the subject.

        A 200-page APV has thousands of units of each kind and most hold none of a
        criterion's terms: the answer is found with set operations on the units of each
        set's segments (_units_with), not by testing every unit. Sets are looked up in
        unit_matches' order and only while units remain.
        """
        units = self.units_of(ci, kind)
        anys = c.get("any")
        if c.get("title_any"):  # the title test is per unit; the `any` sets still gate
            if anys:
                pos = set().union(*(self._units_with(ci, kind, name) for name in anys))
                units = [units[i] for i in sorted(pos)]
            return [u for u in units if self.unit_matches(ci, u, c)]
        pos = None
        for name in c.get("all") or ():
            pos = set(self._units_with(ci, kind, name)) if pos is None else pos & self._units_with(ci, kind, name)
            if not pos:
                return []
        if anys and pos is None:
            pos = set().union(*(self._units_with(ci, kind, name) for name in anys))
        elif anys:
            kept, rest = set(), pos
            for name in anys:
                if not rest:
                    break
                found = self._units_with(ci, kind, name)
                kept |= rest & found
                rest = rest - found
            pos = kept
        elif pos is None and subject:
            pos = set().union(*(self._units_with(ci, kind, name) for name in subject))
        if pos is None:
            pos = set(range(len(units)))
        for name in c.get("none") or ():
            if not pos:
                break
            pos -= self._units_with(ci, kind, name)
        return [units[i] for i in sorted(pos)]

    def unit_matches(self, ci: int, u: U.Unit, c: dict) -> bool:
        has = self.matchers[ci].has
        segs = u.segs
        title_ok = None
        for s in c.get("all") or ():
            if not has(s, segs):
                # `title_any`: the article title may stand in for the `all` sets
                # ("Artikel 3 Beschikkingen waarop de Wet altijd wordt toegepast" + a bare list)
                if title_ok is None:
                    title_ok = self._title_matches(ci, u, c.get("title_any") or [])
                if not title_ok:
                    return False
        anys = c.get("any")
        if anys and not any(has(s, segs) for s in anys):
            return False
        for s in c.get("none") or ():
            if has(s, segs):
                return False
        return True

    def _title_matches(self, ci: int, u: U.Unit, sets: list[str]) -> bool:
        if not sets or u.art is None:
            return False
        t = self.ctxs[ci].articles[u.art].title_seg
        return t is not None and any(self.matchers[ci].has(s, [t]) for s in sets)

    def subject_state(self, ci: int, u: U.Unit, sets, skip_locative: bool = False) -> tuple[str, int | None]:
        """'positive' | 'excluded' | 'absent' for the subject sets in a unit.

        skip_locative: a subject named only as the place of another activity ("in een
        openbare inrichting een kansspelautomaat aanwezig te hebben") is not the object
        of that licence.
        """
        # asked again and again for the same unit: by every regime unit of its article
        # (_covers) and by the criteria of a rule
        sets = tuple(sets)
        key = ("subj", ci, u.uid, sets, skip_locative)
        hit = self._memo.get(key)
        if hit is None:
            if self._subject_segs(ci, sets).isdisjoint(u.segs):
                hit = ("absent", None)  # no subject term in the unit at all
            else:
                hit = self._subject_state(ci, u, sets, skip_locative)
            self._memo[key] = hit
        return hit

    def _subject_state(self, ci: int, u: U.Unit, sets, skip_locative: bool) -> tuple[str, int | None]:
        m = self.matchers[ci]
        subj = []
        for s in sets:
            subj.extend(m.in_segs(s, u.segs))
        if skip_locative:
            text = self.ctxs[ci].index.text
            subj = [sp for sp in subj if not _LOCATIVE.search(text[max(0, sp[0] - 24):sp[0]])]
        if not subj:
            return "absent", None
        cues = m.in_segs("exclusion", u.segs)
        ctx = self.ctxs[ci]
        lead = u.segs[0] if len(u.segs) > 1 else None
        positive = None
        for s, e in subj:
            excluded = False
            for cs, ce in cues:
                if ce <= s and s - ce <= EXCL_AFTER:
                    excluded = True
                elif e <= cs and cs - e <= EXCL_BEFORE and ctx.index.segment_at(cs) == ctx.index.segment_at(s):
                    excluded = True
                elif lead is not None and ctx.index.segment_at(cs) == lead and ctx.index.segment_at(s) != lead:
                    lead_seg = ctx.index.segments[lead]
                    own_start = ctx.index.segments[ctx.index.segment_at(s)].char_start
                    if lead_seg.char_start + len(lead_seg.text) - ce <= 40 and s - own_start <= EXCL_AFTER:
                        excluded = True
                if excluded:
                    break
            if not excluded:
                positive = s
                break
        if positive is not None:
            return "positive", positive
        return "excluded", subj[0][0]

    def modality(self, ci: int, u: U.Unit) -> str:
        """'mandatory' | 'discretionary' | 'unknown' from the nearest sentence with a cue."""
        m = self.matchers[ci]
        ctx = self.ctxs[ci]
        if self._restricted_by_next(ci, u):
            return "discretionary"
        order = list(reversed(u.segs))
        if u.art is not None and u.lid is not None:
            info = ctx.articles[u.art]
            for uid in info.sentence_units:
                v = ctx.units[uid]
                if v.lid == u.lid and v.ond is None and v.own not in order:
                    order.append(v.own)
                    break
        found_weak = False
        for s in order:
            if m.has("mandatory_strong", [s]):
                # "altijd ... facultatief" / "past altijd toe bij X en kan toepassen bij Y" (or a
                # flattened table header) in one sentence: which applies is unknown, stay safe
                if m.has("discretionary", [s]):
                    return "discretionary"
                return "mandatory"
            if m.has("discretionary", [s]):
                return "discretionary"
            if m.has("mandatory", [s]):
                found_weak = True
                break
        # the article title can say it: "Artikel 4 Facultatieve toetsing", "Verplichte toetsing"
        title = ctx.articles[u.art].title_seg if u.art is not None else None
        if title is not None:
            if m.has("discretionary", [title]) and not m.has("mandatory_strong", [title]):
                return "discretionary"
            if m.has("mandatory_strong", [title]):
                return "mandatory"
        return "mandatory" if found_weak else "unknown"

    def _restricted_by_next(self, ci: int, u: U.Unit) -> bool:
        """"De burgemeester past de Wet toe bij ... Hij doet dat uitsluitend indien er signalen
        zijn": the next sentence of the same lid takes the imperative back."""
        if u.art is None or u.ond:
            return False
        ctx = self.ctxs[ci]
        m = self.matchers[ci]
        units = ctx.articles[u.art].sentence_units
        nxt = None
        for uid in units:
            v = ctx.units[uid]
            if v.lid == u.lid and not v.ond and v.own is not None and u.own is not None and v.own > u.own:
                nxt = v
                break
        if nxt is None:
            return False
        text = ctx.index.segments[nxt.own].text
        return bool(m.has("discretionary", [nxt.own]) and _RESTRICT.search(text))

    # -------------------------------------------------------------- criteria

    def evaluate_rule(self, rule: Rule, doc_idx: list[int]) -> tuple[Finding, dict[str, CritOutcome]]:
        outs: dict[str, CritOutcome] = {}
        self._multi = len(doc_idx) > 1  # name the document in every location then
        for c in rule.criteria:
            kind = c.get("kind", "clause")
            out = CritOutcome(id=c["id"], label=c.get("label", c["id"]),
                              sets=list((c.get("any") or []) + (c.get("all") or [])))
            getattr(self, f"_crit_{kind}")(rule, c, doc_idx, out, outs)
            outs[c["id"]] = out
        status, entry = self.decide(rule, outs)
        finding = self.finding(rule, status, entry, outs)
        return finding, outs

    def _subject_sets(self, rule: Rule, c: dict) -> tuple[str, ...]:
        return tuple(c.get("terms") or rule.subject)

    def _candidates(self, rule, c, doc_idx, out, outs):
        """Units matching the co-occurrence fields of c (and the subject when asked)."""
        kind = c.get("unit", "sentence")
        within = outs.get(c.get("within")) if c.get("within") else None
        within_own = None
        if within is not None:
            within_own = {(h.ctx, self.ctxs[h.ctx].units[h.uid].own) for h in within.hits if not h.weak}
        skip_defs = c.get("definitions") == "skip"
        subj = self._subject_sets(rule, c) if c.get("subject") else None
        keep_excluded = c.get("negation", "skip") == "keep"
        res = []
        for ci in doc_idx:
            for u in self._matching_units(ci, kind, c, subj):
                if within_own is not None and (ci, u.own) not in within_own:
                    continue
                if skip_defs and u.uid in self.def_units(ci):
                    continue
                focus = None
                if subj is not None:
                    state, focus = self.subject_state(ci, u, subj)
                    if state == "absent":
                        continue
                    if state == "excluded" and not keep_excluded:
                        out.trace.append(f"uitgezonderd: {self.loc(ci, u)} - {self.snippet(ci, u, 140)}")
                        out.notes.append(f"uitgezonderd in {self.loc(ci, u)}")
                        continue
                res.append(Hit(ci, u.uid, focus=focus))
        return res

    def _crit_clause(self, rule, c, doc_idx, out, outs):
        hits = self._candidates(rule, c, doc_idx, out, outs)
        if c.get("modality") == "mandatory":
            for h in hits:
                mod = self.modality(h.ctx, self.ctxs[h.ctx].units[h.uid])
                if mod != "mandatory":
                    h.weak = True
                    h.note = "alleen 'kan'-bepaling" if mod == "discretionary" else "verplichting niet vastgesteld"
                out.trace.append(f"{self.loc(h.ctx, self.ctxs[h.ctx].units[h.uid])}: modaliteit {mod}")
        out.hits = hits
        if any(not h.weak for h in hits):
            out.level = "met"
        elif hits:
            out.level = "weak"
            out.notes.extend(sorted({h.note for h in hits if h.note}))

    def _crit_regime(self, rule, c, doc_idx, out, outs):
        subj = self._subject_sets(rule, c)
        cands = self._candidates(rule, dict(c, subject=False), doc_idx, out, outs)
        covered, excluded = [], []
        for h in cands:
            ctx = self.ctxs[h.ctx]
            u = ctx.units[h.uid]
            out.all_regime_arts.add((h.ctx, u.art))
            how = self._covers(h.ctx, u, subj)
            if how[0] == "covered":
                covered.append((h, how[1]))
                out.regime_arts.add((h.ctx, u.art))
            elif how[0] == "excluded":
                excluded.append((h, how[1]))
            out.trace.append(f"regeling {self.loc(h.ctx, u)}: {how[0]}"
                             + (f" ({how[2]})" if len(how) > 2 and how[2] else ""))
        seen = set()
        for h, extra in covered:
            for x in [h] + extra:
                if (x.ctx, x.uid) not in seen:
                    seen.add((x.ctx, x.uid))
                    out.hits.append(x)
        if covered:
            out.level = "met"
        elif excluded:
            out.level = "weak"
            for h, extra in excluded:
                out.hits.append(Hit(h.ctx, h.uid, weak=True, note="onderwerp uitgezonderd"))
                for x in extra:
                    x.weak = True
                    out.hits.append(x)
                    out.notes.append(f"uitgezonderd in {self.loc(x.ctx, self.ctxs[x.ctx].units[x.uid])}")

    def _covers(self, ci: int, r: U.Unit, subj: list[str]):
        """Does the regime unit r cover the subject? -> (state, [evidence hits], how)."""
        ctx = self.ctxs[ci]
        state, focus = self.subject_state(ci, r, subj, skip_locative=True)
        if state == "positive":
            return ("covered", [], "genoemd in de bepaling zelf")
        info = ctx.articles[r.art]
        pos, excl = [], []
        m = self.matchers[ci]
        key = ("subj_sentences", ci, r.art, tuple(subj))
        naming = self._memo.get(key)
        if naming is None:  # asked for every regime unit of the article
            subj_segs = self._subject_segs(ci, subj)
            # for the others subject_state would say "absent"
            naming = self._memo[key] = [v for v in map(ctx.units.__getitem__, info.sentence_units)
                                        if not subj_segs.isdisjoint(v.segs)]
        for v in naming:
            uid = v.uid
            st, f = self.subject_state(ci, v, subj, skip_locative=v.uid == r.uid or v.lid == r.lid)
            if st == "positive" and (v.lid == r.lid or m.has("regime_extension", v.segs)):
                pos.append(Hit(ci, uid, focus=f))
            elif st == "excluded":
                excl.append(Hit(ci, uid, focus=f))
        if excl:
            return ("excluded", excl, "uitzondering in hetzelfde artikel")
        if pos:
            return ("covered", pos[:2], "genoemd in hetzelfde artikel")
        # definitions: "T: ... waaronder S" with T the regime's object, or "S: een T ..."
        for term, d, focus, genus in self._covering_terms(ci, subj, info.article.chapter):
            if self._names_object(ci, r, term):
                loc = self.loc(ci, ctx.units[d.unit])
                return ("covered", [Hit(ci, d.unit, focus=focus)],
                        f"'{d.term}' is een {term} ({loc})" if genus else f"definitie van '{d.term}' in {loc}")
        return ("absent", [], "")

    def _names_object(self, ci: int, r: U.Unit, term: str) -> bool:
        """_object_in(term, text of r): asked for the same terms by every regime criterion."""
        key = ("object", ci, r.uid, term)
        hit = self._memo.get(key)
        if hit is None:
            text = self._memo.get(("lower", ci, r.uid))
            if text is None:
                text = self._memo[("lower", ci, r.uid)] = U.unit_text(self.ctxs[ci], r).lower()
            hit = self._memo[key] = _object_in(term, text)
        return hit

    def _crit_linked(self, rule, c, doc_idx, out, outs):
        target = outs.get(c["link_to"])
        cands = self._candidates(rule, dict(c, subject=False), doc_idx, out, outs)
        subj = self._subject_sets(rule, c)
        tarts = target.regime_arts if target and target.regime_arts else \
            {(h.ctx, self.ctxs[h.ctx].units[h.uid].art) for h in (target.hits if target else []) if not h.weak}
        all_regimes = (target.all_regime_arts if target else set()) | tarts
        per_doc: dict[int, _Regimes] = {}
        for h in cands:
            ctx = self.ctxs[h.ctx]
            u = ctx.units[h.uid]
            reg = per_doc.get(h.ctx)
            if reg is None:
                reg = per_doc[h.ctx] = self._regimes(h.ctx, tarts, all_regimes)
            why = self._link(h.ctx, u, reg, subj)
            if not why and reg.targets and \
                    any(self.matchers[h.ctx].has(s, u.segs) for s in c.get("general_scope") or []):
                # a ground written for every licence of the verordening covers this one too
                why = "algemene grond voor alle vergunningen van de verordening"
            if why:
                h.note = why
                out.hits.append(h)
                out.trace.append(f"{self.loc(h.ctx, u)}: gekoppeld ({why})")
            else:
                out.trace.append(f"{self.loc(h.ctx, u)}: niet gekoppeld aan de regeling - {self.snippet(h.ctx, u, 100)}")
        if out.hits:
            out.level = "met"
        elif cands:
            out.notes.append("alleen bij een andere regeling gevonden: "
                             + ", ".join(sorted({self.loc(h.ctx, self.ctxs[h.ctx].units[h.uid]) for h in cands})[:4]))

    def _regimes(self, ci: int, tarts: set, all_regimes: set) -> _Regimes:
        """The target and other regime articles of document ci, for _link."""
        arts = self.ctxs[ci].articles
        # the first target referred to names the link: keep the set's order
        targets = [(ta, arts[ta].article.number) for cj, ta in tarts if cj == ci]
        target_arts = {ta for ta, _ in targets}
        others = [(ta, arts[ta].article.number) for cj, ta in all_regimes if cj == ci and ta not in target_arts]
        return _Regimes(targets, target_arts, others, sorted({ta for cj, ta in all_regimes if cj == ci}), {})

    def _lid_text(self, ci: int, u: U.Unit) -> str:
        """The text of u's lid (all of it, also the other onderdelen), or of u when it has none."""
        ctx = self.ctxs[ci]
        if not u.lid:
            return " ".join(ctx.index.segments[s].text for s in u.segs)
        key = ("lid_text", ci, u.art, u.lid)
        hit = self._memo.get(key)
        if hit is None:
            units = ctx.units
            hit = self._memo[key] = " ".join(ctx.index.segments[s].text for uid in ctx.articles[u.art].lid_units
                                             if units[uid].lid == u.lid for s in units[uid].segs)
        return hit

    def _link(self, ci: int, u: U.Unit, reg: _Regimes, subj) -> str:
        ctx = self.ctxs[ci]
        if u.art is None:
            return ""
        if u.art in reg.target_arts:
            return "zelfde artikel"
        st, _ = self.subject_state(ci, u, subj)
        if st == "positive":
            return "noemt het onderwerp"
        # explicit reference from the lid of u, or from the regime article to u's article
        lid_text = self._lid_text(ci, u)
        for ta, tnum in reg.targets:
            if _refers(tnum, lid_text):
                return f"verwijst naar {tnum}"
        # "weigert de vergunning, bedoeld in artikel 2:28" names another regime: the ground
        # belongs to that licence, however close it stands to the subject's own licence
        named = reg.named.get(lid_text)
        if named is None:  # the onderdelen of one lid share its text
            named = reg.named[lid_text] = [ta for ta, tnum in reg.others
                                           if tnum in lid_text and _refers(tnum, lid_text)]
        if any(ta != u.art for ta in named):
            return ""
        # same chapter and afdeling/paragraaf, nearest regime article is a target
        art = ctx.articles[u.art].article
        near = reg.arts[bisect_left(reg.arts, u.art - SECTION_WINDOW):bisect_right(reg.arts, u.art + SECTION_WINDOW)]
        same = [ta for ta in near
                if ctx.articles[ta].article.chapter == art.chapter
                and ctx.articles[ta].article.section == art.section
                and (art.section is not None or abs(ta - u.art) <= 3)]
        if same:
            before = [ta for ta in same if ta <= u.art]
            nearest = max(before) if before else min(same)
            if nearest in reg.target_arts:
                return f"zelfde afdeling als {ctx.articles[nearest].article.number}"
        return ""

    def _crit_coverage(self, rule, c, doc_idx, out, outs):
        groups = c.get("groups") or {}
        got, excl = {}, {}
        kind = c.get("unit", "sentence")
        # the units matching c are the same for every group: find them once
        matched = {ci: self._matching_units(ci, kind, c) for ci in doc_idx} if groups else {}
        for gid, g in groups.items():
            sets = tuple(g.get("sets") if isinstance(g, dict) else g)
            for ci in doc_idx:
                if not matched[ci]:
                    continue
                subj_segs = self._subject_segs(ci, sets)
                for u in matched[ci]:
                    if subj_segs.isdisjoint(u.segs):
                        continue  # subject_state would say "absent"
                    st, f = self.subject_state(ci, u, sets)
                    if st == "positive":
                        got.setdefault(gid, []).append(Hit(ci, u.uid, note=gid, focus=f))
                    elif st == "excluded":
                        excl.setdefault(gid, []).append(Hit(ci, u.uid, note=gid, focus=f, weak=True))
        labels = {gid: (g.get("label") if isinstance(g, dict) else None) or gid for gid, g in groups.items()}
        covered = [g for g in groups if g in got and g not in excl]
        for g in groups:
            if g in excl:
                out.notes.append(f"{labels[g]} uitgezonderd in "
                                 + ", ".join(self.loc(h.ctx, self.ctxs[h.ctx].units[h.uid]) for h in excl[g][:2]))
            elif g not in got:
                out.notes.append(f"{labels[g]} niet genoemd")
        for g in groups:
            out.hits.extend(got.get(g, [])[:3])
            out.hits.extend(excl.get(g, [])[:2])
        need = int(c.get("min_groups") or len(groups))
        if len(covered) >= need and covered:
            out.level = "met"
        elif covered or got:
            out.level = "weak"
        out.trace.append("groepen gedekt: " + (", ".join(labels[g] for g in covered) or "geen"))

    def _crit_absent(self, rule, c, doc_idx, out, outs):
        ignore = c.get("ignore") or []
        hits = []
        for ci in doc_idx:
            ctx = self.ctxs[ci]
            m = self.matchers[ci]
            for u in self._matching_units(ci, c.get("unit", "sentence"), c):
                own = [u.own] if u.own is not None else u.segs
                if any(m.has(s, own) for s in ignore):
                    out.trace.append(f"{self.loc(ci, u)}: alleen vermelding van de wetswijziging, telt niet")
                    continue
                hits.append(Hit(ci, u.uid))
            if c.get("include_preamble") and ctx.preamble_seg is not None:
                ps = ctx.preamble_seg
                fields = dict(c)
                probe = U.Unit(uid=-1, kind="preamble", doc=ci, art=None, segs=[ps], own=ps)
                if self.unit_matches(ci, probe, fields) and not any(m.has(s, [ps]) for s in ignore):
                    hits.append(Hit(ci, -1))
        out.hits = hits
        out.level = "met" if not hits else "none"
        if hits:
            out.notes.append("gevonden in " + ", ".join(dict.fromkeys(self.loc_hit(h) for h in hits[:6])))

    # -------------------------------------------------------------- decide / report

    def decide(self, rule: Rule, outs: dict[str, CritOutcome]) -> tuple[str, dict]:
        for d in rule.decide:
            ok = all(outs[x].level == "met" for x in d.get("all") or [])
            anys = d.get("any") or []
            ok = ok and (not anys or any(outs[x].level != "none" for x in anys))
            ok = ok and all(outs[x].level == "none" for x in d.get("none") or [])
            ok = ok and all(outs[x].level != "none" for x in d.get("weak") or [])
            if ok:
                return d["status"], d
        return "missing", {}

    def unit_of(self, h: Hit) -> U.Unit | None:
        if h.uid < 0:
            return None
        return self.ctxs[h.ctx].units[h.uid]

    def loc(self, ci: int, u: U.Unit | None) -> str:
        if u is None:
            return "aanhef"
        key = ("loc", ci, u.uid)  # traces name the same units for every criterion
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = U.location_label(self.ctxs[ci], u)
        return hit

    def loc_hit(self, h: Hit) -> str:
        return self.loc(h.ctx, self.unit_of(h))

    def snippet(self, ci: int, u: U.Unit | None, limit: int = 300, focus: int | None = None) -> str:
        ctx = self.ctxs[ci]
        if u is None:
            segs = [ctx.preamble_seg]
        else:
            segs = u.segs
            if u.kind in ("article", "document") and focus is not None:
                s = ctx.index.segment_at(focus)
                segs = [s]
        texts = [" ".join(ctx.index.segments[s].text.split()) for s in segs if s is not None]
        if len(texts) > 1:
            lead = texts[0]
            rest = " ".join(texts[1:])
            if len(lead) + len(rest) + 1 > limit:
                lead = lead[: max(40, limit // 3)].rstrip() + " …"
            text = f"{lead} {rest}"
        else:
            text = texts[0] if texts else ""
        if len(text) <= limit:
            return text
        if focus is not None and segs:
            seg = ctx.index.segments[ctx.index.segment_at(focus)]
            off = max(0, focus - seg.char_start - limit // 3)
            raw = " ".join(seg.text[off:].split())
            return ("… " if off else "") + raw[: limit - 2].rstrip() + " …"
        return text[: limit - 2].rstrip() + " …"

    def finding(self, rule: Rule, status: str, entry: dict, outs: dict[str, CritOutcome]) -> Finding:
        order = list(dict.fromkeys((entry.get("all") or []) + (entry.get("any") or []) + (entry.get("weak") or [])
                                   + [c["id"] for c in rule.criteria]))
        if status == "missing":
            order = [c["id"] for c in rule.criteria]
        ef = rule.evidence_from
        if isinstance(ef, dict):
            ef = ef.get(status)
        if ef:
            order = [o for o in order if o in ef]
        found: list[tuple[str, str | None, U.Unit | None, Hit, str]] = []  # (document, location, unit, hit, role)
        seen = set()
        for cid in order:
            o = outs[cid]
            for h in o.hits:
                u = self.unit_of(h)
                ctx = self.ctxs[h.ctx]
                key = (h.ctx, u.art if u else None, u.uid if u else -1)
                per_art = (cid, h.ctx, u.art if u else None)
                if key in seen or per_art in seen:
                    continue  # one quote per criterion and article is enough
                seen.add(key)
                seen.add(per_art)
                art = ctx.articles[u.art].article if u and u.art is not None else None
                found.append((ctx.doc.path, art.number if art else None, u, h, cid))
        # one evidence per article first (decisive first), then the rest; quotes only for those
        first, rest, arts = [], [], set()
        for e in found:
            k = e[:2]
            (rest if k in arts else first).append(e)
            arts.add(k)
        evidence = [Evidence(document=doc, location=loc, page=(u.page if u else None),
                             quote=self.snippet(h.ctx, u, 300, h.focus), role=cid)
                    for doc, loc, u, h, cid in (first + rest)[:12]]
        criteria = []
        for c in rule.criteria:
            o = outs[c["id"]]
            criteria.append(CriterionResult(
                id=o.id, label=o.label, met=o.level == "met",
                evidence=[ev for ev in evidence if ev.role == o.id][:4],
                note=self.crit_note(o)))
        trace = []
        for c in rule.criteria:
            o = outs[c["id"]]
            trace.append(f"[{o.id}] {o.label}: {_LEVEL_NL[o.level]}")
            trace.extend("    " + t for t in o.trace[:25])
        trace.append(f"besluit: {status}" + (f" (regel: {_entry_txt(entry)})" if entry else ""))
        return Finding(requirement=rule.id, status=status, evidence=evidence if status != "missing" or any(
            outs[c["id"]].hits for c in rule.criteria) else [],
            explanation=self.explanation(rule, status, entry, outs), title=rule.title, type=rule.type,
            norm_refs=list(rule.norm_refs), criteria=criteria, trace=trace)

    def absent_summary(self, o: CritOutcome) -> str:
        """'Vervallen wetgeving: Wabo (art. 1 onder e, art. 6 lid 1) - vervallen per ...'."""
        by_term: dict[str, list[str]] = {}
        notes: dict[str, str] = {}
        for h in o.hits:
            u = self.unit_of(h)
            segs = u.segs if u else [self.ctxs[h.ctx].preamble_seg]
            m = self.matchers[h.ctx]
            for (term, note) in m.terms_in(o.sets, segs):
                by_term.setdefault(term, [])
                loc = self.loc_hit(h)
                if loc not in by_term[term]:
                    by_term[term].append(loc)
                if note:
                    notes[term] = note
        if not by_term:
            return f"{o.label}: " + "; ".join(dict.fromkeys(o.notes)) + "."
        bits = []
        for term, locs in by_term.items():
            more = f" en {len(locs) - 3} meer" if len(locs) > 3 else ""
            bits.append(f"'{term}' in {', '.join(locs[:3])}{more}" + (f" ({notes[term]})" if term in notes else ""))
        return "Gevonden: " + "; ".join(bits) + "."

    def crit_note(self, o: CritOutcome) -> str:
        locs = self.locs(o)
        if o.level == "met":
            return f"gevonden in {locs}" if locs else "voldaan"
        if o.level == "weak":
            return "; ".join(dict.fromkeys(o.notes)) or (f"onvoldoende in {locs}" if locs else "onvoldoende")
        return "; ".join(dict.fromkeys(o.notes)) or "niet gevonden"

    def locs(self, o: CritOutcome, n: int = 3) -> str:
        hits = [h for h in o.hits if not (o.level == "met" and h.weak)]
        # one label per lid: "art. 2:52 lid 1 onder a" stands for its sister onderdelen
        first, seen = [], set()
        for h in hits:
            u = self.unit_of(h)
            k = (h.ctx, u.art if u else None, u.lid if u else None)
            if k not in seen:
                seen.add(k)
                first.append(h)
        labels = list(dict.fromkeys(self.loc_hit(h) for h in first))
        if getattr(self, "_multi", False):
            labels = list(dict.fromkeys(f"{self.loc_hit(h)} ({U.Path_name(self.ctxs[h.ctx].doc.path)})"
                                        for h in first))
        more = len(labels) - n
        return ", ".join(labels[:n]) + (f" (en {more} meer)" if more > 0 else "")

    def explanation(self, rule: Rule, status: str, entry: dict, outs: dict[str, CritOutcome]) -> str:
        parts = []
        tmpl = rule.explain.get(status)
        if tmpl:
            vals = {cid: (self.locs(o) or "-") for cid, o in outs.items()}
            vals["missing"] = ", ".join(o.label for o in outs.values() if o.level != "met") or "-"
            vals["found"] = "; ".join(f"{o.label} in {self.locs(o)}" for o in outs.values() if o.level == "met") or "-"
            try:
                parts.append(tmpl.format(**vals).strip())
            except (KeyError, IndexError, ValueError):
                parts.append(tmpl.strip())
        relevant = list(dict.fromkeys((entry.get("all") or []) + (entry.get("any") or [])
                                      + (entry.get("weak") or [])))
        crit_ids = [c["id"] for c in rule.criteria]
        needs = _present_needs(rule)
        met = [c for c in crit_ids if outs[c].level == "met" and outs[c].hits
               and rule_kind(rule, c) != "absent" and (status != "present" or c in relevant or not relevant)]
        if met:
            parts.append("Gevonden: " + "; ".join(f"{outs[c].label} in {self.locs(outs[c])}" for c in met) + ".")
        weak = [c for c in crit_ids if outs[c].level == "weak" and rule_kind(rule, c) != "absent"]
        if weak and status != "present":
            parts.append("Onvoldoende: " + "; ".join(
                f"{outs[c].label} ({'; '.join(dict.fromkeys(outs[c].notes)) or 'in ' + self.locs(outs[c])})"
                for c in weak) + ".")
        if status != "present":
            missing = [c for c in crit_ids if c in needs and outs[c].level == "none"
                       and rule_kind(rule, c) != "absent"]
            if missing:
                parts.append("Ontbreekt: " + "; ".join(
                    outs[c].label + (f" ({'; '.join(dict.fromkeys(outs[c].notes))})" if outs[c].notes else "")
                    for c in missing) + ".")
        for c in crit_ids:
            if rule_kind(rule, c) == "absent" and outs[c].hits:
                parts.append(self.absent_summary(outs[c]))
        if not parts:
            parts.append({"missing": "Niets gevonden in de getoetste documenten.",
                          "present": "Voldoet."}.get(status, ""))
        return " ".join(p for p in parts if p)


_LEVEL_NL = {"met": "voldaan", "weak": "gedeeltelijk", "none": "niet gevonden"}


def rule_kind(rule: Rule, cid: str) -> str:
    for c in rule.criteria:
        if c["id"] == cid:
            return c.get("kind", "clause")
    return "clause"


def _present_needs(rule: Rule) -> set[str]:
    for d in rule.decide:
        if d.get("status") == "present":
            return set(d.get("all") or []) | set(d.get("weak") or [])
    return {c["id"] for c in rule.criteria}


def _entry_txt(entry: dict) -> str:
    bits = []
    for k in ("all", "any", "none", "weak"):
        if entry.get(k):
            bits.append(f"{k}: {', '.join(entry[k])}")
    return "; ".join(bits) or "standaard"


@lru_cache(maxsize=4096)
def _phrase_rx(phrase: str) -> re.Pattern:
    words = phrase.lower().split()
    alts = []
    for w in words:
        w = re.escape(w)
        alts.append(rf"{w}(?:en|s|'s|e|n|ën)?")
    return re.compile(r"\b" + r"\s+".join(alts) + r"\b")


@lru_cache(maxsize=4096)
def _phrase_forms(phrase: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    """(words, form) of each form of a phrase: as written and, after a final f, with v.
    Every word occurs literally in a match: a cheap test before the pattern (_phrase_rx of
    the form), which is only compiled when needed."""
    phrase = phrase.strip().lower()
    if not phrase:
        return ()
    forms = [phrase] + ([phrase[:-1] + "v"] if phrase.endswith("f") else [])
    return tuple((tuple(v.split()), v) for v in forms)


def _phrase_in(phrase: str, text: str) -> bool:
    return any(all(w in text for w in words) and _phrase_rx(form).search(text) is not None
               for words, form in _phrase_forms(phrase))


_LOCATIVE = re.compile(r"\b(?:in|op|bij|binnen|vanuit|nabij|naast)\s+(?:een|de|het|die|dat)?\s*$", re.I)


def _object_in(phrase: str, text: str) -> bool:
    """The phrase occurs in text other than as a place ("in een openbare inrichting")."""
    for words, form in _phrase_forms(phrase):
        if not all(w in text for w in words):
            continue
        for mm in _phrase_rx(form).finditer(text):
            if not _LOCATIVE.search(text[max(0, mm.start() - 24):mm.start()]):
                return True
    return False


@lru_cache(maxsize=4096)
def _ref_rx(tnum: str) -> tuple[re.Pattern, re.Pattern | None]:
    num = re.escape(tnum)
    # "2:28" and "2.13" are article numbers anywhere; a plain "3" only as "artikel 3"
    article = None if ":" in tnum or "." in tnum else re.compile(r"\bartikel\s+" + num + r"\b")
    return re.compile(rf"(?<![\w.:]){num}(?![\w]|[.:]\d)"), article


def _refers(tnum: str, text: str) -> bool:
    """text refers to article number tnum."""
    if tnum not in text:  # the patterns need tnum literally: skip the regexes
        return False
    num, article = _ref_rx(tnum)
    return bool(num.search(text)) and (article is None or bool(article.search(text)))


def subj_term_text(ctx: U.DocCtx, spans) -> list[str]:
    return [ctx.index.text[s:e] for s, e in spans]


def _negated_in_def(ctx: U.DocCtx, spans, m: Matcher, segs) -> bool:
    cues = m.in_segs("exclusion", segs)
    for s, _ in spans:
        # in a definition every subject after "met uitzondering van" / "niet zijnde" is excluded
        if not any(ce <= s for cs, ce in cues):
            return False
    return True


# Below this many units (all documents together) forking for the rules costs more than
# it saves: a 27-page APV has ~700, a 200-page one ~6,000.
PARALLEL_UNITS = 2500


def evaluate_docs(ruleset: RuleSet, docs: list[StructuredDocument], checked_types: list[str]) -> list[Finding]:
    """Every rule of the checked types over the documents of its type, in rule order.

    For a large document set the rules are spread over the cores (checker.parallel): the
    children inherit the engine built here and evaluate whole rules. Rules share many term
    lookups and definitions through the engine's caches, which each process then fills for
    itself, so two processes take about three quarters of one process's time, not half.
    """
    from ..parallel import fork_map

    eng = Engine(ruleset, docs)
    rules = [r for r in ruleset.rules if r.type in checked_types]

    def finding(rule: Rule) -> Finding:
        return _evaluate_rule(eng, rule)[0]

    if sum(len(c.units) for c in eng.ctxs) >= PARALLEL_UNITS:
        return fork_map(finding, rules)
    return list(map(finding, rules))


def trace_rule(ruleset: RuleSet, docs: list[StructuredDocument], rule: Rule
               ) -> tuple[Finding, Engine, dict[str, Any]]:
    """One rule with what explain shows: the engine and the outcome of every criterion."""
    eng = Engine(ruleset, docs)
    finding, outcomes = _evaluate_rule(eng, rule)
    return finding, eng, outcomes


def _evaluate_rule(eng: Engine, rule: Rule) -> tuple[Finding, dict[str, Any]]:
    idx = [i for i, d in enumerate(eng.docs) if d.type == rule.type]
    try:
        return eng.evaluate_rule(rule, idx)
    except Exception as e:  # noqa: BLE001 - one broken rule must not stop the other findings
        log.warning("rule %s failed", rule.id, exc_info=True)
        return Finding(requirement=rule.id, status="missing", title=rule.title, type=rule.type,
                       norm_refs=list(rule.norm_refs),
                       explanation=f"Deze eis kon niet automatisch worden getoetst (interne fout: "
                                   f"{type(e).__name__}); beoordeel haar handmatig.",
                       trace=[f"fout: {type(e).__name__}: {e}"]), {}
