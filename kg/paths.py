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
    """All shortest node paths (up to ``limit``) in a NetworkX graph (see :func:`shortest_node_paths`)."""
    out_nbrs = _neighbors(G, directed, via)
    in_nbrs = _neighbors(G, directed, via, reverse=True)

    def step(nbrs):
        return lambda front, only=None: ((u, v) for u in front for v in nbrs(u) if only is None or v in only)

    return shortest_node_paths(source, target, max_hops, limit, step(out_nbrs), step(in_nbrs))


#: The most nodes on the other side for which a level first looks up only the hops into them.
MEET_LOOKUP_MAX = 5000


def shortest_node_paths(source, target, max_hops: int, limit: int, out_step, in_step) -> list[list]:
    """All shortest paths (up to ``limit``) by a bidirectional BFS that keeps every parent.

    The smaller frontier is expanded first, and each expansion is ONE call for
    the whole frontier, so a store answers it with one indexed lookup.

    Args:
        source, target: the two nodes.
        max_hops: the longest path considered.
        limit: the most paths returned.
        out_step: ``(front, only=None) -> iterable of (u, v)``: the hops out of the nodes of ``front``
            (only those into ``only``, a set of nodes, when given).
        in_step: the same for hops into them (the search from the target).

    Returns:
        Node lists from ``source`` to ``target``; empty when none is within ``max_hops``.

    >>> adj = {"a": ["b"], "b": ["a", "c"], "c": ["b"]}
    >>> step = lambda front, only=None: [(u, v) for u in front for v in adj[u] if only is None or v in only]
    >>> shortest_node_paths("a", "c", 4, 10, step, step)
    [['a', 'b', 'c']]
    """
    if source == target:
        return [[source]]
    dist_s, par_s, front_s = {source: 0}, {source: []}, [source]
    dist_t, par_t, front_t = {target: 0}, {target: []}, [target]
    meet: list = []
    while front_s and front_t and not meet:
        if dist_s[front_s[0]] + dist_t[front_t[0]] >= max_hops:
            break
        from_source = len(front_s) <= len(front_t)
        front, dist, par, other, step = (
            (front_s, dist_s, par_s, dist_t, out_step) if from_source else (front_t, dist_t, par_t, dist_s, in_step)
        )
        depth = dist[front[0]] + 1
        nxt = []
        # The hops into the other side's nodes first: if there are any, they are all this level
        # needs (the paths meet there), and a hub's whole neighbourhood is never read.
        hops = step(front, set(other)) if len(other) <= MEET_LOOKUP_MAX else []
        hops = list(hops) or step(front)
        for u, v in hops:
            d = dist.get(v)
            if d is None:
                dist[v] = depth
                par[v] = [u]
                nxt.append(v)
            elif d == depth and u not in par[v]:
                par[v].append(u)
        if from_source:
            front_s = nxt
        else:
            front_t = nxt
        hits = [v for v in nxt if v in other]
        if hits:
            best = min(dist_s[v] + dist_t[v] for v in hits)
            meet = [v for v in hits if dist_s[v] + dist_t[v] == best]
    return _join_paths(meet, par_s, par_t, limit)


def _join_paths(meet: list, par_s: dict, par_t: dict, limit: int) -> list[list]:
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


#: Frontier nodes per lookup: one VALUES block stays a reasonable size.
_BATCH = 2000


def store_steps(store, *, directed: bool = False, via: Iterable[str] | None = None, filters: dict | None = None):
    """The ``(out_step, in_step)`` of :func:`shortest_node_paths` over a store's indexes.

    Each step is one lookup per frontier batch in the derived graph
    (:data:`kg.ontology.DERIVED_GRAPH`: ``?a kg:investedIn ?b`` …) and the
    ``kg:industry`` links. With deal filters (``exclude_status``, ``since``,
    ``until``, ``include_declined``, as for :func:`kg.network.entity_graph`),
    the hops found are checked against the deals they stand for
    (:func:`kg.network.entity_subgraph`), and declined deals add their hops
    when they are asked for.

    Args:
        store: an open store.
        directed: follow relations only the way they hold (symmetric ones both ways).
        via: relation names allowed (``industry`` included).
        filters: ``exclude_status``, ``since``, ``until``, ``include_declined``.

    Returns:
        Two functions ``front -> list of (u, v)``: hops out of the front, and hops into it.
    """
    from kg.network import all_relations

    names = list(via) if via is not None else list(all_relations())
    filters = {k: v for k, v in (filters or {}).items() if v}

    def step(forward: bool):
        def run(front, only=None):
            hops = []
            for i in range(0, len(front), _BATCH):
                hops += _lookup(store, front[i:i + _BATCH], names, forward, directed, only)
                if filters.get("include_declined"):
                    hops += [h for h in _declined_hops(store, front[i:i + _BATCH]) if only is None or h[1] in only]
            if filters:
                hops = _checked(store, hops, forward, directed, names, filters)
            return _ordered(hops, front)
        return run

    return step(True), step(False)


def _iri_text(iri: str) -> str:
    import pyoxigraph as ox

    return str(ox.NamedNode(iri))


def _hop_patterns(names: list, forward: bool, directed: bool) -> list[str]:
    """SPARQL groups binding ``?v ?r ?f`` for each allowed hop from ``?u`` (``?f``: 1 when the link holds u→v)."""
    from kg.ontology import DERIVED_GRAPH, KG

    derived = [n for n in names if n != "industry"]
    patterns = []
    for fwd, triple in ((True, "?u ?r ?v"), (False, "?v ?r ?u")):
        if directed and fwd != forward:
            continue
        if derived:
            rels = " ".join(f"<{KG}{n}>" for n in derived)
            patterns.append(f"{{ VALUES ?r {{ {rels} }} GRAPH <{DERIVED_GRAPH}> {{ {triple} }} BIND({int(fwd)} AS ?f) }}")
        if "industry" in names:
            patterns.append(f"{{ {triple.replace('?r', f'<{KG}industry>')} BIND({int(fwd)} AS ?f) }}")
    return patterns


def _lookup(store, front: list, names: list, forward: bool, directed: bool, only=None, *, exclude=None,
            limit: int | None = None) -> list[tuple]:
    """``(u, v, forward)`` for every allowed hop from a node of ``front`` (into ``only``, when given; not into
    ``exclude``), in one SPARQL lookup; with ``limit``, the store's first ``limit`` rows only."""
    from kg.ontology import KG

    patterns = _hop_patterns(names, forward, directed)
    if not patterns:
        return []
    values = " ".join(_iri_text(n) for n in front)
    targets = "" if only is None else f"VALUES ?v {{ {' '.join(_iri_text(n) for n in sorted(only))} }} "
    minus = "" if not exclude else f"MINUS {{ VALUES ?v {{ {' '.join(_iri_text(n) for n in exclude)} }} }} "
    cut = "" if limit is None else f" LIMIT {int(limit)}"
    rows = store.query(f"SELECT DISTINCT ?u ?v ?f ?r WHERE {{ VALUES ?u {{ {values} }} {' UNION '.join(patterns)} "
                       f"{targets}FILTER(isIRI(?v) && ?v != ?u) {minus}}}{cut}")
    symmetric = {KG + n for n in _symmetric()}
    # The entity view keeps one edge per symmetric pair, from the lower IRI.
    return [(u, v, u < v if r["r"] is not None and r["r"].value in symmetric else r["f"].value == "1")
            for r in rows for u, v in [(r["u"].value, r["v"].value)]]


def first_of_level(store, front: list, seen, names: list, limit: int) -> list[tuple[str, str]]:
    """The first ``limit`` nodes of the next breadth-first level, each with its parent, as ``(u, v)``.

    The next level is every node one allowed hop (either way) from ``front``
    that is not in ``seen``; a node's parent is the first node of ``front``
    it is reached from, as :func:`store_steps` gives the level. The front's
    nodes are asked in turn, each for at most the nodes still wanted, so next
    to a hub, whose level holds tens of thousands of nodes, the cost follows
    the page, not the level. Which nodes a cut level keeps is the store's
    order, the same on every run over the same store: sorting the level by
    label first would cost a lookup per node of it (about 2 s for 48,000
    nodes at a million deals).

    Args:
        store: an open store.
        front: the current level, in the order it was found.
        seen: the nodes of this and the earlier levels.
        names: relation names allowed.
        limit: the most nodes returned.

    Returns:
        Up to ``limit`` hops ``(parent, node)``, fewer only when the level has
        fewer nodes; a whole level in the order :func:`store_steps` gives it.
    """
    best: dict[str, tuple] = {}
    for pos, u in enumerate(front):
        want = limit - len(best)
        if want <= 0:
            break
        for v, back in _first_hops(store, u, names, set(seen) | set(best), want):
            key = (pos, back, v, u)
            if key < best.get(v, (len(front),)):
                best[v] = key
    return [(key[3], key[2]) for key in sorted(best.values())][:limit]


def _first_hops(store, u: str, names: list, exclude: set, want: int) -> list[tuple[str, bool]]:
    """``(v, backward)`` for the first ``want`` new nodes one hop from ``u`` in the store's order (all of their
    hops in the rows read), or for all of them when there are fewer."""
    rows = max(4 * want, 16)
    while True:
        hops = _lookup(store, [u], names, True, False, exclude=exclude, limit=rows)
        first = list(dict.fromkeys(v for _, v, _ in hops))[:want]
        if len(first) == want or len(hops) < rows:
            keep = set(first)
            return [(v, not f) for _, v, f in hops if v in keep]
        rows *= 4  # a node reached by several relations fills several rows


def _symmetric() -> frozenset[str]:
    from kg.schema import load as schema

    return schema().symmetric_relations


def _declined_hops(store, front: list) -> list[tuple]:
    """Hops through declined deals, which the derived graph leaves out: candidates, checked later."""
    from kg.ontology import KG
    from kg.schema import load as schema

    roles = " ".join(f"<{KG}{r}>" for r in schema().role_names)
    values = " ".join(_iri_text(n) for n in front)
    rows = store.query(
        f"SELECT DISTINCT ?u ?v WHERE {{ VALUES ?u {{ {values} }} VALUES ?role {{ {roles} }} "
        f"{{ ?u <{KG}involvedIn> ?deal }} UNION {{ ?deal <{KG}soughtPartnerKind> ?u }} "
        f"?deal <{KG}status> <{KG}Declined> ; ?role ?v . FILTER(isIRI(?v) && ?v != ?u) }}")
    return [(u, v, f) for r in rows for u, v in [(r["u"].value, r["v"].value)] for f in (True, False)]


def _checked(store, hops: list, forward: bool, directed: bool, names: list, filters: dict) -> list[tuple]:
    """Keep the hops that an edge of the filtered entity view stands for."""
    from kg.network import entity_subgraph

    H = entity_subgraph(store, [(u, v) for u, v, _ in hops], relations=names, **filters)
    allowed = frozenset(names)
    out = []
    for u, v, f in hops:
        if u in H and v in H:
            a, b = (u, v) if forward else (v, u)
            if _edge_choices(H, a, b, directed, allowed):
                out.append((u, v, f))
    return out


def _ordered(hops: list, front: list) -> list[tuple[str, str]]:
    """Hops as ``(u, v)`` without repeats, in the order a BFS over the entity view meets them: by ``u``'s
    place in the front, then links the way they hold before links against it, each by IRI."""
    pos = {n: i for i, n in enumerate(front)}
    hops = sorted(set(hops), key=lambda h: (pos.get(h[0], 0), not h[2], h[1]))
    seen, out = set(), []
    for u, v, _ in hops:
        if (u, v) not in seen:
            seen.add((u, v))
            out.append((u, v))
    return out


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
        hops = [explain_hop(G, u, v, directed=directed, via=allowed) for u, v in zip(nodes, nodes[1:], strict=False)]
        score = 1.0
        for u, v in zip(nodes, nodes[1:], strict=False):
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


def _bfs_tree(G, node, depth: int, allowed) -> list[tuple]:
    """``(level, parent, node)`` for every node within ``depth`` hops, breadth first (first parent found)."""
    nbrs = _neighbors(G, False, allowed)
    seen = {node}
    front = [node]
    out = []
    for level in range(1, depth + 1):
        nxt = []
        for u in front:
            for v in nbrs(u):
                if v not in seen:
                    seen.add(v)
                    nxt.append(v)
                    out.append((level, u, v))
        front = nxt
    return out


def _levels(node, tree) -> list[tuple]:
    level = {node: 0}
    out = []
    for u, v in tree:
        level[v] = level[u] + 1
        out.append((level[v], u, v))
    return out


def neighborhood(G, node, depth: int = 1, *, via: Iterable[str] | None = None, limit: int | None = None,
                 tree: Iterable[tuple] | None = None) -> list[dict]:
    """The ego network of ``node``: every entity within ``depth`` hops, with how it is reached.

    Edges are crossed in either direction. Each entity is reached from a node
    one hop nearer (the first found, breadth first); the row explains that hop.

    Args:
        G: the entity view.
        node: the centre (an entity IRI).
        depth: how many hops out (at least 1).
        via: relation names that may be used.
        limit: the most rows returned (``None``: all).
        tree: the hops ``(u, v)`` of a breadth-first search already made (over
            the store's indexes, see :func:`kg.explore.neighbors`), in the order
            they were found; ``G`` then only needs their edges.

    Returns:
        Rows ``{"depth", "iri", "label", "type", "from", "from_label", "relation",
        "direction", "statement", "date", "status", "edges"}``, by depth, then
        label, then IRI; ``edges`` counts the edges between the two nodes.

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
    rows = []
    for level, u, v in (_bfs_tree(G, node, depth, allowed) if tree is None else _levels(node, tree)):
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
    rows.sort(key=lambda r: (r["depth"], r["label"].lower(), r["iri"]))
    return rows[:limit] if limit else rows
