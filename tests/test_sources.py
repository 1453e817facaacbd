"""Many sources, one truth: a fact stated by several sources is one fact with several pieces of evidence."""

from __future__ import annotations

import pytest
from conftest import cli_json, run_cli

import kg

TEXTS = {
    "a.txt": "Acme Ventures invested $5 million in Blue River Robotics in 2021.",
    "b.txt": "Blue River Robotics raised $5 million from Acme Ventures in 2021.",
    "c.txt": "In 2021, Blue River Robotics received $5 million in funding from Acme Ventures.",
}
CSV = "company_name,investor_name,funded_at,raised_amount_usd\nBlue River Robotics,Acme Ventures,2021-06-01,5000000\n"
DEAL = "https://kg.example.org/id/deal/investedin-acme-ventures-blue-river-robotics-2021"


def _sources(tmp_path, amounts=None):
    paths = []
    for name, text in TEXTS.items():
        if amounts and name in amounts:
            text = text.replace("$5 million", amounts[name])
        (tmp_path / name).write_text(text + "\n")
        paths.append(tmp_path / name)
    (tmp_path / "rounds.csv").write_text(CSV)
    return paths + [tmp_path / "rounds.csv"]


def _evidence(store, deal=DEAL):
    rows = store.query("SELECT DISTINCT ?e ?g WHERE { ?d kg:evidence ?e . GRAPH ?g { ?d kg:evidence ?e } }",
                       {"d": __import__("pyoxigraph").NamedNode(deal)})
    return {(r["e"].value, r["g"].value) for r in rows}


def test_four_sources_make_one_fact_with_four_pieces_of_evidence(tmp_path):
    store = kg.open_store("memory:")
    kg.ingest_files(store, _sources(tmp_path), options={"rejects": str(tmp_path / "r.csv")})
    deals = {r["d"].value for r in store.query("SELECT DISTINCT ?d WHERE { ?d a kg:Investment }")}
    assert deals == {DEAL}
    evidence = _evidence(store)
    assert len(evidence) == 4 and len({g for _, g in evidence}) == 4
    assert kg.conflicts(store) == []


def test_a_different_amount_is_one_conflict(tmp_path):
    store = kg.open_store("memory:")
    kg.ingest_files(store, _sources(tmp_path, {"b.txt": "$7 million"}), options={"rejects": str(tmp_path / "r.csv")})
    found = kg.conflicts(store)
    assert [(c["deal"], c["property"]) for c in found] == [(DEAL, "amount")]
    values = found[0]["values"]
    assert {v["value"] for v in values} == {"5000000 USD", "7000000 USD"} and len({v["graph"] for v in values}) == 4


def test_removing_a_source_removes_only_its_evidence(tmp_path):
    store = kg.open_store("memory:")
    paths = _sources(tmp_path)
    kg.ingest_files(store, paths, options={"rejects": str(tmp_path / "r.csv")})
    # a.txt now says nothing: its graph is replaced by an empty one.
    paths[0].write_text("Nothing to see here.\n")
    kg.ingest_files(store, [paths[0]])
    assert len(_evidence(store)) == 3
    assert bool(store.query(f"ASK {{ <{DEAL}> a kg:Investment }}"))


def test_review_same_as_show_end_to_end(runner, tmp_path):
    loc = str(tmp_path / "store")
    teslar = tmp_path / "teslar.ttl"
    teslar.write_text(
        "@prefix kg: <https://kg.example.org/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://kg.example.org/id/company/tesla> a kg:Company ; rdfs:label \"Tesla\" .\n"
        "<https://kg.example.org/id/company/teslar-inc> a kg:Company ; rdfs:label \"Teslar Inc\" ;\n"
        "  kg:possibleSameAs <https://kg.example.org/id/company/tesla> .\n")
    run_cli(runner, "ingest", str(teslar), store=loc)
    pairs = cli_json(runner, "review", store=loc)
    assert [(p["left_label"], p["right_label"]) for p in pairs] == [("Teslar Inc", "Tesla")]
    judged = cli_json(runner, "same-as", "Teslar Inc", "Tesla", "--why", "one register number", store=loc)
    assert judged["verdict"] == "same" and judged["why"] == "one register number"
    assert cli_json(runner, "review", store=loc) == []
    shown = cli_json(runner, "show", "Teslar Inc", store=loc)
    assert "https://kg.example.org/id/company/tesla" in shown.get("same_as", [])
    refused = run_cli(runner, "not-same", "Tesla", "Teslar Inc", store=loc, ok=False)
    assert refused.exit_code == 1 and "judged the same" in refused.output
    undone = cli_json(runner, "same-as", "Teslar Inc", "Tesla", "--undo", store=loc)
    assert undone == {"undone": 1}


def test_judgements_in_python_are_transitive(tmp_path):
    store = kg.open_store("memory:")
    abc = tmp_path / "abc.ttl"
    abc.write_text("@prefix kg: <https://kg.example.org/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                   + "".join(f'<https://kg.example.org/id/company/{n.lower()}> a kg:Company ; rdfs:label "{n}" .\n'
                             for n in ("Alpha", "Beta", "Gamma")))
    kg.ingest_files(store, [abc])
    kg.same_as(store, "Alpha", "Beta")
    kg.not_same(store, "Beta", "Gamma")
    with pytest.raises(kg.KgError, match="not the same"):
        kg.same_as(store, "Alpha", "Gamma")


def test_unknown_entity_in_a_judgement_is_a_clear_error():
    store = kg.open_store("memory:")
    with pytest.raises(kg.KgError, match="unknown entity"):
        kg.same_as(store, "Nobody", "Noone")


def test_a_second_source_does_not_multiply_totals_or_rows(runner, tmp_path, article_store):
    import shutil

    loc = str(tmp_path / "store")
    shutil.copytree(article_store, loc)
    cook = tmp_path / "cook.txt"
    cook.write_text("Lei Jun, CEO of Xiaomi, met Tim Cook in 2016.\n")
    run_cli(runner, "ingest", str(cook), store=loc)
    totals = cli_json(runner, "sparql", "--name", "deal-value-by-investor", store=loc)
    xiaomi = [r for r in totals if r["investorLabel"] == "Xiaomi"]
    assert [(r["total"], r["deals"]) for r in xiaomi] == [(400000000, 1)]
    investments = cli_json(runner, "sparql", "--name", "investments", store=loc)
    assert len(investments) == len({r["deal"] for r in investments}) == 1
    people = cli_json(runner, "sparql", "--name", "people", "-p", "organization=Xiaomi", store=loc)
    keys = [(r["person"], r["role"], r.get("source")) for r in people]
    assert len(keys) == len(set(keys))
    shown = cli_json(runner, "show", "Lei Jun", store=loc)
    facts = [(f["relation"], f.get("deal")) for f in shown["facts"]]
    assert len(facts) == len(set(facts)), "kg show lists a fact twice"


def test_as_of_filters_show_path_and_centrality(runner, article_store):
    before = cli_json(runner, "show", "Lei Jun", "--as-of", "2012", store=article_store)
    after = cli_json(runner, "show", "Lei Jun", "--as-of", "2014", store=article_store)
    assert "metWith" not in {f["relation"] for f in before["facts"]}
    assert "metWith" in {f["relation"] for f in after["facts"]}
    path = cli_json(runner, "path", "Lei Jun", "Tesla", "--as-of", "2012", store=article_store)
    assert all("metWith" not in h["statement"] for p in path["paths"] for h in p["hops"])
    ranks = cli_json(runner, "centrality", "--as-of", "2012", store=article_store)
    assert ranks["rows"]
    bad = run_cli(runner, "show", "Lei Jun", "--as-of", "soon", store=article_store, ok=False)
    assert bad.exit_code == 1 and "not a date" in bad.output
