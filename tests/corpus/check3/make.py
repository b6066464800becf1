#!/usr/bin/env python3
"""Render some documents of tests/corpus/check3/ to DOCX and/or PDF.

The hand-written sources are NAME.txt (one paragraph per line) and NAME.labels.yaml.
Unlike tests/corpus/check/make.py this script never rewrites the labels: the
`articles` lists were written by hand (a "Hoofdstuk N" line is a chapter, not a
section), so they also test the structure stage. It only renders the documents listed
in RENDER with the renderers of samples/make_samples.py, so that the same labels are
scored on other formats.

Usage:  python tests/corpus/check3/make.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "samples"))

import make_samples as ms  # noqa: E402

# A mix of layouts: the Damocles stappenplan table in DOCX and PDF, a long kader with
# Hoofdstuk headings in DOCX, manual bold numbering for a formal code, a PDF protocol.
RENDER = {
    "damocles-vlietmonde-2021": {"formats": ("docx", "pdf")},
    "integriteitsbeleid-eemrade-2023": {"formats": ("docx",)},
    "gedragscode-lindeweerd-2017": {"formats": ("docx",), "heading_mode": "bold"},
    "protocol-ongewenst-gedrag-kraaiendam-2022": {"formats": ("pdf",)},
    "integriteitscode-waalstede-2022": {"formats": ("pdf",)},
}


def main() -> int:
    for name, opts in RENDER.items():
        txt = HERE / f"{name}.txt"
        labels = yaml.safe_load((HERE / f"{name}.labels.yaml").read_text(encoding="utf-8"))
        spec = ms.DocSpec(
            name=name, src=txt, doctype=labels["type"], municipality=labels["municipality"],
            short_title=txt.read_text(encoding="utf-8").splitlines()[0].strip(),
            heading_mode=opts.get("heading_mode", "styles"), sections=True,
        )
        blocks = ms.read_blocks(spec)
        for fmt in opts["formats"]:
            out = HERE / f"{name}.{fmt}"
            (ms.render_docx if fmt == "docx" else ms.render_pdf)(spec, blocks, out)
            print(out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
