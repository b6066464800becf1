#!/usr/bin/env python3
"""Maintain the second check corpus in tests/corpus/check2/ (same tooling as ../check/make.py).

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
    # the tick table (x under Altijd / Facultatief) as a real table in DOCX and PDF
    "bibob-doesburgh-2021": {"formats": ("docx", "pdf")},
    # the bordered scope table with the modality in a middle column
    "bibob-lekkerveen-2024": {"formats": ("pdf",)},
    # three-level "Artikel 3.2.1" numbering; bold manual numbering in DOCX
    "apv-amstelrade-2023": {"formats": ("docx", "pdf")},
    # Hoofdstuk headings with 2.1-sections and numbered list items under a colon lead
    "bibob-hoornaar-2023": {"formats": ("docx",), "heading_mode": "bold"},
    # old VNG-model layout, two columns in PDF
    "apv-oudebroek-2011": {"formats": ("pdf",), "columns": 2},
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels-only", action="store_true")
    args = ap.parse_args(argv)
    return ms.maintain_corpus(HERE, RENDER, labels_only=args.labels_only)


if __name__ == "__main__":
    sys.exit(main())
