"""The core CLI, end to end through click's CliRunner, on every store backend."""

from __future__ import annotations

import json

from conftest import DATA, ROOT, cli_json, run_cli


def test_help_lists_commands_with_examples(runner):
    out = run_cli(runner, "--help").output
    for command in ("build", "ingest", "validate", "entities", "show", "search", "sparql", "export"):
        assert command in out
    assert "Examples:" in run_cli(runner, "sparql", "--help").output


def test_build_then_validate_conforms(runner, tmp_store):
    report = cli_json(runner, "build", "--no-views", "--root", str(ROOT), store=tmp_store)
    graphs = {g["graph"]: g["triples"] for g in report["graphs"]}
    assert graphs["https://kg.example.org/graph/source/xiaomi-electric-car"] > 200
    assert "https://kg.example.org/graph/source/background" in graphs
    assert report["derived"] > 0 and report["violations"] == []
    assert cli_json(runner, "validate", store=tmp_store) == {"conforms": True, "results": []}


def test_show_alias_gives_lei_jun_roles_and_meeting(runner, cli_store):
    info = cli_json(runner, "show", "Lee Jun", store=cli_store)
    assert info["label"] == "Lei Jun" and info["type"] == "Person"
    assert {"Lee Jun", "John"} <= set(info["aliases"])
    facts = {(f["relation"], f["other_label"]) for f in info["facts"]}
    assert {("ceoOf", "Xiaomi"), ("founderOf", "Xiaomi"), ("metWith", "Elon Musk")} <= facts
    [meeting] = [f for f in info["facts"] if f["relation"] == "metWith"]
    assert meeting["date"] == "2013" and meeting["status"] == "completed"
    assert any(q["quote"] == "John's meeting with Musk took place in 2013." for q in meeting["quotes"])


def test_show_is_case_insensitive_and_table_has_sources(runner, cli_store):
    out = run_cli(runner, "show", "XIAOMI", store=cli_store).output
    assert out.startswith("Xiaomi  (Company)")
    assert "investedIn" in out and "Xpeng Motors" in out and "~400,000,000 USD" in out


def test_unknown_entity_suggests_and_exits_nonzero(runner, cli_store):
    result = run_cli(runner, "show", "Xiaomy", store=cli_store, ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: unknown entity 'Xiaomy'; did you mean: Xiaomi?"
    assert "Traceback" not in result.output


def test_sparql_named_investments_json(runner, cli_store):
    [row] = cli_json(runner, "sparql", "--name", "investments", store=cli_store)
    assert row["investor"] == "https://kg.example.org/id/company/xiaomi"
    assert row["investee"] == "https://kg.example.org/id/company/xpeng-motors"
    assert (row["amount"], row["currency"], row["year"], row["approximate"]) == (400000000, "USD", 2019, True)
    assert row["status"] == "completed"
    assert "nearly $400 million" in row["quote"]


def test_sparql_list_shows_descriptions(runner):
    rows = cli_json(runner, "sparql", "--list")
    by_name = {r["name"]: r for r in rows}
    assert "Investments" in by_name["investments"]["description"]
    assert by_name["people"]["params"] == "organization (entity)"


def test_sparql_text_with_param_and_csv(runner, cli_store):
    out = run_cli(runner, "sparql", "SELECT ?e WHERE { ?e rdfs:label ?name }", "-p", "name=Elon Musk",
                  "--format", "csv", store=cli_store).output
    assert out.splitlines() == ["e", "https://kg.example.org/id/person/elon-musk"]


def test_sparql_param_with_quotes_and_braces_is_inert(runner, cli_store):
    rows = cli_json(runner, "sparql", "SELECT ?e ?name WHERE { ?e rdfs:label ?name }",
                    "-p", 'name=x" } } UNION { ?e ?p ?name } #', store=cli_store)
    assert rows == []


def test_sparql_construct_as_turtle_and_ask(runner, cli_store):
    out = run_cli(runner, "sparql", "CONSTRUCT { ?a kg:investedIn ?b } WHERE { ?a kg:investedIn ?b }",
                  "--format", "turtle", store=cli_store).output
    assert "kg:investedIn" in out and "xpeng-motors" in out
    assert run_cli(runner, "sparql", "ASK { ?a kg:metWith ?b }", store=cli_store).output.strip() == "yes"


def test_invalid_sparql_is_one_line_with_position(runner, cli_store):
    result = run_cli(runner, "sparql", "SELECT ?x WHERE { ?x ?p }", store=cli_store, ok=False)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: invalid SPARQL") and "1:" in line


def test_entities_and_search(runner, cli_store):
    rows = cli_json(runner, "entities", "--type", "Person", store=cli_store)
    assert [r["label"] for r in rows] == ["Elon Musk", "Lei Jun"]
    hits = cli_json(runner, "search", "小米", store=cli_store)
    assert hits[0]["label"] == "Xiaomi" and hits[0]["score"] == 1.0
    hits = cli_json(runner, "search", "xpen", store=cli_store)
    assert hits[0]["iri"].endswith("/company/xpeng-motors")


def test_export_one_graph_as_turtle(runner, cli_store):
    out = run_cli(runner, "export", "--format", "turtle", "--graph", "graph:source/background", store=cli_store).output
    assert "elon-musk-ceo-of-tesla" in out and "xpeng-invests" not in out


def test_ingest_malformed_turtle_leaves_store_unchanged(runner, tmp_store):
    run_cli(runner, "build", "--no-views", "--root", str(ROOT), store=tmp_store)
    before = run_cli(runner, "export", "--format", "nquads", store=tmp_store).output
    result = run_cli(runner, "ingest", str(DATA / "malformed.ttl"), store=tmp_store, ok=False)
    assert result.exit_code == 1
    assert "malformed.ttl:8" in result.stderr and "Traceback" not in result.output
    assert run_cli(runner, "export", "--format", "nquads", store=tmp_store).output == before


def test_ingest_violations_need_force(runner, tmp_store):
    result = run_cli(runner, "ingest", str(DATA / "violating.ttl"), store=tmp_store, ok=False)
    assert "violates the shapes" in result.stderr and "--force" in result.stderr
    report = cli_json(runner, "ingest", str(DATA / "violating.ttl"), "--force", store=tmp_store)
    assert report["committed"] is True and report["violations"]


def test_sparql_reads_the_query_from_standard_input(runner, article_store):
    from kg.cli import main

    ok = runner.invoke(main, ["--store", article_store, "sparql", "-", "--format", "json"],
                       input=b"SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Company }")
    assert ok.exit_code == 0 and json.loads(ok.stdout)[0]["n"] >= 4
    bad = runner.invoke(main, ["--store", article_store, "sparql", "-"], input=b"SELECT \xff")
    assert bad.exit_code == 2 and "standard input is not UTF-8 text (byte 7)" in bad.output
