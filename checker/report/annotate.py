"""`normtoets annotate`: a copy of a DOCX draft with one Word comment per requirement that
is not (fully) met, anchored where a drafter would fix it.

- partial: at the heading of the article the evidence comes from ("Artikel 2:28 ...").
- missing: at the division heading whose title fits the subject (horeca -> the afdeling
  on horecabedrijven, seksbedrijf -> Hoofdstuk 3), found with the keywords in
  templates/suggestions.yaml; else at the first paragraph.

The body is never touched: only comment range markers and reference runs are added, so
the text of every paragraph stays identical to the draft.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DocumentError, UsageError
from ..model import CheckResult, Finding, StructuredDocument
from . import requirement_title, status_word, suggestions, trim

AUTHOR = "normtoets"
INITIALS = "NT"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DIVISION_RE = re.compile(r"^\s*(hoofdstuk|afdeling|paragraaf|titel|deel|§)\s*[\dIVXivx]", re.I)
_NUMBERED_HEADING_RE = re.compile(r"^\s*\d+(?:\.\d+)*\s+[A-ZÀ-Ý]")
_HEADING_STYLE_RE = re.compile(r"^(heading|kop|title|titel)\b", re.I)


@dataclass
class _Para:
    index: int
    paragraph: object               # docx.text.paragraph.Paragraph
    text: str
    heading: bool                   # styled as a heading, or looks like one
    division: bool                  # Hoofdstuk / Afdeling / Paragraaf / §
    runs: list = field(default_factory=list)


@dataclass
class Placement:
    requirement: str
    status: str
    paragraph: int                  # index among the document's paragraphs
    anchor_text: str
    how: str                        # article | division | heading | first


def _para_text(p) -> str:
    # All visible text, including runs inside tracked insertions (w:ins), which
    # python-docx's Paragraph.text leaves out; deleted text is in w:delText, not w:t.
    return "".join(t.text or "" for t in p._p.iter(_W + "t"))


def _text_runs(p) -> list:
    from docx.text.run import Run

    runs = [r for r in p.runs if r.text]
    if runs:
        return runs
    return [Run(r, p) for r in p._p.iter(_W + "r") if any(True for _ in r.iter(_W + "t"))]


def _paragraphs(document) -> list[_Para]:
    """Body paragraphs in reading order, table cells included (some drafts put headings there)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[_Para] = []

    def add(p: Paragraph) -> None:
        text = " ".join(_para_text(p).split())
        style = (p.style.name if p.style is not None else "") or ""
        division = bool(_DIVISION_RE.match(text)) and len(text) < 160
        styled = bool(_HEADING_STYLE_RE.match(style))
        short = len(text) < 100 and not text.endswith((".", ";", ":", ","))
        looks = (division
                 or bool(re.match(r"^\s*(artikel|art\.)\s*\d", text, re.I) and len(text) < 160)
                 # "3.2 Beschikkingen ..." typed as a Normal paragraph, or a bold short line
                 or (short and bool(_NUMBERED_HEADING_RE.match(text)))
                 or (short and bool(text) and all(r.bold for r in p.runs if r.text.strip())
                     and any(r.text.strip() for r in p.runs)))
        out.append(_Para(len(out), p, text, styled or looks, division))

    def walk(container) -> None:
        for block in container.iter_inner_content():
            if isinstance(block, Paragraph):
                add(block)
            elif isinstance(block, Table):
                seen = set()
                for row in block.rows:
                    for cell in row.cells:
                        if id(cell._tc) in seen:   # merged cells repeat
                            continue
                        seen.add(id(cell._tc))
                        walk(cell)

    walk(document)
    return out


def _number_pattern(number: str) -> str:
    """'2:28' matches '2:28', '2.28', '2 : 28' - never '2:280' or '2:28a'."""
    parts = re.split(r"\s*[:.]\s*", number.strip().rstrip("."))
    body = r"\s*[:.]\s*".join(re.escape(p) for p in parts if p)
    return body + r"(?![0-9A-Za-z]|[:.]\d)"


def _find_article(paras: list[_Para], number: str, title: str | None) -> _Para | None:
    if not number:
        return None
    num = _number_pattern(number)
    article = re.compile(rf"^\s*(?:artikel|art\.?)\s*{num}", re.I)
    for p in paras:
        if article.match(p.text):
            return p
    # Numbered policy sections ("3.2 Reikwijdte") and "§ 4"
    section = re.compile(rf"^\s*(?:§\s*|sectie\s+|paragraaf\s+)?{num}\.?\s", re.I)
    for p in paras:
        # a numbered lid ("2. De burgemeester ...;") is no section heading
        heading_like = p.heading or (len(p.text) < 100 and not p.text.rstrip().endswith((".", ";", ":", ",")))
        if heading_like and len(p.text) < 160 and section.match(p.text + " "):
            return p
    # Auto-numbered heading styles: the number is not in the text, the title is.
    if title:
        t = " ".join(title.split()).lower()
        for p in paras:
            if p.heading and p.text.lower().rstrip(" .") == t.rstrip(" ."):
                return p
    return None


def _keywords(requirement: str) -> list[str]:
    kws = suggestions().get(requirement, {}).get("keywords") or []
    return [k.lower() for k in kws]


_TOELICHTING_RE = re.compile(r"^\s*(algemene\s+)?toelichting\b", re.I)
_DEFINITION_RE = re.compile(r"begrip|definitie", re.I)


def _regulating(paras: list[_Para]) -> list[_Para]:
    """Paragraphs before the Toelichting: a provision belongs in the articles, not the notes."""
    for p in paras:
        if p.heading and p.index > 0 and _TOELICHTING_RE.match(p.text):
            return paras[: p.index]
    return paras


def _find_place(paras: list[_Para], requirement: str) -> tuple[_Para | None, str]:
    """The heading where a missing provision belongs: best keyword hit, divisions first."""
    kws = _keywords(requirement)
    best: tuple[float, int] | None = None
    chosen: _Para | None = None
    how = "first"
    for p in _regulating(paras):
        if not p.heading or not p.text:
            continue
        low = p.text.lower()
        score = 0.0
        for rank, kw in enumerate(kws):
            if kw in low:
                # earlier keywords are the specific ones ("shisha" before "horeca")
                score = max(score, len(kws) - rank)
        if not score:
            continue
        score += 0.5 if p.division else 0.0
        key = (score, -p.index)
        if best is None or key > best:
            best, chosen = key, p
            how = "division" if p.division else "heading"
    return chosen, how


def _first_paragraph(paras: list[_Para]) -> _Para | None:
    return next((p for p in paras if p.text.strip()), None)


def _with_runs(paras: list[_Para], p: _Para | None) -> _Para | None:
    """The paragraph itself when it has text runs, else the next one that has."""
    if p is None:
        return None
    for q in paras[p.index:]:
        if q.runs:
            return q
    return None


def comment_text(f: Finding) -> list[str]:
    """The comment as paragraphs: status, what the norm asks, what was found, model wording."""
    s = suggestions().get(f.requirement, {})
    refs = f", {', '.join(f.norm_refs)}" if f.norm_refs else ""
    out = [f"normtoets – {status_word(f.status)}: {requirement_title(f)} ({f.requirement}{refs})"]
    asks = s.get("asks")
    if asks:
        out.append("Wat de norm vraagt: " + " ".join(asks.split()))
    if f.explanation:
        out.append("Bevinding: " + trim(f.explanation, 500))
    unmet = [c.label + (f" ({c.note})" if c.note else "") for c in f.criteria if not c.met]
    if unmet:
        out.append("Niet gevonden: " + "; ".join(unmet) + ".")
    model = s.get("model")
    if model:
        out.append("Gebruikelijke formulering: " + " ".join(model.split()))
    return out


def write_annotations(draft: str | Path, out: str | Path, result: CheckResult,
                      structured: StructuredDocument | None = None) -> list[Placement]:
    """Write `out`: the draft plus one comment per partial/missing finding of `result`."""
    import docx

    from .jsonout import write_text

    try:
        document = docx.Document(str(draft))
    except Exception as e:  # noqa: BLE001 - any parse failure means: not a usable DOCX
        raise DocumentError(f"Het Word-bestand kan niet worden geopend ({type(e).__name__}).",
                            code="unreadable") from None
    paras = _paragraphs(document)
    # Capture each paragraph's text runs once, before any comment reference run exists,
    # so several comments on one heading all span the heading text and nothing else.
    for p in paras:
        p.runs = _text_runs(p.paragraph)
    titles = {a.number: a.title for a in structured.articles} if structured else {}

    placements: list[Placement] = []
    for f in result.findings:
        if f.status not in ("partial", "missing"):
            continue
        target: _Para | None = None
        how = "first"
        if f.status == "partial":
            evidence = f.evidence + [e for c in f.criteria for e in c.evidence]
            # The operative article, not the definitions it leans on, is where to fix it.
            evidence.sort(key=lambda e: bool(_DEFINITION_RE.search(titles.get(e.location or "", ""))))
            for ev in evidence:
                target = _find_article(paras, ev.location or "", titles.get(ev.location or ""))
                if target is not None:
                    how = "article"
                    break
        if target is None:
            target, how = _find_place(paras, f.requirement)
        if target is None:
            target, how = _first_paragraph(paras), "first"
        target = _with_runs(paras, target)
        if target is None:
            raise DocumentError("Het Word-bestand bevat geen tekst om opmerkingen bij te plaatsen.",
                                code="empty")
        lines = comment_text(f)
        comment = document.add_comment(target.runs, text=lines[0], author=AUTHOR, initials=INITIALS)
        for line in lines[1:]:
            comment.add_paragraph(line)
        placements.append(Placement(f.requirement, f.status, target.index, target.text, how))

    buf = io.BytesIO()
    document.save(buf)
    write_text(buf.getvalue(), out)
    return placements


def summary_line(out: Path, result: CheckResult, placements: list[Placement]) -> str:
    n_partial = sum(1 for p in placements if p.status == "partial")
    n_missing = sum(1 for p in placements if p.status == "missing")
    n_present = sum(1 for f in result.findings if f.status == "present")
    n_na = sum(1 for f in result.findings if f.status == "not_applicable")
    word = "opmerking" if len(placements) == 1 else "opmerkingen"
    return (f"normtoets: {out.name}: {len(placements)} {word} geplaatst "
            f"({n_partial} gedeeltelijk, {n_missing} ontbreekt); "
            f"{n_present} aanwezig, {n_na} niet van toepassing.")


def annotate_docx(draft: Path, out: Path, norm: str = "noord-holland",
                  type_override: str | None = None) -> str:
    """Check the DOCX draft and write `out` with comments; returns a Dutch one-line summary."""
    from ..pipeline import check_documents, load_document

    draft, out = Path(draft), Path(out)
    if draft.suffix.lower() != ".docx":
        raise UsageError("annotate werkt alleen met een Word-bestand (.docx).")
    if not draft.is_file():
        raise UsageError(f"Bestand niet gevonden: {draft}")
    if out.resolve() == draft.resolve():
        raise UsageError("Kies voor --output een ander bestand dan het concept zelf.")
    # Parse once and check the structured document (what check_paths does for one file),
    # so the article titles are at hand for auto-numbered headings.
    doc = load_document(draft, type_override)
    if doc.type is None:
        raise DocumentError("Documentsoort niet herkend; geef die op met --type.", code="unsupported")
    result = check_documents([doc], norm=norm)
    placements = write_annotations(draft, out, result, structured=doc)
    return summary_line(out, result, placements)
