"""The one pipeline: ingest -> structure -> match -> (report).

Everything that checks documents (CLI, batch, web) goes through here, so a document
is read, structured and matched the same way everywhere.
"""
from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path
from typing import Iterable

from . import __version__
from .errors import DocumentError
from .model import (
    DOC_TYPES,
    CheckResult,
    DocumentInfo,
    ErrorInfo,
    ParseResult,
    StructuredDocument,
)

log = logging.getLogger(__name__)

# Files in a municipality folder that are never documents (labels, our own outputs, notes).
_SKIP_SUFFIXES = (".labels.yaml", ".yaml", ".yml", ".json", ".csv", ".xlsx", ".py", ".sh")
_SKIP_NAMES = {"readme.md", "readme.txt", "manual.yaml", "handmatig.yaml"}


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a directory stands for the documents directly inside it (sorted)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.iterdir()):
                name = f.name.lower()
                if not f.is_file() or name.startswith(".") or name in _SKIP_NAMES:
                    continue
                if name.endswith(_SKIP_SUFFIXES) or ".nagekeken." in name:
                    continue
                out.append(f)
        else:
            out.append(p)
    return out


def load_document(path: str | Path, type_override: str | None = None) -> StructuredDocument:
    """Read and structure one file. Raises DocumentError with a Dutch message."""
    from .ingest import read_document

    raw = read_document(Path(path))
    from .structure import structure_document  # after reading: see _warm_up

    return structure_document(raw, type_override=type_override)


def _safe_load(path: Path, type_override: str | None) -> StructuredDocument | ErrorInfo:
    try:
        return load_document(path, type_override)
    except DocumentError as e:
        return ErrorInfo(path=str(path), error=str(e), code=e.code)
    except MemoryError:
        return ErrorInfo(path=str(path), error="Document te groot om te verwerken (geheugenlimiet).",
                         code="too_large")
    except RecursionError:
        return ErrorInfo(path=str(path), error="Document is te diep genest om te verwerken.",
                         code="unreadable")
    except Exception as e:  # noqa: BLE001 - a bad file must never stop the other documents
        log.debug("unexpected error reading %s", path, exc_info=True)
        return ErrorInfo(path=str(path),
                         error=f"Document kon niet worden gelezen ({type(e).__name__}: {e})".strip(),
                         code="unreadable")


def parse_paths(paths: Iterable[str | Path], type_override: str | None = None,
                then_check: bool = False) -> ParseResult:
    """Read and structure files; a bad file becomes an entry in `errors`.

    then_check: the documents will be checked next, so the parent process may prepare the
    rules engine while its children read (the first PDF pages or documents)."""
    from functools import partial

    from .parallel import fork_map, meanwhile

    result = ParseResult()
    with meanwhile(partial(_warm_up, then_check)):
        # the documents of a municipality are independent: read them on all cores
        for r in fork_map(lambda p: _safe_load(p, type_override), expand_paths(paths)):
            if isinstance(r, ErrorInfo):
                result.errors.append(r)
            else:
                result.documents.append(r)
    return result


def _warm_up(check: bool) -> None:
    """Import and load on the side what the stages after reading need on first use
    (~0.1 s of module regexes, rules and lemma table); see parallel.meanwhile."""
    from . import structure  # noqa: F401
    if check:
        from rapidfuzz import fuzz, process  # noqa: F401 - fuzzy term words

        from . import norms  # noqa: F401
        from .match import engine, nlp  # noqa: F401
        from .match.rules import load_rules

        load_rules()
        nlp.lemmas(("artikel",))  # opens the lemma table


def doc_info(doc: StructuredDocument) -> DocumentInfo:
    return DocumentInfo(
        path=doc.path, type=doc.type, format=doc.format, title=doc.title,
        type_source=doc.type_source, adopted=doc.adopted, in_force_date=doc.in_force_date,
        pages=doc.pages, articles=len(doc.articles), sha256=doc.sha256, warnings=list(doc.warnings),
    )


# When the same text is supplied in several renderings, the one with page numbers wins.
_FORMAT_PREFERENCE = ("pdf", "docx", "xml", "html", "txt", "md")


def _fingerprint(doc: StructuredDocument) -> tuple:
    return (doc.type, tuple(a.number for a in doc.articles))


def find_duplicates(docs: list[StructuredDocument]) -> dict[str, str]:
    """Map path -> path of the rendering kept, for documents that are the same text.

    Municipalities often hand in the PDF and the DOCX of one regulation; checking both
    would double every quote. Same type, same article list and near-identical article
    text count as the same document.
    """
    def rank(d: StructuredDocument) -> int:
        return _FORMAT_PREFERENCE.index(d.format) if d.format in _FORMAT_PREFERENCE else 99

    dup: dict[str, str] = {}
    by_print: dict[tuple, list[StructuredDocument]] = {}
    for d in docs:
        if d.type and len(d.articles) >= 2:
            by_print.setdefault(_fingerprint(d), []).append(d)
    for group in by_print.values():
        if len(group) < 2:
            continue  # nothing to compare (and no rapidfuzz import for the usual single rendering)
        from rapidfuzz import fuzz

        group.sort(key=rank)
        kept: list[StructuredDocument] = []
        for d in group:
            text = " ".join(a.text for a in d.articles)[:20000]
            twin = next((k for k in kept
                         if fuzz.ratio(text, " ".join(a.text for a in k.articles)[:20000]) >= 90), None)
            if twin is None:
                kept.append(d)
            else:
                dup[d.path] = twin.path
    return dup


def check_documents(docs: list[StructuredDocument], errors: list[ErrorInfo] | None = None,
                    norm: str = "noord-holland", manual: str | Path | None = None,
                    municipality: str | None = None) -> CheckResult:
    """Match already-structured documents against the rules and build the result."""
    from .match import evaluate
    from .norms import apply_norm_view

    result = CheckResult(norm=norm, version=__version__)
    result.errors = list(errors or [])
    result.generated = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    duplicates = find_duplicates(docs)
    result.documents = [doc_info(d) for d in docs]
    for info in result.documents:
        if info.path in duplicates:
            info.duplicate_of = duplicates[info.path]
            result.warnings.append(
                f"{Path(info.path).name} bevat dezelfde tekst als {Path(info.duplicate_of).name}; "
                "alleen dat laatste is getoetst.")
    typed = [d for d in docs if d.type in DOC_TYPES and d.path not in duplicates]
    for d in docs:
        if d.type not in DOC_TYPES:
            result.warnings.append(
                f"{Path(d.path).name}: documentsoort niet herkend; gebruik --type om die op te geven.")
    checked_types = sorted({d.type for d in typed}, key=DOC_TYPES.index)
    findings, rules_version = evaluate(typed, checked_types)
    result.findings = findings
    result.rules_version = rules_version
    result.absent_types = [t for t in DOC_TYPES if t not in checked_types]
    result.municipality = municipality or next((d.municipality for d in typed if d.municipality), None)
    apply_norm_view(result, typed, manual=manual)
    return result


def check_paths(paths: Iterable[str | Path], norm: str = "noord-holland",
                type_override: str | None = None, manual: str | Path | None = None,
                municipality: str | None = None) -> CheckResult:
    """Read, structure and check files and/or a municipality folder."""
    parsed = parse_paths(paths, type_override, then_check=True)
    return check_documents(parsed.documents, parsed.errors, norm=norm, manual=manual,
                           municipality=municipality)
