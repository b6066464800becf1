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

import yaml

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

def spec_for(txt: Path, labels: dict) -> ms.DocSpec:
    title = txt.read_text(encoding="utf-8").splitlines()[0].strip()
    opts = RENDER.get(txt.stem, {})
    return ms.DocSpec(
        name=txt.stem, src=txt, doctype=labels["type"], municipality=labels["municipality"],
        short_title=title, heading_mode=opts.get("heading_mode", "styles"),
        # numbered "3.1 Title" headings occur in policy documents, never in these APVs
        sections=labels["type"] != "apv", chapter_breaks=opts.get("chapter_breaks", False),
        columns=opts.get("columns", 1),
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels-only", action="store_true")
    args = ap.parse_args(argv)
    for txt in sorted(HERE.glob("*.txt")):
        lab_path = HERE / f"{txt.stem}.labels.yaml"
        if not lab_path.exists():
            print(f"skip {txt.name}: no labels", file=sys.stderr)
            continue
        labels = yaml.safe_load(lab_path.read_text(encoding="utf-8"))
        spec = spec_for(txt, labels)
        blocks = ms.read_blocks(spec)
        lab_path.write_text(
            ms.labels_yaml(labels["type"], labels["municipality"], ms.article_numbers(blocks),
                           labels["expect"]), encoding="utf-8")
        print(lab_path.relative_to(ROOT))
        if args.labels_only or txt.stem not in RENDER:
            continue
        for fmt in RENDER[txt.stem]["formats"]:
            out = HERE / f"{txt.stem}.{fmt}"
            (ms.render_docx if fmt == "docx" else ms.render_pdf)(spec, blocks, out)
            print(out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
