"""RawDocument -> StructuredDocument.

clean.py     page furniture out, style hints condensed into Line
headings.py  article / division heading versus reference in running text
sections.py  numbered sections of policy documents without articles
builder.py   the walk: divisions, articles, vervallen, toelichting, ondertekening, bijlage
leden.py     leden and onderdelen inside an article
meta.py      title, municipality, dates
doctype.py   apv | bibob | damocles | integriteit | agressie | None
"""
from __future__ import annotations

from ..model import RawDocument, StructuredDocument
from .builder import build
from .clean import clean_blocks
from .doctype import detect_type
from .meta import find_adopted, find_in_force, find_municipality, find_title

__all__ = ["structure_document"]


def structure_document(raw: RawDocument, type_override: str | None = None) -> StructuredDocument:
    lines = clean_blocks(raw)
    built = build(lines)
    title, title_line = find_title(lines, built.preamble, built.first_struct, raw.metadata)
    preamble = [ln for ln in built.preamble if ln is not title_line]

    # Type cues come from the regulating text, not from a toelichting that discusses others.
    body_text = "\n".join([ln.text for ln in built.preamble]
                          + [f"{a.heading}\n{a.text}" for a in built.articles])
    if len(body_text) < 200:
        body_text = "\n".join(ln.text for ln in lines)
    doc_type, source, scores = detect_type(title, body_text, raw.path, type_override)

    doc = StructuredDocument(
        path=raw.path, format=raw.format, type=doc_type, title=title, type_source=source,
        type_scores=scores, pages=raw.pages, sha256=raw.sha256,
        articles=built.articles, divisions=built.divisions, toelichting=built.notes,
        warnings=list(raw.warnings),
    )
    doc.preamble = "\n".join(ln.text for ln in preamble)
    doc.municipality = find_municipality(title, lines)
    meta = raw.metadata or {}
    doc.adopted = find_adopted(title, built.signature, lines, built.articles, built.preamble) or meta.get("adopted")
    doc.in_force_date = find_in_force(built.articles, built.preamble, built.signature) or meta.get("in_force_date")
    if not built.articles:
        doc.warnings.append("Geen artikelen of genummerde onderdelen herkend in dit document.")
    return doc
