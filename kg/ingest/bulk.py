"""Stream large CSV files into an on-disk store, atomically and in flat memory.

Oxigraph's transactions hold every change in memory: measured here with
pyoxigraph 0.5.13, a transactional insert of 1M quads took 32 s and 1.5 GB,
and ``MOVE`` of a 1M-quad staging graph 100 s and 3.5 GB. Its bulk loader is
fast (about 100k quads/s, flat memory) but not atomic. So the import works on a
copy:

1. take a RocksDB checkpoint of the store beside it (``<store>.import-<pid>``;
   hard links, about a millisecond);
2. stream the rows, converted to N-Quads as they are read, into the copy
   with ``Store.bulk_load``: each row's facts go to the file's graph and its
   derived edges (the rules of :data:`kg.rules.RELATIONS`, ``kg:involvedIn``
   and ``kg:nameKey``, computed in Python as the row is converted) to the
   derived graph. If the file's graph exists already it is dropped first,
   with the derived graph, which is then rebuilt from every graph by the
   CONSTRUCT twins of :func:`kg.rules.derive_update` streamed into
   ``bulk_extend``;
3. close the copy and swap the two directories with one ``renameat2(
   RENAME_EXCHANGE)`` call, which is atomic; then delete the old version.

Big RDF files (:func:`ingest_rdf`) take the same road, with ``bulk_load`` of
the file. When the file's graph is new to the store, its derived edges are
computed in Python from its triples while the loader runs
(:mod:`kg.ingest.derived`, exactly what a rebuild would add) and written with
``bulk_extend``; otherwise the derived graph is rebuilt by those CONSTRUCTs.

An interrupted import (Ctrl-C, an error, ``--strict`` on a bad row, or a
killed process) never touches the store itself: at worst a stale copy is left,
and the next bulk import removes it. Readers are kept out by the store's lock
file for the whole import, as for any write.

>>> wants_bulk(None, ["deals.csv"], {})
False
"""

from __future__ import annotations

import ctypes
import io
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError, MappingError, StoreError
from kg.ingest import TABULAR_SUFFIXES, Batch, IngestReport

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


#: RDF files at least this big take the bulk path (pySHACL could not validate them anyway:
#: it needs minutes and gigabytes per million triples).
BULK_RDF_BYTES = 64 * 1024 * 1024
_BULK_RDF_SUFFIXES = {".ttl", ".nt", ".nq", ".trig"}


def wants_bulk(store, paths, options: dict | None = None) -> bool:
    """True when an ingest should take the streaming path.

    That is when the store is an embedded on-disk store and either every path
    is a CSV file, or every path is a Turtle/N-Triples/N-Quads/TriG file and
    ``options["bulk"]`` is true or each file is at least :data:`BULK_RDF_BYTES`.
    ``options["bulk"] = False`` opts out.
    """
    from kg.stores import MEMORY
    from kg.stores.oxigraph import OxigraphStore

    options = options or {}
    if store is None or not paths or options.get("bulk") is False:
        return False
    if not isinstance(store, OxigraphStore) or store.location == MEMORY or store.read_only and not options.get("dry_run"):
        return False
    files = [Path(p) for p in paths]
    if not all(p.is_file() for p in files):
        return False
    if all(p.suffix.lower() in TABULAR_SUFFIXES for p in files):
        return True
    return all(p.suffix.lower() in _BULK_RDF_SUFFIXES for p in files) and (
        bool(options.get("bulk")) or all(p.stat().st_size >= BULK_RDF_BYTES for p in files))


def exchange(a: str, b: str) -> None:
    """Swap two directories atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Raises:
        StoreError: the system cannot exchange them (not Linux, or a file
            system without support); nothing was changed.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        raise StoreError("this system cannot swap directories atomically (no renameat2); "
                         "use a smaller file or an in-memory store")
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise StoreError(f"cannot swap {a} and {b}: {os.strerror(err)}")


class _TextStream(io.RawIOBase):
    """A binary file-like object over an iterator of text chunks, for ``bulk_load``."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buf = b""
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            while len(self._buf) < len(b):
                chunk = next(self._chunks, None)
                if chunk is None:
                    break
                self._buf += chunk.encode("utf-8")
        except BaseException as exc:
            # pyoxigraph turns errors raised while reading into OSError; keep
            # the original (a strict-mode MappingError, a KeyboardInterrupt).
            self.error = exc
            raise
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(location: str) -> list[str]:
    """Remove copies left by imports that were killed (``<store>.import-<pid>`` of dead processes).

    Returns:
        The directories removed.
    """
    p = Path(location)
    removed = []
    for d in p.parent.glob(p.name + ".import-*"):
        m = re.fullmatch(r".*\.import-(\d+)", d.name)
        if m and (int(m[1]) == os.getpid() or not _pid_alive(int(m[1]))):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(str(d))
    return removed


def _derive_blocks() -> list[tuple[str, str, str]]:
    """The INSERT blocks of :func:`kg.rules.derive_update` as (template, where, graph variable)."""
    from kg.ontology import DERIVED_GRAPH
    from kg.rules import derive_update

    text = derive_update()
    pattern = re.compile(
        r"INSERT \{ GRAPH <" + re.escape(DERIVED_GRAPH) + r"> \{ (.*?) \} \}\s*WHERE \{(.*?)\n\}(?: ;\n|\s*\Z)", re.S)
    blocks = []
    for tpl, where in pattern.findall(text):
        gvar = re.search(r"GRAPH (\?\w+) \{", where)[1]
        blocks.append((tpl, where, gvar))
    if len(blocks) < 3:
        raise StoreError("kg.rules.derive_update changed shape; kg.ingest.bulk cannot mirror it")
    return blocks


def derived_quads(raw, graphs: list[str] | None):
    """Stream the derived edges as quads in the derived graph.

    Args:
        raw: a ``pyoxigraph.Store``.
        graphs: only deals and labels stated in these graphs; None for all.

    Yields:
        ``pyoxigraph.Quad`` in :data:`kg.ontology.DERIVED_GRAPH` (may repeat).
    """
    import pyoxigraph as ox

    from kg.ontology import DERIVED_GRAPH

    g = ox.NamedNode(DERIVED_GRAPH)
    for tpl, where, gvar in _derive_blocks():
        if graphs is not None:
            values = " ".join(str(ox.NamedNode(x)) for x in graphs)
            where = f"\n  VALUES {gvar} {{ {values} }}" + where
        for t in raw.query(f"CONSTRUCT {{ {tpl} }} WHERE {{{where}\n}}"):
            yield ox.Quad(t.subject, t.predicate, t.object, g)


@dataclass
class TabularReport(IngestReport):
    """An :class:`IngestReport` for the streaming path: counts instead of triples in memory.

    Attributes:
        tabular: one :class:`kg.ingest.tabular.TabularResult` per file.
    """

    tabular: list = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(r.triples for r in self.tabular)

    def rows(self) -> list[dict]:
        return [r.row() for r in self.tabular]


def ingest_tabular(store, paths, *, dry_run: bool = False, options: dict | None = None) -> IngestReport:
    """Import CSV files into an on-disk store by streaming, as one atomic change.

    Args:
        store: a writable on-disk ``OxigraphStore`` (a dry run may be read-only).
        paths: CSV files.
        dry_run: read and check every row, write nothing (no rejects file
            unless ``options["rejects"]`` names one).
        options: ``mapping``, ``layout``, ``strict``, ``rejects``, ``graph``
            (one file only), ``progress`` (``progress(done, total)`` over the
            bytes of all files), see :mod:`kg.ingest.tabular`.

    Returns:
        A :class:`TabularReport`; its ``tabular`` list has one
        :class:`kg.ingest.tabular.TabularResult` per file.

    Raises:
        MappingError: a mapping is invalid or does not fit a file, or (strict)
            a row is bad; nothing was written.
        ParseError: a file is not CSV; nothing was written.
        StoreError: the store cannot be copied or swapped; nothing was written.
    """
    from kg.ingest.tabular import RejectsWriter, TabularResult, graph_for, store_resolver, stream_file
    from kg.ontology import DERIVED_GRAPH

    options = dict(options or {})
    options["dry_run"] = dry_run
    paths = [Path(p) for p in paths]
    if not all(p.suffix.lower() in TABULAR_SUFFIXES for p in paths):
        return ingest_rdf(store, paths, dry_run=dry_run, options=options)
    if options.get("graph") and len(paths) > 1:
        raise MappingError("--graph names one graph; give one CSV file with it")
    sizes = [p.stat().st_size for p in paths]
    total = sum(sizes) or 1
    user_progress = options.get("progress")
    report = TabularReport()
    rejects_path = options.get("rejects") or (None if dry_run else str(
        paths[0].with_name(paths[0].stem + ".rejects.csv")))
    rejects = RejectsWriter(rejects_path)
    resolver = store_resolver(store, [graph_for(p, options) for p in paths])
    entities: dict = {}

    def chunks():
        done = 0
        for path, size in zip(paths, sizes):
            result = TabularResult(source=str(path), graph=graph_for(path, options))
            report.tabular.append(result)
            report.batches.append(Batch(graph=result.graph, triples=[], source=str(path), validated=True,
                                        tabular=result))

            def progress(n, _t, base=done):
                if user_progress:
                    user_progress(base + n, total)

            yield result, stream_file(path, options=options, result=result, rejects=rejects,
                                      resolver=resolver, entities=entities, progress=progress,
                                      derived_graph=DERIVED_GRAPH)
            done += size

    try:
        if dry_run:
            for _result, stream in chunks():
                for _ in stream:
                    pass
            return report
        in_a_copy(store, lambda work: _load_into_copy(work, chunks(), report), exchange)
    finally:
        rejects.close()
    for r in report.tabular:
        r.rejects_file = rejects_path if r.rejected else None
    report.committed = True
    from kg.ingest import derived_count

    report.derived = derived_count(store)
    return report


def in_a_copy(store, load, exchange) -> None:
    """Run ``load(work_dir)`` on a checkpoint copy of the store, then swap the copy in atomically.

    The copy is a RocksDB checkpoint (hard links), so taking it is cheap; if
    ``load`` fails or the process dies, the store is untouched and the stale
    copy is removed by the next import (:func:`clean_stale`).

    Raises:
        StoreError: the copy cannot be taken.
    """
    location = store.location
    clean_stale(location)
    work = f"{location}.import-{os.getpid()}"
    store.raw.flush()
    try:
        store.raw.backup(work)
    except OSError as exc:
        raise StoreError(f"cannot copy the store for the import: {exc}") from None
    try:
        load(work)
        store.swap_directory(work, exchange)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _load_into_copy(work: str, files, report) -> None:
    """Load every file's rows, with their derived edges, into the copy at ``work``."""
    import pyoxigraph as ox

    from kg.ontology import DERIVED_GRAPH

    copy = ox.Store(work)
    try:
        existing = {g.value for g in copy.named_graphs() if hasattr(g, "value")}
        replaced = False
        for result, stream in files:
            if result.graph in existing:
                # Replacing a graph: its old derived edges must go too, so the
                # derived graph is rebuilt below. Deleting is transactional in
                # Oxigraph (slow for big graphs), but it happens in the copy,
                # so an interruption is still harmless.
                copy.update(f"DROP SILENT GRAPH <{result.graph}> ; DROP SILENT GRAPH <{DERIVED_GRAPH}>")
                existing.discard(DERIVED_GRAPH)
                replaced = True
            existing.add(result.graph)
            source = _TextStream(stream)
            try:
                # lenient: the rows were checked and every IRI from the mapping
                # or a cell validated (kg.ingest.mapping), so the loader's own
                # IRI checks are skipped.
                copy.bulk_load(input=io.BufferedReader(source, 1 << 20), format=ox.RdfFormat.N_QUADS, lenient=True)
            except (OSError, SyntaxError, ValueError) as exc:
                if isinstance(source.error, (KgError, KeyboardInterrupt)):
                    raise source.error from None
                raise StoreError(f"{result.source}: bulk load failed: {exc}") from None
            if source.error is not None:
                raise source.error
        if replaced:
            copy.bulk_extend(derived_quads(copy, None))
        copy.flush()
    finally:
        del copy


def ingest_rdf(store, paths, *, dry_run: bool = False, options: dict | None = None) -> IngestReport:
    """Load big RDF files with Oxigraph's bulk loader, into a copy swapped in atomically.

    Triples go to the file's graph (``options["graph"]`` or one named after the
    file); quads of TriG/N-Quads keep their graphs. SHACL validation is not run
    (run ``kg validate`` afterwards); the derived edges are added as for CSV.

    Args:
        store: a writable on-disk ``OxigraphStore``.
        paths: ``.ttl .nt .nq .trig`` files.
        dry_run: parse only (with ``pyoxigraph.parse``), write nothing.
        options: ``graph``, ``progress`` (called once per file).

    Returns:
        A :class:`TabularReport` whose ``tabular`` rows count triples per file.

    Raises:
        ParseError: a file is not valid; nothing was written.
        StoreError: the store cannot be copied or swapped; nothing was written.
    """
    import pyoxigraph as ox

    from kg.errors import ParseError
    from kg.ingest.tabular import TabularResult
    from kg.ontology import source_graph
    from kg.formats import rdf_format

    options = dict(options or {})
    paths = [Path(p) for p in paths]
    report = TabularReport()
    for p in paths:
        g = options.get("graph") or source_graph(p.stem)
        report.tabular.append(TabularResult(source=str(p), graph=g, layout=p.suffix.lstrip(".")))
        report.batches.append(Batch(graph=g, triples=[], source=str(p), validated=True))
    if dry_run:
        for p, r in zip(paths, report.tabular):
            try:
                r.triples = sum(1 for _ in ox.parse(path=str(p), format=rdf_format(p.suffix)))
            except SyntaxError as exc:
                raise ParseError(str(p), str(exc), getattr(exc, "lineno", None)) from None
        return report
    def load(work: str) -> None:
        copy = ox.Store(work)
        try:
            before = {g.value for g in copy.named_graphs() if hasattr(g, "value")}
            _load_rdf(copy, paths, report, before, options)
            for r in report.tabular:
                r.triples = r.loaded = _count(copy, r.graph)
            copy.flush()
        finally:
            del copy

    in_a_copy(store, load, exchange)
    report.committed = True
    from kg.ingest import derived_count

    report.derived = derived_count(store)
    return report


def _load_rdf(copy, paths, report, before: set, options: dict) -> None:
    """Bulk-load RDF files into the copy, and add their derived edges.

    When every file is a triples file going to a graph new to the store, the
    derived edges are computed in Python from the file's triples while the
    loader runs (:mod:`kg.ingest.derived`), and added to the derived graph:
    the same result as a rebuild (tested), without re-reading the store.
    Otherwise (a graph is replaced, quads, blank nodes in a deal, a deal
    declined that another graph describes) the graph is dropped and the
    derived graph rebuilt with the CONSTRUCT twins of
    :func:`kg.rules.derive_update`, streamed into ``bulk_extend``.
    """
    import threading

    import pyoxigraph as ox

    from kg.errors import ParseError
    from kg.ingest.derived import collect_file, existing_deals
    from kg.ontology import DERIVED_GRAPH
    from kg.formats import rdf_format

    triples_only = all(p.suffix.lower() in (".ttl", ".nt") for p in paths)
    targets = [r.graph for r in report.tabular]
    incremental = (triples_only and not before.intersection(targets) and DERIVED_GRAPH not in targets
                   and len(set(targets)) == len(targets) and options.get("derive") != "rebuild")
    existing = existing_deals(copy) if incremental else set()
    collectors: list = []
    for i, (p, r) in enumerate(zip(paths, report.tabular)):
        if r.graph in before:
            copy.update(f"DROP SILENT GRAPH <{r.graph}> ; DROP SILENT GRAPH <{DERIVED_GRAPH}>")
        fmt, base = rdf_format(p.suffix), p.resolve().as_uri()
        box: dict = {}
        worker = None
        if incremental:
            # Parsing in Python runs beside the loader, which spends much of
            # its time in RocksDB without the GIL.
            def collect(p=p, fmt=fmt, g=r.graph, base=base, box=box):
                try:
                    box["c"] = collect_file(p, fmt, g, base)
                except BaseException as exc:  # reported by bulk_load below
                    box["error"] = exc

            worker = threading.Thread(target=collect, daemon=True)
            worker.start()
        try:
            copy.bulk_load(path=str(p), format=fmt, to_graph=ox.NamedNode(r.graph), base_iri=base)
        except SyntaxError as exc:
            raise ParseError(str(p), str(exc), getattr(exc, "lineno", None)) from None
        finally:
            if worker is not None:
                worker.join()
        if incremental:
            if "error" in box:
                raise StoreError(f"{p}: cannot collect derived edges: {box['error']}")
            collectors.append(box["c"])
        if options.get("progress"):
            options["progress"](i + 1, len(paths))
    exclude = {DERIVED_GRAPH, *targets}
    for c in collectors:
        c.merge_existing(copy, existing, exclude)
    shared = len(collectors) > 1 and sum(len(c.deals) for c in collectors) != len(
        set().union(*(c.deals for c in collectors)))
    if incremental and not shared and not any(c.needs_rebuild() for c in collectors):
        for c in collectors:
            copy.bulk_extend(c.quads())
        return
    # A full rebuild. Dropping is a transaction in Oxigraph (memory grows with
    # the derived graph), but it happens in the copy, and only here: adding
    # to the old derived graph would keep the edges of a deal that the new
    # triples decline. Measured with pyoxigraph 0.5.13, the unrestricted
    # CONSTRUCTs run 2-10x faster than the same queries limited to the new
    # graphs with VALUES.
    copy.update(f"DROP SILENT GRAPH <{DERIVED_GRAPH}>")
    copy.bulk_extend(derived_quads(copy, None))


def _count(raw, graph: str) -> int:
    rows = raw.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)
