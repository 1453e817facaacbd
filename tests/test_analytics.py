"""Centrality, communities and statistics: plain functions, and their CLI commands."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import cli_json, run_cli

from kg.analytics import EXACT_BETWEENNESS_LIMIT, analysis_graph, centrality, communities, degree_histogram, stats
from kg.errors import AnalysisError, KgError
from kg.ontology import ID

LEI, ELON, XIAOMI, TESLA, XPENG = (ID + "person/lei-jun", ID + "person/elon-musk", ID + "company/xiaomi",
                                   ID + "company/tesla", ID + "company/xpeng-motors")


def two_stars():
    """Two hubs with five spokes each, joined hub to hub by one symmetric meeting."""
    G = nx.MultiDiGraph()
    for hub in "AB":
        G.add_node(hub, label=hub, type="Person")
        for i in range(5):
            G.add_node(f"{hub}{i}", label=f"{hub}{i}", type="Company")
            G.add_edge(f"{hub}{i}", hub, key=f"d{hub}{i}|investedIn", relation="investedIn",
                       amount=1e6 * (10 if hub == "A" else 1), symmetric=False)
    G.add_edge("A", "B", key="m|metWith", relation="metWith", symmetric=True)
    G.add_edge("A", "B", key="m2|metWith", relation="metWith", symmetric=True)
    return G


def test_analysis_graph_collapses_parallel_edges():
    H = analysis_graph(two_stars(), weight="count")
    assert H.number_of_edges() == 11 and H["A"]["B"]["weight"] == 2.0
    D = analysis_graph(two_stars(), directed=True)
    assert D.has_edge("A", "B") and D.has_edge("B", "A")  # symmetric both ways
    assert D.has_edge("A0", "A") and not D.has_edge("A", "A0")


def test_betweenness_ranks_the_hubs_and_says_exact():
    r = centrality(two_stars(), "betweenness", top=3)
    assert r["exact"] is True and r["k"] is None
    assert [(row["iri"], row["rank"]) for row in r["rows"][:2]] == [("A", 1), ("B", 1)]
    assert r["rows"][2]["rank"] == 3 and r["rows"][2]["score"] == 0.0


def test_betweenness_samples_large_graphs_with_a_seed():
    G = nx.MultiDiGraph(nx.barabasi_albert_graph(EXACT_BETWEENNESS_LIMIT + 10, 1, seed=1))
    a = centrality(G, "betweenness", top=5)
    b = centrality(G, "betweenness", top=5)
    assert a["exact"] is False and a["k"] == 256 and a["seed"] == 42
    assert a["rows"] == b["rows"]
    small = centrality(two_stars(), "betweenness", k=4)
    assert small["exact"] is False and small["k"] == 4


def test_pagerank_follows_direction_and_degree_takes_weight():
    r = centrality(two_stars(), "pagerank")
    assert {row["iri"] for row in r["rows"][:2]} == {"A", "B"}
    assert r["rows"][2]["score"] < r["rows"][1]["score"] / 3  # spokes only give
    w = centrality(two_stars(), "degree", weight="amount")
    assert w["rows"][0]["iri"] == "A"  # A's investors put in ten times more
    assert w["rows"][0]["score"] > w["rows"][1]["score"]


def test_type_filter_ranks_within_the_type():
    rows = centrality(two_stars(), "degree", types=["Company"])["rows"]
    assert {row["type"] for row in rows} == {"Company"} and rows[0]["rank"] == 1


def test_every_measure_runs_and_bad_input_is_a_plain_error(monkeypatch):
    for measure in ("degree", "pagerank", "betweenness", "eigenvector", "closeness"):
        assert centrality(two_stars(), measure)["rows"]
    with pytest.raises(KgError, match="unknown measure"):
        centrality(two_stars(), "fame")

    def no_convergence(*args, **kwargs):
        raise nx.PowerIterationFailedConvergence(100)

    monkeypatch.setattr(nx, "eigenvector_centrality", no_convergence)
    with pytest.raises(AnalysisError, match="did not converge"):
        centrality(two_stars(), "eigenvector")


def test_communities_are_seeded_and_name_the_central_member():
    G = two_stars()
    G.add_node("alone", label="alone", type="Company")
    a, b = communities(G, seed=7), communities(G, seed=7)
    assert a == b
    assert a["count"] == 2 and a["isolated"] == 1
    assert {c["central"] for c in a["communities"]} == {"A", "B"}
    first = a["communities"][0]
    assert first["members"][0] == first["central"] and first["size"] == 6


def test_stats_counts_and_degrees():
    s = stats(two_stars())
    assert s["nodes"] == 12 and s["edges"] == 12 and s["pairs"] == 11
    assert s["by_type"] == {"Company": 10, "Person": 2}
    assert s["by_relation"] == {"investedIn": 10, "metWith": 2}
    assert s["components"] == 1 and s["degree"]["max"] == 6
    assert s["top_degree"][0]["degree"] == 6
    assert degree_histogram([0, 3, 11, 16, 40]) == [
        {"degree": "0", "count": 1}, {"degree": "3", "count": 1}, {"degree": "8-15", "count": 1},
        {"degree": "16-31", "count": 1}, {"degree": "32-63", "count": 1},
    ]


def _installed_backend():
    from networkx.utils.backends import backends

    for name in ("parallel", "cugraph"):
        if name in backends:
            return name
    return None


@pytest.mark.skipif(_installed_backend() is None, reason="no NetworkX backend (nx-parallel, nx-cugraph) installed")
def test_dispatched_call_gives_the_same_answer():
    backend = _installed_backend()
    G = nx.MultiDiGraph(nx.barabasi_albert_graph(400, 2, seed=3))
    plain = centrality(G, "betweenness", top=10)
    dispatched = centrality(G, "betweenness", top=10, backend=backend)
    assert [r["iri"] for r in dispatched["rows"][:3]] == [r["iri"] for r in plain["rows"][:3]]
    for a, b in zip(plain["rows"], dispatched["rows"], strict=False):
        assert a["score"] == pytest.approx(b["score"], rel=1e-4, abs=1e-6)


# -- the article's graph, through the CLI --


def test_betweenness_on_the_article(runner, article_store):
    out = cli_json(runner, "centrality", "--measure", "betweenness", store=article_store)
    assert out["exact"] is True
    ranks = {r["iri"]: r["rank"] for r in out["rows"]}
    assert out["rows"][0]["iri"] == LEI and ranks[LEI] == 1  # the broker between Tesla's and Xiaomi's sides
    assert ranks[ELON] == ranks[XIAOMI] == 2
    assert all(r["type"] != "Concept" for r in out["rows"])
    table = run_cli(runner, "centrality", "--measure", "betweenness", store=article_store).stdout
    assert table.startswith("betweenness centrality (exact;")


def test_centrality_type_filter_and_sampling_flag(runner, article_store):
    out = cli_json(runner, "centrality", "--measure", "pagerank", "--type", "Person", store=article_store)
    assert {r["type"] for r in out["rows"]} == {"Person"}
    sampled = cli_json(runner, "centrality", "--measure", "betweenness", "-k", "3", store=article_store)
    assert sampled["exact"] is False and sampled["k"] == 3


def test_communities_on_the_article(runner, article_store):
    out = cli_json(runner, "communities", store=article_store)
    groups = [set(c["members"]) for c in out["communities"]]
    # Lei Jun sits on a tie (both splits have modularity 0.21875); the pairs do not.
    assert any({XIAOMI, XPENG} <= g for g in groups) and any({ELON, TESLA} <= g for g in groups)
    assert out["modularity"] == 0.21875
    csv = run_cli(runner, "communities", "--format", "csv", store=article_store).stdout
    assert csv.splitlines()[0] == "community,size,central,members"


def test_stats_on_the_article(runner, article_store):
    out = cli_json(runner, "stats", store=article_store)
    assert out["by_relation"]["investedIn"] == 1 and out["by_relation"]["metWith"] == 1
    assert out["by_type"]["Person"] == 2
    assert "declined" not in out["by_status"]
    declined = cli_json(runner, "stats", "--include-declined", store=article_store)
    assert declined["by_status"]["declined"] >= 1


def _random_view(seed: int, n: int = 400, m: int = 1200):
    import random

    import networkx as nx

    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    for _ in range(m):
        u, v = rng.randrange(n), rng.randrange(n)
        if u != v:
            G.add_edge(f"n{u}", f"n{v}", relation="investedIn", amount=float(rng.randrange(1, 10**6)))
    for x in G:
        G.nodes[x].update(label=x, type="Company")
    return G


@pytest.mark.parametrize("weight", [None, "amount"])
def test_igraph_measures_match_networkx(weight):
    """PageRank and betweenness (exact and sampled) run on igraph with NetworkX's answers; Leiden's
    communities are at least as good as NetworkX's Louvain (modularity)."""
    from kg.analytics import centrality, communities

    G = _random_view(7)
    for measure, k, tol in (("pagerank", None, 1e-5), ("betweenness", None, 1e-9), ("betweenness", 64, 0.02)):
        fast = {r["iri"]: r["score"] for r in centrality(G, measure, weight=weight, k=k)["rows"]}
        ref = {r["iri"]: r["score"] for r in centrality(G, measure, weight=weight, k=k, backend="networkx")["rows"]}
        assert fast.keys() == ref.keys()
        assert max(abs(fast[x] - ref[x]) for x in ref) <= tol, (measure, k)
    fast, ref = communities(G, weight=weight), communities(G, weight=weight, backend="networkx")
    assert fast["algorithm"] == "leiden" and ref["algorithm"] == "louvain"
    assert fast["modularity"] > ref["modularity"] - 0.005
    assert communities(G, weight=weight) == fast  # the same seed gives the same communities


def test_views_colour_the_communities_kg_communities_lists():
    """One community function (Leiden in kg.analytics.partition) for the CLI and the graph pages."""
    from kg.analytics import communities
    from kg.layout import detect_communities

    G = _random_view(3)
    listed = {frozenset(c["members"]) for c in communities(G)["communities"]}
    ranks = detect_communities(G)
    drawn: dict[int, set] = {}
    for node, rank in ranks.items():
        drawn.setdefault(rank, set()).add(node)
    assert listed == {frozenset(m) for m in drawn.values() if len(m) > 1 or G.degree(next(iter(m)))}
