"""SQLite history of checks: every batch run and every `check --gemeente` is stored.

Plain stdlib sqlite3, schema versioned with PRAGMA user_version and forward-only
migrations, so an old database (or an empty file) is brought up to date on open.
One row in `checks` per distinct check result; `result_key` makes recording
idempotent, so a batch rerun that skipped an unchanged municipality (same JSON,
same `generated` stamp) never duplicates its row.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterable

from ..errors import UsageError
from ..model import DOC_TYPES

SCHEMA_VERSION = 2

# Forward-only migrations: MIGRATIONS[n] brings user_version n to n+1.
MIGRATIONS: list[str] = [
    # 0 -> 1: checks with their documents and findings
    """
    CREATE TABLE checks (
        id               INTEGER PRIMARY KEY,
        municipality     TEXT NOT NULL,
        municipality_key TEXT NOT NULL,
        checked_at       TEXT NOT NULL,
        checked_utc      TEXT NOT NULL,
        norm             TEXT NOT NULL,
        version          TEXT,
        rules_version    TEXT,
        result_key       TEXT NOT NULL UNIQUE
    );
    CREATE INDEX checks_municipality ON checks (municipality_key, checked_utc);
    CREATE TABLE documents (
        check_id INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
        name     TEXT NOT NULL,
        type     TEXT,
        sha256   TEXT
    );
    CREATE INDEX documents_check ON documents (check_id);
    CREATE TABLE findings (
        check_id    INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
        requirement TEXT NOT NULL,
        status      TEXT NOT NULL,
        locations   TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (check_id, requirement)
    );
    """,
    # 1 -> 2: batch runs, where a check came from, unreadable documents, absent types
    """
    CREATE TABLE runs (
        id             INTEGER PRIMARY KEY,
        kind           TEXT NOT NULL,
        started_utc    TEXT NOT NULL,
        finished_utc   TEXT,
        region         TEXT,
        out_dir        TEXT,
        norm           TEXT,
        version        TEXT,
        municipalities INTEGER,
        checked        INTEGER,
        skipped        INTEGER,
        failed         INTEGER
    );
    ALTER TABLE checks ADD COLUMN run_id INTEGER REFERENCES runs (id);
    ALTER TABLE checks ADD COLUMN source TEXT NOT NULL DEFAULT 'check';
    ALTER TABLE checks ADD COLUMN absent_types TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE check_errors (
        check_id INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
        path     TEXT NOT NULL,
        error    TEXT NOT NULL,
        code     TEXT
    );
    CREATE INDEX check_errors_check ON check_errors (check_id);
    """,
]
assert len(MIGRATIONS) == SCHEMA_VERSION

# Compliance rank for trend arrows. not_applicable is a documented ban (the norm is
# met by the nuloptie), so it ranks with present; an absent document ranks as missing.
_RANK = {"missing": 0, "absent": 0, "partial": 1, "present": 2, "not_applicable": 2}
STATUS_NL = {
    "present": "aanwezig",
    "partial": "gedeeltelijk",
    "missing": "ontbreekt",
    "not_applicable": "n.v.t.",
    "absent": "doc. ontbreekt",
    None: "—",
}


# ---------------------------------------------------------------- connection


def default_db_path() -> Path:
    env = os.environ.get("NORMTOETS_DB")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("normtoets")) / "historie.sqlite"


def resolve_db_path(db_path: str | Path | None) -> Path:
    return Path(db_path) if db_path is not None else default_db_path()


def connect(db_path: str | Path | None = None, create: bool = True) -> sqlite3.Connection:
    """Open (and migrate) the history database. With create=False a missing file raises."""
    path = resolve_db_path(db_path)
    if not create and not path.exists():
        raise FileNotFoundError(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
    except (OSError, sqlite3.Error) as e:
        raise UsageError(f"Historie-database '{path}' kan niet worden geopend ({e}).") from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        migrate(conn)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise UsageError(f"'{path}' is geen bruikbare historie-database ({e}).") from None
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply missing migrations, each in its own IMMEDIATE transaction (safe with
    concurrent openers: the version is re-read under the write lock)."""
    while True:
        if schema_version(conn) >= SCHEMA_VERSION:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)
            if current >= SCHEMA_VERSION:
                conn.execute("COMMIT")
                break
            for stmt in _statements(MIGRATIONS[current]):
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise UsageError(
            f"De historie-database heeft schemaversie {version}; deze normtoets kent tot "
            f"versie {SCHEMA_VERSION}. Werk normtoets bij.")
    return version


def _statements(script: str) -> Iterable[str]:
    # executescript() would COMMIT our transaction; split on ';' (no ';' inside our DDL).
    for part in script.split(";"):
        if part.strip():
            yield part


# ---------------------------------------------------------------- recording


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    from ..report.jsonout import check_dict

    return check_dict(result)


def _utc(stamp: str | None) -> str:
    """ISO stamp (any offset) -> UTC ISO for ordering; now when missing/unparsable."""
    try:
        t = _dt.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        t = None
    if t is None:
        t = _dt.datetime.now(_dt.timezone.utc)
    if t.tzinfo is None:
        t = t.astimezone()
    return t.astimezone(_dt.timezone.utc).isoformat(timespec="seconds")


def result_key(d: dict[str, Any]) -> str:
    docs = sorted((Path(x.get("path") or "").name, x.get("sha256") or "") for x in d.get("documents") or [])
    errs = sorted(Path(x.get("path") or "").name for x in d.get("errors") or [])
    ident = [
        _municipality_key(d.get("municipality") or ""), d.get("norm"), d.get("version"),
        d.get("rules_version"), d.get("generated"), docs, errs,
    ]
    return hashlib.sha256(json.dumps(ident, ensure_ascii=False).encode()).hexdigest()


def _municipality_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _locations(finding: dict[str, Any]) -> list[dict[str, Any]]:
    out, seen = [], set()
    for ev in finding.get("evidence") or []:
        item = (Path(ev.get("document") or "").name, ev.get("location"), ev.get("page"))
        if item not in seen:
            seen.add(item)
            out.append({"document": item[0], "location": item[1], "page": item[2]})
    return out


def record_check(result: Any, db_path: str | Path | None = None, *, source: str = "check",
                 run_id: int | None = None, conn: sqlite3.Connection | None = None) -> int | None:
    """Store one check result (CheckResult or its `check` JSON dict).

    Returns the new row id, or None when nothing was stored: the result names no
    municipality, or this very result is already stored (idempotent).
    """
    d = _as_dict(result)
    municipality = (d.get("municipality") or "").strip()
    if not municipality:
        import sys

        print("normtoets: waarschuwing: geen gemeente bekend (gebruik --gemeente); "
              "resultaat niet in de historie opgeslagen.", file=sys.stderr)
        return None
    own = conn is None
    if own:
        try:
            conn = connect(db_path)
        except UsageError as e:
            if db_path is not None:
                raise  # asked for explicitly (--db): a usage error
            import sys

            # Implicit history (only --gemeente): never let it stop the check itself.
            print(f"normtoets: waarschuwing: {e} Resultaat niet in de historie opgeslagen.", file=sys.stderr)
            return None
    try:
        key = result_key(d)
        # Cheap read first: a batch rerun asks this for every skipped municipality.
        if conn.execute("SELECT 1 FROM checks WHERE result_key = ?", (key,)).fetchone():
            return None
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                "INSERT OR IGNORE INTO checks (municipality, municipality_key, checked_at, checked_utc,"
                " norm, version, rules_version, result_key, run_id, source, absent_types)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (municipality, _municipality_key(municipality), d.get("generated") or _utc(None),
                 _utc(d.get("generated")), d.get("norm") or "", d.get("version") or "",
                 d.get("rules_version") or "", key, run_id, source,
                 json.dumps(list(d.get("absent_types") or []))))
            if cur.rowcount == 0:
                conn.execute("COMMIT")
                return None
            cid = cur.lastrowid
            conn.executemany(
                "INSERT INTO documents (check_id, name, type, sha256) VALUES (?,?,?,?)",
                [(cid, Path(x.get("path") or "").name, x.get("type"), x.get("sha256"))
                 for x in d.get("documents") or []])
            conn.executemany(
                "INSERT INTO check_errors (check_id, path, error, code) VALUES (?,?,?,?)",
                [(cid, Path(x.get("path") or "").name, x.get("error") or "", x.get("code"))
                 for x in d.get("errors") or []])
            conn.executemany(
                "INSERT OR REPLACE INTO findings (check_id, requirement, status, locations) VALUES (?,?,?,?)",
                [(cid, f["requirement"], f["status"], json.dumps(_locations(f), ensure_ascii=False))
                 for f in d.get("findings") or []])
            conn.execute("COMMIT")
            return cid
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        if own:
            conn.close()


def start_run(conn: sqlite3.Connection, *, region: str, out_dir: str, norm: str, version: str,
              municipalities: int) -> int:
    cur = conn.execute(
        "INSERT INTO runs (kind, started_utc, region, out_dir, norm, version, municipalities)"
        " VALUES ('batch', ?, ?, ?, ?, ?, ?)",
        (_utc(None), region, out_dir, norm, version, municipalities))
    return int(cur.lastrowid)


def finish_run(conn: sqlite3.Connection, run_id: int, *, checked: int, skipped: int, failed: int) -> None:
    conn.execute("UPDATE runs SET finished_utc = ?, checked = ?, skipped = ?, failed = ? WHERE id = ?",
                 (_utc(None), checked, skipped, failed, run_id))


# ---------------------------------------------------------------- trend


def known_municipalities(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT municipality, MAX(checked_utc) AS last FROM checks GROUP BY municipality_key ORDER BY municipality_key")
    return [r["municipality"] for r in rows]


def _unknown(municipality: str, known: list[str], path: Path) -> UsageError:
    import difflib

    msg = f"Gemeente '{municipality}' komt niet voor in de historie ({path})."
    close = difflib.get_close_matches(municipality, known, n=3, cutoff=0.6)
    if close:
        msg += " Bedoelt u: " + ", ".join(close) + "?"
    elif known:
        shown = ", ".join(known[:10]) + (" ..." if len(known) > 10 else "")
        msg += f" Bekende gemeenten: {shown}."
    else:
        msg += " Er zijn nog geen controles opgeslagen."
    return UsageError(msg)


def _select_columns(checks: list[sqlite3.Row]) -> list[tuple[str, sqlite3.Row]]:
    """0-meting = the first check; then per calendar year the latest check of that year."""
    if not checks:
        return []
    cols: list[tuple[str, sqlite3.Row]] = [("0-meting", checks[0])]
    latest_per_year: dict[str, sqlite3.Row] = {}
    for row in checks[1:]:
        latest_per_year[row["checked_at"][:4]] = row  # checks are in time order
    for year in sorted(latest_per_year):
        cols.append((year, latest_per_year[year]))
    return cols


def trend(municipality: str, db_path: str | Path | None = None) -> dict[str, Any]:
    path = resolve_db_path(db_path)
    try:
        conn = connect(path, create=False)
    except FileNotFoundError:
        raise _unknown(municipality, [], path) from None
    try:
        key = _municipality_key(municipality)
        checks = conn.execute(
            "SELECT * FROM checks WHERE municipality_key = ? ORDER BY checked_utc, id", (key,)).fetchall()
        if not checks:
            raise _unknown(municipality, known_municipalities(conn), path)
        columns = _select_columns(checks)
        statuses: list[dict[str, str]] = []
        order: list[str] = []
        col_out = []
        for label, row in columns:
            fs = conn.execute("SELECT requirement, status, locations FROM findings WHERE check_id = ?",
                              (row["id"],)).fetchall()
            st = {f["requirement"]: f["status"] for f in fs}
            for f in fs:
                if f["requirement"] not in order:
                    order.append(f["requirement"])
            absent = set(json.loads(row["absent_types"] or "[]"))
            statuses.append({"__absent__": absent, **st})  # type: ignore[dict-item]
            docs = conn.execute("SELECT name, type, sha256 FROM documents WHERE check_id = ?",
                                (row["id"],)).fetchall()
            errs = conn.execute("SELECT path, error, code FROM check_errors WHERE check_id = ?",
                                (row["id"],)).fetchall()
            col_out.append({
                "label": label, "date": row["checked_at"][:10], "checked_at": row["checked_at"],
                "norm": row["norm"], "version": row["version"], "rules_version": row["rules_version"],
                "source": row["source"],
                "documents": [{"name": d["name"], "type": d["type"], "sha256": d["sha256"]} for d in docs],
                "errors": [{"path": e["path"], "error": e["error"], "code": e["code"]} for e in errs],
            })
        order = _catalogue_order(order)
        reqs = []
        for req in order:
            cells, arrows = [], []
            prev = None
            for st in statuses:
                s = st.get(req)
                if s is None and req.split(".")[0] in st["__absent__"]:
                    s = "absent"
                cells.append(s)
                arrow = ""
                if s is not None and prev is not None and _RANK.get(s) is not None and _RANK.get(prev) is not None:
                    if _RANK[s] > _RANK[prev]:
                        arrow = "up"
                    elif _RANK[s] < _RANK[prev]:
                        arrow = "down"
                arrows.append(arrow)
                if s is not None:
                    prev = s
            reqs.append({"requirement": req, "statuses": cells, "trend": arrows})
        return {
            "municipality": checks[-1]["municipality"],
            "checks": len(checks),
            "columns": col_out,
            "requirements": reqs,
        }
    finally:
        conn.close()


def _catalogue_order(ids: list[str]) -> list[str]:
    """Requirement ids in catalogue order where the catalogue is available."""
    try:
        from . import catalogue

        cat = [r for r, _t in catalogue()]
    except Exception:  # noqa: BLE001 - rules not loadable: keep first-seen order by type
        cat = []
    pos = {r: i for i, r in enumerate(cat)}
    type_pos = {t: i for i, t in enumerate(DOC_TYPES)}
    first = {r: i for i, r in enumerate(ids)}
    return sorted(ids, key=lambda r: (pos.get(r, len(pos)), type_pos.get(r.split(".")[0], 99), first[r]))


def show_history(municipality: str, db_path: str | Path | None = None, fmt: str = "text") -> str:
    """Trend per requirement: 0-meting, then the latest check per year, with arrows."""
    data = trend(municipality, db_path)
    if fmt == "json":
        from ..report.jsonout import dumps

        return dumps(data)
    if fmt != "text":
        raise UsageError(f"Onbekend formaat '{fmt}' voor historie; kies text of json.")
    return _render_text(data)


_ARROW = {"up": "↑", "down": "↓", "": ""}


def _render_text(data: dict[str, Any]) -> str:
    cols = data["columns"]
    headers = ["eis"] + [f"{c['label']} ({c['date']})" for c in cols]
    rows = []
    for r in data["requirements"]:
        cells = [r["requirement"]]
        for s, a in zip(r["statuses"], r["trend"]):
            cells.append((STATUS_NL.get(s, s) + (" " + _ARROW[a] if a else "")))
        rows.append(cells)
    # per column: how many requirements are met (present or n.v.t.)
    totals = ["aan de norm voldaan"]
    for i in range(len(cols)):
        met = sum(1 for r in data["requirements"] if r["statuses"][i] in ("present", "not_applicable"))
        known = sum(1 for r in data["requirements"] if r["statuses"][i] is not None)
        totals.append(f"{met}/{known}")
    widths = [max(len(str(x[i])) for x in [headers, totals] + rows) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()

    n = data["checks"]
    out = [f"Historie van gemeente {data['municipality']}: {n} controle{'s' if n != 1 else ''}, "
           f"{len(cols)} kolom{'men' if len(cols) != 1 else ''} (0-meting, daarna de laatste controle per jaar)",
           ""]
    out.append(line(headers))
    out.append(line(["-" * w for w in widths]))
    out.extend(line(r) for r in rows)
    out.append(line(["-" * w for w in widths]))
    out.append(line(totals))
    out.append("")
    out.append("↑ verbeterd, ↓ verslechterd ten opzichte van de vorige kolom; "
               "'doc. ontbreekt': dat document zat niet bij de controle; '—': niet getoetst.")
    for c in cols:
        docs = ", ".join(d["name"] for d in c["documents"]) or "geen documenten"
        extra = f"; {len(c['errors'])} onleesbaar" if c["errors"] else ""
        out.append(f"{c['label']}: {c['checked_at']}, norm {c['norm']}, normtoets {c['version']}, "
                   f"regels {c['rules_version'] or '?'}: {docs}{extra}")
    return "\n".join(out) + "\n"
