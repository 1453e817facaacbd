"""The name index beside the store: the same matches as the keys in the store, never stale, never trusted corrupt."""

from __future__ import annotations

import pytest

from kg.entities import search
from kg.nameindex import NameIndex, build, index_path, load_or_build
from kg.snapshot import bump_version_update
from kg.stores import open_store


@pytest.fixture
def store(versioned_copy):
    return versioned_copy


def test_search_writes_the_index_once_and_reads_it_back(store):
    path = index_path(store)
    assert not path.exists()
    first = search(store, "xiaomi")
    stamp = path.stat().st_mtime_ns
    assert search(store, "xiaomi") == first and path.stat().st_mtime_ns == stamp
    assert first[0]["label"] == "Xiaomi" and first[0]["score"] == 1.0


def test_a_write_makes_the_index_stale_and_it_is_rebuilt(store):
    search(store, "xiaomi")
    store.update('INSERT DATA { GRAPH graph:derived { company:zz kg:nameKey "zyxw corp" } }')
    store.update(bump_version_update())
    assert "https://kg.example.org/id/company/zz" in load_or_build(store).iris


def test_a_corrupt_index_is_rebuilt_not_used(store):
    search(store, "xiaomi")
    index_path(store).write_bytes(b"not a zip")
    assert load_or_build(store).keys == build(store).keys


def test_exact_prefix_substring_and_fuzzy_scores():
    index = NameIndex(["xiaomi", "xiaomi auto", "big xiaomi fan", "xiaomo"], ["urn:a", "urn:b", "urn:c", "urn:d"])
    assert index.matches("xiaomi", 10) == {"urn:a": 1.0, "urn:b": 0.9, "urn:c": 0.8, "urn:d": 0.625}
    # Enough better matches: the fuzzy ones cannot rank and are not looked for.
    assert "urn:d" not in index.matches("xiaomi", 2)


def test_memory_stores_have_no_file():
    s = open_store("memory:")
    assert index_path(s) is None and load_or_build(s).keys == []
