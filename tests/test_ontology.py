"""The ontology and the shapes: complete, aligned, parseable; the IRI helpers."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.ontology import KG, OWL, RDF, RDFS, SKOS, compact, entity_iri, expand, ontology_quads, slugify
from kg.schema import load


@pytest.fixture(scope="module")
def onto():
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in ontology_quads("kg.ttl"))
    return store


def _ask(store, text):
    return bool(store.query(text))


def test_every_kg_term_has_label_and_definition(onto):
    rows = onto.query(f"""SELECT ?t WHERE {{ ?t a ?k . FILTER(STRSTARTS(STR(?t), "{KG}"))
        FILTER NOT EXISTS {{ ?t <{RDFS}label> ?l . ?t <{SKOS}definition> ?d }} }}""")
    assert [r["t"].value for r in rows] == []


@pytest.mark.parametrize("cls", ["Person", "Organization", "Company", "Investment", "Acquisition", "Partnership",
                                 "PartnerSearch", "Meeting", "Position", "Project", "Observation", "Source", "Evidence"])
def test_classes_are_aligned_with_public_vocabularies(onto, cls):
    supers = {r["s"].value for r in onto.query(f"SELECT ?s WHERE {{ <{KG}{cls}> <{RDFS}subClassOf>+ ?s }}")}
    assert any(s.startswith(("https://schema.org/", "http://www.w3.org/ns/prov#", "http://xmlns.com/foaf/",
                             "http://www.w3.org/ns/org#")) for s in supers), supers


def test_every_derived_relation_is_declared(onto):
    for name in load().relation_names + ("involvedIn",):
        assert _ask(onto, f"ASK {{ <{KG}{name}> a <{OWL}ObjectProperty> }}"), name


def test_symmetric_and_inverse_relations(onto):
    for name in ("partnerOf", "metWith"):
        assert _ask(onto, f"ASK {{ <{KG}{name}> a <{OWL}SymmetricProperty> }}")
    for name, inverse in (("investedIn", "hasInvestor"), ("acquired", "acquiredBy"), ("ceoOf", "hasCEO"),
                          ("founderOf", "hasFounder"), ("boardMemberOf", "hasBoardMember"),
                          ("involvedIn", "involves")):
        assert _ask(onto, f"ASK {{ <{KG}{name}> <{OWL}inverseOf> <{KG}{inverse}> }}")


def test_shapes_cover_every_class():
    shapes = ox.Store()
    shapes.extend(ox.Quad(q.subject, q.predicate, q.object) for q in ontology_quads("shapes.ttl"))
    targets = {r["c"].value for r in shapes.query(
        "SELECT ?c WHERE { ?s <http://www.w3.org/ns/shacl#targetClass> ?c }")}
    for cls in ("Agent", "Person", "Deal", "Investment", "Acquisition", "Partnership", "PartnerSearch", "Meeting",
                "Position", "Project", "Observation", "Source", "Evidence", "MonetaryAmount", "Concept"):
        assert KG + cls in targets, cls


def test_iri_helpers():
    assert slugify("Lei Jun") == "lei-jun"
    assert slugify("Škoda Auto a.s.") == "skoda-auto-a-s"
    assert slugify("小米") == "小米"
    assert entity_iri("company", "Xpeng Motors") == "https://kg.example.org/id/company/xpeng-motors"
    assert compact(KG + "Company") == "kg:Company"
    assert compact(entity_iri("company", "Xpeng Motors")) == "company:xpeng-motors"
    assert expand("kg:Company") == KG + "Company"
    assert expand("rdf:type") == RDF + "type"
