"""The web app through its HTTP interface (FastAPI TestClient, real worker processes).

The reference for every finding is `normtoets check` on the same files: the web must
judge exactly as the command line does.
"""
from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

import warnings  # noqa: E402

with warnings.catch_warnings():
    # starlette's TestClient nags about httpx vs httpx2 at import; not ours to fix here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
APV_PDF = CORPUS / "apv-duinwijk-2024.pdf"
BIBOB_DOCX = CORPUS / "bibob-duinwijk-2023.docx"
APV_DOCX = CORPUS / "apv-duinwijk-2024.docx"
BIBOB_PDF = CORPUS / "bibob-duinwijk-2023.pdf"

needs_corpus = pytest.mark.skipif(not all(p.exists() for p in (APV_PDF, BIBOB_DOCX, APV_DOCX, BIBOB_PDF)),
                                  reason="sample corpus not available")

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy",
                    "x-frame-options")


@functools.lru_cache(maxsize=None)
def _cli_check(*paths: Path, norm: str = "noord-holland") -> dict:
    """`normtoets check --format json` on the same files: the reference for the web.

    Cached: the CLI gives the same answer for the same files, and each run costs seconds.
    Callers must not mutate the returned dict."""
    proc = subprocess.run([sys.executable, "-m", "checker.cli", "check", *map(str, paths),
                           "--format", "json", "--norm", norm],
                          capture_output=True, text=True, timeout=600)
    assert proc.stdout.strip(), proc.stderr
    return json.loads(proc.stdout)


def _statuses(check: dict) -> dict[str, str]:
    return {f["requirement"]: f["status"] for f in check["findings"]}


def _junk() -> bytes:
    # Binary rubbish: no PDF/ZIP magic, NUL bytes -> sniffed as unsupported content.
    return bytes(range(256)) * 8


@pytest.fixture(scope="module")
def upload_root(tmp_path_factory):
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="module")
def client(upload_root):
    from checker.web import create_app

    with pytest.MonkeyPatch.context() as mp:
        # The app finds its private temp root through the environment, as in production.
        mp.setenv("NORMTOETS_TMPDIR", str(upload_root))
        app = create_app(workers=2)
    assert app.state.settings.tmp_dir == upload_root
    with TestClient(app) as c:
        yield c


@pytest.fixture(autouse=True)
def _no_upload_left(request, upload_root):
    yield
    if "client" in request.fixturenames:
        assert list(upload_root.iterdir()) == [], "an upload outlived its request"


@pytest.fixture(scope="module")
def cli_apv_bibob():
    if not (APV_PDF.exists() and BIBOB_DOCX.exists()):
        pytest.skip("sample corpus not available")
    return _cli_check(APV_PDF, BIBOB_DOCX)


def _files(*items):
    """[(name, bytes, declared content type)] -> httpx multipart list for field `file`."""
    return [("file", (name, data, ctype)) for name, data, ctype in items]


# --------------------------------------------------------------------------- /api/check


@needs_corpus
def test_api_check_gives_the_same_findings_as_the_cli(client, upload_root, cli_apv_bibob):
    r = client.post("/api/check", files=_files(
        (APV_PDF.name, APV_PDF.read_bytes(), "application/pdf"),
        (BIBOB_DOCX.name, BIBOB_DOCX.read_bytes(), "application/octet-stream")))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert list(data)[:4] == ["norm", "documents", "errors", "findings"]
    assert data["norm"] == "noord-holland"
    assert data["errors"] == cli_apv_bibob["errors"] == []
    assert _statuses(data) == _statuses(cli_apv_bibob)
    assert data["findings"], "the sample APV and Bibob policy must yield findings"
    # Same document types as the CLI, shown under the uploaded names - never the temp path.
    assert [(d["path"], d["type"]) for d in data["documents"]] == \
        [(Path(d["path"]).name, d["type"]) for d in cli_apv_bibob["documents"]]
    assert str(upload_root) not in r.text and "normtoets-" not in r.text


@needs_corpus
def test_api_check_norm_field_is_honoured(client):
    cli = _cli_check(APV_PDF, norm="twente")
    r = client.post("/api/check", data={"norm": "twente"},
                    files=_files((APV_PDF.name, APV_PDF.read_bytes(), "application/pdf")))
    assert r.status_code == 200, r.text
    assert r.json()["norm"] == "twente"
    assert _statuses(r.json()) == _statuses(cli)


@needs_corpus
def test_format_is_sniffed_from_content_not_from_name_or_content_type(client):
    """A PDF uploaded as 'apv.txt' with text/plain is still read as the PDF it is."""
    cli = _cli_check(APV_PDF)
    r = client.post("/api/check", files=_files(("apv.txt", APV_PDF.read_bytes(), "text/plain")))
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["errors"] == []
    assert [(d["path"], d["format"]) for d in data["documents"]] == [("apv.txt", "pdf")]
    assert _statuses(data) == _statuses(cli)


@needs_corpus
def test_junk_file_is_an_error_entry_and_the_other_file_is_still_checked(client):
    cli = _cli_check(APV_PDF)
    r = client.post("/api/check", files=_files(
        ("kapot.pdf", _junk(), "application/pdf"),
        (APV_PDF.name, APV_PDF.read_bytes(), "application/pdf")))
    assert r.status_code == 200, r.text
    data = r.json()
    assert [e["path"] for e in data["errors"]] == ["kapot.pdf"]
    assert data["errors"][0]["error"] and data["errors"][0]["code"]
    assert [d["path"] for d in data["documents"]] == [APV_PDF.name]
    assert _statuses(data) == _statuses(cli)


def test_only_junk_still_answers_the_check_json(client):
    r = client.post("/api/check", files=_files(("rommel.bin", _junk(), "application/pdf")))
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["documents"] == [] and data["findings"] == []
    assert data["errors"] == [{"path": "rommel.bin", "error": data["errors"][0]["error"],
                               "code": data["errors"][0]["code"]}]
    assert data["errors"][0]["code"] == "unsupported"


def test_same_name_twice_is_kept_apart(client):
    r = client.post("/api/check", files=_files(("x.bin", _junk(), "application/pdf"),
                                               ("x.bin", _junk(), "application/pdf")))
    assert r.status_code == 200
    assert [e["path"] for e in r.json()["errors"]] == ["x.bin", "x (2).bin"]


def test_client_file_name_cannot_escape_the_upload_dir(client, upload_root):
    r = client.post("/api/check", files=_files(("../../etc/passwd", _junk(), "text/plain"),
                                               ("..\\..\\boot.ini", _junk(), "text/plain")))
    assert r.status_code == 200
    assert [e["path"] for e in r.json()["errors"]] == ["passwd", "boot.ini"]
    assert not (upload_root.parent / "etc").exists()


def test_no_file_is_400(client):
    r = client.post("/api/check", data={"norm": "twente"}, files=[("other", ("a.txt", b"x", "text/plain"))])
    assert r.status_code == 400
    assert "bestand" in r.json()["detail"].lower()
    # An empty file input (browser: filename="") is no upload either.
    r = client.post("/api/check", files=[("file", ("", b"", "application/octet-stream"))])
    assert r.status_code == 400
    # Not multipart at all.
    r = client.post("/api/check", content=b"{}", headers={"content-type": "application/json"})
    assert r.status_code == 400


def test_more_than_ten_files_is_refused(client):
    files = _files(*[(f"d{i}.txt", b"Artikel 1\nTekst.\n", "text/plain") for i in range(11)])
    r = client.post("/api/check", files=files)
    assert r.status_code == 400
    assert "maximaal 10 bestanden" in r.json()["detail"]


def test_unknown_norm_and_type_are_400_in_dutch(client):
    r = client.post("/api/check", data={"norm": "friesland"}, files=_files(("a.txt", b"x", "text/plain")))
    assert r.status_code == 400 and "Onbekende norm" in r.json()["detail"]
    r = client.post("/api/check", data={"type": "verordening"}, files=_files(("a.txt", b"x", "text/plain")))
    assert r.status_code == 400 and "documentsoort" in r.json()["detail"]


def _multipart_stream(boundary: str, name: str, size: int, chunk: int = 1 << 20):
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
           "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
    block = b"0" * chunk
    sent = 9
    while sent < size:
        n = min(chunk, size - sent)
        yield block[:n]
        sent += n
    yield f"\r\n--{boundary}--\r\n".encode()


def test_oversize_file_is_413_and_nothing_is_left(client, upload_root):
    boundary = "normtoets-test-boundary"
    r = client.post("/api/check", content=_multipart_stream(boundary, "groot.pdf", 51 * 1024 * 1024),
                    headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413
    assert "groot.pdf" in r.json()["detail"] and "50 MB" in r.json()["detail"]
    assert list(upload_root.iterdir()) == []


def test_declared_body_beyond_every_limit_is_refused_before_reading(client):
    boundary = "b"

    def body():
        yield f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nx".encode()
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post("/api/check", content=body(), headers={
        "content-type": f"multipart/form-data; boundary={boundary}",
        "content-length": str(600 * 1024 * 1024)})
    assert r.status_code == 413


def test_file_content_is_never_logged(client, caplog):
    marker = "GEHEIM-MARKER-7c1f"
    with caplog.at_level("DEBUG"):
        client.post("/api/check", files=_files(("notitie.txt", f"Artikel 1\n{marker}\n".encode(), "text/plain")))
    assert marker not in caplog.text


# --------------------------------------------------------------------------- headers, pages


@pytest.mark.parametrize("path", ["/", "/static/upload.js", "/static/web.css", "/healthz", "/docs",
                                  "/openapi.json", "/bestaat-niet"])
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    for h in SECURITY_HEADERS:
        assert h in r.headers, (path, h)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "img-src 'self' data:" in csp


def test_security_headers_on_post_errors(client):
    r = client.post("/api/check", data={"norm": "x"})
    assert r.status_code == 400
    for h in SECURITY_HEADERS:
        assert h in r.headers


def test_upload_page_works_without_javascript(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="nl">' in html
    form = re.search(r"<form[^>]*>", html).group(0)
    assert 'action="/rapport"' in form and 'method="post"' in form
    assert 'enctype="multipart/form-data"' in form
    assert re.search(r'<input[^>]*name="file"[^>]*type="file"[^>]*multiple', html)
    assert re.search(r'<select[^>]*name="norm"', html)
    for norm in ("noord-holland", "twente", "limburg"):
        assert f'value="{norm}"' in html
    assert 'name="gemeente"' in html
    assert 'type="submit"' in html
    # Script only as an external file; no inline script, no external resources.
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert scripts and all(s.strip() == "" for s in scripts)
    assert 'src="/static/upload.js"' in html
    assert "style=" not in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "Controleren" in html


def test_docs_is_an_offline_dutch_api_page_and_openapi_is_served(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert "POST /api/check" in r.text and "multipart/form-data" in r.text
    assert not re.search(r"""(src|href)=["']https?://""", r.text)
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/check"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert "file" in body["schema"]["properties"]


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_unknown_page_is_dutch_404(client):
    r = client.get("/bestaat-niet")
    assert r.status_code == 404 and "Deze pagina bestaat niet" in r.text


# --------------------------------------------------------------------------- result page


def _inline_hashes(html: str) -> list[str]:
    out = []
    for body in re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.S):
        out.append("'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'")
    return out


def _download_links(html: str) -> dict[str, str]:
    return {m.group(2): m.group(1) for m in
            re.finditer(r'href="(/download/[A-Za-z0-9_-]+/([a-z0-9-]+))"', html)}


@needs_corpus
def test_form_post_shows_the_report_with_downloads(client):
    cli = _cli_check(APV_DOCX, BIBOB_PDF)
    r = client.post("/rapport", data={"norm": "noord-holland", "gemeente": "Duinwijk"}, files=_files(
        (APV_DOCX.name, APV_DOCX.read_bytes(), "application/octet-stream"),
        (BIBOB_PDF.name, BIBOB_PDF.read_bytes(), "application/pdf")))
    assert r.status_code == 200, r.text[:2000]
    html = r.text
    assert r.headers["cache-control"] == "no-store"
    assert 'class="nt-bar"' in html and "Nieuwe controle" in html
    # The report itself: every finding of the CLI is on the page.
    for f in cli["findings"]:
        assert f["requirement"] in html or (f.get("title") and f["title"] in html), f["requirement"]
    # Inline report CSS is allowed by hash, never by 'unsafe-inline'.
    csp = r.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp
    for h in _inline_hashes(html):
        assert h in csp
    links = _download_links(html)
    assert {"json", "csv", "xlsx", "docx"} <= set(links), links
    j = client.get(links["json"])
    assert j.status_code == 200 and j.headers["cache-control"] == "no-store"
    assert "attachment" in j.headers["content-disposition"]
    assert _statuses(j.json()) == _statuses(cli)
    assert j.json()["municipality"] == "Duinwijk"
    c = client.get(links["csv"])
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    assert any(req in c.text for req in _statuses(cli))
    x = client.get(links["xlsx"])
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(x.content)).namelist()
    d = client.get(links["docx"])
    assert d.status_code == 200 and d.content[:2] == b"PK"
    names = zipfile.ZipFile(io.BytesIO(d.content)).namelist()
    assert "word/document.xml" in names
    if any(f["status"] in ("partial", "missing") for f in cli["findings"] if f.get("type") == "apv"
           or f["requirement"].startswith("apv.")):
        assert "word/comments.xml" in names  # the gaps are commented in the draft
    assert ".nagekeken.docx" in d.headers["content-disposition"]


@needs_corpus
def test_no_docx_download_without_a_docx_upload(client):
    r = client.post("/rapport", files=_files((APV_PDF.name, APV_PDF.read_bytes(), "application/pdf")))
    assert r.status_code == 200
    links = _download_links(r.text)
    assert "json" in links and not any(k.startswith("docx") for k in links)


@needs_corpus
def test_xhr_upload_gets_a_report_url(client):
    r = client.post("/rapport", headers={"accept": "application/json"},
                    files=_files((APV_PDF.name, APV_PDF.read_bytes(), "application/pdf")))
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    assert re.fullmatch(r"/rapport/[A-Za-z0-9_-]{20,}", url)
    page = client.get(url)
    assert page.status_code == 200 and 'class="nt-bar"' in page.text
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]


@needs_corpus
def test_report_page_lists_unreadable_files_in_dutch(client):
    r = client.post("/rapport", files=_files(("kapot.pdf", _junk(), "application/pdf"),
                                             (APV_PDF.name, APV_PDF.read_bytes(), "application/pdf")))
    assert r.status_code == 200
    assert "Bestand kapot.pdf kon niet worden gelezen: " in r.text
    assert "De andere bestanden zijn wel beoordeeld" in r.text


def test_only_junk_gives_a_dutch_error_page(client):
    r = client.post("/rapport", files=_files(("rommel.bin", _junk(), "application/pdf")))
    assert r.status_code == 422
    assert "Bestand rommel.bin kon niet worden gelezen: " in r.text
    assert "Terug naar de uploadpagina" in r.text
    r = client.post("/rapport", headers={"accept": "application/json"},
                    files=_files(("rommel.bin", _junk(), "application/pdf")))
    assert r.status_code == 422
    assert r.json()["errors"][0].startswith("Bestand rommel.bin kon niet worden gelezen: ")


def test_oversize_on_the_form_is_a_dutch_error_page(client):
    boundary = "xyz"
    r = client.post("/rapport", content=_multipart_stream(boundary, "scan.pdf", 51 * 1024 * 1024),
                    headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413
    assert "scan.pdf" in r.text and "50 MB" in r.text and '<html lang="nl">' in r.text


def test_expired_or_unknown_download_token(client):
    assert client.get("/download/onbekend/json").status_code == 404
    r = client.get("/rapport/onbekend")
    assert r.status_code == 404 and "niet meer beschikbaar" in r.text


# --------------------------------------------------------------------------- building blocks


def test_csp_hashes_exactly_the_inline_blocks():
    from checker.web.app import inject
    from checker.web.security import csp_for_html

    report = ("<!doctype html><html><head><style>body{color:red}</style></head>"
              "<body><p style=\"color: blue\">x</p><script>console.log(1)</script></body></html>")
    page = inject(report, '<div class="nt-bar">bar</div>')
    assert page.index('<link rel="stylesheet" href="/static/web.css">') < page.index("</head>")
    assert page.index('<div class="nt-bar">') > page.index("<body>")
    csp = csp_for_html(page)

    def h(s):
        return "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"

    style_src = re.search(r"style-src ([^;]*)", csp).group(1)
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert h("body{color:red}") in style_src and h("color: blue") in style_src
    assert "'unsafe-hashes'" in style_src
    assert h("console.log(1)") in script_src
    assert "'unsafe-inline'" not in csp


def test_result_cache_expires_and_is_bounded():
    from checker.web.cache import Download, Entry, ResultCache

    now = [0.0]
    cache = ResultCache(max_entries=2, ttl=900, clock=lambda: now[0])
    for t in ("a", "b", "c"):
        cache.put(t, Entry(page="p", csp="", downloads={"json": Download(b"{}", "application/json", "x")}))
    assert cache.get("a") is None and cache.get("b") and cache.get("c")
    now[0] = 901
    assert cache.get("b") is None and len(cache) == 0
    small = ResultCache(max_entries=10, max_bytes=10, clock=lambda: now[0])
    small.put("x", Entry(page="12345", csp=""))
    small.put("y", Entry(page="123456", csp=""))
    assert small.get("x") is None and small.get("y") is not None


def test_safe_name():
    from checker.web.upload import safe_name

    assert safe_name("C:\\Users\\jan\\APV 2024.pdf", 0) == "APV 2024.pdf"
    assert safe_name("../../.bashrc", 0) == "bashrc"
    assert safe_name("a\x00b\nc.pdf", 0) == "abc.pdf"
    assert safe_name("", 2) == "document-3"
    long = safe_name("x" * 400 + ".docx", 0)
    assert long.endswith(".docx") and len(long.encode()) <= 150


def test_worker_pool_replaces_a_stuck_worker_and_survives_a_crash():
    from checker.web.pool import PoolCrash, PoolTimeout, TaskError, WorkerPool

    async def scenario():
        pool = WorkerPool(1)
        await pool.start()
        try:
            first = await pool.run("os:getpid", timeout=60)
            with pytest.raises(PoolTimeout):
                await pool.run("time:sleep", 600, timeout=0.5)
            second = await pool.run("os:getpid", timeout=60)
            assert second != first and pool.replaced == 1
            with pytest.raises(PoolCrash):
                await pool.run("os:_exit", 3, timeout=60)
            third = await pool.run("os:getpid", timeout=60)
            assert third not in (first, second) and pool.replaced == 2
            with pytest.raises(TaskError, match="ValueError"):
                await pool.run("builtins:int", "geen getal", timeout=60)
            # An ordinary task error does not cost the worker.
            assert await pool.run("os:getpid", timeout=60) == third
            assert pool.pids() == [third]
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_worker_memory_cap_turns_a_memory_bomb_into_an_error():
    from checker.web.pool import TaskError, WorkerPool

    async def scenario():
        pool = WorkerPool(1, memory_mb=1024)
        await pool.start()
        try:
            pid = await pool.run("os:getpid", timeout=60)
            with pytest.raises(TaskError, match="MemoryError"):
                await pool.run("builtins:bytearray", 4 * 1024 ** 3, timeout=60)
            assert await pool.run("os:getpid", timeout=60) == pid  # same worker, still serving
        finally:
            await pool.close()

    asyncio.run(scenario())


@needs_corpus
def test_a_document_over_the_time_limit_is_stopped_with_a_dutch_message(tmp_path):
    from checker.web import create_app

    app = create_app(workers=1, tmp_dir=tmp_path, timeout=0.001)
    with TestClient(app) as c:
        r = c.post("/api/check", files=_files((APV_PDF.name, APV_PDF.read_bytes(), "application/pdf")))
        assert r.status_code == 200, r.text
        err = r.json()["errors"]
        assert [(e["path"], e["code"]) for e in err] == [(APV_PDF.name, "timeout")]
        assert "afgebroken" in err[0]["error"]
        assert app.state.pool.replaced >= 1
        assert c.get("/healthz").json()["status"] == "ok"
    assert list(tmp_path.iterdir()) == []


def test_busy_server_refuses_new_checks_before_reading_them(tmp_path, monkeypatch):
    from checker.web import create_app

    monkeypatch.setenv("NORMTOETS_MAX_ACTIVE", "0")
    app = create_app(workers=1, tmp_dir=tmp_path)
    with TestClient(app) as c:
        r = c.post("/api/check", files=_files(("a.txt", b"Artikel 1\nTekst.\n", "text/plain")))
        assert r.status_code == 503 and "te druk" in r.json()["detail"]
        r = c.post("/rapport", files=_files(("a.txt", b"Artikel 1\nTekst.\n", "text/plain")))
        assert r.status_code == 503 and "te druk" in r.text
    assert list(tmp_path.iterdir()) == []


def test_empty_file_is_reported_not_dropped(client):
    r = client.post("/api/check", files=_files(("leeg.pdf", b"", "application/pdf")))
    assert r.status_code == 200
    assert [(e["path"], e["code"]) for e in r.json()["errors"]] == [("leeg.pdf", "empty")]
