"""The remote backend (kg.stores.remote.RemoteStore) against a live ``oxigraph serve`` on loopback."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from conftest import ROOT, run_cli, start_oxigraph_server
from kg.errors import ParameterError, QueryError, ReadOnlyStoreError, StoreError
from kg.stores.remote import RemoteStore
from kg.sparqltext import bind_values, sparql_words
from kg.stores import open_store

pytestmark = pytest.mark.server

KG = "https://kg.example.org/ontology#"
XIAOMI = "https://kg.example.org/id/company/xiaomi"
XPENG = "https://kg.example.org/id/company/xpeng-motors"


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    """A live, empty-at-start ``oxigraph serve`` (1 s query timeout)."""
    proc, url = start_oxigraph_server(tmp_path_factory.mktemp("ox") / "db", "--timeout-s", "1")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def remote(oxigraph_url):
    store = open_store(oxigraph_url, read_only=False)
    store.update("DROP SILENT ALL", prefixes=False)
    yield store
    store.close()


def T(s, p, o):
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o)


NASTY = 'x" } ; DROP ALL ; SELECT * { "'


def sample():
    return {
        "urn:g1": [T("urn:a", "urn:p", ox.Literal(NASTY)), T("urn:a", "urn:q", ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))],
        "urn:g2": [T("urn:b", "urn:p", ox.Literal("y", language="en")), T("urn:b", "urn:r", ox.NamedNode("urn:a"))],
    }


# -- endpoints and parameters (no server needed, but cheap) -------------------


def test_endpoints_follow_the_convention_and_the_environment(monkeypatch):
    store = RemoteStore("http://h:1/query")
    assert (store.update_url, store.gsp_url) == ("http://h:1/update", "http://h:1/store")
    virtuoso = RemoteStore("http://h:8890/sparql")
    assert (virtuoso.update_url, virtuoso.gsp_url) == ("http://h:8890/sparql", None)
    monkeypatch.setenv("KG_STORE_UPDATE_URL", "http://h:1/u")
    monkeypatch.setenv("KG_STORE_GSP_URL", "none")
    assert (RemoteStore("http://h:1/query").update_url, RemoteStore("http://h:1/query").gsp_url) == ("http://h:1/u", None)
    with pytest.raises(StoreError):
        RemoteStore("ftp://h/query")


@pytest.mark.parametrize("query, where", [
    ("SELECT ?o WHERE { ?s ?p ?o }", "WHERE { VALUES"),
    ("ASK { ?s ?p ?o }", "ASK { VALUES"),
    ("CONSTRUCT { ?s ?p '{' } WHERE { ?s ?p ?o }", "WHERE { VALUES"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "WHERE { VALUES"),
    ("SELECT * # {\n WHERE { ?s <urn:{> ?o }", "WHERE { VALUES"),
])
def test_values_block_goes_into_the_where_group(query, where):
    assert where in bind_values(query, {"s": ox.NamedNode("urn:a")})


def test_describe_without_where_gets_a_trailing_values():
    assert bind_values("DESCRIBE ?s", {"s": ox.NamedNode("urn:a")}).endswith("VALUES (?s) { (<urn:a>) }")


@pytest.mark.parametrize("params", [{"bad name": ox.Literal("x")}, {"x": "plain str"}, {"x": ox.BlankNode()}])
def test_bad_parameters_are_refused(params):
    with pytest.raises(ParameterError):
        bind_values("SELECT * { ?x ?p ?o }", params)


def test_keywords_skip_strings_iris_comments_and_names():
    assert sparql_words('SELECT * { ?s ex:service <http://x/SERVICE> ; :load "LOAD" } # SERVICE') == {"SELECT"}
    assert "SERVICE" in sparql_words("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")


# -- the store API against a live server -------------------------------------


def test_replace_graphs_then_query_with_bound_parameters(remote):
    remote.replace_graphs(sample(), then="INSERT { GRAPH <urn:d> { ?s <urn:seen> ?o } } WHERE { GRAPH ?g { ?s <urn:p> ?o } }")
    assert remote.named_graphs() == ["urn:d", "urn:g1", "urn:g2"]
    assert len(remote) == 6
    rows = list(remote.query("SELECT ?s WHERE { ?s <urn:p> ?o }", {"o": ox.Literal(NASTY)}))
    assert [r["s"] for r in rows] == [ox.NamedNode("urn:a")]
    # The parameter is a value: the nasty literal changed nothing.
    assert len(remote) == 6
    counted = list(remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"s": ox.NamedNode("urn:b")}))
    assert counted[0]["n"].value == "3"


def test_results_have_pyoxigraph_types(remote):
    remote.replace_graphs(sample())
    sols = remote.query("SELECT ?o WHERE { <urn:b> <urn:p> ?o }")
    assert isinstance(sols, ox.QuerySolutions)
    assert [v.value for v in sols.variables] == ["o"]
    assert next(sols)["o"] == ox.Literal("y", language="en")
    ask = remote.query("ASK { <urn:a> <urn:q> 1 }")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    triples = list(remote.query("CONSTRUCT { ?s <urn:x> ?o } WHERE { ?s <urn:r> ?o }"))
    assert triples == [T("urn:b", "urn:x", ox.NamedNode("urn:a"))]
    ttl = remote.query("DESCRIBE <urn:b>").serialize(format=ox.RdfFormat.N_TRIPLES)
    assert b'<urn:b> <urn:p> "y"@en .' in ttl


def test_same_answers_as_the_embedded_store(remote):
    embedded = open_store("memory:")
    for store in (remote, embedded):
        store.replace_graphs(sample())
    queries = [
        ("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o", {}),
        ("SELECT ?g ?s WHERE { GRAPH ?g { ?s <urn:p> ?o } } ORDER BY ?g", {"o": ox.Literal("y", language="en")}),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"p": ox.NamedNode("urn:p")}),
    ]
    for text, params in queries:
        a = [tuple(r) for r in remote.query(text, params)]
        b = [tuple(r) for r in embedded.query(text, params)]
        assert a == b, text
    assert remote.named_graphs() == embedded.named_graphs()
    assert len(remote) == len(embedded)
    assert set(remote.dump("nquads").splitlines()) == set(embedded.dump("nquads").splitlines())
    assert sorted(remote.dump("ntriples", graph="urn:g2").splitlines()) == sorted(
        embedded.dump("ntriples", graph="urn:g2").splitlines())


@pytest.mark.parametrize("gsp", ["on", "none"])
def test_large_writes_go_in_batches_per_graph(remote, oxigraph_url, monkeypatch, gsp):
    monkeypatch.setenv("KG_STORE_BATCH_BYTES", "2000")
    if gsp == "none":
        monkeypatch.setenv("KG_STORE_GSP_URL", "none")
    store = open_store(oxigraph_url, read_only=False)
    store.replace_graphs({"urn:old": [T("urn:z", "urn:p", ox.Literal("old"))]})
    big = {"urn:big": [T(f"urn:s{i}", "urn:p", ox.Literal(f"value {i}")) for i in range(300)], "urn:old": []}
    store.replace_graphs(big, then="INSERT DATA { GRAPH <urn:done> { <urn:x> <urn:y> <urn:z> } }")
    assert store.named_graphs() == ["urn:big", "urn:done"]
    assert len(store) == 301
    store.replace_graphs({"urn:big": [T("urn:s0", "urn:p", ox.Literal("again"))]})
    assert len(store) == 2


def test_errors_are_kg_errors(remote, oxigraph_url):
    with pytest.raises(QueryError, match="invalid SPARQL: error at 1:"):
        remote.query("SELEC ?x")
    with pytest.raises(ReadOnlyStoreError):
        open_store(oxigraph_url, read_only=True).update("CLEAR ALL")
    with pytest.raises(StoreError, match="no raw"):
        remote.raw  # noqa: B018
    port = oxigraph_url.split(":")[2].split("/")[0]
    with pytest.raises(StoreError, match="cannot reach"):
        open_store(f"http://127.0.0.1:{int(port) + 1 if int(port) < 65535 else 1}/none").query("ASK {}")


def test_a_query_cut_short_by_the_server_timeout_is_an_error(remote):
    remote.replace_graphs({"urn:g": [T(f"urn:s{i}", "urn:p", ox.Literal(str(i))) for i in range(3000)]})
    with pytest.raises(QueryError, match="cut short|timed out|cancel"):
        list(remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"))


# -- the CLI against a live Oxigraph server ------------------------------------


def test_cli_build_show_sparql_path_against_oxigraph_server(runner, tmp_path):
    proc, url = start_oxigraph_server(tmp_path / "db")
    try:
        built = json.loads(run_cli(runner, "build", "--root", str(ROOT), "--no-views", "--format", "json", store=url).stdout)
        assert built["derived"] > 0 and built["store"] == url
        info = json.loads(run_cli(runner, "show", "Lee Jun", "--format", "json", store=url).stdout)
        assert info["iri"] == "https://kg.example.org/id/person/lei-jun"
        rows = json.loads(run_cli(runner, "sparql", "SELECT ?b WHERE { ?a kg:investedIn ?b }", "-p", f"a=<{XIAOMI}>",
                                  "--format", "json", store=url).stdout)
        assert rows == [{"b": XPENG}]
        path = run_cli(runner, "path", "Lei Jun", "Xpeng", store=url).stdout
        assert "Xiaomi investedIn Xpeng Motors" in path
    finally:
        proc.terminate()
        proc.wait(10)
