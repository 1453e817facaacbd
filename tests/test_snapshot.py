"""The projection snapshot: same graph as the projection, keyed by the store's version, never stale."""

from __future__ import annotations

import pytest

from kg.network import entity_graph as project
from kg.snapshot import bump_version_update, entity_graph, snapshot_path, version
from kg.stores import open_store


def _same(G, H) -> None:
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert list(G.edges(keys=True, data=True)) == list(H.edges(keys=True, data=True))


@pytest.fixture
def store(versioned_copy):
    return versioned_copy


def test_version_counts_every_bump(store):
    first = version(store)
    store.update(bump_version_update())
    second = version(store)
    assert first.split("/")[0] == second.split("/")[0]
    assert int(second.split("/")[1]) == int(first.split("/")[1]) + 1


def test_snapshot_gives_the_projections_graph_and_is_written_once(store):
    path = snapshot_path(store)
    assert not path.exists()
    _same(entity_graph(store), project(store))
    stamp = path.stat().st_mtime_ns
    _same(entity_graph(store), project(store))
    assert path.stat().st_mtime_ns == stamp


def test_filters_on_the_snapshot_match_the_projection(store):
    entity_graph(store)
    _same(entity_graph(store, relations=["metWith", "ceoOf"]), project(store, relations=["metWith", "ceoOf"]))
    _same(entity_graph(store, types=["Agent"]), project(store, types=["Agent"]))
    _same(entity_graph(store, exclude_status=["rumored"]), project(store, exclude_status=["rumored"]))


def test_a_write_makes_the_snapshot_stale_and_it_is_rebuilt(store):
    entity_graph(store)
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:x> a kg:Company ; rdfs:label 'Newco' } }")
    store.update(bump_version_update())
    G = entity_graph(store)
    assert G.nodes["urn:x"]["label"] == "Newco"


def test_a_corrupt_snapshot_is_rebuilt_not_used(store):
    entity_graph(store)
    path = snapshot_path(store)
    path.write_bytes(path.read_bytes()[:200])
    _same(entity_graph(store), project(store))
    assert path.stat().st_size > 200


def test_memory_stores_and_unversioned_stores_are_projected():
    s = open_store("memory:")
    assert snapshot_path(s) is None and version(s) is None
    assert entity_graph(s).number_of_nodes() == 0


def test_analytics_read_only_the_attributes_they_use_with_the_same_results(store):
    from kg.analytics import centrality, stats
    from kg.snapshot import ANALYTICS

    full = entity_graph(store)
    light = entity_graph(store, attrs=ANALYTICS)
    assert list(light.edges(keys=True)) == list(full.edges(keys=True))
    assert all(set(d) == set(ANALYTICS) for *_, d in light.edges(keys=True, data=True))
    for measure in ("degree", "pagerank"):
        assert centrality(light, measure, weight="amount") == centrality(full, measure, weight="amount")
    assert stats(light) == stats(full)


def _facts(t) -> list:
    return sorted((t.nodes[u], t.nodes[v], t.words[r] if r >= 0 else None, t.words[s] if s >= 0 else None, a, y)
                  for u, v, r, s, a, y in zip(t.u.tolist(), t.v.tolist(), t.relation.tolist(), t.status.tolist(),
                                              t.amount.tolist(), t.symmetric.tolist(), strict=True))


@pytest.mark.parametrize("filters", [{}, {"types": ["Agent"]}, {"relations": ["metWith", "ceoOf"]},
                                     {"relations": ["investedIn"], "types": ["Organization"]},
                                     {"exclude_status": ["rumored"]}])
def test_ties_read_from_the_snapshot_arrays_are_the_projections(store, filters):
    from kg.snapshot import ties
    from kg.ties import from_graph

    first = ties(store, **filters)  # projects, and saves the snapshot unless a deal filter is given
    assert snapshot_path(store).exists() is ("exclude_status" not in filters)
    for t in (first, ties(store, **filters)):
        ref = from_graph(project(store, **filters))
        assert (t.nodes, t.labels, t.types) == (ref.nodes, ref.labels, ref.types)
        assert _facts(t) == _facts(ref) and len(t.u) > 0


def test_analytics_on_the_snapshot_ties_give_the_graphs_answers(store):
    from kg.analytics import centrality, communities, stats
    from kg.snapshot import ties

    t, G = ties(store, types=["Agent"]), project(store, types=["Agent"])
    for measure in ("degree", "pagerank", "betweenness", "closeness"):
        assert centrality(t, measure, weight="amount", top=None) == centrality(G, measure, weight="amount", top=None)
    assert communities(t) == communities(G)
    assert stats(t) == stats(G)


def test_ties_from_a_corrupt_or_stale_snapshot_are_projected_again(store):
    from kg.snapshot import ties
    from kg.ties import from_graph

    ties(store)
    path = snapshot_path(store)
    path.write_bytes(path.read_bytes()[:300])
    assert _facts(ties(store)) == _facts(from_graph(project(store)))
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:x> a kg:Company ; rdfs:label 'Newco' } }")
    store.update(bump_version_update())
    assert "urn:x" in ties(store).nodes and path.stat().st_size > 300


def test_the_first_projection_writes_the_snapshot_without_a_networkx_graph(store, tmp_path):
    import subprocess
    import sys

    store.close()  # the child opens the store itself
    code = ("import sys; from kg.stores import open_store; from kg.snapshot import ties, snapshot_path\n"
            f"s = open_store({str(store.location)!r}, read_only=True)\n"
            "t = ties(s)\n"
            "assert snapshot_path(s).exists() and len(t.u) > 0\n"
            "assert 'networkx' not in sys.modules, 'networkx imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


def test_a_snapshot_of_an_older_format_is_rebuilt(store):
    import numpy as np

    from kg.snapshot import FORMAT

    entity_graph(store)
    path, key = snapshot_path(store), version(store)
    np.savez(path, meta=np.frombuffer(f"{FORMAT - 1}\n{key}".encode(), dtype=np.uint8))
    _same(entity_graph(store), project(store))
    assert bytes(np.load(path)["meta"]).decode() == f"{FORMAT}\n{key}"


def test_a_graph_written_and_read_back_is_the_same_graph(store, tmp_path):
    from kg.snapshot import read, write

    G = project(store)
    write(G, tmp_path / "g.npz", "k/1")
    _same(read(tmp_path / "g.npz", "k/1"), G)
    assert read(tmp_path / "g.npz", "k/2") is None
    G.add_edge(*list(G)[:2], key="not-a-deal-key", relation="metWith")
    with pytest.raises(ValueError, match="not its deal and relation"):
        write(G, tmp_path / "bad.npz", "k/1")
