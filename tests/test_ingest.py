"""Ingest: parse errors name file and line, shape violations are refused, failures change nothing."""

from __future__ import annotations

import pytest
from conftest import DATA

from kg.errors import KgError, ParseError, ValidationError
from kg.ingest import ingest


@pytest.fixture
def store(article_copy):
    return article_copy


def snapshot(store) -> bytes:
    return store.dump("nquads")


def test_malformed_turtle_names_file_line_and_reason(store):
    before = snapshot(store)
    with pytest.raises(ParseError) as err:
        ingest(store, [DATA / "acme.ttl", DATA / "malformed.ttl"])
    assert err.value.path.endswith("malformed.ttl")
    assert err.value.line == 8
    assert "malformed.ttl:8" in str(err.value)
    assert snapshot(store) == before


def test_shape_violations_are_listed_and_nothing_is_written(store):
    before = snapshot(store)
    with pytest.raises(ValidationError) as err:
        ingest(store, [DATA / "violating.ttl"])
    text = " ".join(err.value.violations)
    assert "investee" in text and "ISO 4217" in text and "1500 and 2099" in text
    assert snapshot(store) == before


def test_force_loads_violating_data(store):
    report = ingest(store, [DATA / "violating.ttl"], force=True)
    assert report.committed and report.violations
    assert bool(store.query("ASK { <https://kg.example.org/id/deal/bad-investment> a kg:Investment }"))


def test_ingest_adds_a_graph_derives_edges_and_is_idempotent(store):
    report = ingest(store, [DATA / "acme.ttl"])
    assert report.committed
    [row] = report.rows()
    assert row["graph"].startswith("https://kg.example.org/graph/source/acme-")
    ask = "ASK { <https://kg.example.org/id/company/acme> kg:investedIn <https://kg.example.org/id/company/xiaomi> }"
    assert bool(store.query(ask))
    once = snapshot(store)
    ingest(store, [DATA / "acme.ttl"])
    # Blank nodes get fresh labels on each load; compare the shape of the data, not the labels.
    assert len(snapshot(store).splitlines()) == len(once.splitlines())


def test_dry_run_writes_nothing(store):
    before = snapshot(store)
    report = ingest(store, [DATA / "acme.ttl"], dry_run=True)
    assert not report.committed and report.triples > 0
    assert snapshot(store) == before


def test_unknown_file_kind_and_missing_file(store, tmp_path):
    odd = tmp_path / "thing.xyz"
    odd.write_text("x")
    with pytest.raises(KgError, match="cannot ingest files of type '.xyz'"):
        ingest(store, [odd])
    with pytest.raises(KgError, match="no such file"):
        ingest(store, [DATA / "nope.ttl"])


def test_binary_file_is_a_parse_error(store, tmp_path):
    p = tmp_path / "garbage.ttl"
    p.write_bytes(b"\x00\xff\xfe garbage \x80\x81")
    before = snapshot(store)
    with pytest.raises(ParseError, match="garbage.ttl"):
        ingest(store, [p])
    assert snapshot(store) == before
