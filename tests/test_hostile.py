"""Hostile and broken input: always a clean DocumentError with a Dutch message, never a crash."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from checker.errors import DocumentError
from checker.ingest import read_document

_spec = importlib.util.spec_from_file_location(
    "ingest_builders", Path(__file__).parent / "fixtures" / "ingest" / "builders.py")
builders = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(builders)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def good_pdf(work):
    return builders.build_apv_pdf(work / "goed.pdf", two_column=False, scanned_page=False)


def refused(path, code=None) -> DocumentError:
    with pytest.raises(DocumentError) as e:
        read_document(path)
    msg = str(e.value)
    assert msg and "\n" not in msg and "Traceback" not in msg
    if code:
        assert e.value.code == code, (e.value.code, msg)
    return e.value


def test_encrypted_pdf(work):
    path = builders.build_apv_pdf(work / "versleuteld.pdf", encrypt="geheim", two_column=False,
                                  scanned_page=False)
    err = refused(path, "encrypted")
    assert str(err).startswith("Het PDF-bestand is versleuteld met een wachtwoord")


@pytest.mark.parametrize("fraction", [0.5, 0.1])
def test_truncated_pdf(work, good_pdf, fraction):
    data = good_pdf.read_bytes()
    path = work / f"afgebroken-{fraction}.pdf"
    path.write_bytes(data[: int(len(data) * fraction)])
    err = refused(path)
    assert "beschadigd" in str(err) or "geen tekst" in str(err)


def test_garbage_after_pdf_magic(work):
    path = work / "rommel.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(20000))
    assert "beschadigd" in str(refused(path, "unreadable"))


def test_zero_bytes(work):
    path = work / "leeg.pdf"
    path.write_bytes(b"")
    refused(path, "empty")


def test_png_renamed_pdf(work):
    from PIL import Image

    path = work / "foto.pdf"
    Image.new("RGB", (40, 40), "white").save(path, format="PNG")
    assert "PNG" in str(refused(path, "unsupported"))


def test_elf_renamed_docx(work):
    path = work / "programma.docx"
    path.write_bytes(Path(sys.executable).resolve().read_bytes()[:65536])
    assert "programma" in str(refused(path, "unsupported"))


def test_password_protected_docx(work):
    # Office stores an encrypted .docx as an OLE compound file with an "EncryptedPackage" stream
    path = work / "beveiligd.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
                     + os.urandom(4096))
    assert "versleuteld" in str(refused(path, "encrypted"))


def test_docx_zip_bomb_ratio(work):
    path = work / "bom.docx"
    filler = b"<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>" * 400_000  # ~22 MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml",
                    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                    b"<w:body>" + filler + b"</w:body></w:document>")
    assert path.stat().st_size < 500_000
    assert "zip-bom" in str(refused(path, "too_large"))


def test_docx_zip_bomb_total_size(work):
    path = work / "bom2.docx"
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("word/document.xml", "<w:document xmlns:w='x'/>")
        with zf.open("word/media/image1.bin", "w", force_zip64=True) as f:
            for _ in range(210):
                f.write(chunk)
    assert "zip-bom" in str(refused(path, "too_large"))


def test_docx_with_xxe_is_not_resolved(work):
    path = work / "xxe.docx"
    doc = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>Artikel 1 Begrippen &x;</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", doc)
    try:
        raw = read_document(path)
    except DocumentError:
        return
    assert "root:" not in raw.text and raw.text.startswith("Artikel 1 Begrippen")


def test_xml_external_entity_not_resolved(work):
    secret = work / "geheim.txt"
    secret.write_text("GEHEIME-INHOUD", encoding="utf-8")
    path = work / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE cvdr [<!ENTITY xxe SYSTEM "file://{secret}">'
        '<!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>'
        "<cvdr><body><regeling><regeling-tekst><artikel><kop><label>Artikel</label><nr>1</nr></kop>"
        "<al>Tekst &xxe; &net; einde</al></artikel></regeling-tekst></regeling></body></cvdr>",
        encoding="utf-8")
    raw = read_document(path)
    assert "GEHEIME-INHOUD" not in raw.text
    assert [b.text for b in raw.blocks] == ["Artikel 1", "Tekst einde"]


def test_xml_billion_laughs_not_expanded(work):
    ents = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    path = work / "lol.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE d [{ents}]><d><al>begin &a9; eind</al></d>',
                    encoding="utf-8")
    try:
        raw = read_document(path)
    except DocumentError:
        return
    assert len(raw.text) < 100


@pytest.mark.parametrize("suffix,open_tag,close_tag", [
    (".xml", "<a>", "</a>"),
    (".html", "<div>", "</div>"),
])
def test_deeply_nested_markup(work, suffix, open_tag, close_tag):
    path = work / f"diep{suffix}"
    path.write_text("<html><body>" * (suffix == ".html") + open_tag * 100_000 + "Artikel 1" +
                    close_tag * 100_000, encoding="utf-8")
    assert "genest" in str(refused(path, "too_large"))


def test_huge_xml(work):
    path = work / "groot.xml"
    with open(path, "w", encoding="utf-8") as f:
        f.write("<cvdr><body>")
        para = "<al>" + "De burgemeester weigert de vergunning. " * 50 + "</al>\n"
        for _ in range(60 * 1024 * 1024 // len(para) + 1):
            f.write(para)
        f.write("</body></cvdr>")
    assert "te groot" in str(refused(path, "too_large"))


def test_pdf_with_3000_empty_pages(work):
    path = builders.build_empty_pages_pdf(work / "leeg3000.pdf", 3000)
    err = refused(path, "empty")
    assert "geen tekst" in str(err)


def test_pdf_with_many_blank_scanned_pages(work):
    """White 'scans' are recognised as blank on a thumbnail: no OCR run, a clean 'geen tekst'."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = work / "witte-scans.pdf"
    img = ImageReader(Image.new("L", (850, 1200), 255))
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(150):
        c.drawImage(img, 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    err = refused(path, "empty")
    assert "geen tekst" in str(err)


def test_utf16_html_is_sniffed_as_html(work):
    path = work / "unicode.txt"
    path.write_bytes("<html><body><h2>Artikel 1 Begrippen</h2><p>Tekst één.</p></body></html>".encode("utf-16"))
    raw = read_document(path)
    assert raw.format == "html"
    assert [b.text for b in raw.blocks] == ["Artikel 1 Begrippen", "Tekst één."]


def test_cp1252_text(work):
    path = work / "oud.txt"
    path.write_bytes("Artikel 1 Geschenken\nGeschenken tot €50 zijn toegestaan; daarboven één melding.\n"
                     .encode("cp1252"))
    raw = read_document(path)
    assert raw.blocks[1].text == "Geschenken tot €50 zijn toegestaan; daarboven één melding."
    assert "Windows-1252" in raw.warnings[0]


def test_binary_text_file_and_directory(work):
    path = work / "raar.txt"
    path.write_bytes(b"abc\x00\x01\x02" * 100)
    refused(path, "unsupported")
    refused(work, "unsupported")
    refused(work / "bestaat-niet.pdf", "not_found")


def test_cli_parse_reports_bad_files_without_traceback(work, good_pdf):
    bad1 = work / "cli-leeg.pdf"
    bad1.write_bytes(b"")
    bad2 = work / "cli-enc.pdf"
    bad2.write_bytes(builders.build_apv_pdf(work / "cli-enc-src.pdf", encrypt="x", two_column=False,
                                            scanned_page=False).read_bytes())
    exe = Path(sys.executable).parent / "normtoets"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "checker.cli"]
    proc = subprocess.run(cmd + ["parse", str(good_pdf), str(bad1), str(bad2), "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    errors = {Path(e["path"]).name: e for e in out["errors"]}
    assert {"cli-leeg.pdf", "cli-enc.pdf"} <= set(errors)
    assert "versleuteld" in errors["cli-enc.pdf"]["error"]


def test_six_hostile_files_and_one_good_pdf_in_one_check(work):
    """The issue's acceptance case: exit 1, six errors, the good file fully checked, no traceback."""
    root = Path(__file__).resolve().parents[1]
    good = root / "samples" / "lindeveld" / "apv-lindeveld-2024.pdf"
    if not good.exists():
        pytest.skip("samples not generated")
    d = work / "zes"
    d.mkdir()
    src = builders.build_apv_pdf(d / "bron.pdf", two_column=False, scanned_page=False).read_bytes()
    (d / "versleuteld.pdf").write_bytes(builders.build_apv_pdf(
        d / "enc-src.pdf", encrypt="geheim", two_column=False, scanned_page=False).read_bytes())
    (d / "afgebroken.pdf").write_bytes(src[: len(src) // 3])
    (d / "leeg.pdf").write_bytes(b"")
    (d / "plaatje.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    (d / "programma.docx").write_bytes(Path("/bin/ls").read_bytes()[:65536] if Path("/bin/ls").exists()
                                       else b"\x7fELF" + os.urandom(4096))
    with zipfile.ZipFile(d / "bom.docx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document xmlns:w='x'><w:body>"
                    + b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 1_000_000 + b"</w:body></w:document>")
    hostile = ["versleuteld.pdf", "afgebroken.pdf", "leeg.pdf", "plaatje.pdf", "programma.docx", "bom.docx"]
    exe = Path(sys.executable).parent / "normtoets"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "checker.cli"]
    proc = subprocess.run(cmd + ["check", str(good)] + [str(d / h) for h in hostile] + ["--format", "json"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert sorted(Path(e["path"]).name for e in out["errors"]) == sorted(hostile)
    assert all(e["error"] and "\n" not in e["error"] for e in out["errors"])
    assert [Path(x["path"]).name for x in out["documents"]] == [good.name]
    apv_findings = [f for f in out["findings"] if f["requirement"].startswith("apv.")]
    assert len(apv_findings) == 12 and len(out["findings"]) == 12
    assert all(f["status"] in ("present", "partial", "missing", "not_applicable") for f in apv_findings)
    assert any(f["evidence"] for f in apv_findings)
