#!/usr/bin/env python3
"""Maintain the independent check corpus in tests/corpus/check/.

The hand-written sources are NAME.txt (one paragraph per line) and NAME.labels.yaml
(type, municipality, expect). This script

1. recomputes the `articles` list of every labels file from its .txt (so the structure
   labels cannot drift from the text), keeping `expect` as written, and
2. renders a few documents to DOCX and/or PDF with the renderers of
   samples/make_samples.py, so the same labels are scored on other formats.

Usage:  python tests/corpus/check/make.py [--labels-only]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "samples"))

import make_samples as ms  # noqa: E402

# Which renderings to produce, and how. The mix is deliberate: an APV with heading
# styles in DOCX, one with "Art. 2.28" only in PDF, a Bibob policy whose DOCX has bold
# manual numbering instead of heading styles.
RENDER = {
    "apv-hoogerbrug-2023": {"formats": ("pdf",)},
    "apv-westervoort-aan-zee-2010": {"formats": ("docx",)},
    "apv-oosterlo-2021": {"formats": ("docx", "pdf"), "chapter_breaks": True},
    "bibob-westervoort-aan-zee-2019": {"formats": ("docx", "pdf"), "heading_mode": "bold"},
    "damocles-hoogerbrug-2016": {"formats": ("pdf",)},
    "gedragscode-hoogerbrug-2020": {"formats": ("pdf",)},
    "agressieprotocol-westervoort-aan-zee-2019": {"formats": ("docx", "pdf")},
    # the mandatory/discretionary scope lives in a real table in DOCX and PDF
    "bibob-oosterlo-2024": {"formats": ("docx", "pdf")},
    # two-column PDF: the reader must follow the columns, not the lines across the page
    "apv-westervoort-aan-zee-2024": {"formats": ("docx", "pdf"), "columns": 2},
}



def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels-only", action="store_true")
    args = ap.parse_args(argv)
    return ms.maintain_corpus(HERE, RENDER, labels_only=args.labels_only)


if __name__ == "__main__":
    sys.exit(main())
