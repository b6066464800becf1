"""A small seeded subset of bench/fuzz.py: every mutated file ends in findings or a clean error."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("normtoets_fuzz", ROOT / "bench" / "fuzz.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses resolve string annotations through sys.modules
    spec.loader.exec_module(mod)
    return mod


def test_mutated_documents_never_crash_or_hang():
    fuzz = _fuzz_module()
    if len(fuzz.seed_files()) < 3:
        pytest.skip("samples/lindeveld PDF and DOCX not present")
    rep = fuzz.run_fuzz(60, seed=20261125, timeout=30.0, full_check=True)
    print(rep.summary())
    assert rep.cases == 60
    assert rep.crashes == [] and rep.hangs == [], rep.summary()
    assert rep.unexpected == [], "\n".join(rep.unexpected)
    # the mutations must really exercise both paths
    assert rep.ok > 0 and rep.clean_errors > 0


@pytest.mark.slow
def test_fuzz_full_run():
    """The dedicated run: `pytest -m slow tests/test_fuzz.py` (or python bench/fuzz.py)."""
    fuzz = _fuzz_module()
    rep = fuzz.run_fuzz(1000, seed=1, timeout=30.0, full_check=True)
    print(rep.summary())
    assert rep.failures == 0, rep.summary()
