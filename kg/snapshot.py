"""A projection snapshot: the entity view saved beside the store, once per store version.

Projecting the store (:func:`kg.network.entity_graph`) reads every deal; the
analytics commands (``centrality``, ``communities``, ``stats``, ``viz``) need
the same view again and again. The snapshot keeps it on disk in a compact
form: a NumPy ``.npz`` of integer columns (one row per node and per edge) and
one table of the distinct strings, UTF-8 bytes with offsets (no pickle). The
first command writes it straight from the projection's stream of edges
(:func:`build`), without a NetworkX graph; a later command reads the columns it
needs (:func:`ties`), or rebuilds the same ``networkx.MultiDiGraph`` from them
(:func:`read`), without touching the store's deals.

**Versions.** Every write to the store runs :func:`bump_version_update` in its
own transaction, which counts ``kg:version`` up in the store's meta graph and
gives the store a random ``kg:storeId`` the first time. The snapshot records
the ``storeId/version`` it was built from; a snapshot whose key differs from
the store's (stale), or that cannot be read back whole (corrupt), is rebuilt,
never used. A store with no version yet (written by an older kg) is projected
every time, as before.

**Where.** Beside an on-disk store: ``<store>.snapshot.npz``. Memory stores
and remote stores (``--store http://…``) have no snapshot: they are projected
every time.

>>> from kg.stores import open_store
>>> store = open_store("memory:")
>>> version(store) is None
True
>>> store.update(bump_version_update())
>>> version(store).endswith("/1")
True
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.ontology import KG
from kg.schema import META_GRAPH

#: Bumped when the layout of the file changes, so an old file is rebuilt.
#: 2: no ``edge_key`` column (an edge's key is ``f"{deal}|{relation}"``, see :func:`_key`); 32-bit codes.
FORMAT = 2
_EDGE_TEXT = ("relation", "deal", "deal_type", "date", "status", "currency", "quote", "source", "source_label")
_EDGE_NUM = ("year", "amount", "confidence")
_EDGE_BOOL = ("approximate", "symmetric")
#: The order of an edge's attributes in :func:`kg.network.entity_graph`.
_EDGE_ORDER = ("relation", "deal", "deal_type", "date", "year", "status", "amount", "currency", "approximate",
               "quote", "source", "source_label", "confidence", "symmetric")


def bump_version_update() -> str:
    """SPARQL Update text that counts the store's version up by one (append it to every write).

    Run in the same transaction as the write, so a failed write leaves the
    version as it was. The first bump also names the store with a random
    ``kg:storeId``, so two stores never share a version key.

    >>> "kg:version" in bump_version_update() or "version>" in bump_version_update()
    True
    """
    meta, ver, sid = f"<{META_GRAPH}>", f"<{KG}version>", f"<{KG}storeId>"
    # Two steps, since Virtuoso 7.2 inserts nothing from a row where the
    # version is unbound (COALESCE, IF or MAX(COALESCE(…)) alike), though the
    # same WHERE selects the row: count up an existing version (all of them,
    # to one past the largest), then write 1 where there is none.
    return (f"DELETE {{ GRAPH {meta} {{ {meta} {ver} ?old }} }} "
            f"INSERT {{ GRAPH {meta} {{ {meta} {ver} ?new }} }} "
            f"WHERE {{ {{ SELECT (MAX(?v) AS ?max) WHERE {{ GRAPH {meta} {{ {meta} {ver} ?v }} }} }} "
            f"GRAPH {meta} {{ {meta} {ver} ?old }} BIND(?max + 1 AS ?new) }} ;\n"
            f"INSERT {{ GRAPH {meta} {{ {meta} {ver} 1 }} }} "
            f"WHERE {{ {{ SELECT (COUNT(?v) AS ?n) WHERE {{ OPTIONAL {{ GRAPH {meta} {{ {meta} {ver} ?v }} }} }} }} "
            f"FILTER(?n = 0) }} ;\n"
            f"INSERT {{ GRAPH {meta} {{ {meta} {sid} ?id }} }} "
            f"WHERE {{ {{ SELECT (COUNT(?any) AS ?n) WHERE {{ OPTIONAL {{ GRAPH {meta} {{ {meta} {sid} ?any }} }} }} }} "
            f"FILTER(?n = 0) BIND(STRUUID() AS ?id) }}")


def version(store) -> str | None:
    """The store's version key, ``"<storeId>/<version>"``, or None when it has never been bumped."""
    rows = list(store.query(
        f"SELECT ?id ?v WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{KG}version> ?v . "
        f"OPTIONAL {{ <{META_GRAPH}> <{KG}storeId> ?id }} }} }}"))
    if len(rows) != 1:
        return None
    sid = rows[0]["id"].value if rows[0]["id"] is not None else ""
    return f"{sid}/{rows[0]['v'].value}"


def snapshot_path(store) -> Path | None:
    """Where the snapshot of ``store`` lives, or None (memory and remote stores have none)."""
    location = str(getattr(store, "location", ""))
    if not location or location == "memory:" or "://" in location:
        return None
    p = Path(location)
    return p.with_name(p.name + ".snapshot.npz")


#: The edge attributes the analytics read (:mod:`kg.analytics`): ``attrs=ANALYTICS`` rebuilds only these.
ANALYTICS = ("relation", "status", "amount", "symmetric")


def entity_graph(store, *, relations=None, types=None, exclude_status=None, since=None, until=None,
                 include_declined: bool = False, as_of: int | None = None, attrs=None):
    """:func:`kg.network.entity_graph`, read from the snapshot when it is current.

    Filters on relations and entity types are applied to the snapshot (the
    result is the graph the projection gives). Deal filters (statuses, a time
    window, declined deals) change which facts an edge carries, so they are
    projected from the store.

    Args and returns: as for :func:`kg.network.entity_graph`; ``attrs`` names the only edge
    attributes to rebuild from the snapshot (say :data:`ANALYTICS`), which saves time and memory
    on a big graph. A projection from the store has them all.
    """
    from kg import network

    if _deal_filtered(exclude_status, since, until, include_declined, as_of):
        return network.entity_graph(store, relations=relations, types=types, exclude_status=exclude_status,
                                    since=since, until=until, include_declined=include_declined, as_of=as_of)
    G = load_or_build(store, attrs)
    return _filtered(G, network._check_relations(relations), network._check_types(types))


def ties(store, *, relations=None, types=None, exclude_status=None, since=None, until=None,
         include_declined: bool = False, as_of: int | None = None):
    """The entity view as :class:`kg.ties.Ties`, read straight from the snapshot's arrays when it is current.

    No NetworkX graph is built on that path, which is what makes a second
    analytics command on a big store cheap. Deal filters, stores without a
    snapshot, and a snapshot that cannot be read fall back to the projection.

    Args and errors: as for :func:`entity_graph`.

    Returns:
        A :class:`kg.ties.Ties` of the same nodes and edges as :func:`entity_graph` gives.
    """
    from kg import network
    from kg.ties import from_graph, subset

    if _deal_filtered(exclude_status, since, until, include_declined, as_of):
        return from_graph(entity_graph(store, relations=relations, types=types, exclude_status=exclude_status,
                                       since=since, until=until, include_declined=include_declined, as_of=as_of,
                                       attrs=ANALYTICS))
    rels, keep = network._check_relations(relations), network._check_types(types)
    path = snapshot_path(store)
    key = version(store) if path is not None else None
    t = None if key is None else read_ties(path, key)
    if t is None and key is not None:
        build(store, path, key)
        t = read_ties(path, key)
    if t is None:
        return from_graph(entity_graph(store, relations=relations, types=types, attrs=ANALYTICS))
    return subset(t, relations=rels, types=keep)


def read_ties(path: Path, key: str):
    """The :class:`kg.ties.Ties` saved at ``path`` if built from version ``key``; None if stale, absent or corrupt."""
    try:
        cols = _saved(path, key, lambda name: name in _TIES_COLUMNS)
        return None if cols is None else _ties_of(cols)
    except _unreadable():
        return None


_TIES_COLUMNS = ("strings", "offsets", "node_iri", "node_label", "node_type", "edge_u", "edge_v", "edge_amount",
                 "edge_symmetric", "edge_relation", "edge_status")


def _ties_of(cols: dict):
    import numpy as np

    from kg.ties import Ties

    raw, off = cols["strings"].tobytes(), cols["offsets"].tolist()
    # Decode only the strings the ties name (not the deals, quotes and sources).
    words, codes = np.unique(np.concatenate([cols["edge_relation"], cols["edge_status"]]), return_inverse=True)
    names = _texts(raw, off, words)
    # The code of "none" stays -1.
    shift = 1 if names and names[0] is None else 0
    codes = codes.astype(np.int64) - shift
    n = len(cols["edge_relation"])
    types, which = np.unique(cols["node_type"], return_inverse=True)
    type_names = _texts(raw, off, types)
    return Ties(_texts(raw, off, cols["node_iri"]), _texts(raw, off, cols["node_label"]),
                [type_names[i] for i in which.tolist()],
                cols["edge_u"].astype(np.int64), cols["edge_v"].astype(np.int64),
                np.nan_to_num(cols["edge_amount"], nan=0.0), cols["edge_symmetric"].astype(bool),
                codes[:n], codes[n:], names[shift:])


def _saved(path: Path, key: str, keep) -> dict | None:
    """The columns of the snapshot at ``path`` that ``keep(name)`` selects, or None if not built from version ``key``.

    Raises the errors of a damaged file (:func:`_unreadable`).
    """
    import numpy as np

    with np.load(path, allow_pickle=False) as z:
        if bytes(z["meta"]).decode() != f"{FORMAT}\n{key}":
            return None
        return {k: z[k] for k in z.files if keep(k)}


def _unreadable() -> tuple:
    """What reading a missing, truncated or foreign snapshot file raises."""
    import zipfile

    return OSError, ValueError, KeyError, IndexError, UnicodeDecodeError, EOFError, zipfile.BadZipFile


def _deal_filtered(exclude_status, since, until, include_declined, as_of) -> bool:
    """Whether a filter changes which facts an edge carries (the snapshot has every fact, so the store is read)."""
    return bool(exclude_status) or since is not None or until is not None or include_declined or as_of is not None


def _texts(raw: bytes, offsets: list, col) -> list:
    """The strings of the table ``raw`` (``offsets`` a list) that the codes ``col`` name; -1 is None."""
    return [None if i < 0 else raw[offsets[i]:offsets[i + 1]].decode("utf-8") for i in col.tolist()]


def load_or_build(store, attrs=None):
    """The unfiltered entity view: from the snapshot if it matches the store's version, else projected (and saved).

    ``attrs``: the only edge attributes to read back from the snapshot (default: all).
    """
    from kg.network import entity_graph as project

    path, key = snapshot_path(store), None
    if path is not None:
        key = version(store)
    if key is None:
        return project(store)
    G = read(path, key, attrs)
    if G is None:
        build(store, path, key)
        G = read(path, key, attrs)
    return G


def build(store, path: Path, key: str) -> None:
    """Project ``store`` straight into a snapshot at ``path`` for version ``key``, without a NetworkX graph.

    The edges are encoded as the projection joins them (:func:`kg.network.entity_edges`), so the
    peak is the gathered facts plus a few integer columns, not a multigraph of dicts.
    """
    from kg.network import entity_edges

    cols = _Columns()
    nodes = entity_edges(store, cols.add)
    cols.save(nodes, path, key)


def _filtered(G, rels, keep_types):
    if rels is not None:
        import networkx as nx

        H = nx.MultiDiGraph()
        for u, v, k, d in G.edges(keys=True, data=True):
            if d["relation"] in rels:
                H.add_edge(u, v, key=k, **d)
        for n in H:
            H.nodes[n].update(G.nodes[n])
        from kg.network import _sort_in_place

        _sort_in_place(H)
        G = H
    if keep_types is not None:
        G.remove_nodes_from([n for n, a in G.nodes(data=True) if a["type"] not in keep_types])
    return G


class _Strings:
    """Dictionary encoding of strings: each distinct string (or None) gets an index; -1 is None."""

    def __init__(self):
        self.index: dict[str, int] = {}
        self.values: list[str] = []

    def __call__(self, value) -> int:
        if value is None:
            return -1
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.values)
            self.values.append(value)
        return i

    def fresh(self, value: str) -> int:
        """An index for a string known to be new (a deal's IRI), kept out of the dictionary to save memory."""
        self.values.append(value)
        return len(self.values) - 1

    def arrays(self):
        """The table as ``(UTF-8 bytes, offsets)``: string ``i`` is ``bytes[offsets[i]:offsets[i + 1]]``."""
        import numpy as np

        text = "".join(self.values)
        data = text.encode("utf-8")
        sizes = map(len, self.values) if text.isascii() else (len(v.encode("utf-8")) for v in self.values)
        offsets = np.zeros(len(self.values) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.fromiter(sizes, dtype=np.int64, count=len(self.values)))
        return np.frombuffer(data, dtype=np.uint8), offsets


def _key(deal: str | None, relation: str) -> str:
    """An edge's key in the entity view (:func:`kg.network.entity_graph`), from its deal and relation.

    >>> _key("urn:d", "investedIn"), _key(None, "industry")
    ('urn:d|investedIn', '|industry')
    """
    return f"{deal or ''}|{relation}"


class _Columns:
    """The snapshot's columns, filled one edge at a time (:meth:`add`) and saved sorted (:meth:`save`)."""

    def __init__(self):
        from array import array

        self.strings = _Strings()
        self.ends: tuple[list, list] = ([], [])
        self.deals = array("i")
        self.codes = {a: array("i") for a in _EDGE_TEXT if a != "deal"}
        self.nums = {a: array("d") for a in _EDGE_NUM}
        self.flags = {a: array("b") for a in _EDGE_BOOL}
        self._deal: tuple[str | None, int] = (None, -1)
        # (attribute, the append of its column): the hot loop of add() calls no method of self.
        self._fill = ([(a, c.append) for a, c in self.codes.items()], [(a, c.append) for a, c in self.nums.items()],
                      [(a, c.append) for a, c in self.flags.items()])

    def add(self, u: str, v: str, key: str, d: dict) -> None:
        """One edge of the entity view, with the key and attributes :func:`kg.network.entity_graph` gives it."""
        deal = d.get("deal")
        if key != _key(deal, d["relation"]):
            raise ValueError(f"edge key {key!r} is not its deal and relation")
        self.ends[0].append(u)
        self.ends[1].append(v)
        s = self.strings
        # A deal's edges come one after the other: its IRI is stored once, without a dictionary entry.
        if deal is not None and deal is not self._deal[0]:
            self._deal = (deal, s.fresh(deal))
        self.deals.append(-1 if deal is None else self._deal[1])
        texts, nums, flags = self._fill
        index = s.index
        for a, append in texts:
            x = d.get(a)
            i = -1 if x is None else index.get(x)
            append(s(x) if i is None else i)
        for a, append in nums:
            x = d.get(a)
            append(_NAN if x is None else x)
        for a, append in flags:
            append(bool(d.get(a)))

    def save(self, nodes: dict, path: Path, key: str) -> None:
        """Write the columns with ``nodes`` (``{iri: (label, type, aliases)}``), in the view's order, atomically."""
        import numpy as np

        s = self.strings
        names = sorted(nodes)
        arrays = {"node_iri": [s(n) for n in names], "node_label": [s(nodes[n][0]) for n in names],
                  "node_type": [s(nodes[n][1]) for n in names],
                  "node_aliases": [s("\x1f".join(nodes[n][2])) for n in names]}
        arrays = {k: np.asarray(v, dtype=np.int32) for k, v in arrays.items()}
        order = self._edge_order({n: i for i, n in enumerate(names)}, arrays)
        for a, col in (("deal", self.deals), *self.codes.items()):
            arrays["edge_" + a] = np.frombuffer(col, dtype=np.int32)[order]
        for a, col in self.nums.items():
            arrays["edge_" + a] = np.frombuffer(col, dtype=np.float64)[order]
        for a, col in self.flags.items():
            arrays["edge_" + a] = np.frombuffer(col, dtype=np.int8)[order].astype(bool)
        arrays["strings"], arrays["offsets"] = s.arrays()
        arrays["meta"] = np.frombuffer(f"{FORMAT}\n{key}".encode(), dtype=np.uint8)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)

    def _edge_order(self, pos: dict, arrays: dict):
        """The edges' order in the view (by tail, head, key), each key once (the last edge given wins).

        Sets ``edge_u`` and ``edge_v`` in ``arrays``; returns the index of each kept edge.
        """
        import numpy as np

        n = len(self.ends[0])
        u, v = (np.fromiter((pos[x] for x in end), dtype=np.int32, count=n) for end in self.ends)
        self.ends = ([], [])
        table, deals = self.strings.values, np.frombuffer(self.deals, dtype=np.int32).tolist()
        rels = np.frombuffer(self.codes["relation"], dtype=np.int32).tolist()
        keys = [_key(None if d < 0 else table[d], table[r]) for d, r in zip(deals, rels, strict=True)]
        del deals, rels
        by_key = sorted(range(n), key=keys.__getitem__)
        # Equal keys share a rank, so an edge given twice is found below.
        step = np.fromiter((keys[a] != keys[b] for a, b in zip(by_key, by_key[1:], strict=False)),
                           dtype=np.int64, count=max(n - 1, 0))
        del keys
        rank = np.empty(n, dtype=np.int64)
        rank[by_key] = np.concatenate([[0], np.cumsum(step)]) if n else []
        del by_key, step
        order = np.lexsort((rank, v, u))  # stable: among equal keys the last given is last
        u, v, rank = u[order], v[order], rank[order]
        last = np.ones(n, dtype=bool)
        last[:-1] = (u[1:] != u[:-1]) | (v[1:] != v[:-1]) | (rank[1:] != rank[:-1])
        arrays["edge_u"], arrays["edge_v"] = u[last], v[last]
        return order[last]


_NAN = float("nan")


def write(G, path: Path, key: str) -> None:
    """Save an entity view (a graph shaped like :func:`kg.network.entity_graph`'s), atomically.

    A reader sees the old file or the new one, whole.
    """
    cols = _Columns()
    for u, v, k, d in G.edges(keys=True, data=True):
        cols.add(u, v, k, d)
    cols.save({n: (a.get("label"), a.get("type"), a.get("aliases", [])) for n, a in G.nodes(data=True)}, path, key)


def read(path: Path, key: str, attrs=None):
    """The entity view saved at ``path`` if it was built from version ``key``; None if stale, absent or corrupt.

    ``attrs``: the only edge attributes to rebuild (default: all).
    """
    names = [a for a in _EDGE_ORDER if attrs is None or a in attrs]
    try:
        data = _saved(path, key, lambda k: not k.startswith("edge_") or k[5:] in names or k[5:] in _EDGE_IDS)
        return None if data is None else _rebuild(data, names)
    except _unreadable():
        return None


#: The columns an edge is read back by, whatever attributes are asked for (the key is made of the last two).
_EDGE_IDS = ("u", "v", "deal", "relation")


def _rebuild(z: dict, names: list[str]):
    import math

    import networkx as nx
    import numpy as np

    raw, off = z["strings"].tobytes(), z["offsets"].tolist()
    table = _texts(raw, off, np.arange(len(off) - 1))

    def text(col):
        return [None if i < 0 else table[i] for i in col.tolist()]

    G = nx.MultiDiGraph()
    iris = text(z["node_iri"])
    labels, types, aliases = text(z["node_label"]), text(z["node_type"]), text(z["node_aliases"])
    for n, lab, typ, al in zip(iris, labels, types, aliases, strict=True):
        G.add_node(n, label=lab, type=typ, aliases=al.split("\x1f") if al else [])
    cols = {a: text(z["edge_" + a]) for a in _EDGE_TEXT if a in names or a in _EDGE_IDS}
    nums = {a: [None if math.isnan(x) else x for x in z["edge_" + a].tolist()] for a in _EDGE_NUM if a in names}
    if "year" in nums:
        nums["year"] = [None if y is None else int(y) for y in nums["year"]]
    flags = {a: z["edge_" + a].tolist() for a in _EDGE_BOOL if a in names}
    keys = [_key(d, r) for d, r in zip(cols["deal"], cols["relation"], strict=True)]
    columns = {**cols, **nums, **flags}
    values = [columns[a] for a in names]
    succ, pred = G._succ, G._pred
    for i, (u, v) in enumerate(zip(z["edge_u"].tolist(), z["edge_v"].tolist(), strict=True)):
        a, b = iris[u], iris[v]
        ks = succ[a].get(b)
        if ks is None:
            ks = succ[a][b] = pred[b][a] = {}
        ks[keys[i]] = {name: col[i] for name, col in zip(names, values, strict=True)}
    return G
