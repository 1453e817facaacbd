"""The main job: plan, build, dump and views."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT
from kg.build import build, plan_inputs
from kg.errors import KgError
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
