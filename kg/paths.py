"""Paths between entities, with every hop explained, and ego networks.

Works on the entity view of :func:`kg.network.entity_graph` (a
``MultiDiGraph`` whose edges carry ``relation``, ``deal``, ``date``,
``status``, ``quote`` …), or on any NetworkX graph with such edge attributes.

Travel may cross an edge against its direction (``Tesla`` is reached from
``Elon Musk`` over ``Elon Musk ceoOf Tesla``, and ``Elon Musk`` from
``Tesla`` the same way) unless ``directed`` is asked for; each hop's
``statement`` always states the relation the way it holds, and ``direction``
says whether the travel followed it (``forward``) or went against it
(``backward``). Symmetric relations are always ``forward``.

The shortest paths are found with a bidirectional breadth-first search that
expands the smaller frontier, so on a power-law graph of a million deals a
query touches a small part of the graph.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_edge("lei", "elon", key="m|metWith", relation="metWith", symmetric=True, date="2013")
'm|metWith'
>>> G.add_edge("elon", "tesla", key="p|ceoOf", relation="ceoOf")
'p|ceoOf'
>>> [h["statement"] for h in find_paths(G, "lei", "tesla")[0]["hops"]]
['lei metWith elon', 'elon ceoOf tesla']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from kg.errors import KgError, NoPathError
from kg.schema import load as load_schema

#: The most paths returned, so a hub-rich graph cannot flood the output.
DEFAULT_LIMIT = 20


def edge_strength(data: dict) -> float:
    """How strongly one edge is attested: status weight times confidence (1 when unknown).

    >>> edge_strength({"status": "rumored", "confidence": 0.8})
    0.28
    """
    conf = data.get("confidence")
    # How much a hop's status counts: the weights of kg/schema.toml.
    schema = load_schema()
    weight = schema.status_weights.get(data.get("status"), schema.unknown_weight)
    return round(weight * (1.0 if conf is None else float(conf)), 6)


def _label(G, n) -> str:
    label = G.nodes[n].get("label") if n in G else None
    return label or str(n)


def _edge_choices(G, u, v, directed: bool, via: frozenset[str] | None) -> list[tuple[bool, dict]]:
    """Edges that join ``u`` to ``v``, as ``(forward, data)``: forward is u→v as stored."""
    out = []
    multi = G.is_multigraph()
    succ = G.succ if G.is_directed() else G.adj
    if v in succ[u]:
        items = succ[u][v].values() if multi else (succ[u][v],)
        out += [(True, d) for d in items]
    if G.is_directed() and u in G.succ[v]:
        items = G.succ[v][u].values() if multi else (G.succ[v][u],)
        out += [(False, d) for d in items if not directed or d.get("symmetric")]
    if via is not None:
        out = [(f, d) for f, d in out if d.get("relation") in via]
    return out


def _best_edge(G, u, v, directed, via) -> tuple[bool, dict]:
    choices = _edge_choices(G, u, v, directed, via)
    # Strongest evidence first; then the most recent date.
    return max(choices, key=lambda c: (edge_strength(c[1]), c[1].get("date") or "", c[0]))


def _neighbors(G, directed: bool, via: frozenset[str] | None, reverse: bool = False) -> Callable[[object], Iterator]:
    """A function listing the nodes one allowed hop away from a node."""
    if not G.is_directed():
        adj = G.adj
        if via is None:
            return lambda n: iter(adj[n])
        return lambda n: (m for m, e in adj[n].items() if _any_relation(G, e, via))
    succ, pred = G.succ, G.pred
    multi = G.is_multigraph()

    def ok(edges, need_symmetric: bool) -> bool:
        items = edges.values() if multi else (edges,)
        return any((via is None or d.get("relation") in via) and (not need_symmetric or d.get("symmetric"))
                   for d in items)

    fwd, back = (pred, succ) if reverse else (succ, pred)
    if not directed and via is None:
        def both(n):
            yield from fwd[n]
            for m in back[n]:
                if m not in fwd[n]:
                    yield m
        return both

    def filtered(n):
        seen = set()
        for m, edges in fwd[n].items():
            if ok(edges, False):
                seen.add(m)
                yield m
        for m, edges in back[n].items():
            # Directed travel may still cross a symmetric edge either way.
            if m not in seen and ok(edges, directed):
                yield m
    return filtered


def _any_relation(G, edges, via) -> bool:
    items = edges.values() if G.is_multigraph() else (edges,)
    return any(d.get("relation") in via for d in items)


def _shortest(G, source, target, max_hops: int, directed: bool, via, limit: int) -> list[list]:
    """All shortest node paths (up to ``limit``), by a bidirectional BFS keeping every parent."""
    if source == target:
        return [[source]]
    out_nbrs = _neighbors(G, directed, via)
    in_nbrs = _neighbors(G, directed, via, reverse=True)
    dist_s, par_s, front_s = {source: 0}, {source: []}, [source]
    dist_t, par_t, front_t = {target: 0}, {target: []}, [target]
    meet: list = []
    while front_s and front_t and not meet:
        if dist_s[front_s[0]] + dist_t[front_t[0]] >= max_hops:
            break
        from_source = len(front_s) <= len(front_t)
        front, dist, par, other, nbrs = (
            (front_s, dist_s, par_s, dist_t, out_nbrs) if from_source else (front_t, dist_t, par_t, dist_s, in_nbrs)
        )
        depth = dist[front[0]] + 1
        nxt = []
        for u in front:
            for v in nbrs(u):
                d = dist.get(v)
                if d is None:
                    dist[v] = depth
                    par[v] = [u]
                    nxt.append(v)
                elif d == depth:
                    par[v].append(u)
        if from_source:
            front_s = nxt
        else:
            front_t = nxt
        hits = [v for v in nxt if v in other]
        if hits:
            best = min(dist_s[v] + dist_t[v] for v in hits)
            meet = [v for v in hits if dist_s[v] + dist_t[v] == best]
    if not meet:
        return []

    def walk(node, par) -> Iterator[list]:
        if not par[node]:
            yield [node]
            return
        for p in par[node]:
            for tail in walk(p, par):
                yield tail + [node]

    paths = []
    for m in meet:
        for left in walk(m, par_s):
            for right in walk(m, par_t):
                paths.append(left + right[::-1][1:])
                if len(paths) >= limit:
                    return paths
    return paths


def _simple_paths(G, source, target, max_hops: int, directed: bool, via, limit: int) -> list[list]:
    """Every simple path of at most ``max_hops`` hops (up to ``limit``), pruned by distance to the target."""
    in_nbrs = _neighbors(G, directed, via, reverse=True)
    out_nbrs = _neighbors(G, directed, via)
    # Distances to the target let the search drop any branch that cannot
    # reach it in the hops left; without this, hubs make the search explode.
    to_target = {target: 0}
    front = [target]
    for depth in range(1, max_hops + 1):
        nxt = []
        for u in front:
            for v in in_nbrs(u):
                if v not in to_target:
                    to_target[v] = depth
                    nxt.append(v)
        front = nxt
    if source not in to_target:
        return []
    paths: list[list] = []
    stack = [source]
    on_path = {source}

    def dfs(u) -> bool:
        left = max_hops - (len(stack) - 1)
        for v in out_nbrs(u):
            if v in on_path or to_target.get(v, max_hops + 1) > left - 1:
                continue
            if v == target:
                paths.append(stack + [v])
                if len(paths) >= limit:
                    return True
                continue
            stack.append(v)
            on_path.add(v)
            if dfs(v):
                return True
            stack.pop()
            on_path.discard(v)
        return False

    dfs(source)
    return paths


def explain_hop(G, u, v, *, directed: bool = False, via: Iterable[str] | None = None) -> dict:
    """Explain one hop of a path: the strongest edge joining ``u`` and ``v``.

    Args:
        G: the entity view.
        u, v: consecutive nodes, in travel order.
        directed: only edges stored u→v (or symmetric ones) count.
        via: relation names allowed.

    Returns:
        ``{"from", "to", "from_label", "to_label", "relation", "direction",
        "statement", "date", "status", "quote", "source", "source_label",
        "deal", "amount", "currency", "confidence"}``; ``statement`` reads the
        way the relation holds, e.g. ``"Elon Musk ceoOf Tesla"``.

    Raises:
        KgError: no allowed edge joins the two nodes.
    """
    allowed = frozenset(via) if via is not None else None
    if not _edge_choices(G, u, v, directed, allowed):
        raise KgError(f"no edge joins {_label(G, u)} and {_label(G, v)}")
    forward, d = _best_edge(G, u, v, directed, allowed)
    if d.get("symmetric"):
        forward = True
    subj, obj = (u, v) if forward else (v, u)
    return {
        "from": u,
        "to": v,
        "from_label": _label(G, u),
        "to_label": _label(G, v),
        "relation": d.get("relation"),
        "direction": "forward" if forward else "backward",
        "statement": f"{_label(G, subj)} {d.get('relation')} {_label(G, obj)}",
        "date": d.get("date"),
        "status": d.get("status"),
        "quote": d.get("quote"),
        "source": d.get("source"),
        "source_label": d.get("source_label"),
        "deal": d.get("deal"),
        "amount": d.get("amount"),
        "currency": d.get("currency"),
        "confidence": d.get("confidence"),
    }


def find_paths(
    G,
    source,
    target,
    *,
    max_hops: int = 4,
    all_paths: bool = False,
    directed: bool = False,
    via: Iterable[str] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[dict]:
    """The connections between two entities, each hop explained.

    Args:
        G: the entity view (:func:`kg.network.entity_graph`).
        source, target: node ids (entity IRIs).
        max_hops: the longest path considered.
        all_paths: every simple path up to ``max_hops``, not just the shortest.
        directed: follow relations only the way they hold (symmetric ones both ways).
        via: relation names that may be used, e.g. ``["investedIn", "metWith"]``.
        limit: the most paths returned.

    Returns:
        Paths ranked by length, then by evidence score (highest first), each
        ``{"nodes": [...], "labels": [...], "hops": [hop, …], "length": int,
        "score": float}`` where a hop is :func:`explain_hop`'s dict and the score
        is the product of the hops' :func:`edge_strength`.

    Raises:
        KgError: ``source`` or ``target`` is not in the graph, or max_hops < 1.
        NoPathError: no path within ``max_hops`` hops.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("a", "b", {"relation": "investedIn"})])
    >>> find_paths(G, "b", "a")[0]["hops"][0]["direction"]
    'backward'
    """
    for n in (source, target):
        if n not in G:
            raise KgError(f"{n} is not in the graph (it may have been filtered out)")
    if max_hops < 1:
        raise KgError("--max-hops must be at least 1")
    allowed = frozenset(via) if via is not None else None
    if all_paths:
        node_paths = _simple_paths(G, source, target, max_hops, directed, allowed, limit)
    else:
        node_paths = _shortest(G, source, target, max_hops, directed, allowed, limit)
    if not node_paths:
        raise NoPathError(f"no path within {max_hops} hops between {_label(G, source)} and {_label(G, target)}")
    results = []
    for nodes in node_paths:
        hops = [explain_hop(G, u, v, directed=directed, via=allowed) for u, v in zip(nodes, nodes[1:])]
        score = 1.0
        for u, v in zip(nodes, nodes[1:]):
            score *= edge_strength(_best_edge(G, u, v, directed, allowed)[1])
        results.append({
            "nodes": list(nodes),
            "labels": [_label(G, n) for n in nodes],
            "hops": hops,
            "length": len(hops),
            "score": round(score, 6),
        })
    results.sort(key=lambda p: (p["length"], -p["score"], p["labels"]))
    return results


def neighborhood(G, node, depth: int = 1, *, via: Iterable[str] | None = None, limit: int | None = None) -> list[dict]:
    """The ego network of ``node``: every entity within ``depth`` hops, with how it is reached.

    Edges are crossed in either direction. Each entity is reached from a node
    one hop nearer (the first found, breadth first); the row explains that hop.

    Args:
        G: the entity view.
        node: the centre (an entity IRI).
        depth: how many hops out (at least 1).
        via: relation names that may be used.
        limit: the most rows returned (``None``: all).

    Returns:
        Rows ``{"depth", "iri", "label", "type", "from", "from_label", "relation",
        "direction", "statement", "date", "status", "edges"}``, by depth then
        label; ``edges`` counts the edges between the two nodes.

    Raises:
        KgError: the node is not in the graph, or depth < 1.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("a", "b", {"relation": "investedIn"})])
    >>> [(r["label"], r["statement"]) for r in neighborhood(G, "b", 1)]
    [('a', 'a investedIn b')]
    """
    if node not in G:
        raise KgError(f"{node} is not in the graph (it may have been filtered out)")
    if depth < 1:
        raise KgError("--depth must be at least 1")
    allowed = frozenset(via) if via is not None else None
    nbrs = _neighbors(G, False, allowed)
    seen = {node: 0}
    front = [node]
    rows = []
    for level in range(1, depth + 1):
        nxt = []
        for u in front:
            for v in nbrs(u):
                if v in seen:
                    continue
                seen[v] = level
                nxt.append(v)
                hop = explain_hop(G, u, v, via=allowed)
                rows.append({
                    "depth": level,
                    "iri": v,
                    "label": _label(G, v),
                    "type": G.nodes[v].get("type"),
                    "from": u,
                    "from_label": _label(G, u),
                    "relation": hop["relation"],
                    "direction": hop["direction"],
                    "statement": hop["statement"],
                    "date": hop["date"],
                    "status": hop["status"],
                    "edges": len(_edge_choices(G, u, v, False, allowed)),
                })
        front = nxt
    rows.sort(key=lambda r: (r["depth"], r["label"].lower()))
    return rows[:limit] if limit else rows
