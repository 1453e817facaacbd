"""A projection snapshot: the entity view saved beside the store, once per store version.

Projecting the store (:func:`kg.network.entity_graph`) reads every deal; the
analytics commands (``centrality``, ``communities``, ``stats``, ``viz``) need
the same view again and again. The snapshot keeps it on disk in a compact
form: a NumPy ``.npz`` of integer columns (one row per node and per edge) and
one table of the distinct strings, UTF-8 bytes with offsets (no pickle). A
later command rebuilds the same ``networkx.MultiDiGraph`` from it without
touching the store's deals.

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
FORMAT = 1
_NODE_ATTRS = ("label", "type")
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
        load_or_build(store, ANALYTICS)  # projects the store and saves the snapshot
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
        G = project(store)
        write(G, path, key)
    return G


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

    def __call__(self, value) -> int:
        if value is None:
            return -1
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.index)
        return i

    def arrays(self):
        import numpy as np

        data = [s.encode("utf-8") for s in self.index]
        offsets = np.zeros(len(data) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(b) for b in data], dtype=np.int64)
        return np.frombuffer(b"".join(data), dtype=np.uint8), offsets


def write(G, path: Path, key: str) -> None:
    """Save an entity view (atomically: a reader sees the old file or the new one, whole)."""
    import numpy as np

    s = _Strings()
    nodes = list(G.nodes)
    pos = {n: i for i, n in enumerate(nodes)}
    cols = {"node_iri": [s(n) for n in nodes], "node_aliases": [s("\x1f".join(G.nodes[n]["aliases"])) for n in nodes]}
    for a in _NODE_ATTRS:
        cols["node_" + a] = [s(G.nodes[n].get(a)) for n in nodes]
    edges = list(G.edges(keys=True, data=True))
    cols["edge_u"] = [pos[u] for u, _, _, _ in edges]
    cols["edge_v"] = [pos[v] for _, v, _, _ in edges]
    cols["edge_key"] = [s(k) for _, _, k, _ in edges]
    for a in _EDGE_TEXT:
        cols["edge_" + a] = [s(d.get(a)) for *_, d in edges]
    arrays = {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()}
    for a in _EDGE_NUM:
        arrays["edge_" + a] = np.asarray([np.nan if d.get(a) is None else float(d[a]) for *_, d in edges], dtype=float)
    for a in _EDGE_BOOL:
        arrays["edge_" + a] = np.asarray([bool(d.get(a)) for *_, d in edges], dtype=bool)
    arrays["strings"], arrays["offsets"] = s.arrays()
    arrays["meta"] = np.frombuffer(f"{FORMAT}\n{key}".encode(), dtype=np.uint8)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


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


_EDGE_IDS = ("u", "v", "key")


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
    cols = {a: text(z["edge_" + a]) for a in _EDGE_TEXT if a in names}
    nums = {a: [None if math.isnan(x) else x for x in z["edge_" + a].tolist()] for a in _EDGE_NUM if a in names}
    if "year" in nums:
        nums["year"] = [None if y is None else int(y) for y in nums["year"]]
    flags = {a: z["edge_" + a].tolist() for a in _EDGE_BOOL if a in names}
    keys = text(z["edge_key"])
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
