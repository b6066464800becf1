"""Benchmark of `normtoets batch`: throughput on a synthetic region and the rerun time
with nothing changed.

    python bench/bench_batch.py              # 342 municipalities x 5 documents
    python bench/bench_batch.py --n 40       # smaller, extrapolated to 342

The region is built from the shared corpus (one APV, Bibob, Damocles, gedragscode and
agressieprotocol per municipality, rotating over the three corpus municipalities),
half of the municipalities as PDF and half as TXT unless --formats says otherwise.
Prints figures; asserts nothing (targets: 342 x 5 within 10 minutes, rerun < 10 s).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, normtoets

CORPUS = ROOT.parent / "shared" / "corpus"
TARGET_N = 342

SETS = {  # per type the corpus documents to rotate over
    "apv": ["apv-duinwijk-2024", "apv-maasbeek-2022", "apv-veenhoven-2016"],
    "bibob": ["bibob-duinwijk-2023", "bibob-veenhoven-2016"],
    "damocles": ["damocles-duinwijk-2020", "damocles-veenhoven-2015"],
    "integriteit": ["gedragscode-duinwijk-2021"],
    "agressie": ["agressieprotocol-duinwijk-2022"],
}


def build_region(region: Path, n: int, formats: list[str]) -> int:
    files = 0
    for i in range(n):
        d = region / f"gemeente-{i + 1:03d}"
        d.mkdir(parents=True)
        fmt = formats[i % len(formats)]
        for docs in SETS.values():
            src = CORPUS / f"{docs[i % len(docs)]}.{fmt}"
            shutil.copyfile(src, d / src.name)
            files += 1
    return files


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, p.returncode, p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""


RERUN_PROBE = """
import json, sys, time
t = time.perf_counter()
from checker.batch import run_batch
rc = run_batch(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]), norm="noord-holland", timeout=120.0,
               db_path=sys.argv[4], force=False)
print(json.dumps({"seconds": time.perf_counter() - t, "rc": rc,
                  "spacy_imported": any(m == "spacy" or m.startswith("spacy.") for m in sys.modules),
                  "pipeline_imported": "checker.match.engine" in sys.modules}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=TARGET_N, help="aantal gemeenten (standaard 342)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--formats", default="pdf,txt", help="kommagescheiden: pdf,txt,docx,html")
    ap.add_argument("--work", type=Path, default=None, help="werkmap (standaard: tijdelijk)")
    ap.add_argument("--keep", action="store_true", help="werkmap niet opruimen")
    args = ap.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="normtoets-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    region, out, db = work / "regio", work / "uit", work / "historie.sqlite"
    for p in (region, out):
        shutil.rmtree(p, ignore_errors=True)
    db.unlink(missing_ok=True)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    n_files = build_region(region, args.n, formats)
    size = sum(f.stat().st_size for f in region.rglob("*") if f.is_file())
    env = {**os.environ, "NORMTOETS_DB": str(db)}
    print(f"regio: {args.n} gemeenten, {n_files} documenten ({'/'.join(formats)}), "
          f"{size / 1e6:.1f} MB; {args.jobs} processen; {os.cpu_count()} cores", flush=True)

    cmd = normtoets() + ["batch", str(region), "--out", str(out), "--jobs", str(args.jobs)]
    first, rc, summary = run(cmd, env)
    rate = args.n / first * 60
    print(f"eerste run:  {first:7.1f} s  rc={rc}  -> {rate:.1f} gemeenten/minuut  [{summary}]", flush=True)
    if args.n != TARGET_N:
        print(f"  geëxtrapoleerd naar {TARGET_N} gemeenten: {TARGET_N / rate * 60:.0f} s "
              f"({TARGET_N / rate:.1f} min; doel < 10 min)")
    stats = json.loads((out / ".state" / "run.json").read_text(encoding="utf-8"))
    cpu = stats.get("worker_cpu_seconds") or 0.0
    if cpu and stats.get("checked", 0) + stats.get("failed", 0):
        per = cpu / (stats["checked"] + stats["failed"])
        ideal = args.jobs * 60 / per
        print(f"  CPU per gemeente (workers): {per:.2f} s -> op {args.jobs} vrije cores ca. {ideal:.0f} "
              f"gemeenten/minuut, {TARGET_N} in ca. {TARGET_N / ideal:.1f} min "
              f"(load tijdens meting: {stats.get('loadavg')})")

    rerun, rc2, summary2 = run(cmd, env)
    if " 0 gecontroleerd" not in summary2:
        # Rules or code changed between the runs (shared working tree): the rerun rightly
        # checked again; measure the next one, which has nothing to do.
        print(f"  (herhaling controleerde opnieuw - regels gewijzigd? [{summary2}]; nogmaals)")
        rerun, rc2, summary2 = run(cmd, env)
    print(f"herhaling (niets gewijzigd, CLI):  {rerun:5.2f} s  rc={rc2}  [{summary2}]  (doel < 10 s)", flush=True)

    probe = subprocess.run([sys.executable, "-c", RERUN_PROBE, str(region), str(out), str(args.jobs), str(db)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(probe.stdout.strip().splitlines()[-1])
        print(f"herhaling (run_batch in-process): {info['seconds']:.2f} s; spaCy geladen: "
              f"{'ja' if info['spacy_imported'] else 'nee'}; pijplijn geladen: "
              f"{'ja' if info['pipeline_imported'] else 'nee'}")
    except (ValueError, IndexError, KeyError):
        print("herhaling in-process: meting mislukt:", probe.stderr.strip()[-500:])

    # One municipality changes: only that one is checked again.
    first_muni = sorted(p for p in region.iterdir() if p.is_dir())[0]
    txt = next((f for f in first_muni.iterdir() if f.suffix == ".txt"), None)
    victim = txt or next(first_muni.iterdir())
    with open(victim, "ab") as fh:
        fh.write(b"\n\nGewijzigd.\n" if txt else b"\n")
    changed, rc3, summary3 = run(cmd, env)
    print(f"herhaling (1 gemeente gewijzigd):  {changed:5.2f} s  rc={rc3}  [{summary3}]")

    if not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"werkmap: {work}")


if __name__ == "__main__":
    main()
