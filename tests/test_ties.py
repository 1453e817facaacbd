"""The compact entity view: collapsing parallel facts, filters, node order."""

from __future__ import annotations

import networkx as nx

from kg.ties import collapse, degrees, from_graph, reorder, subset


def _view():
    G = nx.MultiDiGraph()
    for n, typ in (("p", "Person"), ("a", "Company"), ("b", "Company"), ("x", "Concept")):
        G.add_node(n, label=n.upper(), type=typ)
    G.add_edge("a", "b", key="d1", relation="investedIn", amount=5.0, status="completed")
    G.add_edge("b", "a", key="d2", relation="investedIn", amount=2.0)
    G.add_edge("p", "a", key="d3", relation="metWith", symmetric=True)
    G.add_edge("a", "a", key="d4", relation="partnerOf", symmetric=True)
    G.add_edge("a", "x", key="d5", relation="partnerOf")
    return G


def test_collapse_sums_amounts_counts_facts_and_drops_loops():
    t = from_graph(_view())
    a, b, amount, count = collapse(t)
    ties = {(t.nodes[i], t.nodes[j]): (x, int(c)) for i, j, x, c in zip(a, b, amount, count, strict=True)}
    assert ties == {("p", "a"): (0.0, 1), ("a", "b"): (7.0, 2), ("a", "x"): (0.0, 1)}
    a, b, _, count = collapse(t, directed=True)
    arcs = {(t.nodes[i], t.nodes[j]) for i, j in zip(a, b, strict=True)}
    assert arcs == {("a", "b"), ("b", "a"), ("p", "a"), ("a", "p"), ("a", "x")}  # the meeting both ways
    assert degrees(len(t.nodes), *collapse(t)[:2]).tolist() == [1, 3, 1, 1]


def test_subset_keeps_the_views_filters():
    t = from_graph(_view())
    met = subset(t, relations=["metWith"])
    assert met.nodes == ["a", "p"] and len(met.u) == 1  # only the edges' ends, ordered by id
    orgs = subset(t, types={"Company"})
    assert orgs.nodes == ["a", "b"] and sorted(orgs.words[r] for r in orgs.relation) == ["investedIn"] * 2 + ["partnerOf"]
    assert subset(t, relations=["ceoOf"]).nodes == []


def test_reorder_moves_the_edges_with_the_nodes():
    t = from_graph(_view())
    r = reorder(t, [3, 2, 1, 0])
    assert r.nodes == ["x", "b", "a", "p"] and r.labels == ["X", "B", "A", "P"]
    assert {(r.nodes[u], r.nodes[v]) for u, v in zip(r.u, r.v, strict=True)} == {(t.nodes[u], t.nodes[v]) for u, v in zip(t.u, t.v, strict=True)}
