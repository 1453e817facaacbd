"""Incremental derivation by deal on the embedded store: what a change to some deals adds to and takes from the derived graph.

Every derived edge and ``kg:involvedIn`` comes from one deal's own statements
(:class:`kg.rules.Deriver`), every ``kg:nameKey`` from one node's labels, and
every conflict flag from one deal's statements in two or more sources. So an
ingest re-derives exactly the deals and labelled nodes among the subjects of
the graphs it adds or replaces:

1. **Take away** what the store derived from each changed deal before the
   change: its ``kg:involvedIn`` and flags, and each of its edges that no
   unchanged deal still supports (looked up among the deals of the less
   connected end of the edge, so a hub costs nothing).
2. **Add** what the deal's statements derive now, and the flags of the deals
   that two or more sources state.
3. **Rename**: recompute the ``kg:nameKey`` of the labelled nodes.

The cost follows the changed deals (and the degree of the less connected end
of a removed edge), never the size of the store. Tests check the result
against a full rebuild (:func:`kg.rules.derive`).

>>> from kg.stores import open_store
>>> old, new = open_store("memory:"), open_store("memory:")
>>> text = 'GRAPH <urn:s> { deal:d a kg:Investment ; kg:investor company:a ; kg:investee company:b }'
>>> new.update("INSERT DATA { " + text + " }")
>>> deals, labelled = changed_subjects(new, ["urn:s"])
>>> rederive(old, new, deals, labelled)     # statements the derived graph gained
3
>>> sorted(r["p"].value.rsplit("#")[1] for r in new.query("SELECT ?p WHERE { GRAPH graph:derived { ?s ?p ?o } }"))
['investedIn', 'involvedIn', 'involvedIn']
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Deals handled per step: each step's derived quads are held in memory at once.
CHUNK = 20_000


@dataclass
class DealState:
    """What one deal says across the store's source graphs (the derived graph excluded)."""

    classes: set = field(default_factory=set)
    concepts: set = field(default_factory=set)
    statuses: set = field(default_factory=set)
    roles: dict = field(default_factory=dict)
    graphs: set = field(default_factory=set)


def changed_subjects(store, graphs, subjects: set | None = None) -> tuple[set[str], set[str]]:
    """The deals and the labelled nodes among the subjects of ``graphs`` in ``store``.

    A deal is a subject typed with a deal class in any graph; a labelled node
    has an ``rdfs:label`` or ``skos:altLabel`` in one of ``graphs``. Read by
    index lookups: the cost follows the graphs, never the store.

    Args:
        store: an embedded store from :func:`kg.stores.open_store`.
        graphs: graph IRIs (those not in the store are skipped).
        subjects: if given, gets every IRI subject of the graphs (the totals
            tally them, :mod:`kg.totals`), so the graphs are read once.

    Returns:
        ``(deals, labelled)``, sets of IRI strings.
    """
    import pyoxigraph as ox

    from kg.rules import LABEL_PROPERTIES
    from kg.schema import KG, RDF, load

    raw, labels = store.raw, {ox.NamedNode(p) for p in LABEL_PROPERTIES}
    classes = {ox.NamedNode(KG + c) for c in load().deal_class_names}
    found: set = set()
    labelled: set[str] = set()
    for g in sorted(set(graphs)):
        for q in raw.quads_for_pattern(None, None, None, ox.NamedNode(g)):
            if isinstance(q.subject, ox.NamedNode):
                found.add(q.subject)
                if q.predicate in labels:
                    labelled.add(q.subject.value)
    if subjects is not None:
        subjects.update(s.value for s in found)
    typ = ox.NamedNode(RDF + "type")
    deals = {s.value for s in found if any(q.object in classes for q in raw.quads_for_pattern(s, typ, None))}
    return deals, labelled


def has_deals(store) -> bool:
    """Whether ``store`` (embedded) holds any deal: one index lookup per deal class.

    >>> from kg.stores import open_store
    >>> has_deals(open_store("memory:"))
    False
    """
    import pyoxigraph as ox

    from kg.schema import KG, RDF, load

    typ = ox.NamedNode(RDF + "type")
    return any(next(iter(store.raw.quads_for_pattern(None, typ, ox.NamedNode(KG + c))), None) is not None
               for c in load().deal_class_names)


def deal_state(raw, deal: str, deriver) -> DealState:
    """The statements of ``deal`` in every graph of the pyoxigraph store ``raw`` but the derived one."""
    import pyoxigraph as ox

    from kg.schema import DERIVED_GRAPH, KG, RDF

    state, derived = DealState(), ox.NamedNode(DERIVED_GRAPH)
    typ, role, status = RDF + "type", KG + "role", KG + "status"
    for q in raw.quads_for_pattern(ox.NamedNode(deal), None, None):
        if q.graph_name == derived:
            continue
        state.graphs.add(q.graph_name)
        p, o = q.predicate.value, q.object
        if p == typ:
            state.classes.add(o.value)
        elif p == role:
            state.concepts.add(o.value)
        elif p == status:
            state.statuses.add(o.value)
        elif p in deriver.roles and isinstance(o, ox.NamedNode):
            state.roles.setdefault(p, set()).add(o.value)
    return state


def outputs(state: DealState, deriver) -> tuple[set, set]:
    """The edges ``(s, relation, o)`` and the agents of ``kg:involvedIn`` that ``state`` derives."""
    edges = set() if state.statuses & deriver.blocking else set(
        deriver.edges(state.classes, state.roles, state.concepts))
    return edges, set(deriver.involved(state.roles))


def supported(raw, deriver, edge: tuple, changed: set) -> bool:
    """Whether a deal outside ``changed`` derives ``edge``, looked up among the deals of its less connected end."""
    from kg.network import deals_of_less_connected

    s, _, o = edge
    for deal in deals_of_less_connected(raw, s, o):
        if deal not in changed and edge in outputs(deal_state(raw, deal, deriver), deriver)[0]:
            return True
    return False


def rederive(old, new, deals, labelled, job=None) -> int:
    """Bring the derived graph of ``new`` up to date after a change to ``deals`` and ``labelled`` nodes.

    Args:
        old: the store as it stood before the change (read only).
        new: the changed store, whose derived graph is still the old one.
        deals: the IRIs of the deals the change touches, in either version.
        labelled: the IRIs of the nodes whose labels it may change.
        job: an optional :class:`kg.progress.Stages` ticked per chunk (stage ``derive``).

    Returns:
        How many statements the derived graph gained (negative: lost), which
        keeps its count in :mod:`kg.totals` without counting it.
    """
    from kg.rules import Deriver

    deriver, deals = Deriver(), sorted(set(deals))
    changed = set(deals)
    chunks = [deals[i:i + CHUNK] for i in range(0, len(deals), CHUNK)]
    steps, net = len(chunks) * 2 + 1, 0
    for i, chunk in enumerate(chunks):
        net -= _take_away(old.raw, new.raw, deriver, chunk, changed)
        if job is not None:
            job("derive", i + 1, steps)
    for i, chunk in enumerate(chunks):
        net += _add(new, deriver, chunk)
        if job is not None:
            job("derive", len(chunks) + i + 1, steps)
    net += _rename(new.raw, sorted(set(labelled)))
    if job is not None:
        job("derive", steps, steps)
    return net


def _take_away(old_raw, raw, deriver, chunk, changed) -> int:
    """Remove from ``raw``'s derived graph what ``old_raw`` derived from the deals of ``chunk``; how many went."""
    import pyoxigraph as ox

    from kg.schema import DERIVED_GRAPH, KG

    g, involved, flag = ox.NamedNode(DERIVED_GRAPH), ox.NamedNode(KG + "involvedIn"), ox.NamedNode(KG + "conflictOn")
    gone = []
    for deal in chunk:
        before = deal_state(old_raw, deal, deriver)
        if not before.graphs:
            continue
        node = ox.NamedNode(deal)
        edges, agents = outputs(before, deriver)
        gone += [ox.Quad(ox.NamedNode(a), involved, node, g) for a in agents]
        if len(before.graphs) > 1:
            gone += list(raw.quads_for_pattern(node, flag, None, g))
        if edges:
            edges -= outputs(deal_state(raw, deal, deriver), deriver)[0]
            gone += [ox.Quad(ox.NamedNode(s), ox.NamedNode(r), ox.NamedNode(o), g)
                     for s, r, o in edges if not supported(raw, deriver, (s, r, o), changed)]
    gone = [q for q in dict.fromkeys(gone) if q in raw]
    for q in gone:
        raw.remove(q)
    return len(gone)


def _add(store, deriver, chunk) -> int:
    """Add to ``store``'s derived graph what the deals of ``chunk`` derive now, and their conflict flags; how many
    statements it gained."""
    import pyoxigraph as ox

    from kg.disagreement import flag_update
    from kg.schema import DERIVED_GRAPH, KG

    g, involved = ox.NamedNode(DERIVED_GRAPH), ox.NamedNode(KG + "involvedIn")
    quads, disputed = [], []
    for deal in chunk:
        state = deal_state(store.raw, deal, deriver)
        node = ox.NamedNode(deal)
        edges, agents = outputs(state, deriver)
        quads += [ox.Quad(ox.NamedNode(s), ox.NamedNode(r), ox.NamedNode(o), g) for s, r, o in edges]
        quads += [ox.Quad(ox.NamedNode(a), involved, node, g) for a in agents]
        if len(state.graphs) > 1:
            disputed.append(node)
    quads = [q for q in dict.fromkeys(quads) if q not in store.raw]
    store.raw.bulk_extend(quads) if len(quads) > 10_000 else store.raw.extend(quads)
    if not disputed:
        return len(quads)
    flags = _flags(store.raw, disputed, g)
    # Only a deal that two or more sources state can be in conflict.
    store.update(flag_update("VALUES ?deal { " + " ".join(map(str, disputed)) + " }"), prefixes=False)
    return len(quads) + _flags(store.raw, disputed, g) - flags


def _flags(raw, deals, g) -> int:
    """How many conflict flags ``deals`` have in the derived graph ``g``."""
    import pyoxigraph as ox

    from kg.schema import KG

    flag = ox.NamedNode(KG + "conflictOn")
    return sum(1 for d in deals for _ in raw.quads_for_pattern(d, flag, None, g))


def _rename(raw, nodes) -> int:
    """Replace the ``kg:nameKey`` of ``nodes`` by the keys of their labels now (:func:`kg.resolve.name_key`); the
    net change in statements."""
    import pyoxigraph as ox

    from kg.resolve import name_key
    from kg.rules import LABEL_PROPERTIES
    from kg.schema import DERIVED_GRAPH, KG, ONTOLOGY_GRAPH

    g, key = ox.NamedNode(DERIVED_GRAPH), ox.NamedNode(KG + "nameKey")
    skip = {ox.NamedNode(DERIVED_GRAPH), ox.NamedNode(ONTOLOGY_GRAPH)}
    net = 0
    for i in range(0, len(nodes), CHUNK):
        old, new = [], {}
        for n in nodes[i:i + CHUNK]:
            node = ox.NamedNode(n)
            old += raw.quads_for_pattern(node, key, None, g)
            for prop in LABEL_PROPERTIES:
                for q in raw.quads_for_pattern(node, ox.NamedNode(prop), None):
                    if q.graph_name not in skip and isinstance(q.object, ox.Literal):
                        new[ox.Quad(node, key, ox.Literal(name_key(q.object.value)), g)] = None
        for q in old:
            raw.remove(q)
        raw.extend(list(new))
        net += len(new) - len(old)
    return net
