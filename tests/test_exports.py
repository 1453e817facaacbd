"""kg.exports and ``kg export --format graphml|gexf|neo4j|csv``: every format read back by a real reader."""

from __future__ import annotations

import csv
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import run_cli

ID = "https://kg.example.org/id/"
XIAOMI, XPENG, LEI_JUN, MUSK = (ID + "company/xiaomi", ID + "company/xpeng-motors", ID + "person/lei-jun",
                                ID + "person/elon-musk")
INVESTMENT = ID + "deal/xiaomi-invests-in-xpeng-2019"


@pytest.fixture(scope="module")
def views(article_store):
    """The article's entity and deal views."""
    from kg.exports import project
    from kg.stores import open_store

    with open_store(article_store, read_only=True) as store:
        return {"entity": project(store, "entity"), "deal": project(store, "deal")}


# -- flattening -------------------------------------------------------------


def test_networkx_writers_fail_on_the_raw_view_and_work_on_the_flat_one(views, tmp_path):
    import networkx as nx

    from kg.exports import flat_graph

    with pytest.raises(nx.NetworkXError):
        nx.write_graphml(views["entity"], tmp_path / "raw.graphml")
    nx.write_graphml(flat_graph(views["entity"]), tmp_path / "flat.graphml")
    assert nx.read_graphml(tmp_path / "flat.graphml").number_of_nodes() == views["entity"].number_of_nodes()


def test_flattening_is_one_kind_per_attribute_and_deterministic():
    from kg.exports import attribute_kinds, flat_value

    kinds = attribute_kinds([{"a": 1, "b": ["y", "x"], "c": None, "d": True},
                             {"a": 2.5, "b": "z", "d": 1, "e": {"k": 1}}])
    assert kinds == {"a": "double", "b": "list", "d": "string", "e": "string"}
    assert flat_value(["y", "x", "y"], "list") == "x;y"
    assert flat_value(["y", "x"], "list") == flat_value(["x", "y"], "list")
    assert flat_value({"k": 1}, "string") == '{"k": 1}'


# -- GraphML ----------------------------------------------------------------


@pytest.mark.parametrize("view", ["entity", "deal"])
def test_graphml_reads_back_into_networkx_with_every_attribute(views, view, tmp_path):
    import networkx as nx

    from kg.exports import flat_graph, write_graphml

    G = views[view]
    write_graphml(G, tmp_path / "g.graphml")
    H = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=G.is_multigraph())
    want = flat_graph(G)
    assert dict(H.nodes(data=True)) == dict(want.nodes(data=True))
    if G.is_multigraph():
        assert sorted(H.edges(keys=True, data=True)) == sorted(want.edges(keys=True, data=True))
    else:
        assert {frozenset((u, v)): d for u, v, d in H.edges(data=True)} == \
            {frozenset((u, v)): d for u, v, d in want.edges(data=True)}


def test_graphml_keeps_typed_values(views, tmp_path):
    import networkx as nx

    from kg.exports import write_graphml

    write_graphml(views["entity"], tmp_path / "g.graphml")
    H = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    d = H.edges[XIAOMI, XPENG, f"{INVESTMENT}|investedIn"]
    assert (d["amount"], d["year"], d["approximate"], d["status"]) == (400000000.0, 2019, True, "completed")
    assert H.nodes[XIAOMI]["aliases"] == "Xiaomi Corporation;小米"


def test_graphml_reads_back_into_igraph_with_every_attribute(views, tmp_path):
    import igraph

    from kg.exports import attribute_kinds, write_graphml

    G = views["entity"]
    write_graphml(G, tmp_path / "g.graphml")
    g = igraph.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert (g.vcount(), g.ecount()) == (G.number_of_nodes(), G.number_of_edges())
    assert set(attribute_kinds(d for _, d in G.nodes(data=True))) <= set(g.vs.attributes())
    assert set(attribute_kinds(d for *_, d in G.edges(data=True))) <= set(g.es.attributes())
    by_iri = {v["id"]: v.index for v in g.vs}
    edge = g.es[g.get_eid(by_iri[XIAOMI], by_iri[XPENG])]
    assert (edge["relation"], edge["amount"], edge["year"], edge["approximate"]) == ("investedIn", 4e8, 2019, True)
    assert g.vs[by_iri[LEI_JUN]]["type"] == "Person"


# -- GEXF 1.3 ---------------------------------------------------------------

GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"
# The attribute types of GEXF 1.3's data module (data.rnc).
GEXF_TYPES = {"integer", "long", "double", "float", "boolean", "bigdecimal", "biginteger", "byte", "char", "short",
              "liststring", "listboolean", "listinteger", "listlong", "listfloat", "listdouble", "listbyte",
              "listshort", "listbigdecimal", "listbiginteger", "listchar", "string", "anyURI"}
EDGE_TYPES = {"directed", "undirected", "mutual"}


def _check_value(kind: str, value: str) -> None:
    if kind in ("integer", "long"):
        int(value)
    elif kind in ("double", "float"):
        assert math.isfinite(float(value))
    elif kind == "boolean":
        assert value in ("true", "false")


def _check_attvalues(el, declared: dict) -> None:
    allowed = {"attvalues", VIZ + "color", VIZ + "size", VIZ + "position", VIZ + "shape", VIZ + "thickness"}
    for child in el:
        assert child.tag.replace(GEXF, "") in allowed or child.tag in allowed, child.tag
    for av in el.iter(GEXF + "attvalue"):
        assert av.get("for") in declared and av.get("value") is not None
        _check_value(declared[av.get("for")], av.get("value"))


def _check_viz(node) -> None:
    color = node.find(VIZ + "color")
    if color is not None:
        assert all(0 <= int(color.get(c)) <= 255 for c in "rgb")
    size = node.find(VIZ + "size")
    if size is not None:
        assert float(size.get("value")) >= 0
    pos = node.find(VIZ + "position")
    if pos is not None:
        float(pos.get("x")), float(pos.get("y")), float(pos.get("z", "0"))


def check_gexf_13(path: Path) -> ET.Element:
    """Check a file against the structure GEXF 1.3 documents (gexf.rnc, data.rnc, viz.rnc).

    No GEXF 1.3 XSD ships in a PyPI or Debian package, so this checks what
    the schema states: the root and its version, meta then graph, the graph's
    enumerations, declared attributes with the 1.3 types, attvalues that
    refer to declared ids with values of their type, unique node and edge
    ids, edge ends that exist, and viz values in range.
    """
    root = ET.parse(path).getroot()
    assert root.tag == GEXF + "gexf" and root.get("version") == "1.3"
    assert [c.tag for c in root] in ([GEXF + "graph"], [GEXF + "meta", GEXF + "graph"])
    graph = root.find(GEXF + "graph")
    assert graph.get("defaultedgetype", "undirected") in EDGE_TYPES
    assert graph.get("idtype", "string") in ("string", "integer", "long")
    declared: dict[str, dict] = {"node": {}, "edge": {}}
    for attrs in graph.findall(GEXF + "attributes"):
        for a in attrs.findall(GEXF + "attribute"):
            assert a.get("type") in GEXF_TYPES and a.get("title")
            declared[attrs.get("class")][a.get("id")] = a.get("type")
    order = [c.tag for c in graph if c.tag != GEXF + "attributes"]
    assert order == [GEXF + "nodes", GEXF + "edges"]
    nodes = graph.find(GEXF + "nodes").findall(GEXF + "node")
    ids = {n.get("id") for n in nodes}
    assert len(ids) == len(nodes) and int(graph.find(GEXF + "nodes").get("count")) == len(nodes)
    for n in nodes:
        _check_attvalues(n, declared["node"])
        _check_viz(n)
    edges = graph.find(GEXF + "edges").findall(GEXF + "edge")
    assert len({e.get("id") for e in edges}) == len(edges)
    for e in edges:
        assert e.get("source") in ids and e.get("target") in ids
        assert e.get("type", "directed") in EDGE_TYPES
        _check_attvalues(e, declared["edge"])
    return root


@pytest.mark.parametrize("view", ["entity", "deal"])
def test_gexf_follows_the_13_format(views, view, tmp_path):
    from kg.exports import write_gexf

    G = views[view]
    write_gexf(G, tmp_path / "g.gexf")
    root = check_gexf_13(tmp_path / "g.gexf")
    assert len(root.findall(f".//{GEXF}node")) == G.number_of_nodes()
    assert len(root.findall(f".//{GEXF}edge")) == G.number_of_edges()


def test_networkx_reads_the_gexf_of_the_deal_view(views, tmp_path):
    # The entity view is a mixed graph (symmetric relations are undirected
    # edges), which Gephi reads and NetworkX's GEXF reader refuses.
    import networkx as nx

    from kg.exports import write_gexf

    G = views["deal"]
    write_gexf(G, tmp_path / "g.gexf")
    H = nx.read_gexf(tmp_path / "g.gexf")
    assert set(H.nodes) == set(G.nodes) and H.number_of_edges() == G.number_of_edges()
    assert H.nodes[INVESTMENT]["amount"] == 400000000.0 and H.nodes[INVESTMENT]["label"] == "Investment 2019"


def test_gexf_carries_gephi_viz_colour_size_position(views, tmp_path):
    from kg.drawing import NODE_STYLES, RELATION_COLORS
    from kg.exports import write_gexf

    write_gexf(views["entity"], tmp_path / "g.gexf")
    root = ET.parse(tmp_path / "g.gexf").getroot()
    node = {n.get("id"): n for n in root.iter(GEXF + "node")}
    person = NODE_STYLES["Person"]["color"].lstrip("#")
    color = node[LEI_JUN].find(VIZ + "color")
    assert (int(color.get("r")), int(color.get("g")), int(color.get("b"))) == \
        tuple(int(person[i:i + 2], 16) for i in (0, 2, 4))
    sizes = {n: float(el.find(VIZ + "size").get("value")) for n, el in node.items()}
    assert sizes[XIAOMI] > sizes[ID + "organization/statista"]
    assert all(el.find(VIZ + "position") is not None for el in node.values())
    edges = list(root.iter(GEXF + "edge"))
    met = [e for e in edges if e.get("label") == "metWith"]
    assert [e.get("type") for e in met] == ["undirected"] and met[0].get("kind") == "metWith"
    invest = next(e for e in edges if e.get("label") == "investedIn")
    assert invest.find(VIZ + "color").get("g") == str(int(RELATION_COLORS["investedIn"][3:5], 16))


def test_gexf_is_deterministic_and_can_skip_the_layout(views, tmp_path):
    from kg.exports import write_gexf

    write_gexf(views["entity"], tmp_path / "a.gexf")
    write_gexf(views["entity"], tmp_path / "b.gexf")
    assert (tmp_path / "a.gexf").read_bytes() == (tmp_path / "b.gexf").read_bytes()
    write_gexf(views["entity"], tmp_path / "c.gexf", layout=False)
    assert b"viz:position" not in (tmp_path / "c.gexf").read_bytes()


def test_gexf_drops_characters_xml_cannot_hold(tmp_path):
    import networkx as nx

    from kg.exports import write_gexf

    G = nx.MultiDiGraph()
    G.add_node("urn:a", label="bad\x0bname <&>", type="Company")
    write_gexf(G, tmp_path / "g.gexf")
    assert ET.parse(tmp_path / "g.gexf").getroot().find(f".//{GEXF}node").get("label") == "badname <&>"


# -- Neo4j ------------------------------------------------------------------

NEO4J_TYPES = {"int", "long", "float", "double", "boolean", "byte", "short", "char", "string", "point", "date",
               "localtime", "time", "localdatetime", "datetime", "duration"}


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _check_neo4j_field(header: str, cell: str) -> None:
    """A header field as neo4j-admin import documents it: ``name:type`` or ``name:type[]``."""
    name, _, kind = header.partition(":")
    if kind in ("ID", "LABEL", "START_ID", "END_ID", "TYPE", ""):
        return
    base = kind.removesuffix("[]")
    assert base in NEO4J_TYPES, header
    for value in (cell.split(";") if kind.endswith("[]") else [cell]) if cell else []:
        _check_value({"long": "long", "double": "double", "boolean": "boolean"}.get(base, "string"), value)


@pytest.mark.parametrize("view", ["entity", "deal"])
def test_neo4j_admin_import_files_follow_the_documented_headers(views, view, tmp_path):
    from kg.exports import write_neo4j

    G = views[view]
    files = write_neo4j(G, tmp_path / "neo4j")
    assert [f.name for f in files] == ["nodes.csv", "relationships.csv", "import.cypher", "constraints.cypher",
                                       "schema.cypher"]
    head, rows = _read_csv(files[0])
    assert head[0] == "uri:ID" and head[-1] == ":LABEL" and len(rows) == G.number_of_nodes()
    ids = {r[0] for r in rows}
    assert len(ids) == len(rows)
    rhead, rels = _read_csv(files[1])
    assert rhead[:3] == [":START_ID", ":END_ID", ":TYPE"] and len(rels) == G.number_of_edges()
    for header, table in ((head, rows), (rhead, rels)):
        for row in table:
            assert len(row) == len(header)
            for h, cell in zip(header, row, strict=True):
                _check_neo4j_field(h, cell)
    assert all(r[0] in ids and r[1] in ids for r in rels)


def test_neo4j_nodes_and_relationships_hold_the_facts(views, tmp_path):
    from kg.exports import write_neo4j

    files = write_neo4j(views["entity"], tmp_path / "neo4j")
    head, rows = _read_csv(files[0])
    xiaomi = dict(zip(head, next(r for r in rows if r[0] == XIAOMI), strict=True))
    assert (xiaomi[":LABEL"], xiaomi["aliases:string[]"]) == ("Company", "Xiaomi Corporation;小米")
    rhead, rels = _read_csv(files[1])
    inv = dict(zip(rhead, next(r for r in rels if r[2] == "investedIn"), strict=True))
    assert (inv[":START_ID"], inv[":END_ID"], inv["amount:double"], inv["year:long"]) == \
        (XIAOMI, XPENG, "400000000.0", "2019")


def _load_cypher(folder: Path):
    """Run schema.cypher then import.cypher in an embedded LadybugDB (Kùzu's successor); return a connection."""
    ladybug = pytest.importorskip("ladybug")
    conn = ladybug.Connection(ladybug.Database(str(folder / "db")))
    for name in ("schema.cypher", "import.cypher"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("//"):
                conn.execute(line)
    return conn


def _rows(conn, query: str) -> list[list]:
    result = conn.execute(query)
    out = []
    while result.has_next():
        out.append(result.get_next())
    return out


def test_cypher_script_loads_into_an_embedded_graph_database(views, tmp_path):
    from kg.exports import write_neo4j

    G = views["entity"]
    write_neo4j(G, tmp_path)
    conn = _load_cypher(tmp_path)
    assert _rows(conn, "MATCH (n) RETURN count(n)") == [[G.number_of_nodes()]]
    assert _rows(conn, "MATCH ()-[r]->() RETURN count(r)") == [[G.number_of_edges()]]
    got = _rows(conn, "MATCH (a:Company)-[r:investedIn]->(b:Company) RETURN a.uri, b.uri, r.amount, r.year, "
                      "r.approximate, r.status")
    assert got == [[XIAOMI, XPENG, 400000000.0, 2019, True, "completed"]]
    assert _rows(conn, f'MATCH (n:Company) WHERE n.uri = "{XIAOMI}" RETURN n.aliases') == \
        [[["Xiaomi Corporation", "小米"]]]
    assert _rows(conn, "MATCH (a:Person)-[r:metWith]->(b:Person) RETURN a.uri, b.uri") == [[MUSK, LEI_JUN]]


def test_cypher_script_of_the_deal_view_links_deals_to_participants(views, tmp_path):
    from kg.exports import write_neo4j

    write_neo4j(views["deal"], tmp_path)
    conn = _load_cypher(tmp_path)
    got = _rows(conn, "MATCH (d:Investment)-[:investor]->(a), (d)-[:investee]->(b) RETURN d.uri, a.uri, b.uri, d.amount")
    assert got == [[INVESTMENT, XIAOMI, XPENG, 400000000.0]]


def test_neo4j_constraints_cover_every_label(views, tmp_path):
    from kg.exports import write_neo4j

    write_neo4j(views["deal"], tmp_path)
    lines = (tmp_path / "constraints.cypher").read_text(encoding="utf-8").splitlines()[1:]
    assert "CREATE CONSTRAINT IF NOT EXISTS FOR (n:Investment) REQUIRE n.uri IS UNIQUE;" in lines
    _, rows = _read_csv(tmp_path / "nodes.csv")
    assert len(lines) == len({r[-1] for r in rows})


def test_cypher_literals_escape_what_would_break_the_script():
    from kg.exports import cypher_literal, cypher_name

    assert cypher_literal('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert cypher_name("x` DETACH DELETE n //") == "`x`` DETACH DELETE n //`"


# -- CSV --------------------------------------------------------------------


def test_csv_nodes_and_edges_for_spreadsheets_and_gephi(views, tmp_path):
    from kg.exports import write_csv

    G = views["entity"]
    nodes_csv, edges_csv = write_csv(G, tmp_path / "csv")
    head, rows = _read_csv(nodes_csv)
    assert head[0] == "id" and {"label", "type", "aliases"} <= set(head) and len(rows) == G.number_of_nodes()
    ehead, edges = _read_csv(edges_csv)
    assert ehead[:5] == ["id", "source", "target", "type", "key"] and len(edges) == G.number_of_edges()
    met = dict(zip(ehead, next(e for e in edges if "metWith" in e), strict=True))
    assert (met["source"], met["target"], met["type"], met["year"]) == (MUSK, LEI_JUN, "undirected", "2013")


# -- the library call and the CLI -------------------------------------------


def test_export_view_applies_the_graph_filters(article_store, tmp_path):
    from kg.exports import export_view
    from kg.stores import open_store

    with open_store(article_store, read_only=True) as store:
        only = export_view(store, "csv", tmp_path / "a", relations=["investedIn"])
        export_view(store, "csv", tmp_path / "b", view="deal", types=["Person"])
        export_view(store, "csv", tmp_path / "c", exclude_status=["rumored"])
    assert (only["nodes"], only["edges"]) == (2, 1)
    _, rows = _read_csv(tmp_path / "b" / "nodes.csv")
    assert {r[0] for r in rows} >= {LEI_JUN, MUSK} and XIAOMI not in {r[0] for r in rows}
    _, edges = _read_csv(tmp_path / "c" / "edges.csv")
    assert not any("rumored" in e for e in edges) and len(edges) == 11


def test_unknown_format_view_or_folderless_folder_format_is_one_error(article_store):
    from kg.errors import FormatError
    from kg.exports import export_view
    from kg.stores import open_store

    with open_store(article_store, read_only=True) as store:
        with pytest.raises(FormatError, match="unknown export format 'dot'"):
            export_view(store, "dot", "x")
        with pytest.raises(FormatError, match="unknown view 'deals'"):
            export_view(store, "csv", "x", view="deals")
        with pytest.raises(FormatError, match="give a folder"):
            export_view(store, "neo4j", None)


def test_cli_export_gexf_and_neo4j(runner, article_store, tmp_path):
    out = tmp_path / "kg.gexf"
    result = run_cli(runner, "export", "--format", "gexf", "-o", str(out), "--exclude-status", "rumored",
                     store=article_store)
    assert "wrote the entity view (13 nodes, 11 edges) as gexf" in result.stderr
    check_gexf_13(out)
    run_cli(runner, "export", "-F", "neo4j", "--view", "deal", "--via", "investedIn", "-o", str(tmp_path / "n"),
            store=article_store)
    _, rels = _read_csv(tmp_path / "n" / "relationships.csv")
    assert sorted(r[2] for r in rels) == ["investee", "investor"]


def test_cli_export_graphml_to_stdout(runner, article_store):
    result = run_cli(runner, "export", "--format", "graphml", "--type", "Person", store=article_store)
    assert result.stdout.startswith("<?xml") and LEI_JUN in result.stdout and XIAOMI not in result.stdout


def test_cli_export_rdf_still_works_and_rejects_view_options(runner, article_store):
    assert "@prefix" in run_cli(runner, "export", "--format", "turtle", store=article_store).stdout
    bad = run_cli(runner, "export", "--format", "turtle", "--via", "ceoOf", store=article_store, ok=False)
    assert bad.exit_code == 2 and "graph filters are for graphml" in bad.stderr
    bad = run_cli(runner, "export", "--format", "csv", store=article_store, ok=False)
    assert bad.exit_code == 2 and "give a folder with -o DIR" in bad.stderr
    bad = run_cli(runner, "export", "--format", "gexf", "--via", "bogus", store=article_store, ok=False)
    assert bad.exit_code == 1 and "unknown relation(s) bogus" in bad.stderr


# -- scale: a 100k-deal graph (benchmark-sized, deselected by default) -------


SCALE_DEALS = 100_000


@pytest.mark.slow
def test_100k_deal_graph_exports_to_gephi_and_neo4j(tmp_path):
    import pyoxigraph as ox

    from kg.exports import export_view
    from kg.ontology import source_graph
    from kg.stores import open_store
    from scripts.synthetic import write_synthetic

    write_synthetic(tmp_path / "s.nt", deals=SCALE_DEALS, seed=42)
    with open_store(tmp_path / "store", read_only=False) as store:
        store.raw.bulk_load(path=str(tmp_path / "s.nt"), format=ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.NamedNode(source_graph("synthetic")))
    with open_store(tmp_path / "store", read_only=True) as store:
        gexf = export_view(store, "gexf", tmp_path / "g.gexf", layout=False)
        neo = export_view(store, "neo4j", tmp_path / "neo4j")
    assert gexf["edges"] > 0.9 * SCALE_DEALS and neo["nodes"] == gexf["nodes"]
    check_gexf_13(tmp_path / "g.gexf")
    _, rels = _read_csv(tmp_path / "neo4j" / "relationships.csv")
    assert len(rels) == neo["edges"]
