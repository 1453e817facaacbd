"""Named queries and bound parameters."""

from __future__ import annotations

import pytest

from kg.errors import ParameterError, QueryError, UnknownEntityError, UnknownQueryError
from kg.formats import to_python
from kg.query import named_queries, parse_params, run_named, run_query
from kg.stores import open_store


@pytest.fixture(scope="module")
def store(article_store):
    with open_store(article_store, read_only=True) as s:
        yield s


def plain(result):
    return [{k: to_python(v) for k, v in row.items()} for row in result.rows]


def test_at_least_eight_named_queries_with_descriptions():
    queries = named_queries()
    assert len(queries) >= 8
    assert all(q.description for q in queries)
    names = {q.name for q in queries}
    assert {"investments", "meetings", "partner-searches", "people", "facts-by-status",
            "facts-with-sources", "deal-value-by-investor"} <= names


@pytest.mark.parametrize("name", [q.name for q in named_queries()])
def test_every_named_query_runs_on_the_article(store, name):
    result = run_named(store, name)
    assert result.kind == "select"
    # The article reports no acquisition; every other query has answers.
    assert bool(result.rows) == (name != "acquisitions"), name


def test_investments_query_returns_the_xiaomi_xpeng_deal(store):
    [row] = plain(run_named(store, "investments"))
    assert row["investorLabel"] == "Xiaomi" and row["investeeLabel"] == "Xpeng Motors"
    assert (row["amount"], row["currency"], row["approximate"], row["year"]) == (400000000, "USD", True, 2019)
    assert row["status"] == "completed"
    assert row["quote"] == "In 2019, Xiaomi invested nearly $400 million in Xpeng Motors"


def test_entity_parameter_accepts_an_alias(store):
    rows = plain(run_named(store, "people", {"organization": "xiaomi"}))
    assert {(r["personLabel"], r["role"]) for r in rows} == {("Lei Jun", "CEO"), ("Lei Jun", "founder")}
    rows = plain(run_named(store, "meetings", {"person": "Lee Jun"}))
    assert [(r["aLabel"], r["bLabel"], r["date"]) for r in rows] == [("Elon Musk", "Lei Jun", "2013")]


def test_status_parameter(store):
    rows = plain(run_named(store, "facts-by-status", {"status": "Rumored"}))
    assert {r["kind"] for r in rows} == {"partner search", "project or product"}
    assert all(r["status"] == "rumored" for r in rows)


def test_deal_value_by_investor(store):
    [row] = plain(run_named(store, "deal-value-by-investor"))
    assert (row["investorLabel"], row["total"], row["currency"], row["deals"]) == ("Xiaomi", 400000000, "USD", 1)


def test_hostile_parameter_cannot_change_the_query(store):
    evil = 'Xiaomi" } } UNION { ?s ?p ?o } #'
    result = run_query(store, "SELECT ?e ?name WHERE { ?e rdfs:label ?name }", {"name": evil})
    assert result.rows == []
    result = run_query(store, "SELECT ?e WHERE { ?e rdfs:label ?name }", {"name": "{ } \"' <>"})
    assert result.rows == []
    result = run_query(store, "SELECT ?e WHERE { ?e rdfs:label ?name }", {"name": "Xiaomi"})
    assert [to_python(r["e"]) for r in result.rows] == ["https://kg.example.org/id/company/xiaomi"]


def test_parameter_errors(store):
    with pytest.raises(ParameterError, match="name=value"):
        parse_params(["novalue"])
    with pytest.raises(ParameterError, match="takes: investor, investee"):
        run_named(store, "investments", {"buyer": "x"})
    with pytest.raises(UnknownEntityError, match="did you mean: Xiaomi"):
        run_named(store, "investments", {"investor": "Xiaomy"})


def test_unknown_named_query_suggests(store):
    with pytest.raises(UnknownQueryError, match="did you mean: investments"):
        run_named(store, "investment")


def test_invalid_sparql_gives_position(store):
    with pytest.raises(QueryError, match=r"1:\d+"):
        run_query(store, "SELECT ?x WHERE { ?x ?p }")


def test_construct_and_ask(store):
    graph = run_query(store, "CONSTRUCT { ?a kg:metWith ?b } WHERE { ?a kg:metWith ?b }")
    assert graph.kind == "graph" and len(graph.triples) == 2
    assert b"kg:metWith" in graph.serialize("turtle")
    assert run_query(store, "ASK { ?x kg:ceoOf ?y }").boolean is True


@pytest.fixture(scope="module")
def synthetic():
    """A memory store of 600 seeded synthetic deals, with the ontology and the derived graph."""
    import importlib.util
    import tempfile
    from pathlib import Path

    import pyoxigraph as ox

    from kg.ontology import ONTOLOGY_GRAPH, ontology_quads
    from kg.rules import derive

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("synthetic", root / "scripts" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.nq"
        module.write_synthetic(path, deals=600, seed=5)
        store = open_store("memory:")
        store.raw.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    g = ox.NamedNode(ONTOLOGY_GRAPH)
    store.raw.extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in ontology_quads("kg.ttl"))
    derive(store)
    return store


#: For each parameter of each named query: the columns one of which must equal the value given.
NARROWS = {
    ("acquisitions", "acquirer"): ("acquirer",), ("acquisitions", "target"): ("target",),
    ("investments", "investor"): ("investor",), ("investments", "investee"): ("investee",),
    ("meetings", "person"): ("a", "b"), ("observations", "subject"): ("subject",),
    ("partner-searches", "seeker"): ("seeker",), ("people", "organization"): ("organization",),
    ("facts-by-status", "status"): ("status",), ("facts-with-sources", "source"): ("source",),
    ("connections", "entity"): ("entity",),
}


def test_every_parameter_of_every_named_query_is_listed_here():
    assert {(q.name, p) for q in named_queries() for p in q.params} == set(NARROWS)


@pytest.mark.parametrize("name", [q.name for q in named_queries()])
def test_every_named_query_has_rows_on_synthetic_data(synthetic, name):
    assert run_named(synthetic, name, limit=5).rows, name


@pytest.mark.parametrize("name, param", sorted(NARROWS))
def test_each_parameter_narrows_the_result(synthetic, name, param):
    columns = NARROWS[(name, param)]
    every = run_named(synthetic, name, limit=None).rows
    value = every[-1][columns[0]].value
    some = run_named(synthetic, name, {param: value}, limit=None).rows
    assert some and len(some) < len(every)
    assert all(any(r[c] is not None and r[c].value == value for c in columns) for r in some)


def test_first_page_has_the_default_limit_and_none_lifts_it(synthetic):
    from kg.query import DEFAULT_LIMIT

    page = run_named(synthetic, "investments")
    assert len(page.rows) == DEFAULT_LIMIT
    assert len(run_named(synthetic, "investments", limit=None).rows) > DEFAULT_LIMIT
    dates = [r["date"].value for r in page.rows]
    assert dates == sorted(dates)


def test_meetings_parameter_keeps_only_that_persons_meetings(store):
    every = run_named(store, "meetings").rows
    assert not run_named(store, "meetings", {"person": "Xiaomi"}).rows
    assert len(run_named(store, "meetings", {"person": "Tesla"}).rows) < len(every)


@pytest.mark.parametrize("name", [q.name for q in named_queries() if q.page])
def test_a_grouped_query_pages_before_it_groups_and_keeps_its_parameters(synthetic, name):
    def rows(**kw):
        return {tuple(sorted((k, str(v)) for k, v in r.items())) for r in run_named(synthetic, name, **kw).rows}

    every = rows(limit=None)
    page = rows(limit=5)
    assert 0 < len(page) <= 5 and page <= every
    params = [p for q, p in NARROWS if q == name]
    if params:
        param, column = params[0], NARROWS[(name, params[0])][0]
        value = run_named(synthetic, name, limit=None).rows[-1][column].value
        narrowed = rows(params={param: value}, limit=None)
        assert rows(params={param: value}, limit=3) <= narrowed and len(narrowed) < len(every)
