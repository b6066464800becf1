"""Markdown report for a note, wiki page or issue tracker (GitHub/GitLab flavoured tables)."""
from __future__ import annotations

from ..model import CheckResult
from . import (
    ITEM_LABEL,
    ITEM_SYMBOL,
    STATUS_SYMBOL,
    absent_requirement_counts,
    answer_label,
    count_statuses,
    doc_name,
    evidence_line,
    findings_by_type,
    item_status_key,
    location_label,
    locations,
    norm_label,
    requirement_title,
    shown_criteria,
    status_label,
    trim,
    type_label,
    unique_evidence,
)


def _cell(text: str | None) -> str:
    """Table cells: one line, pipes escaped so a quote cannot split the row."""
    t = " ".join(str(text or "").split())
    return t.replace("\\", "\\\\").replace("|", "\\|")


def _status(status: str) -> str:
    return f"{STATUS_SYMBOL.get(status, '?')} {status_label(status)}"


def render_markdown(result: CheckResult) -> str:
    out: list[str] = []
    gemeente = result.municipality or "onbekende gemeente"
    out.append(f"# Toets Norm Weerbare Overheid — {gemeente}")
    out.append("")
    out.append(f"Norm: **{norm_label(result.norm)}**  ")
    meta = f"normtoets {result.version or '?'}, regels {result.rules_version or '?'}"
    if result.generated:
        meta += f", gegenereerd {result.generated}"
    out.append(meta)
    out.append("")

    counts = count_statuses(result.findings)
    out.append("## Samenvatting")
    out.append("")
    out.append("| Documentsoort | Aanwezig | Gedeeltelijk | Ontbreekt | N.v.t. |")
    out.append("|---|---:|---:|---:|---:|")
    for doc_type, findings in findings_by_type(result):
        c = count_statuses(findings)
        out.append(f"| {type_label(doc_type)} | {c['present']} | {c['partial']} | {c['missing']} "
                   f"| {c['not_applicable']} |")
    out.append(f"| **Totaal** | **{counts['present']}** | **{counts['partial']}** | "
               f"**{counts['missing']}** | **{counts['not_applicable']}** |")
    out.append("")

    out.append("## Documenten")
    out.append("")
    if result.documents:
        out.append("| Bestand | Soort | Vastgesteld | Pagina's |")
        out.append("|---|---|---|---:|")
        for d in result.documents:
            dup = f" (zelfde tekst als {doc_name(d.duplicate_of)})" if d.duplicate_of else ""
            out.append(f"| {_cell(doc_name(d.path) + dup)} | {_cell(type_label(d.type))} | "
                       f"{_cell(d.adopted or '')} | {d.pages or ''} |")
    else:
        out.append("_Geen leesbare documenten._")
    out.append("")
    if result.errors:
        out.append("**Fouten (niet getoetst):**")
        out.append("")
        for e in result.errors:
            out.append(f"- `{doc_name(e.path)}`: {e.error}")
        out.append("")
    if result.absent_types:
        per_type = absent_requirement_counts()
        out.append("**Document ontbreekt:**")
        out.append("")
        for t in result.absent_types:
            n = per_type.get(t)
            out.append(f"- {type_label(t)}: document ontbreekt" + (f" ({n} eisen niet getoetst)" if n else ""))
        out.append("")

    if result.groups:
        status_of = {f.requirement: f.status for f in result.findings}
        out.append("## Per normonderdeel")
        out.append("")
        for g in result.groups:
            out.append(f"### {g.get('title') or g.get('id', '')}")
            out.append("")
            out.append("| Onderdeel | Status | Eisen |")
            out.append("|---|---|---|")
            for it in g.get("items", []) or []:
                key = item_status_key(it.get("status"), bool(it.get("manual")))
                reqs = ", ".join(f"{STATUS_SYMBOL.get(status_of[r], '?')} `{r}`"
                                 for r in it.get("requirements", []) or [] if r in status_of)
                label = f"{ITEM_SYMBOL.get(key, '?')} {ITEM_LABEL.get(key, key)}"
                if key == "manual" and it.get("answer") in STATUS_SYMBOL:
                    label = f"{_status(it['answer'])} (handmatig beantwoord)"
                out.append(f"| {_cell(str(it.get('id', '')))} | {label} | {reqs or '–'} |")
            out.append("")

    for doc_type, findings in findings_by_type(result):
        out.append(f"## {type_label(doc_type)}")
        out.append("")
        out.append("| Eis | Status | Titel | Vindplaats |")
        out.append("|---|---|---|---|")
        for f in findings:
            locs = ", ".join(location_label(x, f.type) for x in locations(f))
            out.append(f"| `{f.requirement}` | {_status(f.status)} | {_cell(requirement_title(f))} "
                       f"| {_cell(locs)} |")
        out.append("")
        for f in findings:
            if f.status in ("present", "not_applicable") and not f.explanation:
                continue
            out.append(f"### `{f.requirement}` — {_status(f.status)}")
            out.append("")
            if f.norm_refs:
                out.append(f"Norm: {', '.join(f.norm_refs)}  ")
            if f.explanation:
                out.append(trim(f.explanation, 600))
            crits = shown_criteria(f)
            if crits:
                out.append("")
            for c in crits:
                mark = "x" if c.met else " "
                note = f" — {c.note}" if c.note else ""
                out.append(f"- [{mark}] {c.label}{note}")
            evidence = unique_evidence(f)[:4]
            if evidence:
                out.append("")
            for ev in evidence:
                out.append(f"> {evidence_line(ev, limit=300, with_document=True, doc_type=f.type)}")
                out.append(">")
            if out[-1] == ">":
                out.pop()
            out.append("")

    if result.manual_items:
        out.append("## Handmatig te beoordelen")
        out.append("")
        out.append("| Normonderdeel | Groep | Tekst | Antwoord |")
        out.append("|---|---|---|---|")
        for m in result.manual_items:
            answer = answer_label(m.answer) + (f" ({m.note})" if m.note else "")
            out.append(f"| {_cell(m.norm_item)} | {_cell(m.group)} | {_cell(trim(m.text, 200))} "
                       f"| {_cell(answer)} |")
        out.append("")
    if result.warnings:
        out.append("## Waarschuwingen")
        out.append("")
        for w in result.warnings:
            out.append(f"- {w}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
