"""`normtoets parse` as text: a readable outline of each document for people.

Title, type, dates, then hoofdstukken/afdelingen with their articles; vervallen articles
are marked, the toelichting is counted. ANSI colours only when writing to a terminal.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..model import ParseResult, StructuredDocument

_TYPE_NAMES = {
    "apv": "APV (of verordening waarnaar de APV verwijst)",
    "bibob": "Bibob-beleid",
    "damocles": "Damoclesbeleid (artikel 13b Opiumwet)",
    "integriteit": "Gedragscode / integriteit",
    "agressie": "Agressieprotocol",
}
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december")
_DIV_NAMES = {"hoofdstuk": "Hoofdstuk", "titel": "Titel", "afdeling": "Afdeling", "paragraaf": "Paragraaf",
              "deel": "Deel", "bijlage": "Bijlage"}


class _Style:
    def __init__(self, color: bool):
        self.color = color

    def _w(self, code: str, s: str) -> str:
        return f"\x1b[{code}m{s}\x1b[0m" if self.color and s else s

    def bold(self, s):
        return self._w("1", s)

    def dim(self, s):
        return self._w("2", s)

    def head(self, s):
        return self._w("1;36", s)

    def warn(self, s):
        return self._w("33", s)

    def err(self, s):
        return self._w("31", s)

    def gone(self, s):
        return self._w("2;9", s) if self.color else s


def _date_nl(iso: str | None) -> str:
    if not iso:
        return "onbekend"
    try:
        y, m, d = (int(x) for x in iso.split("-"))
        return f"{d} {_MONTHS[m - 1]} {y}"
    except (ValueError, IndexError):
        return iso


def _div_label(div) -> str:
    name = _DIV_NAMES.get(div.kind, div.kind.capitalize())
    label = f"{name} {div.number}".strip() if div.kind != "paragraaf" or not div.number else f"§ {div.number}"
    return f"{label} {div.title}".strip()


_VERV_TITLE_RE = re.compile(r"^[\[(]?\s*(?:vervallen|vervalt|ingetrokken)\b.*$", re.I)


def _article_label(a) -> str:
    word = "" if a.kind == "sectie" else "Artikel "
    title = a.title
    if a.status == "vervallen" and title and _VERV_TITLE_RE.match(title):
        title = ""  # the [vervallen] mark says it already
    return f"{word}{a.number}" + (f" {title}" if title else "")


def render_document(doc: StructuredDocument, st: _Style) -> list[str]:
    out: list[str] = []
    out.append(st.bold(Path(doc.path).name))
    out.append(f"  Titel:         {doc.title or '(geen titel gevonden)'}")
    if doc.type:
        how = "opgegeven" if doc.type_source == "override" else "herkend"
        out.append(f"  Soort:         {_TYPE_NAMES.get(doc.type, doc.type)} ({how})")
    else:
        out.append("  Soort:         " + st.warn("niet herkend (gebruik --type)"))
    if doc.municipality:
        out.append(f"  Gemeente:      {doc.municipality}")
    out.append(f"  Vastgesteld:   {_date_nl(doc.adopted)}")
    out.append(f"  In werking:    {_date_nl(doc.in_force_date)}")
    fmt = doc.format.upper() + (f", {doc.pages} pagina's" if doc.pages else "")
    out.append(f"  Formaat:       {fmt}")
    verv = sum(1 for a in doc.articles if a.status == "vervallen")
    unit = "secties" if doc.articles and all(a.kind == "sectie" for a in doc.articles) else "artikelen"
    count = f"{len(doc.articles)} {unit}" + (f", waarvan {verv} vervallen" if verv else "")
    out.append(f"  Inhoud:        {count}")
    if doc.toelichting:
        n = len(doc.toelichting)
        out.append(f"  Toelichting:   {n} {'onderdeel' if n == 1 else 'onderdelen'} (telt niet als regeling)")
    for w in doc.warnings:
        out.append("  " + st.warn(f"Let op: {w}"))
    out.append("")

    # Divisions interleaved with articles in document order.
    # Indent by the kinds this document actually uses: "§ 1" is top level when nothing is above it.
    order = ["deel", "titel", "hoofdstuk", "afdeling", "paragraaf"]
    kinds = [d.kind for d in doc.divisions]
    if "titel" in kinds and "hoofdstuk" in kinds and kinds.index("hoofdstuk") < kinds.index("titel"):
        order = ["deel", "hoofdstuk", "titel", "afdeling", "paragraaf"]
    present = [k for k in order if k in kinds]
    rank = {k: i for i, k in enumerate(present)}
    starts: dict[int, list] = {}
    for div in doc.divisions:
        starts.setdefault(div.article_index, []).append(div)
    unpositioned = bool(doc.divisions) and None in starts and len(starts) == 1
    depth = 0
    for i, a in enumerate(doc.articles + [None]):
        if not unpositioned:
            for div in starts.get(i, []):
                depth = rank.get(div.kind, 0)
                line = "  " * (depth + 1) + _div_label(div)
                out.append(st.head(line) if depth == 0 else st.bold(line))
                depth += 1
        if a is None:
            break
        level = 1
        if a.kind == "sectie":
            level = a.number.count(".") + 1
            indent = "  " * level
        else:
            indent = "  " * (depth + 1)
        label = _article_label(a)
        page = st.dim(f"  (p. {a.page})") if a.page else ""
        if a.status == "vervallen":
            out.append(indent + st.gone(label) + " " + st.warn("[vervallen]") + page)
        else:
            nl = sum(1 for x in a.leden if x.number)
            leden = "  " + st.dim(f"{nl} leden") if nl > 1 else ""
            out.append(indent + label + leden + page)
    if unpositioned:  # no ordering information: list divisions after the articles
        for div in doc.divisions:
            out.append("  " + _div_label(div))
    return out


def render_outline(parse_result: ParseResult, color: bool) -> str:
    st = _Style(color)
    parts: list[str] = []
    for doc in parse_result.documents:
        parts.extend(render_document(doc, st))
        parts.append("")
    if parse_result.errors:
        parts.append(st.bold("Niet gelezen:"))
        for e in parse_result.errors:
            parts.append("  " + st.err(f"{Path(e.path).name}: {e.error}"))
        parts.append("")
    if not parse_result.documents and not parse_result.errors:
        parts.append("Geen documenten gevonden.")
    return "\n".join(parts).rstrip() + "\n"
