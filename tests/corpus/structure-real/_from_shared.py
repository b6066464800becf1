#!/usr/bin/env python3
"""Re-render real texts from ../../../../shared/structure in other printing styles.

Converts NAME.txt of the shared structure sample to src/v-NAME.md (headings marked from
lines that are exactly "Artikel X" / a division label); kept only when the marked article
headings equal the shared labels, so the gold list stays the shared, independent one.
"""
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[3] / "shared" / "structure"
DIV = re.compile(r"^(Hoofdstuk|Afdeling|Paragraaf|§|Titel|Deel)\s+\S+$")


def convert(txt: Path) -> str | None:
    gold = yaml.safe_load(txt.with_suffix("").with_suffix(".labels.yaml").read_text())["articles"] \
        if False else yaml.safe_load((txt.parent / f"{txt.stem}.labels.yaml").read_text())["articles"]
    lines = [ln.strip() for ln in txt.read_text(encoding="utf-8").splitlines() if ln.strip()]
    out = [f"## {lines[0]}"]
    nums = []
    i = 1
    while i < len(lines):
        ln = lines[i]
        m = re.match(r"^Artikel\s+(\S+)$", ln)
        if m:
            out.append(f"### {ln}")
            nums.append(m.group(1))
        elif DIV.match(ln):
            out.append(f"### {ln}")
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if nxt and len(nxt) < 90 and not nxt.endswith((".", ";", ":")) and not re.match(r"^(Artikel|[0-9a-z]{1,2}[.°])", nxt) and not DIV.match(nxt):
                out.append(f"#### {nxt}")
                i += 1
        else:
            out.append(ln if not ln.startswith("#") else ln.lstrip("#").strip())
        i += 1
    if nums != [str(g) for g in gold]:
        return None
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    for txt in sorted(SHARED.glob("*.txt")):
        md = convert(txt)
        if md is None:
            print("skip", txt.stem, file=sys.stderr)
            continue
        (HERE / "src" / f"v-{txt.stem}.md").write_text(md, encoding="utf-8")
        print("wrote", txt.stem)
