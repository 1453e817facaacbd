"""Read CSV files of deal records (investments, acquisitions, people) with a mapping.

The rows of a file become deals in the file's own named graph
(``deals.csv`` → ``…/graph/source/deals``), each with a ``kg:Evidence`` that
names the file (``kg:source``) and the line (``kg:line``). The mapping comes
from ``options["mapping"]`` (a YAML file, see :mod:`kg.ingest.mapping`),
``options["layout"]`` (``investments``, ``acquisitions`` or ``people``), or is
detected from the header.

Bad rows (a missing required value, an unparseable amount or date, an
impossible date, a duplicate) do not stop the import: they are written to a
rejects file with the line and the reason, and counted in the
:class:`TabularResult`. With ``options["strict"]`` the first bad row raises
:class:`kg.errors.MappingError` instead.

:func:`read` is the small-file path of :func:`kg.ingest.ingest` (it returns
batches held in memory); :mod:`kg.ingest.bulk` streams the same rows into an
on-disk store without holding them.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "deals.csv"
>>> _ = p.write_text("company_name,investor_name,funded_at,raised_amount_usd\\nXpeng,Xiaomi,2019,400000000\\n")
>>> [b] = read(p, store=None, options={})
>>> b.graph, len(b.triples) > 10, b.validated
('https://kg.example.org/graph/source/deals', True, True)
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import MappingError, ParseError
from kg.ontology import source_graph

#: How many rows between two progress callbacks.
PROGRESS_EVERY = 5000
#: Rows whose lines are joined into one chunk of text.
CHUNK_ROWS = 500


@dataclass
class TabularResult:
    """What reading one CSV file did.

    Attributes:
        source: the file.
        graph: its named graph.
        layout: the mapping's name.
        rows: data rows read (the header not counted).
        loaded: rows turned into facts.
        triples: triples written (rows, entities and the source).
        rejected: bad rows.
        reasons: rejected rows by reason (the reason's first words).
        samples: the first few rejects as ``(line, reason)``.
        rejects_file: where the bad rows were written, if any.
    """

    source: str
    graph: str
    layout: str = ""
    rows: int = 0
    loaded: int = 0
    triples: int = 0
    rejected: int = 0
    reasons: Counter = field(default_factory=Counter)
    samples: list = field(default_factory=list)
    rejects_file: str | None = None

    def row(self) -> dict:
        """A summary row for tables and JSON."""
        return {"graph": self.graph, "source": self.source, "layout": self.layout, "rows": self.rows,
                "loaded": self.loaded, "rejected": self.rejected, "triples": self.triples,
                "rejects_file": self.rejects_file, "reasons": dict(self.reasons)}


def choose_mapping(options: dict, header: list[str]):
    """The mapping for a file: ``options["mapping"]``, else ``options["layout"]``, else detected.

    Raises:
        MappingError: the mapping is invalid, or no layout fits the header.
    """
    from kg.ingest.mapping import Mapping, builtin_layout, detect_layout, load_mapping

    m = options.get("mapping")
    if isinstance(m, Mapping):
        return m
    if m:
        return load_mapping(m)
    if options.get("layout"):
        return builtin_layout(options["layout"])
    return detect_layout(header)


#: Below this many rows (estimated), names are looked up one by one in the
#: store's index as they come; above it, every name is read once up front.
#: Either way the answer is the same; the cost follows the smaller side.
LAZY_ROWS = 20_000


def store_resolver(store, replacing=(), *, expected_rows: int | None = None):
    """A ``(name_key, class) -> iri | None`` lookup of the entities already in the store.

    It reads every entity's ``kg:nameKey`` from the derived graph once, so a
    company already known (``Xiaomi`` in the article) keeps its IRI when a
    CSV file names it. Organizations and companies match each other; people
    match people. Entities typed only in the graphs being replaced do not
    count (the import describes them afresh).

    Args:
        store: the store, or None.
        replacing: graph IRIs this import replaces.
        expected_rows: about how many rows will be looked up; a small file
            (below :data:`LAZY_ROWS`) looks names up one by one, so adding ten
            rows to a big store costs ten lookups, not a scan of its entities.

    Returns:
        The lookup function, or None without a store.
    """
    if store is None:
        return None
    if expected_rows is not None and expected_rows < LAZY_ROWS:
        return _lazy_resolver(store, replacing)
    from kg.ontology import DERIVED_GRAPH, KG

    found: dict[tuple[str, bool], str] = {}
    rank: dict[tuple[str, bool], int] = {}
    order = {KG + "Company": 0, KG + "Organization": 1, KG + "Person": 0, KG + "Agent": 2}
    import pyoxigraph as ox

    skip = " ".join(str(ox.NamedNode(g)) for g in (DERIVED_GRAPH, *replacing))
    rows = store.query(
        f"""SELECT ?key ?e ?t WHERE {{
              GRAPH <{DERIVED_GRAPH}> {{ ?e <{KG}nameKey> ?key }}
              VALUES ?t {{ <{KG}Company> <{KG}Organization> <{KG}Person> <{KG}Agent> }}
              GRAPH ?g {{ ?e a ?t }}
              FILTER(?g NOT IN ({skip.replace(" ", ", ")}))
            }}""")
    for r in rows:
        t = r["t"].value
        group = (r["key"].value, t == KG + "Person")
        score = (order[t], r["e"].value)
        if group not in rank or score < (rank[group], found[group]):
            found[group], rank[group] = r["e"].value, order[t]

    def resolve(key: str, cls: str) -> str | None:
        return found.get((key, cls == "Person"))

    return resolve


def _lazy_resolver(store, replacing=()):
    """:func:`store_resolver`, one indexed lookup per distinct name, cached."""
    import pyoxigraph as ox

    from kg.ontology import DERIVED_GRAPH, KG

    skip = ", ".join(str(ox.NamedNode(g)) for g in (DERIVED_GRAPH, *replacing))
    query = (f"SELECT ?e ?t WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?e <{KG}nameKey> ?key }} "
             f"VALUES ?t {{ <{KG}Company> <{KG}Organization> <{KG}Person> <{KG}Agent> }} "
             f"GRAPH ?g {{ ?e a ?t }} FILTER(?g NOT IN ({skip})) }}")
    order = {KG + "Company": 0, KG + "Organization": 1, KG + "Person": 0, KG + "Agent": 2}
    cache: dict[tuple[str, bool], str | None] = {}

    def resolve(key: str, cls: str) -> str | None:
        group = (key, cls == "Person")
        if group not in cache:
            hits = [(order[r["t"].value], r["e"].value) for r in store.query(query, {"key": ox.Literal(key)})
                    if (r["t"].value == KG + "Person") == group[1]]
            cache[group] = min(hits)[1] if hits else None
        return cache[group]

    return resolve


class RejectsWriter:
    """Writes bad rows to a CSV file (``file,line,reason`` then the row), opened on the first one."""

    def __init__(self, path: str | None):
        self.path = path
        self._fh = None
        self._writer = None
        self._header_for = None

    def write(self, source: str, header: list[str], line: int, reason: str, row: list[str]) -> None:
        if self.path is None:
            return
        if self._fh is None:
            self._fh = open(self.path, "w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._fh)
        if self._header_for != source:
            self._writer.writerow(["file", "line", "reason", *header])
            self._header_for = source
        self._writer.writerow([source, line, reason, *row])

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _reason_key(reason: str) -> str:
    for key in ("missing", "unparseable amount", "unparseable date", "impossible date", "duplicate", "bad currency"):
        if reason.startswith(key):
            return key
    return reason.split(" ")[0]


def stream_file(path: Path, *, options: dict, result: TabularResult, rejects: RejectsWriter,
                resolver=None, entities: dict | None = None, progress=None, quads: bool = False):
    """Read one CSV file and yield N-Triples text chunks, a few hundred rows at a time.

    Memory stays flat: rows are converted and yielded as they are read. Only
    a 64-bit hash per row (for duplicates), the deal IRIs and the entity
    names are kept, which grow with the number of distinct rows and entities.

    Args:
        path: the CSV file.
        options: ``mapping``/``layout``, ``strict``, ``delimiter``.
        result: filled in as rows are read.
        rejects: where bad rows go.
        resolver: see :func:`store_resolver`.
        entities: a dict shared by the files of one import.
        progress: called as ``progress(bytes_read, bytes_total)`` now and then.
        quads: yield N-Quads of the facts in ``result.graph`` instead (the
            ingest derives the deals it loads afterwards).

    Yields:
        ``str`` chunks of N-Triples (or N-Quads).

    Raises:
        ParseError: the file cannot be read as CSV.
        MappingError: the mapping does not fit the header, or (strict) a row is bad.
    """
    from kg.ingest.limits import MAX_LINE_BYTES, open_regular
    from kg.ingest.mapping import RowConverter, RowError

    strict = bool(options.get("strict"))
    delimiter = options.get("delimiter") or ("\t" if path.suffix.lower() == ".tsv" else ",")
    csv.field_size_limit(MAX_LINE_BYTES)
    with open_regular(path) as raw:
        total = os.fstat(raw.fileno()).st_size
        reader = csv.reader(_lines(raw, path), delimiter=delimiter)
        header, mapping = _header_and_mapping(reader, path, options)
        result.layout = mapping.name
        conv = RowConverter(mapping, header, str(path), resolver=resolver, entities=entities)
        emitted: set = set()
        gsuffix = f" <{result.graph}> .\n"
        head = conv.header_lines()
        if quads:
            head = [t[:-3] + gsuffix for t in head]
        result.triples += len(head)
        chunk: list[str] = head
        rows_in_chunk = 0
        line = 1
        try:
            for row in reader:
                line = reader.line_num
                if not row or not any(c.strip() for c in row):
                    continue
                result.rows += 1
                try:
                    fact = conv.convert(row, line)
                except RowError as exc:
                    if strict:
                        raise MappingError(f"{path}:{line}: {exc} (--strict: nothing was written)") from None
                    _reject(result, rejects, header, line, str(exc), row)
                    continue
                result.loaded += 1
                chunk += _row_lines(conv, fact, emitted, result, gsuffix if quads else None)
                rows_in_chunk += 1
                if rows_in_chunk >= CHUNK_ROWS:
                    yield "".join(chunk)
                    chunk, rows_in_chunk = [], 0
                    if progress is not None and result.rows % PROGRESS_EVERY < CHUNK_ROWS:
                        progress(raw.tell(), total)
        except UnicodeDecodeError as exc:
            raise ParseError(str(path), f"not UTF-8 text ({exc.reason})", line + 1) from None
        except csv.Error as exc:
            raise ParseError(str(path), f"bad CSV: {exc}", reader.line_num) from None
        if chunk:
            yield "".join(chunk)
        if progress is not None:
            progress(total, total)


def _header_and_mapping(reader, path: Path, options: dict):
    """Read the header row and choose the mapping for it.

    Raises:
        ParseError: no header, or not UTF-8 CSV.
        MappingError: no mapping fits; names the file when the mapping was detected.
    """
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError(str(path), "empty file: no header row") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ParseError(str(path), f"not a UTF-8 CSV file: {exc}", 1) from None
    try:
        return header, choose_mapping(options, header)
    except MappingError as exc:
        if options.get("mapping") or options.get("layout") or str(path) in str(exc):
            raise  # about the mapping file or the layout name, which the message names
        raise MappingError(f"{path}: {exc}") from None


def _row_lines(conv, fact, emitted: set, result: TabularResult, gsuffix: str | None) -> list[str]:
    """The lines of one converted row (new entities first), as N-Triples, or as N-Quads in the
    file's graph when ``gsuffix`` is given."""
    new = conv.entity_lines(fact.entities, emitted)
    result.triples += len(fact.lines) + len(new)
    lines = new + fact.lines
    return lines if gsuffix is None else [t[:-3] + gsuffix for t in lines]


def _reject(result: TabularResult, rejects: RejectsWriter, header: list[str], line: int, reason: str,
            row: list[str]) -> None:
    """Count a bad row in ``result`` and write it to the rejects file."""
    result.rejected += 1
    result.reasons[_reason_key(reason)] += 1
    if len(result.samples) < 20:
        result.samples.append((line, reason))
    rejects.write(result.source, header, line, reason, row)


def _lines(raw, path: Path):
    """The decoded lines of a CSV file, each at most :data:`kg.ingest.limits.MAX_LINE_BYTES` long.

    A bounded ``readline`` keeps a file without newlines (or ``/dev/zero``
    behind a symlink) from being read into memory whole.

    Raises:
        ParseError: a line is too long.
    """
    from kg.ingest.limits import MAX_LINE_BYTES

    n = 0
    while True:
        b = raw.readline(MAX_LINE_BYTES + 1)
        if not b:
            return
        n += 1
        if len(b) > MAX_LINE_BYTES:
            raise ParseError(str(path), f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB; "
                                        "is this a CSV file?", n)
        yield b.decode("utf-8-sig" if n == 1 else "utf-8")


def graph_for(path: Path, options: dict) -> str:
    """The named graph of a CSV file: ``options["graph"]`` or one named after the file."""
    from kg.ingest.rdf import graph_iri

    return graph_iri(options.get("graph")) or source_graph(path.stem)


def read(path: Path, *, store=None, options: dict) -> list:
    """Read one CSV file into one batch (the small-file path, held in memory).

    Args:
        path: the file.
        store: used to resolve names to entities already in the store.
        options: ``mapping`` (YAML path), ``layout``, ``strict``, ``rejects``
            (file for bad rows), ``graph``, ``progress``.

    Returns:
        A one-element list of :class:`kg.ingest.Batch`, marked ``validated``
        (the rows were checked against the mapping, so pySHACL is skipped).
        Its ``facts`` holds the :class:`TabularResult` summary row.

    Raises:
        ParseError, MappingError: see :func:`stream_file`.
    """
    import pyoxigraph as ox

    from kg.ingest import Batch

    graph = graph_for(path, options)
    result = TabularResult(source=str(path), graph=graph)
    rejects = RejectsWriter(default_rejects(path, options))
    try:
        text = "".join(stream_file(path, options=options, result=result, rejects=rejects,
                                   resolver=store_resolver(store, [graph]), progress=options.get("progress")))
    finally:
        rejects.close()
    result.rejects_file = rejects.path if result.rejected else None
    triples = list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    batch = Batch(graph=graph, triples=triples, source=str(path), facts=[])
    batch.validated = True
    batch.tabular = result
    return [batch]


def default_rejects(path: Path, options: dict) -> str | None:
    """Where bad rows go: ``options["rejects"]``, else ``<file>.rejects.csv`` beside the input.

    A dry run writes no rejects file unless one is asked for.
    """
    if options.get("rejects"):
        return str(options["rejects"])
    if options.get("dry_run"):
        return None
    return str(path.with_name(path.stem + ".rejects.csv"))
