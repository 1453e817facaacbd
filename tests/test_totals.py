"""Kept totals: after every kind of write, the aggregate named queries read totals equal to a count of the store."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from conftest import ROOT, cli_json

from kg import totals
from kg.ingest import ingest
from kg.judgements import judge
from kg.query import named_query, run_named, run_query
from kg.schema import DERIVED_GRAPH, TOTALS_GRAPH

AGGREGATES = ("graphs", "facts-by-status", "deal-value-by-investor")
PREFIX = """@prefix kg: <https://kg.example.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix company: <https://kg.example.org/id/company/> .
@prefix deal: <https://kg.example.org/id/deal/> .
@prefix amount: <https://kg.example.org/id/amount/> .
"""
FUND = PREFIX + """company:fund a kg:Company ; rdfs:label "Northwind Fund" .
company:tiny a kg:Company ; rdfs:label "Tiny Labs" .
deal:t1 a kg:Investment ; kg:investor company:fund ; kg:investee company:tiny ; kg:status kg:Completed ;
  kg:amount amount:t1 .
amount:t1 a kg:MonetaryAmount ; kg:value 12.5 ; kg:currency "EUR" .
deal:t2 a kg:Investment ; kg:investor company:fund ; kg:investee company:tiny ; kg:status kg:Rumored ;
  kg:amount [ a kg:MonetaryAmount ; kg:value 3 ; kg:currency "EUR" ; kg:approximate true ] .
"""
#: A second source restates deal t1 with a larger amount, and another status.
RESTATED = PREFIX + """deal:t1 a kg:Investment ; kg:investor company:fund ; kg:investee company:tiny ; kg:status kg:Reported ;
  kg:amount [ a kg:MonetaryAmount ; kg:value 20 ; kg:currency "EUR" ] .
"""


def counted(store, name: str) -> list:
    """The rows of the named query as it counts the store, totals or not."""
    return run_query(store, named_query(name).text).to_python()


def assert_kept_as_counted(store) -> None:
    assert totals.current(store)
    for name in AGGREGATES:
        assert run_named(store, name, limit=None).to_python() == counted(store, name), name


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_article_store_keeps_its_totals(article_copy):
    assert_kept_as_counted(article_copy)
    [row] = run_named(article_copy, "deal-value-by-investor").to_python()
    assert (row["investorLabel"], row["total"], row["deals"]) == ("Xiaomi", 400000000, 1)


def test_each_ingest_keeps_the_totals_by_the_change_alone(article_copy, tmp_path):
    fund, other = _write(tmp_path, "fund.ttl", FUND), _write(tmp_path, "other.ttl", RESTATED)
    ingest(article_copy, force=True, paths=[fund])
    assert_kept_as_counted(article_copy)
    ingest(article_copy, force=True, paths=[other])
    assert_kept_as_counted(article_copy)
    rows = {r["investorLabel"]: r for r in run_named(article_copy, "deal-value-by-investor").to_python()}
    # Deal t1 counts once, at its larger amount; t2's approximate amount marks the row.
    assert (rows["Northwind Fund"]["total"], rows["Northwind Fund"]["deals"]) == (23, 2)
    assert rows["Northwind Fund"]["anyApproximate"] is True
    fund.write_text(PREFIX)            # the first source takes its deals back
    ingest(article_copy, force=True, paths=[fund])
    assert_kept_as_counted(article_copy)
    rows = {r["investorLabel"] for r in run_named(article_copy, "deal-value-by-investor").to_python()}
    assert "Northwind Fund" not in rows     # its only label went with the first source
    other.write_text(PREFIX)
    ingest(article_copy, force=True, paths=[other])
    assert_kept_as_counted(article_copy)


def test_kept_tallies_equal_a_recount(article_copy, tmp_path):
    ingest(article_copy, force=True, paths=[_write(tmp_path, "fund.ttl", FUND), _write(tmp_path, "other.ttl", RESTATED)])
    kept = totals.tallies(article_copy)
    totals.recompute(article_copy)
    assert totals.tallies(article_copy) == kept
    assert kept[("value", ox.NamedNode("https://kg.example.org/id/company/fund"), ox.Literal("EUR"))][1:] == [2, 1]


def test_a_csv_ingest_keeps_the_totals_and_the_derived_count(article_copy, tmp_path):
    csv = tmp_path / "investments-small.csv"
    csv.write_bytes((ROOT / "tests" / "data" / "investments-small.csv").read_bytes())
    ingest(article_copy, force=True, paths=[csv])
    assert_kept_as_counted(article_copy)
    kept = {r["graph"]: r["triples"] for r in run_named(article_copy, "graphs", limit=None).to_python()}
    assert kept[DERIVED_GRAPH] == int(next(iter(article_copy.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}")))["n"].value)


def test_a_write_that_keeps_no_totals_is_never_read_as_kept(article_copy, tmp_path):
    # A client's update through kg serve, or any other writer: the version moves, the stamp does not.
    from kg.snapshot import bump_version_update

    article_copy.update("INSERT DATA { GRAPH <https://kg.example.org/graph/source/x> { "
                        "<https://kg.example.org/id/deal/x> a kg:Investment ; kg:status kg:Rumored } } ;\n"
                        + bump_version_update())
    assert not totals.current(article_copy)
    rows = run_named(article_copy, "facts-by-status", limit=None).to_python()
    assert rows == counted(article_copy, "facts-by-status")
    ingest(article_copy, force=True, paths=[_write(tmp_path, "fund.ttl", FUND)])   # the next ingest counts them whole
    assert_kept_as_counted(article_copy)


def test_a_judgement_carries_the_totals_to_the_next_version(article_copy):
    before = totals.tallies(article_copy)
    judge(article_copy, "https://kg.example.org/id/company/xiaomi", "https://kg.example.org/id/company/xpeng-motors",
          same=False)
    assert_kept_as_counted(article_copy)
    assert totals.tallies(article_copy) == before


def test_the_status_parameter_narrows_the_kept_totals(article_copy):
    rows = run_named(article_copy, "facts-by-status", {"status": "rumored"}).to_python()
    assert rows and {r["status"] for r in rows} == {"rumored"}
    assert rows == run_query(article_copy, named_query("facts-by-status").text.replace(
        "?s rdfs:label ?status .", '?s rdfs:label ?status . FILTER(?status = "rumored")')).to_python()


def test_the_totals_graph_is_not_listed_as_a_source(runner, article_store):
    rows = cli_json(runner, "sparql", "--name", "graphs", store=article_store)
    graphs = {r["graph"] for r in rows}
    assert TOTALS_GRAPH in graphs and DERIVED_GRAPH in graphs
    assert all(r["triples"] > 0 for r in rows)


def test_the_live_graphs_are_those_the_totals_query_counts():
    text = (ROOT / "kg" / "queries" / "totals" / "graphs.rq").read_text()
    values = re.search(r"VALUES \?graph \{([^}]*)\}", text).group(1).split()
    assert {v.replace("graph:", "https://kg.example.org/graph/") for v in values} == set(totals.LIVE_GRAPHS)


def test_the_kinds_are_those_facts_by_status_counts():
    text = named_query("facts-by-status").text
    values = re.search(r"VALUES \?k \{([^}]*)\}", text).group(1).split()
    assert tuple(v.replace("kg:", "https://kg.example.org/ontology#") for v in values) == totals.KINDS


@pytest.mark.parametrize("name", AGGREGATES)
def test_every_aggregate_has_a_totals_twin(name):
    q = named_query(name)
    assert q.totals and (ROOT / "kg" / "queries" / "totals" / f"{name}.rq").is_file()


def test_a_big_change_derived_whole_keeps_the_totals(article_copy, tmp_path, monkeypatch):
    from kg.ingest import pipeline

    monkeypatch.setattr(pipeline, "FULL_DERIVE_QUADS", 0)   # every change counts as big: derived whole
    ingest(article_copy, force=True, paths=[_write(tmp_path, "fund.ttl", FUND)])
    assert_kept_as_counted(article_copy)


def test_the_first_ingest_into_a_new_store_counts_its_totals(tmp_path):
    from kg.stores import open_store

    with open_store(tmp_path / "store", read_only=False) as store:
        ingest(store, force=True, paths=[_write(tmp_path, "fund.ttl", FUND)])
        assert_kept_as_counted(store)
        assert {r["kind"] for r in run_named(store, "facts-by-status").to_python()} == {"investment"}
