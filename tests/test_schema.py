"""kg.schema: the schema data checked against the ontology, IRI minting and short names,
and a relation added by schema and ontology alone (board membership), end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import cli_json, run_cli

from kg.errors import SchemaError
from kg.schema import (
    GRAPH,
    ID,
    IRI_KINDS,
    KG,
    compact,
    expand,
    load,
    mint,
    parse_iri,
    source_graph,
)

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "kg" / "schema.toml"


# -- the schema data ---------------------------------------------------------


def test_shipped_schema_matches_the_ontology():
    s = load()
    assert s.entity_class_names == ("Person", "Company", "Organization", "Project", "Concept")
    assert s.best_class(["Company", "Person"]) == "Person"
    assert s.best_class(["Organization", "Company"]) == "Company"
    assert s.status_names == ("rumored", "reported", "planned", "proposed", "declined", "completed")
    assert s.status_weights["completed"] == 1.0 and s.status_weights[None] == 0.85
    assert s.uncertain_statuses == ("rumored", "planned", "proposed", "declined")
    assert s.blocking_statuses == ("Declined",)
    assert "soughtPartnerKind" in s.role_names and "soughtPartnerKind" not in s.agent_roles
    assert s.symmetric_relations == {"partnerOf", "metWith"}
    assert s.subtypes("Agent") == {"Person", "Company", "Organization"} and s.subtypes("Organization") == {
        "Company", "Organization"}
    assert load() is s  # cached


def _broken(tmp_path, old: str, new: str) -> str:
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "schema.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("old, new, message", [
    ('name = "acquired"', 'name = "boughtOut"', "relation kg:boughtOut is not declared as owl:ObjectProperty"),
    ('name = "metWith"\ndeal = "Meeting"\nsubject = "participant"\nobject = "participant"\nsymmetric = true',
     'name = "metWith"\ndeal = "Meeting"\nsubject = "participant"\nobject = "participant"',
     "relation kg:metWith is not symmetric in the schema"),
    ('role = "CEO"', 'role = "Chairman"', "role concept kg:Chairman is not a kg:Concept"),
    ('subject = "investor"', 'subject = "buyer"', "kg:buyer is not a role of kg:Investment"),
    ('Meeting = ["participant"]', 'Meeting = ["participant", "investee"]', "role kg:investee has rdfs:domain"),
    ('{ name = "Rumored", weight = 0.35, uncertain = true },', "", "status kg:Rumored of ontology/kg.ttl is missing"),
    ('{ name = "Project", kind = "project" }', '{ name = "Product", kind = "product" }',
     "entity class kg:Product is not declared as owl:Class"),
    ('subject = "acquirer"', 'subject = "acquirer"\nsymetric = true', "unknown key(s) symetric"),
])
def test_an_inconsistent_schema_names_the_term(tmp_path, old, new, message):
    path = _broken(tmp_path, old, new)
    with pytest.raises(SchemaError, match=re.escape(message)) as err:
        load(path)
    assert str(err.value).startswith(path)


def test_a_schema_that_is_not_toml_names_the_file(tmp_path):
    path = tmp_path / "schema.toml"
    path.write_text("[relations\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="not valid TOML"):
        load(str(path))


# -- IRIs --------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(IRI_KINDS))
def test_mint_and_parse_are_inverse(kind):
    iri = mint(kind, "Société Générale", "2019 Q4")
    assert parse_iri(iri) == (kind, "societe-generale/2019-q4")


def test_one_scheme_for_sources_graphs_evidence_and_amounts():
    from kg.schema import amount_iri, deal_iri, evidence_iri, source_iri

    assert source_graph("background") == GRAPH + "source/background"
    assert source_iri("background") == ID + "source/background"
    assert evidence_iri("deals.csv", "12") == ID + "evidence/deals-csv/12"
    assert amount_iri(deal_iri("x"), "deals.csv") == ID + "amount/deals-csv/x"
    assert parse_iri(GRAPH + "derived") == ("graph", "derived")


@pytest.mark.parametrize("iri, short", [
    (ID + "company/xiaomi", "company:xiaomi"),
    (GRAPH + "source/background", "sourcegraph:background"),
    (GRAPH + "derived", "graph:derived"),
    (ID + "evidence/background/elon-musk-ceo-of-tesla", "evidence:background\\/elon-musk-ceo-of-tesla"),
    (ID + "deal/investment/xiaomi--xpeng--2019", "deal:investment\\/xiaomi--xpeng--2019"),
    (ID + "company/小米", "company:小米"),
    (ID + "fund/a", "id:fund\\/a"),
    (KG + "investedIn", "kg:investedIn"),
    ("urn:x:y", "<urn:x:y>"),
    (ID + "company/a b", f"<{ID}company/a b>"),
])
def test_compact_gives_prefixed_names_and_expand_reverses_it(iri, short):
    assert compact(iri) == short
    assert expand(short) == iri


def test_every_short_name_of_the_article_parses_back_in_kg_sparql(article_store):
    import pyoxigraph as ox

    from kg.stores import open_store

    with open_store(article_store, read_only=True) as s:
        iris = {t.value for r in s.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
                for t in r if isinstance(t, ox.NamedNode)}
        ordered = sorted(iris)
        shorts = [compact(i) for i in ordered]
        assert any(x.startswith("sourcegraph:") for x in shorts) and any(x.startswith("person:") for x in shorts)
        rows = " ".join(f"({n} {short})" for n, short in enumerate(shorts))
        got = {int(r["n"].value): r["x"].value for r in s.query(f"SELECT ?n ?x WHERE {{ VALUES (?n ?x) {{ {rows} }} }}")}
    assert [got[n] for n in range(len(ordered))] == ordered


def test_printed_short_names_paste_back_into_kg_sparql(runner, article_store):
    out = cli_json(runner, "sparql", "SELECT ?g WHERE { GRAPH ?g { ?s a kg:Source } }", store=article_store)
    shown = sorted(compact(r["g"]) for r in out)
    assert len(shown) >= 2 and all(x.startswith("sourcegraph:") for x in shown)
    for short in shown:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {short} {{ ?s ?p ?o }} }}"
        assert cli_json(runner, "sparql", q, store=article_store)[0]["n"] > 0


# -- a relation added by schema and ontology alone ---------------------------

BOARD = r"""
@prefix kg: <https://kg.example.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix person: <https://kg.example.org/id/person/> .
@prefix company: <https://kg.example.org/id/company/> .
@prefix deal: <https://kg.example.org/id/deal/> .
@prefix evidence: <https://kg.example.org/id/evidence/> .
@prefix source: <https://kg.example.org/id/source/> .

person:ann-lee a kg:Person ; rdfs:label "Ann Lee" .
company:acme a kg:Company ; rdfs:label "Acme" .
company:bolt a kg:Company ; rdfs:label "Bolt" .
source:board-minutes a kg:Source ; rdfs:label "Board minutes" .

deal:ann-lee-on-acme-board a kg:Position ;
    kg:holder person:ann-lee ; kg:organization company:acme ; kg:role kg:BoardMember ;
    kg:startDate "2019"^^xsd:gYear ; kg:endDate "2021-06"^^xsd:gYearMonth ;
    kg:status kg:Completed ; kg:evidence evidence:board-minutes\/1 .
deal:acme-invests-in-bolt a kg:Investment ;
    kg:investor company:acme ; kg:investee company:bolt ;
    kg:status kg:Reported ; kg:evidence evidence:board-minutes\/2 .
evidence:board-minutes\/1 a kg:Evidence ; kg:source source:board-minutes ;
    kg:quote "Ann Lee sat on the board of Acme from 2019 until June 2021." .
evidence:board-minutes\/2 a kg:Evidence ; kg:source source:board-minutes ;
    kg:quote "Acme invested in Bolt." .
"""


@pytest.fixture
def board_store(runner, tmp_path) -> str:
    ttl = tmp_path / "board.ttl"
    ttl.write_text(BOARD, encoding="utf-8")
    store = str(tmp_path / "store")
    run_cli(runner, "ingest", str(ttl), store=store)
    return store


def test_board_membership_is_in_schema_ontology_and_shapes():
    import pyoxigraph as ox

    from kg.ontology import ontology_quads

    [rel] = [r for r in load().relations if r.name == "boardMemberOf"]
    assert (rel.deal_class, rel.subject_role, rel.object_role, rel.role) == ("Position", "holder", "organization",
                                                                             "BoardMember")
    shapes = ox.Store()
    shapes.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ontology_quads("shapes.ttl"))
    assert shapes.query(f"ASK {{ ?s <http://www.w3.org/ns/shacl#path> <{KG}boardMemberOf> }}")


def test_board_membership_end_to_end(runner, board_store, tmp_path):
    rows = cli_json(runner, "sparql", "SELECT ?o WHERE { person:ann-lee kg:boardMemberOf ?o }", store=board_store)
    assert rows == [{"o": ID + "company/acme"}]

    info = cli_json(runner, "show", "Ann Lee", store=board_store)
    assert [(f["relation"], f["direction"], f["other_label"]) for f in info["facts"]] == [
        ("boardMemberOf", "out", "Acme")]
    assert "boardMemberOf" in run_cli(runner, "show", "Acme", store=board_store).output

    out = cli_json(runner, "path", "Ann Lee", "Bolt", "--via", "boardMemberOf,investedIn", store=board_store)
    [hop, _] = out["paths"][0]["hops"]
    assert (hop["statement"], hop["date"], hop["status"]) == ("Ann Lee boardMemberOf Acme", "2019", "completed")
    assert run_cli(runner, "path", "Ann Lee", "Bolt", "--via", "investedIn", store=board_store, ok=False).exit_code

    page = tmp_path / "board.html"
    run_cli(runner, "viz", "--focus", "Ann Lee", "--depth", "2", "-o", str(page), store=board_store)
    html = page.read_text(encoding="utf-8")
    assert re.search(r'"name":\s*"boardMemberOf"', html)  # the legend and the relation filter

    assert cli_json(runner, "validate", store=board_store)["conforms"] is True


def test_board_membership_shape_rejects_a_board_seat_in_a_concept(runner, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(BOARD.split("person:ann-lee a")[0] + """
person:bob a kg:Person ; rdfs:label "Bob" ; kg:boardMemberOf <https://kg.example.org/id/concept/boards> .
<https://kg.example.org/id/concept/boards> a kg:Concept ; rdfs:label "boards" .
""", encoding="utf-8")
    res = run_cli(runner, "ingest", str(bad), store=str(tmp_path / "store"), ok=False)
    assert res.exit_code != 0 and "kg:boardMemberOf links a person to a kg:Organization" in res.output


def test_board_membership_derived_in_bulk_and_csv_as_in_the_rebuild(tmp_path):
    from kg.ingest import ingest
    from kg.rules import derive
    from kg.stores import open_store

    ttl = tmp_path / "board.ttl"
    ttl.write_text(BOARD, encoding="utf-8")
    q = f"SELECT ?s ?o WHERE {{ GRAPH <{GRAPH}derived> {{ ?s kg:boardMemberOf ?o }} }}"
    with open_store(str(tmp_path / "store"), read_only=False) as s:
        ingest(s, [ttl], options={"bulk": True})
        bulk = {(r["s"].value, r["o"].value) for r in s.query(q)}
        derive(s)
        assert bulk == {(r["s"].value, r["o"].value) for r in s.query(q)} == {
            (ID + "person/ann-lee", ID + "company/acme")}

    import yaml

    mapping = tmp_path / "seats.yaml"
    mapping.write_text(yaml.safe_dump({"class": "Position", "status": "Completed",
                                       "roles": {"holder": {"column": "person", "class": "Person", "kind": "person"},
                                                 "organization": {"column": "company", "class": "Company"}},
                                       "role": {"column": "title", "map": {"board member": "BoardMember"}}}))
    seats = tmp_path / "seats.csv"
    seats.write_text("person,company,title\nAnn Lee,Acme,Board member\n", encoding="utf-8")
    with open_store(str(tmp_path / "csv-store"), read_only=False) as s:
        ingest(s, [seats], options={"mapping": str(mapping)})
        assert {(r["s"].value, r["o"].value) for r in s.query(q)} == {(ID + "person/ann-lee", ID + "company/acme")}
