"""kg in Jupyter: rich display of views, entities and query results, plain values and pandas."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

XIAOMI = "https://kg.example.org/id/company/xiaomi"


@pytest.fixture(scope="module")
def store(article_store):
    from kg.stores import open_store

    with open_store(article_store, read_only=True) as s:
        yield s


def test_query_results_convert_to_plain_python_values(store):
    from kg.query import run_named

    rows = run_named(store, "investments").to_python()
    assert len(rows) == 1
    row = rows[0]
    assert (row["investor"], row["amount"], row["approximate"], row["year"]) == (XIAOMI, 400000000, True, 2019)
    assert type(row["amount"]) is int and type(row["investorLabel"]) is str


def test_ask_and_construct_results_convert_too(store):
    from kg.query import run_query

    assert run_query(store, "ASK { ?s kg:ceoOf ?o }").to_python() is True
    triples = run_query(store, "CONSTRUCT { ?p kg:ceoOf ?c } WHERE { ?p kg:ceoOf ?c }").to_python()
    assert [XIAOMI in t for t in sorted(triples)] == [False, True]


def test_query_results_become_dataframes_of_numbers(store):
    pytest.importorskip("pandas")
    from kg.query import run_query

    df = run_query(store, "SELECT ?deal ?amount WHERE { ?deal kg:amount/kg:value ?amount }").to_pandas()
    assert list(df.columns) == ["deal", "amount"]
    assert df["amount"].sum() == 400000000 and df["amount"].dtype.kind in "if"
    empty = run_query(store, "SELECT ?x WHERE { ?x kg:noSuchProperty ?y }").to_pandas()
    assert list(empty.columns) == ["x"] and len(empty) == 0


def test_query_results_display_as_an_escaped_table(store):
    from kg.ontology import compact
    from kg.query import run_named

    page = run_named(store, "investments")._repr_html_()
    assert page.startswith('<table class="kg-table">') and "<th>investorLabel</th>" in page
    assert f"<td>{compact(XIAOMI)}</td>" in page and "Xpeng Motors" in page


def test_html_table_escapes_and_cuts():
    from kg.notebook import html_table

    page = html_table([{"name": "<script>alert(1)</script>"}] * 3, max_rows=2)
    assert "<script>" not in page and "&lt;script&gt;" in page and "… 1 more rows" in page


def test_a_view_displays_itself_as_a_sandboxed_offline_page(store):
    from kg.notebook import View, view

    v = view(store, focus="Xiaomi")
    assert isinstance(v, View) and XIAOMI in v.graph
    page = v._repr_html_()
    assert page.startswith('<iframe sandbox="allow-scripts"') and "srcdoc=" in page
    assert "&lt;!DOCTYPE html&gt;" in page and "Xiaomi" in page and "<script" not in page


def test_an_entity_displays_its_facts(store):
    from kg.notebook import entity

    e = entity(store, "Lee Jun")
    page = e._repr_html_()
    assert "Lei Jun" in page and "(Person)" in page and "ceoOf" in page and "Lee Jun" in page
    assert e["iri"] == "https://kg.example.org/id/person/lei-jun"


def test_missing_pandas_is_one_clear_error(store, monkeypatch):
    from kg.errors import KgError
    from kg.query import run_named

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(KgError, match=r'pip install "kg\[notebook\]"'):
        run_named(store, "investments").to_pandas()


NOTEBOOK_CELLS = [
    "from kg.stores import open_store\nfrom kg.notebook import entity, view\nfrom kg.query import run_named\n"
    "store = open_store({store!r}, read_only=True)",
    "view(store, focus='Xiaomi')",
    "df = run_named(store, 'investments').to_pandas()\nprint('total', df['amount'].sum() + 1)\ndf",
    "entity(store, 'Lee Jun')",
]


def test_a_notebook_run_headless_shows_a_view_and_a_dataframe(article_store, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    pytest.importorskip("ipykernel")
    cells = [nbformat.v4.new_code_cell(c.format(store=article_store)) for c in NOTEBOOK_CELLS]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "demo.ipynb")
    # Jupyter's runtime, data and IPython folders go to tmp_path: the test writes nothing in $HOME.
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "IPYTHONDIR": str(tmp_path / "ipython"),
           "JUPYTER_PLATFORM_DIRS": "1", "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "notebook",
                           "--output", "out.ipynb", "demo.ipynb"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    shown = [[o for o in cell.outputs] for cell in out.cells]
    view_html = shown[1][0]["data"]["text/html"]
    assert view_html.startswith('<iframe sandbox="allow-scripts"') and "Xiaomi" in view_html
    printed = "".join(o.get("text", "") for o in shown[2] if o["output_type"] == "stream")
    assert "total 400000001" in printed
    table = next(o for o in shown[2] if o["output_type"] == "execute_result")["data"]["text/html"]
    assert "<table" in table and "Xpeng Motors" in table and "400000000" in table
    assert "Lei Jun" in shown[3][0]["data"]["text/html"]
