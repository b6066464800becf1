"""Errors that reach users: one clear Dutch line, never a traceback."""
from __future__ import annotations


class NormtoetsError(Exception):
    """Base class; `str(err)` is the Dutch one-line message shown to the user."""

    code = "error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class DocumentError(NormtoetsError):
    """A document could not be read at all (unreadable, encrypted, empty, unsupported...)."""

    code = "unreadable"


class UsageError(NormtoetsError):
    """Bad usage: unknown norm, unknown requirement id, bad option value (exit 2)."""

    code = "usage"
