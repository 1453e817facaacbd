"""The curated article graph: every fact of the article is there, with exact evidence."""

from __future__ import annotations

import pytest
from conftest import ARTICLE

from kg.formats import to_python
from kg.stores import open_store

TEXT = ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def store(article_store):
    with open_store(article_store, read_only=True) as s:
        yield s


def rows(store, sparql, **params):
    import pyoxigraph as ox

    bound = {k: ox.NamedNode(v) if v.startswith("https://") else ox.Literal(v) for k, v in params.items()}
    return [{k: to_python(v) for k, v in zip([x.value for x in r_vars], r, strict=False)} for r_vars, r in _iter(store.query(sparql, bound))]


def _iter(result):
    variables = result.variables
    for sol in result:
        yield variables, [sol[v] for v in variables]


def ask(store, sparql) -> bool:
    return bool(store.query(sparql))


def test_every_quote_matches_its_offsets(store):
    evidence = rows(store, """SELECT ?ev ?quote ?start ?end WHERE {
        ?ev kg:source id:source/xiaomi-electric-car ; kg:quote ?quote ; kg:start ?start ; kg:end ?end }""".replace(
        "id:source/xiaomi-electric-car", "<https://kg.example.org/id/source/xiaomi-electric-car>"))
    assert len(evidence) >= 14
    for ev in evidence:
        assert TEXT[ev["start"]:ev["end"]] == ev["quote"], ev["ev"]


def test_every_deal_has_status_and_evidence(store):
    missing = rows(store, """SELECT ?d WHERE { ?d a ?c . ?c rdfs:subClassOf kg:Deal .
        FILTER NOT EXISTS { ?d kg:status ?s } }""")
    assert missing == []
    no_evidence = rows(store, """SELECT ?d WHERE { ?d a ?c . ?c rdfs:subClassOf kg:Deal .
        FILTER NOT EXISTS { ?d kg:evidence/kg:source ?s } }""")
    assert no_evidence == []


def test_lei_jun_is_founder_and_ceo_with_aliases(store):
    assert ask(store, "ASK { id:person/lei-jun kg:ceoOf id:company/xiaomi ; kg:founderOf id:company/xiaomi }"
               .replace("id:person/lei-jun", "<https://kg.example.org/id/person/lei-jun>")
               .replace("id:company/xiaomi", "<https://kg.example.org/id/company/xiaomi>"))
    aliases = {r["a"] for r in rows(store, "SELECT ?a WHERE { <https://kg.example.org/id/person/lei-jun> skos:altLabel ?a }")}
    assert {"Lee Jun", "John"} <= aliases


def test_investment_keeps_amount_precision_and_year(store):
    [inv] = rows(store, """SELECT ?value ?currency ?approx ?date (DATATYPE(?date) AS ?dt) ?status WHERE {
        ?d a kg:Investment ; kg:investor <https://kg.example.org/id/company/xiaomi> ;
           kg:investee <https://kg.example.org/id/company/xpeng-motors> ; kg:date ?date ; kg:status ?status ;
           kg:amount [ kg:value ?value ; kg:currency ?currency ; kg:approximate ?approx ] }""")
    assert inv["value"] == 400_000_000
    assert inv["currency"] == "USD"
    assert inv["approx"] is True
    assert inv["date"] == "2019"
    assert inv["dt"].endswith("#gYear")
    assert inv["status"].endswith("#Completed")


def test_declined_partnership_is_kept_but_not_derived(store):
    [p] = rows(store, """SELECT ?d ?by WHERE { ?d a kg:Partnership ; kg:status kg:Declined ;
        kg:partner <https://kg.example.org/id/company/xiaomi>, <https://kg.example.org/id/company/xpeng-motors> ;
        kg:declinedBy ?by }""")
    assert p["by"].endswith("/person/lei-jun")
    assert not ask(store, "ASK { <https://kg.example.org/id/company/xiaomi> kg:partnerOf ?x }")


@pytest.mark.parametrize("seeker,status", [("company/xiaomi", "Reported"), ("company/apple", "Rumored")])
def test_partner_searches_for_a_car_manufacturer(store, seeker, status):
    found = rows(store, f"""SELECT ?d WHERE {{ ?d a kg:PartnerSearch ; kg:seeker <https://kg.example.org/id/{seeker}> ;
        kg:soughtPartnerKind <https://kg.example.org/id/concept/car-manufacturer> ; kg:status kg:{status} }}""")
    assert found


def test_apple_car_is_rumored_and_xiaomi_car_planned(store):
    assert ask(store, "ASK { <https://kg.example.org/id/project/apple-electric-car> kg:status kg:Rumored }")
    assert ask(store, "ASK { <https://kg.example.org/id/project/xiaomi-electric-car> kg:status kg:Planned ; "
                      "kg:owner <https://kg.example.org/id/company/xiaomi> }")


def test_meeting_with_musk_in_2013_and_musk_ceo_in_background(store):
    [m] = rows(store, """SELECT ?d ?date WHERE { ?d a kg:Meeting ; kg:participant <https://kg.example.org/id/person/lei-jun>,
        <https://kg.example.org/id/person/elon-musk> ; kg:date ?date }""")
    assert m["date"] == "2013"
    quotes = {r["q"] for r in rows(store, "SELECT ?q WHERE { ?d kg:evidence/kg:quote ?q }", d=m["d"])}
    assert "John's meeting with Musk took place in 2013." in quotes
    [g] = rows(store, """SELECT ?g WHERE { GRAPH ?g { ?p a kg:Position ; kg:holder <https://kg.example.org/id/person/elon-musk> ;
        kg:organization <https://kg.example.org/id/company/tesla> ; kg:role kg:CEO } }""")
    assert g["g"] == "https://kg.example.org/graph/source/background"


@pytest.mark.parametrize("subject,value,period,approx", [
    ("company/xpeng-motors", 326, "2020-Q4", False),
    ("company/tesla", 500000, "2020", True),
    ("company/volkswagen", 220220, "2020", False),
    ("concept/electric-car-market", 580000, "2015", False),
    ("concept/electric-car-market", 3100000, "2020", False),
])
def test_observations(store, subject, value, period, approx):
    found = rows(store, f"""SELECT ?v ?approx WHERE {{ ?o a kg:Observation ; kg:subject <https://kg.example.org/id/{subject}> ;
        kg:value ?v ; kg:period ?p . OPTIONAL {{ ?o kg:approximate ?a }} BIND(COALESCE(?a, false) AS ?approx)
        FILTER(STR(?p) = "{period}") }}""")
    assert [(r["v"], r["approx"]) for r in found] == [(value, approx)]


def test_statista_reports_world_sales(store):
    assert ask(store, """ASK { ?o kg:subject <https://kg.example.org/id/concept/electric-car-market> ;
        kg:reportedBy <https://kg.example.org/id/organization/statista> }""")


def test_xpeng_plans_europe_and_xiaomi_autonomy_gap(store):
    assert ask(store, "ASK { ?p a kg:Project ; kg:owner <https://kg.example.org/id/company/xpeng-motors> ; kg:status kg:Planned }")
    assert ask(store, """ASK { ?o kg:subject <https://kg.example.org/id/company/xiaomi> ; kg:value false .
        ?s a kg:PartnerSearch ; kg:seeker <https://kg.example.org/id/company/xiaomi> ; kg:status kg:Rumored }""")
