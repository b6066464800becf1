"""The one document model every stage shares.

ingest  -> RawDocument (blocks of text with page numbers and style hints)
structure -> StructuredDocument (divisions, articles/sections, leden, toelichting)
match   -> Finding (per requirement, with evidence)
pipeline -> CheckResult / ParseResult (what the CLI, reports, batch and web serve)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

DOC_TYPES = ("apv", "bibob", "damocles", "integriteit", "agressie")
STATUSES = ("present", "partial", "missing", "not_applicable")


# ---------------------------------------------------------------- ingest


@dataclass
class Block:
    """A paragraph-like piece of text as the reader found it."""

    text: str
    page: int | None = None          # 1-based page for PDF; None where the format has no pages
    kind: str = "para"               # para | heading | list | table
    heading_level: int | None = None  # from a heading style (DOCX/HTML) or CVDR element depth
    bold: bool = False
    italic: bool = False
    font_size: float | None = None
    style: str | None = None         # source style or element name ("Heading 2", "kop", "h3")
    source: str | None = None        # e.g. "ocr", "table", "cvdr"


@dataclass
class RawDocument:
    path: str
    format: str                      # pdf | docx | html | xml | txt | md
    blocks: list[Block]
    pages: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)  # title, dates from file metadata
    warnings: list[str] = field(default_factory=list)       # Dutch, shown to users
    sha256: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


# ---------------------------------------------------------------- structure


@dataclass
class Lid:
    """A numbered lid ("1.") or onderdeel ("a.", "1°") inside an article."""

    number: str | None
    text: str
    page: int | None = None
    onderdelen: list["Lid"] = field(default_factory=list)


@dataclass
class Division:
    kind: str                        # hoofdstuk | titel | afdeling | paragraaf | deel | bijlage
    number: str
    title: str = ""
    page: int | None = None
    article_index: int | None = None  # position in StructuredDocument.articles of its first article


@dataclass
class Article:
    number: str                      # as printed, without "Artikel": "2:28", "13b", "3.2"
    title: str = ""
    page: int | None = None
    chapter: str | None = None
    section: str | None = None       # afdeling / paragraaf number
    status: str = "in_force"         # in_force | vervallen
    text: str = ""                   # body text without the heading line
    kind: str = "artikel"            # artikel | sectie (numbered section of a policy document)
    end_page: int | None = None
    leden: list[Lid] = field(default_factory=list)
    heading: str = ""                # the heading line as printed


@dataclass
class Note:
    """A piece of the Toelichting: explains, never regulates."""

    heading: str
    text: str
    page: int | None = None
    refers_to: str | None = None     # article number the note discusses, if any


@dataclass
class StructuredDocument:
    path: str
    format: str
    type: str | None                 # one of DOC_TYPES, or None when undetectable
    title: str = ""
    type_source: str = "detected"    # detected | override
    type_scores: dict[str, float] = field(default_factory=dict)
    municipality: str | None = None
    adopted: str | None = None       # ISO date of vaststelling, where printed
    in_force_date: str | None = None  # ISO date of inwerkingtreding, where printed
    pages: int | None = None
    preamble: str = ""
    articles: list[Article] = field(default_factory=list)
    divisions: list[Division] = field(default_factory=list)
    toelichting: list[Note] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sha256: str | None = None

    def in_force(self) -> list[Article]:
        return [a for a in self.articles if a.status == "in_force"]


# ---------------------------------------------------------------- match


@dataclass
class Evidence:
    document: str
    location: str | None
    page: int | None
    quote: str
    role: str | None = None          # which criterion this quote supports (e.g. "levensgedrag")


@dataclass
class CriterionResult:
    id: str
    label: str                       # Dutch, e.g. "weigeringsgrond slecht levensgedrag"
    met: bool
    evidence: list[Evidence] = field(default_factory=list)
    note: str = ""                   # Dutch: why not met / how it was met


@dataclass
class Finding:
    requirement: str
    status: str
    evidence: list[Evidence] = field(default_factory=list)
    explanation: str = ""
    title: str = ""
    type: str = ""
    norm_refs: list[str] = field(default_factory=list)
    criteria: list[CriterionResult] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)  # how the decision was reached (for `explain`)


# ---------------------------------------------------------------- pipeline results


@dataclass
class DocumentInfo:
    path: str
    type: str | None
    format: str
    title: str = ""
    type_source: str = "detected"
    adopted: str | None = None
    in_force_date: str | None = None
    pages: int | None = None
    articles: int = 0
    sha256: str | None = None
    warnings: list[str] = field(default_factory=list)
    duplicate_of: str | None = None  # same text as another supplied rendering; not checked twice


@dataclass
class ErrorInfo:
    path: str
    error: str                       # one line, Dutch (English in parentheses where useful)
    code: str = "unreadable"         # unreadable | encrypted | empty | unsupported | too_large | timeout | ...


@dataclass
class ManualItem:
    """A norm item a document cannot show: assessed by hand, optionally answered by the user."""

    norm_item: str                   # e.g. "NH 1.3", "TW BW-a"
    group: str
    text: str
    answer: str | None = None        # status-like answer from the user's YAML/CSV, if any
    note: str = ""


@dataclass
class CheckResult:
    norm: str
    documents: list[DocumentInfo] = field(default_factory=list)
    errors: list[ErrorInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    absent_types: list[str] = field(default_factory=list)
    municipality: str | None = None
    warnings: list[str] = field(default_factory=list)
    manual_items: list[ManualItem] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)  # norm view grouping
    version: str = ""
    rules_version: str = ""
    generated: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ParseResult:
    documents: list[StructuredDocument] = field(default_factory=list)
    errors: list[ErrorInfo] = field(default_factory=list)
