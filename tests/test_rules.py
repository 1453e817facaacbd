"""Derived edges from deal nodes."""

from __future__ import annotations

import pytest

from kg.rules import derive_constructs, derive_update
from kg.schema import DERIVED_GRAPH, KG, ONTOLOGY_GRAPH, load
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
    for r in load().relations:
        assert f"<{r.iri}>" in text


def test_rebuild_is_idempotent(tmp_path, article_store):
    import shutil

    loc = tmp_path / "s"
    shutil.copytree(article_store, loc)
    with open_store(loc, read_only=False) as s:
        before = s.dump("nquads", DERIVED_GRAPH)
        s.update(derive_update())
        assert s.dump("nquads", DERIVED_GRAPH) == before


#: What the derived graph holds besides the rules' output: the conflict flags of kg.disagreement.
FLAGS = frozenset({KG + "conflictOn"})


def _derived_set(store, exclude=()) -> set:
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}")
    return {(r["s"].value, r["p"].value, r["o"].value) for r in rows if r["p"].value not in exclude}


def test_the_construct_twins_give_what_the_update_inserts(article_store):
    with open_store(article_store, read_only=True) as s:
        expected = _derived_set(s, exclude=FLAGS)
        got = {(t.subject.value, t.predicate.value, t.object.value) for q in derive_constructs() for t in s.query(q)}
    assert got == expected and len(expected) > 50


def _deals(store) -> dict:
    """Per deal: its classes, roles, role concepts and whether a blocking status holds, read from the store."""
    blocking = {KG + b for b in load().blocking_statuses}
    deals: dict = {}
    q = f"""SELECT ?d ?p ?o WHERE {{ GRAPH ?g {{ ?d ?p ?o }} FILTER(?g != <{DERIVED_GRAPH}> && ?g != <{ONTOLOGY_GRAPH}>)
            FILTER(?p IN (rdf:type, kg:role, kg:status) || STRSTARTS(STR(?p), STR(kg:))) }}"""
    for r in store.query(q):
        d = deals.setdefault(r["d"].value, {"classes": set(), "roles": {}, "concepts": set(), "blocked": False})
        p, o = r["p"].value, r["o"].value
        if p.endswith("#type"):
            d["classes"].add(o)
        elif p == KG + "role":
            d["concepts"].add(o)
        elif p == KG + "status":
            d["blocked"] |= o in blocking
        else:
            d["roles"].setdefault(p, []).append(o)
    return deals


def test_the_python_deriver_gives_what_the_update_inserts(article_store):
    from kg.rules import Deriver

    rules = Deriver()
    with open_store(article_store, read_only=True) as s:
        expected = _derived_set(s, exclude=FLAGS | {KG + "nameKey"})
        deals = _deals(s)
    got = set()
    for iri, d in deals.items():
        if not d["blocked"]:
            got |= set(rules.edges(d["classes"], d["roles"], d["concepts"]))
        roles = {p: [v for v in vs if v.startswith("http")] for p, vs in d["roles"].items()}
        got |= {(a, KG + "involvedIn", iri) for a in rules.involved(roles)}
    assert got == expected and any(p == KG + "investedIn" for _s, p, _o in got)


def test_python_name_key_matches_the_sparql_rule():
    import pyoxigraph as ox

    from kg.resolve import name_key
    from kg.rules import derive

    labels = ["Xiaomi, Inc.", "  Lei   Jun ", "ÉCOLE_polytechnique", "小米科技", "--", "ΣΟΦΙΑΣ", "a\tb\nc", "1-2-3 Go!"]
    with open_store("memory:", read_only=False) as s:
        g = ox.NamedNode("urn:g")
        for i, label in enumerate(labels):
            s.raw.add(ox.Quad(ox.NamedNode(f"urn:e{i}"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                              ox.Literal(label), g))
        derive(s)
        got = {r["e"].value: r["k"].value for r in s.query("SELECT ?e ?k WHERE { ?e kg:nameKey ?k }")}
    assert got == {f"urn:e{i}": name_key(label) for i, label in enumerate(labels)}


PREFIX = """@prefix kg: <https://kg.example.org/ontology#> .
@prefix company: <https://kg.example.org/id/company/> .
@prefix person: <https://kg.example.org/id/person/> .
@prefix deal: <https://kg.example.org/id/deal/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
# A new investment with two investors, a board seat, a position with no role,
# a second role on an article deal, a literal participant, a self-investment,
# and labels with punctuation; then a status that declines an article deal.
NEW = PREFIX + """
deal:n1 a kg:Investment ; kg:investor company:acme , company:beta ; kg:investee company:xpeng-motors .
deal:n2 a kg:Position ; kg:holder person:ann ; kg:organization company:acme ; kg:role kg:BoardMember .
deal:n3 a kg:Position ; kg:holder person:ann ; kg:organization company:beta .
deal:xiaomi-invests-in-xpeng-2019 kg:investor company:acme .
deal:n4 a kg:Meeting ; kg:participant person:ann , person:bob , "a note" .
deal:n5 a kg:Investment ; kg:investor company:acme ; kg:investee company:acme .
company:acme rdfs:label "ACME, Inc. (Ünïcödé) 3rd_gen" .
"""
DECLINES = PREFIX + "deal:xiaomi-invests-in-xpeng-2019 kg:status kg:Declined .\n"


@pytest.mark.parametrize("text", [NEW, DECLINES], ids=["new", "declines"])
def test_rebuilding_the_touched_nodes_equals_a_full_rebuild(tmp_path, article_store, text):
    import shutil

    import pyoxigraph as ox

    from kg.ingest.pipeline import affected
    from kg.rules import derive, derive_deals_update, underive_update

    loc = tmp_path / "s"
    shutil.copytree(article_store, loc)
    with open_store(loc, read_only=False) as s:
        before = _derived_set(s)
        triples = list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
        s.raw.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:kg:test:new")) for t in triples)
        # The contract: the deals and nodes that kg.ingest.pipeline.affected finds for the changed nodes,
        # their derived triples deleted first, then the rules run with them bound (the SPARQL form here).
        changed = {t.value for tr in triples for t in (tr.subject, tr.object) if isinstance(t, ox.NamedNode)}
        deals, nodes = affected(s, changed)
        s.update(underive_update(nodes) + " ;\n" + derive_deals_update(deals, nodes))
        got = _derived_set(s)
        derive(s)
        assert got == _derived_set(s) != before
    edge = (ID + "person/ann", KG + "boardMemberOf", ID + "company/acme")
    assert (edge in got) == (text is NEW)


def test_a_blocking_status_is_data():
    text = derive_update()
    assert all(f"ontology#{s}>" in text for s in load().blocking_statuses)
    assert "FILTER NOT EXISTS { VALUES ?blocked" in text
