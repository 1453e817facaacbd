"""The interface every kg store meets, whatever the backend.

A store holds RDF quads in named graphs: one graph per source, plus the
ontology and the derived edges. Queries see the union of all named graphs as
their default graph. Both :class:`kg.stores.oxigraph.OxigraphStore` and
:class:`kg.stores.remote.RemoteStore` satisfy :class:`Store`.

>>> from kg.stores import open_store
>>> isinstance(open_store("memory:"), Store)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

MEMORY = "memory:"


@runtime_checkable
class Store(Protocol):
    """What kg needs of a triple store.

    Attributes:
        location: where the store lives (a directory, ``"memory:"`` or a URL).
        read_only: whether writes are refused.
    """

    location: str
    read_only: bool

    def query(self, sparql: str, params: Mapping[str, Any] | None = None, *, prefixes: bool = True):
        """Run a SPARQL query over the union of all graphs; ``params`` are bound, never pasted."""

    def update(self, sparql: str, *, prefixes: bool = True) -> None:
        """Run a SPARQL 1.1 Update."""

    def replace_graphs(self, graphs: Mapping[str, Iterable], *, then: str = "") -> None:
        """Replace whole named graphs, then run ``then``, all or nothing."""

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""

    def dump(self, format: str = "nquads", graph: str | None = None) -> bytes:
        """Serialize the store, or one named graph."""

    def flush(self) -> None:
        """Make sure everything written is durable."""

    def close(self) -> None:
        """Release the store (and its lock)."""
