"""Long-lived worker processes that can be killed one at a time (batch and web share this).

Why not concurrent.futures.ProcessPoolExecutor: it cannot stop one task. Killing one of
its processes marks the whole executor broken and fails every other task in flight.
Here each worker is its own process with its own duplex pipe, so a document that hangs
(or crashes pdfium) costs exactly one worker, which is killed and replaced. The batch
and the web server speak different protocols over the pipe; the process handling -
start, memory cap, Ctrl-C, stop, kill - is this one.
"""
from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any


def limit_memory(mb: int) -> None:
    """Cap this process's address space: a decompression bomb then ends in MemoryError
    inside the worker (reported per file) instead of the OOM killer picking the parent."""
    if mb <= 0:
        return
    try:
        import resource

        limit = mb * 1024 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def worker_setup(memory_mb: int = 0) -> None:
    """First thing in every worker: the parent alone handles Ctrl-C (it reaches the whole
    process group), memory is capped, and checks run single-process - the pool already
    runs one check per core (see checker.parallel)."""
    from .parallel import set_jobs

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_memory(memory_mb)
    set_jobs(1)


class WorkerProcess:
    """One child process running target(conn, *args) with its own duplex pipe."""

    def __init__(self, ctx, target: Callable[..., Any], args: tuple = (), name: str = "normtoets-worker"):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=target, args=(child, *args), daemon=True, name=name)
        self.proc.start()
        child.close()
        self.dead = False

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    def kill(self) -> None:
        try:
            self.proc.kill()
        except Exception:  # noqa: BLE001 - already gone
            pass
        self.proc.join(5)
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001
            pass
        self.dead = True

    def stop(self, message: Any = None, grace: float = 2.0) -> None:
        """Ask the worker to leave (send `message`), kill it when it does not within `grace`."""
        if self.dead:
            return
        try:
            self.conn.send(message)
        except Exception:  # noqa: BLE001 - pipe already closed: kill below
            pass
        self.proc.join(grace)
        if self.proc.is_alive():
            self.kill()
            return
        self.conn.close()
        self.dead = True
