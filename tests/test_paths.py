"""Explained paths and ego networks, through the library and the CLI."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import cli_json, run_cli

from kg.errors import KgError, NoPathError
from kg.ontology import ID
from kg.paths import edge_strength, find_paths, neighborhood

LEI, ELON, TESLA = ID + "person/lei-jun", ID + "person/elon-musk", ID + "company/tesla"
XIAOMI, XPENG, APPLE = ID + "company/xiaomi", ID + "company/xpeng-motors", ID + "company/apple"
CAR_MAKER = ID + "concept/car-manufacturer"


def toy():
    """a →investedIn b, c –metWith– b (symmetric, stored c < b? no: b < c), d →ceoOf c, and a rumour a → d."""
    G = nx.MultiDiGraph()
    for n in "abcdez":
        G.add_node(n, label=n.upper(), type="Company")
    G.add_edge("a", "b", key="d1|investedIn", relation="investedIn", status="completed", confidence=1.0, date="2019")
    G.add_edge("b", "c", key="d2|metWith", relation="metWith", status="reported", symmetric=True, date="2013")
    G.add_edge("d", "c", key="d3|ceoOf", relation="ceoOf", status="reported")
    G.add_edge("a", "e", key="d4|investedIn", relation="investedIn", status="rumored")
    G.add_edge("e", "c", key="d5|acquired", relation="acquired", status="rumored")
    return G


def test_shortest_paths_are_ranked_by_evidence():
    paths = find_paths(toy(), "a", "c")
    assert [p["labels"] for p in paths] == [["A", "B", "C"], ["A", "E", "C"]]
    assert paths[0]["score"] > paths[1]["score"]
    assert [h["statement"] for h in paths[0]["hops"]] == ["A investedIn B", "B metWith C"]


def test_backward_hops_state_the_true_direction():
    [p] = find_paths(toy(), "c", "d")
    [hop] = p["hops"]
    assert hop["direction"] == "backward"
    assert hop["statement"] == "D ceoOf C"


def test_directed_travel_follows_relations_but_crosses_symmetric_ones():
    G = toy()
    with pytest.raises(NoPathError):
        find_paths(G, "c", "d", directed=True)
    [p] = find_paths(G, "c", "b", directed=True)  # metWith is stored b→c
    assert p["hops"][0]["direction"] == "forward"


def test_all_paths_lists_longer_ones_and_respects_max_hops():
    G = toy()
    paths = find_paths(G, "a", "d", all_paths=True, max_hops=3)
    assert [p["labels"] for p in paths] == [["A", "B", "C", "D"], ["A", "E", "C", "D"]]
    with pytest.raises(NoPathError, match="no path within 2 hops"):
        find_paths(G, "a", "d", max_hops=2)


def test_via_limits_the_relations():
    paths = find_paths(toy(), "a", "c", via=["investedIn", "acquired"])
    assert [p["labels"] for p in paths] == [["A", "E", "C"]]


def test_isolated_and_unknown_nodes():
    G = toy()
    with pytest.raises(NoPathError):
        find_paths(G, "a", "z")
    with pytest.raises(KgError, match="not in the graph"):
        find_paths(G, "a", "nowhere")


def test_shortest_matches_networkx_on_a_random_graph():
    R = nx.gnm_random_graph(300, 450, seed=1, directed=True)
    G = nx.MultiDiGraph()
    G.add_edges_from((u, v, {"relation": "investedIn"}) for u, v in R.edges)
    U = R.to_undirected()
    for s, t in [(0, 7), (3, 250), (10, 11), (42, 199)]:
        expected = sorted(map(tuple, nx.all_shortest_paths(U, s, t)))
        got = sorted(tuple(p["nodes"]) for p in find_paths(G, s, t, max_hops=10, limit=10_000))
        assert got == expected


def test_edge_strength_orders_statuses():
    assert edge_strength({"status": "completed"}) > edge_strength({"status": "reported"}) > \
        edge_strength({"status": "rumored"}) > edge_strength({"status": "declined"})


def test_neighborhood_rows():
    rows = neighborhood(toy(), "c", 1)
    assert [(r["label"], r["statement"], r["direction"]) for r in rows] == [
        ("B", "C metWith B", "forward"), ("D", "D ceoOf C", "backward"), ("E", "E acquired C", "backward"),
    ]
    assert {r["label"] for r in neighborhood(toy(), "c", 2) if r["depth"] == 2} == {"A"}


# -- the article's graph, through the CLI --


def test_lei_jun_to_tesla_goes_through_the_2013_meeting(runner, cli_store):
    out = cli_json(runner, "path", "Lei Jun", "Tesla", store=cli_store)
    best = out["paths"][0]
    assert best["nodes"] == [LEI, ELON, TESLA]
    meet, ceo = best["hops"]
    assert (meet["relation"], meet["date"], meet["direction"]) == ("metWith", "2013", "forward")
    assert meet["statement"] == "Lei Jun metWith Elon Musk"
    assert "2013" in meet["quote"] and meet["source"] == ID + "source/xiaomi-electric-car"
    assert ceo["statement"] == "Elon Musk ceoOf Tesla"


def test_alias_and_case_resolve(runner, cli_store):
    out = cli_json(runner, "path", "lee jun", "TESLA", store=cli_store)
    assert out["source"] == LEI and out["paths"][0]["nodes"][1] == ELON


def test_apple_to_xpeng_is_explained_by_the_partner_search(runner, cli_store):
    out = cli_json(runner, "path", "Apple", "Xpeng", store=cli_store)
    [best] = out["paths"]
    assert best["nodes"] == [APPLE, CAR_MAKER, XPENG]
    seek, industry = best["hops"]
    assert (seek["relation"], seek["status"], seek["direction"]) == ("seeksPartner", "rumored", "forward")
    assert (industry["statement"], industry["direction"]) == ("Xpeng Motors industry car manufacturer", "backward")
    every = cli_json(runner, "path", "Apple", "Xpeng", "--all", store=cli_store)["paths"]
    via_xiaomi = [p for p in every if XIAOMI in p["nodes"]]
    assert via_xiaomi and via_xiaomi[0]["hops"][-1]["statement"] == "Xiaomi investedIn Xpeng Motors"
    assert [p["length"] for p in every] == sorted(p["length"] for p in every)


def test_path_table_and_csv(runner, article_store):
    table = run_cli(runner, "path", "Lei Jun", "Tesla", store=article_store).stdout
    assert "path 1: Lei Jun → Elon Musk → Tesla" in table and "metWith" in table
    csv = run_cli(runner, "path", "Lei Jun", "Tesla", "--format", "csv", store=article_store).stdout
    assert csv.splitlines()[1].startswith("1,1,Lei Jun metWith Elon Musk,forward,2013,completed")


def test_no_path_is_a_plain_message_with_exit_code_1(runner, article_store):
    result = run_cli(runner, "path", "Apple", "Statista", store=article_store, ok=False)
    assert result.exit_code == 1
    assert "no path within 4 hops" in result.stderr and "Traceback" not in result.output
    result = run_cli(runner, "path", "Lei Jun", "Tesla", "--via", "investedIn", store=article_store, ok=False)
    assert result.exit_code == 1 and "no path within 4 hops" in result.stderr


def test_unknown_entity_suggests_near_matches(runner, article_store):
    result = run_cli(runner, "path", "Aple", "Tesla", store=article_store, ok=False)
    assert result.exit_code == 1 and "did you mean" in result.stderr and "Apple" in result.stderr


def test_via_and_exclude_status(runner, article_store):
    out = cli_json(runner, "path", "Lei Jun", "Tesla", "--via", "metWith,ceoOf", store=article_store)
    assert [p["nodes"] for p in out["paths"]] == [[LEI, ELON, TESLA]]
    result = run_cli(runner, "path", "Apple", "Xpeng", "--exclude-status", "rumored", store=article_store, ok=False)
    assert result.exit_code == 1  # Apple's only tie is the rumoured partner search


def test_neighbors_cli(runner, article_store):
    rows = cli_json(runner, "neighbors", "Xiaomi", store=article_store)
    by_label = {r["label"]: r for r in rows}
    assert by_label["Xpeng Motors"]["statement"] == "Xiaomi investedIn Xpeng Motors"
    assert by_label["Lei Jun"]["direction"] == "backward" and by_label["Lei Jun"]["depth"] == 1
    deeper = cli_json(runner, "neighbors", "Xiaomi", "--depth", "2", store=article_store)
    assert {"Elon Musk", "Apple"} <= {r["label"] for r in deeper if r["depth"] == 2}


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory):
    """An on-disk store of 1000 seeded synthetic deals, with its derived graph."""
    import importlib.util
    from pathlib import Path

    import pyoxigraph as ox

    from kg.rules import derive
    from kg.stores import open_store

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("synthetic", root / "scripts" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tmp = tmp_path_factory.mktemp("paths")
    module.write_synthetic(tmp / "s.nq", deals=1000, seed=11)
    location = str(tmp / "store")
    with open_store(location, read_only=False) as store:
        store.raw.bulk_load(path=str(tmp / "s.nq"), format=ox.RdfFormat.N_QUADS)
        derive(store)
    with open_store(location, read_only=True) as store:
        yield store


def _random_pairs(G, n, seed):
    import random

    rng = random.Random(seed)
    nodes = sorted(x for x, d in G.degree() if d > 0)
    return [tuple(rng.sample(nodes, 2)) for _ in range(n)]


FILTERS = [
    {},
    pytest.param({"via": ["investedIn", "partnerOf", "industry"]}, marks=pytest.mark.slow),
    {"exclude_status": ["rumored", "reported"]},
    pytest.param({"since": 2015, "until": 2020}, marks=pytest.mark.slow),
    pytest.param({"include_declined": True}, marks=pytest.mark.slow),
]


@pytest.mark.parametrize("filters", FILTERS, ids=["none", "via", "status", "window", "declined"])
@pytest.mark.parametrize("directed", [False, True])
def test_store_search_finds_what_the_projection_finds(synthetic_store, filters, directed):
    from kg.explore import path
    from kg.network import entity_graph

    G = entity_graph(synthetic_store, relations=filters.get("via"),
                     **{k: v for k, v in filters.items() if k != "via"})
    for a, b in _random_pairs(G, 8, seed=len(filters) + directed):
        try:
            want = find_paths(G, a, b, max_hops=4, directed=directed, via=filters.get("via"))
        except NoPathError:
            with pytest.raises(NoPathError):
                path(synthetic_store, a, b, directed=directed, **filters)
            continue
        got = path(synthetic_store, a, b, directed=directed, **filters)["paths"]
        assert [p["nodes"] for p in got] == [p["nodes"] for p in want]
        assert [p["hops"] for p in got] == [p["hops"] for p in want]
        assert [p["score"] for p in got] == [p["score"] for p in want]


@pytest.mark.parametrize("depth", [1, 2])
def test_store_neighbors_match_the_projection(synthetic_store, depth):
    from kg.explore import neighbors
    from kg.network import entity_graph

    G = entity_graph(synthetic_store)
    for a, _ in _random_pairs(G, 5, seed=depth):
        want = neighborhood(G, a, depth)
        got = neighbors(synthetic_store, a, depth=depth)
        assert got == want


def test_the_first_page_of_neighbors_holds_the_nearest_levels_and_rows_of_every_row(synthetic_store):
    from kg.explore import neighbors
    from kg.network import entity_graph

    G = entity_graph(synthetic_store)
    cut = 0
    for a, _ in _random_pairs(G, 8, seed=3):
        every = neighbors(synthetic_store, a, depth=2)
        for limit in (3, 7, 40):
            page = neighbors(synthetic_store, a, depth=2, limit=limit)
            assert len(page) == min(limit, len(every))
            # The same rows (parents, explanations) as the whole answer, in its order.
            assert [r for r in every if r in page] == page
            # Whole levels first: a row of a deeper level comes only once every nearer row is on the page.
            deepest = max(r["depth"] for r in page)
            assert all(r in page for r in every if r["depth"] < deepest)
            cut += len(page) < len(every)
    assert cut  # some pages cut a level


def test_first_of_level_pages_the_next_level_in_the_store_order_with_the_first_parent():
    from kg.paths import first_of_level
    from kg.stores import open_store

    store = open_store("memory:")
    store.update("""INSERT DATA { GRAPH graph:derived {
        company:a kg:investedIn company:x1 . company:x2 kg:investedIn company:a . company:a kg:partnerOf company:c3 .
        company:b kg:investedIn company:x1 . company:b kg:investedIn company:a . company:b kg:investedIn company:y }
      GRAPH <urn:s> { company:x1 rdfs:label "Zed" . company:x2 rdfs:label "beta", "Alpha" } }""")
    c = "https://kg.example.org/id/company/"
    names = ["investedIn", "partnerOf"]
    seen = {c + "r", c + "a", c + "b"}
    # The whole level, as a breadth-first step gives it: by parent, links the way they hold first, then by IRI.
    assert first_of_level(store, [c + "a", c + "b"], seen, names, 10) == [
        (c + "a", c + "c3"), (c + "a", c + "x1"), (c + "a", c + "x2"), (c + "b", c + "y")]
    # A node's parent is the first node of the front it is reached from.
    assert (c + "b", c + "x1") in first_of_level(store, [c + "b", c + "a"], seen, names, 10)
    page = first_of_level(store, [c + "a", c + "b"], seen, names, 2)
    assert len(page) == 2 and set(page) < set(first_of_level(store, [c + "a", c + "b"], seen, names, 10))
    assert page == first_of_level(store, [c + "a", c + "b"], seen, names, 2)
    assert first_of_level(store, [c + "a"], seen, ["metWith"], 3) == []


@pytest.mark.parametrize("depth", [1, 2])
def test_store_ego_view_matches_the_projection(synthetic_store, depth):
    import networkx as nx

    from kg.explore import ego_nodes, induced_view
    from kg.network import entity_graph

    G = entity_graph(synthetic_store)
    for filters in ({}, {"exclude_status": ["rumored"]}):
        F = entity_graph(synthetic_store, **filters)
        for a, _ in _random_pairs(G, 4, seed=depth):
            if a not in F:
                continue
            want = nx.ego_graph(F, a, radius=depth, undirected=True)
            got = induced_view(synthetic_store, ego_nodes(synthetic_store, a, depth, **filters), **filters)
            assert dict(got.nodes(data=True)) == dict(want.nodes(data=True))
            assert sorted(map(repr, got.edges(keys=True, data=True))) == sorted(map(repr, want.edges(keys=True, data=True)))
