"""The one ingest path: graphs keyed by source identity, guarded graphs, incremental derivation."""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA, ROOT, cli_json, run_cli

from kg.disagreement import flag_update
from kg.errors import ReplaceRefusedError
from kg.ingest import ingest
from kg.rules import derive_update
from kg.schema import BACKGROUND_GRAPH, DERIVED_GRAPH, ONTOLOGY_GRAPH
from kg.stores import open_store

ACME = """@prefix kg: <https://kg.example.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix company: <https://kg.example.org/id/company/> .
@prefix deal: <https://kg.example.org/id/deal/> .
@prefix source: <https://kg.example.org/id/source/> .
source:acme a kg:Source .
company:acme a kg:Company ; rdfs:label "Acme" .
company:xiaomi a kg:Company ; rdfs:label "Xiaomi" .
deal:acme-xiaomi a kg:Investment ; kg:investor company:acme ; kg:investee company:xiaomi ; kg:status kg:%s ;
    kg:evidence [ a kg:Evidence ; kg:source source:acme ] .
"""


@pytest.fixture
def store(article_copy):
    return article_copy


def derived(store) -> set:
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}")
    return {(str(r["s"]), str(r["p"]), str(r["o"])) for r in rows}


def full_rebuild(store) -> set:
    """What a rebuild from scratch derives, in a scratch copy of the store."""
    scratch = open_store("memory:")
    scratch.raw.extend(store.raw.quads_for_pattern(None, None, None))
    scratch.update(derive_update() + " ;\n" + flag_update())
    return derived(scratch)


def write(tmp_path, name: str, status: str = "Completed"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ACME % status)
    return path


def test_same_file_name_in_two_folders_gives_two_graphs(store, tmp_path):
    a = ingest(store, [write(tmp_path, "one/acme.ttl")]).batches[0].graph
    b = ingest(store, [write(tmp_path, "two/acme.ttl")]).batches[0].graph
    assert a != b and {a, b} <= set(store.named_graphs())


def test_curated_graph_is_not_replaced_by_a_file_of_the_same_name(store, tmp_path):
    before = len(store.dump("nquads", "https://kg.example.org/graph/source/xiaomi-electric-car"))
    empty = tmp_path / "xiaomi-electric-car.ttl"
    empty.write_text("")
    ingest(store, [empty])
    assert len(store.dump("nquads", "https://kg.example.org/graph/source/xiaomi-electric-car")) == before


@pytest.mark.parametrize("graph", [ONTOLOGY_GRAPH, DERIVED_GRAPH, BACKGROUND_GRAPH,
                                   "https://kg.example.org/graph/source/xiaomi-electric-car"])
def test_reserved_and_foreign_graphs_need_replace(store, tmp_path, graph):
    path = write(tmp_path, "acme.ttl")
    before = store.dump("nquads")
    with pytest.raises(ReplaceRefusedError, match="--replace"):
        ingest(store, [path], options={"graph": graph})
    assert store.dump("nquads") == before


def test_trig_cannot_name_a_reserved_graph(store, tmp_path):
    path = tmp_path / "evil.trig"
    path.write_text("<https://kg.example.org/graph/ontology> { <urn:a> <urn:b> <urn:c> . }")
    before = store.dump("nquads")
    with pytest.raises(ReplaceRefusedError, match="ontology"):
        ingest(store, [path])
    assert store.dump("nquads") == before


def test_replace_allows_it(store, tmp_path):
    path = write(tmp_path, "acme.ttl")
    report = ingest(store, [path], replace=[BACKGROUND_GRAPH], options={"graph": BACKGROUND_GRAPH})
    assert report.committed and report.batches[0].graph == BACKGROUND_GRAPH


def test_incremental_derivation_equals_a_rebuild(store, tmp_path):
    path = write(tmp_path, "acme.ttl")
    ingest(store, [path])
    assert derived(store) == full_rebuild(store)
    edge = ("<https://kg.example.org/id/company/acme>", "<https://kg.example.org/ontology#investedIn>",
            "<https://kg.example.org/id/company/xiaomi>")
    assert edge in derived(store)
    # Declining the deal in a new version of the same source takes the edge away, and only it.
    write(tmp_path, "acme.ttl", status="Declined")
    ingest(store, [path])
    assert edge not in derived(store)
    assert derived(store) == full_rebuild(store)


def test_memory_store_takes_the_same_path(tmp_path):
    store = open_store("memory:")
    ingest(store, [ROOT / "graphs" / "xiaomi-electric-car.ttl", ROOT / "graphs" / "background.ttl"])
    assert derived(store) == full_rebuild(store)


def test_cli_replace_option(runner, tmp_path):
    loc = str(tmp_path / "store")
    path = write(tmp_path, "acme.ttl")
    run_cli(runner, "ingest", str(path), store=loc)
    refused = run_cli(runner, "ingest", str(path), "--graph", "graph:ontology", store=loc, ok=False)
    assert refused.exit_code == 1 and "--replace graph:ontology" in refused.output
    out = cli_json(runner, "ingest", str(path), "--graph", "sourcegraph:mine", store=loc)
    assert out["committed"] and out["graphs"][0]["graph"] == "https://kg.example.org/graph/source/mine"


def test_dry_run_of_csv_writes_no_rejects_file(tmp_path, runner):
    data = tmp_path / "in"
    data.mkdir()
    shutil.copy(DATA / "investments-small.csv", data / "deals.csv")
    run_cli(runner, "ingest", "--dry-run", str(data / "deals.csv"), store=str(tmp_path / "store"), ok=False)
    assert sorted(p.name for p in data.iterdir()) == ["deals.csv"]


@pytest.mark.parametrize("threshold", ["FULL_DERIVE_DEALS", "FULL_DERIVE_QUADS"])
def test_a_big_change_rebuilds_the_derived_graph_streamed_with_the_same_result(store, tmp_path, monkeypatch,
                                                                              threshold):
    from kg.ingest import pipeline

    monkeypatch.setattr(pipeline, threshold, 0)
    ingest(store, [write(tmp_path, "acme.ttl")])
    assert derived(store) == full_rebuild(store)


def test_a_file_that_only_declines_a_deal_takes_its_edge_away(store, tmp_path):
    edge = ("<https://kg.example.org/id/company/xiaomi>", "<https://kg.example.org/ontology#investedIn>",
            "<https://kg.example.org/id/company/xpeng-motors>")
    assert edge in derived(store)
    decline = tmp_path / "decline.ttl"
    decline.write_text("<https://kg.example.org/id/deal/xiaomi-invests-in-xpeng-2019> "
                       "<https://kg.example.org/ontology#status> <https://kg.example.org/ontology#Declined> .\n")
    ingest(store, [decline], force=True)
    assert edge not in derived(store)
    assert derived(store) == full_rebuild(store)


def test_conflicts_are_searched_only_when_two_graphs_state_a_compared_property():
    from kg.ingest.pipeline import may_conflict

    store = open_store("memory:")
    store.update("INSERT DATA { GRAPH <urn:a> { deal:d kg:date '2020'^^xsd:gYear } "
                 "GRAPH <urn:b> { deal:d kg:investor company:x } }")
    assert not may_conflict(store.raw)
    store.update("INSERT DATA { GRAPH <urn:b> { deal:d kg:date '2021'^^xsd:gYear } }")
    assert may_conflict(store.raw)


def test_a_streamed_rebuild_still_flags_two_sources_that_disagree(store, tmp_path, monkeypatch):
    from kg.ingest import pipeline

    monkeypatch.setattr(pipeline, "FULL_DERIVE_QUADS", 0)
    ingest(store, [write(tmp_path / "one", "acme.ttl")])
    ingest(store, [write(tmp_path / "two", "acme.ttl", status="Declined")])
    flags = {t for t in derived(store) if t[1].endswith("#conflictOn>")}
    assert ("<https://kg.example.org/id/deal/acme-xiaomi>", "<https://kg.example.org/ontology#conflictOn>",
            "<https://kg.example.org/ontology#status>") in flags
    assert derived(store) == full_rebuild(store)
