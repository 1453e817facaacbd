"""SHACL validation, compiled to SPARQL: of data, of data against a store, and of the whole store."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import DATA

from kg.errors import ValidationError
from kg.ingest import Batch
from kg.ontology import ID, KG, PREFIXES, compact, expand
from kg.stores import open_store
from kg.validate import (
    check_batches,
    compile_shapes,
    validate_graphs,
    validate_store,
    validate_triples,
)

HEAD = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()) + f"@base <{ID}> .\n"


def _triples(path):
    with open(path, "rb") as fh:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(fh, format=ox.RdfFormat.TURTLE)]


def _ttl(text: str) -> list:
    return [ox.Triple(t.subject, t.predicate, t.object)
            for t in ox.parse(HEAD + text, format=ox.RdfFormat.TURTLE)]


GOOD_DEAL = """
<company/a> a kg:Company ; rdfs:label "A" .
<company/b> a kg:Company ; rdfs:label "B" .
<source/s> a kg:Source .
<ev/1> a kg:Evidence ; kg:source <source/s> ; kg:quote "A invested in B." .
<deal/1> a kg:Investment ; kg:investor <company/a> ; kg:investee <company/b> ;
    kg:status kg:Reported ; kg:evidence <ev/1> ; kg:date "2019"^^xsd:gYear .
"""


def _pairs(report) -> set[tuple[str, str]]:
    """(focus, path) of each result, the focus relative to ``id:`` (``deal/1``)."""
    return {(expand(r["focus"]).removeprefix(ID), r["path"]) for r in report.rows}


def test_article_store_conforms(article_store):
    with open_store(article_store, read_only=True) as s:
        assert validate_store(s).conforms


def test_violations_name_focus_path_and_reason():
    report = validate_triples(_triples(DATA / "violating.ttl"))
    assert not report.conforms
    by_path = {r["path"]: r for r in report.rows}
    assert by_path["kg:investee"]["focus"] == compact(ID + "deal/bad-investment")
    assert "ISO 4217" in by_path["kg:currency"]["message"]
    assert by_path["kg:date"]["value"] == "3201"
    line = f"{compact(ID + 'deal/bad-investment')} kg:investee: an investment needs exactly one investee"
    assert any(v.startswith(line) for v in report.violations)


def test_valid_data_referring_to_unknown_entity_type_fails():
    report = validate_triples(_triples(DATA / "acme.ttl"))
    assert any("investee" in v for v in report.violations)


def test_good_deal_conforms():
    assert validate_triples(_ttl(GOOD_DEAL)).conforms


@pytest.mark.parametrize("extra, focus, path", [
    ('<deal/1> kg:status kg:Completed .', "deal/1", "kg:status"),                 # maxCount
    ('<deal/1> kg:status kg:investor .', "deal/1", "kg:status"),                  # sh:in
    ('<deal/1> kg:date "2019-13"^^xsd:gYearMonth .', "deal/1", "kg:date"),       # sh:node → sh:or, pattern
    ('<deal/1> kg:investee <ev/1> .', "deal/1", "kg:investee"),                 # sh:class
    ('<company/a> kg:country "de" .', "company/a", "kg:country"),                # pattern
    ('<company/a> a kg:Person .', "company/a", ""),                              # sh:not
    ('<ev/1> kg:start 9 ; kg:end 3 .', "ev/1", "kg:start"),                      # lessThan
    ('<ev/1> kg:confidence 1.5 .', "ev/1", "kg:confidence"),                     # maxInclusive
    ('<ev/1> kg:quote "" .', "ev/1", "kg:quote"),                                # minLength (and maxCount)
    ('<m/1> a kg:Meeting ; kg:participant <company/a> ; kg:status kg:Reported ; kg:evidence <ev/1> .',
     "m/1", "kg:participant"),                                                    # minCount 2
    ('<x/1> a kg:Concept .', "x/1", ""),                                         # sh:or of properties
    ('<company/a> skos:altLabel <company/b> .', "company/a", "skos:altLabel"),  # nodeKind
    ('<amt/1> a kg:MonetaryAmount ; kg:value -5 ; kg:currency "USD" .', "amt/1", "kg:value"),
])
def test_each_kind_of_constraint_is_checked(extra, focus, path):
    report = validate_triples(_ttl(GOOD_DEAL + extra))
    assert (focus, path) in _pairs(report), report.violations


def test_missing_required_value_is_reported_without_a_value():
    report = validate_triples(_ttl(GOOD_DEAL.replace("kg:status kg:Reported ;", "")))
    [row] = report.rows
    assert (expand(row["focus"]), row["path"], row["value"]) == (ID + "deal/1", "kg:status", "")
    assert row["message"] == "a deal needs exactly one status from kg:StatusScheme"


def test_every_shape_compiles_to_sparql():
    checks = compile_shapes()
    shapes = {c.shape.split("#")[1] for c in checks}
    assert {"DealShape", "InvestmentShape", "AgentShape", "PersonShape", "ConceptShape", "EvidenceShape"} <= shapes
    assert all(c.sparql().startswith("SELECT DISTINCT ?f ?v WHERE") for c in checks)


@pytest.fixture
def store_with_deal(tmp_path):
    with open_store(str(tmp_path / "store"), read_only=False) as s:
        g = ox.NamedNode("https://kg.example.org/graph/source/one")
        s.raw.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in _ttl(GOOD_DEAL))
        yield s


def _batch(text: str) -> Batch:
    return Batch(graph="https://kg.example.org/graph/source/two", triples=_ttl(text), source="two.ttl")


def test_new_data_may_link_to_entities_the_store_describes(store_with_deal):
    new = """<deal/2> a kg:Acquisition ; kg:acquirer <company/a> ; kg:target <company/b> ;
                 kg:status kg:Rumored ; kg:evidence <ev/1> ."""
    assert check_batches([_batch(new)], store=store_with_deal) == []
    with pytest.raises(ValidationError, match="exactly one target"):
        check_batches([_batch(new)], store=None)


def test_new_data_is_checked_with_what_the_store_says_about_its_subjects(store_with_deal):
    # Another source may give the deal another status (a conflict, kept); one source may not give two.
    assert check_batches([_batch("<deal/1> kg:status kg:Completed .")], store=store_with_deal) == []
    with pytest.raises(ValidationError, match="exactly one status"):
        check_batches([_batch("<deal/1> kg:status kg:Completed , kg:Rumored .")], store=store_with_deal)
    with pytest.raises(ValidationError, match="exactly one target"):
        check_batches([_batch("<deal/1> a kg:Acquisition .")], store=store_with_deal)
    found = check_batches([_batch("<deal/1> kg:status kg:Completed , kg:Rumored .")], store=store_with_deal,
                          force=True)
    assert [v.split(" ", 1)[1] for v in found] == ["kg:status: a deal needs exactly one status from kg:StatusScheme"]


def test_only_the_new_data_is_checked(store_with_deal):
    # A broken node already in the store is not the new data's fault.
    store_with_deal.update("INSERT DATA { GRAPH <urn:g> { <urn:bad> a kg:Person } }")
    assert check_batches([_batch('<company/b> kg:country "CN" .')], store=store_with_deal) == []
    assert not validate_store(store_with_deal).conforms


def test_large_batches_are_validated_too():
    body = "".join(f'<company/c{i}> a kg:Company ; rdfs:label "C{i}" .\n' for i in range(5000))
    report = validate_triples(_ttl(body + '<company/c4999> kg:country "Germany" .'))
    assert [r["focus"] for r in report.rows] == [compact(ID + "company/c4999")]


def test_validate_graphs_checks_the_subjects_of_the_given_graphs(store_with_deal):
    assert validate_graphs(store_with_deal, ["https://kg.example.org/graph/source/one"]).conforms
    store_with_deal.update(f"INSERT DATA {{ GRAPH <urn:g2> {{ <{KG}x> a kg:Person }} }}")
    report = validate_graphs(store_with_deal, ["urn:g2"])
    assert {(r["focus"], r["path"]) for r in report.rows} == {("kg:x", "rdfs:label")}


@pytest.mark.parametrize("whole", [False, True])
def test_validate_graphs_whole_store_keeps_only_the_graphs_nodes(store_with_deal, whole):
    store_with_deal.update(f"INSERT DATA {{ GRAPH <urn:g2> {{ <{KG}x> a kg:Person }} GRAPH <urn:g3> {{ <{KG}y> a kg:Person }} }}")
    report = validate_graphs(store_with_deal, ["urn:g2"], whole=whole)
    assert {(r["focus"], r["path"]) for r in report.rows} == {("kg:x", "rdfs:label")}


BROKEN = """
<p/1> a kg:Project ; rdfs:label "P" ; kg:evidence <company/a> .
<o/1> a kg:Observation ; kg:subject <company/a> ; kg:metric "m" ; kg:value 5 .
<deal/2> a kg:Acquisition ; kg:acquirer <company/a> ; kg:target <company/b> ; kg:status kg:Rumored ;
    kg:evidence <company/b> ; kg:amount [ a kg:MonetaryAmount ; kg:value -1 ; kg:currency "USD"@en ] .
<company/a> kg:country "DE"^^xsd:token ; kg:wikidata "Q1"@en .
<ev/1> kg:quote "a quote long enough to be stored apart from its node"@en .
"""


def _store(groups: dict) -> object:
    store = open_store("memory:")
    for graph, text in groups.items():
        store.raw.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in _ttl(text))
    return store


def test_checks_that_read_the_same_data_share_one_query():
    from kg.validate import _scans

    checks = compile_shapes()
    groups = _scans(checks)
    assert len(groups) < len(checks)
    # Every property that must point at a kg:Agent is read in one query with the members of kg:Agent.
    agents = next(g for g in groups if any(c.path == KG + "investor" and c.guarded for c in g))
    assert {compact(c.path) for c in agents} >= {"kg:investor", "kg:acquirer", "kg:partner", "kg:participant"}


def test_shared_queries_report_each_result_on_its_own_shape():
    report = validate_store(_store({"urn:g": GOOD_DEAL + BROKEN}))
    found = {(expand(r["focus"]).removeprefix(ID), r["path"], r["message"]) for r in report.rows}
    assert ("p/1", "kg:evidence", "a value of kg:evidence is not a kg:Evidence") in found
    assert ("deal/2", "kg:evidence", "a deal needs evidence (kg:evidence → kg:Evidence)") in found
    assert ("o/1", "kg:evidence", "needs at least 1 value(s)") in found
    # The project is not a deal, the deal not a project: each result is on its own shape only.
    assert not any(f == "p/1" and "deal" in m for f, _, m in found)
    assert not any(f == "deal/2" and m.startswith("a value of") for f, _, m in found)
    values = {(r["path"], r["value"]) for r in report.rows if r["focus"].startswith("_:")}
    assert values == {("kg:value", "-1"), ("kg:currency", "USD")}


def test_indexed_run_and_one_query_per_check_agree():
    # A remote store gets one SELECT per check (kg.validate._run); an embedded one shares scans.
    from kg.validate import _run

    store = _store({"urn:g": GOOD_DEAL + BROKEN, "urn:h": '<deal/1> kg:status kg:Completed , kg:Rumored .'})
    per_check = _run(store.query)
    assert per_check.rows == validate_store(store).rows
    assert len(per_check.rows) >= 9


def test_max_count_is_per_source_graph():
    two = _store({"urn:g": GOOD_DEAL, "urn:h": "<deal/1> kg:status kg:Completed ."})
    assert validate_store(two).conforms
    one = _store({"urn:g": GOOD_DEAL + "<deal/1> kg:status kg:Completed ."})
    assert [r["path"] for r in validate_store(one).rows] == ["kg:status"]


def test_string_facets_accept_only_plain_strings():
    report = validate_triples(_ttl(GOOD_DEAL + BROKEN))
    bad = {(r["path"], r["value"]) for r in report.rows}
    assert {("kg:country", "DE"), ("kg:wikidata", "Q1"), ("kg:quote", "a quote long enough to be stored apart from its node")} <= bad
    assert validate_triples(_ttl(GOOD_DEAL + '<company/a> kg:country "DE" ; kg:wikidata "Q1" .')).conforms
