"""kg.viz: self-contained pages, escaping, determinism, large graphs, views and ``kg viz``."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import networkx as nx
import pytest

from kg import viz
from kg.errors import VizError

ROOT = Path(__file__).resolve().parents[1]
ID = "https://kg.example.org/id/"
XSS = "<img src=x onerror=alert(1)>"


def page_data(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block and ">" not in block
    return json.loads(block)


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
    # No external resources of any kind: no CDN, no src/href to a URL, no <link>.
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', page)
    assert "<link" not in page and "cdn" not in page.lower() and "bootstrap" not in page.lower()
    assert "default-src 'none'" in page


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
    edges = data["edges"]
    assert len(edges) == 5
    met = next(e for e in edges if e["relation"] == "metWith")
    assert met["arrows"] == ""  # symmetric: no arrow
    ceo = [e for e in edges if e["from"].endswith("lei-jun") and e["to"].endswith("xiaomi")]
    assert len(ceo) == 2 and {e["relation"] for e in ceo} == {"ceoOf", "founderOf"}
    assert all(e["arrows"] == "to" for e in ceo)
    curves = {json.dumps(e["smooth"], sort_keys=True) for e in ceo}
    assert len(curves) == 2  # two different curves
    facts = dict(next(e for e in edges if e["relation"] == "investedIn")["facts"])
    assert facts["amount"] == "≈ 400,000,000 USD" and facts["status"] == "rumored" and facts["quote"] == XSS
    assert dict(met["facts"])["source"] == "Article (https://kg.example.org/id/source/a)"
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
    assert sorted(e["relation"] for e in data["edges"] if e.get("hl")) == ["ceoOf", "metWith"]
    with pytest.raises(VizError, match="not in the graph"):
        viz.render_html(small, focus="urn:nowhere")


def test_large_graph_gets_python_layout_and_no_physics(monkeypatch):
    G = nx.MultiDiGraph(nx.path_graph(30))
    monkeypatch.setattr(viz, "LAYOUT_THRESHOLD", 10)
    data = page_data(viz.render_html(G))
    assert data["physics"] is False
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    small = page_data(viz.render_html(nx.MultiDiGraph(nx.path_graph(5))))
    assert small["physics"] is True and "x" not in small["nodes"][0]


def test_spread_layout_is_seeded_and_spreads_nodes():
    G = nx.barabasi_albert_graph(400, 2, seed=1)
    a, b = viz.spread_layout(G), viz.spread_layout(G)
    assert a == b and len(a) == 400
    assert len(set(a.values())) > 390  # nodes do not pile up on each other
    u, v = 0, 1
    assert a[u] != a[v]


def test_hard_cap(monkeypatch, small):
    monkeypatch.setattr(viz, "NODE_CAP", 3)
    with pytest.raises(VizError, match="--focus ENTITY --depth N"):
        viz.render_html(small)


def test_vis_network_comes_from_pyvis():
    js = viz.vis_network_js()
    assert js.lstrip().startswith("/**") and "@version 9.1.2" in js[:400]


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
    with pytest.raises(VizError, match=r"\?subject and \?object"):
        viz.sparql_view(store, "SELECT ?x WHERE { ?x a kg:Company }")


def test_committed_views_are_up_to_date(store, tmp_path):
    """graphs/*.html must be what kg build writes now (run 'kg build' to refresh them)."""
    written = viz.write_standard_views(store, tmp_path)
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
    assert summary["view"] == "focus" and summary["layout"] == "browser"
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
    monkeypatch.setattr(viz, "NODE_CAP", 3)
    res = run_cli(runner, "viz", "-o", str(tmp_path / "big.html"), store=article_store, ok=False)
    assert res.exit_code != 0 and "--focus" in res.output and not (tmp_path / "big.html").exists()
    res = run_cli(runner, "viz", "--sparql", "ASK { ?s ?p ?o }", "-o", str(tmp_path / "a.html"), store=article_store,
                  ok=False)
    assert res.exit_code != 0 and "ASK" in res.output
