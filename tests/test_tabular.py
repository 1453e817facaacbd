"""Tests for kg.ingest.tabular and kg.ingest.bulk: CSV import, rejects, strictness,
entity resolution across files, provenance, atomicity under interruption, scale."""

from __future__ import annotations

import csv
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import sigint_default

from kg.ontology import DERIVED_GRAPH, ID, KG

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "scripts" / "bench_ingest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cli(runner, store, *args, ok=True):
    import json

    from kg.cli import main

    res = runner.invoke(main, ["--store", store, *args], catch_exceptions=False)
    if ok:
        assert res.exit_code == 0, res.output
    if "--format" in args and "json" in args and res.exit_code == 0:
        return json.loads(res.stdout)
    return res


def _quads(store_loc) -> set:
    import pyoxigraph as ox

    from kg.schema import META_GRAPH, TOTALS_GRAPH

    s = ox.Store.read_only(str(store_loc))
    # The meta graph records when each source was loaded, and the totals the version they are true for; the data
    # is the rest.
    out = {str(q) for q in s if q.graph_name not in (ox.NamedNode(META_GRAPH), ox.NamedNode(TOTALS_GRAPH))}
    del s
    return out


def _rejects(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_read_small_path_marks_batches_validated(tmp_path):
    from kg.ingest.tabular import read

    rej = tmp_path / "rej.csv"
    [b] = read(DATA / "investments-small.csv", store=None, options={"rejects": str(rej)})
    assert b.validated and b.graph.endswith("/graph/source/investments-small")
    r = b.tabular
    assert (r.rows, r.loaded, r.rejected) == (9, 4, 5)
    assert r.layout == "investments"
    assert {row["line"]: row["reason"] for row in _rejects(rej)} == {
        "4": "duplicate of line 3",
        "5": "impossible date '2012-02-30'",
        "6": "impossible date '3201': year 3201 is outside 1800..2099",
        "7": "missing investee (startup_name)",
        "8": "unparseable amount 'abc'",
    }


def test_ingest_into_memory_store_uses_the_generic_path(tmp_path):
    from kg.ingest import ingest
    from kg.stores import open_store

    s = open_store("memory:")
    rep = ingest(s, [DATA / "investments-small.csv"], options={"rejects": str(tmp_path / "r.csv")})
    assert rep.committed and rep.violations == []
    rows = list(s.query("SELECT ?a ?b WHERE { ?a kg:investedIn ?b }"))
    assert {(r["a"].value, r["b"].value) for r in rows} >= {(ID + "company/xiaomi", ID + "company/xpeng-motors")}


def test_cli_csv_import_reports_rejects_and_facts_are_queryable(runner, tmp_store, tmp_path):
    rej = tmp_path / "bad.csv"
    out = _cli(runner, tmp_store, "ingest", str(DATA / "investments-small.csv"), "--rejects", str(rej),
               "--format", "json")
    [t] = out["tabular"]
    assert (t["rows"], t["loaded"], t["rejected"]) == (9, 4, 5)
    assert t["reasons"] == {"duplicate": 1, "impossible date": 2, "missing": 1, "unparseable amount": 1}
    assert t["rejects_file"] == str(rej) and len(_rejects(rej)) == 5
    assert out["committed"]

    # the text summary names the rejects
    res = _cli(runner, tmp_store, "ingest", str(DATA / "investments-small.csv"), "--rejects", str(rej))
    assert "4 of 9 rows loaded (investments); 5 rejected" in res.output

    shown = _cli(runner, tmp_store, "show", "XIAOMI", "--format", "json")
    facts = {(f["relation"], f["other_label"], f["date"], f["amount"]) for f in shown["facts"]}
    assert ("investedIn", "Xpeng Motors", "2019", 400000000) in facts
    assert ("investedIn", "Delta", "2011-01-05", 1000) in facts  # "XIAOMI" and "Xiaomi" are one entity
    quotes = [q for f in shown["facts"] for q in f["quotes"]]
    assert {q["source_title"] for q in quotes} == {"investments-small.csv"}

    res = _cli(runner, tmp_store, "sparql", "--format", "json",
               "SELECT ?line ?date WHERE { ?d kg:investee <https://kg.example.org/id/company/epsilon> ; kg:date ?date ; "
               "kg:evidence/kg:line ?line . FILTER NOT EXISTS { ?d kg:amount ?a } }")
    rows = res if isinstance(res, list) else res.get("rows", res)
    assert rows and str(rows[0]["line"]) == "10" and str(rows[0]["date"]) == "2015-07"

    path = _cli(runner, tmp_store, "path", "Xpeng Motors", "Delta", "--format", "json")
    assert path["paths"][0]["labels"] == ["Xpeng Motors", "Xiaomi", "Delta"]


def test_strict_aborts_and_writes_nothing(runner, tmp_store):
    _cli(runner, tmp_store, "ingest", str(DATA / "people-small.csv"))
    before = _quads(tmp_store)
    res = _cli(runner, tmp_store, "ingest", str(DATA / "investments-small.csv"), "--strict", ok=False)
    assert res.exit_code == 1
    assert "investments-small.csv:4: duplicate of line 3 (--strict: nothing was written)" in res.output
    assert _quads(tmp_store) == before
    assert not list(Path(tmp_store).parent.glob("*.import-*"))


def test_entities_resolve_across_files_and_against_the_store(runner, tmp_store, tmp_path):
    ttl = tmp_path / "known.ttl"
    ttl.write_text(f"""@prefix kg: <{KG}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{ID}company/xiaomi-corp> a kg:Company ; rdfs:label "Xiaomi Corporation" ; skos:altLabel "Xiaomi" .
""")
    _cli(runner, tmp_store, "ingest", str(ttl), "--force")
    _cli(runner, tmp_store, "ingest", str(DATA / "investments-small.csv"), "--rejects", str(tmp_path / "r1.csv"))
    _cli(runner, tmp_store, "ingest", str(DATA / "acquisitions-small.csv"), "--rejects", str(tmp_path / "r2.csv"))
    _cli(runner, tmp_store, "ingest", str(DATA / "people-small.csv"), "--layout", "people")
    from kg.stores import open_store

    with open_store(tmp_store, read_only=True) as s:
        def objs(q):
            return {tuple(v.value for v in r) for r in s.query(q)}

        # the alias in the store wins over a new IRI, in every file
        assert objs("SELECT ?o WHERE { <https://kg.example.org/id/company/xiaomi-corp> kg:investedIn ?o }") == {
            (ID + "company/xpeng-motors",), (ID + "company/delta",)}
        assert (ID + "company/delta",) in objs("SELECT ?o WHERE { <https://kg.example.org/id/company/xiaomi-corp> kg:acquired ?o }")
        assert objs("SELECT ?o WHERE { ?p kg:ceoOf ?o }") == {(ID + "company/xiaomi-corp",)}
        assert not objs(f"SELECT ?p WHERE {{ <{ID}company/xiaomi> ?p ?o }} LIMIT 1")
        # Acme Robotics in investments.csv and acquisitions.csv is one entity
        assert (ID + "company/tiny-bots",) in objs("SELECT ?o WHERE { <https://kg.example.org/id/company/acme-robotics> kg:acquired ?o }")
        assert objs("SELECT ?e WHERE { ?e kg:nameKey 'acme robotics' }") == {(ID + "company/acme-robotics",)}
        # the acquisition keeps currency, headline quote and URL on its evidence
        rows = s.query("SELECT ?v ?c ?q WHERE { ?d a kg:Acquisition ; kg:target <https://kg.example.org/id/company/tiny-bots> ; "
                       "kg:amount [ kg:value ?v ; kg:currency ?c ] ; kg:evidence/kg:quote ?q }")
        assert ("25000000", "EUR", 'Acme buys Tiny Bots, "cheap"') in {(r["v"].value, r["c"].value, r["q"].value)
                                                                      for r in rows}


def test_bulk_derived_edges_equal_a_full_derive(tmp_store, tmp_path):
    from kg.ingest import ingest
    from kg.rules import derive
    from kg.stores import open_store

    csvp = tmp_path / "inv.csv"
    _bench().generate_csv(csvp, "investments", 2000, bad=10)
    q = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}"
    with open_store(tmp_store, read_only=False) as s:
        ingest(s, [csvp], options={"rejects": str(tmp_path / "r.csv")})
        ingest(s, [DATA / "people-small.csv"])
        bulk = {tuple(str(v) for v in r) for r in s.query(q)}
        derive(s)
        full = {tuple(str(v) for v in r) for r in s.query(q)}
    assert bulk == full and len(bulk) > 2000


def test_reimport_replaces_the_graph(runner, tmp_store, tmp_path):
    rej = str(tmp_path / "r.csv")
    _cli(runner, tmp_store, "ingest", str(DATA / "investments-small.csv"), "--rejects", rej)
    first = _quads(tmp_store)
    _cli(runner, tmp_store, "ingest", str(DATA / "investments-small.csv"), "--rejects", rej)
    assert _quads(tmp_store) == first


def test_dry_run_writes_nothing(runner, tmp_store, tmp_path):
    _cli(runner, tmp_store, "ingest", str(DATA / "people-small.csv"))
    before = _quads(tmp_store)
    out = _cli(runner, tmp_store, "ingest", str(DATA / "investments-small.csv"), "--dry-run", "--format", "json")
    assert out["committed"] is False
    assert _quads(tmp_store) == before


def test_custom_mapping_via_cli(runner, tmp_store):
    out = _cli(runner, tmp_store, "ingest", str(DATA / "deals-custom.csv"), "--mapping",
               str(DATA / "deals-mapping.yaml"), "--format", "json")
    assert out["tabular"][0]["loaded"] == 1 and out["tabular"][0]["layout"] == "partner-deals"


def test_bad_mapping_is_one_line_error(runner, tmp_store, tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("class: Merger\nroles: {a: {column: x}}\n")
    res = _cli(runner, tmp_store, "ingest", str(DATA / "deals-custom.csv"), "--mapping", str(m), ok=False)
    assert res.exit_code == 1 and "'class' must be one of" in res.output and "Traceback" not in res.output


# -- interruption: a real process, killed ------------------------------------------

_IMPORT = """
import sys
from kg.ingest import ingest
from kg.stores import open_store
with open_store(sys.argv[1], read_only=False) as s:
    ingest(s, [sys.argv[2]], options={"rejects": sys.argv[3]})
print("done")
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_import_leaves_store_as_it_was(tmp_store, tmp_path, sig):
    from kg.ingest import ingest
    from kg.stores import open_store

    with open_store(tmp_store, read_only=False) as s:
        ingest(s, [DATA / "people-small.csv"])
    before = _quads(tmp_store)
    csvp = tmp_path / "big.csv"
    _bench().generate_csv(csvp, "investments", 60_000, bad=5)
    proc = subprocess.Popen([sys.executable, "-c", _IMPORT, tmp_store, str(csvp), str(tmp_path / "r.csv")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=sigint_default)
    # the working copy is <store>.import-<pid>-<n> (see kg.ingest.bulk.in_a_copy)
    copies = Path(tmp_store).parent.glob
    pattern = f"{Path(tmp_store).name}.import-{proc.pid}-*"
    deadline = time.monotonic() + 30
    while not list(copies(pattern)) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    [work] = list(copies(pattern)) or [None]
    assert work is not None, "the import never started its copy"
    time.sleep(0.8)  # well into the bulk load
    assert proc.poll() is None, "the import finished before it could be interrupted"
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert _quads(tmp_store) == before
    if sig == signal.SIGINT:
        assert not work.exists()  # cleaned up on the way out
    # the next import removes a copy left by a killed process, and works
    with open_store(tmp_store, read_only=False) as s:
        ingest(s, [DATA / "acquisitions-small.csv"], options={"rejects": str(tmp_path / "r2.csv")})
    assert not work.exists()
    assert len(_quads(tmp_store)) > len(before)


# -- done-when: a big investments file with bad rows ---------------------------------


def _done_when(runner, store, tmp_path, rows: int, bad: int):
    csvp = tmp_path / "investments.csv"
    gen = _bench().generate_csv(csvp, "investments", rows, bad=bad, seed=11)
    rej = tmp_path / "rejects.csv"
    out = _cli(runner, store, "ingest", str(csvp), "--rejects", str(rej), "--format", "json")
    [t] = out["tabular"]
    rejected = {int(r["line"]): r["reason"] for r in _rejects(rej)}
    assert t["rows"] == rows and t["loaded"] + t["rejected"] == rows
    assert t["rejected"] == len(rejected) >= sum(gen["bad"].values())
    assert set(gen["bad_lines"]) <= set(rejected)
    assert {"missing", "unparseable amount", "impossible date", "duplicate", "unparseable date"} <= set(t["reasons"])
    # the rest is queryable, shown and reachable
    with open(csvp, newline="") as fh:
        good = [(i + 2, r) for i, r in enumerate(csv.DictReader(fh)) if i + 2 not in rejected]
    line, row = good[len(good) // 2]
    shown = _cli(runner, store, "show", row["company_name"], "--format", "json")
    assert any(f["other_label"] == row["investor_name"] and f["relation"] == "investedIn" for f in shown["facts"])
    n = _cli(runner, store, "sparql", "--format", "json", "SELECT (COUNT(?d) AS ?n) WHERE { ?d a kg:Investment }")
    rows_json = n if isinstance(n, list) else n.get("rows", n)
    assert int(rows_json[0]["n"]) == t["loaded"]
    path = _cli(runner, store, "path", row["investor_name"], row["company_name"], "--format", "json")
    assert path["paths"][0]["hops"][0]["relation"] == "investedIn"
    assert path["paths"][0]["hops"][0]["source_label"] == "investments.csv"


def test_5k_investments_with_bad_rows(runner, tmp_store, tmp_path):
    _done_when(runner, tmp_store, tmp_path, 5000, 25)


@pytest.mark.slow
def test_200k_investments_with_bad_rows(runner, tmp_store, tmp_path):
    _done_when(runner, tmp_store, tmp_path, 200_000, 300)


def test_progress_callback_reaches_the_end(tmp_store, tmp_path):
    from kg.ingest import ingest
    from kg.stores import open_store

    csvp = tmp_path / "inv.csv"
    _bench().generate_csv(csvp, "investments", 12_000)
    seen = []
    with open_store(tmp_store, read_only=False) as s:
        ingest(s, [csvp], options={"progress": lambda d, t, stage: seen.append((d, t, stage)), "rejects": os.devnull})
    assert len(seen) >= 3 and seen[-1][0] == seen[-1][1]
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    assert {"load", "commit"} <= {stage for _, _, stage in seen}
