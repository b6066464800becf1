"""Terminal gap report: per document type every requirement with status, why and where.

Plain ANSI codes rather than rich markup: the output must be byte-stable for tests and
pipes, and the layout (fixed 100 columns, hanging indents) is simple enough.
"""
from __future__ import annotations

import textwrap

from ..model import CheckResult, Finding
from . import (
    STATUS_ORDER,
    STATUS_SYMBOL,
    absent_requirement_counts,
    count_statuses,
    doc_name,
    evidence_line,
    findings_by_type,
    norm_label,
    requirement_title,
    shown_criteria,
    status_word,
    trim,
    type_label,
    unique_evidence,
)

WIDTH = 100
INDENT = " " * 4
MAX_EVIDENCE = 3

_ANSI = {
    "present": "32", "partial": "33", "missing": "31", "not_applicable": "90",
    "bold": "1", "dim": "2", "head": "1;36", "warn": "33", "error": "1;31",
}


class _Painter:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{_ANSI[style]}m{text}\x1b[0m"


def _wrap(text: str, indent: str = INDENT, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width=WIDTH, initial_indent=first if first is not None else indent,
        subsequent_indent=indent, break_long_words=True, break_on_hyphens=False,
    ) or [indent.rstrip()]


def _status_tag(status: str, paint: _Painter) -> str:
    tag = f"{STATUS_SYMBOL.get(status, '?')} {status_word(status)}"
    return paint(tag.ljust(15), status)


def _finding_lines(f: Finding, paint: _Painter) -> list[str]:
    out = [f"{_status_tag(f.status, paint)} {paint(f.requirement, 'bold')}"]
    out += _wrap(requirement_title(f), indent=INDENT)
    if f.norm_refs:
        out.append(paint(f"{INDENT}Norm: {', '.join(f.norm_refs)}", "dim"))
    if f.explanation:
        out += _wrap(f.explanation)
    for c in shown_criteria(f):
        if not c.met:
            note = f": {c.note}" if c.note else ""
            out += _wrap(f"✘ {c.label}{note}", indent=INDENT + "  ", first=INDENT)
    evidence = unique_evidence(f)
    quote_room = (WIDTH - len(INDENT) - 2) * 2 - 40  # about two lines per quote
    for ev in evidence[:MAX_EVIDENCE]:
        out += _wrap(evidence_line(ev, limit=quote_room, doc_type=f.type), indent=INDENT + "  ", first=INDENT + "» ")
    if len(evidence) > MAX_EVIDENCE:
        out.append(paint(f"{INDENT}  (+{len(evidence) - MAX_EVIDENCE} andere vindplaatsen)", "dim"))
    return out


def _counts_phrase(counts: dict[str, int]) -> str:
    words = {"present": "aanwezig", "partial": "gedeeltelijk", "missing": "ontbreekt",
             "not_applicable": "n.v.t."}
    return ", ".join(f"{counts.get(s, 0)} {words[s]}" for s in ("present", "partial", "missing",
                                                              "not_applicable"))


def render_text(result: CheckResult, color: bool = False) -> str:
    paint = _Painter(color)
    lines: list[str] = []
    rule = "═" * WIDTH

    lines.append(paint(f"normtoets – {norm_label(result.norm)}", "head"))
    lines.append(f"Gemeente: {result.municipality or 'onbekend'}")
    lines.append("")
    lines.append(paint("Documenten", "bold"))
    if not result.documents:
        lines.append(f"{INDENT}(geen leesbare documenten)")
    for d in result.documents:
        facts = [type_label(d.type) + (" (opgegeven)" if d.type_source == "override" else "")]
        if d.adopted:
            facts.append(f"vastgesteld {d.adopted}")
        if d.in_force_date:
            facts.append(f"in werking {d.in_force_date}")
        if d.pages:
            facts.append(f"{d.pages} p.")
        if d.duplicate_of:
            facts.append(f"zelfde tekst als {doc_name(d.duplicate_of)}, niet apart getoetst")
        lines += _wrap(f"{doc_name(d.path)} — {', '.join(facts)}", indent=INDENT + "  ", first=INDENT)
        if d.title:
            lines += _wrap(trim(d.title, 160), indent=INDENT + "  ")
    if result.errors:
        lines.append("")
        lines.append(paint("Fouten (niet getoetst)", "error"))
        for e in result.errors:
            lines += _wrap(f"{doc_name(e.path)}: {e.error}", indent=INDENT + "  ", first=INDENT)

    for doc_type, findings in findings_by_type(result):
        docs = [doc_name(d.path) for d in result.documents if d.type == doc_type and not d.duplicate_of]
        lines.append("")
        lines.append(paint(rule, "dim"))
        head = type_label(doc_type) + (f" ({', '.join(docs)})" if docs else "")
        lines.append(paint(trim(head, WIDTH), "head"))
        lines.append(paint(f"{INDENT}{_counts_phrase(count_statuses(findings))}", "dim"))
        lines.append(paint(rule, "dim"))
        # Worst first within a type: the reader acts on missing/partial.
        ordered = sorted(findings, key=lambda f: STATUS_ORDER.index(f.status)
                         if f.status in STATUS_ORDER else 9)
        for f in ordered:
            lines.append("")
            lines += _finding_lines(f, paint)

    lines.append("")
    lines.append(paint(rule, "dim"))
    counts = count_statuses(result.findings)
    lines.append(paint("Samenvatting", "bold"))
    lines.append(f"{INDENT}{len(result.findings)} eisen getoetst: {_counts_phrase(counts)}")
    for doc_type, findings in findings_by_type(result):
        c = count_statuses(findings)
        lines.append(f"{INDENT}{type_label(doc_type):<28}{_counts_phrase(c)}")
    if result.absent_types:
        per_type = absent_requirement_counts()
        lines.append("")
        lines.append(paint("Document ontbreekt (eisen niet getoetst)", "bold"))
        for t in result.absent_types:
            n = per_type.get(t)
            extra = f" — {n} eisen niet getoetst" if n else ""
            lines.append(f"{INDENT}{paint('✘', 'missing')} {type_label(t)}: document ontbreekt{extra}")
    manual = result.manual_items
    if manual:
        answered = sum(1 for m in manual if m.answer)
        lines.append("")
        lines.append(f"Handmatig te beoordelen normonderdelen: {len(manual)} "
                     f"({answered} beantwoord); zie het HTML- of xlsx-rapport.")
    if result.warnings:
        lines.append("")
        lines.append(paint("Waarschuwingen", "warn"))
        for w in result.warnings:
            lines += _wrap(w, indent=INDENT + "  ", first=INDENT + "! ")
    if result.rules_version or result.version:
        lines.append("")
        lines.append(paint(f"normtoets {result.version or '?'} · regels {result.rules_version or '?'}"
                           + (f" · {result.generated}" if result.generated else ""), "dim"))
    return "\n".join(lines) + "\n"
