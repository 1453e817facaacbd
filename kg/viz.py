"""Interactive HTML views of the knowledge graph: one self-contained file each.

A page is drawn by vis-network, the library pyvis ships, but through kg's own
template (``kg/templates/view.*``) rather than pyvis's: pyvis's pages load
vis-network and Bootstrap from CDNs (blank offline), have no legend, and their
select menus break on non-Latin names. Here the vis-network script from the
installed pyvis package, our CSS and our JavaScript are inlined, and the graph
is embedded as JSON in a ``<script type="application/json">`` block, with
``<``, ``>`` and ``&`` escaped, so the page works with the network off and no
entity name can close the script or inject markup. The page's own code builds
every label, legend entry and fact panel with ``textContent``.

What the page offers: nodes coloured and shaped by class with a legend and
sized by a centrality; edges labelled with their relation, arrows for
direction (none for symmetric relations), parallel edges on distinct curves;
the facts of a node or edge (date, amount, status, quote, source) on hover or
click; a search box over names and aliases in any script; filters by relation
and status ("hide rumours"); a neighbourhood highlight on click.

Scale: up to :data:`LAYOUT_THRESHOLD` nodes the browser lays the graph out
with physics (seeded, then frozen); above it the layout is computed here
(:func:`spread_layout`) and physics stays off, so thousands of nodes draw in
about a second. Above :data:`NODE_CAP` nodes (or :data:`EDGE_CAP` edges)
:func:`render_html` refuses with :class:`~kg.errors.VizError`.

The output is deterministic: the same graph gives byte-identical HTML (sorted
nodes and edges, seeded layouts, rounded numbers, no timestamps), so the
committed views in ``graphs/`` can be checked for freshness.

The view builders (:func:`whole_view`, :func:`focus_view`, :func:`path_view`,
:func:`sparql_view`) return a ``networkx.MultiDiGraph`` in the shape of
:func:`kg.network.entity_graph`, with the page's title, focus and highlight in
``G.graph`` so :func:`write_html` needs nothing else.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("urn:a", label="小米", type="Company", aliases=["Xiaomi"])
>>> G.add_node("urn:b", label="Lei Jun", type="Person", aliases=[])
>>> _ = G.add_edge("urn:b", "urn:a", key="d|ceoOf", relation="ceoOf", status="reported")
>>> page = render_html(G, title="demo")
>>> page.startswith("<!DOCTYPE html>") and "cdn" not in page.lower()
True
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

from kg.errors import KgError, VizError
from kg.schema import load as load_schema

#: Above this many nodes the layout is computed in Python and physics is off.
LAYOUT_THRESHOLD = 250
#: Above this many nodes a page would freeze the browser: refuse.
NODE_CAP = 20_000
#: Above this many edges, likewise.
EDGE_CAP = 60_000
#: Centralities a page can size its nodes by.
SIZE_MEASURES = ("degree", "pagerank", "betweenness", "eigenvector", "closeness", "none")
#: The seed of every layout, so pages are reproducible.
SEED = 7

#: Colour and vis-network shape of each node class (shapes that keep the label
#: outside, so the size can show the centrality).
NODE_STYLES: dict[str, dict[str, str]] = {
    "Company": {"color": "#2b6cb0", "shape": "dot"},
    "Person": {"color": "#dd6b20", "shape": "diamond"},
    "Organization": {"color": "#2f855a", "shape": "square"},
    "Project": {"color": "#805ad5", "shape": "triangle"},
    "Concept": {"color": "#718096", "shape": "hexagon"},
    "Deal": {"color": "#b7791f", "shape": "star"},
    "Entity": {"color": "#a0aec0", "shape": "dot"},
}
#: Colours of the relations of :mod:`kg.rules` (others get :data:`OTHER_RELATION_COLORS`).
RELATION_COLORS: dict[str, str] = {
    "investedIn": "#2f855a",
    "acquired": "#c53030",
    "partnerOf": "#3182ce",
    "seeksPartner": "#d69e2e",
    "metWith": "#805ad5",
    "ceoOf": "#dd6b20",
    "founderOf": "#b83280",
    "industry": "#a0aec0",
}
OTHER_RELATION_COLORS = ("#319795", "#4a5568", "#9c4221", "#2c5282", "#276749", "#702459")

#: The predicate of edges from a SELECT without ?predicate.
KG_RELATED = "https://kg.example.org/ontology#related"

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_VIS_JS = ("lib", "vis-9.1.2", "vis-network.min.js")


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


def render_html(G, *, title: str | None = None, highlight=None, size_by: str = "degree", focus=None) -> str:
    """Draw an entity graph as one self-contained, offline HTML page.

    Args:
        G: a ``networkx.MultiDiGraph`` shaped like :func:`kg.network.entity_graph`
            (node attributes ``label``, ``type``, ``aliases``; edge attributes
            ``relation``, ``date``, ``status``, ``amount``, ``quote`` …). Any
            NetworkX graph works: missing attributes fall back to the node id.
        title: the page title; default ``G.graph["title"]``, else ``"kg graph"``.
        highlight: nodes and edges to stand out (a path): a path dict from
            :func:`kg.paths.find_paths`, ``{"nodes": [...], "edges": [(u, v[, key]), ...]}``,
            or an iterable of nodes. Default ``G.graph["highlight"]``.
        size_by: the centrality that sizes nodes, one of :data:`SIZE_MEASURES`.
        focus: a node to select and centre when the page opens; default ``G.graph["focus"]``.

    Returns:
        The HTML text.

    Raises:
        VizError: the graph is over :data:`NODE_CAP` nodes or :data:`EDGE_CAP`
            edges, ``size_by`` is unknown, or the focus is not in the graph.

    >>> import networkx as nx
    >>> "kgReady" in render_html(nx.MultiDiGraph(), title="empty")
    True
    """
    data = view_data(G, title=title, highlight=highlight, size_by=size_by, focus=focus)
    return page_html(data)


def write_html(G, path, **kw) -> Path:
    """Write :func:`render_html` of ``G`` to ``path`` (UTF-8), creating folders.

    Args:
        G: the graph.
        path: the output file.
        **kw: passed to :func:`render_html`.

    Returns:
        The path written.

    Raises:
        VizError: as :func:`render_html`.
    """
    out = Path(path)
    text = render_html(G, **kw)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8", newline="\n")
    return out


def check_size(G) -> None:
    """Refuse graphs too large for a browser.

    Raises:
        VizError: over :data:`NODE_CAP` nodes or :data:`EDGE_CAP` edges; says how to narrow it.
    """
    n, m = G.number_of_nodes(), G.number_of_edges()
    if n > NODE_CAP or m > EDGE_CAP:
        raise VizError(
            f"the graph has {n:,} nodes and {m:,} edges, more than a browser can draw "
            f"({NODE_CAP:,} nodes / {EDGE_CAP:,} edges); draw part of it with "
            "--focus ENTITY --depth N, --path A B, or a --sparql query that filters"
        )


def view_data(G, *, title=None, highlight=None, size_by="degree", focus=None) -> dict:
    """The JSON payload a page embeds: nodes, edges, legend, filters and options.

    Args: as :func:`render_html`.

    Returns:
        ``{"title", "nodes", "edges", "legend", "relations", "statuses",
        "physics", "focus", "highlight", "sizeBy"}``. Nodes and edges are in a
        stable order (sorted by id, then by key).

    Raises:
        VizError: as :func:`render_html`.
    """
    check_size(G)
    if size_by not in SIZE_MEASURES:
        raise VizError(f"unknown size measure {size_by!r}; use one of: {', '.join(SIZE_MEASURES)}")
    title = title or G.graph.get("title") or "kg graph"
    focus = focus if focus is not None else G.graph.get("focus")
    highlight = highlight if highlight is not None else G.graph.get("highlight")
    if focus is not None and focus not in G:
        raise VizError(f"focus {focus} is not in the graph")
    order = sorted(G.nodes, key=str)
    ids = {n: str(n) for n in order}
    scores = node_scores(G, size_by)
    top = max(scores.values(), default=0.0) or 1.0
    physics = len(order) <= LAYOUT_THRESHOLD
    pos = {} if physics else spread_layout(G, seed=SEED)
    hl_nodes, hl_edges = _highlight_sets(G, highlight)

    nodes, types = [], {}
    for n in order:
        a = G.nodes[n]
        ntype = a.get("type") or "Entity"
        types[ntype] = types.get(ntype, 0) + 1
        label = str(a.get("label") or _local(ids[n]))
        # Sorted: the store returns aliases in no fixed order.
        aliases = sorted({str(x) for x in (a.get("aliases") or []) if x})
        score = scores.get(n, 0.0)
        node = {
            "id": ids[n],
            "label": label,
            "type": ntype,
            "aliases": aliases,
            # Square root: the area of a node, not its radius, tracks the score.
            "size": round(8 + 30 * math.sqrt(max(score, 0.0) / top), 1),
            "facts": _node_facts(ids[n], ntype, aliases, size_by, score),
        }
        if n in hl_nodes:
            node["hl"] = True
        if n in pos:
            node["x"], node["y"] = pos[n]
        nodes.append(node)

    edges, relations, statuses = _edge_rows(G, ids, hl_edges)
    for rel in relations:
        relations[rel] = {"name": rel, "color": _relation_color(rel), "count": relations[rel]}
    legend = [
        {"type": t, "count": types[t], **NODE_STYLES.get(t, NODE_STYLES["Entity"])}
        for t in sorted(types, key=lambda t: (list(NODE_STYLES).index(t) if t in NODE_STYLES else 99, t))
    ]
    return {
        "title": str(title),
        "nodes": nodes,
        "edges": edges,
        "legend": legend,
        "relations": [relations[r] for r in sorted(relations)],
        "statuses": sorted(statuses),
        "uncertain": list(load_schema().uncertain_statuses),
        "physics": physics,
        "focus": ids[focus] if focus is not None else None,
        "highlight": bool(hl_nodes or hl_edges),
        "sizeBy": size_by,
    }


def page_html(data: dict) -> str:
    """Assemble the page: template, inlined vis-network, CSS, JS and the escaped JSON data.

    Args:
        data: :func:`view_data`'s payload.

    Returns:
        The HTML text.
    """
    vis_js = vis_network_js()
    app_js = (_TEMPLATES / "view.js").read_text(encoding="utf-8")
    parts = {
        "TITLE": html.escape(data["title"]),
        # The Content-Security-Policy allows exactly our two scripts (by hash)
        # and no network at all: an injected handler or fetch cannot run.
        "CSP_SCRIPTS": f"{_csp_hash(vis_js)} {_csp_hash(app_js)}",
        "CSS": (_TEMPLATES / "view.css").read_text(encoding="utf-8"),
        "VIS_JS": vis_js,
        "APP_JS": app_js,
        "DATA": json_for_script(data),
    }
    template = (_TEMPLATES / "view.html").read_text(encoding="utf-8")
    # One pass over the template's own markers: inserted text (a script, the
    # data) is never scanned again, so no value can smuggle in a marker.
    out, rest = [], template
    while "{{" in rest:
        before, _, after = rest.partition("{{")
        name, _, rest = after.partition("}}")
        out.append(before)
        out.append(parts[name.strip()])
    out.append(rest)
    return "".join(out)


def _csp_hash(script: str) -> str:
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def json_for_script(data) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e``, ``\\u0026`` (so no
    ``</script>`` or ``<!--`` can appear), and the JavaScript line separators
    U+2028/U+2029 are escaped too.

    >>> text = json_for_script({"label": "</script><img src=x>"})
    >>> "<" in text, json.loads(text)["label"]
    (False, '</script><img src=x>')
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def vis_network_js() -> str:
    """The vis-network script shipped inside the installed pyvis package (found without importing pyvis).

    Raises:
        VizError: pyvis is not installed, or its copy of vis-network is missing.
    """
    import importlib.util

    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise VizError("pyvis is not installed; install kg's dependencies (pip install -e .)")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*_VIS_JS)
    if not path.is_file():
        raise VizError(f"vis-network is missing from pyvis ({path}); reinstall pyvis 0.3.2")
    text = path.read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise VizError(f"{path} cannot be inlined: it contains '</script'")
    return text


# ---------------------------------------------------------------------------
# Nodes, edges and their facts
# ---------------------------------------------------------------------------


def node_scores(G, measure: str) -> dict:
    """Centrality of every node, for sizing; ``none`` gives every node 0.

    Uses :func:`kg.analytics.centrality` (betweenness is sampled on large graphs).

    Returns:
        ``{node: score}``, rounded to 6 digits so pages are reproducible.
    """
    if measure == "none" or G.number_of_nodes() == 0:
        return {}
    from kg.analytics import centrality

    try:
        rows = centrality(G, measure)["rows"]
    except KgError as exc:
        raise VizError(f"cannot size nodes by {measure}: {exc}") from None
    return {r["iri"]: round(float(r["score"]), 6) for r in rows}


def _local(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[cut + 1:] if cut >= 0 and cut < len(iri) - 1 else iri


def _relation_color(rel: str) -> str:
    if rel in RELATION_COLORS:
        return RELATION_COLORS[rel]
    # A stable colour for unknown predicates (sparql views): sum of code points.
    return OTHER_RELATION_COLORS[sum(map(ord, rel)) % len(OTHER_RELATION_COLORS)]


def _node_facts(iri, ntype, aliases, size_by, score) -> list[list[str]]:
    facts = [["type", ntype]]
    if aliases:
        facts.append(["aliases", ", ".join(aliases)])
    if size_by != "none":
        facts.append([size_by, f"{score:.4g}"])
    facts.append(["IRI", iri])
    return facts


def format_amount(amount, currency=None, approximate=False) -> str | None:
    """An amount for people: ``≈ 400,000,000 USD``.

    >>> format_amount(400000000.0, "USD", True)
    '≈ 400,000,000 USD'
    >>> format_amount(None) is None
    True
    """
    if amount is None or amount == "":
        return None
    try:
        num = float(amount)
        text = f"{num:,.0f}" if num == int(num) else f"{num:,.2f}"
    except (TypeError, ValueError):
        text = str(amount)
    if currency:
        text += f" {currency}"
    return ("≈ " if approximate else "") + text


def _edge_facts(d: dict) -> list[list[str]]:
    amount = format_amount(d.get("amount"), d.get("currency"), bool(d.get("approximate")))
    source = d.get("source_label") or d.get("source")
    if d.get("source_label") and d.get("source"):
        source = f"{d['source_label']} ({d['source']})"
    conf = d.get("confidence")
    rows = [
        ("relation", d.get("relation")),
        ("deal", d.get("deal_type")),
        ("date", d.get("date")),
        ("status", d.get("status")),
        ("amount", amount),
        ("quote", d.get("quote")),
        ("source", source),
        ("confidence", f"{float(conf):.2f}" if conf is not None else None),
        ("deal IRI", d.get("deal")),
    ]
    return [[k, str(v)] for k, v in rows if v not in (None, "")]


def _edge_rows(G, ids: dict, hl_edges: set) -> tuple[list[dict], dict, set]:
    """Edges in a stable order, with parallel edges spread on distinct curves."""
    multi = G.is_multigraph()
    items = G.edges(keys=True, data=True) if multi else ((u, v, None, d) for u, v, d in G.edges(data=True))
    rows = sorted(items, key=lambda e: (ids[e[0]], ids[e[1]], str(e[2])))
    pair_count: dict[tuple, int] = {}
    for u, v, _k, _d in rows:
        pair = tuple(sorted((ids[u], ids[v])))
        pair_count[pair] = pair_count.get(pair, 0) + 1
    pair_seen: dict[tuple, int] = {}
    edges, relations, statuses = [], {}, set()
    directed = G.is_directed()
    for i, (u, v, k, d) in enumerate(rows):
        rel = str(d.get("relation") or "related")
        status = d.get("status")
        relations[rel] = relations.get(rel, 0) + 1
        if status:
            statuses.add(str(status))
        a, b = ids[u], ids[v]
        pair = (a, b) if a <= b else (b, a)
        j = pair_seen.get(pair, 0)
        pair_seen[pair] = j + 1
        edge = {
            "id": f"e{i}",
            "from": a,
            "to": b,
            "relation": rel,
            "status": str(status) if status else None,
            "arrows": "to" if directed and not d.get("symmetric") else "",
            "facts": _edge_facts({**d, "relation": rel}),
        }
        if pair_count[pair] > 1:
            edge["smooth"] = _curve(j, pair_count[pair], forward=(a <= b))
        if (u, v, k) in hl_edges:
            edge["hl"] = True
        edges.append(edge)
    return edges, relations, statuses


def _curve(j: int, count: int, *, forward: bool) -> dict:
    """The j-th of ``count`` parallel edges: alternate sides, growing roundness.

    Curves are given relative to the pair in sorted order, so an edge a→b and an
    edge b→a never land on the same curve.
    """
    if count % 2 == 1 and j == 0:
        return {"enabled": False}
    rank = j if count % 2 == 0 else j - 1
    side_cw = rank % 2 == 0
    roundness = round(0.2 * (rank // 2 + 1), 2)
    if not forward:
        side_cw = not side_cw
    return {"enabled": True, "type": "curvedCW" if side_cw else "curvedCCW", "roundness": roundness}


def _highlight_sets(G, highlight) -> tuple[set, set]:
    """Nodes and ``(u, v, key)`` edges to highlight, from a path dict, a nodes/edges dict or nodes."""
    if not highlight:
        return set(), set()
    if isinstance(highlight, dict):
        nodes = [n for n in highlight.get("nodes", []) if n in G]
        pairs = list(highlight.get("edges") or [])
        if not pairs:
            hops = highlight.get("hops") or []
            if hops:
                pairs = [(h["from"], h["to"], h.get("deal"), h.get("relation")) for h in hops]
            else:
                pairs = list(zip(nodes, nodes[1:]))
    else:
        nodes = [n for n in highlight if n in G]
        pairs = []
    edges = set()
    multi = G.is_multigraph()
    for p in pairs:
        u, v = p[0], p[1]
        if u not in G or v not in G:
            continue
        for s, t in ((u, v), (v, u)):
            if not G.has_edge(s, t):
                continue
            if not multi:
                edges.add((s, t, None))
                continue
            for k, d in G[s][t].items():
                if len(p) == 3 and p[2] is not None and k != p[2]:
                    continue
                if len(p) == 4 and (p[3], p[2]) != (d.get("relation"), d.get("deal")):
                    continue
                edges.add((s, t, k))
    return set(nodes), edges


# ---------------------------------------------------------------------------
# Layout for large graphs
# ---------------------------------------------------------------------------


def spread_layout(G, *, seed: int = SEED, iterations: int | None = None, spacing: float = 60.0) -> dict:
    """A force-directed layout fast enough for tens of thousands of nodes, in pixels.

    Fruchterman–Reingold forces, with the all-pairs repulsion split the way
    particle-mesh codes do it: far away, nodes repel as densities on a grid
    (one FFT convolution per step); close by, exactly, for the pairs a k-d tree
    finds within one ideal edge length. A step then costs about O(n log n)
    instead of O(n²): NetworkX's ``spring_layout`` took 50 s on 5,000 nodes here.
    A weak pull to the centre keeps separate components together.

    Args:
        G: any NetworkX graph (direction and parallel edges are ignored).
        seed: the random seed of the initial positions.
        iterations: cooling steps; default scales down with size.
        spacing: the ideal edge length in pixels.

    Returns:
        ``{node: (x, y)}`` with integer pixel coordinates, centred on 0.

    >>> import networkx as nx
    >>> pos = spread_layout(nx.path_graph(3))
    >>> sorted(pos) == [0, 1, 2] and all(isinstance(c, int) for xy in pos.values() for c in xy)
    True
    """
    import numpy as np
    from scipy.signal import fftconvolve
    from scipy.spatial import cKDTree

    order = sorted(G.nodes, key=str)
    n = len(order)
    if n == 0:
        return {}
    if n == 1:
        return {order[0]: (0, 0)}
    index = {v: i for i, v in enumerate(order)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in G.edges() if u != v}
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    if iterations is None:
        iterations = 120 if n <= 5_000 else 60
    rng = np.random.default_rng(seed)
    k = 1.0
    side = math.sqrt(n) * k
    pos = rng.uniform(-side / 2, side / 2, size=(n, 2))
    m = int(min(128, max(16, 2 * math.sqrt(n))))
    off = np.arange(-(m - 1), m)
    ox, oy = np.meshgrid(off, off, indexing="ij")
    r2 = (ox * ox + oy * oy).astype(float)
    r2[m - 1, m - 1] = np.inf
    kern_x, kern_y = ox / r2, oy / r2
    temp = side / 6
    cool = (temp - 0.05 * k) / iterations
    for _ in range(iterations):
        disp = np.zeros_like(pos)
        lo = pos.min(axis=0) - 1e-6
        h = max(float((pos.max(axis=0) - lo).max()) / m, 1e-6) * (1 + 1e-9)
        cell = np.minimum(((pos - lo) / h).astype(np.int64), m - 1)
        dens = np.zeros((m, m))
        np.add.at(dens, (cell[:, 0], cell[:, 1]), 1.0)
        # Field of all the other cells: k²·r/|r|² summed over the grid, by FFT.
        fx = fftconvolve(dens, kern_x, mode="same")
        fy = fftconvolve(dens, kern_y, mode="same")
        disp[:, 0] += fx[cell[:, 0], cell[:, 1]] * (k * k / h)
        disp[:, 1] += fy[cell[:, 0], cell[:, 1]] * (k * k / h)
        close = cKDTree(pos).query_pairs(max(h, k), output_type="ndarray")
        if len(close):
            i, j = close[:, 0], close[:, 1]
            delta = pos[i] - pos[j]
            d2 = np.maximum(np.einsum("ij,ij->i", delta, delta), 1e-6)
            force = delta * (k * k / d2)[:, None]
            for dim in (0, 1):
                disp[:, dim] += np.bincount(i, force[:, dim], n) - np.bincount(j, force[:, dim], n)
        if len(edges):
            u, v = edges[:, 0], edges[:, 1]
            delta = pos[u] - pos[v]
            dist = np.sqrt(np.einsum("ij,ij->i", delta, delta)) + 1e-9
            force = delta * (dist / k)[:, None]
            for dim in (0, 1):
                disp[:, dim] += np.bincount(v, force[:, dim], n) - np.bincount(u, force[:, dim], n)
        disp -= 0.05 * pos
        length = np.sqrt(np.einsum("ij,ij->i", disp, disp)) + 1e-9
        pos += disp * (np.minimum(length, temp) / length)[:, None]
        temp -= cool
    pos -= pos.mean(axis=0)
    pos *= spacing / k
    return {v: (int(round(pos[i, 0])), int(round(pos[i, 1]))) for i, v in enumerate(order)}


# ---------------------------------------------------------------------------
# Views of a store
# ---------------------------------------------------------------------------


def whole_view(store, **filters):
    """The whole entity view of the store.

    Args:
        store: an open store.
        **filters: passed to :func:`kg.network.entity_graph` (relations, types, exclude_status …).

    Returns:
        A ``MultiDiGraph`` with ``G.graph["title"]`` set.
    """
    from kg.network import entity_graph

    G = entity_graph(store, **filters)
    G.graph["title"] = "kg: the whole graph"
    return G


def focus_view(store, entity: str, depth: int = 1, **filters):
    """The ego network of one entity: everything within ``depth`` hops, either direction.

    Args:
        store: an open store.
        entity: a name, alias or IRI (resolved by :func:`kg.entities.find_entity`).
        depth: how many hops out (at least 1).
        **filters: passed to :func:`kg.network.entity_graph`.

    Returns:
        A ``MultiDiGraph`` with the entity as ``G.graph["focus"]``.

    Raises:
        UnknownEntityError: no such entity.
        VizError: depth < 1.

    Example: ``focus_view(store, "Xiaomi", 2)``.
    """
    import networkx as nx

    from kg.entities import find_entity
    from kg.network import entity_graph

    if depth < 1:
        raise VizError("--depth must be at least 1")
    iri = find_entity(store, entity)
    G = entity_graph(store, **filters)
    if iri not in G:
        G.add_node(iri, label=entity, type="Entity", aliases=[])
    H = nx.ego_graph(G, iri, radius=depth, undirected=True).copy()
    H.graph.update(title=f"kg: {H.nodes[iri].get('label') or entity} within {depth} hop(s)", focus=iri)
    return H


def path_view(store, a: str, b: str, *, max_hops: int = 4, **filters):
    """The best path between two entities, highlighted inside its neighbourhood.

    The path is the first of :func:`kg.paths.find_paths` (shortest, best
    evidence); the view holds the path's nodes and their direct neighbours.

    Args:
        store: an open store.
        a, b: names, aliases or IRIs.
        max_hops: the longest path considered.
        **filters: passed to :func:`kg.network.entity_graph`.

    Returns:
        A ``MultiDiGraph`` with the path in ``G.graph["highlight"]`` (a path dict)
        and the start as ``G.graph["focus"]``.

    Raises:
        UnknownEntityError: an entity is unknown.
        NoPathError: no path within ``max_hops``.

    Example: ``path_view(store, "Lei Jun", "Tesla")``.
    """
    from kg.entities import find_entity
    from kg.network import entity_graph
    from kg.paths import find_paths

    src, dst = find_entity(store, a), find_entity(store, b)
    G = entity_graph(store, **filters)
    for iri, name in ((src, a), (dst, b)):
        if iri not in G:
            G.add_node(iri, label=name, type="Entity", aliases=[])
    path = find_paths(G, src, dst, max_hops=max_hops)[0]
    keep = set(path["nodes"])
    for n in path["nodes"]:
        keep.update(G.successors(n))
        keep.update(G.predecessors(n))
    H = G.subgraph(keep).copy()
    H.graph.update(
        title=f"kg: {' → '.join(path['labels'])}",
        focus=src,
        highlight={"nodes": path["nodes"], "hops": path["hops"]},
    )
    return H


def sparql_view(store, query: str | None = None, params: dict | None = None, *, name: str | None = None):
    """Draw a query result: a CONSTRUCT's triples, or a SELECT of ``?subject ?object`` (``?predicate``).

    Triples whose object is an IRI become edges labelled with the predicate's
    local name; ``rdf:type`` gives a node its class, ``rdfs:label`` and
    ``skos:altLabel`` its label and aliases. Labels and classes missing from
    the result are looked up in the store.

    Args:
        store: an open store.
        query: SPARQL text (kg's prefixes are declared); or give ``name``.
        params: ``{name: "value"}`` strings bound into the query (never pasted),
            typed as :func:`kg.query.run_query` does.
        name: a named query of ``kg/queries`` instead of ``query``.

    Returns:
        A ``MultiDiGraph``.

    Raises:
        QueryError: the query is invalid; UnknownQueryError: no such named query.
        VizError: an ASK query, or a SELECT without ``?subject`` and ``?object``.

    Example: ``sparql_view(store, "CONSTRUCT { ?a kg:investedIn ?b } WHERE { ?a kg:investedIn ?b }")``.
    """
    import networkx as nx

    from kg.ontology import RDF, RDFS, SKOS
    from kg.query import run_named, run_query

    result = run_named(store, name, params) if name else run_query(store, query or "", params)
    G = nx.MultiDiGraph()
    G.graph["title"] = f"kg: query {name}" if name else "kg: query result"
    labels: dict[str, str] = {}
    aliases: dict[str, list] = {}
    types: dict[str, set] = {}

    def add(s, p, o) -> None:
        if type(s).__name__ != "NamedNode":
            return
        pv = p.value if p is not None and type(p).__name__ == "NamedNode" else KG_RELATED
        kind = type(o).__name__
        if pv == RDF + "type" and kind == "NamedNode":
            types.setdefault(s.value, set()).add(o.value)
        elif pv == RDFS + "label" and kind == "Literal":
            labels.setdefault(s.value, o.value)
        elif pv == SKOS + "altLabel" and kind == "Literal":
            aliases.setdefault(s.value, []).append(o.value)
        elif kind == "NamedNode":
            G.add_edge(s.value, o.value, key=pv, relation=_local(pv))
        else:
            G.add_node(s.value)

    if result.kind == "ask":
        raise VizError("an ASK query has no graph to draw; use CONSTRUCT, or SELECT ?subject ?object")
    if result.kind == "select":
        if "subject" not in result.columns or "object" not in result.columns:
            raise VizError(
                "a SELECT to draw must bind ?subject and ?object (and optionally ?predicate); this one binds "
                + (", ".join("?" + c for c in result.columns) or "nothing")
            )
        for row in result.rows:
            if row.get("subject") is not None and row.get("object") is not None:
                add(row["subject"], row.get("predicate"), row["object"])
    else:
        for t in result.triples:
            add(t.subject, t.predicate, t.object)
    _describe_nodes(store, G, labels, aliases, types)
    return G


def _describe_nodes(store, G, labels: dict, aliases: dict, types: dict) -> None:
    """Fill label/type/aliases of drawn nodes, asking the store for what the result lacked."""
    import pyoxigraph as ox

    from kg.ontology import KG, RDFS, SKOS

    missing = sorted(n for n in G if n not in labels or n not in types)
    # VALUES rows are written by pyoxigraph's serializer, never by pasting text.
    for start in range(0, len(missing), 500):
        chunk = " ".join(str(ox.NamedNode(n)) for n in missing[start:start + 500])
        q = (f"SELECT ?e ?t ?l ?a WHERE {{ VALUES ?e {{ {chunk} }} "
             f"OPTIONAL {{ ?e a ?t }} OPTIONAL {{ ?e <{RDFS}label> ?l }} OPTIONAL {{ ?e <{SKOS}altLabel> ?a }} }}")
        for row in store.query(q):
            e = row["e"].value
            if row["t"] is not None:
                types.setdefault(e, set()).add(row["t"].value)
            if row["l"] is not None:
                labels.setdefault(e, row["l"].value)
            if row["a"] is not None and row["a"].value not in aliases.setdefault(e, []):
                aliases[e].append(row["a"].value)
    schema = load_schema()
    ranked = [KG + c for c in schema.entity_class_names]
    deals = {KG + c for c in schema.deal_class_names} | {KG + "Deal"}
    for n in G:
        ts = types.get(n, set())
        ntype = next((_local(c) for c in ranked if c in ts), None)
        if ntype is None:
            ntype = "Deal" if ts & deals else "Entity"
        G.nodes[n].update(label=labels.get(n) or _local(n), type=ntype, aliases=sorted(set(aliases.get(n, []))))


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

#: The views ``kg build`` writes into ``graphs/``: file name → how to draw it.
STANDARD_VIEWS = (
    ("kg.html", "whole", ()),
    ("xiaomi.html", "focus", ("Xiaomi", 2)),
    ("lei-jun-tesla.html", "path", ("Lei Jun", "Tesla")),
)


def write_standard_views(store, out_dir) -> list[Path]:
    """Write the committed views: ``kg.html`` (the whole graph), ``xiaomi.html``
    (Xiaomi's ego network, depth 2) and ``lei-jun-tesla.html`` (the Lei Jun → Tesla path).

    Args:
        store: an open store holding the article graph.
        out_dir: the folder to write into (``graphs/``).

    Returns:
        The paths written, in the order above.

    Raises:
        UnknownEntityError, NoPathError: the store lacks the article's entities.
    """
    out = Path(out_dir)
    written = []
    for name, kind, args in STANDARD_VIEWS:
        G = {"whole": whole_view, "focus": focus_view, "path": path_view}[kind](store, *args)
        written.append(write_html(G, out / name))
    return written


def write_view(store, out, *, focus: str | None = None, depth: int = 1, path: tuple[str, str] | None = None,
               sparql: str | None = None, name: str | None = None, params: dict | None = None,
               size_by: str = "degree",
               title: str | None = None, **filters) -> dict:
    """Build one view of the store and write it: the library call behind ``kg viz``.

    Exactly one of ``focus``, ``path`` and ``sparql`` may be given; none draws the whole graph.

    Args:
        store: an open store.
        out: the HTML file to write.
        focus, depth: an ego network (:func:`focus_view`).
        path: ``(A, B)`` for :func:`path_view`.
        sparql, name: a query (or a named query) for :func:`sparql_view`, with ``params``.
        size_by: the centrality that sizes nodes.
        title: overrides the view's title.
        **filters: passed to :func:`kg.network.entity_graph` (not for sparql).

    Returns:
        ``{"file", "view", "nodes", "edges", "layout"}``; layout is ``"browser"``
        (physics) or ``"precomputed"``.

    Raises:
        VizError: more than one view asked for, or the graph is too large.
    """
    chosen = [k for k, v in (("--focus", focus), ("--path", path), ("--sparql", sparql), ("--name", name)) if v]
    if len(chosen) > 1:
        raise VizError(f"choose one of --focus, --path, --sparql and --name, not {' and '.join(chosen)}")
    if focus:
        G, view = focus_view(store, focus, depth, **filters), "focus"
    elif path:
        G, view = path_view(store, path[0], path[1], **filters), "path"
    elif sparql or name:
        G, view = sparql_view(store, sparql, params, name=name), "sparql"
    else:
        G, view = whole_view(store, **filters), "whole"
    check_size(G)
    file = write_html(G, out, title=title, size_by=size_by)
    return {
        "file": str(file),
        "view": view,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "layout": "browser" if G.number_of_nodes() <= LAYOUT_THRESHOLD else "precomputed",
    }
