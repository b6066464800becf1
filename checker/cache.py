"""Per-user cache of data derived from our own files (rule set, norm views, lemma table).

Every `normtoets check` is a fresh process; parsing YAML (and importing the YAML library
at all) costs more than some whole stages of a check. The parsed objects are pickled
into the user cache directory, keyed by a hash of what they were made from, and written
atomically so that parallel processes (batch workers) never read half a file. Any
problem - no cache dir, read-only disk, a corrupt or foreign pickle - falls back to
building from the source. NORMTOETS_CACHE=0 switches the cache off.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

_FORMAT = 1


def cache_dir() -> Path | None:
    if os.environ.get("NORMTOETS_CACHE", "1").strip().lower() in ("0", "no", "off", "false"):
        return None
    try:
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("normtoets"))
    except Exception:  # noqa: BLE001 - no cache dir: build from the source every time
        return None


def write_cache(obj: Any, path: Path) -> bool:
    """Pickle `obj` to `path` atomically; an unwritable cache is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return True
    except (OSError, pickle.PicklingError):
        return False


def read_cache(path: Path) -> Any | None:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # noqa: BLE001 - missing, corrupt, from another version: rebuild
        return None


def load_yaml(text: str) -> Any:
    """yaml.safe_load with libyaml when available (same result, ~10x faster)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader


def cached(kind: str, source: bytes, build: Callable[[], Any]) -> Any:
    """build(), or its pickled result from an earlier process that saw the same `source`.

    One file per kind is kept: a changed source replaces the old entry.
    """
    cdir = cache_dir()
    if cdir is None:
        return build()
    key = hashlib.sha256(f"{_FORMAT}|{kind}|".encode() + source).hexdigest()[:20]
    path = cdir / "data" / f"{kind}-{key}.pickle"
    hit = read_cache(path)
    if hit is not None:
        return hit
    obj = build()
    if write_cache(obj, path):
        for old in path.parent.glob(f"{kind}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    return obj


def yaml_file(path: Path) -> Any:
    """The parsed YAML file, from the cache when the file is unchanged."""
    data = path.read_bytes()
    return cached(f"yaml-{path.stem}", data, lambda: load_yaml(data.decode("utf-8")))
