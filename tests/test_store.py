"""The store: backends, atomic graph replacement, read-only opens and the lock between processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pyoxigraph as ox
import pytest

from kg.errors import FormatError, QueryError, ReadOnlyStoreError, StoreError, StoreLockedError
from kg.sparqltext import bind_values
from kg.stores import default_location, open_store, resolve_location

A, P, G = ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), "urn:g"


def count(store) -> int:
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)


def test_location_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_location() == str(tmp_path / "kg" / "store")
    monkeypatch.setenv("KG_STORE", "/env/store")
    assert resolve_location(None) == "/env/store"
    assert resolve_location("/explicit") == "/explicit"


def test_replace_graphs_is_atomic(tmp_store):
    with open_store(tmp_store, read_only=False) as store:
        store.replace_graphs({G: [ox.Triple(A, P, ox.Literal("old"))]})
        with pytest.raises(QueryError):
            store.replace_graphs({G: [ox.Triple(A, P, ox.Literal("new"))]}, then="THIS IS NOT SPARQL")
        values = [r["o"].value for r in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
    assert values == ["old"]


def test_replace_graphs_replaces_only_named_graphs(tmp_store):
    with open_store(tmp_store, read_only=False) as store:
        store.replace_graphs({G: [ox.Triple(A, P, ox.Literal("1"))], "urn:h": [ox.Triple(A, P, ox.Literal("2"))]})
        store.replace_graphs({G: [ox.Triple(A, P, ox.Literal("3"))]})
        assert store.named_graphs() == ["urn:g", "urn:h"]
        assert sorted(r["o"].value for r in store.query("SELECT ?o WHERE { ?s ?p ?o }")) == ["2", "3"]


def test_values_cannot_change_query_structure():
    evil = 'x" } } ; DROP ALL ; SELECT * { { "'
    with open_store("memory:") as store:
        store.replace_graphs({G: [ox.Triple(A, P, ox.Literal(evil))]})
        rows = list(store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", {"o": ox.Literal(evil)}))
        assert [r["s"].value for r in rows] == ["urn:a"]
        text = bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal(evil)})
        assert [r["s"].value for r in store.query(text)] == ["urn:a"]
        assert count(store) == 1


def test_unprojected_parameter_is_bound_by_values():
    with open_store("memory:") as store:
        store.replace_graphs({G: [ox.Triple(A, P, ox.Literal("x")), ox.Triple(ox.NamedNode("urn:b"), P, ox.Literal("y"))]})
        rows = list(store.query("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal("y")}))
    assert [r["s"].value for r in rows] == ["urn:b"]


def test_invalid_query_reports_position():
    with open_store("memory:") as store, pytest.raises(QueryError, match=r"invalid SPARQL: .*1:\d+"):
        store.query("SELECT * WHERE { ?s ?p }")


def test_read_only_refuses_writes_and_missing_store(tmp_store):
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_store, read_only=True)
    open_store(tmp_store, read_only=False).close()
    with open_store(tmp_store, read_only=True) as store, pytest.raises(ReadOnlyStoreError):
        store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> 1 } }")


HOLD = textwrap.dedent("""
    import sys, time
    from kg.stores import open_store
    s = open_store(sys.argv[1], read_only=sys.argv[2] == "ro")
    print("open", flush=True)
    sys.stdin.readline()
    s.close()
""")


def _hold(location, mode):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, location, mode], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    return proc


def test_second_process_cannot_write_while_another_reads(tmp_store, monkeypatch):
    open_store(tmp_store, read_only=False).close()
    reader = _hold(tmp_store, "ro")
    try:
        with pytest.raises(StoreLockedError, match="open in another process"):
            open_store(tmp_store, read_only=False)
        with open_store(tmp_store, read_only=True) as again:
            assert count(again) == 0
    finally:
        reader.communicate("\n", timeout=30)


def test_reader_waits_for_writer_then_gives_a_plain_error(tmp_store, monkeypatch):
    open_store(tmp_store, read_only=False).close()
    writer = _hold(tmp_store, "rw")
    monkeypatch.setenv("KG_LOCK_TIMEOUT", "0.3")
    try:
        with pytest.raises(StoreLockedError, match=r"being written by PID \d+"):
            open_store(tmp_store, read_only=True)
    finally:
        writer.communicate("\n", timeout=30)
    with open_store(tmp_store, read_only=True) as store:
        assert count(store) == 0


def test_dump_formats(tmp_store):
    with open_store(tmp_store, read_only=False) as store:
        store.replace_graphs({G: [ox.Triple(A, P, ox.Literal("x"))]})
        assert b"<urn:g>" in store.dump("nquads")
        assert store.dump("turtle", G).strip().endswith(b'"x" .')
        with pytest.raises(FormatError, match="unknown RDF format"):
            store.dump("yaml")
