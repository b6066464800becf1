"""Regenerate the DOCX/HTML/PDF renderings of the TXT test documents in this folder.

    python tests/corpus/structure/_render.py        (PDF needs LibreOffice: soffice)

Renderings vary on purpose: heading styles, bold-only headings, or no style at all
(manual numbering in plain paragraphs), so the parser is tested on every kind of hint.
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
from docx.shared import Pt

HERE = Path(__file__).parent
HEAD_RE = re.compile(r"^(HOOFDSTUK|Hoofdstuk|Titel|AFDELING|Afdeling|Paragraaf|§|Art\.|Artikel|TOELICHTING|"
                     r"Toelichting|BIJLAGE|Bijlage)\b|^[0-9](?:\.[0-9])*\.?\s+[A-Z][^.]{0,60}$")
# docx style per document: "styles" (Heading n), "bold" (Normal + bold run), "plain" (no hint)
MODES = {"apv-zeeveld-2023": "styles", "speelautomatenhallen-lindedal-2019": "bold",
         "bibob-heuvelrijk-2022": "styles", "damocles-kroonwaard-2021": "bold",
         "gedragscode-beekstede-2020": "plain", "agressieprotocol-oosterhaven-2023": "styles",
         "wijziging-apv-zeeveld-2024": "plain"}


def _level(line: str) -> int:
    if re.match(r"^(HOOFDSTUK|Hoofdstuk|Titel|TOELICHTING|Toelichting|BIJLAGE|Bijlage)\b|^[0-9]\.?\s", line):
        return 1
    if re.match(r"^(AFDELING|Afdeling|Paragraaf|§)|^[0-9]\.[0-9]\.?\s", line):
        return 2
    return 3


def _is_head(line: str, lines: list[str], i: int) -> bool:
    if not HEAD_RE.match(line):
        return False
    if re.match(r"^[0-9]", line) and i + 1 < len(lines) and lines[i - 1].endswith(":"):
        return False  # an enumeration after "de volgende stappen:"
    return not re.match(r"^(Artikel|Art\.)\s+\S+\s+(?:[a-z]|,)", line)


def render(txt: Path) -> None:
    lines = [ln.strip() for ln in txt.read_text(encoding="utf-8").splitlines() if ln.strip()]
    mode = MODES.get(txt.stem, "plain")
    d = docx.Document()
    d.styles["Normal"].font.size = Pt(10)
    parts = [f"<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>{html.escape(lines[0])}</title>"
             "</head><body>", f"<h1>{html.escape(lines[0])}</h1>"]
    d.add_paragraph(lines[0], style="Title" if mode == "styles" else None)
    for i, line in enumerate(lines[1:], start=1):
        head = _is_head(line, lines, i)
        if head and mode == "styles":
            d.add_heading(line, level=_level(line))
        else:
            p = d.add_paragraph()
            p.add_run(line).bold = head and mode == "bold"
        tag = f"h{_level(line) + 1}" if head else "p"
        parts.append(f"<{tag}>{html.escape(line)}</{tag}>")
    parts.append("</body></html>")
    d.save(txt.with_suffix(".docx"))
    txt.with_suffix(".html").write_text("\n".join(parts), encoding="utf-8")


def main() -> int:
    docs = sorted(HERE.glob("*.txt"))
    for t in docs:
        render(t)
    soffice = shutil.which("soffice")
    if soffice:
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(HERE)]
                       + [str(t.with_suffix(".docx")) for t in docs], check=True, capture_output=True)
    else:
        print("soffice not found: PDF renderings not refreshed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
