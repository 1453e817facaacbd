"""Ingest source files into the store: read, validate, resolve, commit.

Each source kind has a reader module with one function,
``read(path, *, store, options) -> list[Batch]``:

* :mod:`kg.ingest.rdf` for ``.ttl .nt .nq .trig .jsonld .rdf`` files;
* :mod:`kg.ingest.text` for news text (``.txt .md .html .jsonl`` and directories);
* :mod:`kg.ingest.tabular` for ``.csv`` files with a mapping.

A :class:`Batch` is the new content of one named graph. :func:`ingest` reads
every file first, validates all batches against the SHACL shapes, then replaces
their graphs and rebuilds the derived edges in a single transaction. Any error
before or during the commit leaves the store exactly as it was.

>>> from kg.stores import open_store
>>> report = ingest(open_store("memory:"), [], dry_run=True)
>>> report.triples
0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.rules import derived_count  # noqa: F401  (re-exported for callers)


@dataclass
class Batch:
    """The new content of one named graph, read from one source.

    Attributes:
        graph: the named graph IRI that this batch replaces.
        triples: its statements (``pyoxigraph.Triple``).
        source: the file (or document id) it came from, for messages.
        facts: extracted facts as dicts (text sources), for dry runs and reports.
        validated: already checked in Python against a mapping (CSV), so the
            (slow) SHACL validation is skipped for this batch.
        tabular: for CSV files, the :class:`kg.ingest.tabular.TabularResult`
            (rows read, loaded, rejected and why).
        identity: the identity of the source it came from (see
            :mod:`kg.ingest.pipeline`), recorded in the meta graph.
        kind: the source kind (``rdf``, ``text``, ``table``).
        sha256: the hash of the source's content, where the reader knows it.
    """

    graph: str
    triples: list
    source: str
    facts: list = field(default_factory=list)
    validated: bool = False
    tabular: object = None
    identity: str | None = None
    kind: str | None = None
    sha256: str | None = None
    count: int | None = None

    @property
    def size(self) -> int:
        """Triples in the batch: those held, or, for a file streamed into the store, those loaded."""
        if self.count is not None:
            return self.count
        if self.tabular is not None and not self.triples:
            return self.tabular.triples
        return len(self.triples)


@dataclass
class IngestReport:
    """What an ingest did (or, for a dry run, would do).

    Attributes:
        batches: the batches read, one per named graph.
        committed: whether the store was changed.
        derived: the number of derived triples after the commit.
        violations: SHACL violations found (loaded anyway only with ``force``).
    """

    batches: list[Batch] = field(default_factory=list)
    committed: bool = False
    derived: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(b.size for b in self.batches)

    def rows(self) -> list[dict]:
        """One row per named graph: the graph, the source and its triple count."""
        return [{"graph": b.graph, "source": b.source, "triples": b.size, "facts": len(b.facts)}
                for b in self.batches]


def reader_for(path: Path):
    """The reader module for a path, chosen by its :class:`kg.formats.SourceKind`.

    Raises:
        FormatError: the file kind is not supported; lists the supported suffixes.
    """
    import importlib

    from kg.formats import SourceKind

    module = {SourceKind.TEXT: "text", SourceKind.RDF: "rdf", SourceKind.TABLE: "tabular"}[SourceKind.of(path)]
    return importlib.import_module(f"kg.ingest.{module}")


def read_sources(paths, *, store=None, options: dict | None = None) -> list[Batch]:
    """Read every path into batches held in memory, without touching the store.

    Each source's graph is keyed by its identity (see :mod:`kg.ingest.pipeline`).

    Raises:
        KgError: a file is missing or cannot be parsed (the error names the
            file, the line and the reason).
    """
    from kg.ingest.pipeline import plan_sources, read_source

    options = dict(options or {})
    return [b for s in plan_sources(paths, options) for b in read_source(s, store, options)]


def ingest(store, paths, *, dry_run: bool = False, force: bool = False, replace=(),
           options: dict | None = None) -> IngestReport:
    """Ingest files into the store as one atomic change, validated, with incremental derivation.

    Args:
        store: an open, writable store (a dry run may use a read-only one).
        paths: files or directories to read.
        dry_run: read and validate, but write nothing.
        force: load data even if it violates the shapes.
        replace: graph IRIs (or short names) this ingest may replace although
            they are reserved or another source loaded them.
        options: reader options, e.g. ``{"min_confidence": 0.5}`` for text or
            ``{"mapping": "deals.yaml"}`` for CSV.

    Returns:
        An :class:`IngestReport`.

    Raises:
        ParseError: a file cannot be parsed; nothing was written.
        ReplaceRefusedError: a graph is reserved or holds another source; nothing was written.
        ValidationError: the data violates the shapes and ``force`` is false;
            nothing was written.
        StoreError: the store cannot be written; nothing was written.
    """
    from kg.ingest.pipeline import run
    from kg.schema import expand

    return run(store, paths, dry_run=dry_run, force=force, replace=[expand(g) for g in replace], options=options)


def ontology_graph() -> dict[str, list]:
    """The ontology as one batch for its own named graph: ``{ONTOLOGY_GRAPH: [triples]}``."""
    import pyoxigraph as ox

    from kg.ontology import ontology_quads
    from kg.schema import ONTOLOGY_GRAPH

    return {ONTOLOGY_GRAPH: [ox.Triple(q.subject, q.predicate, q.object) for q in ontology_quads("kg.ttl")]}
