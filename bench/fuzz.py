#!/usr/bin/env python3
"""Seeded mutation fuzzing of the readers and the whole check.

    python bench/fuzz.py --cases 1000 --seed 1

Mutates the sample PDF, DOCX and a CVDR-like XML (bit flips, truncation, inserted and
duplicated chunks, and for DOCX also mutations inside document.xml) and runs every case
through read -> structure -> match in a worker process. Each case must end in findings
or a clean DocumentError. Counted separately:
  crash      the worker process died (segfault, abort)
  hang       no answer within --timeout seconds (the worker is killed and replaced)
  unexpected an exception other than DocumentError escaped the pipeline stage
Exit 0 when all three are zero. The test suite runs a small seeded subset of this.
"""
from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import random
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CVDR_XML = """<?xml version="1.0" encoding="UTF-8"?>
<cvdr><meta><citeertitel>Algemene plaatselijke verordening Lindeveld</citeertitel></meta>
<body><regeling><regeling-tekst>
<hoofdstuk><kop><label>Hoofdstuk</label><nr>2</nr><titel>Openbare orde</titel></kop>
<afdeling><kop><label>Afdeling</label><nr>8</nr><titel>Horecabedrijven</titel></kop>
<artikel><kop><label>Artikel</label><nr>2:27</nr><titel>Begripsbepalingen</titel></kop>
<al>In deze afdeling wordt verstaan onder horecabedrijf: het bedrijfsmatig verstrekken van dranken, waaronder een shishalounge.</al></artikel>
<artikel><kop><label>Artikel</label><nr>2:28</nr><titel>Exploitatievergunning</titel></kop>
<lid><lidnr>1</lidnr><al>Het is verboden een horecabedrijf te exploiteren zonder vergunning van de burgemeester.</al></lid>
<lid><lidnr>2</lidnr><al>De burgemeester weigert de vergunning indien de exploitant of leidinggevende in enig opzicht van slecht levensgedrag is.</al></lid>
</artikel></afdeling></hoofdstuk>
</regeling-tekst></regeling></body></cvdr>
"""


def seed_files() -> dict[str, bytes]:
    """The inputs to mutate: the committed samples (PDF, DOCX) and a small CVDR XML."""
    files: dict[str, bytes] = {"cvdr.xml": CVDR_XML.encode("utf-8")}
    samples = ROOT / "samples" / "lindeveld"
    for ext in ("pdf", "docx"):
        cands = sorted(samples.glob(f"*.{ext}"), key=lambda p: p.stat().st_size)
        if cands:
            files[f"seed.{ext}"] = cands[0].read_bytes()
    return files


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    op = rng.choice(("flip", "truncate", "insert", "dup", "zero", "splice"))
    n = len(b)
    if n == 0:
        return bytes(rng.randbytes(16))
    if op == "flip":
        for _ in range(rng.randint(1, 32)):
            i = rng.randrange(n)
            b[i] ^= 1 << rng.randrange(8)
    elif op == "truncate":
        b = b[: rng.randrange(n)]
    elif op == "insert":
        i = rng.randrange(n)
        b[i:i] = rng.randbytes(rng.randint(1, 256))
    elif op == "dup":
        i = rng.randrange(n)
        j = min(n, i + rng.randint(1, 4096))
        b[j:j] = b[i:j] * rng.randint(1, 8)
    elif op == "zero":
        i = rng.randrange(n)
        b[i:i + rng.randint(1, 2048)] = bytes(min(2048, n - i))
    else:  # splice: swap two chunks
        i, j = sorted(rng.randrange(n) for _ in range(2))
        k = rng.randint(1, 1024)
        b[i:i + k], b[j:j + k] = b[j:j + k], b[i:i + k]
    return bytes(b)


def _mutate_docx_inner(data: bytes, rng: random.Random) -> bytes:
    """Mutate word/document.xml inside a valid zip, so the XML layer is exercised too."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                content = zin.read(info.filename)
                if info.filename == "word/document.xml":
                    content = _mutate_bytes(content, rng)
                zout.writestr(info, content)
        return out.getvalue()
    except Exception:  # noqa: BLE001 - seed itself broken: fall back to raw mutation
        return _mutate_bytes(data, rng)


def make_cases(n: int, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    seeds = seed_files()
    names = sorted(seeds)
    cases = []
    for i in range(n):
        name = names[i % len(names)]
        data = seeds[name]
        if name.endswith(".docx") and rng.random() < 0.5:
            mutated = _mutate_docx_inner(data, rng)
        else:
            mutated = _mutate_bytes(data, rng)
        cases.append((f"case{i:05d}-{name}", mutated))
    return cases


def _worker(conn, full_check: bool) -> None:
    """Runs cases sent over the pipe; answers (status, detail) for each."""
    from checker.errors import DocumentError
    from checker.pipeline import check_documents, load_document

    while True:
        msg = conn.recv()
        if msg is None:
            return
        path = msg
        try:
            doc = load_document(path)
            if full_check:
                res = check_documents([doc])
                conn.send(("ok", f"{len(res.findings)} findings"))
            else:
                conn.send(("ok", f"{len(doc.articles)} articles"))
        except DocumentError as e:
            conn.send(("error", str(e)))
        except Exception:  # noqa: BLE001
            conn.send(("unexpected", traceback.format_exc(limit=4)))


@dataclass
class FuzzReport:
    cases: int = 0
    ok: int = 0
    clean_errors: int = 0
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> int:
        return len(self.crashes) + len(self.hangs) + len(self.unexpected)

    def summary(self) -> str:
        return (f"fuzz: {self.cases} cases in {self.seconds:.1f} s: {self.ok} checked, "
                f"{self.clean_errors} clean errors, {len(self.crashes)} crashes, "
                f"{len(self.hangs)} hangs, {len(self.unexpected)} unexpected exceptions")


def run_fuzz(n: int, seed: int, timeout: float = 30.0, full_check: bool = True,
             keep_dir: Path | None = None) -> FuzzReport:
    # fork: the worker function lives in this file, which a spawned child could not import by name
    ctx = mp.get_context("fork")
    report = FuzzReport()
    t0 = time.perf_counter()

    def start():
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(child, full_check), daemon=True)
        p.start()
        return p, parent

    proc, conn = start()
    with tempfile.TemporaryDirectory(prefix="normtoets-fuzz-") as tmp:
        for name, data in make_cases(n, seed):
            f = Path(tmp) / name
            f.write_bytes(data)
            report.cases += 1
            conn.send(str(f))
            # the first case pays for the worker's imports (spaCy)
            limit = timeout + (30.0 if report.cases == 1 else 0.0)
            if conn.poll(limit):
                try:
                    status, detail = conn.recv()
                except EOFError:
                    status, detail = "crash", f"exit code {proc.exitcode}"
            elif not proc.is_alive():
                status, detail = "crash", f"exit code {proc.exitcode}"
            else:
                status, detail = "hang", f"no answer in {limit:.0f} s"
            if status == "ok":
                report.ok += 1
            elif status == "error":
                report.clean_errors += 1
            else:
                getattr(report, {"crash": "crashes", "hang": "hangs"}.get(status, "unexpected")).append(
                    f"{name}: {detail}")
                if keep_dir:
                    keep_dir.mkdir(parents=True, exist_ok=True)
                    (keep_dir / name).write_bytes(data)
                if status in ("crash", "hang"):
                    proc.kill()
                    proc.join()
                    proc, conn = start()
            f.unlink(missing_ok=True)
    try:
        conn.send(None)
    except (BrokenPipeError, OSError):
        pass
    proc.join(5)
    if proc.is_alive():
        proc.kill()
    report.seconds = time.perf_counter() - t0
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--parse-only", action="store_true", help="read and structure only, no rules")
    ap.add_argument("--keep", type=Path, default=ROOT / "bench" / "out" / "fuzz-failures")
    args = ap.parse_args()
    rep = run_fuzz(args.cases, args.seed, args.timeout, full_check=not args.parse_only, keep_dir=args.keep)
    print(rep.summary())
    for line in rep.crashes + rep.hangs + rep.unexpected:
        print("  " + line.replace("\n", "\n    "))
    return 0 if rep.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
