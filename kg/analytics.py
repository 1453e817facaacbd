"""Who is central, which groups form, and what the graph looks like: plain functions.

Every function takes a NetworkX graph (normally the entity view of
:func:`kg.network.entity_graph`) and returns a dict. The algorithms are
NetworkX's own dispatchable functions (``nx.pagerank``,
``nx.betweenness_centrality`` …), so an
installed backend such as nx-parallel or nx-cugraph (on a GPU) runs them
unchanged: pass ``backend="parallel"`` or set ``NETWORKX_BACKEND_PRIORITY``.

The measures run on the **analysis graph** (:func:`analysis_graph`): parallel
edges between two entities are collapsed into one, with a ``weight``, and
every other attribute is dropped, so it is a small fraction of the entity
view's memory. PageRank follows relations the way they hold (investor →
investee, person → organization; symmetric relations both ways); the other
measures treat the graph as undirected.

>>> import networkx as nx
>>> G = nx.MultiDiGraph([("a", "b", {"relation": "investedIn"}), ("c", "b", {"relation": "investedIn"})])
>>> centrality(G, "degree")["rows"][0]["iri"]
'b'
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from kg.errors import AnalysisError, KgError

MEASURES = ("degree", "pagerank", "betweenness", "eigenvector", "closeness")
#: Above this many nodes, betweenness samples ``k`` sources instead of all.
EXACT_BETWEENNESS_LIMIT = 5000
#: Sources sampled by betweenness on large graphs when ``k`` is not given.
DEFAULT_K = 256
WEIGHTS = (None, "amount", "count")


def edge_weight(amount_total: float, count: int) -> float:
    """The strength of the tie between two entities for ``weight="amount"``.

    ``1 + log10(1 + total amount)``: a tie with no known amount weighs 1, a
    $400 million one about 9.6, so money counts without one deal drowning
    the rest (currencies are not converted).

    >>> edge_weight(0.0, 1)
    1.0
    """
    return 1.0 + math.log10(1.0 + amount_total)


def analysis_graph(G, *, weight: str | None = None, directed: bool = False):
    """Collapse the entity view to a simple weighted graph for the measures.

    Args:
        G: a NetworkX graph or multigraph; edges may carry ``amount`` and ``symmetric``.
        weight: ``None`` or ``"count"`` (weight = number of edges between the
            two entities) or ``"amount"`` (see :func:`edge_weight`).
        directed: keep direction (symmetric edges become two arcs).

    Returns:
        A ``networkx.Graph`` (or ``DiGraph``) with the same nodes and their
        ``label``/``type`` attributes, and an edge attribute ``weight``; for
        path measures, ``distance`` = 1 / weight.

    Raises:
        KgError: an unknown weight.
    """
    import networkx as nx

    if weight not in WEIGHTS:
        raise KgError(f"unknown weight {weight!r}; use amount or count")
    H = nx.DiGraph() if directed else nx.Graph()
    H.add_nodes_from((n, {"label": d.get("label"), "type": d.get("type")}) for n, d in G.nodes(data=True))
    totals: dict[tuple, list] = {}
    multi = G.is_multigraph()
    edges = G.edges(keys=True, data=True) if multi else G.edges(data=True)
    for e in edges:
        u, v, d = e[0], e[1], e[-1]
        if u == v:
            continue
        if directed:
            pairs = [(u, v), (v, u)] if d.get("symmetric") else [(u, v)]
        else:
            # One undirected pair, whichever way it was first seen.
            pairs = [(v, u)] if (v, u) in totals else [(u, v)]
        for pair in pairs:
            t = totals.get(pair)
            if t is None:
                t = totals[pair] = [0.0, 0]
            t[0] += d.get("amount") or 0.0
            t[1] += 1
    for (u, v), (amount, count) in totals.items():
        w = edge_weight(amount, count) if weight == "amount" else float(count) if weight == "count" else 1.0
        H.add_edge(u, v, weight=w, distance=1.0 / w)
    return H


def _has_igraph() -> bool:
    import importlib.util

    return importlib.util.find_spec("igraph") is not None


def to_igraph(H, attr: str | None = None):
    """A simple NetworkX graph as ``(igraph.Graph, nodes)``; ``attr`` becomes the edge weights ``"w"``.

    The heavy measures run on igraph's C core: PageRank, betweenness and
    Louvain there took 0.3–2 s where NetworkX took 14–64 s on a 37k-node view.
    """
    import igraph as ig

    nodes = list(H)
    pos = {n: i for i, n in enumerate(nodes)}
    edges = [(pos[u], pos[v]) for u, v in H.edges()]
    g = ig.Graph(n=len(nodes), edges=edges, directed=H.is_directed())
    if attr is not None:
        g.es["w"] = [d[attr] for _, _, d in H.edges(data=True)]
    return g, nodes


def _ig_pagerank(H, weight: str | None) -> dict:
    g, nodes = to_igraph(H, weight)
    return dict(zip(nodes, g.pagerank(directed=H.is_directed(), damping=0.85, weights="w" if weight else None),
                    strict=True))


def _ig_betweenness(H, k: int | None, distance: str | None, seed: int) -> dict:
    """Betweenness scaled as NetworkX scales it (normalized; sampled over ``k`` sources drawn as it draws them)."""
    import random

    g, nodes = to_igraph(H, distance)
    n = len(nodes)
    w = "w" if distance else None
    if k is None:
        raw = g.betweenness(directed=False, weights=w)
        scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    else:
        pos = {x: i for i, x in enumerate(nodes)}
        sources = [pos[x] for x in random.Random(seed).sample(nodes, k)]
        raw = g.betweenness(directed=False, weights=w, sources=sources)
        # igraph halves undirected betweenness, sources or not; NetworkX does not before its scaling.
        scale = (2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0) * n / k
    return {x: b * scale for x, b in zip(nodes, raw, strict=True)}


#: The seed of community detection when none is given, so ``kg communities`` and the views agree.
COMMUNITY_SEED = 42


def undirected_igraph(G, weight: str | None = None):
    """``G`` taken as undirected and simple, as ``(igraph.Graph, nodes)``.

    Vertex ``i`` is ``nodes[i]``; nodes are sorted by ``str`` so the result does
    not depend on insertion order. Parallel edges and loops are dropped; with
    ``weight`` (``"amount"`` or ``"count"``) the edge weights ``"w"`` come from
    :func:`analysis_graph`.

    >>> import networkx as nx
    >>> g, nodes = undirected_igraph(nx.MultiDiGraph([("b", "a"), ("a", "b"), ("a", "a")]))
    >>> nodes, g.ecount()
    (['a', 'b'], 1)
    """
    import igraph as ig

    if weight is not None:
        H = analysis_graph(G, weight=weight)
        nodes = sorted(H, key=str)
        index = {v: i for i, v in enumerate(nodes)}
        rows = sorted((min(index[u], index[v]), max(index[u], index[v]), d["weight"]) for u, v, d in H.edges(data=True))
        g = ig.Graph(n=len(nodes), edges=[(a, b) for a, b, _w in rows])
        g.es["w"] = [w for _a, _b, w in rows]
        return g, nodes
    nodes = sorted(G.nodes, key=str)
    index = {v: i for i, v in enumerate(nodes)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in G.edges() if u != v}
    return ig.Graph(n=len(nodes), edges=sorted(pairs)), nodes


def partition(G, *, seed: int = COMMUNITY_SEED, weight: str | None = None,
              resolution: float = 1.0) -> tuple[list[list], float]:
    """kg's communities: Leiden (modularity) on ``G`` taken as undirected, seeded.

    The one community function: :func:`communities` (``kg communities``) and
    the graph pages (colours, layout, ``kg viz --communities``, through
    :func:`kg.layout.detect_communities`) all call it, so an entity is in the
    same community everywhere. Leiden runs on igraph's C core until no move
    improves the partition, and unlike Louvain never leaves a community
    internally disconnected.

    Args:
        G: any NetworkX graph (direction and parallel edges are ignored).
        seed: the random seed; the same graph and seed give the same parts.
        weight: ``None``, ``"amount"`` or ``"count"`` (see :func:`analysis_graph`).
        resolution: above 1 favours smaller communities.

    Returns:
        ``(parts, modularity)``: every node is in exactly one part (an isolated
        node alone); each part is a list sorted by ``str``, largest part first
        (ties by first member).

    Raises:
        KgError: an unknown weight.

    >>> import networkx as nx
    >>> parts, q = partition(nx.Graph([(0, 1), (1, 2), (2, 0), (3, 4)]))
    >>> parts, round(q, 3)
    ([[0, 1, 2], [3, 4]], 0.375)
    """
    import random

    import igraph as ig

    g, nodes = undirected_igraph(G, weight)
    if not nodes:
        return [], 0.0
    w = "w" if weight is not None else None
    state = random.getstate()
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = g.community_leiden(objective_function="modularity", weights=w, resolution=resolution,
                                   n_iterations=-1)
    finally:
        ig.set_random_number_generator(random)
        random.setstate(state)
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(found.membership):
        groups.setdefault(c, []).append(i)
    ranked = sorted(groups.values(), key=lambda m: (-len(m), m[0]))
    modularity = g.modularity(found.membership, weights=w, resolution=resolution) if g.ecount() else 0.0
    return [[nodes[i] for i in m] for m in ranked], modularity


def _ranked(H, scores: dict, top: int | None, types: frozenset[str] | None) -> list[dict]:
    rows = [
        {"iri": n, "label": H.nodes[n].get("label") or str(n), "type": H.nodes[n].get("type"), "score": s}
        for n, s in scores.items()
        if types is None or H.nodes[n].get("type") in types
    ]
    rows.sort(key=lambda r: (-r["score"], r["label"].lower()))
    last, rank = None, 0
    for i, r in enumerate(rows, 1):
        key = round(r["score"], 12)
        if key != last:
            rank, last = i, key
        r["rank"] = rank
        r["score"] = round(r["score"], 6)
    return rows[:top] if top else rows


def _types(types: Iterable[str] | None) -> frozenset[str] | None:
    if not types:
        return None
    from kg.network import _check_types

    return _check_types(types)


def centrality(
    G,
    measure: str = "degree",
    *,
    top: int | None = None,
    types: Iterable[str] | None = None,
    weight: str | None = None,
    k: int | None = None,
    seed: int = 42,
    backend: str | None = None,
) -> dict:
    """Rank entities by a centrality measure.

    Measures: ``degree`` (share of the other entities an entity is tied to; with
    a weight, the weighted degree), ``pagerank`` (directed), ``betweenness``
    (exact up to :data:`EXACT_BETWEENNESS_LIMIT` nodes, else sampled over ``k``
    sources with ``seed``), ``eigenvector`` and ``closeness``.

    Args:
        G: the entity view, or any NetworkX graph.
        measure: one of :data:`MEASURES`.
        top: keep the first ``top`` rows.
        types: rank only entities of these types (the measure is still
            computed on the whole graph), e.g. ``["Person"]``.
        weight: ``None``, ``"amount"`` (deal value, see :func:`edge_weight`) or ``"count"``.
            Betweenness and closeness use 1/weight as the distance.
        k: betweenness sources to sample; forces sampling when smaller than the graph.
        seed: the seed for sampling.
        backend: a NetworkX backend name to dispatch to (``"parallel"``, ``"cugraph"``);
            ``None`` lets NetworkX choose.

    Returns:
        ``{"measure", "weight", "exact": bool, "k": int|None, "seed", "nodes", "edges",
        "rows": [{"iri", "label", "type", "score", "rank"}, …]}``; ties share a rank.

    Raises:
        KgError: an unknown measure or weight.
        AnalysisError: the measure fails on this graph (e.g. eigenvector does not converge).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c")])
    >>> r = centrality(G, "betweenness")
    >>> r["exact"], r["rows"][0]["iri"]
    (True, 'b')
    """
    import networkx as nx

    if measure not in MEASURES:
        raise KgError(f"unknown measure {measure!r}; use one of: {', '.join(MEASURES)}")
    wanted = _types(types)
    H = analysis_graph(G, weight=weight, directed=(measure == "pagerank"))
    n = H.number_of_nodes()
    w = "weight" if weight else None
    dist = "distance" if weight else None
    kw = {"backend": backend} if backend else {}
    exact, used_k = True, None
    fast = backend is None and _has_igraph()
    try:
        if n == 0:
            scores = {}
        elif measure == "degree":
            scores = dict(H.degree(weight="weight")) if weight else nx.degree_centrality(H, **kw)
        elif measure == "pagerank":
            scores = _ig_pagerank(H, w) if fast else nx.pagerank(H, weight=w, **kw)
        elif measure == "betweenness":
            if (k is not None and k < n) or (k is None and n > EXACT_BETWEENNESS_LIMIT):
                used_k = min(k or DEFAULT_K, n)
                exact = False
            scores = (_ig_betweenness(H, used_k, dist, seed) if fast else
                      nx.betweenness_centrality(H, k=used_k, weight=dist, seed=seed if used_k else None, **kw))
        elif measure == "eigenvector":
            scores = nx.eigenvector_centrality(H, weight=w, max_iter=1000, **kw)
        else:
            scores = nx.closeness_centrality(H, distance=dist, **kw)
    except nx.PowerIterationFailedConvergence:
        raise AnalysisError(
            f"{measure} centrality did not converge on this graph; try --measure pagerank or degree"
        ) from None
    except (nx.NetworkXException, ZeroDivisionError, ArithmeticError) as exc:
        raise AnalysisError(f"{measure} centrality cannot be computed on this graph: {exc}") from None
    return {
        "measure": measure,
        "weight": weight,
        "exact": exact,
        "k": used_k,
        "seed": seed if used_k else None,
        "nodes": n,
        "edges": H.number_of_edges(),
        "rows": _ranked(H, scores, top, wanted),
    }


def communities(G, seed: int = COMMUNITY_SEED, *, weight: str | None = None, resolution: float = 1.0,
                backend: str | None = None) -> dict:
    """Groups of densely tied entities: :func:`partition` (Leiden, fixed seed), with names.

    Args:
        G: the entity view, or any NetworkX graph.
        seed: the random seed; the same graph and seed give the same communities.
        weight: ``None``, ``"amount"`` or ``"count"`` (see :func:`analysis_graph`).
        resolution: above 1 favours smaller communities.
        backend: a NetworkX backend to dispatch to; then NetworkX's Louvain
            runs instead of Leiden (``"algorithm": "louvain"``).

    Returns:
        ``{"algorithm": "leiden", "seed", "modularity", "count", "isolated",
        "communities": [{"id", "size", "central", "central_label", "members",
        "member_labels"}, …]}``, largest first; ``central`` is the member with
        the most ties inside its community, and members are listed by those ties.
        Entities tied to nobody are only counted (``isolated``).

    Raises:
        AnalysisError: NetworkX's Louvain fails on this graph.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> G.add_node("alone")
    >>> [c["members"] for c in communities(G)["communities"]]
    [['b', 'a', 'c'], ['x', 'y']]
    """
    import networkx as nx

    H = analysis_graph(G, weight=weight)
    w = "weight" if weight else None
    algorithm = "leiden"
    if H.number_of_edges() == 0:
        parts = [{n} for n in H]
        modularity = 0.0
    elif backend is None:
        found, modularity = partition(G, seed=seed, weight=weight, resolution=resolution)
        parts = [set(p) for p in found]
    else:
        algorithm = "louvain"
        try:
            parts = nx.community.louvain_communities(H, weight=w, resolution=resolution, seed=seed, backend=backend)
            modularity = nx.community.modularity(H, parts, weight=w, resolution=resolution)
        except (nx.NetworkXException, ZeroDivisionError) as exc:
            raise AnalysisError(f"community detection failed on this graph: {exc}") from None
    out = []
    isolated = 0
    for members in parts:
        if len(members) == 1 and not H.adj[next(iter(members))]:
            isolated += 1  # an entity tied to nobody is not a community
            continue
        inner = {m: sum(1 for x in H.adj[m] if x in members) for m in members}
        order = sorted(members, key=lambda m: (-inner[m], (H.nodes[m].get("label") or str(m)).lower()))
        central = order[0]
        out.append({
            "size": len(order),
            "central": central,
            "central_label": H.nodes[central].get("label") or str(central),
            "members": order,
            "member_labels": [H.nodes[m].get("label") or str(m) for m in order],
        })
    out.sort(key=lambda c: (-c["size"], c["central_label"].lower()))
    for i, c in enumerate(out, 1):
        c["id"] = i
    return {
        "algorithm": algorithm,
        "seed": seed,
        "modularity": round(modularity, 6),
        "count": len(out),
        "isolated": isolated,
        "communities": [{"id": c.pop("id"), **c} for c in out],
    }


def degree_histogram(degrees: Iterable[int]) -> list[dict]:
    """Degree counts, in exact bins up to 10 and then in powers of two (heavy tails stay short).

    >>> degree_histogram([1, 1, 2, 40])
    [{'degree': '1', 'count': 2}, {'degree': '2', 'count': 1}, {'degree': '32-63', 'count': 1}]
    """
    bins: Counter = Counter()
    for d in degrees:
        if d <= 10:
            bins[(d, d)] += 1
        else:
            lo = 1 << (d.bit_length() - 1)
            bins[(lo, 2 * lo - 1)] += 1
    return [{"degree": str(lo) if lo == hi else f"{lo}-{hi}", "count": c} for (lo, hi), c in sorted(bins.items())]


def stats(G) -> dict:
    """Counts by class and by relation, density, components and the degree distribution.

    Args:
        G: the entity view, or any NetworkX graph.

    Returns:
        ``{"nodes", "edges", "pairs", "by_type": {type: n}, "by_relation": {rel: n},
        "by_status": {status: n}, "density", "components", "largest_component",
        "isolated", "degree": {"min", "max", "mean", "median"}, "degree_histogram": [...],
        "top_degree": [{"iri", "label", "degree"}, …]}``. Degrees count distinct
        neighbours; density is over those distinct pairs (undirected).

    >>> import networkx as nx
    >>> s = stats(nx.MultiDiGraph([("a", "b", {"relation": "metWith"})]))
    >>> s["by_relation"], s["components"], s["density"]
    ({'metWith': 1}, 1, 1.0)
    """
    import networkx as nx

    H = analysis_graph(G)
    by_type = Counter(d.get("type") or "Entity" for _, d in G.nodes(data=True))
    by_rel: Counter = Counter()
    by_status: Counter = Counter()
    for *_, d in G.edges(data=True):
        by_rel[d.get("relation") or "(none)"] += 1
        by_status[d.get("status") or "(none)"] += 1
    comps = [len(c) for c in nx.connected_components(H)]
    degrees = sorted(d for _, d in H.degree())
    n = len(degrees)
    top = sorted(H.degree(), key=lambda x: -x[1])[:10]
    return {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "pairs": H.number_of_edges(),
        "by_type": dict(by_type.most_common()),
        "by_relation": dict(by_rel.most_common()),
        "by_status": dict(by_status.most_common()),
        "density": round(nx.density(H), 8) if n > 1 else 0.0,
        "components": len(comps),
        "largest_component": max(comps, default=0),
        "isolated": sum(1 for d in degrees if d == 0),
        "degree": {
            "min": degrees[0] if n else 0,
            "max": degrees[-1] if n else 0,
            "mean": round(sum(degrees) / n, 4) if n else 0.0,
            "median": degrees[n // 2] if n else 0,
        },
        "degree_histogram": degree_histogram(degrees),
        "top_degree": [{"iri": v, "label": H.nodes[v].get("label") or str(v), "degree": d} for v, d in top],
    }
