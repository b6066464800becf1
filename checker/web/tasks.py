"""What the check workers run. Plain data in, plain data out (it crosses a pipe).

Each uploaded file is read and structured by its own task (`parse_one`), so one slow
or broken document is stopped on its own and the other files are still checked.
`finish` then matches all documents together and renders every download the result
page offers, inside the worker, so the server process never does heavy work.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Modules a worker imports at start-up, so the first upload does not pay for them.
WARM_MODULES = (
    "checker.pipeline",
    "checker.ingest",
    "checker.ingest.pdf",
    "checker.ingest.docx",
    "checker.ingest.html",
    "checker.structure",
    "checker.match",
    "checker.norms",
    "checker.report.jsonout",
    "checker.report.html",
    "checker.report.tabular",
    "checker.web.tasks:warm",
)


def warm() -> None:
    """Load the rules and the tokenizer once per worker, not on the first user's upload."""
    from ..match.rules import load_rules

    load_rules()
    try:
        from ..match.nlp import nlp

        nlp()
    except ImportError:
        pass

_SUFFIX_FOR = {"pdf": ".pdf", "docx": ".docx"}


def parse_one(stored: str, display: str, type_override: str | None) -> dict[str, Any]:
    """Read + structure one stored upload. Never raises for bad input.

    The format comes from the content (sniff_format), not from the name the browser
    sent; a PDF or DOCX stored under another extension is renamed so every later step
    (annotate_docx included) sees the real format.
    """
    from ..errors import DocumentError
    from ..ingest.sniff import sniff_format
    from ..model import ErrorInfo
    from ..pipeline import parse_paths

    path = Path(stored)
    fmt = None
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
        if head.startswith(b"PK\x03\x04"):
            head = path.read_bytes()  # zip: the member list decides docx vs xlsx etc.
        if head:
            fmt = sniff_format(head, path.suffix.lower())
    except DocumentError as e:
        return {"documents": [], "errors": [ErrorInfo(path=display, error=str(e), code=e.code)],
                "format": None, "stored": stored}
    want = _SUFFIX_FOR.get(fmt or "")
    if want and path.suffix.lower() != want:
        new = path.with_name(path.name + want)
        path.rename(new)
        path = new
    parsed = parse_paths([path], type_override)
    for doc in parsed.documents:
        doc.path = display
    for err in parsed.errors:
        err.path = display
    return {"documents": parsed.documents, "errors": parsed.errors, "format": fmt,
            "stored": str(path)}


def _scrub(text: str, prefixes: list[str]) -> str:
    for p in prefixes:
        text = text.replace(p, "")
    return text


_CLI_TYPE_HINT = "gebruik --type om die op te geven"
_WEB_TYPE_HINT = {
    "web-form": "kies bij het uploaden de documentsoort",
}


def finish(documents: list, errors: list, norm: str, municipality: str | None,
           scrub: list[str], want_html: bool, mode: str = "web-form") -> dict[str, Any]:
    """Match + render. Returns the check dict and the rendered downloads (as available)."""
    from .. import __version__
    from ..model import CheckResult
    from ..pipeline import check_documents
    from ..report.jsonout import check_dict, dumps

    import datetime as _dt

    try:
        result = check_documents(documents, errors, norm=norm, municipality=municipality)
    except Exception:
        if documents:
            raise
        # Nothing readable was uploaded: the result is just the errors, as the CLI shows.
        result = CheckResult(norm=norm, errors=list(errors), version=__version__,
                             municipality=municipality,
                             generated=_dt.datetime.now().astimezone().isoformat(timespec="seconds"))
    # The pipeline's hint names the CLI option; on the upload page the form field does
    # that job. The API answers exactly what `normtoets check` would.
    hint = _WEB_TYPE_HINT.get(mode)
    if hint:
        result.warnings = [w.replace(_CLI_TYPE_HINT, hint) for w in result.warnings]
    data = check_dict(result)
    out: dict[str, Any] = {"check": data, "rendered": {}, "render_errors": {}}
    if not want_html:
        return out
    rendered = out["rendered"]
    rendered["json"] = _scrub(dumps(data), scrub)
    for kind, mod, func in (("html", "html", "render_html"), ("csv", "tabular", "render_csv"),
                            ("xlsx", "tabular", "render_xlsx")):
        try:
            module = __import__(f"checker.report.{mod}", fromlist=[func])
            value = getattr(module, func)(result)
            rendered[kind] = _scrub(value, scrub) if isinstance(value, str) else value
        except Exception as e:  # noqa: BLE001 - one missing download must not lose the report
            log.warning("rendering %s failed: %s", kind, type(e).__name__)
            out["render_errors"][kind] = f"{type(e).__name__}: {e}"
    return out


def annotate(stored: str, norm: str, type_override: str | None) -> bytes:
    """The uploaded DOCX back with Word comments; written next to the upload, returned as bytes."""
    from ..report.annotate import annotate_docx

    src = Path(stored)
    out = src.with_name(src.stem + ".nagekeken.docx")
    annotate_docx(src, out, norm=norm, type_override=type_override)
    return out.read_bytes()


def probe() -> dict[str, Any]:
    """Health detail: which pipeline stages a worker can import (for /healthz)."""
    import importlib

    stages = {}
    for mod in ("checker.ingest", "checker.structure", "checker.match", "checker.norms",
                "checker.report.html"):
        try:
            importlib.import_module(mod)
            stages[mod.rsplit(".", 1)[-1]] = True
        except Exception:  # noqa: BLE001
            stages[mod.rsplit(".", 1)[-1]] = False
    return stages
