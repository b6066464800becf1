"""`normtoets diff OLD NEW`: what a new version of a document changes for the norm.

Three views, in the order a council member needs them:
1. requirements whose status changes (better / worse), with old and new evidence;
2. articles added, removed (or now "vervallen"), renumbered or reworded - articles are
   matched by number first, then by title + text similarity (rapidfuzz) so a renumbered
   article is recognised as the same provision;
3. evidence sentences of the old version that disappeared or were reworded.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..model import Article, CheckResult, Evidence, Finding, StructuredDocument
from . import (
    STATUS_SYMBOL,
    doc_name,
    evidence_line,
    location_label,
    requirement_title,
    status_label,
    status_word,
    trim,
    type_label,
    unique_evidence,
)

# present and not_applicable both satisfy the norm; partial is half-way.
_RANK = {"present": 2, "not_applicable": 2, "partial": 1, "missing": 0}
SAME_NUMBER_MIN = 50.0     # same number, at least this similar: the same article
MOVED_MIN = 72.0           # different number: only this similar counts as renumbered
QUOTE_KEPT = 98.0          # an evidence quote still literally in the new text (punctuation aside)
QUOTE_CHANGED = 60.0       # below: the sentence disappeared


@dataclass
class ArticleChange:
    kind: str                        # added | removed | vervallen | renumbered | changed
    old_number: str | None = None
    new_number: str | None = None
    title: str = ""
    old_title: str = ""
    similarity: float | None = None  # 0-100, title+text
    old_page: int | None = None
    new_page: int | None = None


@dataclass
class RequirementChange:
    requirement: str
    title: str
    old_status: str | None           # None: requirement not checked in the old version
    new_status: str | None
    direction: str                   # beter | slechter | gewijzigd
    old_evidence: list[Evidence] = field(default_factory=list)
    new_evidence: list[Evidence] = field(default_factory=list)
    old_explanation: str = ""
    new_explanation: str = ""


@dataclass
class EvidenceChange:
    requirement: str
    kind: str                        # verdwenen | gewijzigd
    old: Evidence
    new_quote: str = ""
    new_location: str | None = None
    similarity: float = 0.0
    removed_words: list[str] = field(default_factory=list)   # word spans only in the old quote
    added_words: list[str] = field(default_factory=list)     # word spans only in the new text


@dataclass
class DiffResult:
    old_path: str
    new_path: str
    type: str | None
    old_title: str = ""
    new_title: str = ""
    requirement_changes: list[RequirementChange] = field(default_factory=list)
    unchanged_requirements: int = 0
    articles: list[ArticleChange] = field(default_factory=list)
    unchanged_articles: int = 0
    evidence_changes: list[EvidenceChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- article matching


def _norm_number(n: str | None) -> str:
    return re.sub(r"\s+", "", (n or "").lower()).replace(".", ":").rstrip(":")


def _norm_text(t: str) -> str:
    return " ".join((t or "").lower().split())


def _similarity(a: Article, b: Article) -> float:
    from rapidfuzz import fuzz

    ta, tb = _norm_text(a.text), _norm_text(b.text)
    text = fuzz.token_sort_ratio(ta, tb) if (ta or tb) else 100.0
    if a.title or b.title:
        title = fuzz.token_set_ratio(_norm_text(a.title), _norm_text(b.title))
        return round(0.3 * title + 0.7 * text, 1)
    return round(text, 1)


def match_articles(old: list[Article], new: list[Article]) -> tuple[list[ArticleChange], int]:
    """Pair old and new articles; report what is not simply unchanged."""
    changes: list[ArticleChange] = []
    old_live = [a for a in old if a.status != "vervallen"]
    new_by_num = {_norm_number(a.number): a for a in new}
    new_live = [a for a in new if a.status != "vervallen"]
    paired_new: set[int] = set()
    unpaired_old: list[Article] = []
    unchanged = 0

    # 1. same number and still recognisably the same provision
    for a in old_live:
        b = new_by_num.get(_norm_number(a.number))
        if b is None or b.status == "vervallen" or id(b) in paired_new:
            unpaired_old.append(a)
            continue
        sim = _similarity(a, b)
        if sim < SAME_NUMBER_MIN:
            unpaired_old.append(a)
            continue
        paired_new.add(id(b))
        if _norm_text(a.text) == _norm_text(b.text) and _norm_text(a.title) == _norm_text(b.title):
            unchanged += 1
        else:
            changes.append(ArticleChange("changed", a.number, b.number, b.title or a.title, a.title,
                                         sim, a.page, b.page))

    # 2. renumbered: best remaining pairs by similarity, greedily
    rest_new = [b for b in new_live if id(b) not in paired_new]
    candidates = []
    for a in unpaired_old:
        for b in rest_new:
            sim = _similarity(a, b)
            if sim >= MOVED_MIN:
                candidates.append((sim, a, b))
    candidates.sort(key=lambda x: -x[0])
    used_old: set[int] = set()
    for sim, a, b in candidates:
        if id(a) in used_old or id(b) in paired_new:
            continue
        used_old.add(id(a))
        paired_new.add(id(b))
        changes.append(ArticleChange("renumbered", a.number, b.number, b.title or a.title, a.title,
                                     sim, a.page, b.page))

    # 3. what is left: removed (or kept as "vervallen") and added
    for a in unpaired_old:
        if id(a) in used_old:
            continue
        b = new_by_num.get(_norm_number(a.number))
        kind = "vervallen" if b is not None and b.status == "vervallen" else "removed"
        keep = kind == "vervallen"   # a same-numbered live article is another provision
        changes.append(ArticleChange(kind, a.number, b.number if keep else None, a.title, a.title,
                                     None, a.page, b.page if keep else None))
    for b in new_live:
        if id(b) not in paired_new:
            changes.append(ArticleChange("added", None, b.number, b.title, "", None, None, b.page))

    order = {"removed": 0, "vervallen": 1, "changed": 2, "renumbered": 3, "added": 4}
    changes.sort(key=lambda c: (order[c.kind], _sort_key(c.old_number or c.new_number)))
    return changes, unchanged


def _sort_key(number: str | None) -> list:
    parts = re.findall(r"\d+|[a-z]+", (number or "").lower())
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]


# ---------------------------------------------------------------- evidence


_SENTENCE_RE = re.compile(r"(?<=[.;!?])\s+(?=[A-Z0-9(])")
_LID_RE = re.compile(r"^\s*\d+[.)]\s+")
_ONDERDEEL_RE = re.compile(r"^\s*(?:[a-z]{1,2}[.)]|\d+°|[-•–])\s+")


def _units(text: str) -> list[str]:
    """Comparable pieces of an article: sentences, and each onderdeel with its lead-in.

    Evidence quotes are often "lead-in: onderdeel" ("... weigert de vergunning indien:
    de exploitant ... levensgedrag is;") while the article prints them on separate lines.
    """
    out: list[str] = []
    lead = ""
    for raw in (text or "").splitlines():
        if _ONDERDEEL_RE.match(raw):
            line = _ONDERDEEL_RE.sub("", raw, count=1).strip()
            if lead:
                out.append(f"{lead} {line}")
        else:
            line = _LID_RE.sub("", raw, count=1).strip()
            lead = line if line.endswith(":") else ""
        if line:
            out += [s.strip() for s in _SENTENCE_RE.split(line) if s.strip()]
    return out


def _plain(text: str) -> str:
    """Article text without lid/onderdeel markers, as one line (for literal containment)."""
    lines = [_LID_RE.sub("", _ONDERDEEL_RE.sub("", raw, count=1), count=1)
             for raw in (text or "").splitlines()]
    return _norm_text(" ".join(lines))


def word_delta(old: str, new: str) -> tuple[list[str], list[str]]:
    """Word spans removed from and added to a sentence ("Drank- en Horecawet" -> "Alcoholwet")."""
    import difflib

    a, b = old.split(), new.split()
    removed, added = [], []
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for op, i1, i2, j1, j2 in ops:
        if op == "insert" and (i1 == len(a) or i1 == 0):
            continue  # text beyond the (often trimmed) quote's extent, not a change
        if op in ("replace", "delete"):
            removed.append(" ".join(a[i1:i2]))
        if op in ("replace", "insert"):
            added.append(" ".join(b[j1:j2]))
    return removed, added


def _article_of(doc: StructuredDocument, number: str | None) -> Article | None:
    n = _norm_number(number)
    return next((a for a in doc.articles if _norm_number(a.number) == n), None) if n else None


def evidence_changes(old_result: CheckResult, new_doc: StructuredDocument,
                     article_map: dict[str, str]) -> list[EvidenceChange]:
    """Old evidence quotes that no longer stand (nearly) literally in the new document."""
    from rapidfuzz import fuzz

    new_live = [a for a in new_doc.articles if a.status != "vervallen"]
    whole = " ".join(_plain(a.text) for a in new_live) + " " + _norm_text(new_doc.preamble)
    out: list[EvidenceChange] = []
    seen: set[tuple[str, str]] = set()
    for f in old_result.findings:
        for ev in unique_evidence(f):
            quote = _norm_text(ev.quote).strip(" .…'\";:,")
            if len(quote) < 12 or (f.requirement, quote) in seen:
                continue
            seen.add((f.requirement, quote))
            if quote in whole:
                continue
            # Where would it be now? The matched article first, then everywhere.
            target = article_map.get(_norm_number(ev.location))
            arts = [a for a in new_live if _norm_number(a.number) == target] if target else []
            arts = arts or new_live
            best, best_sent, best_loc = 0.0, "", None
            for a in arts:
                for sent in _units(a.text):
                    sc = fuzz.ratio(quote, _norm_text(sent)) if len(sent) < 3 * len(quote) + 40 \
                        else fuzz.partial_ratio(quote, _norm_text(sent))
                    if sc > best:
                        best, best_sent, best_loc = sc, sent, a.number
            if best >= QUOTE_KEPT:
                continue
            if best >= QUOTE_CHANGED:
                old_words = " ".join(ev.quote.split()).strip("…").split()
                removed, added = word_delta(" ".join(old_words), best_sent)
                out.append(EvidenceChange(f.requirement, "gewijzigd", ev, trim(best_sent, 400),
                                          best_loc, round(best, 1), removed[:6], added[:6]))
            else:
                out.append(EvidenceChange(f.requirement, "verdwenen", ev, "", None, round(best, 1)))
    return out


# ---------------------------------------------------------------- requirements


def requirement_changes(old: CheckResult, new: CheckResult) -> tuple[list[RequirementChange], int]:
    old_by = {f.requirement: f for f in old.findings}
    new_by = {f.requirement: f for f in new.findings}
    changes: list[RequirementChange] = []
    unchanged = 0
    for rid in list(old_by) + [r for r in new_by if r not in old_by]:
        a, b = old_by.get(rid), new_by.get(rid)
        sa, sb = (a.status if a else None), (b.status if b else None)
        if sa == sb:
            unchanged += 1
            continue
        ra, rb = _RANK.get(sa or "missing", 0), _RANK.get(sb or "missing", 0)
        direction = "beter" if rb > ra else "slechter" if rb < ra else "gewijzigd"
        f: Finding = b or a  # type: ignore[assignment]
        changes.append(RequirementChange(
            rid, requirement_title(f), sa, sb, direction,
            unique_evidence(a) if a else [], unique_evidence(b) if b else [],
            a.explanation if a else "", b.explanation if b else ""))
    order = {"slechter": 0, "gewijzigd": 1, "beter": 2}
    changes.sort(key=lambda c: order[c.direction])
    return changes, unchanged


def diff_documents(old_doc: StructuredDocument, new_doc: StructuredDocument,
                   old_result: CheckResult, new_result: CheckResult) -> DiffResult:
    arts, unchanged_arts = match_articles(old_doc.articles, new_doc.articles)
    article_map = {_norm_number(a.number): _norm_number(a.number) for a in new_doc.articles}
    for c in arts:
        if c.old_number and c.new_number and c.kind in ("renumbered", "changed"):
            article_map[_norm_number(c.old_number)] = _norm_number(c.new_number)
        elif c.old_number and c.kind in ("removed", "vervallen"):
            article_map.pop(_norm_number(c.old_number), None)
    reqs, unchanged_reqs = requirement_changes(old_result, new_result)
    d = DiffResult(
        old_path=old_doc.path, new_path=new_doc.path, type=new_doc.type or old_doc.type,
        old_title=old_doc.title, new_title=new_doc.title,
        requirement_changes=reqs, unchanged_requirements=unchanged_reqs,
        articles=arts, unchanged_articles=unchanged_arts,
        evidence_changes=evidence_changes(old_result, new_doc, article_map),
    )
    if old_doc.type and new_doc.type and old_doc.type != new_doc.type:
        d.warnings.append(f"De versies lijken verschillende documentsoorten "
                          f"({type_label(old_doc.type)} en {type_label(new_doc.type)}); "
                          "gebruik --type om er één op te geven.")
    return d


def diff_paths(old: str | Path, new: str | Path, type_override: str | None = None) -> DiffResult:
    """Read, structure and check both versions, then compare them."""
    from ..pipeline import check_documents, load_document

    old_doc = load_document(Path(old), type_override)
    new_doc = load_document(Path(new), type_override or old_doc.type)
    if type_override is None and old_doc.type is None and new_doc.type:
        old_doc = load_document(Path(old), new_doc.type)
    old_res = check_documents([old_doc])
    new_res = check_documents([new_doc])
    d = diff_documents(old_doc, new_doc, old_res, new_res)
    if not old_res.findings and not new_res.findings:
        d.warnings.append("Documentsoort niet herkend: alleen de artikelen zijn vergeleken; "
                          "gebruik --type voor de eisen.")
    return d


# ---------------------------------------------------------------- rendering

_KIND_LABEL = {
    "removed": "verwijderd", "vervallen": "vervallen verklaard", "changed": "gewijzigd",
    "renumbered": "vernummerd", "added": "nieuw",
}
_KIND_SYMBOL = {"removed": "−", "vervallen": "−", "changed": "~", "renumbered": "↻", "added": "+"}
_DIR_SYMBOL = {"slechter": "▼", "beter": "▲", "gewijzigd": "◆"}


def _status_text(s: str | None) -> str:
    return status_word(s) if s else "NIET GETOETST"


def _article_line(c: ArticleChange) -> str:
    if c.kind == "renumbered":
        head = f"art. {c.old_number} → art. {c.new_number}"
    elif c.kind == "added":
        head = f"art. {c.new_number}"
    else:
        head = f"art. {c.old_number}"
    title = f" {c.title}" if c.title else ""
    sim = f" ({c.similarity:.0f}% gelijk)" if c.similarity is not None and c.kind != "added" else ""
    if c.kind == "changed" and c.old_title and c.old_title != c.title:
        title = f" {c.title} (was: {c.old_title})"
    return f"{_KIND_SYMBOL[c.kind]} {_KIND_LABEL[c.kind]}: {head}{title}{sim}"


def render_diff_text(d: DiffResult, color: bool = False) -> str:
    from .text import _Painter, _wrap

    paint = _Painter(color)
    ind = " " * 4
    lines = [paint(f"normtoets diff – {type_label(d.type)}", "head"),
             f"oud:   {doc_name(d.old_path)}" + (f" ({trim(d.old_title, 70)})" if d.old_title else ""),
             f"nieuw: {doc_name(d.new_path)}" + (f" ({trim(d.new_title, 70)})" if d.new_title else ""),
             ""]
    lines.append(paint(f"Eisen met een andere status ({len(d.requirement_changes)}; "
                       f"{d.unchanged_requirements} ongewijzigd)", "bold"))
    if not d.requirement_changes:
        lines.append(f"{ind}Geen: elke eis heeft in beide versies dezelfde status.")
    for c in d.requirement_changes:
        style = {"slechter": "missing", "beter": "present"}.get(c.direction, "partial")
        lines.append("")
        lines.append(f"{ind}{paint(_DIR_SYMBOL[c.direction] + ' ' + c.direction.upper(), style)}  "
                     f"{paint(c.requirement, 'bold')}: {_status_text(c.old_status)} → "
                     f"{_status_text(c.new_status)}")
        lines += _wrap(c.title, indent=ind * 2)
        for label, evs, expl in (("oud", c.old_evidence, c.old_explanation),
                                 ("nieuw", c.new_evidence, c.new_explanation)):
            if evs:
                for ev in evs[:2]:
                    lines += _wrap(evidence_line(ev, limit=220, doc_type=d.type), indent=ind * 2 + "       ",
                                   first=f"{ind * 2}{label + ':':<7}")
            elif expl:
                lines += _wrap(expl, indent=ind * 2 + "       ", first=f"{ind * 2}{label + ':':<7}")
    lines.append("")
    lines.append(paint(f"Artikelen ({len(d.articles)} wijzigingen; {d.unchanged_articles} ongewijzigd)",
                       "bold"))
    if not d.articles:
        lines.append(f"{ind}Geen verschillen in de artikelen.")
    for c in d.articles:
        style = {"removed": "missing", "vervallen": "missing", "added": "present"}.get(c.kind, "partial")
        line = _article_line(c)
        lines.append(ind + paint(line[:1], style) + " " + trim(line[2:], 100 - len(ind) - 2))
    lines.append("")
    lines.append(paint(f"Bewijszinnen die verdwijnen of veranderen ({len(d.evidence_changes)})", "bold"))
    if not d.evidence_changes:
        lines.append(f"{ind}Geen: alle bewijszinnen van de oude versie staan ook in de nieuwe.")
    for e in d.evidence_changes:
        style = "missing" if e.kind == "verdwenen" else "partial"
        lines.append(f"{ind}{paint(e.kind.upper(), style)}  {e.requirement}, "
                     f"{location_label(e.old.location, d.type) or 'zonder vindplaats'}")
        lines += _wrap(f"'{trim(e.old.quote, 260)}'", indent=ind * 2 + "       ",
                       first=ind * 2 + "oud:   ")
        if e.new_quote:
            lines += _wrap(f"'{e.new_quote}' ({location_label(e.new_location, d.type)})",
                           indent=ind * 2 + "       ", first=ind * 2 + "nieuw: ")
        if e.removed_words or e.added_words:
            delta = "; ".join([f"weg: '{w}'" for w in e.removed_words] +
                              [f"erbij: '{w}'" for w in e.added_words])
            lines += _wrap(delta, indent=ind * 2 + "       ", first=ind * 2 + "kern:  ")
    for w in d.warnings:
        lines.append("")
        lines.append(paint(f"! {w}", "warn"))
    return "\n".join(lines) + "\n"


def render_diff_markdown(d: DiffResult) -> str:
    from .markdown import _cell

    out = [f"# Vergelijking {type_label(d.type)}: {doc_name(d.old_path)} → {doc_name(d.new_path)}", ""]
    out.append(f"## Eisen met een andere status ({len(d.requirement_changes)})")
    out.append("")
    if d.requirement_changes:
        out.append("| Eis | Richting | Oud | Nieuw | Oude vindplaats | Nieuwe vindplaats |")
        out.append("|---|---|---|---|---|---|")
        for c in d.requirement_changes:
            old_ev = "; ".join(evidence_line(e, limit=120, doc_type=d.type) for e in c.old_evidence[:2])
            new_ev = "; ".join(evidence_line(e, limit=120, doc_type=d.type) for e in c.new_evidence[:2])
            out.append(f"| `{c.requirement}` | {_DIR_SYMBOL[c.direction]} {c.direction} | "
                       f"{status_label(c.old_status) if c.old_status else 'niet getoetst'} | "
                       f"{status_label(c.new_status) if c.new_status else 'niet getoetst'} | "
                       f"{_cell(old_ev)} | {_cell(new_ev)} |")
    else:
        out.append("Geen: elke eis heeft in beide versies dezelfde status.")
    out.append("")
    out.append(f"## Artikelen ({len(d.articles)} wijzigingen, {d.unchanged_articles} ongewijzigd)")
    out.append("")
    for c in d.articles:
        out.append(f"- {_article_line(c)}")
    if not d.articles:
        out.append("Geen verschillen in de artikelen.")
    out.append("")
    out.append(f"## Bewijszinnen die verdwijnen of veranderen ({len(d.evidence_changes)})")
    out.append("")
    for e in d.evidence_changes:
        out.append(f"- **{e.kind}** — `{e.requirement}`, {location_label(e.old.location, d.type)}: "
                   f"“{trim(e.old.quote, 300)}”"
                   + (f" → “{e.new_quote}” ({location_label(e.new_location, d.type)})" if e.new_quote else "")
                   + (" — " + "; ".join([f"weg: *{_cell(w)}*" for w in e.removed_words]
                                        + [f"erbij: *{_cell(w)}*" for w in e.added_words])
                      if e.removed_words or e.added_words else ""))
    if not d.evidence_changes:
        out.append("Geen.")
    for w in d.warnings:
        out += ["", f"> {w}"]
    return "\n".join(out).rstrip() + "\n"


def render_diff_html(d: DiffResult) -> str:
    from .html import _env

    return _env().get_template("diff.html.j2").render(
        d=d, type_label=type_label(d.type), old_name=doc_name(d.old_path), new_name=doc_name(d.new_path),
        article_line=_article_line, kind_label=_KIND_LABEL, kind_symbol=_KIND_SYMBOL,
        dir_symbol=_DIR_SYMBOL, evidence_line=evidence_line, location_label=location_label,
        status_symbol=lambda s: STATUS_SYMBOL.get(s, "?") if s else "·",
        status_name=lambda s: status_label(s) if s else "Niet getoetst",
    )


def render_diff(d: DiffResult, fmt: str = "text", output: str | Path | None = None,
                color: bool = False) -> None:
    from .jsonout import dumps, write_text

    if fmt == "text":
        write_text(render_diff_text(d, color=color), output)
    elif fmt == "json":
        write_text(dumps(d.to_dict()), output)
    elif fmt == "markdown":
        write_text(render_diff_markdown(d), output)
    elif fmt == "html":
        write_text(render_diff_html(d), output)
    else:
        from ..errors import UsageError

        raise UsageError(f"diff kent geen formaat '{fmt}'; kies text, json, markdown of html.")
