"""Where the data folders live: in the repo (editable install) or inside the wheel."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """`rules` or `corpora`: packaged copy first (wheel), else the repo's top-level folder."""
    packaged = _PKG / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PKG.parent / name


def rules_dir() -> Path:
    return data_dir("rules")


def corpora_dir() -> Path:
    return data_dir("corpora")
