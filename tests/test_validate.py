"""SHACL validation of data and of the whole store."""

from __future__ import annotations

from conftest import DATA
from kg.ingest.rdf import parse_file
from kg.stores import open_store
from kg.validate import validate_store, validate_triples


def _triples(path):
    import pyoxigraph as ox

    return [ox.Triple(q.subject, q.predicate, q.object) for q in parse_file(path)]


def test_article_store_conforms(article_store):
    with open_store(article_store, read_only=True) as s:
        assert validate_store(s).conforms


def test_violations_name_focus_path_and_reason():
    report = validate_triples(_triples(DATA / "violating.ttl"))
    assert not report.conforms
    by_path = {r["path"]: r for r in report.rows}
    assert by_path["kg:investee"]["focus"] == "id:deal/bad-investment"
    assert "ISO 4217" in by_path["kg:currency"]["message"]
    assert by_path["kg:date"]["value"] == "3201"


def test_valid_data_referring_to_unknown_entity_type_fails():
    report = validate_triples(_triples(DATA / "acme.ttl"))
    assert any("investee" in v for v in report.violations)
