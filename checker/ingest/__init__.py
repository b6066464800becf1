"""Readers: one per format, all producing a RawDocument (blocks with page numbers).

`read_document(path)` sniffs the real format from the content (magic bytes), not
only from the extension, and raises DocumentError with a Dutch message for bad input.

The block contract every reader keeps (the structure parser relies on it):
- blocks in reading order, one logical paragraph per block (wrapped PDF lines joined,
  line-end hyphenation undone, running headers/footers/page numbers removed);
- a heading line ("Hoofdstuk 2 ...", "Artikel 2:28 ...", "§ 3", bold "3.2 Reikwijdte") and
  every lid/onderdeel ("1. ", "a. ", "1° ") starts its own block; a heading whose title
  sits on the next line in the same bold font stays one block;
- `page` is 1-based for PDF, None elsewhere; `kind` is "heading" where a style/element or
  (PDF) a larger or bold short line says so, "table" for table rows ("| a | b |"), else
  "para"; `bold` means the whole paragraph is bold; `source` is "ocr" for recognised text,
  "cvdr" for CVDR XML, "table" for table rows.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from ..errors import DocumentError
from ..model import RawDocument
from .sniff import sniff_format

MAX_FILE_BYTES = 200 * 1024 * 1024
_LABELS = {"pdf": "PDF", "docx": "Word", "html": "HTML", "xml": "XML", "txt": "tekst", "md": "Markdown"}
log = logging.getLogger(__name__)


def read_document(path: Path) -> RawDocument:
    path = Path(path)
    if not path.exists():
        raise DocumentError("Bestand niet gevonden.", code="not_found")
    if path.is_dir():
        raise DocumentError("Dit is een map, geen document.", code="unsupported")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError("Het bestand is leeg (0 bytes).", code="empty")
    if size > MAX_FILE_BYTES:
        raise DocumentError(f"Het bestand is te groot ({size // (1024 * 1024)} MB).", code="too_large")
    data = path.read_bytes()
    fmt = sniff_format(data, path.suffix.lower())
    if fmt == "pdf":
        from .pdf import read_pdf as reader
    elif fmt == "docx":
        from .docx import read_docx as reader
    elif fmt in ("html", "xml"):
        from .html import read_markup as reader
    elif fmt in ("txt", "md"):
        from .text import read_text as reader
    else:  # sniff_format raises for unsupported content; this is a guard
        raise DocumentError("Onbekend bestandsformaat.", code="unsupported")
    try:
        raw = reader(path, data, fmt)
    except DocumentError:
        raise
    except MemoryError:
        raise DocumentError("Het document is te groot om te verwerken (geheugenlimiet).",
                            code="too_large") from None
    except RecursionError:
        raise DocumentError("Het document is te diep genest om te verwerken.", code="too_large") from None
    except Exception as e:  # noqa: BLE001 - a reader bug on odd input is still a per-file error
        log.debug("reader failed on %s", path, exc_info=True)
        raise DocumentError(f"Het {_LABELS.get(fmt, fmt.upper())}-bestand kon niet worden gelezen "
                            f"({type(e).__name__}).", code="unreadable") from None
    raw.sha256 = hashlib.sha256(data).hexdigest()
    if not any(b.text.strip() for b in raw.blocks):
        raise DocumentError("Het document bevat geen leesbare tekst.", code="empty")
    return raw
