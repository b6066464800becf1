"""The worker side of a batch: a long-lived process that checks one municipality at a
time and writes its outputs (JSON, HTML, then the manifest - in that order, each
atomically), so a kill at any moment leaves either the old or the new complete file.

Protocol over the worker's own duplex pipe:
  parent -> worker  ("task", task) | ("stop",)
  worker -> parent  ("ready", catalogue | None)     after warming up (imports, rules)
                    ("doc", task_id, path)           before each document
                    ("stage", task_id, name)         match / report
                    ("done", task_id, summary)       outputs written
"""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from . import state


def _die_with_parent() -> None:
    """A worker must not outlive the batch that started it (e.g. after SIGKILL)."""
    try:  # Linux: the kernel kills us when our parent (the fork server) dies
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; the watchdog below covers the rest
        pass
    ppid = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != ppid:
                os._exit(3)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()


def warm_up() -> list[tuple[str, str]] | None:
    """Import the pipeline and load the rules before taking work, so the per-municipality
    deadline measures checking, not start-up. Returns the requirement catalogue."""
    try:
        from .. import pipeline  # noqa: F401
        from ..ingest import read_document  # noqa: F401
        from ..structure import structure_document  # noqa: F401
        from ..match import evaluate  # noqa: F401
        from ..norms import apply_norm_view  # noqa: F401
    except Exception:  # noqa: BLE001 - the task will report the real error per document
        pass
    try:
        from ..report.html import render_html  # noqa: F401
    except Exception:  # noqa: BLE001
        pass
    try:
        _exercise_pipeline()
    except Exception:  # noqa: BLE001
        pass
    from . import catalogue_from_rules

    return catalogue_from_rules()


_WARM_TEXT = (
    "Algemene Plaatselijke Verordening",
    "Artikel 1 Begripsomschrijvingen",
    "In deze verordening wordt verstaan onder horecabedrijf: de inrichting waarin bedrijfsmatig "
    "dranken worden verstrekt.",
    "Artikel 2 Exploitatievergunning",
    "1. Het is verboden een openbare inrichting te exploiteren zonder vergunning van de burgemeester.",
    "2. De burgemeester weigert de vergunning indien de exploitant in enig opzicht van slecht "
    "levensgedrag is.",
)


def _exercise_pipeline() -> None:
    """Run every stage once on a few lines of text: models and lexicons load lazily on
    first use (seconds), and in the fork server that cost is paid once for all workers."""
    from ..ingest import read_document  # noqa: F401 - imported for its side modules
    from ..model import DOC_TYPES, Block, RawDocument
    from ..pipeline import check_documents
    from ..structure import structure_document

    raw = RawDocument(path="opwarmen.txt", format="txt", blocks=[Block(text=t) for t in _WARM_TEXT])
    docs = [structure_document(raw, type_override=t) for t in DOC_TYPES]
    result = check_documents(docs, [], norm="noord-holland", municipality="opwarmen")
    try:
        from ..report.html import render_html

        render_html(result)
    except ImportError:
        pass


def worker_main(conn, silence: bool = True) -> None:
    from ..workers import worker_setup

    worker_setup()
    _die_with_parent()
    if silence:
        # Library chatter must not garble the parent's progress bar.
        devnull = open(os.devnull, "w")  # noqa: SIM115
        sys.stdout = devnull
        os.dup2(devnull.fileno(), 1)
    import logging

    logging.disable(logging.WARNING)
    try:
        cat = warm_up()
    except Exception:  # noqa: BLE001
        cat = None
    conn.send(("ready", cat))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] == "stop":
            return
        task = msg[1]
        cpu0 = time.process_time()
        try:
            summary = check_municipality(task, lambda *m: conn.send(m))
        except Exception as e:  # noqa: BLE001 - report, never die silently
            from ..errors import DocumentError, NormtoetsError

            # A NormtoetsError that is not about one document (invalid rules, bad norm)
            # would fail every municipality alike: the parent stops the run.
            summary = {"ok": False, "fatal": str(e) if isinstance(e, NormtoetsError) else f"{type(e).__name__}: {e}",
                       "global": isinstance(e, NormtoetsError) and not isinstance(e, DocumentError)}
        summary["cpu"] = time.process_time() - cpu0
        try:
            conn.send(("done", task["id"], summary))
        except (EOFError, OSError, BrokenPipeError):
            return


def check_municipality(task: dict[str, Any], send) -> dict[str, Any]:
    """Check one municipality folder exactly like `normtoets check DIR` and write its outputs."""
    from ..model import ErrorInfo
    from ..pipeline import check_documents
    from ..report.jsonout import check_dict, dumps, write_text

    try:
        from ..pipeline import _safe_load as safe_load
    except ImportError:  # keep working if the pipeline renames its helper
        from ..pipeline import parse_paths

        def safe_load(p, t):
            r = parse_paths([p], t)
            return r.documents[0] if r.documents else r.errors[0]

    tid = task["id"]
    out = Path(task["out"])
    exclude = set(task.get("exclude") or [])
    docs, errors = [], []
    for p in task["files"]:
        if p in exclude:
            continue
        send("doc", tid, p)
        r = safe_load(Path(p), None)
        if isinstance(r, ErrorInfo):
            errors.append(r)
        else:
            docs.append(r)
    # Documents stopped in an earlier attempt (timeout / crash), in folder order.
    order = {p: i for i, p in enumerate(task["files"])}
    for e in task.get("extra_errors") or []:
        errors.append(ErrorInfo(path=e["path"], error=e["error"], code=e.get("code", "timeout")))
    errors.sort(key=lambda e: order.get(e.path, len(order)))

    send("stage", tid, "match")
    result = check_documents(docs, errors, norm=task["norm"], municipality=task["name"])
    d = check_dict(result)
    send("stage", tid, "report")

    old = state.read_json(state.manifest_path(out, task["stem"]))
    previous = state.previous_from(old, out / f"{task['stem']}.json")

    write_text(dumps(d), out / f"{task['stem']}.json")
    html_name = None
    html_error = None
    try:
        from ..report.html import render_html

        write_text(render_html(result), out / f"{task['stem']}.html")
        html_name = f"{task['stem']}.html"
    except Exception as e:  # noqa: BLE001 - the JSON is the contract; HTML is a bonus
        html_error = f"{type(e).__name__}: {e}"
        (out / f"{task['stem']}.html").unlink(missing_ok=True)

    timed_out = any(e.code in ("timeout", "crashed") for e in errors)
    manifest = dict(task["fingerprint"])
    manifest.update({
        "status": "timeout" if timed_out else ("errors" if errors else "ok"),
        "timeout": task["timeout"],
        "html": html_name,
        "html_error": html_error,
        "rules_version": d.get("rules_version"),
        "generated": d.get("generated"),
        "statuses": {f["requirement"]: f["status"] for f in d["findings"]},
        "absent_types": d.get("absent_types") or [],
        "errors": len(errors),
        "previous": previous,
    })
    # Manifest last: its presence says "JSON and HTML of this fingerprint are complete".
    state.write_json(state.manifest_path(out, task["stem"]), manifest)
    return {"ok": True, "result": d, "errors": [dict(path=e.path, error=e.error, code=e.code) for e in errors],
            "html_error": html_error}
