"""What the benchmark scripts share: the command line, the test PDF, timing subprocesses."""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def pdf_args(description: str, only: tuple[str, ...] = ()) -> argparse.Namespace:
    """`[PDF] [--pages N] [--runs N] [--profile]`, as every PDF benchmark takes them;
    `--only KIND` where a benchmark generates several kinds of test PDF."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("pdf", nargs="?", help="measure this PDF instead of the generated one")
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    if only:
        ap.add_argument("--only", choices=only, help="measure only this generated PDF")
    return ap.parse_args()


def test_pdf(args: argparse.Namespace, stem: str, build: Callable[[Path, int], object] | None) -> Path:
    """The PDF given on the command line, else OUT/<stem>-<pages>p.pdf (built once)."""
    if args.pdf:
        return Path(args.pdf).resolve()
    pdf = OUT / f"{stem}-{args.pages}p.pdf"
    if not pdf.exists():
        t = time.perf_counter()
        build(pdf, args.pages)
        print(f"built {pdf} in {time.perf_counter() - t:.1f}s")
    return pdf


def normtoets() -> list[str]:
    exe = Path(sys.executable).with_name("normtoets")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "checker.cli"]


def run_child(cmd: list[str], env: dict | None = None) -> dict:
    """Wall, CPU (user+sys of the child and the processes it waited for) and peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "maxrss_mb": ru.ru_maxrss / 1024,
            "rc": os.waitstatus_to_exitcode(status), "out": out}


def pdftotext(pdf: Path, layout: bool = False) -> dict:
    return run_child(["pdftotext", *(["-layout"] if layout else []), str(pdf), "/dev/null"])
