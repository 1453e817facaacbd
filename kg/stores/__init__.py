"""One small API over kg's triple stores.

Backends:

* ``OxigraphStore`` (:mod:`kg.stores.oxigraph`) on disk: the embedded, persistent default (pyoxigraph/RocksDB).
* ``OxigraphStore`` (:mod:`kg.stores.oxigraph`) in memory: ``open_store("memory:")``, for tests and scripts.
* A remote SPARQL 1.1 endpoint: ``open_store("http://host:port/…")``, see :mod:`kg.stores.remote`.

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

import os
from pathlib import Path

from kg.stores.base import MEMORY, Store

__all__ = ["MEMORY", "Store", "default_location", "is_remote", "open_store", "resolve_location"]


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


def raw_store(store):
    """The ``pyoxigraph.Store`` under an embedded store (for index lookups), or None for a remote one.

    >>> raw_store(open_store("memory:")) is not None
    True
    """
    return None if is_remote(str(getattr(store, "location", ""))) else getattr(store, "raw", None)


def open_store(location: str | os.PathLike | None = None, *, read_only: bool | None = None, create: bool = True):
    """Open a store: read-only unless asked to write.

    Args:
        location: a directory, ``"memory:"``, or an ``http(s)://`` SPARQL endpoint.
            ``None`` applies ``KG_STORE`` and then the default location.
        read_only: ``False`` opens for writing. By default stores on disk and
            remote stores open read-only, so a notebook never locks out the
            command line; ``"memory:"`` stores are always writable.
        create: with ``read_only=False``, create an empty store if the
            directory does not exist yet (read-only opens never create).

    Returns:
        A :class:`Store`: an ``OxigraphStore`` or a ``RemoteStore``.

    Raises:
        StoreError: the store cannot be opened, or does not exist and
            ``create`` is false (read-only opens never create).
        StoreLockedError: another process holds a conflicting lock; the
            message names it.

    >>> store = open_store("memory:")
    >>> store.location, store.read_only
    ('memory:', False)
    """
    loc = resolve_location(location)
    if is_remote(loc):
        from kg.stores.remote import RemoteStore

        return RemoteStore(loc, read_only=read_only is not False)
    from kg.stores.oxigraph import OxigraphStore

    if loc == MEMORY:
        return OxigraphStore(None, read_only=bool(read_only))
    return OxigraphStore(loc, read_only=read_only is not False, create=create)
