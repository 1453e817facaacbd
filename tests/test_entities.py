"""Finding entities by name and describing them."""

from __future__ import annotations

import pytest

from kg.entities import describe, fact_rows, find_entity, list_entities, search, suggest
from kg.errors import KgError, UnknownEntityError
from kg.stores import open_store

ID = "https://kg.example.org/id/"


@pytest.fixture(scope="module")
def store(article_store):
    with open_store(article_store, read_only=True) as s:
        yield s


@pytest.mark.parametrize("name,iri", [
    ("Xiaomi", "company/xiaomi"), ("xiaomi", "company/xiaomi"), ("  XIAOMI ", "company/xiaomi"),
    ("Lee Jun", "person/lei-jun"), ("John", "person/lei-jun"), ("雷军", "person/lei-jun"),
    ("Xpeng", "company/xpeng-motors"), ("XPeng Inc.", "company/xpeng-motors"), ("tesla, inc", "company/tesla"),
    ("id:company/apple", "company/apple"), (ID + "person/elon-musk", "person/elon-musk"),
])
def test_find_entity(store, name, iri):
    assert find_entity(store, name) == ID + iri


def test_unknown_entity_suggests_nearest(store):
    with pytest.raises(UnknownEntityError) as err:
        find_entity(store, "Elon Mask")
    assert err.value.suggestions[0] == "Elon Musk"
    assert suggest(store, "Volkswagon")[0] == "Volkswagen"
    with pytest.raises(UnknownEntityError, match="try 'kg search'"):
        find_entity(store, "Nonexistent Corporation Of Nowhere")


def test_ambiguous_name_is_an_error():
    import pyoxigraph as ox

    with open_store("memory:") as s:
        from kg.rules import derive

        lbl = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        typ = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        s.replace_graphs({"urn:g": [
            ox.Triple(ox.NamedNode(ID + "company/a1"), lbl, ox.Literal("Acme")),
            ox.Triple(ox.NamedNode(ID + "company/a1"), typ, ox.NamedNode("https://kg.example.org/ontology#Company")),
            ox.Triple(ox.NamedNode(ID + "company/a2"), lbl, ox.Literal("ACME")),
            ox.Triple(ox.NamedNode(ID + "company/a2"), typ, ox.NamedNode("https://kg.example.org/ontology#Company")),
        ]})
        derive(s)
        with pytest.raises(KgError, match="ambiguous"):
            find_entity(s, "acme")


def test_describe_xiaomi(store):
    info = describe(store, ID + "company/xiaomi")
    assert info["type"] == "Company" and "小米" in info["aliases"]
    rels = {(f["relation"], f["direction"], f["other_label"], f["status"]) for f in info["facts"]}
    assert ("investedIn", "out", "Xpeng Motors", "completed") in rels
    assert ("ceoOf", "in", "Lei Jun", "reported") in rels
    assert ("partnerOf", "both", "Xpeng Motors", "declined") in rels
    assert ("seeksPartner", "out", "car manufacturer", "rumored") in rels
    metrics = {o["metric"] for o in info["observations"]}
    assert "autonomous driving technology shown" in metrics
    rows = fact_rows(info)
    assert any(r["relation"] == "→ investedIn" and r["amount"] == "~400,000,000 USD" for r in rows)


def test_search_ranks_exact_then_prefix_then_fuzzy(store):
    hits = search(store, "musk")
    assert hits[0]["label"] == "Elon Musk" and hits[0]["matched"] == "Musk" and hits[0]["score"] == 1.0
    assert search(store, "Volkswagn")[0]["label"] == "Volkswagen"


def test_list_entities_by_type(store):
    companies = list_entities(store, types=["Company"])
    assert [c["label"] for c in companies] == ["Apple", "Tesla", "Volkswagen", "Xiaomi", "Xpeng Motors"]
    xiaomi = next(c for c in companies if c["label"] == "Xiaomi")
    assert xiaomi["deals"] >= 5
    with pytest.raises(KgError, match="unknown type"):
        list_entities(store, types=["Fish"])
