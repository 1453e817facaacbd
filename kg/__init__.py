"""kg: a knowledge graph of companies, people and deals.

The flat API: every command of the ``kg`` CLI is one of these functions, and
the CLI calls exactly these. Where a command's name is also a module's
(``build``, ``ingest``, ``validate``, ``entities``), the function says what it
does instead: :func:`build_graph`, :func:`ingest_files`, :func:`validate_store`,
:func:`list_entities`.

>>> import kg
>>> store = kg.open_store("memory:")
>>> kg.ingest_files(store, []).committed
False
>>> kg.list_entities(store)
[]

Nothing is imported until a name is used, so ``import kg`` stays cheap; each
module pulls in what it needs (pyoxigraph, rdflib, networkx …) inside the
functions that use it.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name → (module, attribute). One place, so the CLI, the docs and this
#: package agree.
_API = {
    "open_store": ("kg.stores", "open_store"),
    "Store": ("kg.stores", "Store"),
    "build_graph": ("kg.build", "build"),
    "ingest_files": ("kg.ingest", "ingest"),
    "extract": ("kg.ingest.text", "extract"),
    "validate_store": ("kg.validate", "validate_store"),
    "list_entities": ("kg.entities", "list_entities"),
    "show": ("kg.entities", "describe_entity"),
    "search": ("kg.entities", "search"),
    "sparql": ("kg.query", "run_query"),
    "named_query": ("kg.query", "run_named"),
    "named_queries": ("kg.query", "named_queries"),
    "path": ("kg.explore", "path"),
    "neighbors": ("kg.explore", "neighbors"),
    "centrality": ("kg.explore", "centrality"),
    "communities": ("kg.explore", "communities"),
    "stats": ("kg.explore", "stats"),
    "viz": ("kg.drawing", "write_view"),
    "serve": ("kg.server", "serve"),
    "review": ("kg.judgements", "review"),
    "same_as": ("kg.judgements", "same_as"),
    "not_same": ("kg.judgements", "not_same"),
    "unjudge": ("kg.judgements", "unjudge"),
    "conflicts": ("kg.disagreement", "conflicts"),
    "Fact": ("kg.facts", "Fact"),
    "Party": ("kg.facts", "Party"),
    "Evidence": ("kg.facts", "Evidence"),
    "KgError": ("kg.errors", "KgError"),
}

__all__ = sorted(_API)


def __getattr__(name: str):
    try:
        module, attr = _API[name]
    except KeyError:
        raise AttributeError(f"module 'kg' has no attribute {name!r}") from None
    return getattr(importlib.import_module(module), attr)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
