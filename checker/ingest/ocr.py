"""OCR for PDF pages without a text layer (scans): pypdfium2 render + Tesseract.

Bounded: blank pages are detected on a tiny thumbnail and skipped before the expensive
300 dpi render, and at most `max_pages` pages are recognised per document.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import time

from ..model import Block
from .layout import (ENUM_RE, HEADING_RE, SECTION_RE, bullet_starts, continues_reference, fix_ligatures,
                     is_page_number, join_lines, norm_running)

log = logging.getLogger(__name__)

OCR_DPI = 300
OCR_BUDGET_S = 900  # wall-clock cap for one document
NOT_INSTALLED_MARK = "Tesseract (OCR) is niet"
_INSTALL_HINT = ("Tesseract (OCR) is niet geïnstalleerd; installeer het met "
                 "'apt-get install tesseract-ocr tesseract-ocr-nld' om gescande pagina's te lezen.")


def tesseract_langs() -> list[str] | None:
    """Installed Tesseract languages, or None when the binary is missing."""
    if shutil.which("tesseract") is None:
        return None
    try:
        import pytesseract

        return list(pytesseract.get_languages(config=""))
    except Exception:  # noqa: BLE001 - a broken install counts as absent
        log.debug("tesseract language query failed", exc_info=True)
        return None


def _is_blank(page) -> bool:
    """True for a page that renders (almost) uniformly: nothing worth recognising.

    Measured against the page's own background (the most frequent grey), so off-white
    scanner paper counts as blank while small text, which a thumbnail blurs to light
    grey, does not.
    """
    img = page.render(scale=0.1, grayscale=True).to_pil()
    hist = img.histogram()
    img.close()
    n = sum(hist)
    background = max(range(256), key=hist.__getitem__)
    dark = sum(hist[: max(0, background - 30)])
    return dark < max(2, 0.001 * n)


def ocr_text_to_blocks(text: str, page: int | None) -> list[Block]:
    """Tesseract text (paragraphs separated by blank lines) -> one block per paragraph."""
    blocks: list[Block] = []
    for para in re.split(r"\n\s*\n", text):
        cur = ""
        prev_line = ""
        for line in para.split("\n"):
            line = line.strip()
            if not line:
                continue
            opens = (ENUM_RE.match(line) and not continues_reference(prev_line)) or bullet_starts(prev_line, line) or (
                (HEADING_RE.match(line) or SECTION_RE.match(line)) and
                (not prev_line or prev_line.endswith((".", ":", ";")) or len(line) < 60)) or (
                # the line after a short heading line ("Artikel 1:7 Intrekking") is body text
                cur == prev_line and HEADING_RE.match(prev_line) and len(prev_line) < 90
                and not prev_line.endswith((".", ",", ";", "-")) and not line[:1].islower())
            if cur and opens:
                blocks.append(Block(text=cur, page=page, source="ocr"))
                cur = ""
            cur = join_lines(cur, line)
            prev_line = line
        if cur:
            blocks.append(Block(text=cur, page=page, source="ocr"))
    for b in blocks:
        b.text = fix_ligatures(b.text)
        if HEADING_RE.match(b.text) and len(b.text) < 120 and not b.text.endswith("."):
            b.kind = "heading"
    return blocks


def ocr_pdf_pages(pdf, page_indices: list[int], max_pages: int = 300) -> tuple[dict[int, list[Block]], list[str]]:
    """OCR the given 0-based pages of an open PdfDocument; returns blocks per page and warnings."""
    warnings: list[str] = []
    langs = tesseract_langs()
    if langs is None:
        return {}, [_INSTALL_HINT + f" {len(page_indices)} pagina('s) zonder tekstlaag zijn overgeslagen."]
    lang = "nld" if "nld" in langs else "eng"
    if lang != "nld":
        warnings.append("Nederlandse OCR-taaldata ontbreekt; gescande pagina's zijn met Engelse taaldata "
                        "gelezen ('apt-get install tesseract-ocr-nld').")
    import pytesseract

    # Tesseract's OpenMP threads fight over shared cores; one page per thread is steadier.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    out: dict[int, list[Block]] = {}
    done = 0
    skipped = 0
    checked = 0
    deadline = time.monotonic() + OCR_BUDGET_S
    for n, pi in enumerate(page_indices):
        if checked >= 3 * max_pages or time.monotonic() > deadline:
            # thousands of image pages: stop looking rather than run for hours
            skipped += len(page_indices) - n
            break
        page = pdf[pi]
        try:
            checked += 1
            if _is_blank(page):
                continue
            if done >= max_pages:
                skipped += 1
                continue
            img = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
            try:
                text = pytesseract.image_to_string(img, lang=lang, config="--psm 3")
            except Exception as e:  # noqa: BLE001 - one bad page must not lose the document
                log.debug("OCR failed on page %d", pi + 1, exc_info=True)
                warnings.append(f"OCR van pagina {pi + 1} is mislukt ({type(e).__name__}).")
                continue
            finally:
                img.close()
            done += 1
            blocks = ocr_text_to_blocks(text, pi + 1)
            if blocks:
                out[pi] = blocks
        finally:
            page.close()
    if out:
        pages = ", ".join(str(p + 1) for p in sorted(out)[:20]) + (" ..." if len(out) > 20 else "")
        subject = f"Pagina {pages} had" if len(out) == 1 else f"Pagina's {pages} hadden"
        warnings.insert(0, f"{subject} geen tekstlaag en {'is' if len(out) == 1 else 'zijn'} met OCR gelezen; "
                           "bevindingen op die pagina's berusten op tekstherkenning en kunnen fouten bevatten.")
    if skipped:
        warnings.append(f"{skipped} gescande pagina('s) niet gelezen: OCR is begrensd op {max_pages} pagina's "
                        f"en {OCR_BUDGET_S // 60} minuten.")
    return out, warnings


def strip_running_blocks(pages: dict[int, list[Block]], known: set[str]) -> None:
    """Drop page numbers and running headers/footers from OCR'd pages (in place).

    A block is running text when it opens or closes a page and is a page number, was removed
    as a running line from the text-layer pages (`known`, normalised), or repeats at the
    edge of several OCR'd pages.
    """
    edge = lambda bl: bl[:2] + bl[-2:] if len(bl) > 4 else list(bl)  # noqa: E731
    counts: dict[str, int] = {}
    for blocks in pages.values():
        for key in {norm_running(b.text) for b in edge(blocks)}:
            counts[key] = counts.get(key, 0) + 1
    need = max(2, int(0.4 * len(pages) + 0.5))
    for pi, blocks in pages.items():
        drop = {id(b) for b in edge(blocks)
                if is_page_number(b.text) or norm_running(b.text) in known
                or (len(pages) >= 2 and counts.get(norm_running(b.text), 0) >= need)}
        pages[pi] = [b for b in blocks if id(b) not in drop]
