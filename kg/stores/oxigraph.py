"""The embedded Oxigraph store (pyoxigraph over RocksDB), on disk or in memory.

Use :func:`kg.stores.open_store` rather than this module directly.

>>> with OxigraphStore(None) as store:
...     store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 'c' } }")
...     [str(row["o"]) for row in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
['"c"']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kg.errors import QueryError, ReadOnlyStoreError, StoreError
from kg.formats import rdf_format
from kg.ontology import PREFIXES
from kg.sparqltext import check_query, prologue
from kg.stores.base import MEMORY
from kg.stores.lock import FileLock, lock_timeout


def query_error(exc: BaseException, query: str) -> QueryError:
    """Turn a SPARQL parser or engine exception into a :class:`QueryError` with a position."""
    msg = " ".join(str(exc).split())  # one line: the parser's list of expected tokens spans several
    line = getattr(exc, "lineno", None)
    if line:
        msg = f"line {line}, column {getattr(exc, 'offset', '?')}: {msg}"
    return QueryError(f"invalid SPARQL: {msg}")


class OxigraphStore:
    """An embedded Oxigraph store, on disk or in memory.

    Use :func:`open_store` rather than this class directly.

    Attributes:
        location: the directory, or ``"memory:"``.
        read_only: whether writes are refused.
    """

    def __init__(self, path: str | None, *, read_only: bool = False, create: bool = True):
        import pyoxigraph as ox

        self.read_only = read_only
        self._lock = None
        if path is None:
            self.location = MEMORY
            self._store = ox.Store()
            return
        p = Path(path).expanduser()
        self.location = str(p)
        exists = (p / "CURRENT").is_file()
        if p.exists() and not p.is_dir():
            raise StoreError(f"store path {p} exists and is not a directory")
        if not exists and (read_only or not create):
            raise StoreError(f"no store at {p}; build one first with 'kg build' or 'kg ingest'")
        self._lock = FileLock(p, exclusive=not read_only, timeout=lock_timeout(read_only))
        if not read_only:
            from kg.ingest.bulk import clean_stale

            clean_stale(str(p))  # working copies of imports killed with kill -9
        try:
            self._store = ox.Store.read_only(str(p)) if read_only else ox.Store(str(p))
        except OSError as exc:
            self._lock.release()
            raise StoreError(f"cannot open store {p}: {exc}") from None

    @classmethod
    def over(cls, raw, location: str) -> OxigraphStore:
        """Wrap an open ``pyoxigraph.Store`` (a working copy, say) without taking the lock.

        The caller already holds the lock of the store the copy belongs to.
        """
        self = cls.__new__(cls)
        self.read_only, self._lock, self.location, self._store = False, None, location, raw
        return self

    # -- reading ---------------------------------------------------------

    def query(self, sparql: str, params: Mapping[str, Any] | None = None, *, prefixes: bool = True):
        """Run a SPARQL query over the union of all graphs.

        Args:
            sparql: the query text. kg's prefixes are declared for you.
            params: values for variables, bound by substitution (never pasted
                into the text): ``{"name": Literal("Xiaomi")}``.
            prefixes: set false to send the text exactly as given.

        Returns:
            An iterator of ``QuerySolution`` (SELECT), of ``Triple``
            (CONSTRUCT/DESCRIBE), or a ``QueryBoolean`` (ASK).

        Raises:
            QueryError: the query is invalid; the message has the parser's position.
        """
        import pyoxigraph as ox

        check_query(sparql)  # a too deep query would abort the process (stack overflow)
        subs = {ox.Variable(k): v for k, v in (params or {}).items()}
        try:
            return self._store.query(
                sparql,
                use_default_graph_as_union=True,
                prefixes=PREFIXES if prefixes else None,
                substitutions=subs or None,
            )
        except SyntaxError as exc:
            raise query_error(exc, sparql) from None
        except RuntimeError as exc:
            if "SELECT projection" not in str(exc):
                raise QueryError(f"query failed: {exc}") from None
        # pyoxigraph substitutes only projected variables; bind the others with a
        # VALUES block of serialized terms at the start of the WHERE clause.
        from kg.sparqltext import bind_values

        try:
            return self._store.query(
                bind_values(sparql, params or {}),
                use_default_graph_as_union=True,
                prefixes=PREFIXES if prefixes else None,
            )
        except SyntaxError as exc:
            raise query_error(exc, sparql) from None
        except (OSError, ValueError, TypeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs in the store, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if hasattr(g, "value"))

    def __len__(self) -> int:
        return len(self._store)

    def dump(self, format: str = "nquads", graph: str | None = None) -> bytes:
        """Serialize the store, or one named graph.

        Args:
            format: ``turtle``, ``ntriples``, ``nquads``, ``trig``, ``jsonld`` or ``rdfxml``.
            graph: a named graph IRI; graph formats (``turtle`` …) need one, or
                they get the union of all graphs.

        Returns:
            The serialization, as bytes.
        """
        import pyoxigraph as ox

        fmt = rdf_format(format)
        pre = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        if graph:
            return self._store.dump(format=fmt, from_graph=ox.NamedNode(graph), prefixes=pre)
        if fmt.supports_datasets:
            return self._store.dump(format=fmt, prefixes=pre)
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in self._store.quads_for_pattern(None, None, None))
        return ox.serialize(dict.fromkeys(triples), format=fmt, prefixes=PREFIXES)

    # -- writing ---------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(f"store {self.location} is open read-only")

    def update(self, sparql: str, *, prefixes: bool = True) -> None:
        """Run a SPARQL 1.1 Update as one transaction: all of it or none.

        Raises:
            ReadOnlyStoreError: the store is read-only.
            QueryError: the update is invalid or failed.
        """
        self._check_writable()
        check_query(sparql, max_bytes=None)  # a too deep update would abort the process
        text = prologue(sparql) if prefixes else sparql
        try:
            self._store.update(text)
        except SyntaxError as exc:
            raise query_error(exc, sparql) from None
        except OSError as exc:
            raise StoreError(f"update failed: {exc}") from None

    def replace_graphs(self, graphs: Mapping[str, Iterable], *, then: str = "") -> None:
        """Replace whole named graphs atomically, and optionally run an update after.

        Everything happens in one transaction: the old contents of each graph
        are dropped, the new triples inserted, then ``then`` runs (for example
        the rebuild of the derived graph). If anything fails, the store is left
        exactly as it was.

        Args:
            graphs: graph IRI → iterable of ``pyoxigraph.Triple`` (or ``Quad``;
                its graph is ignored). An empty iterable just drops the graph.
            then: SPARQL Update operations to run in the same transaction.

        Raises:
            ReadOnlyStoreError: the store is read-only.
            StoreError: the write failed; nothing was changed.
        """
        self.update(replace_graphs_update(graphs, then))

    def flush(self) -> None:
        """Make sure everything written is on disk."""
        if not self.read_only and self.location != MEMORY:
            self._store.flush()

    def swap_directory(self, built, exchange) -> None:
        """Swap in a new version of this store, built beside it, and reopen it.

        Used by :mod:`kg.ingest.bulk`: it copies the store (a RocksDB
        checkpoint), loads into the copy, then calls this. The lock is held
        throughout; the old version ends up at ``built``.

        Args:
            built: the directory of the new version (closed).
            exchange: ``exchange(a, b)`` swaps two directories atomically.
        """
        import pyoxigraph as ox

        self._check_writable()
        self._store.flush()
        self._store = None
        try:
            exchange(str(built), self.location)
        finally:
            self._store = ox.Store(self.location)

    @property
    def raw(self):
        """The underlying ``pyoxigraph.Store``, for bulk paths (loading, streaming)."""
        return self._store

    def close(self) -> None:
        """Release the store and its lock. Safe to call twice."""
        store, self._store = getattr(self, "_store", None), None
        if store is not None and not self.read_only and self.location != MEMORY:
            try:
                store.flush()
            except OSError:
                pass
        del store
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"<OxigraphStore {self.location} {mode}>"


def replace_graphs_update(graphs: Mapping[str, Iterable], then: str = "") -> str:
    """The SPARQL Update text that replaces named graphs, then runs ``then``.

    Terms are written by pyoxigraph's own N-Triples serializer, so no value
    can change the structure of the update.
    """
    import pyoxigraph as ox

    parts = []
    for graph, triples in graphs.items():
        try:
            g = str(ox.NamedNode(graph))
        except ValueError as exc:
            raise StoreError(f"invalid graph IRI {graph!r}: {exc}") from None
        parts.append(f"DROP SILENT GRAPH {g}")
        body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
        if body:
            parts.append(f"INSERT DATA {{ GRAPH {g} {{\n{body}\n}} }}")
    if then:
        parts.append(then)
    return " ;\n".join(parts)
