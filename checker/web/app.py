"""`normtoets serve`: upload page, report page, downloads and POST /api/check.

Request flow for a check:
  1. a private directory `<NORMTOETS_TMPDIR or system tmp>/normtoets-XXXX` (mode 0700);
  2. the multipart body is streamed into it (upload.py: 50 MB per file, 10 files);
  3. every file is read + structured in a worker process with a timeout (pool.py);
  4. one more worker task matches all documents and renders the downloads;
  5. the directory is removed in `finally`, whatever happened.
Only the rendered result survives the request, in memory (cache.py), for 15 minutes.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from .cache import Download, Entry, ResultCache
from .pool import PoolBusy, PoolCrash, PoolTimeout, TaskError, WorkerPool, default_workers
from .security import SecurityHeadersMiddleware, csp_for_html
from .upload import UploadError, receive_upload

log = logging.getLogger("normtoets.web")

HERE = Path(__file__).resolve().parent
NORM_LABELS = {"noord-holland": "Noord-Holland", "twente": "Twente", "limburg": "Limburg"}
TYPE_LABELS = {
    "apv": "APV",
    "bibob": "Bibob-beleid",
    "damocles": "Damoclesbeleid",
    "integriteit": "Gedragscode (integriteit)",
    "agressie": "Agressieprotocol",
}
MEDIA = {
    "json": ("application/json; charset=utf-8", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}
DOWNLOAD_LABELS = {"json": "JSON", "csv": "CSV", "xlsx": "Excel (XLSX)"}
TASKS = "checker.web.tasks"


@dataclass
class Settings:
    workers: int
    tmp_dir: Path | None
    timeout: float
    max_file_bytes: int
    max_files: int
    cache_ttl: float
    cache_entries: int
    worker_memory_mb: int = 3072
    max_active: int = 32

    @property
    def finish_timeout(self) -> float:
        # Matching all documents and rendering every download is one bounded step too;
        # it also absorbs the warm-up of a worker that just replaced a stuck one.
        return max(self.timeout, 120.0)


@dataclass
class Outcome:
    check: dict[str, Any]
    rendered: dict[str, Any] = field(default_factory=dict)
    render_errors: dict[str, str] = field(default_factory=dict)
    annotated: list[tuple[str, bytes]] = field(default_factory=list)
    annotate_errors: list[str] = field(default_factory=list)
    norm: str = "noord-holland"
    municipality: str | None = None


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


def _settings(workers, tmp_dir, timeout, max_file_mb, max_files, cache_ttl, cache_entries) -> Settings:
    tmp = tmp_dir or os.environ.get("NORMTOETS_TMPDIR") or None
    return Settings(
        workers=int(workers or _env_float("NORMTOETS_WORKERS", 0) or default_workers()),
        tmp_dir=Path(tmp) if tmp else None,
        timeout=float(timeout or _env_float("NORMTOETS_TIMEOUT", 60.0)),
        max_file_bytes=int((max_file_mb or _env_float("NORMTOETS_MAX_FILE_MB", 50)) * 1024 * 1024),
        max_files=int(max_files or 10),
        cache_ttl=float(cache_ttl or 15 * 60),
        cache_entries=int(cache_entries or 32),
        worker_memory_mb=int(_env_float("NORMTOETS_WORKER_MEMORY_MB", 3072)),
        max_active=int(_env_float("NORMTOETS_MAX_ACTIVE", 32)),
    )


# --------------------------------------------------------------------------- helpers


def _norm(value: str | None) -> str:
    from ..cli import _validate_norm

    return _validate_norm(value or "noord-holland")


def _doc_type(value: str | None) -> str | None:
    from ..cli import _validate_type

    value = (value or "").strip()
    if not value or value.lower() in ("auto", "automatisch"):
        return None
    return _validate_type(value)


def error_line(err: dict[str, Any]) -> str:
    """The one Dutch sentence the page shows for an unreadable upload."""
    msg = str(err.get("error") or "onbekende fout").strip()
    return f"Bestand {err.get('path')} kon niet worden gelezen: {msg}"


def _slug(text: str | None) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text or "").strip("-").lower()
    return s[:60] or "rapport"


def _content_disposition(filename: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "_", filename) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


_BODY_RE = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_HEAD_END_RE = re.compile(r"</head\s*>", re.IGNORECASE)


def inject(report_html: str, bar_html: str) -> str:
    """Our stylesheet into <head>, the download bar right after <body>."""
    page = report_html.replace("\r\n", "\n").replace("\r", "\n")
    link = ('<link rel="stylesheet" href="/static/web.css">\n'
            '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n')
    m = _HEAD_END_RE.search(page)
    page = page[:m.start()] + link + page[m.start():] if m else link + page
    m = _BODY_RE.search(page)
    if m:
        return page[:m.end()] + "\n" + bar_html + page[m.end():]
    return bar_html + page


# --------------------------------------------------------------------------- app


def create_app(workers: int | None = None, tmp_dir: str | os.PathLike | None = None,
               timeout: float | None = None, max_file_mb: float | None = None,
               max_files: int | None = None, cache_ttl: float | None = None,
               cache_entries: int | None = None) -> FastAPI:
    settings = _settings(workers, tmp_dir, timeout, max_file_mb, max_files, cache_ttl, cache_entries)
    templates = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                            autoescape=select_autoescape(["html"]))
    cache = ResultCache(max_entries=settings.cache_entries, ttl=settings.cache_ttl)
    from .tasks import WARM_MODULES

    pool = WorkerPool(settings.workers, warm=WARM_MODULES, memory_mb=settings.worker_memory_mb)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.tmp_dir is not None:
            settings.tmp_dir.mkdir(parents=True, exist_ok=True)
        await pool.start()
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(
        title="normtoets",
        version=__version__,
        description="Toetst gemeentelijke beleidsdocumenten aan de Norm Weerbare Overheid.",
        docs_url=None, redoc_url=None,   # Swagger UI loads from a CDN; /docs is our own page
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pool = pool
    app.state.cache = cache
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def page(name: str, status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("max_mb", settings.max_file_bytes // (1024 * 1024))
        ctx.setdefault("max_files", settings.max_files)
        ctx.setdefault("ttl_min", int(settings.cache_ttl // 60))
        ctx.setdefault("version", __version__)
        body = templates.get_template(name).render(**ctx)
        return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or \
            "application/json" in request.headers.get("accept", "")

    # ------------------------------------------------------------ the check itself

    active = {"n": 0}

    async def run_check(request: Request, full: bool) -> Outcome:
        # Each check in flight may hold up to max_files x 50 MB on disk: bound how many.
        if active["n"] >= settings.max_active:
            raise UploadError(503, "De server is op dit moment te druk. Probeer het over een minuut "
                                   "opnieuw.")
        active["n"] += 1
        try:
            return await _run_check(request, full)
        finally:
            active["n"] -= 1

    async def _run_check(request: Request, full: bool) -> Outcome:
        root = settings.tmp_dir
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="normtoets-", dir=root))
        started = time.monotonic()
        try:
            form = await receive_upload(request, workdir, settings.max_file_bytes, settings.max_files)
            try:
                norm = _norm(form.fields.get("norm"))
                doc_type = _doc_type(form.fields.get("type"))
            except Exception as e:  # UsageError: Dutch message
                raise UploadError(400, str(e)) from None
            municipality = (form.fields.get("gemeente") or form.fields.get("municipality") or "").strip() or None
            if not form.files:
                raise UploadError(400, "Er is geen bestand ontvangen. Kies een of meer documenten "
                                       "(veld 'file').")
            from ..model import ErrorInfo

            async def parse(f):
                try:
                    return await pool.run(f"{TASKS}:parse_one", str(f.stored), f.display, doc_type,
                                          timeout=settings.timeout)
                except PoolTimeout:
                    err = (f"De verwerking duurde langer dan {settings.timeout:g} seconden en is "
                           "afgebroken. Is het een zeer groot of gescand document? Probeer een "
                           "kleinere versie of een PDF met tekst.")
                    code = "timeout"
                except PoolCrash:
                    err = "De verwerking is onverwacht gestopt; het bestand is mogelijk beschadigd."
                    code = "crashed"
                except TaskError as e:
                    err, code = f"Document kon niet worden gelezen ({e}).", "unreadable"
                return {"documents": [], "errors": [ErrorInfo(path=f.display, error=err, code=code)],
                        "format": None, "stored": str(f.stored)}

            parsed = await asyncio.gather(*(parse(f) for f in form.files))
            documents = [d for p in parsed for d in p["documents"]]
            errors = [e for p in parsed for e in p["errors"]]
            scrub = [f"{workdir}{os.sep}f{i}{os.sep}" for i in range(len(form.files))] + [str(workdir)]

            async def annotate(p, f):
                # The type this check detected, so the comments match the report.
                detected = doc_type or p["documents"][0].type
                try:
                    data = await pool.run(f"{TASKS}:annotate", p["stored"], norm, detected,
                                          timeout=settings.timeout)
                except (PoolTimeout, PoolCrash, TaskError) as e:
                    log.warning("annotate failed: %s", type(e).__name__)
                    return f.display, None
                stem = f.display.rsplit(".", 1)[0] if "." in f.display else f.display
                return f"{stem}.nagekeken.docx", data

            # Matching/rendering and annotating uploaded DOCX drafts are independent: run
            # them side by side on the free workers.
            drafts = [(p, f) for p, f in zip(parsed, form.files)
                      if full and p["format"] == "docx" and p["documents"]]
            finish = pool.run(f"{TASKS}:finish", documents, errors, norm, municipality, scrub,
                              full, "web-api" if not full else "web-form",
                              timeout=settings.finish_timeout)
            results = await asyncio.gather(finish, *(annotate(p, f) for p, f in drafts),
                                           return_exceptions=True)
            res = results[0]
            if isinstance(res, PoolTimeout):
                raise UploadError(503, f"Het beoordelen duurde langer dan {settings.finish_timeout:g} "
                                       "seconden en is afgebroken. Probeer minder bestanden tegelijk.")
            if isinstance(res, (PoolCrash, TaskError)):
                # Type only: an exception text may quote the uploaded document.
                log.error("check failed: %s", str(res).split(":", 1)[0])
                raise UploadError(500, "Er ging iets mis bij het beoordelen van de documenten. "
                                       "Probeer het opnieuw of gebruik de opdrachtregel (normtoets check).")
            if isinstance(res, BaseException):
                raise res
            out = Outcome(check=res["check"], rendered=res["rendered"], render_errors=res["render_errors"],
                          norm=norm, municipality=municipality)
            for item in results[1:]:
                if isinstance(item, BaseException):
                    raise item
                name, data = item
                if data is None:
                    out.annotate_errors.append(name)
                else:
                    out.annotated.append((name, data))
            log.info("checked %d file(s), %d error(s) in %.1fs", len(form.files), len(errors),
                     time.monotonic() - started)
            return out
        except PoolBusy:
            raise UploadError(503, "De server is op dit moment te druk. Probeer het over een minuut "
                                   "opnieuw.") from None
        finally:
            # Uploads never outlive the request: removed on success, error, timeout, disconnect.
            shutil.rmtree(workdir, ignore_errors=True)

    # ------------------------------------------------------------ report page

    async def build_report(out: Outcome) -> tuple[str, Entry, str]:
        token = cache.new_token()
        check = out.check
        downloads: dict[str, Download] = {}
        base = "normtoets-" + _slug(out.municipality or check.get("municipality") or "rapport")
        for kind in ("json", "csv", "xlsx"):
            value = out.rendered.get(kind)
            if value is None:
                continue
            data = value.encode("utf-8") if isinstance(value, str) else value
            media, ext = MEDIA[kind]
            downloads[kind] = Download(data, media, f"{base}.{ext}")
        links = [{"href": f"/download/{token}/{k}", "label": DOWNLOAD_LABELS[k]} for k in downloads]
        for i, (name, data) in enumerate(out.annotated):
            kind = "docx" if i == 0 else f"docx-{i + 1}"
            downloads[kind] = Download(data, MEDIA["docx"][0], name)
            links.append({"href": f"/download/{token}/{kind}",
                          "label": f"Word met opmerkingen: {name}"})
        error_lines = [error_line(e) for e in check.get("errors", [])]
        notes = []
        if out.annotate_errors:
            notes.append("Voor " + ", ".join(out.annotate_errors) + " kon geen Word-bestand met "
                         "opmerkingen worden gemaakt.")
        missing = [DOWNLOAD_LABELS[k] for k in ("csv", "xlsx") if k in out.render_errors]
        if missing:
            notes.append("Niet beschikbaar: " + ", ".join(missing) + ".")
        bar = templates.get_template("bar.html").render(
            links=links, errors=error_lines, notes=notes, ttl_min=int(settings.cache_ttl // 60),
            norm=NORM_LABELS.get(out.norm, out.norm))
        report = out.rendered.get("html")
        if report is None:
            # The HTML report could not be rendered: show the findings plainly instead.
            report = templates.get_template("report_plain.html").render(
                check=check, norm=NORM_LABELS.get(out.norm, out.norm), version=__version__)
        html_page = inject(report, bar)
        # Parsing a large report for its inline blocks is CPU work: keep it off the loop.
        csp = await asyncio.to_thread(csp_for_html, html_page)
        entry = Entry(page=html_page, csp=csp, downloads=downloads)
        cache.put(token, entry)
        return token, entry, html_page

    def report_response(entry: Entry) -> HTMLResponse:
        return HTMLResponse(entry.page, headers={"content-security-policy": entry.csp,
                                                 "cache-control": "no-store"})

    # ------------------------------------------------------------ routes

    @app.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
    async def index():
        return page("index.html", norms=NORM_LABELS, types=TYPE_LABELS)

    form_schema = {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {
                "file": {"type": "array", "items": {"type": "string", "format": "binary"},
                         "description": "Eén of meer documenten (PDF, DOCX, HTML, XML, TXT, MD)."},
                "norm": {"type": "string", "enum": list(NORM_LABELS), "default": "noord-holland"},
                "type": {"type": "string", "enum": list(TYPE_LABELS),
                         "description": "Documentsoort voor alle bestanden (anders herkend)."},
                "gemeente": {"type": "string", "description": "Naam van de gemeente."},
            }}}}},
    }

    @app.post("/rapport", include_in_schema=False)
    async def rapport(request: Request):
        as_json = wants_json(request)
        try:
            out = await run_check(request, full=True)
        except UploadError as e:
            if as_json:
                return JSONResponse({"detail": e.message}, status_code=e.status)
            return page("error.html", status=e.status, title="Controle niet gelukt",
                        messages=[e.message])
        if not out.check.get("documents"):
            lines = [error_line(e) for e in out.check.get("errors", [])]
            if as_json:
                return JSONResponse({"detail": "Geen van de bestanden kon worden gelezen.",
                                     "errors": lines}, status_code=422)
            return page("error.html", status=422, title="Geen van de bestanden kon worden gelezen",
                        messages=lines)
        token, entry, _ = await build_report(out)
        if as_json:
            return JSONResponse({"url": f"/rapport/{token}"})
        return report_response(entry)

    @app.get("/rapport/{token}", include_in_schema=False)
    async def rapport_again(token: str):
        entry = cache.get(token)
        if entry is None:
            return page("error.html", status=404, title="Rapport niet meer beschikbaar",
                        messages=[f"Een rapport blijft {int(settings.cache_ttl // 60)} minuten "
                                  "beschikbaar en wordt daarna gewist. Upload de documenten opnieuw."])
        return report_response(entry)

    @app.get("/download/{token}/{kind}", include_in_schema=False)
    async def download(token: str, kind: str):
        entry = cache.get(token)
        item = entry.downloads.get(kind) if entry else None
        if item is None:
            return page("error.html", status=404, title="Download niet meer beschikbaar",
                        messages=[f"Downloads blijven {int(settings.cache_ttl // 60)} minuten "
                                  "beschikbaar en worden daarna gewist. Upload de documenten opnieuw."])
        return Response(item.data, media_type=item.media_type,
                        headers={"content-disposition": _content_disposition(item.filename),
                                 "cache-control": "no-store"})

    @app.post("/api/check", openapi_extra=form_schema,
              summary="Documenten toetsen; antwoord = de JSON van `normtoets check`",
              responses={200: {"description": "De check-JSON (norm, documents, errors, findings)."},
                         400: {"description": "Geen bestand, te veel bestanden, onbekende norm of soort."},
                         413: {"description": "Een bestand is groter dan de limiet."}})
    async def api_check(request: Request):
        try:
            out = await run_check(request, full=False)
        except UploadError as e:
            return JSONResponse({"detail": e.message}, status_code=e.status)
        from ..report.jsonout import dumps

        return Response(dumps(out.check), media_type="application/json",
                        headers={"cache-control": "no-store"})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs():
        return page("api.html", norms=NORM_LABELS, types=TYPE_LABELS, timeout=settings.timeout)

    @app.head("/healthz", include_in_schema=False)
    async def healthz_head():
        return Response(status_code=200)

    @app.get("/healthz", summary="Gezondheid van de server")
    async def healthz():
        return {"status": "ok", "version": __version__, "workers": pool.size,
                "workers_replaced": pool.replaced}

    # ------------------------------------------------------------ errors in Dutch

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        text = {404: "Deze pagina bestaat niet.", 405: "Deze methode is hier niet toegestaan."}.get(
            exc.status_code, "Het verzoek kon niet worden verwerkt.")
        if wants_json(request):
            return JSONResponse({"detail": text}, status_code=exc.status_code, headers=exc.headers)
        return page("error.html", status=exc.status_code, title="Niet gevonden" if exc.status_code == 404
                    else "Fout", messages=[text])

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception):
        log.error("unexpected error on %s: %s", request.url.path, type(exc).__name__)
        text = "Er ging iets onverwachts mis. Probeer het opnieuw."
        if wants_json(request):
            return JSONResponse({"detail": text}, status_code=500)
        return page("error.html", status=500, title="Fout", messages=[text])

    return app


class _RedactTokens(logging.Filter):
    """Access-log lines must not hand out the report links (the token is the only key)."""

    _re = re.compile(r"/(rapport|download)/[A-Za-z0-9_-]{8,}")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(self._re.sub(r"/\1/…", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def run_server(host: str = "127.0.0.1", port: int = 8000, workers: int | None = None) -> None:
    """Start uvicorn with one app process and `workers` check processes.

    One uvicorn process on purpose: the result cache lives in its memory, and the
    heavy work already runs in the check processes.
    """
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(workers=workers)
    shown = f"[{host}]" if ":" in host else host
    print(f"normtoets {__version__}: open http://{shown}:{port}/ in uw browser "
          f"({app.state.settings.workers} controleprocessen; Ctrl-C om te stoppen).", flush=True)
    logging.getLogger("uvicorn.access").addFilter(_RedactTokens())
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False,
                proxy_headers=False, timeout_graceful_shutdown=5)
