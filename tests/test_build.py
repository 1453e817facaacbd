"""The main job: plan, build, dump and views."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from kg.build import build, plan_inputs
from kg.errors import KgError, VizError
from kg.stores import open_store


def test_plan_uses_curated_graph_for_the_article():
    names = [p.relative_to(ROOT).as_posix() for p in plan_inputs(ROOT)]
    assert names[0] == "graphs/background.ttl"
    assert "graphs/xiaomi-electric-car.ttl" in names
    assert "graphs/sources/xiaomi-electric-car.txt" not in names


def test_uncurated_text_source_goes_through_the_extractor(tmp_path):
    (tmp_path / "graphs" / "sources").mkdir(parents=True)
    shutil.copy(ROOT / "graphs" / "sources" / "xiaomi-electric-car.txt", tmp_path / "graphs" / "sources")
    [only] = plan_inputs(tmp_path)
    assert only.suffix == ".txt"
    with open_store("memory:") as store:
        report = build(store, tmp_path, views=False)
        assert any(g["graph"].endswith("/source/xiaomi-electric-car") and g["triples"] > 100 for g in report.graphs)
        assert bool(store.query("ASK { ?x kg:investedIn ?y }"))


def test_missing_sources_folder(tmp_path):
    with pytest.raises(KgError, match="no sources folder"):
        plan_inputs(tmp_path)


def test_committed_dump_is_up_to_date(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "graphs", project / "graphs", ignore=shutil.ignore_patterns("*.html", "bench"))
    with open_store(tmp_path / "store", read_only=False) as store:
        report = build(store, project, views=False)
    assert report.violations == [] and report.derived > 0
    fresh = (project / "graphs" / "kg.trig").read_bytes()
    assert fresh == (ROOT / "graphs" / "kg.trig").read_bytes(), "graphs/kg.trig is stale; run 'kg build'"


def test_clean_build_drops_other_graphs(tmp_path, article_store):
    loc = tmp_path / "s"
    shutil.copytree(article_store, loc)
    with open_store(loc, read_only=False) as store:
        store.update("INSERT DATA { GRAPH <urn:extra> { <urn:a> <urn:b> <urn:c> } }")
        build(store, ROOT, views=False, dump=False, clean=True)
        assert "urn:extra" not in store.named_graphs()


NORDIC = """@prefix kg:   <https://kg.example.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<https://kg.example.org/id/source/nordic> a kg:Source ; dcterms:title "Nordic deals" .
<https://kg.example.org/id/company/fjord-energy> a kg:Company ; rdfs:label "Fjord Energy" .
<https://kg.example.org/id/company/birch-robotics> a kg:Company ; rdfs:label "Birch Robotics" .
<https://kg.example.org/id/company/aurora-labs> a kg:Company ; rdfs:label "Aurora Labs" .
<https://kg.example.org/id/company/lone-pine> a kg:Company ; rdfs:label "Lone Pine" .
"""
DEAL = """
<https://kg.example.org/id/deal/{a}-{b}> a kg:Investment ; rdfs:label "{a} invests in {b}" ;
    kg:investor <https://kg.example.org/id/company/{a}> ; kg:investee <https://kg.example.org/id/company/{b}> ; kg:date "{year}"^^xsd:gYear ;
    kg:status kg:Completed ; kg:evidence <https://kg.example.org/id/evidence/{a}-{b}> .
<https://kg.example.org/id/evidence/{a}-{b}> a kg:Evidence ; kg:quote "{a} put money into {b}." ; kg:source <https://kg.example.org/id/source/nordic> ;
    kg:confidence 1.0 ; kg:rule "curated" .
"""


def nordic_project(root, views_yaml: str | None = None):
    """A corpus that shares no entity with the article: three companies in a chain, one alone."""
    (root / "graphs" / "sources").mkdir(parents=True)
    text = NORDIC + DEAL.format(a="fjord-energy", b="birch-robotics", year=2021) + \
        DEAL.format(a="birch-robotics", b="aurora-labs", year=2023)
    (root / "graphs" / "sources" / "nordic.ttl").write_text(text, encoding="utf-8")
    if views_yaml is not None:
        (root / "graphs" / "views.yaml").write_text(views_yaml, encoding="utf-8")
    return root


def test_build_any_corpus_chooses_views_from_the_data(tmp_path):
    project = nordic_project(tmp_path / "p")
    with open_store("memory:", read_only=False) as store:
        report = build(store, project, dump=False)
    names = sorted(Path(p).name for p in report.written)
    # The whole graph, the most central entity (Birch Robotics, degree 2) and the path between the top two.
    assert names == ["birch-robotics-aurora-labs.html", "birch-robotics.html", "kg.html"]
    page = (project / "graphs" / "birch-robotics-aurora-labs.html").read_text(encoding="utf-8")
    assert "Aurora Labs" in page and "Xiaomi" not in page


def test_build_views_from_views_yaml(tmp_path):
    project = nordic_project(tmp_path / "p", "views:\n  - file: fjord.html\n    view: focus\n    entity: Fjord Energy\n"
                                             "  - file: chain.html\n    view: path\n    from: Fjord Energy\n"
                                             "    to: Aurora Labs\n")
    with open_store("memory:", read_only=False) as store:
        report = build(store, project, dump=False)
    assert [Path(p).name for p in report.written] == ["fjord.html", "chain.html"]


def test_views_yaml_with_unknown_entity_fails_before_writing(tmp_path):
    project = nordic_project(tmp_path / "p", "views:\n  - file: x.html\n    view: focus\n    entity: Xiaomi\n")
    with open_store("memory:", read_only=False) as store:
        with pytest.raises(VizError, match=r"views.yaml: unknown entity 'Xiaomi'"):
            build(store, project, dump=False)
        assert len(store) == 0  # nothing was written
    bad = nordic_project(tmp_path / "q", "views:\n  - file: ../x.html\n    view: whole\n")
    with open_store("memory:", read_only=False) as store, pytest.raises(VizError, match="view 1: 'file' must be"):
        build(store, bad, dump=False)
