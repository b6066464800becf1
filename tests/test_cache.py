"""checker.cache: parsed data files come back from the user cache exactly as parsed."""
from __future__ import annotations

import pytest
import yaml

from checker import cache
from checker.norms import data as norm_data
from checker.paths import corpora_dir


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NORMTOETS_CACHE", raising=False)
    return tmp_path / "cache"


def test_yaml_file_round_trip_and_invalidation(tmp_path, cache_home):
    src = tmp_path / "lijst.yaml"
    src.write_text("eisen:\n  - id: apv.a\n    datum: 2024-01-01\n", encoding="utf-8")
    first = cache.yaml_file(src)
    assert first == yaml.safe_load(src.read_text(encoding="utf-8"))
    assert len(list(cache_home.rglob("yaml-lijst-*.pickle"))) == 1
    assert cache.yaml_file(src) == first                  # from the pickle
    src.write_text("eisen: []\n", encoding="utf-8")       # an edit is a new key, the old entry goes
    assert cache.yaml_file(src) == {"eisen": []}
    assert len(list(cache_home.rglob("yaml-lijst-*.pickle"))) == 1


def test_corrupt_cache_and_yaml_errors(tmp_path, cache_home):
    src = tmp_path / "n.yaml"
    src.write_text("a: 1\n", encoding="utf-8")
    cache.yaml_file(src)
    for p in cache_home.rglob("yaml-n-*.pickle"):
        p.write_bytes(b"geen pickle")
    assert cache.yaml_file(src) == {"a": 1}
    src.write_text("a: [\n", encoding="utf-8")
    for _ in range(2):                                    # an error is never cached
        with pytest.raises(yaml.YAMLError):
            cache.yaml_file(src)


def test_cache_off_or_unwritable(tmp_path, monkeypatch):
    src = tmp_path / "n.yaml"
    src.write_text("a: 1\n", encoding="utf-8")
    monkeypatch.setenv("NORMTOETS_CACHE", "0")
    assert cache.cache_dir() is None
    assert cache.yaml_file(src) == {"a": 1}
    monkeypatch.delenv("NORMTOETS_CACHE")
    blocker = tmp_path / "bestand"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))    # cache dir cannot be created
    assert cache.yaml_file(src) == {"a": 1}


def test_norm_views_equal_the_yaml(cache_home):
    norm_data.load_norm.cache_clear()
    for name in norm_data.norm_names():
        p = corpora_dir() / "norms" / f"{name}.yaml"
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
        assert [it["id"] for g in raw["groups"] for it in g.get("items") or []] == \
            [it.id for g in norm_data.load_norm(name).groups for it in g.items]
