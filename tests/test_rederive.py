"""Incremental derivation by deal: each change gives what a full rebuild gives, and costs by the deals it changes."""

from __future__ import annotations

import pytest
from test_pipeline import derived, full_rebuild

from kg.ingest import ingest
from kg.ingest.rederive import changed_subjects, rederive, supported
from kg.rules import Deriver
from kg.stores import open_store

PREFIX = """@prefix kg: <https://kg.example.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix company: <https://kg.example.org/id/company/> .
@prefix person: <https://kg.example.org/id/person/> .
@prefix deal: <https://kg.example.org/id/deal/> .
"""
ONE = PREFIX + "deal:a1 a kg:Investment ; kg:investor company:hub ; kg:investee company:small ; kg:status kg:Completed .\n"
TWO = PREFIX + "deal:a2 a kg:Investment ; kg:investor company:hub ; kg:investee company:small ; kg:status kg:Completed .\n"
EDGE = ("<https://kg.example.org/id/company/hub>", "<https://kg.example.org/ontology#investedIn>",
        "<https://kg.example.org/id/company/small>")


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def store(article_copy):
    return article_copy


def test_an_edge_two_deals_support_stays_when_one_goes(store, tmp_path):
    one, two = _write(tmp_path, "one.ttl", ONE), _write(tmp_path, "two.ttl", TWO)
    ingest(store, force=True, paths=[one, two])
    assert EDGE in derived(store)
    one.write_text(PREFIX)            # the first source no longer states its deal
    ingest(store, force=True, paths=[one])
    assert EDGE in derived(store)
    assert derived(store) == full_rebuild(store)
    two.write_text(PREFIX)            # nor the second: the edge goes
    ingest(store, force=True, paths=[two])
    assert EDGE not in derived(store)
    assert derived(store) == full_rebuild(store)


def test_a_second_source_of_a_deal_flags_its_disagreement_and_a_fix_clears_it(store, tmp_path):
    other = TWO.replace("deal:a2", "deal:a1").replace("Completed", "Rumored")
    ingest(store, force=True, paths=[_write(tmp_path, "one.ttl", ONE), _write(tmp_path, "other.ttl", other)])
    flag = ("<https://kg.example.org/id/deal/a1>", "<https://kg.example.org/ontology#conflictOn>",
            "<https://kg.example.org/ontology#status>")
    assert flag in derived(store)
    ingest(store, force=True, paths=[_write(tmp_path, "other.ttl", other.replace("Rumored", "Completed"))])
    assert flag not in derived(store)
    assert derived(store) == full_rebuild(store)


def test_a_new_label_renames_only_its_node(store, tmp_path):
    ingest(store, force=True, paths=[_write(tmp_path, "label.ttl", PREFIX + 'company:xiaomi rdfs:label "Xiaomi Corp." .\n')])
    rows = store.query('SELECT ?k WHERE { GRAPH graph:derived { company:xiaomi kg:nameKey ?k } }')
    assert {r["k"].value for r in rows} >= {"xiaomi", "xiaomi corp"}
    assert derived(store) == full_rebuild(store)


def test_changed_subjects_finds_deals_by_class_in_any_graph_and_labelled_nodes(store):
    store.update('INSERT DATA { GRAPH <urn:x> { deal:xiaomi-invests-in-xpeng-2019 kg:status kg:Declined . '
                 'company:newco rdfs:label "Newco" } }')
    deals, labelled = changed_subjects(store, ["urn:x"])
    assert deals == {"https://kg.example.org/id/deal/xiaomi-invests-in-xpeng-2019"}
    assert labelled == {"https://kg.example.org/id/company/newco"}


def test_support_is_looked_up_among_the_deals_of_the_smaller_end():
    s = open_store("memory:")
    hub_deals = " ".join(f"deal:h{i} a kg:Investment ; kg:investor company:hub ; kg:investee company:c{i} ."
                         for i in range(200))
    s.update("INSERT DATA { GRAPH <urn:g> { " + hub_deals +
             " deal:x a kg:Investment ; kg:investor company:hub ; kg:investee company:c7 . } }")
    edge = ("https://kg.example.org/id/company/hub", "https://kg.example.org/ontology#investedIn",
            "https://kg.example.org/id/company/c7")
    d = Deriver()
    assert supported(s.raw, d, edge, changed={"https://kg.example.org/id/deal/x"})
    assert not supported(s.raw, d, edge, changed={"https://kg.example.org/id/deal/x",
                                                  "https://kg.example.org/id/deal/h7"})


def test_rederive_on_an_empty_change_writes_nothing():
    old, new = open_store("memory:"), open_store("memory:")
    rederive(old, new, set(), set())
    assert len(new) == 0
