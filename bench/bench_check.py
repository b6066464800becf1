"""Benchmark `normtoets check` on a ~200-page APV PDF against pdftotext.

    python bench/bench_check.py                # builds both test PDFs once (bench/out), measures both
    python bench/bench_check.py --only office  # one of them (office | reportlab)
    python bench/bench_check.py some.pdf       # measures the given PDF
    python bench/bench_check.py --profile      # adds a cProfile top-30 of a warm check_paths

Goal (issues): checking a 200-page APV stays within 3x the time pdftotext needs for the
same file, peak memory under 500 MB. Prints; asserts nothing (figures go into notes).

The test text is the corpus APV (Duinwijk 2024) with its chapters repeated under new
numbers (Hoofdstuk 7.., Artikel 7:1..), so the structure parser and the engine see
~800 distinct articles as in a large real APV, then one toelichting. It is rendered twice:
- office: as municipalities make their PDFs - a Word document (python-docx) exported by
  LibreOffice, with running header and page numbers; fonts embedded and subset, text set
  word by word with kerning (what PDF/A, required for archived council documents, implies).
  Needs `soffice` (Debian: libreoffice-writer-nogui); skipped with a note without it.
- reportlab: bench/bench_pdf.py's Word-like renderer with the base-14 fonts, which are not
  embedded and have no kerning. pdftotext reads such pages about twice as fast as
  LibreOffice's (1.3 against 2.9 ms a page here), while normtoets' own work per page stays
  the same: the harder case for the ratio, reported next to the realistic one.

Reported per file:
- pdftotext (wall, CPU) on the file;
- `normtoets check FILE --format json` as a cold subprocess: wall, CPU (children's
  rusage) and peak RSS, once with an empty cache directory (first run on a machine) and
  with the caches filled (every later run), once more in one process (NORMTOETS_JOBS=1:
  no fork_map over documents, pages and rules); the same for `normtoets parse`;
- in-process: check_paths once to warm up, then the median of warm runs;
- per-stage breakdown in a fresh process: interpreter, imports, rules load, lemma table,
  read, structure, match, norm view, report (first call and warm call);
and at the end one line per file with the ratio.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import bench_pdf  # the PDF builder lives there
from common import OUT, ROOT, normtoets, pdf_args, pdftotext, run_child, test_pdf

_ART_NUM = re.compile(r"\b([1-6]):(\d+[a-z]?)\b")
_CHAPTER = re.compile(r"^Hoofdstuk (\d+)\b")


def apv_text(pages: int) -> str:
    """Corpus APV text with its body repeated under fresh chapter numbers (~22 pages a pass)."""
    lines = [ln.strip() for ln in bench_pdf.SOURCE_TXT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    first = next(i for i, ln in enumerate(lines) if _CHAPTER.match(ln))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Aldus vastgesteld"))
    head, body, tail = lines[:first], lines[first:end], lines[end:]
    reps = max(1, round(pages / 22))
    out = list(head)
    for r in range(reps):
        off = 6 * r
        for ln in body:
            if off:
                ln = _CHAPTER.sub(lambda m: f"Hoofdstuk {int(m.group(1)) + off}", ln)
                ln = _ART_NUM.sub(lambda m: f"{int(m.group(1)) + off}:{m.group(2)}", ln)
            out.append(ln)
    out.extend(tail)
    return "\n".join(out) + "\n"


def build_pdf(path: Path, pages: int = 200) -> Path:
    """bench_pdf's renderer over the renumbered text (one pass: no '(deel n)' titles)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "apv.txt"
        src.write_text(apv_text(pages), encoding="utf-8")
        saved = bench_pdf.SOURCE_TXT
        bench_pdf.SOURCE_TXT = src
        try:
            bench_pdf.build_pdf(path, pages=25)  # 25 -> one repetition inside build_pdf
        finally:
            bench_pdf.SOURCE_TXT = saved
    return path


def build_office_pdf(path: Path, pages: int = 200) -> Path:
    """The same text as build_pdf, made the way a municipality makes its PDF: a Word
    document exported by LibreOffice (10 pt Liberation Sans, bold headings, running header,
    page numbers) - ~180 pages."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    section = doc.sections[0]
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.5)
    section.header.paragraphs[0].text = "Algemene plaatselijke verordening Duinwijk 2024"
    page_no = OxmlElement("w:fldSimple")
    page_no.set(qn("w:instr"), "PAGE")
    section.footer.paragraphs[0]._p.append(page_no)
    for line in apv_text(pages).splitlines():
        if _HEADING.match(line):
            doc.add_paragraph().add_run(line).bold = True
        else:
            doc.add_paragraph(line)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{path.stem}.docx"
        doc.save(src)
        # a private profile: a LibreOffice the user has open does not get in the way
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=600)
        shutil.move(Path(tmp) / f"{path.stem}.pdf", path)
    return path


_HEADING = re.compile(r"^(?:Hoofdstuk|Afdeling|Paragraaf|Artikel)\b")
# (file stem, how it is made, builder)
PRODUCERS = {
    "office": ("apv-check-office", "Word document exported by LibreOffice, fonts embedded", build_office_pdf),
    "reportlab": ("apv-check", "reportlab, base-14 fonts not embedded", build_pdf),
}


_STAGES = r"""
import contextlib, io, json, resource, sys, time
T0 = time.perf_counter(); C0 = time.process_time()
stages = {}
def lap(name, t, c):
    stages[name] = {"wall": time.perf_counter() - t, "cpu": time.process_time() - c}
    return time.perf_counter(), time.process_time()
t, c = T0, C0
import checker.cli  # what every command imports before it runs
t, c = lap("import cli", t, c)
from checker import pipeline
from checker.ingest import read_document
import checker.ingest.pdf, pypdfium2  # noqa
from checker.structure import structure_document
from checker.match import evaluate
import checker.match.engine  # noqa
from checker.norms import apply_norm_view
from checker.report import render
t, c = lap("import check path", t, c)
from checker.match.rules import load_rules, catalogue
load_rules(); catalogue()
t, c = lap("rules load", t, c)
from checker.match import nlp
if hasattr(nlp, "lemmas"):
    nlp.lemmas(["vergunningen"])  # opens the lemma lookup (SQLite copy of the table)
else:
    nlp.lemma_table()  # older checkouts load the whole table
t, c = lap("lemma lookup", t, c)

def one(tag):
    global t, c
    t, c = time.perf_counter(), time.process_time()
    raw = read_document(sys.argv[1])
    t, c = lap(f"read{tag}", t, c)
    doc = structure_document(raw)
    t, c = lap(f"structure{tag}", t, c)
    res = pipeline.check_documents([doc], [])  # match + norm view, timed apart below
    t, c = lap(f"check_documents{tag}", t, c)
    typed = [d for d in [doc] if d.type]
    evaluate(typed, sorted({d.type for d in typed}))
    t, c = lap(f"  of which match{tag}", t, c)
    with contextlib.redirect_stdout(io.StringIO()):
        render(res, "json", output=None, color=False)
    t, c = lap(f"report json{tag}", t, c)
    return raw, doc

raw, doc = one(" (1st)")
one(" (warm)")
warm = []
for _ in range(int(sys.argv[2])):
    t1, c1 = time.perf_counter(), time.process_time()
    pipeline.check_paths([sys.argv[1]])
    warm.append((time.perf_counter() - t1, time.process_time() - c1))
print(json.dumps({"stages": stages, "warm": warm, "pages": raw.pages, "blocks": len(raw.blocks),
                  "articles": len(doc.articles),
                  "in_force": sum(1 for a in doc.articles if a.status == "in_force"),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    args = pdf_args("normtoets check on a ~200-page APV against pdftotext",
                    only=("office", "reportlab"))
    if args.pdf:
        files = [(test_pdf(args, "", None), "given file")]
    else:
        files = []
        for key in ([args.only] if args.only else PRODUCERS):
            stem, how, build = PRODUCERS[key]
            try:
                files.append((test_pdf(args, stem, build), how))
            except (FileNotFoundError, subprocess.CalledProcessError) as e:
                print(f"skipped the {key} PDF: {e}")
    summary = []
    for pdf, how in files:
        print(f"== {pdf.name} ({how})")
        summary.append((pdf, how, measure(pdf, args)))
        print()
    print("summary: cold `normtoets check FILE --format json` (caches warm, all cores) against pdftotext")
    for pdf, how, (pages, base, wall) in summary:
        ratio = f"{wall / base:.1f}x" if base else "-"
        per_page = f"{base / pages * 1000:.1f} ms/page" if base else "pdftotext not installed"
        print(f"  {pdf.name:28s} {pages:4d} pages  pdftotext {base or 0:.3f}s ({per_page})  "
              f"check {wall:.3f}s = {ratio}   [{how}]")


def measure(pdf: Path, args) -> tuple[int, float | None, float]:
    """Print the figures for one PDF; return (pages, pdftotext wall, check wall)."""
    have_p2t = shutil.which("pdftotext") is not None
    nt = normtoets()
    # An installed normtoets has its modules byte-compiled (pip does that); a shell with
    # PYTHONDONTWRITEBYTECODE=1 recompiles every module on each start. Measure the
    # installed case, keeping the .pyc files out of the source tree.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    fresh_cache = Path(tempfile.mkdtemp(prefix="normtoets-bench-cache-"))
    try:
        first = run_child([*nt, "check", str(pdf), "--format", "json"], dict(env, XDG_CACHE_HOME=str(fresh_cache)))
    finally:
        shutil.rmtree(fresh_cache, ignore_errors=True)
    run_child([*nt, "check", str(pdf), "--format", "json"], env)  # fill the user cache if empty
    # ... and as this shell runs it (with PYTHONDONTWRITEBYTECODE=1 normtoets' own modules
    # are compiled from source on every start; site-packages keep their pip-made .pyc)
    shell = run_child([*nt, "check", str(pdf), "--format", "json"])
    # Interleave so that load from other processes hits every side alike.
    # check uses every core (checker.parallel); NORMTOETS_JOBS=1 shows the one-process figure
    serial_env = dict(env, NORMTOETS_JOBS="1")
    p2t, check, serial, parse = [], [], [], []
    for _ in range(args.runs):
        if have_p2t:
            p2t.append(pdftotext(pdf))
        check.append(run_child([*nt, "check", str(pdf), "--format", "json"], env))
        serial.append(run_child([*nt, "check", str(pdf), "--format", "json"], serial_env))
        parse.append(run_child([*nt, "parse", str(pdf), "--format", "json"], env))
    findings = json.loads(check[0]["out"]).get("findings", [])
    # stage figures of one process: with fork_map a stage's CPU would hide in its children
    child = subprocess.run([sys.executable, "-c", _STAGES, str(pdf), str(args.runs)], capture_output=True,
                           text=True, cwd=ROOT, check=True, env=serial_env)
    st = json.loads(child.stdout.strip().splitlines()[-1])

    print(f"file: {pdf} ({pdf.stat().st_size / 1e6:.2f} MB, {st['pages']} pages, {st['blocks']} blocks, "
          f"{st['articles']} articles of which {st['in_force']} in force; {len(findings)} findings)")
    base_w = med(p2t, "wall") if p2t else None
    base_c = med(p2t, "cpu") if p2t else None

    def ratio(v: float, base: float | None) -> str:
        return f" = {v / base:.1f}x pdftotext" if base else ""

    if p2t:
        print(f"pdftotext:                         wall {base_w:.3f}s  cpu {base_c:.3f}s")
    else:
        print("pdftotext not installed (apt-get install poppler-utils): no ratios")
    cw, cc = med(check, "wall"), med(check, "cpu")
    print(f"normtoets check (cold, caches warm): wall {cw:.3f}s{ratio(cw, base_w)}  "
          f"cpu {cc:.3f}s{ratio(cc, base_c)}  peak {max(r['maxrss_mb'] for r in check):.0f} MB")
    sw, sc = med(serial, "wall"), med(serial, "cpu")
    print(f"normtoets check (cold, 1 process):   wall {sw:.3f}s{ratio(sw, base_w)}  "
          f"cpu {sc:.3f}s{ratio(sc, base_c)}  peak {max(r['maxrss_mb'] for r in serial):.0f} MB")
    print(f"normtoets check (cold, empty cache): wall {first['wall']:.3f}s{ratio(first['wall'], base_w)}  "
          f"cpu {first['cpu']:.3f}s{ratio(first['cpu'], base_c)}  peak {first['maxrss_mb']:.0f} MB")
    how = "no .pyc for normtoets itself" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "same as above"
    print(f"normtoets check (cold, this shell):  wall {shell['wall']:.3f}s{ratio(shell['wall'], base_w)}  "
          f"cpu {shell['cpu']:.3f}s{ratio(shell['cpu'], base_c)}  ({how})")
    pw, pc = med(parse, "wall"), med(parse, "cpu")
    print(f"normtoets parse (cold):              wall {pw:.3f}s{ratio(pw, base_w)}  "
          f"cpu {pc:.3f}s{ratio(pc, base_c)}  peak {max(r['maxrss_mb'] for r in parse):.0f} MB")
    ww = statistics.median(w for w, _ in st["warm"])
    wc = statistics.median(c for _, c in st["warm"])
    print(f"check_paths in-process (warm, 1 process): wall {ww:.3f}s{ratio(ww, base_w)}  "
          f"cpu {wc:.3f}s{ratio(wc, base_c)}  (median of {len(st['warm'])})")
    print(f"peak memory of the in-process run:   {st['maxrss_mb']:.0f} MB")
    print("per stage (fresh process; 1st = first call, warm = second call):")
    for name, v in st["stages"].items():
        print(f"  {name:28s} wall {v['wall']:.3f}s  cpu {v['cpu']:.3f}s")
    print("(CPU ratios are the steadier figure on a shared machine)")
    if any(r["rc"] not in (0, 3) for r in check + parse):
        print("warning: a normtoets run exited with", sorted({r['rc'] for r in check + parse}))
    if args.profile:
        import cProfile
        import pstats

        sys.path.insert(0, str(ROOT))
        from checker import pipeline
        from checker.parallel import set_jobs

        set_jobs(1)  # cProfile sees only this process
        pipeline.check_paths([pdf])
        prof = cProfile.Profile()
        prof.enable()
        pipeline.check_paths([pdf])
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return st["pages"], base_w, cw


if __name__ == "__main__":
    main()
