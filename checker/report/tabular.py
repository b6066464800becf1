"""CSV (one row per requirement, for scripts) and XLSX (for the people who fill in the
implementatieoverzicht: requirements, manual norm items, documents)."""
from __future__ import annotations

import csv
import io

from ..model import CheckResult, Finding
from . import (
    STATUS_LABEL,
    answer_label,
    doc_name,
    evidence_line,
    findings_by_type,
    locations,
    pages,
    requirement_title,
    shown_criteria,
    status_label,
    type_label,
    unique_evidence,
)

CSV_COLUMNS = ["requirement", "titel", "documentsoort", "status", "locaties", "pagina's",
               "toelichting", "normverwijzingen"]


def _ordered(result: CheckResult) -> list[Finding]:
    return [f for _, fs in findings_by_type(result) for f in fs]


def render_csv(result: CheckResult) -> str:
    buf = io.StringIO()
    # status stays the contract code (present/partial/...) so scripts can compare runs.
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for f in _ordered(result):
        w.writerow([
            f.requirement,
            requirement_title(f),
            type_label(f.type or f.requirement.split(".", 1)[0]),
            f.status,
            "; ".join(locations(f)),
            "; ".join(str(p) for p in pages(f)),
            " ".join(f.explanation.split()),
            "; ".join(f.norm_refs),
        ])
    return buf.getvalue()


# Light fills with dark text: readable on screen and in grey-scale print.
_FILLS = {
    "present": "C6EFCE",
    "partial": "FFEB9C",
    "missing": "FFC7CE",
    "not_applicable": "E7E6E6",
}


def _sheet(wb, title: str, header: list[str], rows: list[list], widths: list[int], first: bool = False):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    head_fill = PatternFill("solid", fgColor="1F3B57")
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = head_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(len(header))
    ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 1)}"
    return ws


def render_xlsx(result: CheckResult) -> bytes:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    rows = []
    for f in _ordered(result):
        evidence = "\n".join(evidence_line(ev, limit=300, with_document=True, doc_type=f.type)
                             for ev in unique_evidence(f)[:5])
        unmet = "; ".join(c.label + (f" ({c.note})" if c.note else "") for c in shown_criteria(f) if not c.met)
        rows.append([
            f.requirement, requirement_title(f), type_label(f.type or f.requirement.split(".", 1)[0]),
            status_label(f.status), "; ".join(locations(f)), "; ".join(str(p) for p in pages(f)),
            " ".join(f.explanation.split()), unmet, "; ".join(f.norm_refs), evidence,
        ])
    header = ["Eis", "Titel", "Documentsoort", "Status", "Locaties", "Pagina's", "Toelichting",
              "Niet gehaalde criteria", "Normverwijzingen", "Bewijs"]
    ws = _sheet(wb, "Eisen", header, rows, [34, 44, 22, 18, 16, 10, 50, 40, 18, 70], first=True)
    if rows:
        # Conditional formatting (not static fills) so the colour follows the status when a
        # user corrects a cell or sorts the sheet.
        area = f"A2:{get_column_letter(len(header))}{ws.max_row}"
        for status, color in _FILLS.items():
            fill = PatternFill(start_color=color, end_color=color, fill_type="solid")
            ws.conditional_formatting.add(
                area, FormulaRule(formula=[f'$D2="{STATUS_LABEL[status]}"'], fill=fill,
                                  font=Font(color="000000")))

    manual_rows = [[m.norm_item, m.group, " ".join(m.text.split()), answer_label(m.answer), m.note]
                   for m in result.manual_items]
    _sheet(wb, "Handmatig", ["Normonderdeel", "Groep", "Tekst", "Antwoord", "Opmerking"],
           manual_rows, [14, 28, 80, 20, 40])

    doc_rows = []
    for d in result.documents:
        doc_rows.append([doc_name(d.path), type_label(d.type), d.title, d.format, d.adopted or "",
                         d.in_force_date or "", d.pages, d.articles, "; ".join(d.warnings)])
    for e in result.errors:
        doc_rows.append([doc_name(e.path), "niet gelezen", "", "", "", "", None, None, e.error])
    _sheet(wb, "Documenten", ["Bestand", "Soort", "Titel", "Formaat", "Vastgesteld", "In werking",
                              "Pagina's", "Artikelen", "Opmerkingen"],
           doc_rows, [36, 24, 44, 9, 13, 13, 10, 10, 60])

    wb.properties.title = f"Normtoets {result.municipality or ''}".strip()
    wb.properties.creator = "normtoets"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
