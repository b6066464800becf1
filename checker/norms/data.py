"""The norms as data: corpora/norms/<norm>.yaml loaded into small dataclasses.

Adding a norm is adding a YAML file with `norm:`, `title:`, `prefix:` and `groups:`
(see build.py for how the three shipped ones are generated from the norm texts).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..cache import yaml_file
from ..errors import UsageError
from ..paths import corpora_dir

DEFAULT_NORM = "noord-holland"
ALIASES = {"nh": "noord-holland", "noordholland": "noord-holland", "noord holland": "noord-holland",
           "tw": "twente", "li": "limburg", "limburgse norm": "limburg"}

# Dutch names of the five document types, as used in warnings ("Geen ... aangeleverd").
TYPE_LABELS = {
    "apv": "APV",
    "bibob": "Bibob-beleid",
    "damocles": "Damoclesbeleid",
    "integriteit": "gedragscode/integriteitsbeleid",
    "agressie": "agressieprotocol",
}

# Statuses an item can have in a norm view, with their Dutch labels for reports.
MANUAL = "handmatig"
ABSENT = "document ontbreekt"
NOT_CHECKED = "niet getoetst"
STATUS_LABELS = {
    "present": "aanwezig",
    "partial": "gedeeltelijk",
    "missing": "ontbreekt",
    "not_applicable": "niet van toepassing",
    MANUAL: "handmatig te beoordelen",
    ABSENT: "document ontbreekt",
    NOT_CHECKED: "niet getoetst",
}
ITEM_STATUSES = tuple(STATUS_LABELS)


@dataclass
class NormItem:
    id: str
    group: str
    text: str
    requirements: list[str] = field(default_factory=list)
    manual: bool = False
    toelichting: str = ""
    manual_aspect: str | None = None
    planning: dict | None = None
    derivation: str | None = None


@dataclass
class NormGroup:
    id: str
    title: str
    items: list[NormItem] = field(default_factory=list)


@dataclass
class Norm:
    name: str
    title: str
    short: str
    prefix: str
    groups: list[NormGroup]
    order: int = 99
    sources: list[str] = field(default_factory=list)

    def items(self) -> list[NormItem]:
        return [it for g in self.groups for it in g.items]

    def item(self, item_id: str) -> NormItem | None:
        key = item_key(item_id)
        return next((it for it in self.items() if item_key(it.id) == key), None)

    def group_of(self, item: NormItem) -> NormGroup:
        return next(g for g in self.groups if g.id == item.group)

    def requirement_ids(self) -> list[str]:
        out: list[str] = []
        for it in self.items():
            out += [r for r in it.requirements if r not in out]
        return out

    def items_for_requirement(self, req_id: str) -> list[str]:
        return [it.id for it in self.items() if req_id in it.requirements]


def item_key(item_id: str) -> str:
    """Comparison key for item ids: case and spacing do not matter ("nh5.2" == "NH 5.2")."""
    return re.sub(r"[\s_]+", "", str(item_id)).lower().rstrip(".")


def norms_dir() -> Path:
    return corpora_dir() / "norms"


@lru_cache(maxsize=None)
def _available() -> dict[str, Path]:
    found: dict[str, tuple[int, Path]] = {}
    d = norms_dir()
    if d.is_dir():
        for p in sorted(d.glob("*.yaml")):
            try:
                head = yaml_file(p)
            except Exception:  # noqa: BLE001 - a broken extra file is no norm; the shipped ones are tested
                continue
            if isinstance(head, dict) and head.get("norm") and head.get("groups"):
                found[str(head["norm"])] = (int(head.get("order", 99)), p)
    return {k: v[1] for k, v in sorted(found.items(), key=lambda kv: (kv[1][0], kv[0]))}


def norm_names() -> list[str]:
    """The norms that have a view, default (noord-holland) first."""
    return list(_available())


def canonical_name(name: str | None) -> str:
    """Norm name as given on the command line -> the file stem; UsageError when unknown."""
    if not name:
        return DEFAULT_NORM
    n = str(name).strip().lower()
    n = ALIASES.get(n, n)
    if n not in _available():
        raise UsageError(f"Onbekende norm '{name}'; kies uit: {', '.join(norm_names())}.")
    return n


@lru_cache(maxsize=None)
def load_norm(name: str | None = None) -> Norm:
    """The norm as structured data (cached; treat as read-only)."""
    n = canonical_name(name)
    data = yaml_file(_available()[n])
    groups = []
    for g in data["groups"]:
        gid = str(g["id"])
        items = [
            NormItem(
                id=str(it["id"]), group=gid, text=str(it["text"]),
                requirements=[str(r) for r in it.get("requirements") or []],
                manual=bool(it.get("manual", not it.get("requirements"))),
                toelichting=str(it.get("toelichting") or ""),
                manual_aspect=it.get("manual_aspect"),
                planning=it.get("planning"),
                derivation=it.get("derivation"),
            )
            for it in g.get("items") or []
        ]
        groups.append(NormGroup(gid, str(g.get("title") or ""), items))
    return Norm(name=n, title=str(data.get("title") or n), short=str(data.get("short") or n),
                prefix=str(data.get("prefix") or ""), groups=groups,
                order=int(data.get("order", 99)), sources=list(data.get("sources") or []))


def norm_title(name: str | None = None) -> str:
    return load_norm(name).title


@lru_cache(maxsize=None)
def requirement_index() -> tuple[dict, ...]:
    """corpora/norms/eisen.yaml: requirement ids in catalogue order with type and norm_refs."""
    p = norms_dir() / "eisen.yaml"
    if not p.is_file():
        return ()
    data = yaml_file(p) or {}
    return tuple(data.get("requirements") or ())


def all_requirement_ids() -> list[str]:
    """Every requirement id: catalogue order (eisen.yaml), then any other id a view names."""
    out: list[str] = [str(r["id"]) for r in requirement_index()]
    for n in norm_names():
        out += [r for r in load_norm(n).requirement_ids() if r not in out]
    return out


def requirement_type(req_id: str) -> str:
    """Document type of a requirement id (eisen.yaml; the ids are "<type>.<...>")."""
    return _types().get(req_id) or req_id.split(".", 1)[0]


@lru_cache(maxsize=None)
def _types() -> dict[str, str]:
    return {str(r["id"]): str(r["type"]) for r in requirement_index()}
