"""Streaming multipart upload straight into a private per-request directory.

Starlette's own form parsing spools files to the system temp dir and has no per-file
size limit, so uploads are parsed here: each file part is written to
`<request dir>/f<N>/<safe name>` while it arrives, and reading stops as soon as a file
passes the limit (413) or the request holds too many files. Field values are small
and kept in memory with a hard cap.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header


class UploadError(Exception):
    """A client error while receiving the upload; `status` is the HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class UploadedFile:
    display: str          # the name shown to the user (sanitised client file name)
    stored: Path          # where it lies for the duration of the request
    size: int = 0


@dataclass
class UploadForm:
    files: list[UploadedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


FILE_FIELD = "file"
MAX_FIELD_BYTES = 1024
MAX_PARTS = 40


def safe_name(raw: str | None, index: int) -> str:
    """A file name fit for display and for the disk: no directories, no control chars."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    if len(name.encode("utf-8")) > 150:
        stem, dot, ext = name.rpartition(".")
        if not dot or len(ext) > 10:
            stem, ext = name, ""
        while len((stem + ("." + ext if ext else "")).encode("utf-8")) > 150:
            stem = stem[:-1]
        name = stem + ("." + ext if ext else "")
    return name or f"document-{index + 1}"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while True:
        cand = f"{stem} ({n})" + (f".{ext}" if ext else "")
        if cand not in taken:
            return cand
        n += 1


async def receive_upload(request, workdir: Path, max_file_bytes: int, max_files: int) -> UploadForm:
    """Parse the request body into `workdir`. Raises UploadError (400 or 413)."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UploadError(400, "Verwacht een upload als multipart/form-data met het veld 'file'.")
    # A declared body larger than everything we could accept is refused before reading.
    declared = request.headers.get("content-length")
    hard_cap = max_files * max_file_bytes + 1024 * 1024
    if declared and declared.isdigit() and int(declared) > hard_cap:
        raise UploadError(413, _too_large_msg(max_file_bytes, max_files))

    form = UploadForm()
    taken: set[str] = set()
    state = {"headers": {}, "hname": b"", "hval": b"", "fh": None, "current": None,
             "field": None, "fbuf": bytearray(), "parts": 0, "error": None}

    def fail(status: int, msg: str):
        state["error"] = UploadError(status, msg)
        raise state["error"]

    def on_part_begin():
        state["headers"] = {}
        state["parts"] += 1
        if state["parts"] > MAX_PARTS:
            fail(400, "Te veel velden in het formulier.")

    def on_header_field(data, start, end):
        state["hname"] += data[start:end]

    def on_header_value(data, start, end):
        state["hval"] += data[start:end]

    def on_header_end():
        state["headers"][state["hname"].decode("latin-1").strip().lower()] = state["hval"]
        state["hname"], state["hval"] = b"", b""

    def on_headers_finished():
        disp, opts = parse_options_header(state["headers"].get("content-disposition", b""))
        name = opts.get(b"name", b"").decode("utf-8", "replace")
        fname = opts.get(b"filename")
        state["current"] = None
        state["field"] = None
        if fname is not None:
            if name != FILE_FIELD:
                state["field"] = "__ignored__"
                return
            raw = fname.decode("utf-8", "replace")
            if len(form.files) >= max_files:
                fail(400, f"U kunt maximaal {max_files} bestanden tegelijk uploaden.")
            idx = len(form.files)
            display = _unique(safe_name(raw, idx), taken)
            taken.add(display)
            sub = workdir / f"f{idx}"
            sub.mkdir(mode=0o700)
            stored = sub / display
            fd = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            state["fh"] = os.fdopen(fd, "wb")
            state["current"] = UploadedFile(display=display, stored=stored)
            # A browser sends an empty part with filename="" when no file was chosen.
            state["empty_name"] = not raw
            form.files.append(state["current"])
        else:
            state["field"] = name
            state["fbuf"] = bytearray()

    def on_part_data(data, start, end):
        n = end - start
        cur = state["current"]
        if cur is not None:
            if cur.size + n > max_file_bytes:
                fail(413, f"Bestand {cur.display} is groter dan {max_file_bytes // (1024 * 1024)} MB. "
                          "Splits het document of lever een kleinere versie aan.")
            state["fh"].write(data[start:end])
            cur.size += n
        elif state["field"] and state["field"] != "__ignored__":
            if len(state["fbuf"]) + n > MAX_FIELD_BYTES:
                fail(400, f"Het veld '{state['field'][:40]}' is te lang.")
            state["fbuf"] += data[start:end]

    def on_part_end():
        cur = state["current"]
        if cur is not None:
            state["fh"].close()
            state["fh"] = None
            if cur.size == 0 and state.get("empty_name"):
                # No file chosen in this input: not an upload at all.
                form.files.remove(cur)
                cur.stored.unlink(missing_ok=True)
                cur.stored.parent.rmdir()
                taken.discard(cur.display)
            state["current"] = None
        elif state["field"] and state["field"] != "__ignored__":
            form.fields[state["field"]] = state["fbuf"].decode("utf-8", "replace").strip()
        state["field"] = None

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    })
    total = 0
    try:
        async for chunk in request.stream():
            if chunk:
                total += len(chunk)
                if total > hard_cap:
                    # Also bounds parts we discard (other field names) and chunked bodies.
                    raise UploadError(413, _too_large_msg(max_file_bytes, max_files))
                parser.write(chunk)
        parser.finalize()
    except UploadError:
        raise
    except Exception:  # noqa: BLE001 - malformed body, body over hard cap, ...
        if state["error"] is not None:
            raise state["error"] from None
        raise UploadError(400, "De upload is onvolledig of beschadigd; probeer het opnieuw.") from None
    finally:
        if state["fh"] is not None:
            state["fh"].close()
    return form


def _too_large_msg(max_file_bytes: int, max_files: int) -> str:
    return (f"De upload is te groot: maximaal {max_files} bestanden van elk "
            f"{max_file_bytes // (1024 * 1024)} MB.")
