"""Start a real `normtoets serve` for the browser and load tests."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def normtoets_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("normtoets")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "checker.cli"]


@contextlib.contextmanager
def running_server(uploads: Path, log: Path, workers: int = 2):
    """Yields {"base", "uploads", "log"}; stops the server (SIGTERM, then kill) afterwards."""
    port = free_port()
    env = {**os.environ, "NORMTOETS_TMPDIR": str(uploads)}
    with log.open("wb") as fh:
        proc = subprocess.Popen(normtoets_cmd() + ["serve", "--host", "127.0.0.1", "--port", str(port),
                                                   "--workers", str(workers)],
                                stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail("normtoets serve stopped:\n" + log.read_text(errors="replace"))
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("normtoets serve did not answer /healthz:\n" + log.read_text(errors="replace"))
            time.sleep(0.3)
        yield {"base": base, "uploads": uploads, "log": log}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
