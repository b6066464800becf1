"""Age and currency: warn when a document predates a law change that matters for its type.

The law changes are data (corpora/law_changes.yaml). The date of a document is its
printed date of adoption (vaststelling), else its date of entry into force, else a
4-digit year in its title ("APV Veenhoven 2016") - then the warning says so, because a
year in a title is weaker evidence than a printed date.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..paths import corpora_dir
from ..cache import yaml_file
from .data import TYPE_LABELS

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


@dataclass(frozen=True)
class LawChange:
    id: str
    name: str
    date: _dt.date
    types: tuple[str, ...]
    message: str
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocDate:
    date: _dt.date | None     # exact date (printed)
    year: int | None          # year only (from the title)
    basis: str                # adopted | in_force | title


def _to_date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not value:
        return None
    s = str(value).strip()
    try:
        return _dt.date.fromisoformat(s[:10])
    except ValueError:
        return None


@lru_cache(maxsize=None)
def load_law_changes() -> tuple[LawChange, ...]:
    path = corpora_dir() / "law_changes.yaml"
    data = yaml_file(path) or {}
    out = []
    for e in data.get("changes") or []:
        d = _to_date(e["date"])
        if d is None:
            raise ValueError(f"{path}: bad date for {e.get('id')}")
        out.append(LawChange(str(e["id"]), str(e["name"]), d, tuple(e.get("types") or ()),
                             " ".join(str(e["message"]).split()),
                             tuple(str(m).lower() for m in e.get("mentions") or ())))
    return tuple(sorted(out, key=lambda c: c.date))


def dutch_date(d: _dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


# Years from 1950: older ones in titles are law years ("Opiumwet 1928"), not the document's.
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")


def title_year(title: str | None, today: _dt.date | None = None) -> int | None:
    """The latest plausible 4-digit year in a title (a consolidation year beats the
    original one: "APV 2016, gewijzigd 2022" -> 2022), or None."""
    if not title:
        return None
    limit = (today or _dt.date.today()).year + 1
    years = [int(m.group(1)) for m in _YEAR.finditer(title)
             if int(m.group(1)) <= limit]
    return max(years) if years else None


def document_date(doc: Any) -> DocDate | None:
    """The date that says which law the text was written for.

    The later of adoption and entry into force: councils often adopt an APV in December
    to enter into force with a new law on 1 January (Omgevingswet), so the adoption date
    alone would give a false warning.
    """
    adopted = _to_date(getattr(doc, "adopted", None))
    in_force = _to_date(getattr(doc, "in_force_date", None))
    if in_force and (adopted is None or in_force > adopted):
        return DocDate(in_force, in_force.year, "in_force")
    if adopted:
        return DocDate(adopted, adopted.year, "adopted")
    y = title_year(getattr(doc, "title", ""))
    if y:
        return DocDate(None, y, "title")
    return None


def _predates(dd: DocDate, change: LawChange) -> bool:
    if dd.date is not None:
        return dd.date < change.date
    # Year only: certain only when the whole year lies before the change.
    return dd.year is not None and _dt.date(dd.year, 12, 31) < change.date


def _regulating_text(doc: Any) -> str | None:
    """Lower-case title, preamble and in-force articles; None when the object carries no
    text (DocumentInfo from a stored result)."""
    articles = getattr(doc, "articles", None)
    if not isinstance(articles, list):
        return None
    parts = [getattr(doc, "title", "") or "", getattr(doc, "preamble", "") or ""]
    parts += [f"{a.title} {a.text}" for a in articles if getattr(a, "status", "in_force") != "vervallen"]
    return " ".join(" ".join(parts).split()).lower()


def _doc_name(doc: Any) -> str:
    label = TYPE_LABELS.get(getattr(doc, "type", "") or "", "Document")
    label = label[0].upper() + label[1:]
    title = " ".join((getattr(doc, "title", "") or "").split())
    name = Path(getattr(doc, "path", "") or "").name
    if title and name:
        if any(w.lower() in title.lower() for w in label.split("/")):
            return f"'{title}' ({name})"  # "APV 'APV Veenhoven 2016'" says it twice
        return f"{label} '{title}' ({name})"
    return f"{label} {name or title}".strip()


def currency_warnings(docs: Iterable[Any]) -> list[str]:
    """Dutch warnings for documents that predate a relevant law change, and for undated
    documents of a type that law changes affect (their currency cannot be judged)."""
    changes = load_law_changes()
    out: list[str] = []
    for doc in docs:
        dtype = getattr(doc, "type", None)
        relevant = [c for c in changes if dtype in c.types]
        if not relevant:
            continue
        dd = document_date(doc)
        name = _doc_name(doc)
        if dd is None:
            laws = [f"{c.name} ({dutch_date(c.date)})" for c in relevant]
            listed = laws[0] if len(laws) == 1 else ", ".join(laws[:-1]) + " en " + laws[-1]
            out.append(f"{name}: geen vaststellingsdatum gevonden; controleer zelf of het document "
                       f"is bijgewerkt na {listed}.")
            continue
        if dd.basis == "adopted":
            when = f"is vastgesteld op {dutch_date(dd.date)}"
        elif dd.basis == "in_force":
            when = f"is in werking getreden op {dutch_date(dd.date)}"
        else:
            when = (f"dateert volgens de titel uit {dd.year} (jaartal afgeleid uit de titel; "
                    "geen vaststellingsdatum gevonden)")
        text = _regulating_text(doc)
        for c in relevant:
            if not _predates(dd, c):
                continue
            if text is not None and any(m in text for m in c.mentions):
                continue  # written ahead of the change: it already names the new law
            out.append(f"{name} {when}, {c.message}")
    return out
