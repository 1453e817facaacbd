"""The NetworkX projections: the entity view's contract, its filters, and the deal view."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.ontology import ID
from kg.stores import open_store

ROOT = Path(__file__).resolve().parents[1]
LEI, ELON, TESLA = ID + "person/lei-jun", ID + "person/elon-musk", ID + "company/tesla"
XIAOMI, XPENG, APPLE = ID + "company/xiaomi", ID + "company/xpeng-motors", ID + "company/apple"
CAR_MAKER = ID + "concept/car-manufacturer"


def load_synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "scripts" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def article(article_store):
    from kg.network import entity_graph

    with open_store(article_store, read_only=True) as store:
        yield store, entity_graph(store)


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory):
    """A memory store holding 2000 synthetic deals (seeded)."""
    import pyoxigraph as ox

    path = tmp_path_factory.mktemp("synth") / "s.nq"
    info = load_synthetic().write_synthetic(path, deals=2000, seed=3)
    store = open_store("memory:")
    store.raw.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store, info


def edges_of(G, relation):
    return [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True) if d["relation"] == relation]


def test_nodes_carry_label_type_and_aliases(article):
    _, G = article
    assert G.nodes[LEI]["label"] == "Lei Jun"
    assert G.nodes[LEI]["type"] == "Person"
    assert {"Lee Jun", "John"} <= set(G.nodes[LEI]["aliases"])
    assert G.nodes[XIAOMI]["type"] == "Company"
    assert G.nodes[CAR_MAKER]["type"] == "Concept"


def test_investment_edge_has_the_deal_attributes(article):
    _, G = article
    [(u, v, key, d)] = edges_of(G, "investedIn")
    assert (u, v) == (XIAOMI, XPENG)
    assert key == f"{d['deal']}|investedIn"
    assert d["deal_type"] == "Investment"
    assert d["year"] == 2019 and d["date"] == "2019"
    assert d["amount"] == 400_000_000 and d["currency"] == "USD" and d["approximate"] is True
    assert "400 million" in d["quote"]
    assert d["source"] == ID + "source/xiaomi-electric-car"
    assert d["symmetric"] is False


def test_symmetric_meeting_is_one_edge_from_lower_to_higher_iri(article):
    _, G = article
    [(u, v, _, d)] = edges_of(G, "metWith")
    assert (u, v) == (min(LEI, ELON), max(LEI, ELON))
    assert d["symmetric"] is True and d["date"] == "2013"


def test_concepts_are_reached_by_partner_search_and_industry(article):
    _, G = article
    assert G.has_edge(APPLE, CAR_MAKER)
    assert {d["relation"] for d in G[APPLE][CAR_MAKER].values()} == {"seeksPartner"}
    assert {d["relation"] for d in G[XPENG][CAR_MAKER].values()} == {"industry"}
    assert G[XPENG][CAR_MAKER]["|industry"]["deal"] is None


def test_declined_deals_only_on_request(article_store):
    from kg.network import entity_graph

    with open_store(article_store, read_only=True) as store:
        default = entity_graph(store, relations=["partnerOf"])
        with_declined = entity_graph(store, relations=["partnerOf"], include_declined=True)
    assert default.number_of_edges() == 0
    [(u, v, _, d)] = edges_of(with_declined, "partnerOf")
    assert {u, v} == {XIAOMI, XPENG} and d["status"] == "declined"


def test_filters_by_relation_status_type_and_time(article_store):
    from kg.network import entity_graph

    with open_store(article_store, read_only=True) as store:
        met = entity_graph(store, relations=["metWith"])
        no_rumours = entity_graph(store, exclude_status=["Rumored"])
        people = entity_graph(store, types=["Person"])
        window = entity_graph(store, since=2015, until=2020)
    assert {d["relation"] for *_, d in met.edges(data=True)} == {"metWith"}
    assert "rumored" not in {d["status"] for *_, d in no_rumours.edges(data=True)}
    assert not no_rumours.has_edge(APPLE, CAR_MAKER)
    assert set(people) == {LEI, ELON} and people.number_of_edges() == 1
    years = {d["year"] for *_, d in window.edges(data=True)}
    assert 2019 in years and 2013 not in years
    assert window.has_edge(ELON, TESLA)  # undated positions stay in any window


def test_unknown_filter_values_are_plain_errors(article_store):
    from kg.network import entity_graph

    with open_store(article_store, read_only=True) as store:
        for kwargs in ({"relations": ["investsIn"]}, {"types": ["Robot"]}, {"exclude_status": ["maybe"]}):
            with pytest.raises(KgError, match="unknown"):
                entity_graph(store, **kwargs)


def test_deal_view_is_bipartite(article_store):
    import networkx as nx

    from kg.network import deal_graph

    with open_store(article_store, read_only=True) as store:
        D = deal_graph(store)
    deals = {n for n, k in D.nodes(data="kind") if k == "deal"}
    assert nx.is_bipartite(D)
    meeting = ID + "deal/lei-jun-meets-elon-musk-2013"
    assert meeting in deals and D.nodes[meeting]["type"] == "Meeting"
    assert set(D[meeting]) == {LEI, ELON}
    assert D[meeting][LEI]["role"] == "participant"
    assert D.nodes[LEI]["label"] == "Lei Jun"


def test_synthetic_projection_matches_the_generator(synthetic_store):
    from kg.network import entity_graph

    store, info = synthetic_store
    G = entity_graph(store)
    assert G.number_of_nodes() >= info["companies"] + info["people"]
    rels = {d["relation"] for *_, d in G.edges(data=True)}
    assert rels == {"investedIn", "acquired", "partnerOf", "seeksPartner", "metWith", "ceoOf", "founderOf",
                    "industry"}
    # power-law hubs: the busiest entity has far more ties than the median one
    degrees = sorted(d for _, d in G.degree())
    assert degrees[-1] > 20 * max(1, degrees[len(degrees) // 2])
    # every symmetric edge is stored once, from the lower IRI
    assert all(u < v for u, v, d in G.edges(data=True) if d["symmetric"])


def test_projection_does_not_import_rdflib(article_store):
    code = (
        "import sys; from kg.stores import open_store; from kg.network import entity_graph, deal_graph\n"
        f"s = open_store({article_store!r}, read_only=True); entity_graph(s); deal_graph(s)\n"
        "assert 'rdflib' not in sys.modules, 'rdflib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- streaming, determinism and the remote backend ------------------------------

KG_NS = "https://kg.example.org/ontology#"


def _meeting_with_evidence(evidences):
    """A memory store with one 2013 meeting of Lei Jun and Elon Musk and the given (iri, quote, conf, source)."""
    import pyoxigraph as ox

    def n(iri):
        return ox.NamedNode(iri)

    deal = n(ID + "deal/m")
    g = n("https://kg.example.org/graph/source/test")
    quads = [
        ox.Quad(deal, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(KG_NS + "Meeting"), g),
        ox.Quad(deal, n(KG_NS + "participant"), n(LEI), g),
        ox.Quad(deal, n(KG_NS + "participant"), n(ELON), g),
        ox.Quad(deal, n(KG_NS + "date"), ox.Literal("2013", datatype=n("http://www.w3.org/2001/XMLSchema#gYear")), g),
    ]
    for iri, quote, conf, source in evidences:
        ev = n(iri)
        quads += [
            ox.Quad(deal, n(KG_NS + "evidence"), ev, g),
            ox.Quad(ev, n(KG_NS + "quote"), ox.Literal(quote), g),
            ox.Quad(ev, n(KG_NS + "confidence"), ox.Literal(str(conf), datatype=n("http://www.w3.org/2001/XMLSchema#decimal")), g),
            ox.Quad(ev, n(KG_NS + "source"), n(source), g),
        ]
    store = open_store("memory:")
    store.raw.extend(quads)
    return store


@pytest.mark.parametrize("order", [1, -1])
def test_evidence_ties_break_by_quote_then_evidence_iri(order):
    from kg.network import entity_graph

    s1, s2 = ID + "source/one", ID + "source/two"
    cases = [
        # the most confident wins, whatever its quote
        ([(ID + "ev/a", "A met B.", 0.5, s1), (ID + "ev/b", "Zed met B.", 0.9, s2)], ("Zed met B.", s2, 0.9)),
        # equal confidence: the least quote
        ([(ID + "ev/a", "B quote", 0.9, s1), (ID + "ev/b", "A quote", 0.9, s2)], ("A quote", s2, 0.9)),
        # equal confidence and quote: the least evidence IRI
        ([(ID + "ev/b", "Same.", 0.9, s1), (ID + "ev/a", "Same.", 0.9, s2)], ("Same.", s2, 0.9)),
    ]
    for evidences, expected in cases:
        G = entity_graph(_meeting_with_evidence(evidences[::order]), relations=["metWith"])
        [(_, _, d)] = G.edges(data=True)
        assert (d["quote"], d["source"], d["confidence"]) == expected


def test_each_projection_is_one_select(article_store):
    from kg.network import deal_graph, entity_graph

    class Counting:
        def __init__(self, store):
            self.store, self.calls = store, []

        def query(self, sparql, *args, **kwargs):
            self.calls.append(sparql)
            return self.store.query(sparql, *args, **kwargs)

    with open_store(article_store, read_only=True) as store:
        for project in (entity_graph, deal_graph):
            counting = Counting(store)
            assert project(counting).number_of_edges() > 0
            assert len(counting.calls) == 1 and counting.calls[0].lstrip().startswith("SELECT")


def test_projection_is_stable_across_runs(article_store):
    from kg.network import entity_graph

    def snapshot(G):
        return [(u, v, k, sorted(d.items(), key=str)) for u, v, k, d in G.edges(keys=True, data=True)]

    with open_store(article_store, read_only=True) as store:
        assert snapshot(entity_graph(store)) == snapshot(entity_graph(store))


@pytest.mark.server
def test_remote_backend_gives_the_same_projection(article_store, tmp_path):
    from conftest import start_oxigraph_server

    from kg.build import build
    from kg.network import deal_graph, entity_graph

    def canon(G):
        nodes = sorted((n, sorted(d.items(), key=str)) for n, d in G.nodes(data=True))
        return nodes, sorted(str(e) for e in G.edges(data=True))

    proc, url = start_oxigraph_server(tmp_path / "db")
    try:
        with open_store(url, read_only=False) as remote:
            build(remote, ROOT, views=False, dump=False)
            remote_views = [canon(entity_graph(remote)), canon(deal_graph(remote)),
                            canon(entity_graph(remote, relations=["metWith", "industry"], since=2010))]
    finally:
        proc.terminate()
        proc.wait(10)
    with open_store(article_store, read_only=True) as local:
        local_views = [canon(entity_graph(local)), canon(deal_graph(local)),
                       canon(entity_graph(local, relations=["metWith", "industry"], since=2010))]
    assert remote_views == local_views


def test_the_edge_stream_gives_the_views_edges_and_nodes(article, synthetic_store):
    from kg.network import entity_edges, entity_graph

    for store, G in ((article[0], article[1]), (synthetic_store[0], entity_graph(synthetic_store[0]))):
        edges: list = []
        nodes = entity_edges(store, lambda u, v, k, d, edges=edges: edges.append((u, v, k, d)))
        assert sorted(edges, key=lambda e: e[:3]) == list(G.edges(keys=True, data=True))
        assert sorted(nodes) == list(G)
        assert all(nodes[n] == (a["label"], a["type"], a["aliases"]) for n, a in G.nodes(data=True))


def test_whole_store_query_leaves_evidence_iris_unread():
    from kg.network import fact_query

    whole, markers = fact_query(deal_classes=["Meeting"], roles=["participant"])
    few, _ = fact_query(deal_classes=["Meeting"], roles=["participant"], subjects=[ID + "deal/m"])
    assert "?e " not in whole.split("WHERE", 1)[1] and "?ev" in whole
    assert f"<{ID}deal/m>" in few and "evidence> ?e ." in few


ODD_FACTS = """INSERT DATA {
  GRAPH <urn:src:a> {
    deal:d1 a kg:Investment, kg:Acquisition ; kg:investor company:a ; kg:investee company:b ; kg:investee "not an IRI" ;
      kg:status kg:Rumored ; kg:date "2020"^^xsd:gYear ; kg:startDate "2020-01-02"^^xsd:date ;
      kg:amount [ kg:value 5 ; kg:currency "USD", "EUR" ; kg:approximate true ] ; kg:amount [ kg:currency "GBP" ] ;
      kg:evidence [ kg:confidence 0.5 ] ; kg:evidence [ kg:quote "q" ; kg:source source:s ] .
    deal:d2 a kg:Role ; kg:holder person:p ; kg:organization company:a ; kg:role kg:CEO, kg:Nobody ;
      kg:status <urn:status:Odd> .
    company:a a kg:Company ; rdfs:label "A", "Alpha" ; skos:altLabel "AA" ; kg:industry concept:cars .
    source:s rdfs:label "S" ; dcterms:title "The S" . }
  GRAPH <urn:src:b> { deal:d1 kg:status kg:Rumored ; kg:status kg:Completed . company:a kg:industry concept:cars ;
    rdfs:label "A" ; kg:involvedIn deal:d1 . }
}"""


def test_facts_read_by_index_are_those_of_the_query():
    """The embedded store's index reader files every kind of statement as the fact query's rows do."""
    from kg.network import _facts_by_index, _relation_plan, collect_facts, fact_query

    store = open_store("memory:")
    store.update(ODD_FACTS)
    subjects = [ID + x for x in ("deal/d1", "deal/d2", "company/a", "source/s", "company/none")]

    def sort(cols):
        return {c: sorted(v) if isinstance(v, list) else {k: sorted(x, key=str) if isinstance(x, list) else x
                                                          for k, x in v.items()} for c, v in cols.items()}

    for args in (_relation_plan(None)[1], _relation_plan(["ceoOf"])[1],
                 {"deal_classes": (), "roles": (), "deal_facts": False, "evidence": True}):
        want = collect_facts(store, *fact_query(**args, subjects=subjects))
        got = _facts_by_index(store.raw, subjects, args, entities=frozenset({ID + "company/a"}))
        assert sort(got) == sort(want)
        assert got["label"][ID + "company/a"] in (["A", "Alpha"], ["Alpha", "A"])
