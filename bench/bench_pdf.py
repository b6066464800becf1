"""Benchmark the PDF reader against pdftotext on an APV-sized PDF.

    python bench/bench_pdf.py                 # builds bench/out/apv-200p.pdf once, then measures
    python bench/bench_pdf.py some.pdf        # measures the given PDF
    python bench/bench_pdf.py --profile       # adds a cProfile top-20 of read_document

Prints wall time of read_document vs pdftotext (ratio), ms per page and peak memory
(ru_maxrss of a child process that only reads the document). Asserts nothing.
"""
from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from common import ROOT, pdf_args, pdftotext, test_pdf

SOURCE_TXT = ROOT.parent / "shared" / "corpus" / "apv-duinwijk-2024.txt"
_HEAD = re.compile(r"^(Hoofdstuk|Afdeling|Paragraaf|Artikel|§)\s")


def build_pdf(path: Path, pages: int = 200) -> Path:
    """Render the corpus APV text repeatedly as a Word-like export: header, footer, bold headings."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    lines = [ln.strip() for ln in SOURCE_TXT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=6)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=10, leading=13, spaceBefore=8,
                          spaceAfter=4)
    title = ParagraphStyle("title", fontName="Helvetica", fontSize=20, leading=24, spaceAfter=12)

    def frame(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, A4[1] - 40, "Algemene plaatselijke verordening Duinwijk 2024")
        canvas.drawRightString(A4[0] - 72, 30, f"Pagina {doc.page}")
        canvas.restoreState()

    # One pass of the text is ~25 pages; repeat to reach the target.
    story = []
    reps = max(1, round(pages / 25))
    for r in range(reps):
        story.append(Paragraph(escape(lines[0]) + (f" (deel {r + 1})" if r else ""), title))
        for ln in lines[1:]:
            story.append(Paragraph(escape(ln), head if _HEAD.match(ln) else body))
        story.append(Spacer(1, 20))
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=72, rightMargin=72, topMargin=72,
                            bottomMargin=60, title="APV Duinwijk 2024 (benchmark)")
    doc.build(story, onFirstPage=frame, onLaterPages=frame)
    return path


_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from checker.ingest import read_document
import checker.ingest.pdf  # the reader's lazy imports (pypdfium2) are a one-off per process
def cpu():  # this process and the page readers it forked (checker.parallel)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime
t1 = time.perf_counter()
c1 = cpu()
raw = read_document(sys.argv[1])
t2 = time.perf_counter()
c2 = cpu()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "cpu_s": c2 - c1, "pages": raw.pages, "blocks": len(raw.blocks),
                  "chars": sum(len(b.text) for b in raw.blocks),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure_reader(pdf: Path, jobs: str = "") -> dict:
    env = dict(os.environ, NORMTOETS_JOBS=jobs) if jobs else None
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(pdf)], capture_output=True, text=True,
                          cwd=ROOT, check=True, env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    args = pdf_args("read_document on a ~200-page APV PDF against pdftotext")
    pdf = test_pdf(args, "apv", build_pdf)
    # Interleave the runs so that load from other processes hits both sides alike.
    have_p2t = shutil.which("pdftotext") is not None
    reader, serial, plain, layout = [], [], [], []
    for _ in range(args.runs):
        reader.append(measure_reader(pdf))
        serial.append(measure_reader(pdf, jobs="1"))
        if have_p2t:
            plain.append(pdftotext(pdf))
            layout.append(pdftotext(pdf, layout=True))
    read_s = statistics.median(r["read_s"] for r in reader)
    peak = max(r["maxrss_mb"] for r in reader)
    print(f"file: {pdf} ({pdf.stat().st_size / 1e6:.1f} MB, {reader[0]['pages']} pages, "
          f"{reader[0]['blocks']} blocks, {reader[0]['chars']} chars)")
    print(f"read_document: {read_s:.3f}s median of {args.runs} "
          f"({1000 * read_s / reader[0]['pages']:.2f} ms/page; import {reader[0]['import_s']:.2f}s)")
    print(f"peak memory (child ru_maxrss): {peak:.0f} MB")
    cpu_s = statistics.median(r["cpu_s"] for r in reader)
    print(f"read_document CPU time (all processes): {cpu_s:.3f}s")
    one_s, one_c = statistics.median(r["read_s"] for r in serial), statistics.median(r["cpu_s"] for r in serial)
    print(f"read_document in one process (NORMTOETS_JOBS=1): wall {one_s:.3f}s, CPU {one_c:.3f}s")
    if have_p2t:
        p, lay = statistics.median(r["wall"] for r in plain), statistics.median(r["wall"] for r in layout)
        pc, lc = statistics.median(r["cpu"] for r in plain), statistics.median(r["cpu"] for r in layout)
        print(f"pdftotext: wall {p:.3f}s -> ratio {read_s / p:.2f}x; cpu {pc:.3f}s -> ratio {cpu_s / pc:.2f}x; "
              f"one process: wall {one_s / p:.2f}x")
        print(f"pdftotext -layout: wall {lay:.3f}s -> ratio {read_s / lay:.2f}x; cpu {lc:.3f}s -> "
              f"ratio {cpu_s / lc:.2f}x")
        print("(CPU-time ratios are the steadier figure on a shared machine)")
    else:
        print("pdftotext not installed (apt-get install poppler-utils): no ratio")
    print(f"this process ru_maxrss: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.profile:
        import cProfile
        import pstats

        sys.path.insert(0, str(ROOT))
        from checker.ingest import read_document

        prof = cProfile.Profile()
        prof.enable()
        read_document(pdf)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(20)


if __name__ == "__main__":
    main()
