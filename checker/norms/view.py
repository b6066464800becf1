"""Group findings by a norm's own numbering: the implementatieoverzicht.

One group per norm theme / group, in the norm's order; per norm item the requirements a
document can show for it, the aggregated status of their findings, or "handmatig" for
organisational items and "document ontbreekt" when the document type was not supplied.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping

from .data import (
    ABSENT,
    ITEM_STATUSES,
    MANUAL,
    NOT_CHECKED,
    STATUS_LABELS,
    TYPE_LABELS,
    Norm,
    NormItem,
    all_requirement_ids,
    load_norm,
    requirement_type,
)

OTHER_GROUP_ID = "overig"


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """Findings arrive as dataclasses (pipeline) or dicts (JSON from batch/history)."""
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def aggregate(statuses: Iterable[str]) -> str | None:
    """One status for several findings, never more favourable than the evidence.

    not_applicable (a ban, "nuloptie") counts as compliant but does not decide:
    all present/n.v.t. -> present; all n.v.t. -> not_applicable; all missing (ignoring
    n.v.t.) -> missing; anything else -> partial.
    """
    st = list(statuses)
    if not st:
        return None
    relevant = [s for s in st if s != "not_applicable"]
    if not relevant:
        return "not_applicable"
    if all(s == "present" for s in relevant):
        return "present"
    if all(s == "missing" for s in relevant):
        return "missing"
    return "partial"


def _absent_reason(types: list[str]) -> str:
    labels = [TYPE_LABELS.get(t, t) for t in types]
    return "Geen " + " en geen ".join(labels) + " aangeleverd"


def _item_dict(item: NormItem, reqs: list[str], by_req: dict[str, Any], absent: set[str],
               answers: Mapping[str, Any]) -> dict:
    found = [by_req[r] for r in reqs if r in by_req]
    not_checked = [r for r in reqs if r not in by_req]
    absent_types = sorted({requirement_type(r) for r in not_checked if requirement_type(r) in absent},
                          key=lambda t: list(TYPE_LABELS).index(t) if t in TYPE_LABELS else 99)
    reason = ""
    if not reqs:
        status = MANUAL
        reason = "Niet uit een document af te leiden; handmatig te beoordelen."
    elif not found:
        status = ABSENT if absent_types else NOT_CHECKED
        reason = (_absent_reason(absent_types) + "; deze eisen zijn niet getoetst."
                  if absent_types else "Geen bevinding voor deze eisen.")
    else:
        status = aggregate(_get(f, "status") for f in found) or NOT_CHECKED
        short = [f"{_get(f, 'requirement')} ({STATUS_LABELS.get(_get(f, 'status'), _get(f, 'status'))})"
                 for f in found if _get(f, "status") in ("missing", "partial")]
        parts = [f"Niet (volledig) voldaan: {', '.join(short)}."] if short else []
        if not_checked:
            # Part of the item could not be checked: never report it as met.
            if status in ("present", "not_applicable"):
                status = "partial"
            why = ("g" + _absent_reason(absent_types)[1:]) if absent_types else "geen bevinding"
            parts.append(f"{len(not_checked)} van {len(reqs)} eisen niet getoetst ({why}).")
        reason = " ".join(parts)
    ans = answers.get(item.id)
    out = {
        "id": item.id,
        "text": item.text,
        "requirements": list(reqs),
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "manual": not reqs,
        "answer": _get(ans, "answer") if ans else None,
        "note": _get(ans, "note", "") if ans else "",
        "findings": [{"requirement": _get(f, "requirement"), "status": _get(f, "status"),
                      "title": _get(f, "title", "") or ""} for f in found],
        "not_checked": not_checked,
        "reason": reason,
    }
    if item.manual_aspect:
        out["manual_aspect"] = item.manual_aspect
    if item.planning:
        out["planning"] = dict(item.planning)
    return out


def _counts(items: list[dict]) -> dict[str, int]:
    c = Counter(it["status"] for it in items)
    return {s: c[s] for s in ITEM_STATUSES if c[s]} | {s: n for s, n in c.items() if s not in ITEM_STATUSES}


def group_findings(findings: Iterable[Any], norm: str | None = None,
                   absent_types: Iterable[str] | None = None,
                   answers: Mapping[str, Any] | None = None) -> list[dict]:
    """Findings grouped by the norm's groups and items (see module docstring).

    `absent_types`: document types not supplied; when None, every type without a single
    finding is taken as absent. `answers`: item id -> object/dict with `answer`, `note`.
    A trailing group "overig" holds findings for requirements that the norm does not
    cover (e.g. Damocles under the Twentse basis op orde), so no finding is lost.
    """
    n: Norm = load_norm(norm)
    findings = list(findings)
    by_req: dict[str, Any] = {}
    for f in findings:
        by_req.setdefault(str(_get(f, "requirement")), f)
    if absent_types is None:
        seen = {requirement_type(r) for r in by_req}
        absent = {requirement_type(r) for r in all_requirement_ids()} - seen
    else:
        absent = set(absent_types)
    answers = answers or {}
    groups: list[dict] = []
    for g in n.groups:
        items = [_item_dict(it, it.requirements, by_req, absent, answers) for it in g.items]
        groups.append({"id": g.id, "title": g.title, "kind": "norm", "items": items,
                       "counts": _counts(items)})
    covered = set(n.requirement_ids())
    uncovered = [r for r in by_req if r not in covered]
    if uncovered:
        groups.append(_other_group(n, uncovered, by_req, absent))
    return groups


def _other_group(n: Norm, uncovered: list[str], by_req: dict, absent: set[str]) -> dict:
    base = load_norm("noord-holland") if n.name != "noord-holland" else None
    items: list[dict] = []
    left = list(uncovered)
    if base is not None:
        for it in base.items():
            reqs = [r for r in it.requirements if r in left]
            if reqs:
                items.append(_item_dict(NormItem(it.id, OTHER_GROUP_ID, it.text, reqs),
                                        reqs, by_req, absent, {}))
                left = [r for r in left if r not in reqs]
    for r in left:
        f = by_req[r]
        items.append(_item_dict(NormItem(r, OTHER_GROUP_ID, _get(f, "title", "") or r, [r]),
                                [r], by_req, absent, {}))
    title = ("Overige getoetste eisen (Noord-Hollandse norm; geen onderdeel van de "
             f"{n.short})" if base is not None else "Overige getoetste eisen (niet bij een normonderdeel)")
    return {"id": OTHER_GROUP_ID, "title": title, "kind": "overig", "items": items,
            "counts": _counts(items)}


def items_for_requirement(req_id: str, norm: str | None = None) -> list[str]:
    """Norm item ids ("NH 5.2", "TW BH-c") that a requirement helps to show."""
    return load_norm(norm).items_for_requirement(req_id)
