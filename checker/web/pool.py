"""A small pool of long-lived check processes for the web server, one pipe each.

Worker processes are checker.workers.WorkerProcess (killable one at a time). Tasks are
named "module:function" and looked up inside the worker, so nothing but plain data
crosses the pipe. Waiting for a result happens in a small thread pool (one thread per
worker at most), and that thread also puts the worker back or replaces it: a request
that is cancelled halfway (client gone) never leaks a worker.
"""
from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing as mp
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..workers import WorkerProcess, worker_setup

log = logging.getLogger(__name__)


class PoolTimeout(Exception):
    """The task ran longer than its timeout; its worker was killed and replaced."""


class PoolCrash(Exception):
    """The worker died while running the task (segfault, out of memory kill)."""


class PoolBusy(Exception):
    """Too many tasks are already waiting for a worker."""


class TaskError(Exception):
    """The task raised; the message is `Type: text` from the worker."""


def _worker_main(conn, warm: tuple[str, ...], memory_mb: int = 0) -> None:
    """Runs inside a worker process: receive (task, args), send (status, value)."""
    worker_setup(memory_mb)
    for ref in warm:
        # "module" is imported; "module:function" is also called (e.g. load the rules once).
        try:
            mod_name, _, func_name = ref.partition(":")
            mod = importlib.import_module(mod_name)
            if func_name:
                getattr(mod, func_name)()
        except Exception:  # noqa: BLE001 - a missing optional stage must not stop the worker
            log.debug("warm-up of %s failed", ref, exc_info=True)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if msg is None:
            return
        ref, args = msg
        try:
            mod_name, func_name = ref.split(":", 1)
            func = getattr(importlib.import_module(mod_name), func_name)
            out = ("ok", func(*args))
        except BaseException as e:  # noqa: BLE001 - report every failure to the parent
            out = ("error", f"{type(e).__name__}: {e}")
        try:
            conn.send(out)
        except Exception as e:  # noqa: BLE001 - e.g. an unpicklable result
            conn.send(("error", f"{type(e).__name__}: {e}"))


def _start_worker(ctx, warm: tuple[str, ...], memory_mb: int) -> WorkerProcess:
    return WorkerProcess(ctx, _worker_main, (warm, memory_mb), name="normtoets-check")


class WorkerPool:
    def __init__(self, size: int, warm: tuple[str, ...] = (), max_waiting: int = 200,
                 start_method: str = "spawn", memory_mb: int = 0):
        self.size = max(1, int(size))
        self.warm = tuple(warm)
        self.memory_mb = int(memory_mb)
        self.max_waiting = max_waiting
        # spawn: the server process has threads (uvicorn, waiters); forking it is unsafe.
        self._ctx = mp.get_context(start_method)
        self._threads = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="normtoets-wait")
        self._idle: asyncio.Queue[WorkerProcess] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._all: set[WorkerProcess] = set()
        self._lock = threading.Lock()
        self._waiting = 0
        self._closed = False
        self.replaced = 0

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        workers = await self._loop.run_in_executor(
            None, lambda: [self._spawn() for _ in range(self.size)])
        for w in workers:
            self._idle.put_nowait(w)

    def _spawn(self) -> WorkerProcess:
        w = _start_worker(self._ctx, self.warm, self.memory_mb)
        with self._lock:
            self._all.add(w)
        return w

    async def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, lambda: [w.stop() for w in workers])
        self._threads.shutdown(wait=False, cancel_futures=True)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all if w.pid)

    # ------------------------------------------------------------ running tasks

    async def run(self, ref: str, *args: Any, timeout: float | None = None) -> Any:
        """Run `module:function(*args)` in a worker; raise PoolTimeout/PoolCrash/TaskError."""
        if self._idle is None or self._closed:
            raise RuntimeError("worker pool not started")
        if self._waiting >= self.max_waiting:
            raise PoolBusy()
        self._waiting += 1
        try:
            worker = await self._idle.get()
        finally:
            self._waiting -= 1
        try:
            fut = self._loop.run_in_executor(self._threads, self._call, worker, ref, args, timeout)
        except BaseException:
            self._idle.put_nowait(worker)
            raise
        # The thread owns the worker from here on; cancelling this await must not leak it.
        status, value = await asyncio.shield(fut)
        if status == "ok":
            return value
        if status == "timeout":
            raise PoolTimeout()
        if status == "crash":
            raise PoolCrash(value)
        raise TaskError(value)

    def _give_back(self, worker: WorkerProcess) -> None:
        if self._closed:
            worker.stop()
            return
        self._loop.call_soon_threadsafe(self._idle.put_nowait, worker)

    def _replace(self, worker: WorkerProcess) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self.replaced += 1
        if self._closed:
            return
        try:
            new = self._spawn()
        except Exception:  # noqa: BLE001 - keep the old capacity bookkeeping honest
            log.exception("could not start a replacement check worker")
            return
        self._loop.call_soon_threadsafe(self._idle.put_nowait, new)

    def _call(self, worker: WorkerProcess, ref: str, args: tuple, timeout: float | None):
        try:
            worker.conn.send((ref, args))
            if not worker.conn.poll(timeout):
                log.warning("check worker %s exceeded %ss; replacing it", worker.pid, timeout)
                self._replace(worker)
                return ("timeout", None)
            status, value = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as e:
            code = worker.proc.exitcode
            log.warning("check worker %s died (exit code %s); replacing it", worker.pid, code)
            self._replace(worker)
            return ("crash", f"{type(e).__name__} (exit code {code})")
        self._give_back(worker)
        return (status, value)


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
