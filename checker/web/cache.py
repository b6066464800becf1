"""Results kept in memory only: a few recent reports with their downloads.

Why not data: URIs in the page: an annotated 30 MB DOCX would be inlined into every
report page (40 MB of base64), and the XLSX/DOCX links would then be rebuilt each
time the page is reloaded from history. A bounded, expiring in-memory cache keyed
by an unguessable token keeps the page small and nothing on disk; the price is that
the links work for 15 minutes and only against this server process.
"""
from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class Download:
    data: bytes
    media_type: str
    filename: str


@dataclass
class Entry:
    page: str                                  # the complete report page (HTML)
    csp: str
    downloads: dict[str, Download] = field(default_factory=dict)
    created: float = field(default_factory=time.monotonic)

    @property
    def size(self) -> int:
        return len(self.page.encode("utf-8")) + sum(len(d.data) for d in self.downloads.values())


class ResultCache:
    def __init__(self, max_entries: int = 32, ttl: float = 15 * 60, max_bytes: int = 512 * 1024 * 1024,
                 clock=time.monotonic):
        self.max_entries = max_entries
        self.ttl = ttl
        self.max_bytes = max_bytes
        self._clock = clock
        self._items: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        self._expire()
        return len(self._items)

    def new_token(self) -> str:
        return secrets.token_urlsafe(24)

    def put(self, token: str, entry: Entry) -> None:
        entry.created = self._clock()
        self._items[token] = entry
        self._bytes += entry.size
        self._expire()
        while self._items and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
            _, old = self._items.popitem(last=False)
            self._bytes -= old.size

    def get(self, token: str) -> Entry | None:
        self._expire()
        entry = self._items.get(token)
        if entry is not None:
            self._items.move_to_end(token)
        return entry

    def _expire(self) -> None:
        now = self._clock()
        for token in [t for t, e in self._items.items() if now - e.created > self.ttl]:
            self._bytes -= self._items.pop(token).size
