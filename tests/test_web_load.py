"""Bounded local load test: 20 simultaneous uploads against a real `normtoets serve`.

Asserts only correctness (every answer right, nothing left on disk); the request-time
distribution is printed for the closing notes, never asserted.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import threading
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")

from webserver import normtoets_cmd, running_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
DOCS = [CORPUS / "apv-duinwijk-2024.pdf", CORPUS / "bibob-duinwijk-2023.docx",
        CORPUS / "damocles-duinwijk-2020.pdf", CORPUS / "apv-maasbeek-2022.docx"]
CONCURRENT = 20

pytestmark = pytest.mark.skipif(not all(p.exists() for p in DOCS), reason="sample corpus not available")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `normtoets serve` on a free port, with its own upload temp dir."""
    uploads = tmp_path_factory.mktemp("load-uploads")
    log = tmp_path_factory.mktemp("load-log") / "server.log"
    with running_server(uploads, log) as srv:
        yield srv


def _cli_statuses(path: Path) -> dict[str, str]:
    proc = subprocess.run(normtoets_cmd() + ["check", str(path), "--format", "json"],
                          capture_output=True, text=True, timeout=600)
    assert proc.stdout.strip(), proc.stderr
    return {f["requirement"]: f["status"] for f in json.loads(proc.stdout)["findings"]}


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def test_twenty_concurrent_uploads(server):
    expected = {p.name: _cli_statuses(p) for p in DOCS}
    junk = bytes(range(256)) * 8
    barrier = threading.Barrier(CONCURRENT)
    results: list[dict] = [None] * CONCURRENT  # type: ignore[list-item]

    def one(i: int) -> None:
        doc = DOCS[i % len(DOCS)]
        files = [("file", (doc.name, doc.read_bytes(), "application/octet-stream"))]
        if i % 5 == 4:  # every fifth request also carries an unreadable file
            files.append(("file", ("rommel.bin", junk, "application/pdf")))
        with httpx.Client(timeout=900) as client:
            barrier.wait()
            t0 = time.perf_counter()
            try:
                r = client.post(server["base"] + "/api/check", files=files)
                results[i] = {"doc": doc.name, "junk": len(files) == 2, "status": r.status_code,
                              "body": r.json() if r.status_code == 200 else r.text,
                              "seconds": time.perf_counter() - t0}
            except Exception as e:  # noqa: BLE001 - recorded and asserted below
                results[i] = {"doc": doc.name, "error": repr(e), "seconds": time.perf_counter() - t0}

    threads = [threading.Thread(target=one, args=(i,)) for i in range(CONCURRENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    times = [r["seconds"] for r in results]
    print(f"\nweb load: {CONCURRENT} concurrent uploads, 2 check workers: "
          f"p50 {statistics.median(times):.2f}s, p90 {_pct(times, 90):.2f}s, max {max(times):.2f}s, "
          f"min {min(times):.2f}s")

    for r in results:
        assert "error" not in r, r
        assert r["status"] == 200, r
        body = r["body"]
        assert [d["path"] for d in body["documents"]] == [r["doc"]]
        assert {f["requirement"]: f["status"] for f in body["findings"]} == expected[r["doc"]], r["doc"]
        assert [e["path"] for e in body["errors"]] == (["rommel.bin"] if r["junk"] else [])
    assert list(server["uploads"].iterdir()) == [], "an upload outlived its request"
    health = httpx.get(server["base"] + "/healthz", timeout=10).json()
    assert health["status"] == "ok" and health["workers_replaced"] == 0


def test_oversize_stream_gets_413_from_the_real_server(server):
    """51 MB streamed to a real socket: the server stops reading and answers 413."""
    boundary = "normtoets-load-boundary"

    def body():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"groot.pdf\"\r\n"
               "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
        block = b"0" * (1 << 20)
        for _ in range(51):
            yield block
        yield f"\r\n--{boundary}--\r\n".encode()

    with httpx.Client(timeout=120) as client:
        r = client.post(server["base"] + "/api/check", content=body(),
                        headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413
    assert "groot.pdf" in r.json()["detail"]
    assert list(server["uploads"].iterdir()) == []
    # The server is still fine afterwards.
    assert httpx.get(server["base"] + "/healthz", timeout=10).status_code == 200
