"""Derived edges from deal nodes."""

from __future__ import annotations

import pytest

from kg.ontology import DERIVED_GRAPH
from kg.rules import RELATIONS, derive_update
from kg.stores import open_store

ID = "https://kg.example.org/id/"


@pytest.fixture(scope="module")
def derived(article_store):
    with open_store(article_store, read_only=True) as s:
        rows = s.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}")
        return {(r["s"].value.removeprefix(ID), r["p"].value.split("#")[1], r["o"].value.removeprefix(ID))
                for r in rows if isinstance(r["o"].value, str)}


def test_article_edges(derived):
    expected = {
        ("company/xiaomi", "investedIn", "company/xpeng-motors"),
        ("person/lei-jun", "ceoOf", "company/xiaomi"),
        ("person/lei-jun", "founderOf", "company/xiaomi"),
        ("person/elon-musk", "ceoOf", "company/tesla"),
        ("person/lei-jun", "metWith", "person/elon-musk"),
        ("person/elon-musk", "metWith", "person/lei-jun"),
        ("company/apple", "seeksPartner", "concept/car-manufacturer"),
        ("company/xiaomi", "seeksPartner", "concept/car-manufacturer"),
    }
    assert expected <= derived


def test_declined_deal_gives_no_edge_but_involvement(derived):
    assert not any(p == "partnerOf" for _s, p, _o in derived)
    assert ("company/xpeng-motors", "involvedIn", "deal/xiaomi-xpeng-car-partnership-2019") in derived


def test_name_keys_fold_case_and_punctuation(derived):
    keys = {o for s, p, o in derived if p == "nameKey" and s == "company/tesla"}
    assert keys == {"tesla", "tesla inc", "tesla motors"}


def test_rules_table_matches_the_update():
    text = derive_update()
    for r in RELATIONS:
        assert f"<{r.iri}>" in text


def test_rebuild_is_idempotent(tmp_path, article_store):
    import shutil

    loc = tmp_path / "s"
    shutil.copytree(article_store, loc)
    with open_store(loc, read_only=False) as s:
        before = s.dump("nquads", DERIVED_GRAPH)
        s.update(derive_update())
        assert s.dump("nquads", DERIVED_GRAPH) == before
