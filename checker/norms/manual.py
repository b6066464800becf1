"""Answers to the norm items no document can show (`normtoets check --manual FILE`).

Most norm items are about organisation (meetings, training given, staffing, RIEC
cooperation). The municipality answers them itself in a small YAML or CSV file; the
answers are merged into `result.manual_items` and into the norm view (`groups`).

YAML - a mapping from item id to an answer, or to {antwoord, toelichting}:

    NH 1.1: ja
    NH 1.2:
      antwoord: gedeeltelijk
      toelichting: Implementatieoverzicht 2025 ingevuld; jaarlijkse herhaling nog niet gepland.
    TW BW-c: nee

  or the same as a list under `antwoorden:` (each entry with `id`, `antwoord`,
  optional `toelichting`). English keys (answer, note) work too.

CSV - a header row and one row per item; columns `id` (or normonderdeel/onderdeel),
`antwoord` (or answer/status) and optional `toelichting` (or note). Separator `;` or
`,` (Excel in Dutch writes `;`), UTF-8 or Windows-1252:

    id;antwoord;toelichting
    NH 1.1;ja;Driehoek besproken in MT van 3 maart
    NH 4.3;gedeeltelijk;Meldpunt bestaat, M. nog niet aangesloten

Answers: ja / nee / gedeeltelijk / n.v.t. (also: aanwezig, ontbreekt, deels, nvt) or
the report statuses present / missing / partial / not_applicable. They are stored as
those four statuses. An empty answer is skipped (a template row).

Item ids are matched regardless of case and spaces ("nh5.2" = "NH 5.2"); a bare number
("5.2", "BH-c") belongs to the norm being checked. Ids of another norm view are
allowed (one file can serve all views) and are ignored for this view; an id that no
norm knows is an error, because a typo would silently lose an answer.

Any problem raises UsageError with a Dutch message naming the file and line.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import UsageError
from .data import item_key, load_norm, norm_names

ANSWERS = {
    "present": "present", "ja": "present", "yes": "present", "aanwezig": "present",
    "voldoet": "present", "j": "present", "true": "present",
    "missing": "missing", "nee": "missing", "no": "missing", "ontbreekt": "missing",
    "voldoet niet": "missing", "n": "missing", "false": "missing", "afwezig": "missing",
    "partial": "partial", "gedeeltelijk": "partial", "deels": "partial", "partly": "partial",
    "not_applicable": "not_applicable", "n.v.t.": "not_applicable", "n.v.t": "not_applicable",
    "nvt": "not_applicable", "niet van toepassing": "not_applicable", "n/a": "not_applicable",
    "not applicable": "not_applicable",
}
_ID_KEYS = ("id", "normonderdeel", "onderdeel", "item", "norm_item", "norm")
_ANSWER_KEYS = ("antwoord", "answer", "status")
_NOTE_KEYS = ("toelichting", "note", "opmerking", "notitie")


@dataclass
class Answer:
    item: str          # canonical item id of the norm, e.g. "NH 1.2"
    answer: str        # present | partial | missing | not_applicable
    note: str = ""
    where: str = ""    # "regel 3" - for messages


def normalize_answer(value, where: str, path: Path) -> str | None:
    """Answer as status, None for an empty answer; UsageError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):  # YAML reads yes/no as booleans
        return "present" if value else "missing"
    s = re.sub(r"\s+", " ", str(value)).strip().lower()
    if not s:
        return None
    if s in ANSWERS:
        return ANSWERS[s]
    raise UsageError(
        f"{path.name}, {where}: onbekend antwoord '{value}'; gebruik ja, nee, gedeeltelijk of "
        "n.v.t. (of present, missing, partial, not_applicable).")


def _pick(row: dict, keys: tuple[str, ...]):
    for k, v in row.items():
        if str(k).strip().lower() in keys:
            return v
    return None


@lru_cache(maxsize=1)
def _strict_loader():
    """SafeLoader that refuses a key given twice (PyYAML would keep the last silently).
    Built on first use: yaml is imported only when an answers file is given."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        pass

    def no_duplicates(loader, node, deep: bool = False):
        seen: set = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise _Duplicate(str(key), key_node.start_mark.line + 1)
            seen.add(key)
        return loader.construct_mapping(node, deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, no_duplicates)
    return StrictLoader


class _Duplicate(Exception):
    def __init__(self, key: str, line: int):
        super().__init__(key)
        self.key, self.line = key, line


def _read_yaml(path: Path, text: str) -> list[tuple[str, object, str, str]]:
    import yaml

    try:
        data = yaml.load(text, Loader=_strict_loader())  # noqa: S506 - SafeLoader subclass
    except _Duplicate as e:
        raise UsageError(f"{path.name}, regel {e.line}: normonderdeel {e.key} staat twee keer "
                         "in het bestand.") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" (regel {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"{path.name}: geen geldige YAML{line}; verwacht per regel een "
                         "normonderdeel met antwoord, bijvoorbeeld 'NH 1.1: ja'.") from None
    if data is None:
        return []
    if isinstance(data, dict) and isinstance(data.get("antwoorden", data.get("answers")), list):
        data = data.get("antwoorden", data.get("answers"))
    rows: list[tuple[str, object, str, str]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            where = f"bij {k}"
            if isinstance(k, (int, float)) and not isinstance(k, bool):
                # YAML reads a bare 2.10 as the number 2.1: the id would silently change
                raise UsageError(f"{path.name}: schrijf normonderdeel {k} met voorvoegsel, "
                                 f"bijvoorbeeld 'NH {k}', zodat 2.10 niet als 2.1 wordt gelezen.")
            if isinstance(v, dict):
                rows.append((str(k), _pick(v, _ANSWER_KEYS), str(_pick(v, _NOTE_KEYS) or ""), where))
            elif isinstance(v, (str, bool)) or v is None:
                rows.append((str(k), v, "", where))
            else:
                raise UsageError(f"{path.name}, {where}: verwacht een antwoord (ja, nee, gedeeltelijk, "
                                 "n.v.t.) of 'antwoord:' met 'toelichting:'.")
        return rows
    if isinstance(data, list):
        for n, entry in enumerate(data, 1):
            where = f"antwoord {n}"
            if not isinstance(entry, dict) or _pick(entry, _ID_KEYS) is None:
                raise UsageError(f"{path.name}, {where}: elk antwoord heeft een 'id' en een 'antwoord'.")
            rows.append((str(_pick(entry, _ID_KEYS)), _pick(entry, _ANSWER_KEYS),
                         str(_pick(entry, _NOTE_KEYS) or ""), where))
        return rows
    raise UsageError(f"{path.name}: verwacht per normonderdeel een antwoord, bijvoorbeeld "
                     "'NH 1.1: ja' of 'NH 1.2: {antwoord: gedeeltelijk, toelichting: ...}'.")


def _read_csv(path: Path, text: str) -> list[tuple[str, object, str, str]]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return []
    first = lines[0]
    delim = ";" if first.count(";") >= first.count(",") and ";" in first else (
        "\t" if "\t" in first and "," not in first else ",")
    reader = csv.DictReader(io.StringIO(text), delimiter=delim)
    fields = [str(f or "").strip().lower() for f in reader.fieldnames or []]
    if not any(f in _ID_KEYS for f in fields) or not any(f in _ANSWER_KEYS for f in fields):
        raise UsageError(f"{path.name}: de eerste regel moet kolommen 'id' en 'antwoord' noemen "
                         "(en eventueel 'toelichting'), gescheiden door ';' of ','.")
    rows = []
    for row in reader:
        where = f"regel {reader.line_num}"
        if None in row:  # more cells than header columns
            raise UsageError(f"{path.name}, {where}: meer kolommen dan in de kopregel; "
                             "staat er een scheidingsteken in de toelichting? Zet die dan tussen "
                             "aanhalingstekens.")
        ident = _pick(row, _ID_KEYS)
        if ident is None or not str(ident).strip():
            if any(str(v or "").strip() for v in row.values()):
                raise UsageError(f"{path.name}, {where}: normonderdeel (id) ontbreekt.")
            continue
        rows.append((str(ident), _pick(row, _ANSWER_KEYS), str(_pick(row, _NOTE_KEYS) or "").strip(),
                     where))
    return rows


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_rows(path: str | Path) -> list[tuple[str, object, str, str]]:
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"Bestand met handmatige antwoorden niet gevonden: {p}.")
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise UsageError(f"Bestand met handmatige antwoorden kon niet worden gelezen: {p} "
                         f"({e.strerror or e}).") from None
    if b"\x00" in raw[:4096]:
        raise UsageError(f"{p.name}: dit is geen tekstbestand; lever YAML of CSV aan "
                         "(sla een Excel-bestand op als CSV).")
    text = _decode(raw)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return _read_csv(p, text)
    if suffix in (".yaml", ".yml"):
        return _read_yaml(p, text)
    raise UsageError(f"{p.name}: onbekend formaat; gebruik een .yaml- of .csv-bestand.")


def _index() -> dict[str, tuple[str, str]]:
    """item key -> (norm name, canonical id) over all norms."""
    idx: dict[str, tuple[str, str]] = {}
    for n in norm_names():
        for it in load_norm(n).items():
            idx[item_key(it.id)] = (n, it.id)
    return idx


def load_answers(path: str | Path, norm: str) -> tuple[dict[str, Answer], list[str]]:
    """Answers for the items of `norm` (by canonical id) and Dutch warnings.

    Raises UsageError for an unreadable file, an unknown item id or an unknown answer.
    """
    p = Path(path)
    rows = read_rows(p)
    idx = _index()
    prefix = load_norm(norm).prefix
    answers: dict[str, Answer] = {}
    other: list[str] = []
    for ident, value, note, where in rows:
        key = item_key(ident)
        hit = idx.get(key) or idx.get(item_key(f"{prefix} {ident}"))
        if hit is None:
            at = "" if where.startswith("bij ") else f", {where}"
            example = load_norm(norm).items()[0].id
            raise UsageError(f"{p.name}{at}: onbekend normonderdeel '{ident}' "
                             f"(verwacht een nummer uit de norm, bijvoorbeeld '{example}').")
        status = normalize_answer(value, where, p)
        if status is None:
            continue
        item_norm, item_id = hit
        if item_norm != norm:
            other.append(item_id)
            continue
        if item_id in answers:
            raise UsageError(f"{p.name}, {where}: normonderdeel {item_id} staat twee keer in het bestand.")
        answers[item_id] = Answer(item_id, status, note.strip(), where)
    warnings = []
    if other and not answers:
        warnings.append(f"{p.name}: de antwoorden horen bij een andere norm dan de "
                        f"{load_norm(norm).short}; ze zijn niet gebruikt.")
    return answers, warnings
