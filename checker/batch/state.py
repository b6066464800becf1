"""Resumable batch state: one manifest per municipality under OUT_DIR/.state/.

A manifest (OUT_DIR/.state/gemeenten/<municipality>.json) is written (atomically) only
after that municipality's JSON and HTML, so
its presence with a matching fingerprint means "done, nothing changed since". This
module stays free of heavy imports: a rerun with nothing to do must not load spaCy.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from ..report.jsonout import write_text

STATE_DIR = ".state"
# jsonout.write_text's temp files: ".<name>.<8 random chars>" beside the target.
_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}$")


def state_dir(out: Path) -> Path:
    return out / STATE_DIR


def manifests_dir(out: Path) -> Path:
    # Own folder, so no municipality name can collide with catalogue.json / run.json / lock.
    return state_dir(out) / "gemeenten"


def manifest_path(out: Path, stem: str) -> Path:
    return manifests_dir(out) / f"{stem}.json"


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", path)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def tree_hash(*dirs: Path) -> str:
    """Content hash of the rule data (rules/, corpora/): any edit means recheck."""
    h = hashlib.sha256()
    for d in dirs:
        if not d.is_dir():
            h.update(f"-{d.name}\0".encode())
            continue
        # Documentation (README.md) does not change results; everything else might.
        for f in sorted(p for p in d.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                        and p.suffix.lower() != ".md" and not p.name.startswith(".")):
            h.update(str(f.relative_to(d)).encode() + b"\0")
            h.update(sha256_file(f).encode())
    return h.hexdigest()


def clean_temp_files(*dirs: Path) -> int:
    """Remove temp files a killed run left behind. Returns how many."""
    n = 0
    for d in dirs:
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            if e.is_file(follow_symlinks=False) and _TEMP_RE.match(e.name):
                try:
                    os.unlink(e.path)
                    n += 1
                except OSError:
                    pass
    return n


def statuses_from_json(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "generated": d.get("generated") or "",
        "statuses": {f["requirement"]: f["status"] for f in d.get("findings") or []},
        "absent_types": d.get("absent_types") or [],
    }


def previous_from(old_manifest: dict[str, Any] | None, old_json: Path) -> dict[str, Any] | None:
    """The last completed check of a municipality, before it is overwritten: from its
    manifest (complete by construction), else from the JSON already in OUT_DIR."""
    if old_manifest and isinstance(old_manifest.get("statuses"), dict):
        return {"generated": old_manifest.get("generated") or "",
                "statuses": old_manifest["statuses"],
                "absent_types": old_manifest.get("absent_types") or []}
    d = read_json(old_json)
    if d and isinstance(d.get("findings"), list):
        return statuses_from_json(d)
    return None


class OutLock:
    """Exclusive lock on OUT_DIR: two batches writing one folder would corrupt the
    manifests. flock is released by the kernel when the holder dies (even SIGKILL)."""

    def __init__(self, out: Path):
        self.path = state_dir(out) / "lock"
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not POSIX: no lock, single user assumed
            return True
        except OSError:
            os.close(self.fd)
            self.fd = None
            return False
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
