"""Decide a file's real format from its first bytes; the extension only breaks ties."""
from __future__ import annotations

import zipfile
import io

from ..errors import DocumentError

_BINARY_MAGIC = {
    b"\x89PNG": "een PNG-afbeelding",
    b"\xff\xd8\xff": "een JPEG-afbeelding",
    b"GIF8": "een GIF-afbeelding",
    b"II*\x00": "een TIFF-afbeelding",
    b"MM\x00*": "een TIFF-afbeelding",
    b"MZ": "een Windows-programma",
    b"\x7fELF": "een Linux-programma",
    b"\xd0\xcf\x11\xe0": "een oud Office-bestand (.doc/.xls); sla het op als .docx of PDF",
    b"PK\x03\x04": None,  # zip: docx or other
    b"\x1f\x8b": "een gzip-archief",
    b"Rar!": "een RAR-archief",
    b"7z\xbc\xaf": "een 7-Zip-archief",
    b"{\\rtf": "een RTF-bestand; sla het op als .docx of PDF",
}


def sniff_format(data: bytes, suffix: str = "") -> str:
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, label in _BINARY_MAGIC.items():
        if head.startswith(magic):
            if magic == b"PK\x03\x04":
                return _sniff_zip(data)
            if magic == b"\xd0\xcf\x11\xe0" and "EncryptedPackage".encode("utf-16-le") in data[:1 << 20]:
                # a password-protected .docx is stored as an OLE container around the encrypted zip
                raise DocumentError("Het Word-bestand is versleuteld met een wachtwoord; sla het op zonder "
                                    "beveiliging en probeer het opnieuw.", code="encrypted")
            raise DocumentError(f"Dit is geen leesbaar document maar {label}.", code="unsupported")
    text_head = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # UTF-16 (Windows "Unicode" saves): look at the decoded start for markup
        text_head = head.decode("utf-16", errors="ignore").lstrip("\ufeff").lstrip().encode("utf-8")
    low = text_head[:512].lower()
    if suffix in (".md", ".markdown") and low.startswith(b"<meta") and b"<html" not in low:
        return "md"  # Markdown exports (e.g. laws-markdown) open with a bare <meta> tag
    if low.startswith(b"<?xml") or low.startswith(b"<"):
        if b"<html" in low or b"<!doctype html" in low or b"xhtml" in low:
            return "html"
        return "html" if suffix in (".html", ".htm", ".xhtml") else "xml"
    if b"\x00" in head:
        # UTF-16 text has NULs too; accept it when it decodes
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return "md" if suffix == ".md" else "txt"
        raise DocumentError("Dit is geen tekstdocument (binaire inhoud).", code="unsupported")
    return "md" if suffix in (".md", ".markdown") else "txt"


def _sniff_zip(data: bytes) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except zipfile.BadZipFile:
        raise DocumentError("Beschadigd ZIP/DOCX-bestand.", code="unreadable") from None
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith("xl/") for n in names):
        raise DocumentError("Dit is een Excel-bestand, geen beleidsdocument.", code="unsupported")
    if any(n.startswith("ppt/") for n in names):
        raise DocumentError("Dit is een PowerPoint-bestand, geen beleidsdocument.", code="unsupported")
    if "content.xml" in names:
        raise DocumentError("Dit is een OpenDocument-bestand; sla het op als .docx of PDF.", code="unsupported")
    raise DocumentError("Dit is een ZIP-archief, geen document.", code="unsupported")
