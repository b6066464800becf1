"""JSON shapes of CONTRACT.md (`parse` and `check`). Fields may be added, never renamed."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..model import CheckResult, ParseResult, StructuredDocument


def _display_path(path: str) -> str:
    return path


def article_dict(a, doc: StructuredDocument) -> dict[str, Any]:
    d = {
        "number": a.number, "title": a.title, "page": a.page, "chapter": a.chapter,
        "section": a.section, "status": a.status, "text": a.text, "kind": a.kind,
        "end_page": a.end_page,
    }
    if a.leden:
        d["leden"] = [asdict(lid) for lid in a.leden]
    return d


def parse_dict(result: ParseResult) -> dict[str, Any]:
    docs = []
    for doc in result.documents:
        docs.append({
            "path": _display_path(doc.path),
            "type": doc.type,
            "type_source": doc.type_source,
            "title": doc.title,
            "format": doc.format,
            "municipality": doc.municipality,
            "adopted": doc.adopted,
            "in_force_date": doc.in_force_date,
            "pages": doc.pages,
            "sha256": doc.sha256,
            "divisions": [asdict(x) for x in doc.divisions],
            "articles": [article_dict(a, doc) for a in doc.articles],
            "toelichting": [asdict(n) for n in doc.toelichting],
            "warnings": doc.warnings,
        })
    return {"documents": docs, "errors": [asdict(e) for e in result.errors]}


def check_dict(result: CheckResult) -> dict[str, Any]:
    d = result.to_dict()
    # Contract order first: norm, documents, errors, findings; extras after.
    ordered = {k: d.pop(k) for k in ("norm", "documents", "errors", "findings")}
    ordered.update(d)
    return ordered


def dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def write_text(text: str | bytes, output: str | Path | None) -> None:
    """Write atomically to `output`, or to stdout when no output is given."""
    import os
    import sys
    import tempfile

    if output is None or str(output) == "-":
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        sys.stdout.flush()
        return
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        # mkstemp creates 0600; give the report the mode a plain open() would (umask).
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
