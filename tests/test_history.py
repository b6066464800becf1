"""SQLite history: recording, idempotence, trend (0-meting + latest per year),
schema version and migrations."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from checker.batch import history
from checker.batch.history import (SCHEMA_VERSION, connect, record_check, schema_version, show_history,
                                   trend)
from checker.errors import UsageError
from checker.model import CheckResult, DocumentInfo, ErrorInfo, Evidence, Finding

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
NORMTOETS = Path(sys.executable).with_name("normtoets")


def make_result(municipality: str, when: str, statuses: dict[str, str], absent=("integriteit", "agressie"),
                sha: str = "a" * 64) -> CheckResult:
    r = CheckResult(norm="noord-holland", version="0.1.0", rules_version="r1", municipality=municipality)
    r.generated = when
    r.documents = [DocumentInfo(path=f"/data/{municipality}/apv.pdf", type="apv", format="pdf", sha256=sha),
                   DocumentInfo(path=f"/data/{municipality}/bibob.docx", type="bibob", format="docx", sha256="b" * 64)]
    r.errors = [ErrorInfo(path=f"/data/{municipality}/scan.pdf", error="Het bestand is leeg (0 bytes).", code="empty")]
    r.findings = [
        Finding(requirement=req, status=st, type=req.split(".")[0],
                evidence=[Evidence(document=f"/data/{municipality}/apv.pdf", location="2:28", page=31, quote="...")]
                if st != "missing" else [])
        for req, st in statuses.items()
    ]
    r.absent_types = list(absent)
    return r


REQS = ["apv.exploitatie.horeca", "apv.exploitatie.shisha", "bibob.alcoholwet", "damocles.grondslag"]


def test_record_stores_documents_findings_and_locations(tmp_path):
    db = tmp_path / "h.sqlite"
    cid = record_check(make_result("Duinwijk", "2024-03-01T10:00:00+01:00",
                                   dict(zip(REQS, ["present", "missing", "partial", "not_applicable"]))),
                       db_path=db)
    assert cid
    con = sqlite3.connect(db)
    row = con.execute("SELECT municipality, norm, version, rules_version, checked_at, source FROM checks").fetchone()
    assert row == ("Duinwijk", "noord-holland", "0.1.0", "r1", "2024-03-01T10:00:00+01:00", "check")
    assert con.execute("SELECT name, type, sha256 FROM documents ORDER BY name").fetchall() == [
        ("apv.pdf", "apv", "a" * 64), ("bibob.docx", "bibob", "b" * 64)]
    assert con.execute("SELECT path, code FROM check_errors").fetchall() == [("scan.pdf", "empty")]
    f = dict(con.execute("SELECT requirement, locations FROM findings").fetchall())
    assert json.loads(f["apv.exploitatie.horeca"]) == [{"document": "apv.pdf", "location": "2:28", "page": 31}]
    assert json.loads(f["apv.exploitatie.shisha"]) == []


def test_recording_the_same_result_twice_is_one_row(tmp_path):
    db = tmp_path / "h.sqlite"
    r = make_result("Duinwijk", "2024-03-01T10:00:00+01:00", dict.fromkeys(REQS, "missing"))
    assert record_check(r, db_path=db)
    assert record_check(r, db_path=db) is None  # e.g. a batch rerun that skipped it
    from checker.report.jsonout import check_dict

    assert record_check(json.loads(json.dumps(check_dict(r))), db_path=db) is None  # as read back from JSON
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM checks").fetchone()[0] == 1


def test_without_municipality_nothing_is_stored(tmp_path, capsys):
    r = make_result("", "2024-03-01T10:00:00+01:00", {"apv.exploitatie.horeca": "present"})
    assert record_check(r, db_path=tmp_path / "h.sqlite") is None
    assert "--gemeente" in capsys.readouterr().err


def test_trend_zero_measurement_then_latest_per_year_with_arrows(tmp_path):
    db = tmp_path / "h.sqlite"
    runs = [
        ("2023-02-01T09:00:00+01:00", ["missing", "missing", "partial", "missing"]),   # 0-meting
        ("2023-06-01T09:00:00+02:00", ["partial", "missing", "partial", "missing"]),   # overtaken in 2023
        ("2023-11-20T09:00:00+01:00", ["present", "missing", "missing", "missing"]),   # 2023 column
        ("2024-05-01T09:00:00+02:00", ["present", "not_applicable", "missing", "present"]),  # 2024 column
    ]
    for when, sts in runs:
        record_check(make_result("Maasbeek", when, dict(zip(REQS, sts))), db_path=db)
    # Another municipality must not leak into the trend.
    record_check(make_result("Veenhoven", "2024-01-01T09:00:00+01:00", dict.fromkeys(REQS, "present")), db_path=db)

    t = trend("maasbeek", db)  # case-insensitive
    assert t["municipality"] == "Maasbeek" and t["checks"] == 4
    assert [(c["label"], c["date"]) for c in t["columns"]] == [
        ("0-meting", "2023-02-01"), ("2023", "2023-11-20"), ("2024", "2024-05-01")]
    by = {r["requirement"]: r for r in t["requirements"]}
    assert by["apv.exploitatie.horeca"]["statuses"] == ["missing", "present", "present"]
    assert by["apv.exploitatie.horeca"]["trend"] == ["", "up", ""]
    assert by["bibob.alcoholwet"]["trend"] == ["", "down", ""]
    assert by["apv.exploitatie.shisha"]["statuses"] == ["missing", "missing", "not_applicable"]
    assert by["apv.exploitatie.shisha"]["trend"] == ["", "", "up"]  # a ban meets the norm
    assert list(by)[:2] == ["apv.exploitatie.horeca", "apv.exploitatie.shisha"]

    text = show_history("Maasbeek", db_path=db)
    lines = text.splitlines()
    assert "0-meting (2023-02-01)" in text and "2023 (2023-11-20)" in text and "2024 (2024-05-01)" in text
    horeca = next(ln for ln in lines if ln.startswith("apv.exploitatie.horeca"))
    assert "ontbreekt" in horeca and "aanwezig ↑" in horeca
    alcohol = next(ln for ln in lines if ln.startswith("bibob.alcoholwet"))
    assert "gedeeltelijk" in alcohol and "ontbreekt ↓" in alcohol
    assert json.loads(show_history("Maasbeek", db_path=db, fmt="json")) == t


def test_absent_document_types_show_as_such(tmp_path):
    db = tmp_path / "h.sqlite"
    record_check(make_result("Lindeveld", "2022-01-10T10:00:00+01:00", {"apv.exploitatie.horeca": "partial"},
                             absent=("bibob", "damocles", "integriteit", "agressie")), db_path=db)
    record_check(make_result("Lindeveld", "2024-01-10T10:00:00+01:00",
                             {"apv.exploitatie.horeca": "partial", "bibob.alcoholwet": "present"},
                             absent=("damocles", "integriteit", "agressie")), db_path=db)
    t = trend("Lindeveld", db)
    by = {r["requirement"]: r for r in t["requirements"]}
    assert by["bibob.alcoholwet"]["statuses"] == ["absent", "present"]
    assert by["bibob.alcoholwet"]["trend"] == ["", "up"]
    assert "doc. ontbreekt" in show_history("Lindeveld", db_path=db)


def test_unknown_municipality_gets_a_dutch_message(tmp_path):
    db = tmp_path / "h.sqlite"
    with pytest.raises(UsageError, match="komt niet voor in de historie"):
        show_history("Duinwijk", db_path=db)  # no database yet
    assert not db.exists()  # reading never creates a database
    record_check(make_result("Duinwijk", "2024-03-01T10:00:00+01:00", {"apv.exploitatie.horeca": "present"}),
                 db_path=db)
    with pytest.raises(UsageError, match="Bedoelt u: Duinwijk"):
        show_history("Duinwyk", db_path=db)
    p = subprocess.run([str(NORMTOETS), "history", "Nergenshuizen", "--db", str(db)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert "Nergenshuizen" in p.stderr and "komt niet voor" in p.stderr and "Traceback" not in p.stderr


def test_schema_version_and_tables(tmp_path):
    con = connect(tmp_path / "h.sqlite")
    assert schema_version(con) == SCHEMA_VERSION == 2
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"checks", "documents", "findings", "runs", "check_errors"} <= tables
    con.close()
    con = connect(tmp_path / "h.sqlite")  # reopening migrates nothing
    assert schema_version(con) == SCHEMA_VERSION


def test_migration_from_an_empty_database_file(tmp_path):
    db = tmp_path / "h.sqlite"
    db.write_bytes(b"")  # e.g. created by `touch`
    record_check(make_result("Duinwijk", "2024-03-01T10:00:00+01:00", {"apv.exploitatie.horeca": "present"}),
                 db_path=db)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("SELECT COUNT(*) FROM checks").fetchone()[0] == 1


def test_migration_from_version_1_keeps_old_checks(tmp_path):
    db = tmp_path / "h.sqlite"
    con = sqlite3.connect(db, isolation_level=None)
    con.executescript(history.MIGRATIONS[0])
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO checks (municipality, municipality_key, checked_at, checked_utc, norm, version,"
                " rules_version, result_key) VALUES ('Veenhoven', 'veenhoven', '2021-05-01T10:00:00+02:00',"
                " '2021-05-01T08:00:00+00:00', 'noord-holland', '0.0.9', 'r0', 'oud')")
    con.execute("INSERT INTO findings VALUES (1, 'apv.exploitatie.horeca', 'partial', '[]')")
    con.close()
    record_check(make_result("Veenhoven", "2024-03-01T10:00:00+01:00", {"apv.exploitatie.horeca": "present"}),
                 db_path=db)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("SELECT source, absent_types FROM checks WHERE id = 1").fetchone() == ("check", "[]")
    t = trend("Veenhoven", db)
    assert [c["label"] for c in t["columns"]] == ["0-meting", "2024"]
    assert t["requirements"][0]["statuses"] == ["partial", "present"]
    assert t["requirements"][0]["trend"] == ["", "up"]


def test_newer_schema_is_refused(tmp_path):
    db = tmp_path / "h.sqlite"
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    con.close()
    with pytest.raises(UsageError, match="Werk normtoets bij"):
        connect(db)


def test_not_a_database(tmp_path):
    db = tmp_path / "h.sqlite"
    db.write_text("dit is geen database, maar een tekstbestand met genoeg inhoud " * 20)
    with pytest.raises(UsageError, match="geen bruikbare historie-database"):
        record_check(make_result("X", "2024-03-01T10:00:00+01:00", {"apv.exploitatie.horeca": "present"}),
                     db_path=db)


def test_env_var_sets_default_database(tmp_path, monkeypatch):
    monkeypatch.setenv("NORMTOETS_DB", str(tmp_path / "env.sqlite"))
    record_check(make_result("Duinwijk", "2024-03-01T10:00:00+01:00", {"apv.exploitatie.horeca": "present"}))
    assert (tmp_path / "env.sqlite").exists()
    assert "Duinwijk" in show_history("duinwijk")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_check_with_gemeente_records_and_history_shows_it(tmp_path):
    folder = tmp_path / "Duinwijk"
    folder.mkdir()
    for n in ("apv-duinwijk-2024.txt", "bibob-duinwijk-2023.txt"):
        shutil.copyfile(CORPUS / n, folder / n)
    env = {**os.environ, "NORMTOETS_DB": str(tmp_path / "env.sqlite")}
    p = subprocess.run([str(NORMTOETS), "check", str(folder), "--gemeente", "Duinwijk", "--format", "json"],
                       capture_output=True, text=True, timeout=300, env=env)
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout)
    h = subprocess.run([str(NORMTOETS), "history", "Duinwijk", "--format", "json"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert h.returncode == 0, h.stderr
    t = json.loads(h.stdout)
    assert [c["label"] for c in t["columns"]] == ["0-meting"]
    assert sorted(d["name"] for d in t["columns"][0]["documents"]) == sorted(os.listdir(folder))
    got = {r["requirement"]: r["statuses"][0] for r in t["requirements"]}
    want = {f["requirement"]: f["status"] for f in result["findings"]}
    for typ in result["absent_types"]:
        want.update({r: "absent" for r in got if r.startswith(typ + ".")})
    assert got == want


def test_unusable_implicit_database_warns_but_explicit_one_is_an_error(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "map-geen-bestand"
    bad.mkdir()
    r = make_result("Duinwijk", "2024-03-01T10:00:00+01:00", {"apv.exploitatie.horeca": "present"})
    monkeypatch.setenv("NORMTOETS_DB", str(bad))
    assert record_check(r) is None  # `check --gemeente` without --db: the check still runs
    assert "niet in de historie opgeslagen" in capsys.readouterr().err
    with pytest.raises(UsageError):
        record_check(r, db_path=bad)
