"""Region batch: check every municipality of a region in parallel, resumably.

REGION_DIR/<municipality>/<documents>  ->  OUT_DIR/<municipality>.json + .html,
OUT_DIR/matrix.csv, matrix.xlsx, index.html, and OUT_DIR/.state/gemeenten/<municipality>.json
(the manifest that lets a rerun skip unchanged municipalities).

The parent process stays light (no spaCy): it hashes files, compares manifests,
hands municipalities to a pool of long-lived worker processes, kills a worker that
overruns its deadline, and at the end rebuilds the region outputs from the JSON files.
"""
from __future__ import annotations

import datetime as _dt
import os
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import NormtoetsError, UsageError
from ..model import DOC_TYPES
from ..workers import WorkerProcess
from . import state

RESERVED_STEMS = {"index", "matrix"}
CATALOGUE_FILE = "catalogue.json"
RUN_FILE = "run.json"  # figures of the last run (elapsed, CPU), for benchmarks and support


# ---------------------------------------------------------------- catalogue


def catalogue_from_rules() -> list[tuple[str, str]] | None:
    """(requirement id, document type) in catalogue order, from the rules engine."""
    try:
        from ..match.rules import load_rules

        rules = load_rules()
    except Exception:  # noqa: BLE001 - rules engine not (yet) loadable
        return None
    if not isinstance(rules, (dict, list, tuple)) and hasattr(rules, "rules"):
        rules = rules.rules  # RuleSet
    if isinstance(rules, dict):
        items = list(rules.items())
        if all(isinstance(k, str) for k, _v in items) and any("." in k for k, _v in items):
            rules = [(k, v) for k, v in items]
        else:
            rules = list(rules.values())
    out: list[tuple[str, str]] = []
    for r in rules:
        key = None
        if isinstance(r, tuple) and len(r) == 2 and isinstance(r[0], str):
            key, r = r
        rid = _field(r, "id") or key
        if not rid:
            continue
        typ = _field(r, "type") or str(rid).split(".")[0]
        out.append((str(rid), str(typ)))
    return out or None


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def catalogue() -> list[tuple[str, str]]:
    cat = catalogue_from_rules()
    if not cat:
        raise LookupError("requirement catalogue unavailable")
    return cat


def _catalogue_from_results(results: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Fallback: union of the findings, grouped by document type, first-seen order."""
    seen: dict[str, str] = {}
    for d in results:
        for f in d.get("findings") or []:
            seen.setdefault(f["requirement"], f.get("type") or f["requirement"].split(".")[0])
    type_pos = {t: i for i, t in enumerate(DOC_TYPES)}
    ids = list(seen)
    return sorted(((r, seen[r]) for r in ids),
                  key=lambda x: (type_pos.get(x[1], len(type_pos)), ids.index(x[0])))


# ---------------------------------------------------------------- discovery


@dataclass
class Municipality:
    name: str
    path: Path
    stem: str
    files: list[Path] = field(default_factory=list)
    fingerprint: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # the folder itself could not be read


def _stem(name: str) -> str:
    # Output names must not collide with the region files.
    return f"gemeente-{name}" if name.casefold() in RESERVED_STEMS else name


def discover(region: Path) -> list[Municipality]:
    from ..pipeline import expand_paths

    out = []
    for d in sorted(region.iterdir(), key=lambda p: p.name.casefold()):
        if d.name.startswith(".") or not d.is_dir():
            continue
        try:
            files = expand_paths([d])
            error = None
        except OSError as e:  # unreadable folder: report it for this municipality only
            files, error = [], f"Map kan niet worden gelezen ({e.strerror or e})."
        out.append(Municipality(name=d.name, path=d, stem=_stem(d.name), files=files, error=error))
    return out


def _fingerprint(m: Municipality, norm: str, rules_hash: str) -> dict[str, Any]:
    files = []
    for f in m.files:
        try:
            files.append([f.name, state.sha256_file(f)])
        except OSError as e:  # unreadable file: hash its error so a fix is noticed
            files.append([f.name, f"unreadable:{e.errno}"])
    if m.error:
        files.append(["", f"folder:{m.error}"])
    return {"municipality": m.name, "norm": norm, "version": __version__,
            "rules_hash": rules_hash, "files": files}


def _rules_hash() -> str:
    from ..paths import corpora_dir, rules_dir

    return state.tree_hash(rules_dir(), corpora_dir())


def _is_current(m: Municipality, out: Path, manifest: dict[str, Any] | None, timeout: float) -> bool:
    if not manifest:
        return False
    for key in ("municipality", "norm", "version", "rules_hash", "files"):
        if manifest.get(key) != m.fingerprint.get(key):
            return False
    if manifest.get("status") == "timeout" and timeout > float(manifest.get("timeout") or 0):
        return False  # a longer time limit may let it finish now
    j = out / f"{m.stem}.json"
    if not j.is_file() or j.stat().st_size == 0:
        return False
    if manifest.get("html") and not (out / manifest["html"]).is_file():
        return False
    return True


# ---------------------------------------------------------------- worker pool


class _Worker(WorkerProcess):
    """A batch worker and the municipality it is checking (for deadlines and progress)."""

    def __init__(self, ctx):
        from .worker import worker_main

        super().__init__(ctx, worker_main, name="normtoets-batch")
        self.ready = False
        self.task: dict[str, Any] | None = None
        self.deadline = 0.0
        self.started = 0.0
        self.doc: str | None = None
        self.stage = "doc"

    def send_task(self, task: dict[str, Any], budget: float) -> None:
        self.task = task
        self.started = time.monotonic()
        self.deadline = self.started + budget
        self.doc = None
        self.stage = "doc"
        self.conn.send(("task", task))

    def stop(self) -> None:
        super().stop(("stop",))


def _mp_context():
    import multiprocessing as mp

    # forkserver: workers fork from a clean server that preloaded the pipeline once
    # (cheap restarts after a kill, no fork of our threads); spawn where unavailable.
    try:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["checker.batch._preload"])
        return ctx
    except ValueError:
        return mp.get_context("spawn")


# ---------------------------------------------------------------- progress


class _Progress:
    """Rich bar on a TTY; otherwise a plain line every few seconds."""

    def __init__(self, total: int, interval: float = 10.0):
        self.total = total
        self.done = 0
        self.interval = interval
        self.last = time.monotonic()
        self.start = self.last
        self.bar = None
        if total and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("gemeenten", total=total)
            self.bar.start()

    def message(self, text: str) -> None:
        if self.bar is not None:
            self.bar.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=sys.stderr, flush=True)

    def advance(self, current: list[str]) -> None:
        self.done += 1
        self.update(current)

    def update(self, current: list[str]) -> None:
        if self.bar is not None:
            desc = ", ".join(current[:3]) + (" ..." if len(current) > 3 else "")
            self.bar.update(self.task, completed=self.done, description=desc or "gemeenten")
            return
        now = time.monotonic()
        if self.done and (now - self.last >= self.interval or self.done == self.total):
            self.last = now
            pct = 100 * self.done // max(1, self.total)
            el = now - self.start
            eta = el / self.done * (self.total - self.done)
            print(f"normtoets: {self.done}/{self.total} gemeenten klaar ({pct}%), "
                  f"{_fmt_s(el)} verstreken, nog ca. {_fmt_s(eta)}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _fmt_s(s: float) -> str:
    s = int(round(s))
    if s < 120:
        return f"{s} s"
    return f"{s // 60} min {s % 60:02d} s"


# ---------------------------------------------------------------- run


@dataclass
class _Outcome:
    checked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # worker CPU time spent checking (for benchmarks)


def _timeout_error(path: str, seconds: float, limit: float, crashed: str | None) -> dict[str, str]:
    if crashed:
        return {"path": path, "code": "crashed",
                "error": f"Controle afgebroken: het controleproces stopte onverwacht ({crashed})."}
    return {"path": path, "code": "timeout",
            "error": f"Controle afgebroken na {round(seconds)} s (limiet {limit:g} s per document)."}


def _write_failure(task: dict[str, Any], out: Path, error: dict[str, str], norm: str) -> dict[str, Any]:
    """The whole municipality could not be finished (hung/crashed outside a document):
    still write its JSON (with the error) so the matrix lists it."""
    from ..model import CheckResult, ErrorInfo
    from ..report.jsonout import check_dict, dumps, write_text

    result = CheckResult(norm=norm, version=__version__, municipality=task["name"])
    result.generated = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    result.errors = [ErrorInfo(path=e["path"], error=e["error"], code=e.get("code", "timeout"))
                     for e in task.get("extra_errors") or []]
    result.errors.append(ErrorInfo(path=error["path"], error=error["error"], code=error["code"]))
    # Nothing was assessed: cells stay empty ("niet beoordeeld"), not "document ontbreekt".
    result.absent_types = []
    d = check_dict(result)
    old = state.read_json(state.manifest_path(out, task["stem"]))
    previous = state.previous_from(old, out / f"{task['stem']}.json")
    write_text(dumps(d), out / f"{task['stem']}.json")
    (out / f"{task['stem']}.html").unlink(missing_ok=True)
    if error["code"] == "timeout":
        # Deterministic overrun: do not retry on an unchanged rerun unless --timeout grows.
        manifest = dict(task["fingerprint"])
        manifest.update({"status": "timeout", "timeout": task["timeout"], "html": None,
                         "generated": d["generated"], "statuses": {}, "absent_types": [],
                         "errors": len(result.errors), "previous": previous})
        state.write_json(state.manifest_path(out, task["stem"]), manifest)
    else:
        state.manifest_path(out, task["stem"]).unlink(missing_ok=True)  # crash: retry next run
    return d


def run_batch(region: Path, out: Path, jobs: int | None = None, norm: str = "noord-holland",
              timeout: float = 120.0, db_path: Path | None = None, force: bool = False) -> int:
    """Check every municipality folder in `region`; write the outputs to `out`.

    Returns the exit status: 0 completed, 1 some municipality had unreadable documents.
    """
    t0 = time.monotonic()
    region = Path(region)
    out = Path(out)
    if not region.exists():
        raise UsageError(f"Regiomap '{region}' bestaat niet.")
    if not region.is_dir():
        raise UsageError(f"'{region}' is geen map; geef een map met per gemeente een submap.")
    if timeout <= 0:
        raise UsageError("--timeout moet groter dan 0 zijn.")
    try:
        if out.resolve() == region.resolve() or out.resolve().is_relative_to(region.resolve()):
            raise UsageError("De uitvoermap mag niet in de regiomap liggen.")
    except OSError:
        pass
    jobs = jobs or _cpu_count()
    if jobs < 1:
        raise UsageError("--jobs moet minstens 1 zijn.")
    try:
        state.state_dir(out).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"Uitvoermap '{out}' kan niet worden aangemaakt ({e.strerror}).") from None
    lock = state.OutLock(out)
    if not lock.acquire():
        raise UsageError(f"Uitvoermap '{out}' wordt al gebruikt door een andere batch-run.")
    try:
        return _run_locked(region, out, jobs, norm, timeout, db_path, force, t0)
    finally:
        lock.release()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _run_locked(region: Path, out: Path, jobs: int, norm: str, timeout: float,
                db_path: Path | None, force: bool, t0: float) -> int:
    state.manifests_dir(out).mkdir(parents=True, exist_ok=True)
    state.clean_temp_files(out, state.state_dir(out), state.manifests_dir(out))
    munis = discover(region)
    if not munis:
        print(f"normtoets: waarschuwing: geen gemeentemappen gevonden in '{region}'.", file=sys.stderr)
    rules_hash = _rules_hash()
    todo: list[Municipality] = []
    outcome = _Outcome()
    for m in munis:
        m.fingerprint = _fingerprint(m, norm, rules_hash)
        manifest = state.read_json(state.manifest_path(out, m.stem))
        if not force and _is_current(m, out, manifest, timeout):
            outcome.skipped.append(m.name)
        else:
            todo.append(m)

    history = _History(db_path, region, out, norm, len(munis))
    cat_cache = state.state_dir(out) / CATALOGUE_FILE
    cat_holder: dict[str, Any] = {}
    if todo:
        _run_pool(todo, out, jobs, norm, timeout, outcome, history, cat_holder)

    # Region outputs, always rebuilt from the JSON files of the municipalities present.
    rows, results = _load_rows(munis, out, set(outcome.skipped))
    cat = cat_holder.get("catalogue")
    if cat:
        state.write_json(cat_cache, {"rules_hash": rules_hash, "version": __version__,
                                     "requirements": [list(x) for x in cat]})
    else:
        cached = state.read_json(cat_cache)
        if cached and cached.get("rules_hash") == rules_hash and cached.get("version") == __version__:
            cat = [tuple(x) for x in cached["requirements"]]
        else:
            cat = catalogue_from_rules()
            if cat:
                state.write_json(cat_cache, {"rules_hash": rules_hash, "version": __version__,
                                             "requirements": [list(x) for x in cat]})
    if not cat:
        cat = _catalogue_from_results(results)
    from .outputs import compute_changes, statuses_of, write_outputs

    for row, d in zip(rows, results):
        row.statuses = statuses_of(d, cat)
        if row.previous is not None:
            prev = {"findings": [{"requirement": r, "status": s} for r, s in row.previous["statuses"].items()],
                    "absent_types": row.previous.get("absent_types") or []}
            row.previous_generated = row.previous.get("generated") or ""
            row.previous = statuses_of(prev, cat)
        compute_changes(row)

    # Skipped municipalities reach the history too when an earlier (killed) run could
    # not record them; result_key makes this a no-op when they are already there.
    for name, d in zip([r.name for r in rows], results):
        if name in outcome.skipped and d.get("findings") is not None:
            history.record(d)

    elapsed = time.monotonic() - t0
    skipped_err = sum(1 for r in rows if r.skipped and r.errors)
    summary = _summary(len(munis), outcome, skipped_err, elapsed)
    warnings = write_outputs(out, rows, cat, norm=norm, version=__version__, region=region.name,
                             summary=summary)
    history.finish(checked=len(outcome.checked), skipped=len(outcome.skipped), failed=len(outcome.failed))
    state.write_json(state.state_dir(out) / RUN_FILE, {
        "finished": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "elapsed_seconds": round(elapsed, 3), "jobs": jobs, "municipalities": len(munis),
        "checked": len(outcome.checked), "failed": len(outcome.failed), "skipped": len(outcome.skipped),
        "worker_cpu_seconds": round(outcome.cpu_seconds, 3), "loadavg": _loadavg(),
    })
    for w in warnings + history.warnings:
        print(f"normtoets: waarschuwing: {w}", file=sys.stderr)
    # The line on stderr counts the region outputs too (the index states the time before them).
    print(_summary(len(munis), outcome, skipped_err, time.monotonic() - t0), file=sys.stderr, flush=True)
    return 1 if any(r.errors for r in rows) else 0


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _summary(total: int, o: _Outcome, skipped_err: int, elapsed: float) -> str:
    ok = len(o.checked)
    s = f"{total} {'gemeente' if total == 1 else 'gemeenten'}: {ok} gecontroleerd, "
    s += f"{len(o.skipped)} ongewijzigd overgeslagen"
    if skipped_err:
        s += f" (waarvan {skipped_err} met fouten)"
    s += f", {len(o.failed)} met fouten in {_fmt_s(elapsed)}"
    return s


def _load_rows(munis: list[Municipality], out: Path, skipped: set[str]):
    from .outputs import Row

    rows, results = [], []
    for m in munis:
        d = state.read_json(out / f"{m.stem}.json")
        manifest = state.read_json(state.manifest_path(out, m.stem)) or {}
        if d is None or not isinstance(d.get("findings"), list):
            # Should not happen (outputs are atomic); list it with an error and make
            # sure the next run checks it again.
            state.manifest_path(out, m.stem).unlink(missing_ok=True)
            d = {"norm": "", "documents": [], "findings": [], "absent_types": list(DOC_TYPES),
                 "errors": [{"path": str(m.path), "code": "missing_output",
                             "error": "Uitvoer van deze gemeente ontbreekt of is beschadigd; "
                                      "wordt bij de volgende run opnieuw gecontroleerd."}]}
        html = manifest.get("html") if (out / f"{m.stem}.html").is_file() else None
        if html is None and (out / f"{m.stem}.html").is_file():
            html = f"{m.stem}.html"
        rows.append(Row(name=m.name, stem=m.stem, statuses={}, errors=list(d.get("errors") or []),
                        documents=list(d.get("documents") or []), generated=d.get("generated") or "",
                        html=html, previous=manifest.get("previous"), skipped=m.name in skipped))
        results.append(d)
    return rows, results


class _History:
    """Batch side of the SQLite history; a broken database never stops the batch."""

    def __init__(self, db_path, region: Path, out: Path, norm: str, n: int):
        self.warnings: list[str] = []
        self.conn = None
        self.run_id = None
        try:
            from . import history

            self.h = history
            self.conn = history.connect(db_path)
            self.run_id = history.start_run(self.conn, region=str(region.resolve()), out_dir=str(out.resolve()),
                                            norm=norm, version=__version__, municipalities=n)
        except UsageError:
            if db_path is not None:
                raise  # --db named a database that cannot be used: bad usage, before any work
            self.warnings.append("historie niet bijgewerkt: de standaard-database is niet bruikbaar.")
            self.conn = None
        except Exception as e:  # noqa: BLE001
            self.warnings.append(f"historie niet bijgewerkt ({e}).")
            self.conn = None

    def record(self, d: dict[str, Any]) -> None:
        if self.conn is None:
            return
        try:
            self.h.record_check(d, conn=self.conn, source="batch", run_id=self.run_id)
        except Exception as e:  # noqa: BLE001
            self.warnings.append(f"historie niet bijgewerkt voor {d.get('municipality')} ({e}).")

    def finish(self, **counts: int) -> None:
        if self.conn is None:
            return
        try:
            self.h.finish_run(self.conn, self.run_id, **counts)
        except Exception as e:  # noqa: BLE001
            self.warnings.append(f"historie niet bijgewerkt ({e}).")
        finally:
            self.conn.close()


def _run_pool(todo: list[Municipality], out: Path, jobs: int, norm: str, timeout: float,
              outcome: _Outcome, history: _History, cat_holder: dict[str, Any]) -> None:
    from multiprocessing.connection import wait

    ctx = _mp_context()
    queue: deque[dict[str, Any]] = deque()
    for i, m in enumerate(todo):
        queue.append({"id": i, "name": m.name, "stem": m.stem, "dir": str(m.path), "out": str(out),
                      "files": [str(f) for f in m.files], "exclude": [],
                      "extra_errors": [{"path": str(m.path), "error": m.error, "code": "unreadable"}]
                      if m.error else [],
                      "fingerprint": m.fingerprint, "norm": norm, "timeout": timeout})
    progress = _Progress(len(todo))
    progress.message(f"normtoets: {len(todo)} van de {len(todo) + len(outcome.skipped)} gemeenten "
                     f"controleren met {min(jobs, len(todo))} proces{'sen' if min(jobs, len(todo)) != 1 else ''}.")
    workers: list[_Worker] = []

    def finish(task: dict[str, Any], d: dict[str, Any] | None, errors: list[dict[str, Any]]) -> None:
        (outcome.failed if errors else outcome.checked).append(task["name"])
        for e in errors:
            progress.message(f"normtoets: {task['name']}: {Path(e['path']).name}: {e['error']}")
        if d is not None:
            history.record(d)

    def busy_names() -> list[str]:
        return [w.task["name"] for w in workers if w.task is not None]

    def overrun(w: _Worker, crashed: str | None) -> None:
        """Worker hung (deadline) or died: retry the municipality without the document
        it was on; outside a document, the municipality gets an error result."""
        task = w.task
        assert task is not None
        elapsed = time.monotonic() - w.started
        w.task = None
        if w.stage == "doc" and w.doc is not None and w.doc not in task["exclude"]:
            retry = dict(task)
            retry["exclude"] = task["exclude"] + [w.doc]
            retry["extra_errors"] = task["extra_errors"] + [_timeout_error(w.doc, elapsed, timeout, crashed)]
            queue.appendleft(retry)
            return
        err = _timeout_error(task["dir"], elapsed, timeout, crashed)
        try:
            d = _write_failure(task, out, err, norm)
        except OSError as e:
            progress.message(f"normtoets: {task['name']}: uitvoer niet geschreven ({e}).")
            d = None
        finish(task, d, task["extra_errors"] + [err])
        progress.advance(busy_names())

    startup_failures = [0]

    def _handle(w: _Worker, msg: tuple) -> None:
        kind = msg[0]
        if kind == "ready":
            w.ready = True
            startup_failures[0] = 0
            if msg[1] and "catalogue" not in cat_holder:
                cat_holder["catalogue"] = [tuple(x) for x in msg[1]]
            return
        if w.task is None or msg[1] != w.task["id"]:
            return
        if kind == "doc":
            w.doc, w.stage = msg[2], "doc"
        elif kind == "stage":
            w.stage = msg[2]
        elif kind == "done":
            task, w.task = w.task, None
            summary = msg[2]
            outcome.cpu_seconds += float(summary.get("cpu") or 0.0)
            if summary.get("ok"):
                finish(task, summary["result"], summary["errors"])
                if summary.get("html_error"):
                    progress.message(f"normtoets: {task['name']}: HTML-rapport niet geschreven "
                                     f"({summary['html_error']}); de JSON is wel geschreven.")
            elif summary.get("global"):
                raise NormtoetsError(f"Batch afgebroken: {summary.get('fatal')}")
            else:
                err = {"path": task["dir"], "code": "unreadable",
                       "error": f"Controle mislukt ({summary.get('fatal')})."}
                try:
                    d = _write_failure(task, out, err, norm)
                except OSError:
                    d = None
                finish(task, d, task["extra_errors"] + [err])
            progress.advance(busy_names())

    try:
        while queue or any(w.task is not None for w in workers):
            # Keep as many workers as there is work, up to --jobs (replaces killed ones).
            want = min(jobs, len(queue) + sum(1 for w in workers if w.task is not None))
            while len(workers) < want:
                workers.append(_Worker(ctx))
            for w in workers:
                if w.ready and w.task is None and queue:
                    task = queue.popleft()
                    # Deadline: --timeout per document, plus one share for matching and
                    # writing the reports (an empty folder still gets its share).
                    n_docs = len(task["files"]) - len(task["exclude"])
                    w.send_task(task, timeout * (n_docs + 1))
            progress.update(busy_names())
            now = time.monotonic()
            waits = [w.deadline - now for w in workers if w.task is not None]
            wait_s = max(0.0, min([1.0] + waits))
            wait([w.conn for w in workers] + [w.proc.sentinel for w in workers], wait_s)
            for w in list(workers):
                died = False
                try:
                    while w.conn.poll():
                        _handle(w, w.conn.recv())
                except (EOFError, OSError):
                    died = True
                if not died and not w.proc.is_alive():
                    died = True
                if died:
                    code = w.proc.exitcode
                    w.kill()
                    workers.remove(w)
                    if not w.ready:
                        # Never got going: retrying forever would hide a broken installation.
                        startup_failures[0] += 1
                        if startup_failures[0] > 3 * jobs:
                            raise NormtoetsError(
                                "Batch afgebroken: de controleprocessen starten niet "
                                f"(exitcode {code}). Controleer de installatie met 'normtoets check'.")
                    if w.task is not None:
                        overrun(w, f"exitcode {code}" if code is not None and code >= 0
                                else f"signaal {-code}" if code is not None else "onbekend")
                elif w.task is not None and time.monotonic() > w.deadline:
                    w.kill()
                    workers.remove(w)
                    overrun(w, None)
            if not queue:  # no more work: let idle workers go
                for w in [w for w in workers if w.task is None]:
                    w.stop() if w.ready else w.kill()
                    workers.remove(w)
    finally:
        for w in workers:
            if w.task is not None or not w.ready:
                w.kill()
            else:
                w.stop()
        progress.close()
