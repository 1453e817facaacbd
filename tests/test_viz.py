"""kg.drawing: self-contained pages, escaping, determinism, large graphs, views and ``kg viz``."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import networkx as nx
import pytest

from kg import drawing as viz
from kg.errors import VizError

ROOT = Path(__file__).resolve().parents[1]
ID = "https://kg.example.org/id/"
XSS = "<img src=x onerror=alert(1)>"


def page_data(page: str) -> dict:
    """The page's data, with the edges' facts (blocks of their own) put back in ``edges``."""
    block = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1)
    chunks = re.findall(r'<script type="application/json" class="kg-facts">(.*?)</script>', page, re.S)
    for text in [block, *chunks]:
        assert "<" not in text and ">" not in text
    data = json.loads(block)
    data["edges"]["facts"] = [f for chunk in chunks for f in json.loads(chunk)]
    assert all(len(json.loads(c)) == data["factsChunk"] for c in chunks[:-1])
    return data


def edge_rows(data: dict) -> list[dict]:
    """The page's edge columns as one dict per edge, with node ids and facts resolved."""
    E, ids = data["edges"], [n["id"] for n in data["nodes"]]
    rows = []
    for i in range(len(E["from"])):
        rel = data["relations"][E["rel"][i]]
        facts = {data["factKeys"][j]: data["strings"][v] if isinstance(v, int) else v
                 for j, v in enumerate(E["facts"][i]) if v is not None}
        rows.append({"from": ids[E["from"][i]], "to": ids[E["to"][i]], "relation": rel["name"],
                     "symmetric": rel["symmetric"], "status": data["statuses"][E["status"][i]] if E["status"][i] >= 0 else None,
                     "facts": facts, "hl": i in E["hl"], "curve": E["curves"].get(str(i))})
    return rows


@pytest.fixture
def small():
    """A hand-made entity view with parallel edges, a symmetric edge, a rumour and non-Latin names."""
    G = nx.MultiDiGraph()
    G.add_node(ID + "company/xiaomi", label="Xiaomi", type="Company", aliases=["小米"])
    G.add_node(ID + "person/lei-jun", label="Lei Jun", type="Person", aliases=["Lee Jun", "雷军"])
    G.add_node(ID + "person/elon-musk", label="Elon Musk", type="Person", aliases=[])
    G.add_node(ID + "company/tesla", label="Tesla", type="Company", aliases=[])
    G.add_node(ID + "company/evil", label=XSS, type="Company", aliases=["</script><script>alert(2)</script>"])
    G.add_edge(ID + "person/lei-jun", ID + "company/xiaomi", key="p1|ceoOf", relation="ceoOf", deal="p1",
               deal_type="Position", status="reported", quote="Lee Jun, CEO, and founder of Xiaomi")
    G.add_edge(ID + "person/lei-jun", ID + "company/xiaomi", key="p2|founderOf", relation="founderOf", deal="p2",
               status="reported")
    G.add_edge(ID + "person/elon-musk", ID + "person/lei-jun", key="m|metWith", relation="metWith", deal="m",
               date="2013", status="completed", symmetric=True, quote="John's meeting with Musk took place in 2013.",
               source="https://kg.example.org/id/source/a", source_label="Article")
    G.add_edge(ID + "person/elon-musk", ID + "company/tesla", key="c|ceoOf", relation="ceoOf", status="reported")
    G.add_edge(ID + "company/xiaomi", ID + "company/evil", key="i|investedIn", relation="investedIn",
               status="rumored", amount=400000000.0, currency="USD", approximate=True, quote=XSS)
    return G


def test_page_is_self_contained_and_offline(small):
    page = viz.render_html(small, title="demo")
    assert page.startswith("<!DOCTYPE html>")
    assert "vis-network" in page and "new vis.Network" in page
    # No external resources of any kind: no src/href to a URL, no <link>.
    assert not re.search(r'<[^>]+(src|href)\s*=\s*["\']?(https?:)?//', page)
    assert "<link" not in page and "bootstrap" not in page.lower()
    assert "default-src 'none'" in page
    # Every script of the page is allowed by its hash, and nothing else is.
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 3 and page.count("'sha256-") == 3


def test_data_is_escaped_and_labels_survive(small):
    page = viz.render_html(small, title=XSS)
    # The title is HTML-escaped; the data block never contains a raw "<".
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in page
    assert XSS not in page
    data = page_data(page)
    labels = {n["label"] for n in data["nodes"]}
    assert XSS in labels and "Xiaomi" in labels
    xiaomi = next(n for n in data["nodes"] if n["label"] == "Xiaomi")
    assert xiaomi["aliases"] == ["小米"] and xiaomi["type"] == "Company"


def test_edges_labelled_directed_and_parallel_edges_distinct(small):
    data = page_data(viz.render_html(small))
    edges = edge_rows(data)
    assert len(edges) == 5
    met = next(e for e in edges if e["relation"] == "metWith")
    assert met["symmetric"] is True  # drawn without an arrow
    ceo = [e for e in edges if e["from"].endswith("lei-jun") and e["to"].endswith("xiaomi")]
    assert len(ceo) == 2 and {e["relation"] for e in ceo} == {"ceoOf", "founderOf"}
    assert not any(e["symmetric"] for e in ceo)
    curves = {json.dumps(e["curve"], sort_keys=True) for e in ceo}
    assert len(curves) == 2  # two different curves
    inv = next(e for e in edges if e["relation"] == "investedIn")
    assert inv["facts"]["amount"] == "≈ 400,000,000 USD" and inv["status"] == "rumored" and inv["facts"]["quote"] == XSS
    assert met["facts"]["source"] == "Article (https://kg.example.org/id/source/a)"
    assert met["facts"]["date"] == "2013" and data["edges"]["year"][edges.index(met)] == 2013
    assert data["statuses"] == ["completed", "reported", "rumored"]
    assert [r["name"] for r in data["relations"]] == ["ceoOf", "founderOf", "investedIn", "metWith"]


def test_legend_and_sizes(small):
    data = page_data(viz.render_html(small, size_by="degree"))
    legend = {row["type"]: row for row in data["legend"]}
    assert legend["Company"]["count"] == 3 and legend["Person"]["count"] == 2
    assert legend["Company"]["shape"] != legend["Person"]["shape"]
    sizes = {n["label"]: n["size"] for n in data["nodes"]}
    assert sizes["Lei Jun"] > sizes["Tesla"]
    flat = page_data(viz.render_html(small, size_by="none"))
    assert len({n["size"] for n in flat["nodes"]}) == 1
    with pytest.raises(VizError, match="unknown size measure"):
        viz.render_html(small, size_by="fame")


def test_output_is_deterministic(small):
    edges = list(small.edges(keys=True, data=True))
    random.Random(3).shuffle(edges)
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(sorted(small.nodes(data=True), reverse=True))
    shuffled.add_edges_from(edges)
    assert viz.render_html(small, title="t") == viz.render_html(shuffled, title="t")


def test_highlight_path_dict(small):
    path = {"nodes": [ID + "person/lei-jun", ID + "person/elon-musk", ID + "company/tesla"],
            "hops": [{"from": ID + "person/lei-jun", "to": ID + "person/elon-musk", "deal": "m", "relation": "metWith"},
                     {"from": ID + "person/elon-musk", "to": ID + "company/tesla", "deal": None, "relation": "ceoOf"}]}
    data = page_data(viz.render_html(small, highlight=path, focus=ID + "person/lei-jun"))
    assert data["highlight"] is True and data["focus"] == ID + "person/lei-jun"
    assert {n["label"] for n in data["nodes"] if n.get("hl")} == {"Lei Jun", "Elon Musk", "Tesla"}
    assert sorted(e["relation"] for e in edge_rows(data) if e["hl"]) == ["ceoOf", "metWith"]
    with pytest.raises(VizError, match="not in the graph"):
        viz.render_html(small, focus="urn:nowhere")


def test_large_graph_gets_a_map_renderer_and_python_layout(monkeypatch):
    from kg.drawing import page

    G = nx.MultiDiGraph(nx.path_graph(30))
    G.add_edge(100, 101)  # a second component
    monkeypatch.setattr(page, "MAP_THRESHOLD", 10)
    data = page_data(viz.render_html(G))
    assert data["renderer"] == "canvas" and data["physics"] is False
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    text = viz.render_html(G)
    # The canvas map needs no library: its renderer, the controls and nothing else.
    assert "kgRenderers.canvas = " in text and "new Sigma(" not in text and "new vis.Network" not in text
    assert len(re.findall(r"<script>", text)) == 2
    # Above WEBGL_EDGES edges, the same map on WebGL.
    monkeypatch.setattr(page, "WEBGL_EDGES", 20)
    assert page_data(viz.render_html(G))["renderer"] == "sigma" and "new Sigma(" in viz.render_html(G)
    # The first view frames the largest component: the path, not the pair beside it.
    xs = {n["id"]: n["x"] for n in data["nodes"]}
    assert data["box"][0] == min(xs[str(i)] for i in range(30)) and data["box"][2] == max(xs[str(i)] for i in range(30))
    ys = {n["id"]: n["y"] for n in data["nodes"]}
    assert xs["100"] > data["box"][2] or ys["100"] > data["box"][3]  # packed beside, outside the first view
    assert len(data["labels"]) == 20
    small = page_data(viz.render_html(nx.MultiDiGraph(nx.path_graph(5))))
    assert small["renderer"] == "vis" and small["physics"] is True and "x" not in small["nodes"][0]
    with pytest.raises(VizError, match="unknown renderer"):
        viz.render_html(G, renderer="canvas3d")


def test_communities_colour_the_nodes():
    G = nx.MultiDiGraph()
    for a in range(2):  # two cliques tied by one edge
        G.add_edges_from((f"{a}-{i}", f"{a}-{j}") for i in range(5) for j in range(i + 1, 5))
    G.add_edge("0-0", "1-0")
    data = page_data(viz.render_html(G))
    by = {n["id"]: n["c"] for n in data["nodes"]}
    assert len({by[f"0-{i}"] for i in range(5)}) == 1 and len({by[f"1-{i}"] for i in range(5)}) == 1
    assert by["0-1"] != by["1-1"] and [c["size"] for c in data["communities"]] == [5, 5]
    assert data["communities"][0]["color"] != data["communities"][1]["color"]


def _cliques(count: int, size: int, seed: int = 5):
    """``count`` cliques of ``size`` in a ring, each tied to the next by two edges."""
    G = nx.Graph()
    for a in range(count):
        G.add_edges_from(((a, i), (a, j)) for i in range(size) for j in range(i + 1, size))
        G.add_edges_from([((a, 0), ((a + 1) % count, 1)), ((a, 2), ((a + 1) % count, 3))])
    return G


def test_tied_communities_get_different_colours():
    from kg.drawing.page import COMMUNITY_COLORS, palette_slots
    from kg.layout import detect_communities

    G = _cliques(40, 8)
    community = detect_communities(G)
    slots = palette_slots(G, community)
    assert len(slots) > len(COMMUNITY_COLORS) and slots[:len(COMMUNITY_COLORS)] == list(range(len(COMMUNITY_COLORS)))
    for u, v in G.edges():
        a, b = community[u], community[v]
        if a != b:
            assert slots[a] != slots[b], (u, v)
    data = page_data(viz.render_html(nx.MultiDiGraph(G), renderer="sigma"))
    assert data["slots"] == slots


def test_a_large_component_is_a_map_of_community_regions(monkeypatch):
    """Above SEEDED_LAYOUT_MAX nodes each community is laid out alone and placed as a region,
    so regions of different colours do not mix."""
    import math

    from kg import layout

    monkeypatch.setattr(layout, "SEEDED_LAYOUT_MAX", 50)
    G = _cliques(12, 30)
    community = layout.detect_communities(G)
    assert len(set(community.values())) == 12
    pos = layout.map_layout(G, communities=community)
    assert pos == layout.map_layout(G, communities=community)
    centre, radius = {}, {}
    for c in set(community.values()):
        pts = [pos[v] for v in G if community[v] == c]
        centre[c] = (sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts))
        radius[c] = max(math.dist(centre[c], p) for p in pts)
    for c in centre:  # every node is nearer its own community's centre than any other's
        for v in (v for v in G if community[v] == c):
            assert min(centre, key=lambda o: math.dist(centre[o], pos[v])) == c


def test_facts_come_in_blocks_parsed_when_shown(monkeypatch, small):
    from kg.drawing import page

    whole = page_data(viz.render_html(small))
    monkeypatch.setattr(page, "FACTS_CHUNK", 2)
    text = viz.render_html(small)
    m = small.number_of_edges()
    assert text.count('class="kg-facts"') == (m + 1) // 2
    block = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', text, re.S).group(1)
    assert "facts" not in json.loads(block)["edges"]
    # After the scripts: the page draws before the browser reads them.
    assert text.index('class="kg-facts"') > text.rindex("<script>")
    assert page_data(text)["edges"]["facts"] == whole["edges"]["facts"]


def test_hard_cap(monkeypatch, small):
    from kg.drawing import page

    monkeypatch.setattr(page, "NODE_CAP", 3)
    with pytest.raises(VizError, match="--focus ENTITY --depth N"):
        viz.render_html(small)
    assert page.EDGE_CAP >= 500_000


def test_libraries_are_vendored_with_their_licences():
    lib = ROOT / "kg" / "templates" / "lib"
    assert viz.vis_network_js().lstrip().startswith("/**") and "@version 9.1.2" in viz.vis_network_js()[:400]
    for folder, licence in (("vis-network", "LICENSE-MIT"), ("sigma", "LICENSE.txt"), ("graphology", "LICENSE.txt")):
        assert "Permission is hereby granted" in (lib / folder / licence).read_text(encoding="utf-8")
    versions = (lib / "README.md").read_text(encoding="utf-8")
    assert "| 9.1.2 |" in versions and "| 3.0.3 |" in versions and "| 0.26.0 |" in versions
    page = viz.render_html(nx.MultiDiGraph([("a", "b")]), renderer="sigma")
    assert "sourceMappingURL" not in page and "graphology" in page


def test_as_of_drops_later_facts(small):
    data = page_data(viz.render_html(viz.as_of_view(small, "2012")))
    assert "metWith" not in {e["relation"] for e in edge_rows(data)}  # dated 2013
    assert len(edge_rows(data)) == 4 and data["title"].endswith("as of 2012")
    with pytest.raises(VizError, match="not a date"):
        viz.as_of_view(small, "yesterday")


def test_json_for_script_escapes_everything_dangerous():
    text = viz.json_for_script({"a": "</script><!-- & \u2028"})
    assert not set("<>&\u2028") & set(text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


# -- views of the article's store -------------------------------------------


@pytest.fixture(scope="module")
def store(article_store):
    from kg.stores import open_store

    with open_store(article_store, read_only=True) as s:
        yield s


def test_whole_view(store):
    G = viz.whole_view(store)
    labels = {a["label"] for _n, a in G.nodes(data=True)}
    assert {"Xiaomi", "Lei Jun", "Tesla", "Elon Musk", "Xpeng Motors"} <= labels
    assert any(d["relation"] == "investedIn" for _u, _v, d in G.edges(data=True))


def test_focus_view(store):
    G = viz.focus_view(store, "小米", 2)
    assert G.graph["focus"] == ID + "company/xiaomi"
    assert {ID + "person/lei-jun", ID + "company/xpeng-motors", ID + "person/elon-musk"} <= set(G)
    assert ID + "company/volkswagen" not in set(viz.focus_view(store, "Xiaomi", 1))


def test_path_view(store):
    G = viz.path_view(store, "Lee Jun", "Tesla")
    hl = G.graph["highlight"]
    assert hl["nodes"] == [ID + "person/lei-jun", ID + "person/elon-musk", ID + "company/tesla"]
    data = page_data(viz.render_html(G))
    assert {n["label"] for n in data["nodes"] if n.get("hl")} == {"Lei Jun", "Elon Musk", "Tesla"}
    assert ID + "company/xiaomi" in G  # the neighbourhood around the path


def test_sparql_view_construct_and_select(store):
    G = viz.sparql_view(store, "CONSTRUCT { ?a kg:investedIn ?b } WHERE { ?a kg:investedIn ?b }")
    assert list(G.edges(data="relation")) == [(ID + "company/xiaomi", ID + "company/xpeng-motors", "investedIn")]
    assert G.nodes[ID + "company/xiaomi"]["label"] == "Xiaomi"
    assert G.nodes[ID + "company/xiaomi"]["type"] == "Company"
    S = viz.sparql_view(store, "SELECT ?subject ?object WHERE { ?subject kg:ceoOf ?object }")
    assert (ID + "person/lei-jun", ID + "company/xiaomi") in set(S.edges())
    with pytest.raises(VizError, match="ASK"):
        viz.sparql_view(store, "ASK { ?s ?p ?o }")
    # A SELECT of entities draws them (and their ties); one of literals has nothing to draw.
    C = viz.sparql_view(store, "SELECT ?x WHERE { ?x a kg:Company }")
    assert ID + "company/xiaomi" in C and all(C.nodes[n]["type"] == "Company" for n in C)
    with pytest.raises(VizError, match="no entity"):
        viz.sparql_view(store, "SELECT ?l WHERE { ?x rdfs:label ?l }")


def test_committed_views_are_up_to_date(store, tmp_path):
    """graphs/*.html must be what kg build writes now (run 'kg build' to refresh them)."""
    from kg.drawing.views import load_view_specs

    written = viz.write_standard_views(store, tmp_path, load_view_specs(ROOT / "graphs"))
    assert [p.name for p in written] == ["kg.html", "xiaomi.html", "lei-jun-tesla.html"]
    for p in written:
        committed = ROOT / "graphs" / p.name
        assert committed.is_file(), f"{committed} is missing; run 'kg build'"
        assert committed.read_bytes() == p.read_bytes(), f"{committed} is stale; run 'kg build'"


# -- the command --------------------------------------------------------------


def test_cli_viz_focus(runner, article_store, tmp_path):
    from tests.conftest import cli_json

    out = tmp_path / "x.html"
    summary = cli_json(runner, "viz", "--focus", "Xiaomi", "--depth", "2", "-o", str(out), store=article_store)
    assert summary["view"] == "focus" and summary["renderer"] == "vis"
    data = page_data(out.read_text(encoding="utf-8"))
    assert summary["nodes"] == len(data["nodes"]) and data["focus"] == ID + "company/xiaomi"


def test_cli_viz_path_and_filters(runner, article_store, tmp_path):
    from tests.conftest import cli_json

    out = tmp_path / "p.html"
    summary = cli_json(runner, "viz", "--path", "Lei Jun", "Tesla", "-o", str(out), store=article_store)
    assert summary["view"] == "path" and out.is_file()
    whole = tmp_path / "w.html"
    cli_json(runner, "viz", "--exclude-status", "rumored", "-o", str(whole), store=article_store)
    assert "rumored" not in page_data(whole.read_text(encoding="utf-8"))["statuses"]


def test_cli_viz_errors_are_one_line(runner, article_store, tmp_path, monkeypatch):
    from tests.conftest import run_cli

    res = run_cli(runner, "viz", "--focus", "Nobody at all", "-o", str(tmp_path / "n.html"), store=article_store, ok=False)
    assert res.exit_code != 0 and "unknown entity" in res.output and "Traceback" not in res.output
    from kg.drawing import page

    monkeypatch.setattr(page, "NODE_CAP", 3)
    res = run_cli(runner, "viz", "-o", str(tmp_path / "big.html"), store=article_store, ok=False)
    assert res.exit_code != 0 and "--focus" in res.output and not (tmp_path / "big.html").exists()
    res = run_cli(runner, "viz", "--sparql", "ASK { ?s ?p ?o }", "-o", str(tmp_path / "a.html"), store=article_store,
                  ok=False)
    assert res.exit_code != 0 and "ASK" in res.output


@pytest.mark.parametrize("name", ["investments", "meetings", "people", "aliases", "partner-searches",
                                  "deal-value-by-investor", "observations"])
def test_named_queries_that_return_entities_draw(store, name):
    G = viz.sparql_view(store, name=name)
    assert G.number_of_nodes() > 0
    assert all(G.nodes[n].get("label") for n in G)


def test_named_query_with_a_parameter_draws(store):
    G = viz.sparql_view(store, name="connections", params={"entity": "Xiaomi"})
    assert {ID + "company/xiaomi", ID + "person/lei-jun", ID + "company/xpeng-motors"} <= set(G)


def test_named_query_returning_deals_keeps_only_their_edges(store):
    G = viz.sparql_view(store, name="investments")
    assert {d for _u, _v, d in G.edges(data="relation")} == {"investedIn"}


def test_named_query_without_entities_is_refused(store):
    with pytest.raises(VizError, match="no entity"):
        viz.sparql_view(store, name="graphs")


def test_communities_view(store):
    overview, members = viz.communities_view(store, pages="x-c{n}.html")
    assert overview.number_of_nodes() == len(members) > 1
    assert sum(d["members"] for _n, d in overview.nodes(data=True)) == sum(len(H) for H in members.values())
    assert all(d["href"].startswith("x-c") for _n, d in overview.nodes(data=True))
    data = page_data(viz.render_html(overview))
    sizes = {n["label"]: n["size"] for n in data["nodes"]}
    assert max(sizes.values()) > min(sizes.values())  # sized by members
    assert {e["relation"] for e in edge_rows(data)} <= {"ties"}


def test_cli_viz_communities_and_as_of(runner, article_store, tmp_path):
    from tests.conftest import cli_json

    out = tmp_path / "c.html"
    summary = cli_json(runner, "viz", "--communities", "-o", str(out), store=article_store)
    assert summary["view"] == "communities" and summary["pages"] == summary["nodes"]
    assert (tmp_path / "c-c1.html").is_file()
    old = tmp_path / "old.html"
    cli_json(runner, "viz", "--as-of", "2000", "-o", str(old), store=article_store)
    years = [y for y in page_data(old.read_text(encoding="utf-8"))["edges"]["year"] if y]
    assert years == [] or max(years) <= 2000


def test_cli_viz_name(runner, article_store, tmp_path):
    from tests.conftest import cli_json

    out = tmp_path / "inv.html"
    summary = cli_json(runner, "viz", "--name", "investments", "-o", str(out), store=article_store)
    assert summary["view"] == "sparql" and summary["nodes"] >= 2
