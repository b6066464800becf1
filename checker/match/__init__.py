"""Rules engine: rules/*.yaml + corpora/*.yaml -> one Finding per requirement.

    evaluate(docs, checked_types) -> (findings in catalogue order, rules_version)
    explain(requirement_id, docs) -> readable Dutch trace of one decision
"""
from __future__ import annotations

from ..errors import UsageError
from ..model import DOC_TYPES, Finding, StructuredDocument

__all__ = ["evaluate", "explain"]


def evaluate(docs: list[StructuredDocument], checked_types: list[str]) -> tuple[list[Finding], str]:
    from .engine import evaluate_docs
    from .rules import load_rules

    rs = load_rules()
    if not checked_types:
        return [], rs.version
    findings = evaluate_docs(rs, list(docs), list(checked_types))
    return _complete(findings, checked_types), rs.version


def _complete(findings: list[Finding], checked_types: list[str]) -> list[Finding]:
    """One finding per catalogue requirement of a checked type, in catalogue order.

    A requirement without a rule (rules/ lagging behind the catalogue) is reported as
    missing with a clear note - never silently dropped, never guessed as present.
    """
    from .rules import catalogue

    cat = [r for r in catalogue() if r.get("type") in checked_types]
    if not cat:
        return findings
    have = {f.requirement: f for f in findings}
    out = []
    for r in cat:
        f = have.pop(r["id"], None)
        if f is None:
            f = Finding(requirement=r["id"], status="missing", type=r["type"], title=r["id"],
                        norm_refs=list(r.get("norm_refs") or []),
                        explanation="Voor deze eis is nog geen toetsregel beschikbaar; beoordeel haar handmatig.",
                        trace=["geen regel in rules/ voor deze eis"])
        out.append(f)
    out.extend(have.values())  # rules for ids outside the catalogue keep their place at the end
    return out


def explain(requirement_id: str, docs: list[StructuredDocument]) -> str:
    from pathlib import Path

    from .engine import trace_rule
    from .rules import load_rules

    rs = load_rules()
    rules = rs.by_id()
    rid = requirement_id.strip()
    if rid not in rules:
        close = [r for r in rules if rid.split(".")[-1] in r] or list(rules)[:5]
        raise UsageError(f"Onbekende eis '{requirement_id}'. Bedoelt u: {', '.join(close[:5])}?")
    rule = rules[rid]
    lines = [f"{rule.id} - {rule.title}", f"normverwijzing: {', '.join(rule.norm_refs) or '-'}"
             f"; regels versie {rs.version} ({rule.source})"]
    typed = [d for d in docs if d.type == rule.type]
    if not typed:
        kinds = ", ".join(f"{Path(d.path).name} ({d.type or 'onbekend'})" for d in docs) or "geen"
        lines.append(f"Geen document van het soort '{rule.type}' opgegeven (gelezen: {kinds}); "
                     f"de eis wordt dan niet getoetst. Gebruik --type {rule.type} als de soort verkeerd is herkend.")
        return "\n".join(lines) + "\n"
    f, eng, outs = trace_rule(rs, list(docs), rule)
    lines.append("documenten: " + ", ".join(f"{Path(d.path).name} ({len(d.in_force())} artikelen in werking)"
                                            for d in typed))
    lines.append("")
    lines.append(f"Oordeel: {_STATUS_NL[f.status]} ({f.status})")
    lines.append(f"Toelichting: {f.explanation}")
    lines.append("")
    lines.append("Criteria:")
    for c in rule.criteria:
        o = outs[c["id"]]
        lines.append(f"  - {o.label} [{c.get('kind', 'clause')}]: {_LEVEL[o.level]}")
        shown = 0
        for h in o.hits:
            if shown >= 6:
                lines.append(f"      ... en {len(o.hits) - shown} meer")
                break
            u = eng.unit_of(h)
            extra = f" ({h.note})" if h.note else ""
            lines.append(f"      {eng.loc_hit(h)}{extra}: \"{eng.snippet(h.ctx, u, 160, h.focus)}\"")
            shown += 1
        for n in dict.fromkeys(o.notes):
            lines.append(f"      let op: {n}")
    lines.append("")
    lines.append("Verloop van de beslissing:")
    lines.extend("  " + t for t in f.trace)
    if f.evidence:
        lines.append("")
        lines.append("Bewijs (belangrijkste eerst):")
        for e in f.evidence:
            page = f", p. {e.page}" if e.page else ""
            lines.append(f"  {Path(e.document).name} art. {e.location}{page} [{e.role}]: \"{e.quote}\"")
    return "\n".join(lines) + "\n"


_STATUS_NL = {"present": "aanwezig", "partial": "gedeeltelijk", "missing": "ontbreekt",
              "not_applicable": "niet van toepassing"}
_LEVEL = {"met": "voldaan", "weak": "gedeeltelijk", "none": "niet gevonden"}
assert set(_STATUS_NL) == {"present", "partial", "missing", "not_applicable"}
assert DOC_TYPES
