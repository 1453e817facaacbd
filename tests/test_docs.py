"""The docs are checked: every command has help with examples, is in the README, and its examples run.

In the manner of sqlite-utils' ``test_docs.py``: the examples in each
command's ``--help`` are parsed and run, in order, in a scratch folder that
holds the files they name, against a copy of the article's store.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from kg.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
#: Examples that start a long-running server or need one: run in tests/test_server.py.
SERVER = ("kg serve", "--store http://")


def examples(command) -> list[str]:
    """The example command lines of a click command's help."""
    text = (command.help or "").split("Examples:", 1)
    if len(text) < 2:
        return []
    return [line.strip() for line in text[1].splitlines() if line.strip() and not line.strip().startswith("\b")]


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_with_examples_and_is_in_the_readme(name):
    command = main.commands[name]
    assert (command.help or "").strip(), f"kg {name} has no help"
    assert examples(command), f"kg {name} --help has no examples"
    assert re.search(rf"\bkg {re.escape(name)}\b", README), f"kg {name} is not in the README"


def _workspace(tmp: Path) -> None:
    """The files the examples name."""
    shutil.copytree(ROOT / "graphs", tmp / "graphs", ignore=shutil.ignore_patterns("bench", "*.html", "*.png"))
    acme = (DATA / "acme.ttl").read_text()
    (tmp / "extra.ttl").write_text(acme)
    (tmp / "deals.ttl").write_text(acme)
    (tmp / "fixed-background.ttl").write_text((ROOT / "graphs" / "background.ttl").read_text())
    (tmp / "news").mkdir()
    (tmp / "news" / "one.txt").write_text("Acme Corp agreed to acquire Foo Inc for $47.5M in May 2019.\n")
    shutil.copy(DATA / "investments-small.csv", tmp / "investments.csv")
    shutil.copy(DATA / "acquisitions-small.csv", tmp / "acq.csv")
    shutil.copy(DATA / "deals-custom.csv", tmp / "deals.csv")
    shutil.copy(DATA / "deals-mapping.yaml", tmp / "deals.yaml")
    (tmp / "query.rq").write_text("SELECT ?e ?label WHERE { ?e a kg:Company ; rdfs:label ?label }")
    (tmp / "headlines.jsonl").write_text('{"id": "h1", "text": "Acme Corp to acquire Foo Inc for $1.2 bln"}\n')
    (tmp / "teslar.ttl").write_text(
        "@prefix kg: <https://kg.example.org/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://kg.example.org/id/company/teslar-inc> a kg:Company ; rdfs:label \"Teslar Inc\" ;\n"
        "  kg:possibleSameAs <https://kg.example.org/id/company/tesla> .\n")


def _argv(line: str) -> tuple[list[str], str | None]:
    """The argv (after ``kg``) of an example line, and the standard input a pipe feeds it."""
    stdin = None
    if line.startswith("echo ") and "| kg " in line:
        echo, line = line.split("| kg ", 1)
        stdin = shlex.split(echo)[1] + "\n"
        line = "kg " + line
    words = shlex.split(line, comments=True)
    assert words[0] == "kg", line
    return words[1:], stdin


def _ready(tmp_path, monkeypatch, article_store, runner) -> None:
    """A scratch folder holding the files the examples name, and a copy of the article's store as $KG_STORE."""
    _workspace(tmp_path)
    store = tmp_path / "store"
    shutil.copytree(article_store, store)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KG_STORE", str(store))
    runner.invoke(main, ["ingest", "teslar.ttl"], catch_exceptions=False)


def test_every_help_example_runs(runner, tmp_path, monkeypatch, article_store):
    _ready(tmp_path, monkeypatch, article_store, runner)
    failed = []
    for name in main.commands:
        for line in examples(main.commands[name]):
            if not line.startswith(("kg ", "echo ")) or any(s in line for s in SERVER):
                continue
            argv, stdin = _argv(line)
            result = runner.invoke(main, argv, input=stdin)
            if result.exit_code != 0:
                failed.append(f"{line}  ->  exit {result.exit_code}: {result.output.strip()[-300:]}")
    assert not failed, "\n".join(failed)


def test_readme_python_examples_run(tmp_path, monkeypatch, article_store, runner):
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks, "the README has no Python example"
    _ready(tmp_path, monkeypatch, article_store, runner)
    for block in blocks:
        if "http://127.0.0.1" in block:
            continue  # needs a running kg serve: tests/test_server.py covers those clients
        exec(compile(block, "README.md", "exec"), {})
