"""Reports: json (contract), text (terminal), markdown, html, csv, xlsx.

The helpers below are the one place where statuses, document types and evidence are
turned into Dutch words, so every format says the same thing the same way.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..model import DOC_TYPES, STATUSES, CheckResult, Evidence, Finding
from ..norms.view import aggregate
from .jsonout import check_dict, dumps, write_text

# Word, symbol and colour per status. Symbols differ in shape so the status never
# depends on colour alone (colour-blind readers, black-and-white print).
STATUS_WORD = {
    "present": "AANWEZIG",
    "partial": "GEDEELTELIJK",
    "missing": "ONTBREEKT",
    "not_applicable": "N.V.T.",
}
STATUS_LABEL = {  # sentence case, for HTML / spreadsheets
    "present": "Aanwezig",
    "partial": "Gedeeltelijk",
    "missing": "Ontbreekt",
    "not_applicable": "Niet van toepassing",
}
STATUS_SYMBOL = {"present": "✔", "partial": "◐", "missing": "✘", "not_applicable": "–"}
STATUS_COLOR = {  # AA contrast against white for text, used as bar fill too
    "present": "#1a7f37",
    "partial": "#9a6700",
    "missing": "#c0221b",
    "not_applicable": "#57606a",
}
# Worst first: the order in which a reader should act.
STATUS_ORDER = ("missing", "partial", "present", "not_applicable")

TYPE_LABEL = {
    "apv": "APV",
    "bibob": "Bibob-beleid",
    "damocles": "Damoclesbeleid",
    "integriteit": "Gedragscode / integriteit",
    "agressie": "Agressieprotocol",
}
NORM_LABEL = {
    "noord-holland": "Noord-Hollandse Norm Weerbare Overheid",
    "twente": "Twente Weerbare Overheid – basis op orde",
    "limburg": "Limburgse norm weerbare overheid",
}
ANSWER_LABEL = {  # manual answers may use status words or plain yes/no
    "present": "voldoet", "ja": "voldoet", "yes": "voldoet", "voldoet": "voldoet",
    "partial": "gedeeltelijk", "gedeeltelijk": "gedeeltelijk",
    "missing": "voldoet niet", "nee": "voldoet niet", "no": "voldoet niet",
    "not_applicable": "niet van toepassing", "nvt": "niet van toepassing",
}


def status_word(status: str) -> str:
    return STATUS_WORD.get(status, status.upper())


def status_label(status: str) -> str:
    return STATUS_LABEL.get(status, status)


def type_label(doc_type: str | None) -> str:
    if not doc_type:
        return "onbekende documentsoort"
    return TYPE_LABEL.get(doc_type, doc_type)


def norm_label(norm: str) -> str:
    return NORM_LABEL.get(norm, norm)


def answer_label(answer: str | None) -> str:
    if answer is None or str(answer).strip() == "":
        return "nog niet beantwoord"
    a = str(answer).strip()
    return ANSWER_LABEL.get(a.lower(), a)


def doc_name(path: str | None) -> str:
    return Path(path).name if path else ""


def location_label(location: str | None, doc_type: str | None = None) -> str:
    """'2:28' -> 'art. 2:28'; a numbered section of a policy document '3.1' -> 'par. 3.1'.

    Mirrors the rules engine's wording: APV articles are always "art."; in the other
    document types a dotted number is a section (paragraaf), a plain one an Artikel.
    """
    if not location:
        return ""
    loc = str(location).strip()
    if not loc[:1].isdigit():
        return loc  # names itself ("Bijlage 1", "Preambule")
    if doc_type and doc_type != "apv" and "." in loc.rstrip("."):
        return f"par. {loc}"
    return f"art. {loc}"


def trim(text: str, limit: int = 220) -> str:
    """Collapse whitespace and cut at a word boundary with an ellipsis."""
    t = " ".join((text or "").split())
    if len(t) <= limit:
        return t
    cut = t[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def evidence_label(ev: Evidence, with_document: bool = False, doc_type: str | None = None) -> str:
    """'apv.pdf, art. 2:28 (p. 31)' - where a quote comes from."""
    parts = []
    if with_document and ev.document:
        parts.append(doc_name(ev.document))
    loc = location_label(ev.location, doc_type)
    if loc:
        parts.append(loc)
    where = ", ".join(parts)
    if ev.page:
        where = f"{where} (p. {ev.page})" if where else f"p. {ev.page}"
    return where


def evidence_line(ev: Evidence, limit: int = 200, with_document: bool = False,
                  doc_type: str | None = None) -> str:
    where = evidence_label(ev, with_document=with_document, doc_type=doc_type)
    quote = trim(ev.quote, limit)
    if where and quote:
        return f"{where}: '{quote}'"
    return where or f"'{quote}'"


def unique_evidence(f: Finding) -> list[Evidence]:
    """Evidence of a finding plus that of its criteria, without repeating a quote."""
    seen: set[tuple] = set()
    out: list[Evidence] = []
    for ev in list(f.evidence) + [e for c in f.criteria for e in c.evidence]:
        key = (ev.document, ev.location, " ".join((ev.quote or "").split()))
        if key in seen:
            continue
        seen.add(key)
        out.append(ev)
    return out


def shown_criteria(f: Finding) -> list:
    """Criteria worth showing: for a met requirement the unmet ones are alternatives that
    were not needed (e.g. "meldplicht" next to a licence) and would only confuse."""
    if f.status in ("present", "not_applicable"):
        return [c for c in f.criteria if c.met]
    return list(f.criteria)


def locations(f: Finding) -> list[str]:
    out: list[str] = []
    for ev in f.evidence:
        if ev.location and ev.location not in out:
            out.append(ev.location)
    return out


def pages(f: Finding) -> list[int]:
    out: list[int] = []
    for ev in f.evidence:
        if ev.page and ev.page not in out:
            out.append(ev.page)
    return sorted(out)


def count_statuses(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for f in findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    return counts


def findings_by_type(result: CheckResult) -> list[tuple[str, list[Finding]]]:
    """Findings grouped per document type in the canonical type order; rule order kept."""
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        t = f.type or f.requirement.split(".", 1)[0]
        groups.setdefault(t, []).append(f)
    order = list(DOC_TYPES) + sorted(t for t in groups if t not in DOC_TYPES)
    return [(t, groups[t]) for t in order if t in groups]


@lru_cache(maxsize=1)
def suggestions() -> dict[str, dict[str, Any]]:
    """Per requirement: Dutch title, what the norm asks, usual model wording, placement keywords."""
    import yaml

    path = Path(__file__).with_name("templates") / "suggestions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data.get("requirements", {})


def requirement_title(f: Finding) -> str:
    if f.title and f.title != f.requirement:
        return f.title
    return suggestions().get(f.requirement, {}).get("title", f.requirement)


def norm_items_for(result: CheckResult) -> dict[str, list[dict[str, Any]]]:
    """requirement id -> the norm items (id, text) of the chosen norm view that it serves."""
    out: dict[str, list[dict[str, Any]]] = {}
    for g in result.groups or []:
        for item in g.get("items", []) or []:
            for req in item.get("requirements", []) or []:
                out.setdefault(req, []).append(item)
    return out


# Norm-item statuses beyond the four finding statuses, as the norm view writes them.
ITEM_STATUS_KEY = {
    "handmatig": "manual", "manual": "manual",
    "document ontbreekt": "absent", "absent": "absent",
    "niet getoetst": "not_checked", "not_checked": "not_checked",
}
ITEM_LABEL = dict(STATUS_LABEL, manual="Handmatig", absent="Document ontbreekt",
                  not_checked="Niet getoetst")
ITEM_SYMBOL = dict(STATUS_SYMBOL, manual="?", absent="∅", not_checked="·")
ITEM_KEYS = ("present", "partial", "missing", "not_applicable", "manual", "absent", "not_checked")


def item_status_key(status: str | None, manual: bool = False) -> str:
    """Normalise a norm item's status to one of ITEM_KEYS."""
    if status in STATUSES:
        return status
    if status is None:
        return "manual" if manual else "not_checked"
    return ITEM_STATUS_KEY.get(str(status).strip().lower(), "not_checked")


def group_counts(group: dict[str, Any], by_req: dict[str, Finding]) -> dict[str, int]:
    """Counts per (normalised) item status of a norm group.

    Counted from the items when they carry statuses (robust against count-key spellings),
    else taken from the view's own `counts`.
    """
    counts = {k: 0 for k in ITEM_KEYS}
    items = group.get("items", []) or []
    if items:
        for item in items:
            st = item.get("status")
            if st is None and not item.get("manual"):
                reqs = [by_req[r].status for r in item.get("requirements", []) or [] if r in by_req]
                st = aggregate(reqs) if reqs else None
            key = item_status_key(st, bool(item.get("manual")))
            if key == "manual" and item.get("answer") in STATUSES:
                key = item["answer"]  # answered by the municipality: counts as that status
            counts[key] += 1
        return counts
    for k, v in (group.get("counts") or {}).items():
        counts[item_status_key(k)] += int(v or 0)
    return counts


def absent_requirement_counts() -> dict[str, int]:
    """How many requirements each document type carries (norm data, else our suggestions)."""
    counts: dict[str, int] = {}
    try:
        from ..norms.data import all_requirement_ids, requirement_type

        for rid in all_requirement_ids():
            t = requirement_type(rid)
            counts[t] = counts.get(t, 0) + 1
    except Exception:  # noqa: BLE001 - the norm stage may be unavailable; reports still render
        counts = {}
    if not counts:
        for rid in suggestions():
            t = rid.split(".", 1)[0]
            counts[t] = counts.get(t, 0) + 1
    return counts


def render(result: CheckResult, fmt: str, output: str | Path | None = None, color: bool = False) -> None:
    if fmt == "json":
        write_text(dumps(check_dict(result)), output)
        return
    if fmt == "text":
        from .text import render_text

        write_text(render_text(result, color=color), output)
        return
    if fmt == "markdown":
        from .markdown import render_markdown

        write_text(render_markdown(result), output)
        return
    if fmt == "html":
        from .html import render_html

        write_text(render_html(result), output)
        return
    if fmt == "csv":
        from .tabular import render_csv

        write_text(render_csv(result), output)
        return
    if fmt == "xlsx":
        from .tabular import render_xlsx

        if output is None:
            from ..errors import UsageError

            raise UsageError("Voor --format xlsx is --output nodig.")
        write_text(render_xlsx(result), output)
        return
    raise ValueError(fmt)
