"""checker.parallel.fork_map: same results as the serial map, whatever happens to a child.

pytest-xdist workers run helper threads, and fork_map never forks a threaded process, so
the forking cases run in a fresh single-threaded interpreter.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from checker import parallel

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, jobs: int = 2) -> dict:
    env = dict(os.environ, NORMTOETS_JOBS=str(jobs), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         env=env, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_results_in_order_from_several_processes():
    got = _run("""
        import json, os, time
        from checker.parallel import fork_map
        def f(x):
            time.sleep(0.02)  # long enough for both processes to take items
            return x * x, os.getpid()
        res = fork_map(f, range(9))
        print(json.dumps({"vals": [v for v, _ in res], "pids": sorted({p for _, p in res}),
                          "parent": os.getpid()}))
    """)
    assert got["vals"] == [x * x for x in range(9)]
    assert len(got["pids"]) == 2
    assert got["parent"] in got["pids"]  # the parent takes items itself


def test_a_slow_item_does_not_hold_up_the_others():
    # items come from a shared queue, not from shares dealt in advance: while one process is
    # busy with the slow item, the other takes all the rest
    got = _run("""
        import json, os, time
        from checker.parallel import fork_map
        res = fork_map(lambda x: (time.sleep(1.0 if x == 0 else 0.02), os.getpid())[1], range(10))
        print(json.dumps({"by_slow": res.count(res[0]), "pids": len(set(res))}))
    """)
    assert got == {"by_slow": 1, "pids": 2}


def test_meanwhile_runs_once_in_the_parent_while_children_work():
    got = _run("""
        import json, os, time
        from checker import parallel
        ran = []
        def f(x):
            time.sleep(0.05)
            return os.getpid()
        with parallel.meanwhile(lambda: ran.append(os.getpid())):
            first = parallel.fork_map(f, range(4))
            second = parallel.fork_map(f, range(4))
        with parallel.meanwhile(lambda: 1 / 0):  # an error in the side task is only logged
            third = parallel.fork_map(lambda x: x, range(4))
        print(json.dumps({"ran": ran, "parent": os.getpid(), "third": third,
                          "pids": len(set(first)), "left": len(parallel._side_tasks)}))
    """)
    assert got["ran"] == [got["parent"]]
    assert got["third"] == [0, 1, 2, 3]
    assert got["pids"] == 2 and got["left"] == 0


def test_meanwhile_is_dropped_when_nothing_forks(monkeypatch):
    monkeypatch.setattr(parallel, "_JOBS", 1)
    ran = []
    with parallel.meanwhile(lambda: ran.append(1)):
        assert parallel.fork_map(lambda x: x + 1, range(3)) == [1, 2, 3]
    assert ran == [] and parallel._side_tasks == []


def test_a_failing_child_is_redone_in_the_parent():
    # the child dies hard (no exception to pickle): its items are recomputed in the parent
    got = _run("""
        import json, os
        from checker.parallel import fork_map
        parent = os.getpid()
        def f(x):
            if x == 1 and os.getpid() != parent:
                os._exit(9)
            return x + 100
        print(json.dumps({"vals": fork_map(f, range(4))}))
    """)
    assert got["vals"] == [100, 101, 102, 103]


def test_an_exception_surfaces_as_in_the_serial_map():
    got = _run("""
        import json
        from checker.parallel import fork_map
        def f(x):
            if x == 3:
                raise ValueError("kapot")
            return x
        try:
            fork_map(f, range(6))
            print(json.dumps({"raised": None}))
        except ValueError as e:
            print(json.dumps({"raised": str(e)}))
    """)
    assert got["raised"] == "kapot"


def test_children_do_not_fork_again():
    got = _run("""
        import json, os
        from checker.parallel import fork_map
        inner = lambda _: len({p for p in fork_map(lambda y: os.getpid(), range(4))})
        print(json.dumps({"inner": fork_map(inner, range(2))}))
    """, jobs=2)
    # the parent's own share may fork (2 processes); the child's share stays in one process
    assert got["inner"][1] == 1


def test_serial_with_one_job(monkeypatch):
    monkeypatch.setattr(parallel, "_JOBS", 1)
    pid = os.getpid()
    assert parallel.fork_map(lambda x: (x, os.getpid()), range(5)) == [(x, pid) for x in range(5)]


def test_serial_while_other_threads_run(monkeypatch):
    monkeypatch.setattr(parallel, "_JOBS", 3)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        pid = os.getpid()
        assert parallel.fork_map(lambda x: (x, os.getpid()), range(5)) == [(x, pid) for x in range(5)]
    finally:
        stop.set()
        t.join()


def test_jobs_from_environment(monkeypatch):
    monkeypatch.setattr(parallel, "_JOBS", None)
    monkeypatch.setenv("NORMTOETS_JOBS", "1")
    assert parallel.jobs() == 1
    monkeypatch.delenv("NORMTOETS_JOBS")
    assert 1 <= parallel.jobs() <= parallel.MAX_JOBS


def test_check_on_all_cores_equals_one_process():
    """A municipality folder: its documents, and the pages of its PDFs, read on all cores."""
    def check(jobs: int) -> dict:
        env = dict(os.environ, NORMTOETS_JOBS=str(jobs), PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-m", "checker.cli", "check", str(ROOT / "samples" / "lindeveld"),
                              "--format", "json"], capture_output=True, text=True, env=env, timeout=300)
        assert out.returncode == 0, out.stderr
        d = json.loads(out.stdout)
        d.pop("generated", None)
        return d

    one, many = check(1), check(2)
    assert one == many
    assert {f["status"] for f in one["findings"]} >= {"present"}


def test_pdf_pages_read_on_all_cores_equal_one_process():
    """Every page split over processes, two-column and table pages re-read by pdfplumber
    there too, paragraphs built by the process their first line falls to (two and three
    shares, so paragraphs run on over the seams): the same blocks as reading in one process."""
    pdfs = [ROOT / "tests/corpus/check/apv-westervoort-aan-zee-2024.pdf",   # two columns
            ROOT / "tests/corpus/check2/bibob-doesburgh-2021.pdf",          # ruled table
            ROOT / "tests/corpus/check2/apv-oudebroek-2011.pdf",            # old two-column layout
            ROOT / "samples/lindeveld/apv-lindeveld-2024.pdf"]
    got = _run(f"""
        import json
        from checker import parallel
        from checker.ingest import pdf, read_document
        pdf.PARALLEL_PAGES = pdf.PARALLEL_LINES = 1  # fork even for short documents
        out = {{}}
        for path in {[str(p) for p in pdfs]!r}:
            runs = []
            for jobs in (1, 2, 3):
                parallel.set_jobs(jobs)
                raw = read_document(path)
                runs.append([(b.text, b.page, b.kind, b.heading_level, b.bold, b.italic, b.font_size,
                              b.style, b.source) for b in raw.blocks])
            out[path] = runs[0] == runs[1] == runs[2] and len(runs[0]) > 10
        print(json.dumps(out))
    """)
    assert all(got.values()), got


def test_rules_on_all_cores_equal_one_process(tmp_path):
    """The rules of a large document set are dealt over processes (engine built before the
    fork); forced here for the sample municipality: the same findings as in one process."""
    got = _run(f"""
        import dataclasses, json, os
        from checker import parallel, pipeline
        from checker.match import engine
        engine.PARALLEL_UNITS = 1
        docs = pipeline.parse_paths(["samples/lindeveld"]).documents
        evaluate_rule = engine.Engine.evaluate_rule
        def spy(self, rule, idx):  # which process evaluates the rule
            with open({str(tmp_path)!r} + f"/pids-{{parallel.jobs() if os.getpid() == main else 2}}", "a") as fh:
                print(os.getpid(), file=fh)
            return evaluate_rule(self, rule, idx)
        engine.Engine.evaluate_rule = spy
        main = os.getpid()
        runs = []
        for jobs in (1, 2):
            parallel.set_jobs(jobs)
            runs.append([dataclasses.asdict(f) for f in pipeline.check_documents(docs).findings])
        print(json.dumps({{"same": runs[0] == runs[1], "n": len(runs[0])}}))
    """)
    assert got["same"] and got["n"] == 44
    one = set((tmp_path / "pids-1").read_text().split())
    two = set((tmp_path / "pids-2").read_text().split())
    assert len(one) == 1 and len(two) == 2
