"""Export the entity view or the deal view for Gephi, Neo4j, NetworkX, igraph and spreadsheets.

The graph is a projection of :mod:`kg.network` (:func:`~kg.network.entity_graph`
or :func:`~kg.network.deal_graph`, with their filters); each format has one
writer, ``write_X(G, path_or_dir)``:

- ``graphml`` (:func:`write_graphml`): one file, written by NetworkX's own
  writer after flattening. ``networkx.read_graphml`` gives back the same nodes,
  edge keys and attributes; ``igraph.Graph.Read_GraphML`` the same attributes
  (node IRIs in its ``id`` vertex attribute).
- ``gexf`` (:func:`write_gexf`): one GEXF 1.3 file for Gephi, with node
  colours (kg's class colours), sizes (degree) and positions (kg's seeded
  layout), edge colours by relation, and symmetric relations as undirected
  edges. kg writes it itself, in a stream: NetworkX's 1.3 output binds ``xsi``
  to a wrong namespace, adds a ``name`` attribute the grammar lacks, stamps
  today's date (so two exports of one graph differ) and cannot mark single
  edges undirected.
- ``neo4j`` (:func:`write_neo4j`): a folder with ``nodes.csv`` and
  ``relationships.csv`` for ``neo4j-admin database import full`` (typed
  headers: ``uri:ID``, ``year:long``, ``aliases:string[]``, ``:LABEL``,
  ``:START_ID``, ``:END_ID``, ``:TYPE``), ``import.cypher`` (openCypher
  ``UNWIND … CREATE`` batches, for ``cypher-shell`` or any Cypher engine) and
  ``schema.cypher`` (the node and relationship tables that schema-first
  engines such as Kùzu and LadybugDB need before ``import.cypher``).
- ``csv`` (:func:`write_csv`): a folder with ``nodes.csv`` and ``edges.csv``,
  with the column names Gephi's spreadsheet import expects (``id``,
  ``label``, ``source``, ``target``, ``type``) and one column per attribute.

Attributes are flattened by one rule for every format (:func:`attribute_kinds`,
:func:`flat_value`): each attribute gets one kind over the whole graph
(``boolean``, ``long``, ``double``, ``string`` or ``list``; integers mixed
with floats become ``double``, anything else mixed becomes ``string``);
``None`` is left out; lists become their distinct values, sorted, joined by
:data:`LIST_SEPARATOR` (also neo4j-admin's default array delimiter; Cypher
gets real lists); anything else (a dict) becomes sorted JSON. The output is
deterministic: the same graph gives the same bytes.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("urn:a", label="Xiaomi", type="Company", aliases=["小米", "MI"])
>>> G.add_node("urn:b", label="Lei Jun", type="Person", aliases=[])
>>> _ = G.add_edge("urn:b", "urn:a", key="d|ceoOf", relation="ceoOf", year=2010, amount=None)
>>> attribute_kinds(d for _, d in G.nodes(data=True))
{'aliases': 'list', 'label': 'string', 'type': 'string'}
>>> flat_value(["小米", "MI"], "list")
'MI;小米'
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path

from kg.errors import FormatError, KgError

#: The projections that can be exported.
VIEWS = ("entity", "deal")
#: How list values (aliases) are joined; neo4j-admin's default array delimiter.
LIST_SEPARATOR = ";"
#: GEXF 1.3 namespaces, as the GEXF 1.3 primer and Gephi write them (the generated XSD
#: puts ``color``, ``size`` and ``position`` in the main namespace; the primer and
#: viz.rnc put them in the viz one).
GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
#: The GEXF edge attribute holding a multigraph edge's key: the name
#: ``networkx.read_gexf`` takes the key from, so NetworkX restores the keys.
GEXF_KEY = "networkx_key"


class ExportFormat(StrEnum):
    """The graph formats ``kg export`` writes besides RDF.

    >>> [(f.value, f.writes_folder) for f in ExportFormat]
    [('graphml', False), ('gexf', False), ('neo4j', True), ('csv', True)]
    """

    GRAPHML = "graphml"
    GEXF = "gexf"
    NEO4J = "neo4j"
    CSV = "csv"

    @property
    def writes_folder(self) -> bool:
        """Whether the format is a folder of files rather than one file."""
        return self in (ExportFormat.NEO4J, ExportFormat.CSV)

    @classmethod
    def from_name(cls, name: str) -> ExportFormat:
        """The format called ``name``.

        Raises:
            FormatError: unknown; lists the known names.
        """
        try:
            return cls(name.lower().strip())
        except ValueError:
            raise FormatError(f"unknown export format {name!r}; use one of: {', '.join(cls)}") from None


_NEO4J_TYPES = {"boolean": "boolean", "long": "long", "double": "double", "string": "string", "list": "string[]"}
_KUZU_TYPES = {"boolean": "BOOLEAN", "long": "INT64", "double": "DOUBLE", "string": "STRING", "list": "STRING[]"}
_GEXF_TYPES = {"boolean": "boolean", "long": "long", "double": "double", "string": "string", "list": "string"}
# XML 1.0 forbids these characters even when escaped.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CYPHER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BATCH = 500
# One encoder for every Cypher string literal: json.dumps with options builds a new one per call.
_JSON_STRING = json.JSONEncoder(ensure_ascii=False).encode


# ---------------------------------------------------------------------------
# Flattening: one kind per attribute, one plain value per cell
# ---------------------------------------------------------------------------


_KINDS = {bool: "boolean", int: "long", float: "double", str: "string", list: "list", tuple: "list",
          set: "list", frozenset: "list"}


def _kind(value) -> str:
    kind = _KINDS.get(value.__class__)
    if kind is not None:
        return kind
    # Subclasses (numpy scalars, str enums …): the slower checks, in bool-before-int order.
    for cls, name in _KINDS.items():
        if isinstance(value, cls):
            return name
    return "string"


def _merge(old: str | None, new: str) -> str:
    if old is None or old == new:
        return new
    if old in ("long", "double") and new in ("long", "double"):
        return "double"
    if "list" in (old, new) and "string" in (old, new):
        return "list"
    return "string"


def attribute_kinds(attrs: Iterable[dict]) -> dict[str, str]:
    """The kind of each attribute over a sequence of attribute dicts, sorted by name.

    Args:
        attrs: node or edge attribute dicts.

    Returns:
        ``{name: kind}`` with kind ``boolean``, ``long``, ``double``, ``string``
        or ``list``; attributes that are always ``None`` are left out.

    >>> attribute_kinds([{"year": 2019, "amount": 1}, {"year": None, "amount": 2.5}])
    {'amount': 'double', 'year': 'long'}
    """
    kinds: dict[str, str] = {}
    kinds_get, known = kinds.get, _KINDS.get
    for d in attrs:
        for name, value in d.items():
            if value is None:
                continue
            # The hot loop (one pass per attribute of every edge): a dict lookup, no isinstance chain.
            kind = known(value.__class__) or _kind(value)
            old = kinds_get(name)
            if old != kind:
                kinds[name] = _merge(old, kind)
    return dict(sorted(kinds.items()))


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        if isinstance(value, (set, frozenset)):
            value = sorted(value, key=str)
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _items(value) -> list[str]:
    """The distinct values of a list attribute, as sorted strings."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted({_text(v) for v in value if v is not None})
    return [_text(value)]


def flat_value(value, kind: str):
    """``value`` as a plain ``bool``, ``int``, ``float`` or ``str`` of the given kind.

    Args:
        value: an attribute value (``None`` stays ``None``).
        kind: from :func:`attribute_kinds`.

    Returns:
        The flattened value; a list becomes its sorted distinct items joined
        by :data:`LIST_SEPARATOR`.

    >>> flat_value(3, "double"), flat_value(True, "string"), flat_value({"b": 1, "a": 2}, "string")
    (3.0, 'true', '{"a": 2, "b": 1}')
    """
    if value is None:
        return None
    if kind == "boolean":
        return bool(value)
    if kind == "long":
        return int(value)
    if kind == "double":
        return float(value)
    if kind == "list":
        return LIST_SEPARATOR.join(_items(value))
    return _text(value)


def flat_graph(G):
    """A copy of ``G`` whose graph, node and edge attributes are flat (see :func:`flat_value`).

    NetworkX's own writers (``write_graphml``, ``write_gexf``, ``write_gml``)
    refuse kg's lists and ``None``; they accept the flat copy.

    Args:
        G: any NetworkX graph.

    Returns:
        A graph of the same class, with the same nodes, edges and keys.

    >>> import networkx as nx
    >>> H = flat_graph(nx.Graph([(1, 2, {"tags": ["b", "a"], "note": None})]))
    >>> H.edges[1, 2]
    {'tags': 'a;b'}
    """
    H = G.__class__()
    node_kinds = attribute_kinds(d for _, d in G.nodes(data=True))
    edge_kinds = attribute_kinds(d for *_, d in G.edges(data=True))

    def flat(d: dict, kinds: dict) -> dict:
        return {k: flat_value(v, kinds[k]) for k, v in d.items() if v is not None and k in kinds}

    H.graph.update(flat(G.graph, attribute_kinds([G.graph])))
    H.add_nodes_from((n, flat(d, node_kinds)) for n, d in G.nodes(data=True))
    if G.is_multigraph():
        H.add_edges_from((u, v, k, flat(d, edge_kinds)) for u, v, k, d in G.edges(keys=True, data=True))
    else:
        H.add_edges_from((u, v, flat(d, edge_kinds)) for u, v, d in G.edges(data=True))
    return H


def _edges(G) -> Iterator[tuple]:
    """``(u, v, key, data, directed)`` for every edge, in the graph's (sorted) order.

    Edges of an undirected deal view run from the deal to its participant;
    symmetric relations (``partnerOf``, ``metWith``) are undirected.
    """
    nodes = G.nodes
    if G.is_multigraph():
        items = G.edges(keys=True, data=True)
    else:
        items = ((u, v, None, d) for u, v, d in G.edges(data=True))
    directed = G.is_directed()
    for u, v, k, d in items:
        if not directed and nodes[v].get("kind") == "deal" and nodes[u].get("kind") != "deal":
            u, v = v, u
        yield u, v, k, d, directed and not d.get("symmetric")


def _edge_type(d: dict) -> str:
    """The relation (entity view) or role (deal view) an edge stands for."""
    return str(d.get("relation") or d.get("role") or "related")


def _node_label(a: dict) -> str:
    """A node's class: ``Company``, ``Person`` … or the deal class."""
    return str(a.get("type") or "Resource")


def _folder(path) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KgError(f"cannot create the folder {out}: {exc.strerror or exc}") from None
    if not out.is_dir():
        raise KgError(f"{out} is not a folder")
    return out


# ---------------------------------------------------------------------------
# XML: GraphML and GEXF, streamed as text
# ---------------------------------------------------------------------------

# Attribute values keep their line breaks and tabs (a parser would turn raw ones into spaces).
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                              "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def xml_text(value) -> str:
    """A value as XML attribute or element text: escaped, without the characters XML 1.0 forbids.

    >>> xml_text('a "b" <c> & d\\x0b\\n')
    'a &quot;b&quot; &lt;c&gt; &amp; d&#10;'
    """
    text = value if isinstance(value, str) else repr(value) if isinstance(value, float) else _text(value)
    return _XML_BAD.sub("", text).translate(_XML_ESCAPES)


@contextlib.contextmanager
def _text_out(path_or_file):
    """A UTF-8 text stream over a path, or over a binary file object (left open)."""
    if not hasattr(path_or_file, "write"):
        try:
            fh = open(path_or_file, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise KgError(f"cannot write {path_or_file}: {exc.strerror or exc}") from None
        with fh:
            yield fh
        return
    wrapper = io.TextIOWrapper(path_or_file, encoding="utf-8", newline="\n", write_through=True)
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()


def _xml_data(d: dict, kinds: dict[str, str], ids: dict[str, str], element: str) -> str:
    """The ``<data key=…>`` (GraphML) or ``<attvalue for=…>`` (GEXF) children of one node or edge."""
    parts = []
    for name, value in d.items():
        if value is None or name not in ids:
            continue
        flat = xml_text(flat_value(value, kinds[name]))
        if element == "data":
            parts.append(f'<data key="{ids[name]}">{flat}</data>')
        else:
            parts.append(f'<attvalue for="{ids[name]}" value="{flat}"/>')
    return "".join(parts)


def write_graphml(G, path_or_file) -> None:
    """Write ``G`` as GraphML that NetworkX and igraph read back with every attribute.

    Node ids are the IRIs; edges of a multigraph carry their key as GraphML
    ``id``, so ``networkx.read_graphml`` restores the same keys. Each attribute
    is declared once with its type (``boolean``, ``long``, ``double``,
    ``string``); lists become ``;``-joined strings and ``None`` is left out (see
    :func:`flat_value`). Written in a stream, several times faster than
    NetworkX's own writer, which also refuses kg's lists and ``None``.

    Args:
        G: a projection (or any NetworkX graph).
        path_or_file: a path, or a binary file object.

    Raises:
        KgError: the file cannot be written.

    >>> import io, networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("urn:a", "urn:b", key="d|ceoOf", relation="ceoOf", amount=None, aliases=["x"])
    >>> buf = io.BytesIO(); write_graphml(G, buf); _ = buf.seek(0)
    >>> list(nx.read_graphml(buf, force_multigraph=True).edges(keys=True, data=True))
    [('urn:a', 'urn:b', 'd|ceoOf', {'relation': 'ceoOf', 'aliases': 'x'})]
    """
    graph_kinds = attribute_kinds([G.graph])
    node_kinds = attribute_kinds(d for _, d in G.nodes(data=True))
    edge_kinds = attribute_kinds(d for *_, d in G.edges(data=True))
    ids = {scope: {name: f"{scope[0]}{i}" for i, name in enumerate(kinds)}
           for scope, kinds in (("graph", graph_kinds), ("node", node_kinds), ("edge", edge_kinds))}
    types = {"boolean": "boolean", "long": "long", "double": "double", "string": "string", "list": "string"}
    multi = G.is_multigraph()
    with _text_out(path_or_file) as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
        for scope, kinds in (("graph", graph_kinds), ("node", node_kinds), ("edge", edge_kinds)):
            for name, kind in kinds.items():
                out.write(f'  <key id="{ids[scope][name]}" for="{scope}" attr.name="{xml_text(name)}" '
                          f'attr.type="{types[kind]}"/>\n')
        out.write(f'  <graph edgedefault="{"directed" if G.is_directed() else "undirected"}">'
                  f'{_xml_data(G.graph, graph_kinds, ids["graph"], "data")}\n')
        for n, a in G.nodes(data=True):
            out.write(f'    <node id="{xml_text(str(n))}">{_xml_data(a, node_kinds, ids["node"], "data")}</node>\n')
        edges = G.edges(keys=True, data=True) if multi else ((u, v, None, d) for u, v, d in G.edges(data=True))
        for u, v, k, d in edges:
            eid = f' id="{xml_text(str(k))}"' if multi else ""
            out.write(f'    <edge{eid} source="{xml_text(str(u))}" target="{xml_text(str(v))}">'
                      f'{_xml_data(d, edge_kinds, ids["edge"], "data")}</edge>\n')
        out.write("  </graph>\n</graphml>\n")


def _rgb(hex_color: str) -> dict[str, str]:
    h = hex_color.lstrip("#")
    return {"r": str(int(h[0:2], 16)), "g": str(int(h[2:4], 16)), "b": str(int(h[4:6], 16))}


def gexf_viz(G, *, layout: bool = True) -> dict:
    """Gephi's viz attributes of every node: colour, size and position.

    Colours are kg's class colours (:data:`kg.drawing.NODE_STYLES`; deals of the
    deal view get ``Deal``'s); sizes grow with the square root of the degree
    centrality, 8 to 38 as in kg's HTML views; positions come from kg's seeded
    igraph layout (:func:`kg.layout.map_layout`), in pixels.

    Args:
        G: a projection.
        layout: compute positions (the slow part on large graphs).

    Returns:
        ``{node: {"color": {r, g, b}, "size": float, "position": (x, y) | None}}``.

    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b")]); G.nodes["a"]["type"] = "Person"
    >>> gexf_viz(G)["a"]["color"]
    {'r': '221', 'g': '107', 'b': '32'}
    """
    from kg.drawing import NODE_STYLES, node_scores
    from kg.layout import map_layout

    scores = node_scores(G, "degree") if G.number_of_edges() else {}
    top = max(scores.values(), default=0.0) or 1.0
    pos = map_layout(G) if layout else {}
    out = {}
    for n, a in G.nodes(data=True):
        style = NODE_STYLES["Deal"] if a.get("kind") == "deal" else NODE_STYLES.get(a.get("type"), NODE_STYLES["Entity"])
        out[n] = {
            "color": _rgb(style["color"]),
            "size": round(8 + 30 * math.sqrt(max(scores.get(n, 0.0), 0.0) / top), 2),
            "position": pos.get(n),
        }
    return out


def write_gexf(G, path_or_file, *, layout: bool = True, title: str | None = None) -> None:
    """Write ``G`` as GEXF 1.3 for Gephi, with colours, sizes and positions.

    Every node has ``viz:color``, ``viz:size`` and (with ``layout``)
    ``viz:position``; every edge its relation (or role) as ``label`` and
    ``kind`` (GEXF 1.3's way to keep parallel edges apart), its key (in a
    multigraph) as the :data:`GEXF_KEY` attribute, and the relation's colour.
    Symmetric relations are ``type="undirected"`` in a directed graph.
    Attribute values follow :func:`flat_value`; the node label is the
    ``label`` XML attribute.

    Args:
        G: a projection (or any NetworkX graph).
        path_or_file: a path, or a binary file object.
        layout: compute positions with kg's seeded layout.
        title: the ``<description>``; default ``G.graph["title"]``.

    Raises:
        KgError: the file cannot be written.

    >>> import io, networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("urn:a", "urn:b", key="d|partnerOf", relation="partnerOf", symmetric=True)
    >>> buf = io.BytesIO(); write_gexf(G, buf)
    >>> b'type="undirected"' in buf.getvalue() and b'<viz:position' in buf.getvalue()
    True
    """
    viz = gexf_viz(G, layout=layout)
    node_kinds = attribute_kinds(d for _, d in G.nodes(data=True))
    node_kinds.pop("label", None)
    edge_kinds = attribute_kinds(d for *_, d in G.edges(data=True))
    if G.is_multigraph():
        edge_kinds = dict(sorted({**edge_kinds, GEXF_KEY: "string"}.items()))
    description = xml_text(str(title or G.graph.get("title") or "kg graph"))
    with _text_out(path_or_file) as out:
        out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<gexf xmlns="{GEXF_NS}" xmlns:viz="{GEXF_VIZ_NS}" '
                  f'version="1.3">\n  <meta><creator>kg</creator><description>{description}</description></meta>\n'
                  f'  <graph defaultedgetype="{"directed" if G.is_directed() else "undirected"}" idtype="string">\n')
        for cls, kinds in (("node", node_kinds), ("edge", edge_kinds)):
            out.write(f'    <attributes class="{cls}">\n')
            for i, (name, kind) in enumerate(kinds.items()):
                out.write(f'      <attribute id="{i}" title="{xml_text(name)}" type="{_GEXF_TYPES[kind]}"/>\n')
            out.write("    </attributes>\n")
        _gexf_nodes(out, G, viz, node_kinds)
        _gexf_edges(out, G, edge_kinds)
        out.write("  </graph>\n</gexf>\n")


def _gexf_nodes(out, G, viz: dict, kinds: dict[str, str]) -> None:
    ids = {name: str(i) for i, name in enumerate(kinds)}
    out.write(f'    <nodes count="{G.number_of_nodes()}">\n')
    for n, a in G.nodes(data=True):
        values = _xml_data(a, kinds, ids, "attvalue")
        v = viz[n]
        c = v["color"]
        parts = [f'      <node id="{xml_text(str(n))}" label="{xml_text(str(a.get("label") or n))}">',
                 f"<attvalues>{values}</attvalues>" if values else "",
                 f'<viz:color r="{c["r"]}" g="{c["g"]}" b="{c["b"]}"/><viz:size value="{v["size"]!r}"/>']
        if v["position"] is not None:
            x, y = v["position"]
            # Screen y grows downwards, Gephi's upwards: flip, so both show the same picture.
            parts.append(f'<viz:position x="{float(x)!r}" y="{float(-y)!r}" z="0.0"/>')
        parts.append("</node>\n")
        out.write("".join(parts))
    out.write("    </nodes>\n")


def _gexf_edges(out, G, kinds: dict[str, str]) -> None:
    from kg.drawing import RELATION_COLORS

    ids = {name: str(i) for i, name in enumerate(kinds)}
    colors = {rel: '<viz:color r="{r}" g="{g}" b="{b}"/>'.format(**_rgb(c)) for rel, c in RELATION_COLORS.items()}
    multi = G.is_multigraph()
    out.write(f'    <edges count="{G.number_of_edges()}">\n')
    for i, (u, v, k, d, directed) in enumerate(_edges(G)):
        rel = xml_text(_edge_type(d))
        values = _xml_data({**d, GEXF_KEY: k} if multi else d, kinds, ids, "attvalue")
        out.write(f'      <edge id="{i}" source="{xml_text(str(u))}" target="{xml_text(str(v))}" '
                  f'type="{"directed" if directed else "undirected"}" label="{rel}" kind="{rel}">'
                  f'{f"<attvalues>{values}</attvalues>" if values else ""}{colors.get(_edge_type(d), "")}</edge>\n')
    out.write("    </edges>\n")


# ---------------------------------------------------------------------------
# CSV: Gephi's spreadsheet import, pandas, any tool
# ---------------------------------------------------------------------------


def _csv_cell(value) -> str:
    if value is None:
        return ""
    return _text(value) if not isinstance(value, float) else repr(value)


def _write_csv_rows(path: Path, header: list[str], rows: Iterable[list]) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([_csv_cell(c) for c in row] for row in rows)
    except OSError as exc:
        raise KgError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_csv(G, directory) -> list[Path]:
    """Write ``G`` as ``nodes.csv`` and ``edges.csv`` in a folder (created if missing).

    ``nodes.csv`` has ``id`` (the IRI), then one column per node attribute;
    ``edges.csv`` has ``id`` (a running number), ``source``, ``target``,
    ``type`` (``directed`` or ``undirected``), ``key`` for multigraphs, then one
    column per edge attribute. Values follow :func:`flat_value`; empty cells
    are ``None``.

    Args:
        G: a projection (or any NetworkX graph).
        directory: the folder to write into.

    Returns:
        The two paths.

    Raises:
        KgError: the folder or a file cannot be written.

    >>> import tempfile, networkx as nx
    >>> G = nx.Graph([("urn:d", "urn:x", {"role": "investor"})])
    >>> files = write_csv(G, tempfile.mkdtemp())
    >>> files[1].read_text().splitlines()
    ['id,source,target,type,role', '0,urn:d,urn:x,undirected,investor']
    """
    out = _folder(directory)
    node_kinds = attribute_kinds(d for _, d in G.nodes(data=True))
    edge_kinds = attribute_kinds(d for *_, d in G.edges(data=True))
    fixed = ("id", "source", "target", "type", "key")
    edge_cols = [k for k in edge_kinds if k not in fixed]
    nodes_csv, edges_csv = out / "nodes.csv", out / "edges.csv"
    _write_csv_rows(nodes_csv, ["id", *node_kinds], (
        [n, *(flat_value(a.get(k), kind) for k, kind in node_kinds.items())] for n, a in G.nodes(data=True)))
    multi = G.is_multigraph()
    _write_csv_rows(edges_csv, ["id", "source", "target", "type", *(["key"] if multi else []), *edge_cols], (
        [i, u, v, "directed" if directed else "undirected", *([k] if multi else []),
         *(flat_value(d.get(c), edge_kinds[c]) for c in edge_cols)]
        for i, (u, v, k, d, directed) in enumerate(_edges(G))))
    return [nodes_csv, edges_csv]


# ---------------------------------------------------------------------------
# Neo4j: neo4j-admin import files and an openCypher script
# ---------------------------------------------------------------------------


def neo4j_header(name: str, kind: str) -> str:
    """A typed neo4j-admin import header field for an attribute.

    >>> neo4j_header("year", "long"), neo4j_header("aliases", "list"), neo4j_header("label", "string")
    ('year:long', 'aliases:string[]', 'label')
    """
    return name if kind == "string" else f"{name}:{_NEO4J_TYPES[kind]}"


def cypher_name(name: str) -> str:
    """A label, type or property name for Cypher, in backticks unless it is a plain identifier.

    >>> cypher_name("ceoOf"), cypher_name("deal type"), cypher_name("a`b")
    ('ceoOf', '`deal type`', '`a``b`')
    """
    return name if _CYPHER_NAME.match(name) else "`" + name.replace("`", "``") + "`"


def cypher_literal(value, kind: str = "string") -> str:
    """A value as a Cypher literal of the given kind (lists become Cypher lists).

    Strings are written with JSON's escapes, a subset of Cypher's.

    >>> cypher_literal('say "hi"'), cypher_literal(["b", "a"], "list"), cypher_literal([], "list"), cypher_literal(2, "double")
    ('"say \\\\"hi\\\\""', '["a", "b"]', 'null', '2.0')
    """
    if kind == "list":
        # An empty list is left out like None: engines type ``[]`` as a list of
        # integers, which clashes with the strings of the other rows.
        items = _items(value) if value is not None else []
        return "[" + ", ".join(_JSON_STRING(x) for x in items) + "]" if items else "null"
    if value is None:
        return "null"
    flat = flat_value(value, kind)
    if kind == "boolean":
        return "true" if flat else "false"
    if kind in ("long", "double"):
        return repr(flat)
    return _JSON_STRING(flat)


def _node_tables(G) -> dict[str, dict[str, str]]:
    """Label → the kinds of the attributes its nodes have."""
    groups: dict[str, list] = {}
    for _, a in G.nodes(data=True):
        groups.setdefault(_node_label(a), []).append(a)
    return {label: attribute_kinds(attrs) for label, attrs in sorted(groups.items())}


def _rel_tables(G) -> dict[str, tuple[dict[str, str], list[tuple[str, str]]]]:
    """Relationship type → (attribute kinds, the (from label, to label) pairs it links)."""
    groups: dict[str, list] = {}
    pairs: dict[str, set] = {}
    nodes = G.nodes
    for u, v, _k, d, _directed in _edges(G):
        rel = _edge_type(d)
        groups.setdefault(rel, []).append(d)
        pairs.setdefault(rel, set()).add((_node_label(nodes[u]), _node_label(nodes[v])))
    out = {}
    for rel, attrs in sorted(groups.items()):
        kinds = attribute_kinds(attrs)
        if G.is_multigraph():
            kinds = dict(sorted({**kinds, "key": "string"}.items()))
        out[rel] = (kinds, sorted(pairs[rel]))
    return out


def _present(value) -> bool:
    return value is not None and not (isinstance(value, (list, tuple, set, frozenset)) and not value)


def _cypher_rows(items: Iterable[tuple], kinds_of) -> dict[tuple, list[str]]:
    """Group ``(group, values)`` items by group and by which properties they have; each becomes a map literal.

    Rows of one ``UNWIND`` list must have the same keys and types (schema-first
    engines type the list), so a property that is missing (``None``, an empty
    list) makes a different shape rather than a ``null``.
    """
    out: dict[tuple, list[str]] = {}
    for group, values in items:
        kinds = kinds_of(group)
        shape = tuple(k for k in kinds if _present(values.get(k)))
        literal = "{" + ", ".join(f"{cypher_name(k)}: {cypher_literal(values[k], kinds[k])}" for k in shape) + "}"
        out.setdefault((group, shape), []).append(literal)
    return out


def _batches(items: list, size: int = _BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _cypher_statements(G, node_tables: dict, rel_tables: dict) -> Iterator[str]:
    """``UNWIND [...] AS row CREATE …`` statements: nodes by label, then relationships by type and labels."""
    nodes = _cypher_rows(((_node_label(a), {"uri": n, **a}) for n, a in G.nodes(data=True)),
                         lambda label: {"uri": "string", **node_tables[label]})
    for (label, shape), rows in sorted(nodes.items()):
        props = ", ".join(f"{cypher_name(k)}: row.{cypher_name(k)}" for k in shape)
        for batch in _batches(rows):
            yield f"UNWIND [{', '.join(batch)}] AS row CREATE (n:{cypher_name(label)} {{{props}}});"
    labels = G.nodes
    rels = _cypher_rows((((_edge_type(d), _node_label(labels[u]), _node_label(labels[v])),
                          {"s": u, "t": v, **d, "key": k}) for u, v, k, d, _ in _edges(G)),
                        lambda group: {"s": "string", "t": "string", **rel_tables[group[0]][0]})
    for ((rel, lu, lv), shape), rows in sorted(rels.items()):
        props = ", ".join(f"{cypher_name(k)}: row.{cypher_name(k)}" for k in shape if k not in ("s", "t"))
        for batch in _batches(rows):
            yield (f"UNWIND [{', '.join(batch)}] AS row MATCH (a:{cypher_name(lu)} {{uri: row.s}}), "
                   f"(b:{cypher_name(lv)} {{uri: row.t}}) CREATE (a)-[:{cypher_name(rel)} {{{props}}}]->(b);")


def _schema_statements(node_tables: dict, rel_tables: dict) -> Iterator[str]:
    """Kùzu / LadybugDB DDL: one node table per label, one relationship table per type."""
    for label, kinds in node_tables.items():
        cols = ", ".join(["uri STRING PRIMARY KEY", *(f"{cypher_name(k)} {_KUZU_TYPES[kind]}"
                                                      for k, kind in kinds.items())])
        yield f"CREATE NODE TABLE {cypher_name(label)}({cols});"
    for rel, (kinds, pairs) in rel_tables.items():
        ends = [f"FROM {cypher_name(a)} TO {cypher_name(b)}" for a, b in pairs]
        cols = [f"{cypher_name(k)} {_KUZU_TYPES[kind]}" for k, kind in kinds.items()]
        yield f"CREATE REL TABLE {cypher_name(rel)}({', '.join(ends + cols)});"


def _write_lines(path: Path, head: list[str], lines: Iterable[str]) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(f"{h}\n" for h in head)
            fh.writelines(f"{line}\n" for line in lines)
    except OSError as exc:
        raise KgError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_neo4j(G, directory) -> list[Path]:
    """Write ``G`` for Neo4j: neo4j-admin import CSV files and an openCypher script.

    Files, in a folder created if missing:

    - ``nodes.csv``: ``uri:ID``, one typed column per node attribute
      (``year:long``, ``aliases:string[]`` …) and ``:LABEL`` (the class:
      ``Company``, ``Person`` …, or the deal class).
    - ``relationships.csv``: ``:START_ID``, ``:END_ID``, ``:TYPE`` (the
      relation, or the role in the deal view), ``key`` for multigraphs, then
      the edge attributes. Load both with
      ``neo4j-admin database import full --nodes=nodes.csv
      --relationships=relationships.csv neo4j``
      (``--multiline-fields=true`` when quotes span lines).
    - ``import.cypher``: the same graph as ``UNWIND [...] AS row CREATE``
      statements, for ``cypher-shell -f import.cypher`` into an empty
      database (or any openCypher engine).
    - ``constraints.cypher``: Neo4j's uniqueness constraint on ``uri`` for
      each label, to run before ``import.cypher`` so its ``MATCH`` es use an
      index.
    - ``schema.cypher``: the node and relationship tables that schema-first
      engines (Kùzu, LadybugDB) need before ``import.cypher``.

    Args:
        G: a projection (or any NetworkX graph).
        directory: the folder to write into.

    Returns:
        The five paths.

    Raises:
        KgError: the folder or a file cannot be written.

    >>> import tempfile, networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("urn:a", label="Xiaomi", type="Company", aliases=["MI"])
    >>> G.add_node("urn:b", label="Lei Jun", type="Person", aliases=[])
    >>> _ = G.add_edge("urn:b", "urn:a", key="d|ceoOf", relation="ceoOf", year=2010)
    >>> files = write_neo4j(G, tempfile.mkdtemp())
    >>> files[0].read_text().splitlines()[0], files[1].read_text().splitlines()[0]
    ('uri:ID,aliases:string[],label,type,:LABEL', ':START_ID,:END_ID,:TYPE,key,relation,year:long')
    """
    out = _folder(directory)
    node_kinds = attribute_kinds(d for _, d in G.nodes(data=True))
    edge_kinds = attribute_kinds(d for *_, d in G.edges(data=True))
    multi = G.is_multigraph()
    edge_kinds.pop("key", None)
    paths = [out / name for name in ("nodes.csv", "relationships.csv", "import.cypher", "constraints.cypher",
                                     "schema.cypher")]
    _write_csv_rows(paths[0], ["uri:ID", *(neo4j_header(k, kind) for k, kind in node_kinds.items()), ":LABEL"], (
        [n, *(flat_value(a.get(k), kind) for k, kind in node_kinds.items()), _node_label(a)]
        for n, a in G.nodes(data=True)))
    head = [":START_ID", ":END_ID", ":TYPE", *(["key"] if multi else []),
            *(neo4j_header(k, kind) for k, kind in edge_kinds.items())]
    _write_csv_rows(paths[1], head, (
        [u, v, _edge_type(d), *([k] if multi else []), *(flat_value(d.get(c), kind) for c, kind in edge_kinds.items())]
        for u, v, k, d, _directed in _edges(G)))
    title = str(G.graph.get("title") or "kg graph").replace("\n", " ")
    node_tables, rel_tables = _node_tables(G), _rel_tables(G)
    _write_lines(paths[2], [f"// {title}: {G.number_of_nodes()} nodes, {G.number_of_edges()} relationships.",
                            "// Neo4j, into an empty database: cypher-shell -f constraints.cypher, then "
                            "cypher-shell -f import.cypher",
                            "// (faster: neo4j-admin database import full --nodes=nodes.csv "
                            "--relationships=relationships.csv --multiline-fields=true neo4j)",
                            "// Schema-first engines (Kuzu, LadybugDB): run schema.cypher first."],
                 _cypher_statements(G, node_tables, rel_tables))
    _write_lines(paths[3], ["// Neo4j 5: one uniqueness constraint (and index) on uri per label, before import.cypher."],
                 (f"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{cypher_name(label)}) REQUIRE n.uri IS UNIQUE;"
                  for label in node_tables))
    _write_lines(paths[4], ["// Node and relationship tables for schema-first Cypher engines (Kuzu, LadybugDB)."],
                 _schema_statements(node_tables, rel_tables))
    return paths


# ---------------------------------------------------------------------------
# The library call behind ``kg export --format graphml|gexf|neo4j|csv``
# ---------------------------------------------------------------------------


def project(store, view: str = "entity", **filters):
    """The entity view or the deal view of a store, with :mod:`kg.network`'s filters.

    Args:
        store: an open store.
        view: ``entity`` (:func:`kg.network.entity_graph`) or ``deal`` (:func:`kg.network.deal_graph`).
        **filters: ``relations``, ``types``, ``exclude_status``, ``since``, ``until``, ``include_declined``.

    Returns:
        The NetworkX graph, with ``G.graph["title"]`` set.

    Raises:
        FormatError: an unknown view.
        KgError: an unknown relation, type or status.

    >>> from kg.stores import open_store
    >>> project(open_store("memory:"), "deal").graph["title"]
    'kg: the deal view'
    """
    from kg.network import deal_graph, entity_graph

    if view not in VIEWS:
        raise FormatError(f"unknown view {view!r}; use one of: {', '.join(VIEWS)}")
    G = (entity_graph if view == "entity" else deal_graph)(store, **filters)
    G.graph["title"] = f"kg: the {view} view"
    return G


def write_graph(G, fmt: str, out, *, layout: bool = True) -> list[Path]:
    """Write a graph in one of the :class:`ExportFormat` formats.

    Args:
        G: a projection.
        fmt: an :class:`ExportFormat` or its name.
        out: the file (``graphml``, ``gexf``: a path or a binary file object)
            or folder (``neo4j``, ``csv``).
        layout: GEXF positions (see :func:`write_gexf`).

    Returns:
        The paths written (empty when ``out`` is a file object).

    Raises:
        FormatError: an unknown format, or a folder format without a folder.
        KgError: a file cannot be written.
    """
    fmt = ExportFormat.from_name(fmt)
    if fmt.writes_folder:
        if out is None or hasattr(out, "write"):
            raise FormatError(f"--format {fmt} writes several files: give a folder with -o DIR")
        return write_neo4j(G, out) if fmt is ExportFormat.NEO4J else write_csv(G, out)
    if fmt is ExportFormat.GRAPHML:
        write_graphml(G, out)
    else:
        write_gexf(G, out, layout=layout)
    return [] if hasattr(out, "write") else [Path(out)]


def export_view(store, fmt: str, out, *, view: str = "entity", layout: bool = True, **filters) -> dict:
    """Project the store and write the projection: the library call behind ``kg export``.

    Args:
        store: an open store.
        fmt, out, layout: as for :func:`write_graph`.
        view, **filters: as for :func:`project`.

    Returns:
        ``{"format", "view", "nodes", "edges", "files"}``.

    Raises:
        FormatError, KgError: as :func:`project` and :func:`write_graph`.

    >>> import tempfile
    >>> from kg.stores import open_store
    >>> export_view(open_store("memory:"), "csv", tempfile.mkdtemp())["edges"]
    0
    """
    fmt = ExportFormat.from_name(fmt)
    G = project(store, view, **filters)
    files = write_graph(G, fmt, out, layout=layout)
    return {"format": fmt.value, "view": view, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "files": [str(p) for p in files]}
