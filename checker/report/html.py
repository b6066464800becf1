"""One self-contained, printable, accessible Dutch HTML report (Jinja2, autoescaped).

No JavaScript and no external resources: the file is mailed around and archived, and
must look the same offline years later.
"""
from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import Any

from ..model import CheckResult, Finding
from . import (
    ITEM_KEYS,
    ITEM_LABEL,
    ITEM_SYMBOL,
    STATUS_COLOR,
    STATUS_SYMBOL,
    absent_requirement_counts,
    answer_label,
    count_statuses,
    doc_name,
    evidence_label,
    findings_by_type,
    group_counts,
    item_status_key,
    norm_items_for,
    norm_label,
    requirement_title,
    shown_criteria,
    status_label,
    trim,
    type_label,
    unique_evidence,
)

MAX_EVIDENCE = 5
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december")
# Segment order in the chart: good to bad, then what a document cannot show.
_SEGMENTS = ITEM_KEYS
_SEGMENT_COLOR = dict(STATUS_COLOR, manual="#d0d7de", absent="#ffc7ce", not_checked="#eaeef2")
_SEGMENT_TEXT = {"present": "#ffffff", "partial": "#ffffff", "missing": "#ffffff",
                 "not_applicable": "#ffffff", "manual": "#1f2328", "absent": "#1f2328",
                 "not_checked": "#1f2328"}
_SEGMENT_LABEL = ITEM_LABEL
_SEGMENT_SYMBOL = ITEM_SYMBOL


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("checker.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.globals.update(
        status_label=status_label, status_symbol=lambda s: STATUS_SYMBOL.get(s, "?"),
        type_label=type_label, doc_name=doc_name, trim=trim, answer_label=answer_label,
        item_label=lambda k: ITEM_LABEL.get(k, k), item_symbol=lambda k: ITEM_SYMBOL.get(k, "?"),
    )
    return env


def dutch_datetime(value: str | None) -> str:
    """ISO timestamp -> '25 november 2026, 12:30'; unparsable values are shown as given."""
    if not value:
        return ""
    try:
        d = _dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    text = f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    if "T" in value or " " in value:
        text += f", {d:%H:%M}"
    return text


def _dutch_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        d = _dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _chart(rows: list[dict[str, Any]], title: str, chart_id: str) -> dict[str, Any]:
    """Geometry of a horizontal 100 %-stacked bar chart, one bar per row."""
    label_w, bar_w, bar_h, gap, top = 300, 440, 26, 12, 8
    width = label_w + bar_w + 60
    bars = []
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        total = sum(row["counts"].get(s, 0) for s in _SEGMENTS)
        x = label_w
        segs = []
        for s in _SEGMENTS:
            n = row["counts"].get(s, 0)
            if not n or not total:
                continue
            w = bar_w * n / total
            segs.append({
                "status": s, "name": _SEGMENT_LABEL[s].lower(), "x": round(x, 2), "w": round(w, 2), "n": n,
                "fill": _SEGMENT_COLOR[s], "text": _SEGMENT_TEXT[s],
                # symbol + number where it fits, number alone where narrow
                "label": f"{_SEGMENT_SYMBOL[s]} {n}" if w >= 38 else (str(n) if w >= 14 else ""),
            })
            x += w
        desc = ", ".join(f"{row['counts'].get(s, 0)} {_SEGMENT_LABEL[s].lower()}"
                         for s in _SEGMENTS if row["counts"].get(s, 0))
        bars.append({"label": trim(row["label"], 40), "y": y, "h": bar_h, "segments": segs,
                     "total": total, "desc": f"{row['label']}: {desc or 'geen'}",
                     "total_x": label_w + bar_w + 8})
    height = top * 2 + len(rows) * (bar_h + gap)
    # Legend under the bars, wrapping to a new line instead of running off the canvas.
    legend = []
    lx, ly = label_w, height + 4
    for s in _SEGMENTS:
        if not any(r["counts"].get(s, 0) for r in rows):
            continue
        text = f"{_SEGMENT_SYMBOL[s]} {_SEGMENT_LABEL[s]}"
        item_w = 19 + int(7.6 * len(text)) + 22
        if lx > label_w and lx + item_w > width:
            lx, ly = label_w, ly + 22
        legend.append({"x": lx, "y": ly, "fill": _SEGMENT_COLOR[s], "label": text})
        lx += item_w
    return {"width": width, "height": ly + 22, "bars": bars, "legend": legend,
            "label_x": label_w - 10, "bar_w": bar_w, "title": title, "id": chart_id}


def _finding_view(f: Finding, norm_items: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    evidence = unique_evidence(f)
    # a quote's role is a criterion id; show the criterion's Dutch label instead
    roles = {c.id: c.label for c in f.criteria}
    items = norm_items.get(f.requirement, [])
    item_ids = {str(i.get("id")) for i in items}
    refs = [{"id": str(i.get("id", "")), "text": i.get("text", "") or ""} for i in items]
    # norm refs of other norms (e.g. TW next to NH) are still worth showing, without text
    refs += [{"id": r, "text": ""} for r in f.norm_refs if r not in item_ids]
    return {
        "id": f.requirement,
        "status": f.status,
        "title": requirement_title(f),
        "explanation": f.explanation,
        "refs": refs,
        "criteria": shown_criteria(f),
        "evidence": [{"document": doc_name(ev.document), "where": evidence_label(ev, doc_type=f.type),
                      "quote": trim(ev.quote, 500), "role": roles.get(ev.role or "", ev.role)}
                     for ev in evidence[:MAX_EVIDENCE]],
        "more_evidence": max(0, len(evidence) - MAX_EVIDENCE),
    }


def _context(result: CheckResult) -> dict[str, Any]:
    by_req = {f.requirement: f for f in result.findings}
    norm_items = norm_items_for(result)
    sections = []
    for doc_type, findings in findings_by_type(result):
        sections.append({
            "type": doc_type,
            "anchor": f"soort-{doc_type}",
            "label": type_label(doc_type),
            "documents": [doc_name(d.path) for d in result.documents
                          if d.type == doc_type and not d.duplicate_of],
            "counts": count_statuses(findings),
            "findings": [_finding_view(f, norm_items) for f in findings],
        })

    groups = []
    for g in result.groups or []:
        counts = group_counts(g, by_req)
        items = g.get("items", []) or []
        groups.append({
            "id": str(g.get("id", "")),
            "title": g.get("title") or str(g.get("id", "")),
            "counts": counts,
            "items": [{
                "id": str(it.get("id", "")), "text": it.get("text", "") or "",
                "key": item_status_key(it.get("status"), bool(it.get("manual"))),
                "answer": it.get("answer"), "note": it.get("note") or "",
                "reason": it.get("reason") or "",
                "requirements": [r for r in it.get("requirements", []) or [] if r in by_req],
            } for it in items],
        })
    group_columns = [k for k in ITEM_KEYS if any(g["counts"].get(k) for g in groups)]

    # Requirements per document type say where to act; the norm view's groups say how far
    # the municipality is per theme. Both, when the norm view supplied groups.
    charts = []
    if sections:
        charts.append(_chart([{"label": s["label"], "counts": s["counts"]} for s in sections],
                             "Eisen per documentsoort", "chart-soort"))
    if groups:
        charts.append(_chart([{"label": g["title"], "counts": g["counts"]} for g in groups],
                             "Normonderdelen per normgroep", "chart-groep"))

    per_type = absent_requirement_counts()
    absent = [{"type": t, "label": type_label(t), "n": per_type.get(t)} for t in result.absent_types]
    docs = [{
        "name": doc_name(d.path), "type": type_label(d.type),
        "override": d.type_source == "override", "title": d.title, "format": d.format,
        "adopted": _dutch_date(d.adopted), "in_force": _dutch_date(d.in_force_date),
        "pages": d.pages, "articles": d.articles, "warnings": d.warnings,
        "duplicate_of": doc_name(d.duplicate_of) if d.duplicate_of else None,
    } for d in result.documents]
    manual_answered = sum(1 for m in result.manual_items if m.answer)
    generated = result.generated or _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return {
        "r": result,
        "municipality": result.municipality,
        "norm": norm_label(result.norm),
        "documents": docs,
        "errors": [{"name": doc_name(e.path), "error": e.error} for e in result.errors],
        "absent": absent,
        "totals": count_statuses(result.findings),
        "n_findings": len(result.findings),
        "sections": sections,
        "groups": groups,
        "group_columns": group_columns,
        "charts": charts,
        "status_of": {f.requirement: f.status for f in result.findings},
        "statuses": [s for s in ("present", "partial", "missing", "not_applicable")],
        "manual_items": result.manual_items,
        "manual_answered": manual_answered,
        "warnings": result.warnings,
        "generated": dutch_datetime(generated),
        "generated_iso": generated,
        "version": result.version or "onbekend",
        "rules_version": result.rules_version or "onbekend",
        "colors": STATUS_COLOR,
    }


def render_html(result: CheckResult) -> str:
    return _env().get_template("report.html.j2").render(**_context(result))
