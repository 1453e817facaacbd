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

from collections import Counter
from collections.abc import Iterable

from kg.errors import AnalysisError, KgError

MEASURES = ("degree", "pagerank", "betweenness", "eigenvector", "closeness")
#: Above this many nodes, betweenness samples ``k`` sources instead of all.
EXACT_BETWEENNESS_LIMIT = 5000
#: Sources sampled by betweenness on large graphs when ``k`` is not given.
DEFAULT_K = 256
WEIGHTS = (None, "amount", "count")


def edge_weight(amount_total, count=1):
    """The strength of the tie between two entities for ``weight="amount"``.

    ``1 + log10(1 + total amount)``: a tie with no known amount weighs 1, a
    $400 million one about 9.6, so money counts without one deal drowning
    the rest (currencies are not converted).

    Args:
        amount_total: the tie's summed amount, or a NumPy array of them.
        count: the tie's number of facts (not used by this weight).

    Returns:
        A float, or an array of them.

    >>> edge_weight(0.0, 1)
    1.0
    """
    import numpy as np

    w = 1.0 + np.log10(1.0 + np.asarray(amount_total, dtype=float))
    return float(w) if w.ndim == 0 else w


def _ties(G):
    from kg.ties import Ties, from_graph

    return G if isinstance(G, Ties) else from_graph(G)


def _weights(amount, count, weight: str | None):
    """Each tie's weight (see :func:`edge_weight`), from its summed amount and its number of facts."""
    import numpy as np

    if weight == "amount":
        return edge_weight(amount, count)
    if weight == "count":
        return count.astype(float)
    return np.ones(len(count))


def _check_weight(weight) -> None:
    if weight not in WEIGHTS:
        raise KgError(f"unknown weight {weight!r}; use amount or count")


def analysis_graph(G, *, weight: str | None = None, directed: bool = False):
    """Collapse the entity view to a simple weighted graph for the measures.

    Args:
        G: a NetworkX graph or multigraph (edges may carry ``amount`` and
            ``symmetric``), or its compact form, :class:`kg.ties.Ties`.
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

    from kg.ties import collapse

    _check_weight(weight)
    t = _ties(G)
    a, b, amount, count = collapse(t, directed=directed)
    H = nx.DiGraph() if directed else nx.Graph()
    H.add_nodes_from((n, {"label": lab, "type": typ}) for n, lab, typ in zip(t.nodes, t.labels, t.types, strict=True))
    nodes = t.nodes
    H.add_edges_from((nodes[i], nodes[j], {"weight": w, "distance": 1.0 / w}) for i, j, w in
                     zip(a.tolist(), b.tolist(), _weights(amount, count, weight).tolist(), strict=True))
    return H


def _igraph(t, *, directed: bool, weight: str | None = None, distance: bool = False):
    """``t``'s ties as an igraph graph in ``t``'s node order, with the weights (or distances) as ``"w"``."""
    import igraph as ig

    from kg.ties import collapse

    a, b, amount, count = collapse(t, directed=directed)
    g = ig.Graph(n=len(t.nodes), edges=list(zip(a.tolist(), b.tolist(), strict=True)), directed=directed)
    if weight is not None:
        w = _weights(amount, count, weight)
        g.es["w"] = (1.0 / w if distance else w).tolist()
    return g


def _ig_betweenness(t, k: int | None, weight: str | None, seed: int):
    """Betweenness scaled as NetworkX scales it (normalized; sampled over ``k`` sources drawn as it draws them).

    Returns ``(scores by node index, ties)``.
    """
    import random

    import numpy as np

    g = _igraph(t, directed=False, weight=weight, distance=True)
    n = len(t.nodes)
    if not n:
        return np.zeros(0), 0
    w = "w" if weight else None
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    if k is None:
        raw = g.betweenness(directed=False, weights=w)
    else:
        # The same draw as NetworkX's (random.sample picks positions, whatever the items).
        sources = random.Random(seed).sample(range(n), k)
        raw = g.betweenness(directed=False, weights=w, sources=sources)
        # igraph halves undirected betweenness, sources or not; NetworkX does not before its scaling.
        scale *= n / k
    return np.asarray(raw, dtype=float) * scale, g.ecount()


#: The seed of community detection when none is given, so ``kg communities`` and the views agree.
COMMUNITY_SEED = 42


def undirected_igraph(G, weight: str | None = None):
    """``G`` taken as undirected and simple, as ``(igraph.Graph, nodes)``.

    ``G`` is a NetworkX graph or a :class:`kg.ties.Ties`. Vertex ``i`` is
    ``nodes[i]``; nodes are sorted by ``str`` so the result does not depend on
    insertion order. Parallel edges and loops are dropped; with ``weight``
    (``"amount"`` or ``"count"``) the edge weights ``"w"`` are those of
    :func:`analysis_graph`.

    >>> import networkx as nx
    >>> g, nodes = undirected_igraph(nx.MultiDiGraph([("b", "a"), ("a", "b"), ("a", "a")]))
    >>> nodes, g.ecount()
    (['a', 'b'], 1)
    """
    import igraph as ig

    from kg.ties import collapse, reorder

    t = _ties(G)
    t = reorder(t, sorted(range(len(t.nodes)), key=lambda i: str(t.nodes[i])))
    a, b, amount, count = collapse(t)
    g = ig.Graph(n=len(t.nodes), edges=list(zip(a.tolist(), b.tolist(), strict=True)))
    if weight is not None:
        g.es["w"] = _weights(amount, count, weight).tolist()
    return g, t.nodes


def partition(G, *, seed: int = COMMUNITY_SEED, weight: str | None = None,
              resolution: float = 1.0) -> tuple[list[list], float]:
    """kg's communities: Leiden (modularity) on ``G`` taken as undirected, seeded.

    The one community function: :func:`communities` (``kg communities``) and
    the graph pages (colours, layout, ``kg viz --communities``, through
    :func:`kg.layout.detect_communities`) all call it, so an entity is in the
    same community everywhere. Leiden runs on igraph's C core, iteration
    after iteration, until one changes nothing or gains less than
    :data:`LEIDEN_MIN_GAIN` modularity; unlike Louvain it never leaves a
    community internally disconnected.

    Args:
        G: any NetworkX graph, or a :class:`kg.ties.Ties` (direction and parallel edges are ignored).
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
        membership = _leiden(g, w, resolution)
    finally:
        ig.set_random_number_generator(random)
        random.setstate(state)
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(membership):
        groups.setdefault(c, []).append(i)
    ranked = sorted(groups.values(), key=lambda m: (-len(m), m[0]))
    modularity = g.modularity(membership, weights=w, resolution=resolution) if g.ecount() else 0.0
    return [[nodes[i] for i in m] for m in ranked], modularity


#: Leiden stops when an iteration changes nothing or gains less modularity than this.
LEIDEN_MIN_GAIN = 1e-3


def _leiden(g, w, resolution: float) -> list[int]:
    """Leiden iterations from the last membership, until they stop paying (:data:`LEIDEN_MIN_GAIN`).

    Run to a fixed point, Leiden took 163 s on a 375k-node view where its
    first four iterations took 12 s and found all but 0.001 of the modularity.
    """
    membership, quality = None, None
    while True:
        found = g.community_leiden(objective_function="modularity", weights=w, resolution=resolution,
                                   n_iterations=1, initial_membership=membership)
        now = g.modularity(found.membership, weights=w, resolution=resolution) if g.ecount() else 0.0
        if found.membership == membership or (quality is not None and now - quality < LEIDEN_MIN_GAIN):
            return found.membership
        membership, quality = found.membership, now


def _ranked(t, scores, top: int | None, types: frozenset[str] | None) -> list[dict]:
    """Rows of the ``top`` scores (all when None) among nodes of ``types``; ties share a rank.

    Only the candidates for the top rows are sorted in Python, so ranking
    a million nodes for ten rows costs a partition, not a sort.
    """
    import numpy as np

    from kg.ties import label

    idx = np.arange(len(t.nodes)) if types is None else np.asarray(
        [i for i, typ in enumerate(t.types) if typ in types], dtype=np.int64)
    if not len(idx):
        return []
    mine = scores[idx]
    if top and top < len(idx):
        cut = -np.partition(-mine, top - 1)[top - 1]
        idx = idx[mine >= cut]
    order = sorted(idx.tolist(), key=lambda i: (-scores[i], label(t, i).lower()))
    if top:
        order = order[:top]
    rounded = np.sort(np.round(mine, 12))
    rows = []
    for i in order:
        key = np.round(scores[i], 12)
        rank = 1 + len(rounded) - int(np.searchsorted(rounded, key, side="right"))
        rows.append({"iri": t.nodes[i], "label": label(t, i), "type": t.types[i], "score": round(float(scores[i]), 6),
                     "rank": rank})
    return rows


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
        G: the entity view, any NetworkX graph, or its compact form (:class:`kg.ties.Ties`).
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
    if measure not in MEASURES:
        raise KgError(f"unknown measure {measure!r}; use one of: {', '.join(MEASURES)}")
    _check_weight(weight)
    t = _ties(G)
    n = len(t.nodes)
    exact, used_k = True, None
    if measure == "betweenness" and ((k is not None and k < n) or (k is None and n > EXACT_BETWEENNESS_LIMIT)):
        used_k, exact = min(k or DEFAULT_K, n), False
    if backend is None and measure in ("degree", "pagerank", "betweenness"):
        scores, edges = _fast_scores(t, measure, weight, used_k, seed)
    else:
        scores, edges = _nx_scores(t, measure, weight, used_k, seed, backend)
    return {
        "measure": measure,
        "weight": weight,
        "exact": exact,
        "k": used_k,
        "seed": seed if used_k else None,
        "nodes": n,
        "edges": edges,
        "rows": _ranked(t, scores, top, _types(types)),
    }


def _fast_scores(t, measure: str, weight: str | None, k: int | None, seed: int):
    """Degree with NumPy, PageRank and betweenness on igraph's C core: ``(scores by node index, ties)``."""
    import numpy as np

    from kg.ties import collapse, degrees

    n = len(t.nodes)
    if measure == "pagerank":
        g = _igraph(t, directed=True, weight=weight)
        scores = g.pagerank(directed=True, damping=0.85, weights="w" if weight else None) if n else []
        return np.asarray(scores, dtype=float), g.ecount()
    if measure == "betweenness":
        return _ig_betweenness(t, k, weight, seed)
    a, b, amount, count = collapse(t)
    if weight:
        return degrees(n, a, b, _weights(amount, count, weight)), len(a)
    # NetworkX's degree centrality: the share of the other nodes one is tied to.
    return (degrees(n, a, b) / (n - 1) if n > 1 else np.ones(n)), len(a)


def _nx_scores(t, measure: str, weight: str | None, k: int | None, seed: int, backend: str | None):
    """Any measure by NetworkX (dispatched to ``backend``): ``(scores by node index, ties)``."""
    import networkx as nx
    import numpy as np

    H = analysis_graph(t, weight=weight, directed=(measure == "pagerank"))
    w, dist = ("weight", "distance") if weight else (None, None)
    kw = {"backend": backend} if backend else {}
    try:
        if H.number_of_nodes() == 0:
            found = {}
        elif measure == "degree":
            found = dict(H.degree(weight="weight")) if weight else nx.degree_centrality(H, **kw)
        elif measure == "pagerank":
            found = nx.pagerank(H, weight=w, **kw)
        elif measure == "betweenness":
            found = nx.betweenness_centrality(H, k=k, weight=dist, seed=seed if k else None, **kw)
        elif measure == "eigenvector":
            found = nx.eigenvector_centrality(H, weight=w, max_iter=1000, **kw)
        else:
            found = nx.closeness_centrality(H, distance=dist, **kw)
    except nx.PowerIterationFailedConvergence:
        raise AnalysisError(
            f"{measure} centrality did not converge on this graph; try --measure pagerank or degree"
        ) from None
    except (nx.NetworkXException, ZeroDivisionError, ArithmeticError) as exc:
        raise AnalysisError(f"{measure} centrality cannot be computed on this graph: {exc}") from None
    return np.asarray([found.get(x, 0.0) for x in t.nodes], dtype=float), H.number_of_edges()


def communities(G, seed: int = COMMUNITY_SEED, *, weight: str | None = None, resolution: float = 1.0,
                backend: str | None = None) -> dict:
    """Groups of densely tied entities: :func:`partition` (Leiden, fixed seed), with names.

    Args:
        G: the entity view, any NetworkX graph, or its compact form (:class:`kg.ties.Ties`).
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
    t = _ties(G)
    algorithm = "leiden" if backend is None else "louvain"
    parts, modularity = _parts(t, seed, weight, resolution, backend)
    out, isolated = _named_parts(t, parts)
    return {
        "algorithm": algorithm,
        "seed": seed,
        "modularity": round(modularity, 6),
        "count": len(out),
        "isolated": isolated,
        "communities": out,
    }


def _parts(t, seed: int, weight: str | None, resolution: float, backend: str | None) -> tuple[list, float]:
    """The communities as lists of node indexes, and their modularity (Leiden, or Louvain through ``backend``)."""
    import networkx as nx

    pos = {x: i for i, x in enumerate(t.nodes)}
    if not (t.u != t.v).any():  # no tie between two entities
        return [[i] for i in range(len(t.nodes))], 0.0
    if backend is None:
        found, modularity = partition(t, seed=seed, weight=weight, resolution=resolution)
        return [[pos[x] for x in p] for p in found], modularity
    H = analysis_graph(t, weight=weight)
    w = "weight" if weight else None
    try:
        found = nx.community.louvain_communities(H, weight=w, resolution=resolution, seed=seed, backend=backend)
        modularity = nx.community.modularity(H, found, weight=w, resolution=resolution)
    except (nx.NetworkXException, ZeroDivisionError) as exc:
        raise AnalysisError(f"community detection failed on this graph: {exc}") from None
    return [[pos[x] for x in p] for p in found], modularity


def _named_parts(t, parts: list) -> tuple[list[dict], int]:
    """Each community with its members ordered by their ties inside it (central first), and the isolated count."""
    import numpy as np

    from kg.ties import collapse, degrees, label

    n = len(t.nodes)
    a, b, _, _ = collapse(t)
    member = np.zeros(n, dtype=np.int64)
    for c, p in enumerate(parts):
        member[p] = c
    inside = member[a] == member[b]
    inner, deg = degrees(n, a[inside], b[inside]), degrees(n, a, b)
    out, isolated = [], 0
    for p in parts:
        if len(p) == 1 and not deg[p[0]]:
            isolated += 1  # an entity tied to nobody is not a community
            continue
        order = sorted(p, key=lambda i: (-inner[i], label(t, i).lower()))
        out.append({"size": len(order), "central": t.nodes[order[0]], "central_label": label(t, order[0]),
                    "members": [t.nodes[i] for i in order], "member_labels": [label(t, i) for i in order]})
    out.sort(key=lambda c: (-c["size"], c["central_label"].lower()))
    return [{"id": i, **c} for i, c in enumerate(out, 1)], isolated


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
        G: the entity view, any NetworkX graph, or its compact form (:class:`kg.ties.Ties`).

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
    import igraph as ig
    import numpy as np

    from kg.ties import collapse, degrees, label

    t = _ties(G)
    n = len(t.nodes)
    a, b, _, _ = collapse(t)
    deg = degrees(n, a, b).astype(np.int64)
    comps = ig.Graph(n=n, edges=list(zip(a.tolist(), b.tolist(), strict=True))).connected_components().sizes()
    degrees_sorted = np.sort(deg).tolist()
    top = np.argsort(-deg, kind="stable")[:10].tolist()
    return {
        "nodes": n,
        "edges": len(t.u),
        "pairs": len(a),
        "by_type": dict(Counter(typ or "Entity" for typ in t.types).most_common()),
        "by_relation": _tally(t.relation, t.words),
        "by_status": _tally(t.status, t.words),
        "density": round(2 * len(a) / (n * (n - 1)), 8) if n > 1 else 0.0,
        "components": len(comps),
        "largest_component": max(comps, default=0),
        "isolated": int((deg == 0).sum()),
        "degree": {
            "min": degrees_sorted[0] if n else 0,
            "max": degrees_sorted[-1] if n else 0,
            "mean": round(sum(degrees_sorted) / n, 4) if n else 0.0,
            "median": degrees_sorted[n // 2] if n else 0,
        },
        "degree_histogram": degree_histogram(degrees_sorted),
        "top_degree": [{"iri": t.nodes[i], "label": label(t, i), "degree": int(deg[i])} for i in top],
    }


def _tally(codes, words: list) -> dict:
    """``{word: count}`` of the codes, most common first, ties in order of first appearance (``"(none)"`` for -1)."""
    import numpy as np

    found, first, counts = np.unique(codes, return_index=True, return_counts=True)
    order = sorted(range(len(found)), key=lambda i: (-counts[i], first[i]))
    return {("(none)" if found[i] < 0 else words[found[i]]): int(counts[i]) for i in order}
