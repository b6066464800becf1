"""FastAPI upload app for legal advisors (`normtoets serve`).

`create_app()` builds the ASGI app; `run_server(host, port, workers)` serves it with
uvicorn. See app.py for the request flow and why uploads never outlive a request.
"""
from __future__ import annotations


def create_app(*args, **kwargs):
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)


def run_server(host: str = "127.0.0.1", port: int = 8000, workers: int | None = None) -> None:
    from .app import run_server as _run_server

    _run_server(host=host, port=port, workers=workers)


__all__ = ["create_app", "run_server"]
