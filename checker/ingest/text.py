"""Plain text and Markdown: one block per non-empty line (paragraph)."""
from __future__ import annotations

import re
from pathlib import Path

from ..model import Block, RawDocument

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def decode_text(data: bytes) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM), UTF-16, else cp1252; returns text and a warning."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Tekst is niet in UTF-8; gelezen als Windows-1252."


def read_text(path: Path, data: bytes, fmt: str) -> RawDocument:
    text, warning = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    for line in text.split("\n"):
        s = line.strip()
        if not s:
            continue
        if fmt == "md":
            m = _MD_HEADING.match(s)
            if m:
                blocks.append(Block(text=m.group(2).strip(" #"), kind="heading",
                                    heading_level=len(m.group(1)), style=f"h{len(m.group(1))}"))
                continue
            s = re.sub(r"\*\*(.+?)\*\*", r"\1", s)
        blocks.append(Block(text=s))
    raw = RawDocument(path=str(path), format=fmt, blocks=blocks)
    if warning:
        raw.warnings.append(warning)
    return raw
