"""Store-level entry points for exploring the graph: one call per CLI command.

Each function resolves the names the user typed (:func:`kg.entities.find_entity`:
any case, aliases, near-match suggestions). ``path`` and ``neighbors`` then
search the store's indexes (:func:`kg.paths.store_steps`) and read only the
hops they explain; the analytics read the entity view from the projection
snapshot (:func:`kg.snapshot.entity_graph`), and each runs one plain function
of :mod:`kg.paths` or :mod:`kg.analytics` on the result.

>>> from kg.stores import open_store
>>> stats(open_store("memory:"))["nodes"]
0
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.errors import NoPathError


def _filters(via=None, types=None, exclude_status=None, since=None, until=None, include_declined=False,
             as_of=None) -> dict:
    return {
        "relations": list(via) if via else None,
        "types": list(types) if types else None,
        "exclude_status": list(exclude_status) if exclude_status else None,
        "since": since,
        "until": until,
        "include_declined": include_declined,
        **({"as_of": as_of_year(as_of)} if as_of else {}),
    }


def as_of_year(as_of) -> int:
    """The year of an ``--as-of`` date (``2019``, ``2019-06`` or ``2019-06-30``).

    >>> as_of_year("2019-06-30")
    2019

    Raises:
        KgError: not a date.
    """
    from kg.errors import KgError

    text = str(as_of).strip()
    if not (text[:4].isdigit() and (len(text) == 4 or text[4] == "-")):
        raise KgError(f"--as-of {as_of!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    return int(text[:4])


def resolve(store, name: str) -> str:
    """The IRI of the entity called ``name`` (label, alias or IRI, any case).

    Raises:
        UnknownEntityError: no such entity; the message suggests near matches.
    """
    from kg.entities import find_entity

    return find_entity(store, name)


def path(
    store,
    source: str,
    target: str,
    *,
    max_hops: int = 4,
    all_paths: bool = False,
    directed: bool = False,
    via: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    as_of: str | None = None,
    include_declined: bool = False,
    limit: int = 20,
) -> dict:
    """How two entities are connected, each hop explained with its evidence.

    Args:
        store: an open store.
        source, target: names, aliases or IRIs.
        max_hops, all_paths, directed, via, limit: as for :func:`kg.paths.find_paths`.
        exclude_status, since, until, include_declined: projection filters
            (:func:`kg.network.entity_graph`).

    Returns:
        ``{"source", "target", "source_label", "target_label", "max_hops", "paths": [...]}``.

    Raises:
        UnknownEntityError: a name matches no entity.
        NoPathError: no path within ``max_hops`` hops (also when the filters
            leave one of the two entities without any edge).

    >>> from kg.stores import open_store
    >>> try:
    ...     path(open_store("memory:"), "Xiaomi", "Tesla")
    ... except Exception as exc:
    ...     print(type(exc).__name__)
    UnknownEntityError
    """
    from kg.paths import find_paths

    a, b = resolve(store, source), resolve(store, target)
    deal_filters = _deal_filters(exclude_status, since, until, include_declined, as_of)
    if all_paths:
        G = _projected(store, via, deal_filters, max_hops, (a, source), (b, target))
    else:
        G = _path_graph(store, a, b, max_hops, directed, via, deal_filters, limit)
    paths = find_paths(G, a, b, max_hops=max_hops, all_paths=all_paths, directed=directed, via=via, limit=limit)
    return {
        "source": a,
        "target": b,
        "source_label": G.nodes[a]["label"],
        "target_label": G.nodes[b]["label"],
        "max_hops": max_hops,
        "paths": paths,
    }


def _deal_filters(exclude_status, since, until, include_declined, as_of=None) -> dict:
    return {"exclude_status": list(exclude_status) if exclude_status else None, "since": since,
            "until": until, "include_declined": include_declined, **({"as_of": as_of_year(as_of)} if as_of else {})}


def _projected(store, via, deal_filters: dict, max_hops: int, *named):
    """The whole filtered entity view (for every simple path, which a BFS cannot give)."""
    from kg.network import entity_graph

    G = entity_graph(store, relations=list(via) if via else None, **deal_filters)
    for iri, name in named:
        if iri not in G:
            raise NoPathError(f"no path within {max_hops} hops: {name} has no edges that match the filters")
    return G


def _path_graph(store, a: str, b: str, max_hops: int, directed: bool, via, deal_filters: dict, limit: int):
    """The entity view's edges along the shortest paths from ``a`` to ``b``, found over the store's indexes.

    A bidirectional BFS (:func:`kg.paths.shortest_node_paths`) looks up one
    frontier at a time; then only the hops of the paths found are read in
    full (:func:`kg.network.entity_subgraph`), for their explanations.

    Raises:
        NoPathError: no path within ``max_hops`` hops.
    """
    from kg.network import entity_subgraph
    from kg.paths import shortest_node_paths, store_steps

    out_step, in_step = store_steps(store, directed=directed, via=via, filters=deal_filters)
    node_paths = shortest_node_paths(a, b, max_hops, limit, out_step, in_step)
    if not node_paths or len(node_paths[0]) < 2:
        labels = [_label(store, n) for n in (a, b)]
        raise NoPathError(f"no path within {max_hops} hops between {labels[0]} and {labels[1]}")
    pairs = {(u, v) for nodes in node_paths for u, v in zip(nodes, nodes[1:], strict=False)}
    return entity_subgraph(store, pairs, relations=list(via) if via else None, **deal_filters)


def _first_page(store, pairs: list, level: dict, limit: int) -> list:
    """The hops of the first ``limit`` rows by depth, label and IRI: only these are read in full and explained.

    The page is a prefix in depth order, so the parent of every node on it is on it too.
    """
    import pyoxigraph as ox

    labels: dict[str, str] = {}
    nodes = [v for _, v in pairs]
    for i in range(0, len(nodes), 2000):
        values = " ".join(str(ox.NamedNode(n)) for n in nodes[i:i + 2000])
        labels.update((r["x"].value, r["l"].value) for r in store.query(
            f"SELECT ?x (MIN(?label) AS ?l) WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?label }} GROUP BY ?x"))
    key = {v: (level[v], labels.get(v, v.rsplit("/", 1)[-1]).lower(), v) for v in nodes}
    return sorted(pairs, key=lambda p: key[p[1]])[:limit]


def _label(store, iri: str) -> str:
    """An entity's label (its IRI's last part when it has none), by one indexed lookup."""
    import pyoxigraph as ox

    for r in store.query("SELECT ?l ?x WHERE { ?x rdfs:label|skos:prefLabel ?l } LIMIT 1", {"x": ox.NamedNode(iri)}):
        return r["l"].value
    return iri.rsplit("/", 1)[-1]


def neighbors(
    store,
    entity: str,
    *,
    depth: int = 1,
    via: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    as_of: str | None = None,
    include_declined: bool = False,
    limit: int | None = None,
) -> list[dict]:
    """The ego network of an entity as rows (see :func:`kg.paths.neighborhood`), by indexed lookups.

    Each level of the breadth-first search is one lookup per batch of nodes
    (:func:`kg.paths.store_steps`); then the hops that reach the entities
    found are read in full for their explanations. With a ``limit`` (and no
    deal filter, on an embedded store) only the page is looked up: whole
    levels while they fit, then the first nodes of the level that fills it
    in the store's order (:func:`kg.paths.first_of_level`), so the cost
    follows the page, not the size of a hub's neighbourhood. The rows come
    by depth, then label.

    Raises:
        UnknownEntityError: the name matches no entity.
        KgError: depth < 1.
    """
    from kg.network import all_relations, entity_subgraph
    from kg.paths import neighborhood
    from kg.stores import raw_store

    iri = resolve(store, entity)
    if depth < 1:
        from kg.errors import KgError

        raise KgError("--depth must be at least 1")
    deal_filters = _deal_filters(exclude_status, since, until, include_declined, as_of)
    # With a page and no deal filter, the embedded store hands over each level's page only (Virtuoso 7.2
    # rejects the page's MINUS { VALUES … } of IRIs).
    if limit and not any(deal_filters.values()) and raw_store(store) is not None:
        pairs = _paged_levels(store, iri, depth, list(via) if via is not None else list(all_relations()), limit)
    else:
        pairs = _levels(store, iri, depth, via, deal_filters, limit)
    if not pairs:
        return []
    G = entity_subgraph(store, pairs, relations=list(via) if via else None, **deal_filters)
    return neighborhood(G, iri, depth, via=via, limit=limit, tree=pairs)


def ego_nodes(store, iri: str, depth: int, *, relations: Iterable[str] | None = None, **deal_filters) -> set[str]:
    """The entities within ``depth`` hops of an entity (either way), itself included, by indexed lookups.

    Args:
        store: an open store.
        iri: the entity's IRI.
        depth: hops out.
        relations: relation names allowed.
        **deal_filters: ``exclude_status``, ``since``, ``until``, ``include_declined``, ``as_of``.

    Returns:
        A set of IRIs (:func:`induced_view` draws them).

    >>> from kg.stores import open_store
    >>> ego_nodes(open_store("memory:"), "urn:a", 2)
    {'urn:a'}
    """
    return {iri, *(v for _, v in _levels(store, iri, depth, relations, deal_filters, None))}


def induced_view(store, nodes, *, relations: Iterable[str] | None = None, **deal_filters):
    """The entity view's edges among ``nodes`` (and only those nodes), by indexed lookups.

    Each pair of the nodes that an allowed hop joins is found in the store's
    indexes, then its deals are read (:func:`kg.network.entity_subgraph`: at
    most :data:`kg.network.PAIR_DEALS_MAX` a pair). A node with no edge among
    them is kept, with its label.

    Args:
        store: an open store.
        nodes: entity IRIs.
        relations, **deal_filters: as for :func:`kg.network.entity_graph`.

    Returns:
        A ``MultiDiGraph``.

    >>> from kg.stores import open_store
    >>> sorted(induced_view(open_store("memory:"), {"urn:a"}).nodes)
    ['urn:a']
    """
    from kg.network import entity_subgraph
    from kg.paths import store_steps

    nodes = sorted(set(nodes))
    via = list(relations) if relations else None
    step, _ = store_steps(store, via=via, filters=deal_filters)
    pairs = step(nodes, only=set(nodes)) if len(nodes) > 1 else []
    G = entity_subgraph(store, pairs, relations=via, **deal_filters)
    H = G.subgraph([n for n in nodes if n in G]).copy()
    for n in nodes:
        if n not in H:
            H.add_node(n, label=_label(store, n), type="Entity", aliases=[])
    return H


def _levels(store, iri: str, depth: int, via, deal_filters: dict, limit: int | None) -> list[tuple[str, str]]:
    """Every hop ``(parent, node)`` of the breadth-first tree to ``depth``, cut to the first ``limit`` rows
    by depth, label and IRI."""
    from kg.paths import store_steps

    step, _ = store_steps(store, via=via, filters=deal_filters)
    seen, front, pairs, level = {iri}, [iri], [], {}
    for d in range(1, depth + 1):
        nxt = []
        for u, v in step(front):
            if v not in seen:
                seen.add(v)
                nxt.append(v)
                pairs.append((u, v))
                level[v] = d
        front = nxt
    if limit and len(pairs) > limit:
        pairs = _first_page(store, pairs, level, limit)
    return pairs


def _paged_levels(store, iri: str, depth: int, names: list, limit: int) -> list[tuple[str, str]]:
    """The hops ``(parent, node)`` of the first page: whole levels while they fit in ``limit`` rows, then the
    first nodes of the level that fills it, in the store's order (:func:`kg.paths.first_of_level`)."""
    from kg.paths import first_of_level

    seen, front, pairs = {iri}, [iri], []
    for _ in range(depth):
        room = limit - len(pairs)
        # One more than the room tells a level that fills the page from one that just fits.
        hops = first_of_level(store, front, seen, names, room + 1)
        pairs += hops[:room]
        if len(hops) > room or not hops:
            break
        front = [v for _, v in hops]
        seen.update(front)
    return pairs


def _analysis_filters(include_concepts, via, exclude_status, since, until, include_declined, as_of=None) -> dict:
    # Concepts (industries, kinds of partner sought) are classification hubs:
    # left in, they top every ranking and merge communities by industry.
    types = None if include_concepts else ["Agent"]
    return _filters(via, types, exclude_status, since, until, include_declined, as_of)


def centrality(
    store,
    measure: str = "degree",
    *,
    top: int | None = 10,
    types: Iterable[str] | None = None,
    weight: str | None = None,
    k: int | None = None,
    seed: int = 42,
    include_concepts: bool = False,
    via: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    as_of: str | None = None,
    include_declined: bool = False,
) -> dict:
    """Rank the store's entities by a centrality measure (:func:`kg.analytics.centrality`).

    The graph holds people and organizations; ``include_concepts`` adds the
    concepts (industries, kinds of partner). ``types`` only filters the rows.
    """
    from kg.analytics import centrality as run
    from kg.snapshot import ties

    G = ties(store, **_analysis_filters(include_concepts, via, exclude_status, since, until, include_declined, as_of))
    return run(G, measure, top=top, types=list(types) if types else None, weight=weight, k=k, seed=seed)


def communities(
    store,
    *,
    seed: int = 42,
    weight: str | None = None,
    include_concepts: bool = False,
    via: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    as_of: str | None = None,
    include_declined: bool = False,
) -> dict:
    """Louvain communities of the store's people and organizations (:func:`kg.analytics.communities`)."""
    from kg.analytics import communities as run
    from kg.snapshot import ties

    G = ties(store, **_analysis_filters(include_concepts, via, exclude_status, since, until, include_declined, as_of))
    return run(G, seed=seed, weight=weight)


def stats(
    store,
    *,
    via: Iterable[str] | None = None,
    types: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    as_of: str | None = None,
    include_declined: bool = False,
) -> dict:
    """Counts, density, components and degrees of the entity view (:func:`kg.analytics.stats`)."""
    from kg.analytics import stats as run
    from kg.snapshot import ties

    return run(ties(store, **_filters(via, types, exclude_status, since, until, include_declined, as_of)))
