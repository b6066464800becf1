"""Spread one check over the machine's cores: an order-preserving map over forked children.

A single `normtoets check` of a 200-page APV is CPU-bound Python; reading its PDF pages
is the part that splits cleanly (pages are independent until the running headers), and
a municipality folder holds several independent documents.

`fork_map` forks children that inherit the loaded modules and the opened document, so there
is nothing to ship but the results. The parent and its children take the items one at a
time from a shared queue (a pipe filled before the fork), so a slow item - a page that needs
pdfplumber, an expensive rule - does not hold up a share dealt in advance, and the parent
can first do other work (`meanwhile`) while the children are already busy.

Everything degrades to the plain serial map: no fork() on this platform, one core, a
process that already is a worker (batch, web), threads running (forking a threaded process
can inherit held locks), or a child that fails - the items it did not deliver are then
done in the parent, in order, so an exception surfaces exactly as it would without
parallelism.
"""
from __future__ import annotations

import contextlib
import logging
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_JOBS: int | None = None  # set_jobs(); None = from NORMTOETS_JOBS or the CPU count
MAX_JOBS = 4  # beyond this the per-child share is too small to pay for its fork and pickling
# Queue entries are 4-byte item numbers written before any reader exists: at most one page
# of pipe buffer (the size Linux gives a user over the pipe quota), so the write never blocks.
_RECORD = 4
_MAX_RECORDS = 4096 // _RECORD
_side_tasks: list[Callable[[], object]] = []


def set_jobs(n: int | None) -> None:
    """Fix the number of processes fork_map may use (1 = serial). Worker processes call
    set_jobs(1): they already run one document per core."""
    global _JOBS
    _JOBS = n


def jobs() -> int:
    if _JOBS is not None:
        return max(1, _JOBS)
    env = os.environ.get("NORMTOETS_JOBS", "").strip()
    if env.isdigit():
        return max(1, int(env))
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS))


@contextlib.contextmanager
def meanwhile(task: Callable[[], object]) -> Iterator[None]:
    """Inside this block, the first fork_map that forks runs `task` in the parent while its
    children start on the items (e.g. importing the rules engine while PDF pages are read).

    The task must be optional work - warming caches, importing modules - whose result the
    code after it would otherwise produce itself: it runs at most once, and an error in it
    is only logged."""
    _side_tasks.append(task)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            _side_tasks.remove(task)


def _run_side_tasks() -> None:
    while _side_tasks:
        task = _side_tasks.pop()
        try:
            task()
        except Exception:  # noqa: BLE001 - the same work is done (and fails visibly) later
            log.debug("side task failed", exc_info=True)


def _can_fork() -> bool:
    # macOS: system frameworks are not fork-safe (the reason multiprocessing spawns there)
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def fork_map(fn: Callable[[T], R], items: Iterable[T], min_items: int = 2) -> list[R]:
    """[fn(x) for x in items], computed by up to jobs() processes.

    fn's results must be picklable. fn must not depend on side effects of earlier calls in
    the same process (which process computes which item is not fixed).
    """
    items = list(items)
    n = min(jobs(), len(items))
    if n <= 1 or len(items) < min_items or not _can_fork():
        return [fn(x) for x in items]
    queue = _fill_queue(len(items))
    if queue is None:
        return [fn(x) for x in items]
    chunk, qfd = queue
    children: list[tuple[int, int]] = []
    results: dict[int, R] = {}
    try:
        children = [c for c in (_spawn(fn, items, qfd, chunk) for _ in range(n - 1)) if c is not None]
        _run_side_tasks()
        _work(fn, items, qfd, chunk, results)
    except BaseException:  # interrupted: leave no zombie or open pipe behind
        for pid, fd in children:
            _collect(pid, fd)
        raise
    finally:
        os.close(qfd)
    for pid, fd in children:
        got = _collect(pid, fd)
        if got is not None:
            results.update(got)
    # What no process delivered (a child that died, an item that raised and the rest of its
    # chunk): here, in item order, so that the first error in that order is the one raised.
    for i in range(len(items)):
        if i not in results:
            results[i] = fn(items[i])
    return [results[i] for i in range(len(items))]


def _fill_queue(n_items: int) -> tuple[int, int] | None:
    """A pipe holding the numbers of the item chunks, write end closed: (chunk size, read fd)."""
    chunk = -(-n_items // _MAX_RECORDS)
    n_chunks = -(-n_items // chunk)
    try:
        r, w = os.pipe()
    except OSError:
        return None
    try:
        data = b"".join(k.to_bytes(_RECORD, "little") for k in range(n_chunks))
        os.set_blocking(w, False)
        written = os.write(w, data)
    except OSError:
        written = -1
    finally:
        os.close(w)
    if written != len(data):
        os.close(r)
        return None
    return chunk, r


def _work(fn, items, qfd: int, chunk: int, results: dict) -> None:
    """Take chunks from the queue until it is empty; stop at the first item that raises
    (fork_map computes it again in item order)."""
    while True:
        rec = os.read(qfd, _RECORD)  # a whole record: pipe reads of <= PIPE_BUF are atomic
        if len(rec) < _RECORD:
            return
        start = int.from_bytes(rec, "little") * chunk
        for i in range(start, min(start + chunk, len(items))):
            try:
                results[i] = fn(items[i])
            except Exception:  # noqa: BLE001
                return


def _spawn(fn, items, qfd: int, chunk: int):
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        r, w = os.pipe()
        pid = os.fork()
    except OSError:
        log.debug("fork failed; running with fewer processes", exc_info=True)
        return None
    if pid == 0:  # child: compute, send, leave without running the parent's exit handlers
        code = 0
        try:
            os.close(r)
            global _JOBS
            _JOBS = 1  # no nested forks
            _side_tasks.clear()  # the parent's
            results: dict = {}
            _work(fn, items, qfd, chunk, results)  # an item that fails is left to the parent
            payload = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent redoes the missing items and reports
            payload, code = b"", 1
        try:
            with os.fdopen(w, "wb") as fh:
                fh.write(payload)
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)
    os.close(w)
    return pid, r


def _collect(pid: int, fd: int) -> dict | None:
    """The child's results by item number, or None when it failed in any way."""
    try:
        with os.fdopen(fd, "rb") as fh:
            data = fh.read()
    except OSError:
        data = b""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = 1
    if status != 0 or not data:
        log.debug("child %d failed (status %s); redoing its items", pid, status)
        return None
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001
        return None
