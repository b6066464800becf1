#!/usr/bin/env python3
"""Maintain the labelled check corpora (tests/corpus/check, check2, check3).

The hand-written sources of each corpus are NAME.txt (one paragraph per line) and
NAME.labels.yaml (type, municipality, articles, expect); FOLDER/render.yaml says which
documents are also rendered to DOCX and/or PDF, and how. This script

1. recomputes the `articles` list of every labels file from its .txt, so structure labels
   cannot drift from the text (`labels: recompute`; with `labels: keep` the lists are
   written by hand and test the structure stage themselves), keeping `expect` as written;
2. renders the listed documents with the renderers of samples/make_samples.py, so the
   same labels are scored on other formats.

Usage:  python tests/corpus/make.py [FOLDER ...] [--labels-only]    (default: all three)
Run it after editing a text and commit the outputs.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "samples"))

import make_samples as ms  # noqa: E402

CORPORA = ("check", "check2", "check3")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path, default=[HERE / c for c in CORPORA])
    ap.add_argument("--labels-only", action="store_true", help="only recompute the articles lists")
    args = ap.parse_args(argv)
    for folder in args.folders:
        folder = folder.resolve()
        cfg = yaml.safe_load((folder / "render.yaml").read_text(encoding="utf-8"))
        if cfg["labels"] not in ("recompute", "keep"):
            raise SystemExit(f"{folder / 'render.yaml'}: labels must be recompute or keep")
        ms.maintain_corpus(folder, cfg.get("documents") or {}, labels_only=args.labels_only,
                           recompute_labels=cfg["labels"] == "recompute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
