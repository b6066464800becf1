"""Region-wide outputs, rebuilt from the per-municipality JSON files at the end of a run:
matrix.csv, matrix.xlsx and the self-contained index.html heatmap."""
from __future__ import annotations

import csv
import datetime as _dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import DOC_TYPES
from ..report.jsonout import write_text

ABSENT = "document ontbreekt"

# Letter + colour per cell so the status never depends on colour alone.
CELL = {
    "present": ("A", "aanwezig", "#1a7f37", "#ffffff"),
    "partial": ("G", "gedeeltelijk", "#f2c94c", "#1f2328"),
    "missing": ("O", "ontbreekt", "#c0221b", "#ffffff"),
    "not_applicable": ("N", "niet van toepassing", "#8c959f", "#ffffff"),
    ABSENT: ("–", "document ontbreekt", "#eaeef2", "#57606a"),
    "": ("?", "niet beoordeeld", "#ffffff", "#57606a"),
}
XLSX_FILL = {"present": "B7E4C7", "partial": "FFE08A", "missing": "F4A6A2",
             "not_applicable": "D0D7DE", ABSENT: "EEEEEE"}
TYPE_LABEL = {"apv": "APV", "bibob": "Bibob", "damocles": "Damocles",
              "integriteit": "Integriteit", "agressie": "Agressie"}

# Compliance rank: not_applicable is a documented ban and meets the norm like present.
RANK = {"missing": 0, ABSENT: 0, "partial": 1, "present": 2, "not_applicable": 2}


@dataclass
class Row:
    """One municipality as the region outputs show it."""

    name: str
    stem: str
    statuses: dict[str, str]                      # requirement -> status / ABSENT / ""
    errors: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    generated: str = ""
    html: str | None = None                        # report file name, when written
    previous: dict[str, str] | None = None         # statuses of the previous check
    previous_generated: str = ""
    skipped: bool = False
    changes: dict[str, str] = field(default_factory=dict)  # requirement -> "up" | "down"


def statuses_of(d: dict[str, Any], catalogue: list[tuple[str, str]]) -> dict[str, str]:
    """Cell values of a check JSON: the finding's status, ABSENT for a type that was not
    among the documents, "" where neither applies (e.g. rules newer than the result)."""
    found = {f["requirement"]: f["status"] for f in d.get("findings") or []}
    absent = set(d.get("absent_types") or [])
    if not d.get("absent_types") and "absent_types" not in d:
        checked = {x.get("type") for x in d.get("documents") or []}
        absent = {t for t in DOC_TYPES if t not in checked}
    out = {}
    for req, typ in catalogue:
        if req in found:
            out[req] = found[req]
        elif typ in absent:
            out[req] = ABSENT
        else:
            out[req] = ""
    for req, st in found.items():  # findings outside the catalogue still count
        out.setdefault(req, st)
    return out


def compute_changes(row: Row) -> None:
    row.changes = {}
    if not row.previous:
        return
    for req, now in row.statuses.items():
        before = row.previous.get(req)
        if before is None or RANK.get(now) is None or RANK.get(before) is None:
            continue
        if RANK[now] > RANK[before]:
            row.changes[req] = "up"
        elif RANK[now] < RANK[before]:
            row.changes[req] = "down"


# ---------------------------------------------------------------- matrix


def matrix_csv(rows: list[Row], catalogue: list[tuple[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    ids = [r for r, _t in catalogue]
    w.writerow(["gemeente", *ids])
    for row in rows:
        w.writerow([row.name, *(row.statuses.get(r, "") for r in ids)])
    return buf.getvalue()


def matrix_xlsx(rows: list[Row], catalogue: list[tuple[str, str]], norm: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ids = [r for r, _t in catalogue]
    wb = Workbook()
    ws = wb.active
    ws.title = "Matrix"
    ws.append(["gemeente", *ids])
    for row in rows:
        ws.append([row.name, *(row.statuses.get(r, "") for r in ids)])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(text_rotation=90, vertical="bottom", horizontal="center")
    ws["A1"].alignment = Alignment(vertical="bottom")
    ws.row_dimensions[1].height = 190
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = max([12] + [len(r.name) + 2 for r in rows])
    for i in range(2, len(ids) + 2):
        ws.column_dimensions[get_column_letter(i)].width = 13
    if rows and ids:
        rng = f"B2:{get_column_letter(len(ids) + 1)}{len(rows) + 1}"
        for status, color in XLSX_FILL.items():
            fill = PatternFill(start_color=color, end_color=color, fill_type="solid")
            ws.conditional_formatting.add(
                rng, CellIsRule(operator="equal", formula=[f'"{status}"'], fill=fill))
        ws.auto_filter.ref = f"A1:{get_column_letter(len(ids) + 1)}{len(rows) + 1}"

    errs = wb.create_sheet("Fouten")
    errs.append(["gemeente", "bestand", "fout", "code"])
    for cell in errs[1]:
        cell.font = bold
    for row in rows:
        for e in row.errors:
            errs.append([row.name, Path(e.get("path") or "").name, e.get("error", ""), e.get("code", "")])
    errs.freeze_panes = "A2"
    for col, width in (("A", 24), ("B", 36), ("C", 90), ("D", 14)):
        errs.column_dimensions[col].width = width

    legend = wb.create_sheet("Legenda")
    legend.append(["waarde", "betekenis"])
    for cell in legend[1]:
        cell.font = bold
    for status in ("present", "partial", "missing", "not_applicable", ABSENT):
        legend.append([status, CELL[status][1]])
        legend.cell(row=legend.max_row, column=1).fill = PatternFill(
            start_color=XLSX_FILL[status], end_color=XLSX_FILL[status], fill_type="solid")
    legend.append([])
    legend.append(["norm", norm])
    legend.column_dimensions["A"].width = 22
    legend.column_dimensions["B"].width = 40

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- index


def render_index(rows: list[Row], catalogue: list[tuple[str, str]], *, norm: str, version: str,
                 region: str, summary: str) -> str:
    from urllib.parse import quote

    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("checker.batch", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    groups: list[dict[str, Any]] = []
    for req, typ in catalogue:
        if not groups or groups[-1]["type"] != typ:
            groups.append({"type": typ, "label": TYPE_LABEL.get(typ, typ), "count": 0})
        groups[-1]["count"] += 1
    columns = [{"id": req, "short": req.split(".", 1)[-1], "type": typ} for req, typ in catalogue]
    view_rows = []
    totals = {"up": 0, "down": 0}
    for row in rows:
        counts = {k: 0 for k in ("present", "partial", "missing", "not_applicable", ABSENT)}
        cells = []
        for req, _typ in catalogue:
            st = row.statuses.get(req, "")
            if st in counts:
                counts[st] += 1
            letter, label, bg, fg = CELL.get(st, CELL[""])
            change = row.changes.get(req, "")
            before = (row.previous or {}).get(req)
            title = f"{row.name} – {req}: {label}"
            if change:
                title += (" (verbeterd" if change == "up" else " (verslechterd") + \
                    f", was {CELL.get(before, CELL[''])[1]})"
            cells.append({"letter": letter, "bg": bg, "fg": fg, "title": title, "change": change,
                          "status": st or "none"})
        up = sum(1 for c in row.changes.values() if c == "up")
        down = sum(1 for c in row.changes.values() if c == "down")
        totals["up"] += up
        totals["down"] += down
        report = row.html or f"{row.stem}.json"
        view_rows.append({
            "name": row.name, "href": quote(report), "json": quote(f"{row.stem}.json"),
            "has_html": bool(row.html), "cells": cells, "counts": counts, "up": up, "down": down,
            "errors": row.errors, "generated": row.generated[:16].replace("T", " "),
            "previous": row.previous_generated[:10], "has_previous": row.previous is not None,
            "skipped": row.skipped,
        })
    template = env.get_template("index.html.j2")
    return template.render(
        rows=view_rows, groups=groups, columns=columns, norm=norm, version=version, region=region,
        summary=summary, totals=totals, legend=[CELL[s] for s in ("present", "partial", "missing",
                                                                  "not_applicable", ABSENT)],
        generated=_dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
    )


def write_outputs(out: Path, rows: list[Row], catalogue: list[tuple[str, str]], *, norm: str,
                  version: str, region: str, summary: str) -> list[str]:
    """Write matrix.csv, matrix.xlsx and index.html atomically. Returns Dutch warnings."""
    warnings = []
    write_text(matrix_csv(rows, catalogue), out / "matrix.csv")
    try:
        write_text(matrix_xlsx(rows, catalogue, norm), out / "matrix.xlsx")
    except ImportError:
        warnings.append("matrix.xlsx niet geschreven: openpyxl ontbreekt.")
    write_text(render_index(rows, catalogue, norm=norm, version=version, region=region,
                            summary=summary), out / "index.html")
    return warnings
