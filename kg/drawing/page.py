"""One graph page: the JSON payload a page embeds, and the self-contained HTML around it.

Three renderers share one page and one payload (``kg/templates/view.js`` holds
the controls they share):

- up to :data:`MAP_THRESHOLD` nodes, vis-network on a 2D canvas, laid out in
  the browser with seeded physics, with edge labels and dashed uncertain edges;
- above it, a map laid out here by :func:`kg.layout.map_layout`, with node
  colours from communities (tied communities in different colours,
  :func:`palette_slots`), the entity type as the outline, the most central
  names always labelled (never over one another) and more labels as you zoom,
  and the first view fitted to the largest component. Up to
  :data:`WEBGL_EDGES` edges kg's own 2D-canvas renderer draws it
  (``render-canvas.js``, no library); above, sigma.js with graphology on WebGL,
  with nodes as GL points and, above 2,000 edges, edges as GL lines that the
  page uploads from the columns itself: software WebGL (a machine without a
  GPU) pays per drawn instance, and sigma per edge object.

The libraries are vendored in ``kg/templates/lib/`` with their licences
(versions in ``kg/templates/lib/README.md``) and inlined, so a page works with
the network off. The data goes in a ``<script type="application/json">`` block
with ``<``, ``>`` and ``&`` escaped, the page builds every text with
``textContent``, and the Content-Security-Policy allows only the page's own
scripts (by hash) and no network: no entity name can run as code.

Edges are stored column by column (``from``/``to`` node numbers, relation and
status numbers, year) and repeated fact values once in ``strings``; the facts
of the edges (most of a large page) come after the scripts in blocks of
:data:`FACTS_CHUNK` edges that the page parses only when it shows one. A page
of 500,000 edges opens in seconds.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("urn:a", label="小米", type="Company", aliases=["Xiaomi"])
>>> G.add_node("urn:b", label="Lei Jun", type="Person", aliases=[])
>>> _ = G.add_edge("urn:b", "urn:a", key="d|ceoOf", relation="ceoOf", status="reported")
>>> page = render_html(G, title="demo")
>>> page.startswith("<!DOCTYPE html>") and "<link" not in page
True
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

from kg.errors import KgError, VizError
from kg.layout import bounding_box, detect_communities, map_layout
from kg.schema import load as load_schema

#: Above this many nodes the page is a map: the layout is computed here and drawn
#: by the canvas or the WebGL renderer. Measured with scripts/bench_viz.py (first
#: frame, median of 3, on a loaded 2-core machine): 250 nodes / 496 edges,
#: vis-network with its physics 12.6 s, sigma.js 1.4 s; 500 / 992, 28.9 s against
#: 1.0 s. Below it vis-network stays for its edge labels, dashes and arrows.
MAP_THRESHOLD = 250
#: Kept for callers of the earlier name: the same threshold.
LAYOUT_THRESHOLD = MAP_THRESHOLD
#: Above this many edges a map draws with WebGL (sigma.js), up to it with the 2D
#: canvas. Without a GPU, WebGL is software and costs about 1 s before the first
#: frame whatever the size, while a canvas frame grows with the edges and stays on
#: the CPU where a GPU would help WebGL. Measured with scripts/bench_viz.py's pages
#: (medians of 2, loaded 2-core machine, software WebGL), canvas against WebGL: time
#: to interactive 2.1 / 2.4 s at 20,000 edges, 1.6 / 2.6 s at 30,000, 2.6 / 3.4 s at
#: 50,000; a full redraw (a filter, a selection) 0.26 / 0.36 s, 0.53 / 0.48 s and
#: 0.63 / 0.71 s. Past about half a second a frame, WebGL.
WEBGL_EDGES = 30_000
#: Above this many nodes a page would not open in a browser: refuse.
NODE_CAP = 300_000
#: Above this many edges, likewise.
EDGE_CAP = 600_000
#: Centralities a page can size its nodes by.
SIZE_MEASURES = ("degree", "pagerank", "betweenness", "eigenvector", "closeness", "none")
#: The renderers a page can use; ``auto`` picks by :data:`MAP_THRESHOLD` and :data:`WEBGL_EDGES`.
RENDERERS = ("auto", "vis", "canvas", "sigma")
#: Edges per block of facts in a page: the page parses a block at the first of its facts it shows.
FACTS_CHUNK = 20_000
#: How many of the most central nodes always carry their label.
LABELLED = 20

#: Outline colour and vis-network shape of each node class (the fill is the community).
NODE_STYLES: dict[str, dict[str, str]] = {
    "Company": {"color": "#2b6cb0", "shape": "dot"},
    "Person": {"color": "#dd6b20", "shape": "diamond"},
    "Organization": {"color": "#2f855a", "shape": "square"},
    "Project": {"color": "#805ad5", "shape": "triangle"},
    "Concept": {"color": "#718096", "shape": "hexagon"},
    "Deal": {"color": "#b7791f", "shape": "star"},
    "Community": {"color": "#4a5568", "shape": "dot"},
    "Entity": {"color": "#a0aec0", "shape": "dot"},
}
#: Fill colours of the communities, by rank (cycled); nodes in no community get :data:`OTHER_COMMUNITY_COLOR`.
COMMUNITY_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                    "#9c755f", "#2f4b7c", "#a05195", "#66c2a5", "#d45087", "#8cd17d", "#86bcb6", "#f1ce63")
OTHER_COMMUNITY_COLOR = "#bac4d0"
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

_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
#: The vendored libraries each renderer inlines, under ``kg/templates/lib``.
LIBRARIES = {
    "vis": (("vis-network", "vis-network.min.js"),),
    "canvas": (),
    "sigma": (("graphology", "graphology.umd.min.js"), ("sigma", "sigma.min.js")),
}
_GENERATOR = {"vis": "vis-network 9.1.2", "canvas": "2D canvas", "sigma": "sigma.js 3.0.3, graphology 0.26.0"}


def render_html(G, *, title: str | None = None, highlight=None, size_by: str = "degree", focus=None,
                renderer: str = "auto") -> str:
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
        focus: a node to select when the page opens; default ``G.graph["focus"]``.
        renderer: one of :data:`RENDERERS`.

    Returns:
        The HTML text.

    Raises:
        VizError: the graph is over :data:`NODE_CAP` nodes or :data:`EDGE_CAP`
            edges, ``size_by`` or ``renderer`` is unknown, or the focus is not in the graph.

    >>> import networkx as nx
    >>> "kgReady" in render_html(nx.MultiDiGraph(), title="empty")
    True
    """
    data = view_data(G, title=title, highlight=highlight, size_by=size_by, focus=focus, renderer=renderer)
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
            "--focus ENTITY --depth N, --path A B, --communities, or a --sparql query that filters"
        )


def choose_renderer(G, renderer: str = "auto") -> str:
    """``"vis"``, ``"canvas"`` or ``"sigma"`` for ``G``: ``renderer`` unless it is ``"auto"``.

    Raises:
        VizError: ``renderer`` is not one of :data:`RENDERERS`.

    >>> import networkx as nx
    >>> choose_renderer(nx.path_graph(3)), choose_renderer(nx.path_graph(MAP_THRESHOLD + 1))
    ('vis', 'canvas')
    >>> choose_renderer(nx.path_graph(WEBGL_EDGES + 2))
    'sigma'
    """
    if renderer not in RENDERERS:
        raise VizError(f"unknown renderer {renderer!r}; use one of: {', '.join(RENDERERS)}")
    if renderer != "auto":
        return renderer
    if G.number_of_nodes() <= MAP_THRESHOLD:
        return "vis"
    return "canvas" if G.number_of_edges() <= WEBGL_EDGES else "sigma"


def view_data(G, *, title=None, highlight=None, size_by="degree", focus=None, renderer="auto") -> dict:
    """The JSON payload a page embeds.

    Args: as :func:`render_html`.

    Returns:
        ``{"title", "renderer", "physics", "nodes", "edges", "strings", "legend",
        "communities", "palette", "slots", "otherColor", "relations", "statuses", "uncertain",
        "years", "labels", "box", "focus", "highlight", "sizeBy", "factKeys"}``. Nodes are
        sorted by id; a node's ``c`` is its community's rank, coloured
        ``palette[slots[c]]`` (see :func:`palette_slots`); ``edges`` is a dict of columns (see :func:`edge_columns`);
        ``labels`` are the numbers of the :data:`LABELLED` most central nodes;
        ``box`` frames the largest component (precomputed layouts only).

    Raises:
        VizError: as :func:`render_html`.
    """
    check_size(G)
    if size_by not in SIZE_MEASURES:
        raise VizError(f"unknown size measure {size_by!r}; use one of: {', '.join(SIZE_MEASURES)}")
    kind = choose_renderer(G, renderer)
    focus = focus if focus is not None else G.graph.get("focus")
    if focus is not None and focus not in G:
        raise VizError(f"focus {focus} is not in the graph")
    order = sorted(G.nodes, key=str)
    number = {n: i for i, n in enumerate(order)}
    # A view may carry its own sizes (the communities view: members per community).
    scores = G.graph.get("scores") or node_scores(G, size_by)
    community = detect_communities(G)
    physics = kind == "vis" and not G.graph.get("positions")
    pos = {} if physics else (G.graph.get("positions") or map_layout(G, communities=community))
    hl_nodes, hl_edges = _highlight_sets(G, highlight if highlight is not None else G.graph.get("highlight"))
    nodes = _node_rows(G, order, scores, community, pos, hl_nodes)
    edges, strings, relations, statuses = edge_columns(G, number, hl_edges, curves=kind == "vis")
    ranked = sorted(range(len(order)), key=lambda i: (-scores.get(order[i], 0.0), i))
    return {
        "title": str(title or G.graph.get("title") or "kg graph"),
        "renderer": kind,
        "physics": physics,
        "nodes": nodes,
        "edges": edges,
        "strings": strings,
        "legend": _legend(nodes),
        "communities": _community_rows(G, community, scores),
        "palette": list(COMMUNITY_COLORS),
        "slots": palette_slots(G, community),
        "otherColor": OTHER_COMMUNITY_COLOR,
        "relations": relations,
        "statuses": statuses,
        "uncertain": list(load_schema().uncertain_statuses),
        "years": _year_range(edges["year"]),
        "labels": sorted(ranked[:LABELLED]),
        "box": _main_box(G, pos) if pos else None,
        "focus": str(focus) if focus is not None else None,
        "highlight": bool(hl_nodes or hl_edges),
        "sizeBy": size_by,
        "factKeys": list(FACT_KEYS),
    }


def _node_rows(G, order, scores: dict, community: dict, pos: dict, hl_nodes: set) -> list[dict]:
    top = max(scores.values(), default=0.0) or 1.0
    ranks = _community_ranks(community)
    rows = []
    for n in order:
        a = G.nodes[n]
        score = scores.get(n, 0.0)
        row = {
            "id": str(n),
            "label": str(a.get("label") or _local(str(n))),
            "type": a.get("type") or "Entity",
            # Sorted: the store returns aliases in no fixed order.
            "aliases": sorted({str(x) for x in (a.get("aliases") or []) if x}),
            # Square root: the area of a node, not its radius, tracks the score.
            "size": round(8 + 30 * math.sqrt(max(score, 0.0) / top), 1),
            "score": float(f"{score:.4g}"),
            "c": ranks.get(community.get(n), -1),
        }
        if n in pos:
            row["x"], row["y"] = pos[n]
        if n in hl_nodes:
            row["hl"] = True
        if a.get("href"):
            row["href"] = str(a["href"])
        rows.append(row)
    return rows


def _community_ranks(community: dict) -> dict:
    """Community number → its rank among the communities of two members or more.

    The page colours rank ``r`` with ``COMMUNITY_COLORS[r % len(COMMUNITY_COLORS)]``,
    so every community is a region of its own colour (far-apart small ones may
    share one); the legend names the largest :data:`COMMUNITY_COLORS` ones.
    """
    sizes: dict[int, int] = {}
    for c in community.values():
        sizes[c] = sizes.get(c, 0) + 1
    return {c: i for i, c in enumerate(c for c in sorted(sizes) if sizes[c] > 1)}


def palette_slots(G, community: dict) -> list[int]:
    """The palette colour of each community rank (see :func:`_community_ranks`).

    The :data:`COMMUNITY_COLORS` largest communities take the palette in order
    (the legend names them); each smaller one takes the colour its already
    coloured neighbours use least, counting the edges between them, so two
    tied regions of a map rarely share a colour.

    >>> import networkx as nx
    >>> G = nx.path_graph(40)
    >>> palette_slots(G, {v: v // 2 for v in G})[:3], len(set(palette_slots(G, {v: v // 2 for v in G})[15:18]))
    ([0, 1, 2], 3)
    """
    ranks = _community_ranks(community)
    k = len(COMMUNITY_COLORS)
    ties: list[dict[int, int]] = [{} for _ in ranks]
    for u, v in G.edges():
        a, b = ranks.get(community.get(u)), ranks.get(community.get(v))
        if a is None or b is None or a == b:
            continue
        ties[a][b] = ties[a].get(b, 0) + 1
        ties[b][a] = ties[b].get(a, 0) + 1
    slots: list[int] = []
    for r in range(len(ranks)):
        if r < k:
            slots.append(r)
            continue
        used = [0] * k
        for other, w in ties[r].items():
            if other < r:
                used[slots[other]] += w
        slots.append(min(range(k), key=lambda c, r=r: (used[c], (c - r) % k)))
    return slots


def _community_rows(G, community: dict, scores: dict) -> list[dict]:
    """The coloured communities for the legend: colour, size and the name of the most central member."""
    ranks = {c: r for c, r in _community_ranks(community).items() if r < len(COMMUNITY_COLORS)}
    best: dict[int, tuple] = {}
    sizes: dict[int, int] = {}
    for n, c in community.items():
        if c not in ranks:
            continue
        sizes[c] = sizes.get(c, 0) + 1
        key = (-scores.get(n, 0.0), str(n))
        if c not in best or key < best[c][0]:
            best[c] = (key, n)
    return [{"id": ranks[c], "color": COMMUNITY_COLORS[ranks[c]], "size": sizes[c],
             "label": str(G.nodes[best[c][1]].get("label") or _local(str(best[c][1])))}
            for c in sorted(ranks, key=ranks.get)]


def _legend(nodes: list[dict]) -> list[dict]:
    types: dict[str, int] = {}
    for n in nodes:
        types[n["type"]] = types.get(n["type"], 0) + 1
    rank = list(NODE_STYLES)
    return [{"type": t, "count": types[t], **NODE_STYLES.get(t, NODE_STYLES["Entity"])}
            for t in sorted(types, key=lambda t: (rank.index(t) if t in rank else 99, t))]


def _main_box(G, pos: dict) -> list[int]:
    """The box around the largest connected component, for the first view."""
    import networkx as nx

    U = G.to_undirected(as_view=True) if G.is_directed() else G
    comps = sorted(nx.connected_components(U), key=lambda c: (-len(c), min(map(str, c))))
    main = comps[0] if comps else set()
    # No padding here: the renderer keeps its own margin around the box.
    return bounding_box(pos, main)


def _year_range(years: list[int]) -> list[int] | None:
    dated = [y for y in years if y]
    return [min(dated), max(dated)] if dated else None


def page_html(data: dict) -> str:
    """Assemble the page: template, inlined libraries, CSS, scripts and the escaped JSON data.

    The data goes in blocks: ``kg-data`` (everything but the edges' facts,
    plus ``factsChunk``), then ``data["edges"]["facts"]`` in blocks of class
    ``kg-facts`` of :data:`FACTS_CHUNK` edges each, which the page parses at
    the first fact of each it shows.

    Args:
        data: :func:`view_data`'s payload.

    Returns:
        The HTML text.
    """
    scripts = [library_js(*lib) for lib in LIBRARIES[data["renderer"]]]
    scripts.append(_template(f"render-{data['renderer']}.js"))
    scripts.append(_template("view.js"))
    parts = {
        "TITLE": html.escape(data["title"]),
        "GENERATOR": _GENERATOR[data["renderer"]],
        # The Content-Security-Policy allows exactly our scripts (by hash) and
        # no network at all: an injected handler or fetch cannot run.
        "CSP_SCRIPTS": " ".join(_csp_hash(s) for s in scripts),
        "CSS": _template("view.css"),
        "SCRIPTS": "\n".join(f"<script>{s}</script>" for s in scripts),
        # The edges' facts are only read when one is shown: blocks of their own, each parsed at
        # its first fact, spare the first frame most of the JSON (15 of 25 MB at 100,000 edges).
        "DATA": json_for_script({**data, "edges": {k: v for k, v in data["edges"].items() if k != "facts"},
                                 "factsChunk": FACTS_CHUNK}),
        "FACTS": "\n".join(f'<script type="application/json" class="kg-facts">{json_for_script(chunk)}</script>'
                           for chunk in _chunks(data["edges"]["facts"], FACTS_CHUNK)),
    }
    template = _template("view.html")
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


def _chunks(items: list, size: int) -> list[list]:
    """``items`` in consecutive lists of ``size`` (at least one list, maybe empty).

    >>> _chunks([1, 2, 3], 2), _chunks([], 2)
    ([[1, 2], [3]], [[]])
    """
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _template(name: str) -> str:
    return (_TEMPLATES / name).read_text(encoding="utf-8")


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


def library_js(folder: str, name: str) -> str:
    """A vendored library from ``kg/templates/lib/<folder>/<name>``, ready to inline.

    The source-map comment is dropped (the map is not shipped, and a browser's
    tools would try to fetch it).

    Raises:
        VizError: the file is missing or cannot be inlined.

    >>> library_js("vis-network", "vis-network.min.js").lstrip().startswith("/**")
    True
    """
    path = _TEMPLATES / "lib" / folder / name
    if not path.is_file():
        raise VizError(f"the vendored library {path} is missing; reinstall kg")
    text = path.read_text(encoding="utf-8")
    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1].startswith("//# sourceMappingURL="):
        text = "\n".join(lines[:-1]) + "\n"
    if "</script" in text.lower():
        raise VizError(f"{path} cannot be inlined: it contains '</script'")
    return text


def vis_network_js() -> str:
    """The vendored vis-network script (kept for callers of the pyvis-era name)."""
    return library_js(*LIBRARIES["vis"][0])


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


def relation_color(rel: str) -> str:
    """The colour of a relation: kg's own, else a stable pick for unknown predicates.

    >>> relation_color("investedIn"), relation_color("knows") in OTHER_RELATION_COLORS
    ('#2f855a', True)
    """
    if rel in RELATION_COLORS:
        return RELATION_COLORS[rel]
    return OTHER_RELATION_COLORS[sum(map(ord, rel)) % len(OTHER_RELATION_COLORS)]


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


#: The facts an edge shows besides relation and status (those are columns), in this order: the page
#: stores an edge's facts as a list of values in this order, not as key-value pairs (the keys would be
#: a third of the facts' bytes, most of a large page).
FACT_KEYS = ("deal", "date", "amount", "quote", "source", "confidence", "ties", "deal IRI")
#: Edge facts whose values repeat across edges: stored once in the page's ``strings``.
_SHARED_FACTS = ("deal", "source")


def _edge_facts(d: dict, strings: dict) -> list:
    """The facts of edge ``d`` as values in :data:`FACT_KEYS` order, ``None`` where missing.

    Shared facts are numbers into ``strings`` (added there as needed); trailing ``None`` are dropped.

    >>> strings = {}
    >>> _edge_facts({"deal_type": "Deal", "date": "2024", "confidence": 0.9}, strings), strings
    ([0, '2024', None, None, None, '0.90'], {'Deal': 0})
    """
    amount = format_amount(d.get("amount"), d.get("currency"), bool(d.get("approximate")))
    source = d.get("source_label") or d.get("source")
    if d.get("source_label") and d.get("source"):
        source = f"{d['source_label']} ({d['source']})"
    conf = d.get("confidence")
    values = (d.get("deal_type"), d.get("date"), amount, d.get("quote"), source,
              f"{float(conf):.2f}" if conf is not None else None, d.get("ties"), d.get("deal"))
    out = []
    for k, v in zip(FACT_KEYS, values, strict=True):
        if v in (None, ""):
            out.append(None)
            continue
        v = str(v)
        out.append(strings.setdefault(v, len(strings)) if k in _SHARED_FACTS else v)
    while out and out[-1] is None:
        out.pop()
    return out


def _year(date) -> int:
    """The year of an ISO date (``2024``, ``2024-03``, ``2024-03-28``), else 0.

    >>> _year("2024-03-28"), _year(None), _year("soon")
    (2024, 0, 0)
    """
    text = str(date or "")[:4]
    return int(text) if len(text) == 4 and text.isdigit() else 0


def edge_columns(G, number: dict, hl_edges: set, *, curves: bool = True) -> tuple[dict, list, list, list]:
    """The edges as columns, in a stable order (by ends, then key).

    Args:
        G: the graph.
        number: ``{node: its position in the page's node list}``.
        hl_edges: ``(u, v, key)`` edges to highlight.
        curves: spread parallel edges on curves (vis-network draws them; sigma.js draws straight lines).

    Returns:
        ``(edges, strings, relations, statuses)``: ``edges`` has the lists
        ``from``, ``to`` (node numbers), ``rel`` (into ``relations``),
        ``status`` (into ``statuses``, -1 for none), ``year`` (0 when undated),
        ``facts`` (each edge's values in :data:`FACT_KEYS` order, see
        :func:`_edge_facts`), ``hl`` (edge numbers), and ``curves`` (edge number → vis
        curve, for parallel edges); ``relations`` are ``{"name", "color",
        "count", "symmetric"}`` sorted by name; ``strings`` holds the shared
        fact values.
    """
    multi = G.is_multigraph()
    items = G.edges(keys=True, data=True) if multi else ((u, v, None, d) for u, v, d in G.edges(data=True))
    rows = sorted(items, key=lambda e: (number[e[0]], number[e[1]], str(e[2])))
    rel_names = sorted({str(d.get("relation") or "related") for _u, _v, _k, d in rows})
    status_names = sorted({str(d["status"]) for _u, _v, _k, d in rows if d.get("status")})
    rel_no = {r: i for i, r in enumerate(rel_names)}
    status_no = {s: i for i, s in enumerate(status_names)}
    cols = {"from": [], "to": [], "rel": [], "status": [], "year": [], "facts": [], "hl": [], "curves": {}}
    strings: dict[str, int] = {}
    counts = [0] * len(rel_names)
    symmetric = [not G.is_directed()] * len(rel_names)
    for i, (u, v, k, d) in enumerate(rows):
        r = rel_no[str(d.get("relation") or "related")]
        counts[r] += 1
        symmetric[r] = symmetric[r] or bool(d.get("symmetric"))
        cols["from"].append(number[u])
        cols["to"].append(number[v])
        cols["rel"].append(r)
        cols["status"].append(status_no[str(d["status"])] if d.get("status") else -1)
        cols["year"].append(d.get("year") or _year(d.get("date")))
        cols["facts"].append(_edge_facts(d, strings))
        if (u, v, k) in hl_edges:
            cols["hl"].append(i)
    cols["curves"] = _curves(cols["from"], cols["to"]) if curves else {}
    relations = [{"name": r, "color": relation_color(r), "count": counts[i], "symmetric": symmetric[i]}
                 for i, r in enumerate(rel_names)]
    return cols, list(strings), relations, status_names


def _curves(src: list[int], dst: list[int]) -> dict:
    """Parallel edges spread on distinct curves: ``{str(edge number): vis smooth option}``."""
    groups: dict[tuple, list[int]] = {}
    for i, (a, b) in enumerate(zip(src, dst, strict=True)):
        groups.setdefault((min(a, b), max(a, b)), []).append(i)
    out = {}
    for members in groups.values():
        if len(members) > 1:
            for j, i in enumerate(members):
                out[str(i)] = _curve(j, len(members), forward=src[i] <= dst[i])
    return out


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
                pairs = list(zip(nodes, nodes[1:], strict=False))
    else:
        nodes = [n for n in highlight if n in G]
        pairs = []
    edges = set()
    for p in pairs:
        edges |= _matching_edges(G, p)
    return set(nodes), edges


def _matching_edges(G, p: tuple) -> set:
    """The ``(u, v, key)`` edges between ``p[0]`` and ``p[1]`` (either way) that match the pair's key or deal."""
    u, v = p[0], p[1]
    out = set()
    if u not in G or v not in G:
        return out
    for s, t in ((u, v), (v, u)):
        if not G.has_edge(s, t):
            continue
        if not G.is_multigraph():
            out.add((s, t, None))
            continue
        for k, d in G[s][t].items():
            if len(p) == 3 and p[2] is not None and k != p[2]:
                continue
            if len(p) == 4 and (p[3], p[2]) != (d.get("relation"), d.get("deal")):
                continue
            out.add((s, t, k))
    return out
