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

from kg.errors import KgError
from kg.ontology import ONTOLOGY_GRAPH
from kg.rules import derived_count  # noqa: F401  (re-exported for callers)

RDF_SUFFIXES = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".json", ".rdf", ".owl", ".n3"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}
TABULAR_SUFFIXES = {".csv", ".tsv"}


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
    """

    graph: str
    triples: list
    source: str
    facts: list = field(default_factory=list)
    validated: bool = False
    tabular: object = None


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
        return sum(len(b.triples) for b in self.batches)

    def rows(self) -> list[dict]:
        """One row per named graph: the graph, the source and its triple count."""
        return [{"graph": b.graph, "source": b.source, "triples": len(b.triples), "facts": len(b.facts)}
                for b in self.batches]


def reader_for(path: Path):
    """The reader module for a path, chosen by its suffix (directories are news text).

    Raises:
        KgError: the file kind is not supported; lists the supported suffixes.
    """
    suffix = path.suffix.lower()
    if path.is_dir() or suffix in TEXT_SUFFIXES:
        from kg.ingest import text

        return text
    if suffix in RDF_SUFFIXES:
        from kg.ingest import rdf

        return rdf
    if suffix in TABULAR_SUFFIXES:
        from kg.ingest import tabular

        return tabular
    known = " ".join(sorted(RDF_SUFFIXES | TEXT_SUFFIXES | TABULAR_SUFFIXES))
    raise KgError(f"{path}: cannot ingest files of type {suffix or '(none)'!r}; supported: {known}")


def read_sources(paths, *, store=None, options: dict | None = None) -> list[Batch]:
    """Read every path into batches, without touching the store.

    Raises:
        KgError: a file is missing or cannot be parsed (the error names the
            file, the line and the reason).
    """
    batches: list[Batch] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise KgError(f"{path}: no such file or directory")
        batches.extend(reader_for(path).read(path, store=store, options=dict(options or {})))
    return batches


def ingest(store, paths, *, dry_run: bool = False, force: bool = False, options: dict | None = None) -> IngestReport:
    """Ingest files into the store as one transaction.

    Args:
        store: an open, writable store (a dry run may use a read-only one).
        paths: files or directories to read.
        dry_run: read and validate, but write nothing.
        force: load data even if it violates the shapes.
        options: reader options, e.g. ``{"min_confidence": 0.5}`` for text or
            ``{"mapping": "deals.yaml"}`` for CSV.

    Returns:
        An :class:`IngestReport`.

    Raises:
        ParseError: a file cannot be parsed; nothing was written.
        ValidationError: the data violates the shapes and ``force`` is false;
            nothing was written.
        StoreError: the store cannot be written; nothing was written.
    """
    from kg.rules import derive_update
    from kg.validate import check_batches

    from kg.ingest.bulk import ingest_tabular, wants_bulk

    if wants_bulk(store, paths, options):
        # Large CSV files stream into a copy of the store that is swapped in
        # atomically; see kg.ingest.bulk.
        report = ingest_tabular(store, paths, dry_run=dry_run, options=options)
        if report.committed and ONTOLOGY_GRAPH not in store.named_graphs():
            store.replace_graphs(ontology_graph())
        return report
    batches = read_sources(paths, store=store, options=options)
    report = IngestReport(batches=batches)
    report.violations = check_batches([b for b in batches if not b.validated], store=store, force=force)
    if dry_run or not batches:
        return report
    # Named queries read labels of classes and statuses from the ontology graph.
    graphs: dict[str, list] = {} if ONTOLOGY_GRAPH in store.named_graphs() else ontology_graph()
    for b in batches:
        graphs.setdefault(b.graph, []).extend(b.triples)
    store.replace_graphs(graphs, then=derive_update())
    store.flush()
    report.committed = True
    report.derived = derived_count(store)
    return report


def ontology_graph() -> dict[str, list]:
    """The ontology as one batch for its own named graph: ``{ONTOLOGY_GRAPH: [triples]}``."""
    import pyoxigraph as ox

    from kg.ontology import ontology_quads

    return {ONTOLOGY_GRAPH: [ox.Triple(q.subject, q.predicate, q.object) for q in ontology_quads("kg.ttl")]}
