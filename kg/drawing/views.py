"""Views of a store: which part of the graph a page draws, and the files ``kg build`` and ``kg viz`` write.

The view builders (:func:`whole_view`, :func:`focus_view`, :func:`path_view`,
:func:`sparql_view`, :func:`communities_view`) return a ``networkx.MultiDiGraph``
in the shape of :func:`kg.network.entity_graph`, with the page's title, focus
and highlight in ``G.graph``, so :func:`kg.drawing.write_html` needs nothing else.

The standard views ``kg build`` writes come from ``graphs/views.yaml`` when
the project has one, else from the data itself (:func:`data_views`): the
whole graph, the most central entity's neighbourhood, and the best path
between the two most central entities. No entity name is written in code.

>>> [s["view"] for s in parse_views({"views": [{"file": "a.html", "view": "whole"}]}, "views.yaml")]
['whole']
"""

from __future__ import annotations

from pathlib import Path

from kg.drawing.page import _local, check_size, write_html
from kg.errors import NoPathError, VizError

#: The predicate of edges from a SELECT without ?predicate.
KG_RELATED = "https://kg.example.org/ontology#related"
#: The views a ``views.yaml`` entry may ask for, and the keys each needs.
VIEW_KINDS = {"whole": (), "focus": ("entity",), "path": ("from", "to"), "communities": ()}


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


#: The most entities a focus or path view draws: next to a hub, two hops reach tens of thousands.
VIEW_NODES_MAX = 5000


def _within_cap(nodes: set, what: str) -> set:
    """``nodes``, or a :class:`VizError` that says how many there are and how to draw fewer."""
    if len(nodes) > VIEW_NODES_MAX:
        raise VizError(f"{what} holds {len(nodes):,} entities, more than the {VIEW_NODES_MAX:,} a focused view "
                       "draws; use a smaller --depth, --via, --since/--until or --exclude-status")
    return nodes


def focus_view(store, entity: str, depth: int = 1, **filters):
    """The ego network of one entity: everything within ``depth`` hops, either direction.

    Read from the store's indexes (:func:`kg.explore.ego_nodes`,
    :func:`kg.explore.induced_view`), so its cost follows the view, not the
    store.

    Args:
        store: an open store.
        entity: a name, alias or IRI (resolved by :func:`kg.entities.find_entity`).
        depth: how many hops out (at least 1).
        **filters: ``relations`` and the deal filters of :func:`kg.network.entity_graph`.

    Returns:
        A ``MultiDiGraph`` with the entity as ``G.graph["focus"]``.

    Raises:
        UnknownEntityError: no such entity.
        VizError: depth < 1, or more than :data:`VIEW_NODES_MAX` entities.

    Example: ``focus_view(store, "Xiaomi", 2)``.
    """
    from kg.entities import find_entity
    from kg.explore import ego_nodes, induced_view

    if depth < 1:
        raise VizError("--depth must be at least 1")
    iri = find_entity(store, entity)
    nodes = _within_cap(ego_nodes(store, iri, depth, **filters), f"{entity} within {depth} hop(s)")
    H = induced_view(store, nodes, **filters)
    H.graph.update(title=f"kg: {H.nodes[iri].get('label') or entity} within {depth} hop(s)", focus=iri)
    return H


def path_view(store, a: str, b: str, *, max_hops: int = 4, **filters):
    """The best path between two entities, highlighted inside its neighbourhood.

    The path is the first of :func:`kg.explore.path` (shortest, best
    evidence); the view holds the path's nodes and their direct neighbours,
    all read from the store's indexes (:func:`kg.explore.induced_view`).

    Args:
        store: an open store.
        a, b: names, aliases or IRIs.
        max_hops: the longest path considered.
        **filters: ``relations`` and the deal filters of :func:`kg.network.entity_graph`.

    Returns:
        A ``MultiDiGraph`` with the path in ``G.graph["highlight"]`` (a path dict)
        and the start as ``G.graph["focus"]``.

    Raises:
        UnknownEntityError: an entity is unknown.
        NoPathError: no path within ``max_hops``.
        VizError: the path's neighbourhood holds more than :data:`VIEW_NODES_MAX` entities.

    Example: ``path_view(store, "Lei Jun", "Tesla")``.
    """
    from kg.entities import find_entity
    from kg.explore import induced_view
    from kg.explore import path as find_path
    from kg.paths import store_steps

    src, dst = find_entity(store, a), find_entity(store, b)
    relations = filters.pop("relations", None)
    path = find_path(store, src, dst, max_hops=max_hops, via=relations, **filters)["paths"][0]
    step, _ = store_steps(store, via=relations, filters=filters)
    keep = _within_cap(set(path["nodes"]) | {v for _, v in step(path["nodes"])}, "the path's neighbourhood")
    H = induced_view(store, keep, relations=relations, **filters)
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

    A SELECT without ``?subject`` and ``?object`` (such as every named query
    that lists deals or entities) draws the entities it returns, with their
    ties (:func:`entities_view`).

    Raises:
        QueryError: the query is invalid; UnknownQueryError: no such named query.
        VizError: an ASK query, or a SELECT that returns no entity.

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
            H = entities_view(store, result)
            H.graph["title"] = G.graph["title"]
            return H
        for row in result.rows:
            if row.get("subject") is not None and row.get("object") is not None:
                add(row["subject"], row.get("predicate"), row["object"])
    else:
        for t in result.triples:
            add(t.subject, t.predicate, t.object)
    _describe_nodes(store, G, labels, aliases, types)
    return G


def entities_view(store, result):
    """The entities a SELECT returns, with the edges among them.

    Every IRI in the result that is a node of :func:`kg.network.entity_graph`
    is drawn. If the result also names deals, only those deals' edges are
    kept (an ``investments`` result shows its investments, not every tie
    between the same companies); otherwise every edge among the entities is.

    Args:
        store: an open store.
        result: a SELECT :class:`kg.query.QueryResult`.

    Returns:
        A ``MultiDiGraph``.

    Raises:
        VizError: the result names no entity.
    """
    from kg.network import entity_graph

    iris = {v.value for row in result.rows for v in row.values() if type(v).__name__ == "NamedNode"}
    G = entity_graph(store)
    keep = iris & set(G)
    if not keep:
        raise VizError("this query returns no entity to draw (bind entity IRIs, or ?subject and ?object)")
    deals = {d for _u, _v, d in G.edges(data="deal") if d in iris}
    H = G.subgraph(keep).copy()
    if deals:
        H.remove_edges_from([(u, v, k) for u, v, k, d in H.edges(keys=True, data="deal") if d not in deals])
    return H


def _describe_nodes(store, G, labels: dict, aliases: dict, types: dict) -> None:
    """Fill label/type/aliases of drawn nodes, asking the store for what the result lacked."""
    import pyoxigraph as ox

    from kg.ontology import KG, RDFS, SKOS
    from kg.schema import load as load_schema

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


def communities_view(store, *, pages: str | None = None, **filters):
    """One node per community, sized by its members, with the ties between communities as weighted edges.

    Communities come from :func:`kg.layout.detect_communities`; entities tied
    to nobody are left out. A community node is named after its most
    connected member (``"Xiaomi +41"``).

    Args:
        store: an open store.
        pages: a file-name pattern with ``{n}`` (e.g. ``"out-c{n}.html"``):
            each community node links to that page of its own members.
        **filters: passed to :func:`kg.network.entity_graph`.

    Returns:
        ``(overview, members)``: the aggregated ``MultiDiGraph`` and
        ``{community number: its members' subgraph}``.
    """
    from kg.layout import detect_communities
    from kg.network import entity_graph

    G = entity_graph(store, **filters)
    community = detect_communities(G)
    groups: dict[int, list] = {}
    for n, c in community.items():
        groups.setdefault(c, []).append(n)
    groups = {c: m for c, m in groups.items() if len(m) > 1}
    overview = _community_graph(G, community, groups, pages)
    overview.graph["title"] = f"kg: {len(groups)} communities"
    members = {}
    for c, m in groups.items():
        H = G.subgraph(m).copy()
        H.graph["title"] = f"kg: community {c + 1} ({overview.nodes[_community_id(c)]['label']})"
        members[c] = H
    return overview, members


def _community_id(c: int) -> str:
    return f"urn:kg:community:{c + 1}"


def _community_graph(G, community: dict, groups: dict, pages: str | None):
    import networkx as nx

    overview = nx.MultiDiGraph()
    sizes = {}
    for c, members in sorted(groups.items()):
        central = max(members, key=lambda n: (G.degree(n), str(n)))
        label = str(G.nodes[central].get("label") or _local(str(central)))
        attrs = {"label": f"{label} +{len(members) - 1}", "type": "Community", "aliases": [label],
                 "members": len(members)}
        if pages:
            attrs["href"] = pages.format(n=c + 1)
        overview.add_node(_community_id(c), **attrs)
        sizes[_community_id(c)] = float(len(members))
    ties: dict[tuple[int, int], int] = {}
    for u, v in G.edges():
        cu, cv = community[u], community[v]
        if cu != cv and cu in groups and cv in groups:
            key = (min(cu, cv), max(cu, cv))
            ties[key] = ties.get(key, 0) + 1
    for (a, b), count in sorted(ties.items()):
        overview.add_edge(_community_id(a), _community_id(b), key="ties", relation="ties", ties=count, symmetric=True)
    overview.graph["scores"] = sizes
    return overview


def as_of_view(G, as_of: str):
    """``G`` without the edges dated after ``as_of`` (an ISO date or year); undated edges stay.

    Dates compare as ISO text, so ``2024`` is after ``2023-12-31`` and ``2024-03`` is not after ``2024-03-15``.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", date="2024-05-01"); _ = G.add_edge("a", "c", date="2019"); _ = G.add_edge("b", "c")
    >>> sorted((u, v) for u, v in as_of_view(G, "2020-01-01").edges())
    [('a', 'c'), ('b', 'c')]
    """
    cut = str(as_of)
    if not cut[:4].isdigit():
        raise VizError(f"--as-of {as_of!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    late = [(u, v, k) for u, v, k, d in G.edges(keys=True, data="date") if d and str(d)[:len(cut)] > cut]
    H = G.copy()
    H.remove_edges_from(late)
    H.graph["title"] = f"{G.graph.get('title') or 'kg graph'} as of {cut}"
    return H


# ---------------------------------------------------------------------------
# The standard views of ``kg build``
# ---------------------------------------------------------------------------


def load_view_specs(graphs_dir) -> list[dict] | None:
    """The views listed in ``graphs_dir/views.yaml``, or ``None`` when there is no such file.

    Raises:
        VizError: the file is not YAML or an entry is malformed (names the file and entry).
    """
    import yaml

    path = Path(graphs_dir) / "views.yaml"
    if not path.is_file():
        return None
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise VizError(f"{path}{f':{line + 1}' if line is not None else ''}: not valid YAML: {exc}") from None
    return parse_views(doc, str(path))


def parse_views(doc, where: str) -> list[dict]:
    """Check a ``views.yaml`` document: ``{"views": [{"file", "view", ...}, ...]}``.

    Each entry has ``file`` (an ``.html`` name, no folders) and ``view``, one
    of :data:`VIEW_KINDS`, with that kind's keys (``focus``: ``entity`` and
    optional ``depth``; ``path``: ``from`` and ``to``); ``title`` is optional.

    Raises:
        VizError: ``where``, the entry number and what is wrong.
    """
    entries = doc.get("views") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise VizError(f"{where}: expected a 'views:' list of entries")
    out = []
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict):
            raise VizError(f"{where}: view {i}: expected a mapping with 'file' and 'view'")
        file, kind = str(e.get("file") or ""), e.get("view")
        if not file.endswith(".html") or "/" in file or "\\" in file or file.startswith("."):
            raise VizError(f"{where}: view {i}: 'file' must be a plain .html file name, not {file!r}")
        if kind not in VIEW_KINDS:
            raise VizError(f"{where}: view {i} ({file}): 'view' must be one of {', '.join(VIEW_KINDS)}, not {kind!r}")
        missing = [k for k in VIEW_KINDS[kind] if not e.get(k)]
        if missing:
            raise VizError(f"{where}: view {i} ({file}): a {kind} view needs {' and '.join(missing)}")
        out.append({k: e[k] for k in ("file", "view", "entity", "depth", "from", "to", "title") if k in e})
    return out


def view_names(specs: list[dict]) -> list[str]:
    """The entity names the specs refer to (to check them before a build writes the store).

    >>> view_names([{"view": "path", "from": "A", "to": "B"}, {"view": "focus", "entity": "C"}])
    ['A', 'B', 'C']
    """
    return [str(s[k]) for s in specs for k in ("entity", "from", "to") if s.get(k)]


def data_views(store) -> list[dict]:
    """Standard views chosen from the data: the whole graph, the most central
    entity's neighbourhood, and the best path between the two most central entities.

    Centrality is degree in the entity view; ties go to the smaller IRI. The
    path view is left out when the two are not connected within 4 hops.
    """
    from kg.drawing.page import node_scores
    from kg.network import entity_graph
    from kg.paths import find_paths

    G = entity_graph(store)
    specs = [{"file": "kg.html", "view": "whole"}]
    scores = node_scores(G, "degree")
    top = sorted((n for n in G if G.degree(n)), key=lambda n: (-scores.get(n, 0.0), str(n)))[:2]
    if top:
        specs.append({"file": _slug(G, top[0], "central") + ".html", "view": "focus", "entity": top[0], "depth": 1})
    if len(top) == 2:
        try:
            find_paths(G, top[0], top[1], max_hops=4)
        except NoPathError:
            return specs
        name = f"{_slug(G, top[0], 'a')}-{_slug(G, top[1], 'b')}.html"
        specs.append({"file": name, "view": "path", "from": top[0], "to": top[1]})
    return specs


def _slug(G, node, fallback: str) -> str:
    import re

    slug = re.sub(r"[^a-z0-9]+", "-", str(G.nodes[node].get("label") or "").lower()).strip("-")
    return slug[:40] or fallback


def spec_graph(store, spec: dict):
    """The graph one standard-view entry draws."""
    kind = spec["view"]
    if kind == "focus":
        G = focus_view(store, str(spec["entity"]), int(spec.get("depth") or 1))
    elif kind == "path":
        G = path_view(store, str(spec["from"]), str(spec["to"]))
    elif kind == "communities":
        G = communities_view(store)[0]
    else:
        G = whole_view(store)
    if spec.get("title"):
        G.graph["title"] = str(spec["title"])
    return G


def write_standard_views(store, out_dir, specs: list[dict] | None = None) -> list[Path]:
    """Write the standard views into ``out_dir`` (``graphs/``).

    Args:
        store: an open store.
        out_dir: the folder to write into.
        specs: the views; default ``out_dir/views.yaml`` (:func:`load_view_specs`),
            else :func:`data_views`.

    Returns:
        The paths written, in the order of the specs.

    Raises:
        UnknownEntityError, NoPathError: a configured entity is unknown or a path is missing.
        VizError: ``views.yaml`` is malformed, or a view is too large.
    """
    out = Path(out_dir)
    if specs is None:
        specs = load_view_specs(out)
    if specs is None:
        specs = data_views(store)
    return [write_html(spec_graph(store, spec), out / spec["file"]) for spec in specs]


def write_view(store, out, *, focus: str | None = None, depth: int = 1, path: tuple[str, str] | None = None,
               sparql: str | None = None, name: str | None = None, params: dict | None = None,
               communities: bool = False, as_of: str | None = None, size_by: str = "degree",
               renderer: str = "auto", title: str | None = None, **filters) -> dict:
    """Build one view of the store and write it: the library call behind ``kg viz``.

    At most one of ``focus``, ``path``, ``sparql``/``name`` and ``communities``
    may be given; none draws the whole graph. With ``communities``, each
    community also gets its own page beside ``out`` (``<stem>-c<N>.html``),
    opened by clicking its node.

    Args:
        store: an open store.
        out: the HTML file to write.
        focus, depth: an ego network (:func:`focus_view`).
        path: ``(A, B)`` for :func:`path_view`.
        sparql, name: a query (or a named query) for :func:`sparql_view`, with ``params``.
        communities: the aggregated view (:func:`communities_view`).
        as_of: leave out facts dated after this ISO date or year (:func:`as_of_view`).
        size_by: the centrality that sizes nodes.
        renderer: ``auto``, ``vis``, ``canvas`` or ``sigma`` (:func:`kg.drawing.page.choose_renderer`).
        title: overrides the view's title.
        **filters: passed to :func:`kg.network.entity_graph` (not for sparql).

    Returns:
        ``{"file", "view", "nodes", "edges", "renderer", "pages"}``.

    Raises:
        VizError: more than one view asked for, or the graph is too large.
    """
    from kg.drawing.page import choose_renderer

    chosen = [k for k, v in (("--focus", focus), ("--path", path), ("--sparql", sparql), ("--name", name),
                             ("--communities", communities)) if v]
    if len(chosen) > 1:
        raise VizError(f"choose one of --focus, --path, --sparql, --name and --communities, not {' and '.join(chosen)}")
    out = Path(out)
    extra: dict = {}
    if as_of and not (sparql or name):
        from kg.explore import as_of_year

        # The projection leaves out roles that had ended by then; as_of_view
        # below cuts what is dated later, to the day.
        filters["as_of"] = as_of_year(as_of)
    if focus:
        G, view = focus_view(store, focus, depth, **filters), "focus"
    elif path:
        G, view = path_view(store, path[0], path[1], **filters), "path"
    elif sparql or name:
        G, view = sparql_view(store, sparql, params, name=name), "sparql"
    elif communities:
        G, extra = communities_view(store, pages=out.stem + "-c{n}.html", **filters)
        view = "communities"
    else:
        G, view = whole_view(store, **filters), "whole"
    if as_of:
        G = as_of_view(G, as_of)
    check_size(G)
    file = write_html(G, out, title=title, size_by=size_by, renderer=renderer)
    pages = [str(write_html(H, out.with_name(f"{out.stem}-c{c + 1}.html"), size_by=size_by)) for c, H in extra.items()]
    return {"file": str(file), "view": view, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "renderer": choose_renderer(G, renderer), "pages": len(pages)}
