"""Region batch: matrix, per-municipality JSON, skip on rerun, recheck on change,
resume after SIGKILL, per-document timeout. Inputs are real corpus documents (TXT and
HTML, so the suite stays fast) and the Lindeveld samples."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.batch import run_batch
from checker.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "samples"
NORMTOETS = Path(sys.executable).with_name("normtoets")
TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}$")

FULL = ["apv-duinwijk-2024", "bibob-duinwijk-2023", "damocles-duinwijk-2020",
        "gedragscode-duinwijk-2021", "agressieprotocol-duinwijk-2022"]

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")


def _lindeveld_files() -> list[Path]:
    for d in (SAMPLES / "src", SAMPLES / "lindeveld"):
        files = sorted(p for p in d.glob("*") if p.suffix in (".txt", ".html", ".docx", ".pdf")) if d.is_dir() else []
        if files:
            return files
    return [CORPUS / f"{n}.txt" for n in FULL]


def build_region(root: Path) -> dict[str, list[str]]:
    """22 municipalities: complete sets, single documents, broken files, empty folders."""
    region = root / "regio"
    region.mkdir()
    plan: dict[str, list[Path]] = {
        "Duinwijk": [CORPUS / f"{n}.txt" for n in FULL],
        "Duinwijk-html": [CORPUS / f"{n}.html" for n in FULL],
        "Lindeveld": _lindeveld_files(),
        "Veenhoven": [CORPUS / f"{n}.txt" for n in ("apv-veenhoven-2016", "bibob-veenhoven-2016",
                                                     "damocles-veenhoven-2015")],
        "Maasbeek": [CORPUS / "apv-maasbeek-2022.txt"],
        "Maasbeek-html": [CORPUS / "apv-maasbeek-2022.html"],
        "Beekdal": [CORPUS / "apv-veenhoven-2016.txt"],
        "Heidehoven": [CORPUS / "bibob-veenhoven-2016.txt", CORPUS / "damocles-veenhoven-2015.html"],
        "Kreekrak": [CORPUS / "gedragscode-duinwijk-2021.txt", CORPUS / "agressieprotocol-duinwijk-2022.txt"],
        "Moerdam": [CORPUS / "apv-duinwijk-2024.txt"],
        "Oosterzand": [CORPUS / "apv-maasbeek-2022.txt", CORPUS / "bibob-duinwijk-2023.html"],
        "Polderwijk": [CORPUS / "damocles-duinwijk-2020.txt"],
        "Rietveen": [CORPUS / "apv-veenhoven-2016.html", CORPUS / "gedragscode-duinwijk-2021.html"],
        "Schoorland": [CORPUS / "agressieprotocol-duinwijk-2022.html"],
        "Vlietdorp": [CORPUS / "bibob-duinwijk-2023.txt"],
        "Bergen op Zand": [CORPUS / "apv-duinwijk-2024.html"],
        "Kapotdorp": [CORPUS / "apv-maasbeek-2022.txt"],
        "Plaatjeshoven": [CORPUS / "bibob-veenhoven-2016.txt"],
        "Alleenkapot": [],
        "Leegstede": [],
        "Nieuwgemeente": [],
        "Zandbergen": [CORPUS / "damocles-veenhoven-2015.txt", CORPUS / "apv-maasbeek-2022.html"],
    }
    for name, files in plan.items():
        d = region / name
        d.mkdir()
        for f in files:
            shutil.copyfile(f, d / f.name)
    (region / "Kapotdorp" / "leeg-besluit.pdf").write_bytes(b"")
    (region / "Plaatjeshoven" / "scan-apv.pdf").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (region / "Alleenkapot" / "apv.docx").write_bytes(b"")
    (region / "Nieuwgemeente" / ".DS_Store").write_bytes(b"\x00\x01hidden")
    (region / "Duinwijk" / ".~lock.apv.docx#").write_text("lock file of an office suite")
    (region / ".git").mkdir()
    (region / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (region / "LEESMIJ.txt").write_text("Bestanden direct in de regiomap horen bij geen gemeente.\n")
    return {name: sorted(p.name for p in files) for name, files in plan.items()}


# Folders whose document sets differ from each other (all variants of the region).
DISTINCT = ["Duinwijk", "Duinwijk-html", "Lindeveld", "Kapotdorp", "Plaatjeshoven", "Leegstede"]


def build_small_region(root: Path, n: int = 12) -> list[str]:
    """Many quick municipalities (one short document each) for the kill/resume test."""
    region = root / "regio"
    small = ["damocles-duinwijk-2020.txt", "damocles-veenhoven-2015.txt", "agressieprotocol-duinwijk-2022.txt",
             "gedragscode-duinwijk-2021.txt", "damocles-duinwijk-2020.html", "agressieprotocol-duinwijk-2022.html"]
    names = []
    for i in range(n):
        name = f"Gemeente {i + 1:02d}"
        (region / name).mkdir(parents=True)
        src = CORPUS / small[i % len(small)]
        shutil.copyfile(src, region / name / src.name)
        names.append(name)
    (region / names[-1] / "kapot.docx").write_bytes(b"PK\x03\x04 niet echt een zip")
    (region / "Leeg").mkdir()
    return names + ["Leeg"]


def read_matrix(out: Path) -> tuple[list[str], dict[str, dict[str, str]], list[str]]:
    with open(out / "matrix.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    names = [r[0] for r in rows[1:]]
    return header, {r[0]: dict(zip(header[1:], r[1:])) for r in rows[1:]}, names


def temp_files(out: Path) -> list[str]:
    found = []
    for d in (out, out / ".state", out / ".state" / "gemeenten"):
        if d.is_dir():
            found += [p.name for p in d.iterdir() if p.is_file() and TEMP_RE.match(p.name)]
    return found


def snapshot(out: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_text(encoding="utf-8"))
            for p in sorted(out.glob("*.json"))}


def first_run(root: Path) -> dict:
    plan = build_region(root)
    out = root / "uit"
    db = root / "historie.sqlite"
    rc = run_batch(root / "regio", out, jobs=2, norm="noord-holland", timeout=120.0, db_path=db, force=False)
    return {"root": root, "region": root / "regio", "out": out, "db": db, "rc": rc, "plan": plan}


def test_region_batch_first_run_rerun_and_change(tmp_path, capfd):
    """One region of 22 municipalities through three runs (kept in one test so the
    expensive first run happens once, also under pytest-xdist)."""
    run = first_run(tmp_path)
    matrix_lists_every_municipality_once_with_check_statuses(run)
    json_equals_cli_check_output(run, tmp_path / "cli")
    region_outputs_xlsx_index_html(run)
    rerun_skips_unchanged_and_keeps_matrix(run, capfd)
    changed_file_is_rechecked_and_marked_in_index(run, capfd)


def matrix_lists_every_municipality_once_with_check_statuses(batch_run):
    from checker.pipeline import check_paths
    from checker.report.jsonout import check_dict

    out, region, plan = batch_run["out"], batch_run["region"], batch_run["plan"]
    assert batch_run["rc"] == 1  # broken files -> contract exit status 1
    header, matrix, names = read_matrix(out)
    assert header[0] == "gemeente"
    assert sorted(names) == sorted(plan) and len(names) == len(set(names)) == 22
    ids = header[1:]
    assert len(ids) == len(set(ids))
    from checker.batch import catalogue_from_rules

    # All requirements of the rules catalogue (44 when complete), in catalogue order,
    # whichever municipality happens to have which documents.
    assert ids == [req for req, _type in catalogue_from_rules()]

    for name in plan:
        d = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        if name in DISTINCT:  # the other folders hold copies of these documents
            expected = check_dict(check_paths([region / name], norm="noord-holland", municipality=name))
            # The batch JSON is the `check` JSON of that folder (only the timestamp differs).
            d_cmp = {k: v for k, v in d.items() if k != "generated"}
            expected.pop("generated")
            assert d_cmp == expected, name
        statuses = {f["requirement"]: f["status"] for f in d["findings"]}
        for req in ids:
            want = statuses.get(req)
            if want is None:
                want = "document ontbreekt" if req.split(".")[0] in d["absent_types"] else ""
            assert matrix[name][req] == want, (name, req)
        listed = [Path(x["path"]).name for x in d["documents"]] + [Path(e["path"]).name for e in d["errors"]]
        assert sorted(listed) == sorted(n for n in os.listdir(region / name) if not n.startswith("."))

    # broken files are reported in their municipality's JSON, the rest still checked
    kapot = json.loads((out / "Kapotdorp.json").read_text())
    assert [Path(e["path"]).name for e in kapot["errors"]] == ["leeg-besluit.pdf"]
    assert any(f["status"] != "missing" for f in kapot["findings"])
    plaat = json.loads((out / "Plaatjeshoven.json").read_text())
    assert [Path(e["path"]).name for e in plaat["errors"]] == ["scan-apv.pdf"]
    assert "PNG" in plaat["errors"][0]["error"]
    assert set(matrix["Leegstede"].values()) == {"document ontbreekt"}
    assert set(matrix["Nieuwgemeente"].values()) == {"document ontbreekt"}
    assert all(v != "document ontbreekt" for k, v in matrix["Duinwijk"].items())
    assert not temp_files(out)


def json_equals_cli_check_output(batch_run, tmp_path):
    tmp_path.mkdir()
    region, out = batch_run["region"], batch_run["out"]
    for name, code in (("Kapotdorp", 1),):
        target = tmp_path / f"{name}.json"
        p = subprocess.run([str(NORMTOETS), "check", str(region / name), "--format", "json",
                            "--gemeente", name, "--output", str(target)],
                           capture_output=True, text=True, timeout=300,
                           env={**os.environ, "NORMTOETS_DB": str(tmp_path / "h.sqlite")})
        assert p.returncode == code, p.stderr
        cli = json.loads(target.read_text(encoding="utf-8"))
        mine = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        cli.pop("generated"), mine.pop("generated")
        assert cli == mine


def region_outputs_xlsx_index_html(batch_run):
    from openpyxl import load_workbook

    out, plan = batch_run["out"], batch_run["plan"]
    header, matrix, names = read_matrix(out)
    wb = load_workbook(out / "matrix.xlsx")
    ws = wb["Matrix"]
    assert ws.freeze_panes == "B2"
    values = list(ws.iter_rows(values_only=True))
    assert list(values[0]) == header
    assert [r[0] for r in values[1:]] == names
    for r in values[1:]:
        assert [v or "" for v in r[1:]] == [matrix[r[0]][h] for h in header[1:]]
    assert len(ws.conditional_formatting) >= 1
    errs = list(wb["Fouten"].iter_rows(values_only=True))
    assert {(r[0], r[1]) for r in errs[1:]} == {
        ("Kapotdorp", "leeg-besluit.pdf"), ("Plaatjeshoven", "scan-apv.pdf"), ("Alleenkapot", "apv.docx")}

    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<link " not in index and "<script src" not in index  # self-contained
    from html import escape
    from urllib.parse import quote

    for name in plan:
        assert f">{escape(name)}</a>" in index
        report = f"{name}.html" if (out / f"{name}.html").exists() else f"{name}.json"
        assert f'href="{quote(report)}"' in index
    # one table row per municipality; every cell carries a letter, not only a colour
    assert index.count('<th class="name" scope="row">') == len(plan)
    cells = re.findall(r'<td class="c[^"]*" data-status="([^"]+)"[^>]*>([^<]+)', index)
    assert len(cells) == len(plan) * (len(header) - 1)
    letters = {"present": "A", "partial": "G", "missing": "O", "not_applicable": "N",
               "document ontbreekt": "–", "none": "?"}
    assert all(letters[s] == t for s, t in cells)
    # first run: nothing to compare with yet
    assert "▲ 0" not in index and 'class="c up"' not in index


def rerun_skips_unchanged_and_keeps_matrix(batch_run, capfd):
    out, region, db = batch_run["out"], batch_run["region"], batch_run["db"]
    before = snapshot(out)
    matrix_before = (out / "matrix.csv").read_text()
    rows_before = sqlite3.connect(db).execute("SELECT COUNT(*) FROM checks").fetchone()[0]
    capfd.readouterr()
    rc = run_batch(region, out, jobs=2, norm="noord-holland", timeout=120.0, db_path=db, force=False)
    err = capfd.readouterr().err
    assert rc == 1
    assert "22 gemeenten: 0 gecontroleerd, 22 ongewijzigd overgeslagen (waarvan 3 met fouten), " \
           "0 met fouten in" in err
    assert snapshot(out) == before  # not one JSON rewritten
    assert (out / "matrix.csv").read_text() == matrix_before
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM checks").fetchone()[0] == rows_before == 22


def changed_file_is_rechecked_and_marked_in_index(batch_run, capfd):
    out, region, db = batch_run["out"], batch_run["region"], batch_run["db"]
    before = snapshot(out)
    # Moerdam's APV gains the other four documents: its other types go from
    # "document ontbreekt" to a status, and the APV itself is edited.
    for n in FULL[1:]:
        shutil.copyfile(CORPUS / f"{n}.txt", region / "Moerdam" / f"{n}.txt")
    apv = region / "Moerdam" / "apv-duinwijk-2024.txt"
    apv.write_text(apv.read_text(encoding="utf-8") + "\n\nGewijzigd bij raadsbesluit.\n", encoding="utf-8")
    capfd.readouterr()
    run_batch(region, out, jobs=2, norm="noord-holland", timeout=120.0, db_path=db, force=False)
    err = capfd.readouterr().err
    assert "22 gemeenten: 1 gecontroleerd, 21 ongewijzigd overgeslagen" in err
    after = snapshot(out)
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert changed == ["Moerdam.json"]
    d = json.loads(after["Moerdam.json"][1])
    assert len(d["documents"]) == 5 and d["absent_types"] == []
    _, matrix, names = read_matrix(out)
    assert names.count("Moerdam") == 1
    assert "document ontbreekt" not in matrix["Moerdam"].values()
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM checks WHERE municipality = 'Moerdam'").fetchone()[0] == 2
    # index: the municipality shows its change against the previous check
    index = (out / "index.html").read_text(encoding="utf-8")
    row = index[index.index(">Moerdam</a>"):].split("</tr>")[0]
    improved = sum(1 for req, st in matrix["Moerdam"].items()
                   if not req.startswith("apv.") and st in ("present", "partial", "not_applicable"))
    n_up = row.count('class="c up"')
    assert n_up >= improved > 0
    assert f"▲ {n_up}" in row
    state = json.loads((out / ".state" / "gemeenten" / "Moerdam.json").read_text())
    assert state["previous"]["absent_types"] == ["bibob", "damocles", "integriteit", "agressie"]

    # history trend of Moerdam now has two checks in one year: 0-meting + that year
    from checker.batch.history import trend

    t = trend("moerdam", db)
    assert [c["label"] for c in t["columns"]][0] == "0-meting" and len(t["columns"]) == 2


def _wait_for(pred, limit=240.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_sigkill_halfway_then_rerun_completes(tmp_path, capfd):
    plan = build_small_region(tmp_path)
    out = tmp_path / "uit"
    env = {**os.environ, "NORMTOETS_DB": str(tmp_path / "h.sqlite")}
    cmd = [str(NORMTOETS), "batch", str(tmp_path / "regio"), "--out", str(out), "--jobs", "2"]
    log = open(tmp_path / "batch.log", "wb")  # noqa: SIM115 - a pipe nobody reads could block the batch
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        assert _wait_for(lambda: len(list((out / ".state" / "gemeenten").glob("*.json"))) >= 3
                         or p.poll() is not None)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)  # parent, fork server and workers at once
        except ProcessLookupError:  # already finished (a very fast machine)
            pass
        p.wait(30)
        log.close()
    done_at_kill = {f.stem for f in (out / ".state" / "gemeenten").glob("*.json")}
    assert done_at_kill

    def survivors() -> list[str]:  # live (non-zombie) members of the killed process group
        ps = subprocess.run(["ps", "-eo", "pgid=,stat="], capture_output=True, text=True).stdout
        return [ln for ln in ps.splitlines() if ln.split()[0] == str(p.pid) and not ln.split()[1].startswith("Z")]

    assert _wait_for(lambda: not survivors(), limit=30), survivors()

    capfd.readouterr()
    rc = run_batch(tmp_path / "regio", out, jobs=2, norm="noord-holland", timeout=120.0,
                   db_path=tmp_path / "h.sqlite", force=False)
    err = capfd.readouterr().err
    assert rc == 1, err
    m = re.search(r"13 gemeenten: (\d+) gecontroleerd, (\d+) ongewijzigd overgeslagen", err)
    assert m, err
    assert int(m.group(2)) >= len(done_at_kill)  # work done before the kill is kept
    header, matrix, names = read_matrix(out)
    assert sorted(names) == sorted(plan) and len(names) == len(set(names))
    for name in plan:
        d = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert d["municipality"] == name
    assert not temp_files(out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('<th class="name" scope="row">') == len(plan)
    # history: every municipality exactly once, none lost, none doubled
    con = sqlite3.connect(tmp_path / "h.sqlite")
    per = dict(con.execute("SELECT municipality, COUNT(*) FROM checks GROUP BY municipality").fetchall())
    assert per == {name: 1 for name in plan}


def test_document_over_time_limit_is_stopped_others_still_checked(tmp_path, capfd):
    region = tmp_path / "regio"
    (region / "Traagdorp").mkdir(parents=True)
    (region / "Snelstad").mkdir()
    shutil.copyfile(CORPUS / "damocles-duinwijk-2020.txt", region / "Traagdorp" / "damocles-duinwijk-2020.txt")
    shutil.copyfile(CORPUS / "bibob-duinwijk-2023.txt", region / "Snelstad" / "bibob-duinwijk-2023.txt")
    # A pathological 'document': 27 MB of articles; reading and structuring it takes far
    # longer than the limit below.
    body = "".join(f"Artikel {i}\nDe burgemeester kan een vergunning weigeren in het belang van de "
                   f"openbare orde, lid {i}.\n\n" for i in range(250_000))
    (region / "Traagdorp" / "zz-bijlage.txt").write_text("Algemene Plaatselijke Verordening\n\n" + body * 1)
    out = tmp_path / "uit"
    # 3 s per document: the other documents need a fraction of that (even on a busy
    # machine), the bijlage minutes.
    rc = run_batch(region, out, jobs=2, norm="noord-holland", timeout=3.0, db_path=tmp_path / "h.sqlite",
                   force=False)
    err = capfd.readouterr().err
    assert rc == 1
    d = json.loads((out / "Traagdorp.json").read_text(encoding="utf-8"))
    assert [(Path(e["path"]).name, e["code"]) for e in d["errors"]] == [("zz-bijlage.txt", "timeout")]
    assert re.match(r"Controle afgebroken na \d+ s", d["errors"][0]["error"])
    assert [Path(x["path"]).name for x in d["documents"]] == ["damocles-duinwijk-2020.txt"]
    assert d["findings"]  # the other document was still checked
    assert json.loads((out / "Snelstad.json").read_text())["errors"] == []
    assert "Controle afgebroken" in err
    # unchanged rerun with the same limit does not retry; a larger limit does
    run_batch(region, out, jobs=2, norm="noord-holland", timeout=3.0, db_path=tmp_path / "h.sqlite", force=False)
    assert "2 gemeenten: 0 gecontroleerd, 2 ongewijzigd overgeslagen" in capfd.readouterr().err


def test_bad_usage(tmp_path):
    with pytest.raises(UsageError, match="bestaat niet"):
        run_batch(tmp_path / "geen-regio", tmp_path / "uit", jobs=1, norm="noord-holland", timeout=10,
                  db_path=tmp_path / "h.sqlite", force=False)
    p = subprocess.run([str(NORMTOETS), "batch", str(tmp_path / "geen-regio"), "--out", str(tmp_path / "u")],
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "NORMTOETS_DB": str(tmp_path / "h.sqlite")})
    assert p.returncode == 2
    assert "Regiomap" in p.stderr and "bestaat niet" in p.stderr and "Traceback" not in p.stderr
    region = tmp_path / "regio"
    region.mkdir()
    with pytest.raises(UsageError, match="uitvoermap"):
        run_batch(region, region / "uit", jobs=1, norm="noord-holland", timeout=10,
                  db_path=tmp_path / "h.sqlite", force=False)


def test_leftover_temp_files_of_a_killed_run_are_removed(tmp_path):
    region = tmp_path / "regio"
    (region / "Moerdam").mkdir(parents=True)
    shutil.copyfile(CORPUS / "damocles-duinwijk-2020.txt", region / "Moerdam" / "damocles.txt")
    out = tmp_path / "uit"
    (out / ".state" / "gemeenten").mkdir(parents=True)
    (out / ".Moerdam.json.k2j4_9xq").write_text('{"half": ')
    (out / ".state" / "gemeenten" / ".Moerdam.json.ab12cd34").write_text("{")
    (out / "notities.txt").write_text("van de gebruiker")
    run_batch(region, out, jobs=1, norm="noord-holland", timeout=60, db_path=tmp_path / "h.sqlite", force=False)
    assert not temp_files(out)
    assert (out / "notities.txt").exists()
    assert read_matrix(out)[2] == ["Moerdam"]


def test_discovery_ignores_hidden_and_loose_files_and_avoids_name_clashes(tmp_path):
    from checker.batch import discover

    region = tmp_path / "regio"
    for name in ("Index", "matrix", "Zuid", ".verborgen"):
        (region / name).mkdir(parents=True)
    (region / "Zuid" / "apv.txt").write_text("Artikel 1\nTekst.\n")
    (region / "Zuid" / ".apv.txt.swp").write_text("editor")
    (region / "Zuid" / "apv.labels.yaml").write_text("type: apv\n")
    (region / "los-document.txt").write_text("hoort bij geen gemeente")
    found = discover(region)
    assert [(m.name, m.stem) for m in found] == [
        ("Index", "gemeente-Index"), ("matrix", "gemeente-matrix"), ("Zuid", "Zuid")]
    assert [f.name for f in found[2].files] == ["apv.txt"]


def test_unusable_history_database_named_with_db_is_bad_usage(tmp_path):
    region = tmp_path / "regio"
    (region / "Zuid").mkdir(parents=True)
    shutil.copyfile(CORPUS / "damocles-veenhoven-2015.txt", region / "Zuid" / "damocles.txt")
    not_a_db = tmp_path / "map"
    not_a_db.mkdir()
    with pytest.raises(UsageError, match="(?i)historie-database"):
        run_batch(region, tmp_path / "uit", jobs=1, norm="noord-holland", timeout=60, db_path=not_a_db,
                  force=False)
    assert not (tmp_path / "uit" / "Zuid.json").exists()  # refused before any work
