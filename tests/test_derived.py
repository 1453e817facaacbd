"""Tests for kg.ingest.derived: derived edges of new graphs, computed in Python,
must equal a full rebuild by kg.rules.derive_update()."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ontology import DERIVED_GRAPH

ROOT = Path(__file__).resolve().parents[1]
PREFIX = """@prefix kg: <https://kg.example.org/ontology#> .
@prefix id: <https://kg.example.org/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
# A new investment; a position with a role concept (ceoOf) and one without;
# a second role on an article deal (the shared deal: its type is in another
# graph); a literal role value; a self-investment; labels with punctuation,
# accents, digits and only punctuation.
NEW = PREFIX + """
id:deal\\/n1 a kg:Investment ; kg:investor id:company\\/acme , id:company\\/beta ; kg:investee id:company\\/xpeng-motors .
id:deal\\/n2 a kg:Position ; kg:holder id:person\\/ann ; kg:organization id:company\\/acme ; kg:role kg:CEO .
id:deal\\/n3 a kg:Position ; kg:holder id:person\\/ann ; kg:organization id:company\\/beta .
id:deal\\/xiaomi-invests-in-xpeng-2019 kg:investor id:company\\/acme .
id:deal\\/n4 a kg:Meeting ; kg:participant id:person\\/ann , id:person\\/bob , "a note" .
id:deal\\/n5 a kg:Investment ; kg:investor id:company\\/acme ; kg:investee id:company\\/acme .
id:company\\/acme a kg:Company ; rdfs:label "ACME, Inc. (Ünïcödé) 3rd_gen" ; skos:altLabel "--" , "Acme  Corp." .
id:person\\/ann rdfs:label "Ann O'Neil" .
"""
DECLINES = PREFIX + "id:deal\\/xiaomi-invests-in-xpeng-2019 kg:status kg:Declined .\n"
BLANK = PREFIX + "[] a kg:Investment ; kg:investor id:company\\/acme ; kg:investee id:company\\/beta .\n"


def _derived(s) -> set:
    q = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}"
    return {tuple(str(v) for v in r) for r in s.query(q)}


def _article(location):
    import pyoxigraph as ox

    from kg.rules import derive
    from kg.stores import open_store

    s = open_store(location, read_only=False)
    for name in ("xiaomi-electric-car", "background"):
        s.raw.load(path=str(ROOT / "graphs" / f"{name}.ttl"), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(f"https://kg.example.org/graph/source/{name}"))
    derive(s)
    return s


@pytest.mark.parametrize("text, incremental", [(NEW, True), (DECLINES, False), (BLANK, False)])
def test_bulk_turtle_derived_edges_equal_a_full_rebuild(tmp_store, tmp_path, monkeypatch, text, incremental):
    from kg.ingest import bulk, ingest
    from kg.rules import derive

    calls = []
    real = bulk.derived_quads
    monkeypatch.setattr(bulk, "derived_quads", lambda *a: calls.append(1) or real(*a))
    ttl = tmp_path / "extra.ttl"
    ttl.write_text(text, encoding="utf-8")
    with _article(tmp_store) as s:
        before = _derived(s)
        ingest(s, [ttl], options={"bulk": True})
        got = _derived(s)
        derive(s)
        assert got == _derived(s)
    assert (not calls) == incremental
    if incremental:
        added = got - before
        kg = "https://kg.example.org/ontology#"
        idn = "https://kg.example.org/id/"
        assert (f"<{idn}company/acme>", f"<{kg}investedIn>", f"<{idn}company/xpeng-motors>") in added
        assert (f"<{idn}person/ann>", f"<{kg}ceoOf>", f"<{idn}company/acme>") in added
        assert (f"<{idn}company/acme>", f"<{kg}nameKey>", '"acme inc ünïcödé 3rd gen"') in added
        assert (f"<{idn}company/acme>", f"<{kg}nameKey>", '""') in added
        assert not any(t[1] == f"<{kg}founderOf>" for t in added)
    else:
        xi = ("<https://kg.example.org/id/company/xiaomi>", "<https://kg.example.org/ontology#investedIn>",
              "<https://kg.example.org/id/company/xpeng-motors>")
        assert (xi in got) == (text is BLANK)


def test_two_new_files_describing_one_deal_fall_back_to_a_rebuild(tmp_store, tmp_path):
    from kg.ingest import ingest
    from kg.rules import derive

    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.write_text(PREFIX + "id:deal\\/d a kg:Investment ; kg:investor id:company\\/x ; kg:investee id:company\\/y .\n")
    b.write_text(PREFIX + "id:deal\\/d kg:status kg:Declined .\n")
    with _article(tmp_store) as s:
        ingest(s, [a, b], options={"bulk": True})
        got = _derived(s)
        derive(s)
        assert got == _derived(s)
        assert not any("company/x>" in t[0] and "investedIn" in t[1] for t in got)


def test_sparql_name_key_matches_the_sparql_rule():
    import pyoxigraph as ox

    from kg.ingest.derived import sparql_name_key
    from kg.rules import derive
    from kg.stores import open_store

    labels = ["Xiaomi, Inc.", "  Lei   Jun ", "ÉCOLE_polytechnique", "小米科技", "--", "ΣΟΦΙΑΣ", "a\tb\nc", "1-2-3 Go!"]
    with open_store("memory:") as s:
        g = ox.NamedNode("urn:g")
        for i, label in enumerate(labels):
            s.raw.add(ox.Quad(ox.NamedNode(f"urn:e{i}"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                              ox.Literal(label), g))
        derive(s)
        got = {r["e"].value: r["k"].value for r in s.query(
            "SELECT ?e ?k WHERE { ?e kg:nameKey ?k }")}
    assert got == {f"urn:e{i}": sparql_name_key(label) for i, label in enumerate(labels)}
