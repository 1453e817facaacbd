"""The entity view in compact form: nodes and fact edges as NumPy arrays, for the measures.

The measures of :mod:`kg.analytics` read only who is tied to whom, how
often, with how much money, and whether a relation holds both ways. A
NetworkX multigraph of a million facts costs tens of seconds and gigabytes to
build in Python; the same facts as integer arrays cost a fraction of a second
to read from the projection snapshot (:func:`kg.snapshot.ties`) and to
collapse. :class:`Ties` is that form; :func:`from_graph` makes it from any
NetworkX graph, so the public functions still take ``G``.

>>> import networkx as nx
>>> t = from_graph(nx.MultiDiGraph([("a", "b"), ("a", "b"), ("b", "c")]))
>>> a, b, amount, count = collapse(t)
>>> [(t.nodes[i], t.nodes[j], int(c)) for i, j, c in zip(a, b, count)]
[('a', 'b', 2), ('b', 'c', 1)]
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Ties:
    """Nodes and fact edges of an entity view.

    Attributes:
        nodes: node ids (IRIs) in the view's order; index ``i`` is node ``nodes[i]``.
        labels: each node's label, or None.
        types: each node's type (``"Company"`` …), or None.
        u, v: ``int64`` arrays, the two ends of each fact edge (node indexes).
        amount: ``float64`` array, each edge's amount (0 where none is known).
        symmetric: ``bool`` array, whether the relation holds both ways.
        relation, status: ``int64`` arrays of codes into ``words`` (-1: none).
        words: the relation and status names the codes stand for.
    """

    nodes: list
    labels: list
    types: list
    u: object
    v: object
    amount: object
    symmetric: object
    relation: object
    status: object
    words: list


def from_graph(G) -> Ties:
    """The compact form of a NetworkX graph (any kind; edges may carry ``amount``, ``symmetric``, ``relation``, ``status``).

    >>> import networkx as nx
    >>> t = from_graph(nx.Graph([("x", "y", {"relation": "metWith", "amount": 5.0})]))
    >>> t.nodes, t.words, float(t.amount[0])
    (['x', 'y'], ['metWith'], 5.0)
    """
    import numpy as np

    nodes = list(G)
    pos = {n: i for i, n in enumerate(nodes)}
    data = [G.nodes[n] for n in nodes]
    codes: dict = {}

    def code(word) -> int:
        return -1 if word is None else codes.setdefault(word, len(codes))

    edges = G.edges(keys=True, data=True) if G.is_multigraph() else G.edges(data=True)
    u, v, amount, sym, rel, st = [], [], [], [], [], []
    for e in edges:
        d = e[-1]
        u.append(pos[e[0]])
        v.append(pos[e[1]])
        amount.append(d.get("amount") or 0.0)
        sym.append(bool(d.get("symmetric")))
        rel.append(code(d.get("relation")))
        st.append(code(d.get("status")))
    ints = {"dtype": np.int64}
    return Ties(nodes, [d.get("label") for d in data], [d.get("type") for d in data],
                np.asarray(u, **ints), np.asarray(v, **ints), np.asarray(amount, dtype=float),
                np.asarray(sym, dtype=bool), np.asarray(rel, **ints), np.asarray(st, **ints), list(codes))


def collapse(t: Ties, *, directed: bool = False):
    """Parallel fact edges merged into one tie per pair of nodes; loops dropped.

    Args:
        t: the ties.
        directed: keep direction (a symmetric edge gives both arcs); otherwise
            each tie is ``(a, b)`` with ``a < b``.

    Returns:
        ``(a, b, amount, count)``: arrays sorted by ``(a, b)``, with the summed
        amount and the number of fact edges of each tie.
    """
    import numpy as np

    keep = t.u != t.v
    a, b, amount = t.u[keep], t.v[keep], t.amount[keep]
    if directed:
        both = t.symmetric[keep]
        a, b, amount = (np.concatenate([a, b[both]]), np.concatenate([b, a[both]]),
                        np.concatenate([amount, amount[both]]))
    else:
        a, b = np.minimum(a, b), np.maximum(a, b)
    n = max(len(t.nodes), 1)
    keys, inverse = np.unique(a * n + b, return_inverse=True)
    count = np.bincount(inverse, minlength=len(keys))
    totals = np.bincount(inverse, weights=amount, minlength=len(keys))
    return keys // n, keys % n, totals, count


def degrees(n: int, a, b, w=None):
    """Each node's number of ties (or the sum of their weights ``w``), from undirected ties ``a``–``b``.

    >>> import numpy as np
    >>> degrees(3, np.array([0, 0]), np.array([1, 2])).tolist()
    [2, 1, 1]
    """
    import numpy as np

    return np.bincount(a, weights=w, minlength=n) + np.bincount(b, weights=w, minlength=n)


def reorder(t: Ties, order) -> Ties:
    """The ties with only the nodes in ``order`` (a list of current indexes), in that order.

    Every edge's ends must be among them.
    """
    import numpy as np

    new = np.full(len(t.nodes), -1, dtype=np.int64)
    new[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
    return Ties([t.nodes[i] for i in order], [t.labels[i] for i in order], [t.types[i] for i in order],
                new[t.u], new[t.v], t.amount, t.symmetric, t.relation, t.status, t.words)


def subset(t: Ties, *, relations=None, types=None) -> Ties:
    """The ties of some relations between nodes of some types, as the entity view's filters keep them.

    With ``relations``, only the nodes of the kept edges remain, ordered by id;
    with ``types``, the nodes of other types go, with their edges.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("b", "c", {"relation": "metWith"}), ("a", "b", {"relation": "ceoOf"})])
    >>> subset(from_graph(G), relations=["metWith"]).nodes
    ['b', 'c']
    """
    import numpy as np

    if relations is not None:
        codes = [i for i, w in enumerate(t.words) if w in set(relations)]
        mask = np.isin(t.relation, codes)
        t = _edges(t, mask)
        used = np.unique(np.concatenate([t.u, t.v]))
        t = reorder(t, sorted(used.tolist(), key=lambda i: t.nodes[i]))
    if types is not None:
        keep = [i for i, typ in enumerate(t.types) if typ in types]
        flags = np.zeros(len(t.nodes), dtype=bool)
        flags[keep] = True
        t = reorder(_edges(t, flags[t.u] & flags[t.v]), keep)
    return t


def _edges(t: Ties, mask) -> Ties:
    return Ties(t.nodes, t.labels, t.types, t.u[mask], t.v[mask], t.amount[mask], t.symmetric[mask],
                t.relation[mask], t.status[mask], t.words)


def label(t: Ties, i: int) -> str:
    """Node ``i``'s label, or its id when it has none."""
    return t.labels[i] or str(t.nodes[i])
