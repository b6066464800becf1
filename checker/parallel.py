"""Spread one check over the machine's cores: an order-preserving map over forked children.

A single `normtoets check` of a 200-page APV is CPU-bound Python; reading its PDF pages
is the part that splits cleanly (pages are independent until the running headers), and
a municipality folder holds several independent documents.

`fork_map` lets the parent take one share of the items and forked children the others;
children inherit the loaded modules and the opened document, so there is nothing to ship but
the results. Everything degrades to the plain serial map: no fork() on this platform, one
core, a process that already is a worker (batch, web), threads running (forking a threaded
process can inherit held locks), or a child that fails - its share is then redone serially
in the parent, so an exception surfaces exactly as it would without parallelism.
"""
from __future__ import annotations

import logging
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_JOBS: int | None = None  # set_jobs(); None = from NORMTOETS_JOBS or the CPU count
MAX_JOBS = 4  # beyond this the per-child share is too small to pay for its fork and pickling


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


def _can_fork() -> bool:
    # macOS: system frameworks are not fork-safe (the reason multiprocessing spawns there)
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def fork_map(fn: Callable[[T], R], items: Iterable[T], min_items: int = 2) -> list[R]:
    """[fn(x) for x in items], with the items dealt round-robin over up to jobs() processes.

    fn's results must be picklable. fn must not depend on side effects of earlier calls in
    the same process (each process sees only its own share).
    """
    items = list(items)
    n = min(jobs(), len(items))
    if n <= 1 or len(items) < min_items or not _can_fork():
        return [fn(x) for x in items]
    shares = [list(range(k, len(items), n)) for k in range(n)]
    children = []  # (pid, read end, share)
    for share in shares[1:]:
        child = _spawn(fn, items, share)
        if child is not None:
            children.append((*child, share))
        else:
            shares[0].extend(share)  # fork refused (resources): do it here
    results: list = [None] * len(items)
    try:
        for i in sorted(shares[0]):
            results[i] = fn(items[i])
    except BaseException:
        for pid, fd, _ in children:  # leave no zombie or open pipe behind
            _collect(pid, fd)
        raise
    for pid, fd, share in children:
        got = _collect(pid, fd)
        if got is None:  # the child failed: redo its share here, errors surface as usual
            got = [fn(items[i]) for i in share]
        for i, r in zip(share, got):
            results[i] = r
    return results


def _spawn(fn, items, share):
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        r, w = os.pipe()
        pid = os.fork()
    except OSError:
        log.debug("fork failed; running serially", exc_info=True)
        return None
    if pid == 0:  # child: compute, send, leave without running the parent's exit handlers
        code = 0
        try:
            os.close(r)
            global _JOBS
            _JOBS = 1  # no nested forks
            payload = pickle.dumps([fn(items[i]) for i in share], protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent redoes this share and reports
            payload, code = b"", 1
        try:
            with os.fdopen(w, "wb") as fh:
                fh.write(payload)
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)
    os.close(w)
    return pid, r


def _collect(pid: int, fd: int):
    """The child's results, or None when it failed in any way."""
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
        log.debug("child %d failed (status %s); redoing its share", pid, status)
        return None
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001
        return None
