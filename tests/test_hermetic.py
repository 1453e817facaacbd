"""The suite and the CLI write only where they are told: an explicit --store beats $KG_STORE."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import ROOT, cli_json, run_cli

TINY = """@prefix kg: <https://kg.example.org/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://kg.example.org/id/company/acme> a kg:Company ; rdfs:label "Acme" .
"""


def _tiny(tmp_path: Path) -> str:
    path = tmp_path / "tiny.ttl"
    path.write_text(TINY)
    return str(path)


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_explicit_store_beats_kg_store(runner, tmp_path, monkeypatch):
    sentinel = tmp_path / "sentinel"
    run_cli(runner, "ingest", _tiny(tmp_path), store=str(sentinel / "store"))
    before = _digest(sentinel)
    for var in ("KG_STORE", "HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(sentinel / "store" if var == "KG_STORE" else sentinel))
    mine = tmp_path / "mine"
    # --store on the group, and on the command, both win over $KG_STORE.
    run_cli(runner, "ingest", _tiny(tmp_path), store=str(mine))
    run_cli(runner, "ingest", "--store", str(mine), str(ROOT / "graphs" / "xiaomi-electric-car.ttl"),
            str(ROOT / "graphs" / "background.ttl"))
    labels = {row["label"] for row in cli_json(runner, "entities", "--store", str(mine))}
    assert {"Xiaomi", "Elon Musk"} <= labels
    assert _digest(sentinel) == before, "the store named by $KG_STORE was written"


def test_kg_store_is_used_without_store_option(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "env-store"))
    run_cli(runner, "ingest", _tiny(tmp_path))
    assert (tmp_path / "env-store").is_dir()


def test_dry_run_writes_nothing(runner, tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    (data / "deals.csv").write_text((ROOT / "tests" / "data" / "investments-small.csv").read_text())
    before = sorted(p.name for p in data.iterdir())
    run_cli(runner, "ingest", "--dry-run", str(data / "deals.csv"), store=str(tmp_path / "store"), ok=False)
    assert sorted(p.name for p in data.iterdir()) == before
    assert not (tmp_path / "store").exists()
