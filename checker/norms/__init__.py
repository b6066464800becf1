"""Norm views (noord-holland, twente, limburg) and the full implementatieoverzicht.

`apply_norm_view(result, docs, manual)` is called by the pipeline after matching. It
fills, without touching the findings (one per requirement, the contract):

- `result.groups`: one dict per norm group in the norm's own order,
  {"id", "title", "kind", "items": [{"id": "NH 5.2", "text", "requirements", "status",
  "status_label", "manual", "answer", "note", "findings", "not_checked", "reason"}],
  "counts": {status: n}}. Item status: the aggregated finding status, "handmatig" for
  organisational items, "document ontbreekt" when the document type was not supplied.
- `result.manual_items`: a ManualItem per organisational item (and per item whose
  practice part a document cannot show), with the user's answer from `--manual`.
- `result.warnings` (Dutch): one per absent document type, listing the requirements not
  checked; one per document that predates a relevant law change.

The norms are data in corpora/norms/<norm>.yaml, generated from and verified against
the norm texts by `python -m checker.norms.build`. The manual answer format is in
`checker.norms.manual` and corpora/norms/handmatig-voorbeeld.yaml.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from ..model import CheckResult, ManualItem, StructuredDocument
from .currency import currency_warnings, document_date, load_law_changes
from .data import (
    STATUS_LABELS,
    TYPE_LABELS,
    Norm,
    NormItem,
    all_requirement_ids,
    canonical_name,
    load_norm,
    norm_names,
    norm_title,
    requirement_type,
)
from .manual import load_answers
from .view import aggregate, group_findings, items_for_requirement

__all__ = [
    "apply_norm_view", "norm_names", "load_norm", "norm_title", "group_findings",
    "items_for_requirement", "absent_type_warnings", "manual_items", "currency_warnings",
    "document_date", "load_law_changes", "load_answers", "aggregate", "canonical_name",
    "STATUS_LABELS", "TYPE_LABELS", "Norm", "NormItem",
]


def absent_type_warnings(absent_types: Iterable[str], known: Iterable[str] = ()) -> list[str]:
    """"Geen Damoclesbeleid aangeleverd: 5 eisen niet getoetst (damocles.grondslag, ...)"."""
    ids = list(all_requirement_ids())
    ids += [r for r in known if r not in ids]
    out = []
    for t in absent_types:
        reqs = [r for r in ids if requirement_type(r) == t]
        label = TYPE_LABELS.get(t, t)
        if not reqs:
            out.append(f"Geen {label} aangeleverd.")
            continue
        n = len(reqs)
        out.append(f"Geen {label} aangeleverd: {n} {'eis' if n == 1 else 'eisen'} niet getoetst "
                   f"({', '.join(reqs)}).")
    return out


def manual_items(norm: str | None = None, answers: dict | None = None) -> list[ManualItem]:
    """The items to assess by hand, in norm order, with answers merged in."""
    n = load_norm(norm)
    answers = answers or {}
    out = []
    for g in n.groups:
        for it in g.items:
            if not (it.manual or not it.requirements or it.manual_aspect):
                continue
            text = it.text
            if it.requirements and it.manual_aspect:
                text = f"{it.text} (handmatig te beoordelen: {it.manual_aspect})"
            a = answers.get(it.id)
            out.append(ManualItem(norm_item=it.id, group=g.title, text=text,
                                  answer=a.answer if a else None, note=a.note if a else ""))
    return out


def _add_warnings(result: CheckResult, warnings: Iterable[str]) -> None:
    for w in warnings:
        if w not in result.warnings:
            result.warnings.append(w)


def apply_norm_view(result: CheckResult, docs: list[StructuredDocument],
                    manual: str | Path | None = None) -> None:
    """Fill result.groups, result.manual_items and the norm warnings (see module doc).

    Raises UsageError (Dutch) for an unknown norm or a bad manual answers file.
    """
    norm = canonical_name(result.norm)
    result.norm = norm
    answers: dict[str, Any] = {}
    if manual:
        answers, manual_warnings = load_answers(manual, norm)
    else:
        manual_warnings = []
    result.groups = group_findings(result.findings, norm, result.absent_types, answers)
    result.manual_items = manual_items(norm, answers)
    _add_warnings(result, absent_type_warnings(result.absent_types,
                                               [f.requirement for f in result.findings]))
    dated = docs if docs else [d for d in result.documents if d.type]
    _add_warnings(result, currency_warnings(dated))
    _add_warnings(result, manual_warnings)
