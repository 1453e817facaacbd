"""One small API over kg's triple stores.

Backends:

* ``OxigraphStore`` on disk: the embedded, persistent default (pyoxigraph/RocksDB).
* ``OxigraphStore`` in memory: ``open_store("memory:")``, for tests and scripts.
* A remote SPARQL 1.1 endpoint: ``open_store("http://host:port/…")``, see :mod:`kg.remote`.

Every backend offers the same methods: :meth:`query`, :meth:`update`,
:meth:`replace_graphs`, :meth:`named_graphs`, :meth:`dump`, :meth:`close`, and
works as a context manager. Queries always see the union of all named graphs
as their default graph, and ``GRAPH ?g {…}`` tells where a fact came from.

Where the store lives: ``--store`` on the command line, else the ``KG_STORE``
environment variable, else ``$XDG_DATA_HOME/kg/store`` (by default
``~/.local/share/kg/store``).

Concurrency on disk: RocksDB lets one process open a store read-write, and a
read-only open while another process writes is undefined behaviour. kg
therefore keeps a lock file beside the store (``<store>.lock``): readers take a
shared lock, writers an exclusive one. A reader waits up to ``KG_LOCK_TIMEOUT``
seconds (default 30) for a write to finish; a writer refused because the store
is being read or served says so.

>>> with open_store("memory:") as store:
...     store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 'c' } }")
...     [str(row["o"]) for row in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
['"c"']
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kg.errors import QueryError, ReadOnlyStoreError, StoreError, StoreLockedError
from kg.ontology import PREFIXES
from kg.sparqltext import prologue

MEMORY = "memory:"


def default_location() -> str:
    """The store used when neither ``--store`` nor ``KG_STORE`` is given.

    Returns:
        ``$XDG_DATA_HOME/kg/store``, or ``~/.local/share/kg/store``.
    """
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "kg" / "store")


def resolve_location(location: str | os.PathLike | None = None) -> str:
    """Apply the precedence: the argument, then ``KG_STORE``, then the default."""
    if location:
        return str(location)
    return os.environ.get("KG_STORE") or default_location()


def is_remote(location: str) -> bool:
    """True for an ``http(s)://`` SPARQL endpoint location."""
    return location.startswith(("http://", "https://"))


def open_store(location: str | os.PathLike | None = None, *, read_only: bool = False, create: bool = True):
    """Open a store.

    Args:
        location: a directory, ``"memory:"``, or an ``http(s)://`` SPARQL endpoint.
            ``None`` applies ``KG_STORE`` and then the default location.
        read_only: open for reading only, so several readers (and a server)
            can share the store. Writes then raise :class:`ReadOnlyStoreError`.
        create: create an empty store if the directory does not exist yet.

    Returns:
        An ``OxigraphStore`` or a ``kg.remote.RemoteStore``.

    Raises:
        StoreError: the store cannot be opened, or does not exist and
            ``create`` is false (read-only opens never create).
        StoreLockedError: another process holds a conflicting lock.

    >>> open_store("memory:").location
    'memory:'
    """
    loc = resolve_location(location)
    if is_remote(loc):
        from kg.remote import RemoteStore

        return RemoteStore(loc, read_only=read_only)
    if loc == MEMORY:
        return OxigraphStore(None, read_only=read_only)
    return OxigraphStore(loc, read_only=read_only, create=create)


class _FileLock:
    """A shared or exclusive ``flock`` on ``<store>.lock``, held while the store is open."""

    def __init__(self, store_path: Path, exclusive: bool, timeout: float):
        self.path = store_path.with_name(store_path.name + ".lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder()
                    os.close(self._fd)
                    if exclusive:
                        raise StoreLockedError(
                            f"store {store_path} is open in another process (a reader or 'kg serve'); "
                            "stop it, or write through --store http://… while it serves"
                        ) from None
                    raise StoreLockedError(
                        f"store {store_path} is being written by {holder}; try again when it finishes"
                    ) from None
                time.sleep(0.05)
        if exclusive:
            os.ftruncate(self._fd, 0)
            os.write(self._fd, str(os.getpid()).encode())

    def _holder(self) -> str:
        try:
            pid = Path(self.path).read_text().strip()
        except OSError:
            pid = ""
        return f"PID {pid}" if pid else "another process"

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _lock_timeout(read_only: bool) -> float:
    default = "30" if read_only else "0"
    try:
        return float(os.environ.get("KG_LOCK_TIMEOUT", default))
    except ValueError:
        return float(default)


def query_error(exc: BaseException, query: str) -> QueryError:
    """Turn a SPARQL parser or engine exception into a :class:`QueryError` with a position."""
    msg = str(exc)
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
        self._lock = _FileLock(p, exclusive=not read_only, timeout=_lock_timeout(read_only))
        try:
            self._store = ox.Store.read_only(str(p)) if read_only else ox.Store(str(p))
        except OSError as exc:
            self._lock.release()
            raise StoreError(f"cannot open store {p}: {exc}") from None

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


_FORMATS = {
    "turtle": "TURTLE",
    "ttl": "TURTLE",
    "ntriples": "N_TRIPLES",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "nq": "N_QUADS",
    "trig": "TRIG",
    "jsonld": "JSON_LD",
    "json-ld": "JSON_LD",
    "rdfxml": "RDF_XML",
    "xml": "RDF_XML",
    "rdf": "RDF_XML",
}


def rdf_format(name: str):
    """The ``pyoxigraph.RdfFormat`` for a format name or file extension.

    Raises:
        StoreError: the format is unknown; lists the known names.
    """
    import pyoxigraph as ox

    key = name.lower().lstrip(".")
    if key not in _FORMATS:
        raise StoreError(f"unknown RDF format {name!r}; use one of: turtle, ntriples, nquads, trig, jsonld, rdfxml")
    return getattr(ox.RdfFormat, _FORMATS[key])
