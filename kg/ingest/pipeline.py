"""The one ingest path: plan, guard, read, load, derive, validate, commit — for every source, store and size.

1. **Plan.** Each path becomes a :class:`Source` with an identity (its
   resolved path as a ``file:`` URI) and a graph keyed by that identity
   (``deals.csv`` → ``…/graph/source/deals-1a2b3c4d``), so two files called
   ``deals.csv`` in different folders never overwrite each other. ``kg build``
   names its own graphs.
2. **Guard.** A graph that another source loaded, and the reserved graphs
   (ontology, derived, judgements, meta, background), are replaced only when
   the caller names them in ``replace``; the error says who loaded the graph.
3. **Load** every source into a working copy of an on-disk store (a RocksDB
   checkpoint, then Oxigraph's bulk loader), or, for an in-memory or remote
   store, into one SPARQL Update.
4. **Derive** incrementally: the deals and labelled nodes among the subjects
   of the old and new versions of the changed graphs are re-derived, and
   nothing else. On an embedded store that is :func:`kg.ingest.rederive.rederive`
   (deal by deal, through the rules' Python twin, keeping an edge that an
   unchanged deal still supports); on a remote one, SPARQL updates with the
   nodes bound (:func:`kg.rules.underive_update`,
   :func:`kg.rules.derive_deals_update`). The conflict flags of the deals
   follow (:func:`kg.disagreement.flag_update`).
5. **Validate** the new data against the shapes, with what the store says
   about the nodes it links to; violations abort unless ``force``.
6. **Commit**: swap the copy in with one atomic rename, or run the update.
   The meta graph records who loaded each graph and bumps the store version.

A failure or a kill at any step leaves the store exactly as it was.

>>> from kg.stores import open_store
>>> store = open_store("memory:")
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.ttl"
>>> _ = p.write_text('<https://kg.example.org/id/company/acme> a <https://kg.example.org/ontology#Company> ;'
...                  ' <http://www.w3.org/2000/01/rdf-schema#label> "Acme" .')
>>> report = run(store, [p])
>>> report.committed, report.batches[0].graph.rsplit("/", 1)[1].startswith("tiny-")
(True, True)
>>> run(store, [p]).committed      # the same file again replaces its own graph
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kg.errors import KgError, ReplaceRefusedError
from kg.formats import SourceKind


@dataclass(frozen=True)
class Source:
    """One input of an ingest.

    Attributes:
        path: the file or folder.
        kind: which reader reads it.
        identity: what the source is, whatever it is called: its resolved
            path as a ``file:`` URI.
        name: the key of its graph and source node.
    """

    path: Path
    kind: SourceKind
    identity: str
    name: str

    @property
    def graph(self) -> str:
        """The named graph its statements go to."""
        from kg.schema import source_graph

        return source_graph(self.name)


def source_name(path: Path, identity: str) -> str:
    """The graph key of a source: its file stem plus a short hash of its identity.

    >>> source_name(Path("a/deals.csv"), "file:///a/deals.csv")
    'deals-a221a686'
    """
    from kg.schema import slugify

    return f"{slugify(path.stem)}-{hashlib.sha1(identity.encode()).hexdigest()[:8]}"


def plan_sources(paths, options: dict) -> list[Source]:
    """Turn paths into sources, each with its identity and graph.

    Args:
        paths: files or folders.
        options: ``names`` maps a path (as given) to a fixed graph key
            (``kg build`` uses the file stems of its own corpus);
            ``identities`` maps a path to the identity to use instead of its
            location (standard input is known by its content's hash).

    Raises:
        KgError: a path does not exist.
        FormatError: kg cannot read files of that suffix.
    """
    names = options.get("names") or {}
    identities = options.get("identities") or {}
    out = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise KgError(f"{path}: no such file or directory")
        identity = identities.get(str(raw)) or path.resolve().as_uri()
        out.append(Source(path, SourceKind.of(path), identity, names.get(str(raw)) or source_name(path, identity)))
    return out


def reserved_graphs() -> dict[str, str]:
    """The graphs no ingest replaces unless told to, each with why it is reserved."""
    from kg.schema import BACKGROUND_GRAPH, DERIVED_GRAPH, JUDGEMENTS_GRAPH, META_GRAPH, ONTOLOGY_GRAPH

    return {
        ONTOLOGY_GRAPH: "the ontology", DERIVED_GRAPH: "the derived edges", JUDGEMENTS_GRAPH: "the review judgements",
        META_GRAPH: "the store's record of its sources", BACKGROUND_GRAPH: "the curated background",
    }


def loaded_from(store, graphs) -> dict[str, str]:
    """Who loaded each of ``graphs``: graph IRI → source identity, from the meta graph."""
    import pyoxigraph as ox

    from kg.schema import META_GRAPH

    graphs = sorted(set(graphs))
    if not graphs:
        return {}
    values = " ".join(str(ox.NamedNode(g)) for g in graphs)
    rows = store.query(f"SELECT ?g ?id WHERE {{ VALUES ?g {{ {values} }} GRAPH <{META_GRAPH}> {{ ?g kg:loadedFrom ?id }} }}")
    return {r["g"].value: r["id"].value for r in rows}


def guard(store, targets: dict[str, str], replace=()) -> None:
    """Refuse to replace what belongs to someone else.

    Args:
        store: the store written to.
        targets: graph IRI → identity of the source about to write it.
        replace: graph IRIs the caller explicitly allows to replace.

    Raises:
        ReplaceRefusedError: a target is reserved, or holds another source's
            data; the message names the graph, its owner and the way past.
    """
    from kg.schema import compact

    replace = set(replace)
    reserved = reserved_graphs()
    existing = set(store.named_graphs())
    owners = loaded_from(store, [g for g in targets if g in existing])
    for graph, identity in targets.items():
        if graph in replace:
            continue
        if graph in reserved:
            raise ReplaceRefusedError(f"refusing to write {compact(graph)}: it holds {reserved[graph]}; "
                                      f"pass --replace {compact(graph)} if you mean it")
        if graph in existing and owners.get(graph) != identity:
            who = owners.get(graph) or "an unknown source"
            raise ReplaceRefusedError(f"refusing to replace {compact(graph)}: it holds {who}; "
                                      f"pass --replace {compact(graph)} if you mean it")


def meta_update(records) -> str:
    """The update that records who loaded each graph, and bumps the store's version.

    Args:
        records: ``(graph, identity, sha256 or None, kind)`` tuples.
    """
    import pyoxigraph as ox

    from kg.schema import DCTERMS, KG, META_GRAPH, XSD

    m = f"<{META_GRAPH}>"
    now = ox.Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=ox.NamedNode(XSD + "dateTime"))
    parts, lines = [], []
    graphs = " ".join(str(ox.NamedNode(r[0])) for r in records)
    if graphs:
        parts.append(f"DELETE {{ GRAPH {m} {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {graphs} }} GRAPH {m} {{ ?g ?p ?o }} }}")
    for graph, identity, sha, kind in records:
        g = ox.NamedNode(graph)
        lines.append(f"{g} <{KG}loadedFrom> {ox.Literal(identity)} ; <{KG}sourceKind> {ox.Literal(kind)} ; "
                     f"<{DCTERMS}modified> {now}" + (f" ; <{KG}sha256> {ox.Literal(sha)}" if sha else "") + " .")
    if lines:
        parts.append(f"INSERT DATA {{ GRAPH {m} {{ {' '.join(lines)} }} }}")
    from kg.snapshot import bump_version_update

    parts.append(bump_version_update())
    return " ;\n".join(parts)


def graph_nodes(store, graphs) -> set[str]:
    """Every IRI in subject or object position in ``graphs`` of ``store``."""
    import pyoxigraph as ox

    out: set[str] = set()
    for g in sorted(set(graphs)):
        node = ox.NamedNode(g)
        rows = store.query(f"SELECT DISTINCT ?x WHERE {{ GRAPH {node} {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }} "
                           "FILTER(isIRI(?x)) }")
        out.update(r["x"].value for r in rows)
    return out


def _links(store, nodes, *, reverse: bool) -> dict[str, set[str]]:
    """Role links of ``nodes``: node → its role players (a deal's), or, with ``reverse``, → the deals it plays in.

    Read with one index lookup per node (the embedded store), or a SPARQL
    lookup per batch (a remote one); either way the cost follows the nodes.
    """
    import pyoxigraph as ox

    from kg.schema import KG, load

    roles = {KG + r for r in load().role_names}
    out: dict[str, set[str]] = {}
    from kg.stores import raw_store

    raw = raw_store(store)
    if raw is not None:
        for n in nodes:
            node = ox.NamedNode(n)
            quads = raw.quads_for_pattern(None, None, node) if reverse else raw.quads_for_pattern(node, None, None)
            for q in quads:
                term = q.subject if reverse else q.object
                if q.predicate.value in roles and isinstance(term, ox.NamedNode):
                    out.setdefault(n, set()).add(term.value)
        return out
    role_values = " ".join(f"<{r}>" for r in sorted(roles))
    nodes = sorted(set(nodes))
    pattern = "?x ?role ?n" if reverse else "?n ?role ?x"
    for i in range(0, len(nodes), 2000):
        values = " ".join(str(ox.NamedNode(n)) for n in nodes[i:i + 2000])
        for r in store.query(f"SELECT ?n ?x WHERE {{ VALUES ?n {{ {values} }} VALUES ?role {{ {role_values} }} "
                             f"{pattern} . FILTER(isIRI(?x)) }}"):
            out.setdefault(r["n"].value, set()).add(r["x"].value)
    return out


def role_players(store, nodes) -> set[str]:
    """The entities that play a role in any deal among ``nodes``, in any graph."""
    return set().union(*_links(store, nodes, reverse=False).values())


def affected(store, nodes) -> tuple[set[str], set[str]]:
    """The deals to re-derive and the nodes whose derived triples to replace, for a change to ``nodes``.

    The deals are those among ``nodes`` and every deal in which a player of
    theirs, or an entity among ``nodes``, plays a role; the nodes are
    ``nodes``, those players and those deals.
    """
    forward = _links(store, nodes, reverse=False)
    deals = set(forward)
    players = set().union(*forward.values()) | (set(nodes) - deals)
    for linked in _links(store, players, reverse=True).values():
        deals |= linked
    return deals, set(nodes) | players | deals


def touched_nodes(store, replaced_graphs, new_triples) -> set[str]:
    """The nodes an ingest changes: those of the old contents of the replaced graphs and of the new triples."""
    nodes = graph_nodes(store, replaced_graphs)
    for t in new_triples:
        for term in (t.subject, t.object):
            if type(term).__name__ == "NamedNode":
                nodes.add(term.value)
    return nodes


def new_deals(triples) -> set[str]:
    """The subjects of role statements among ``triples``: deals the change describes, old or new."""
    from kg.schema import KG, load

    roles = {KG + r for r in load().role_names}
    return {t.subject.value for t in triples
            if t.predicate.value in roles and type(t.subject).__name__ == "NamedNode"}


def derive_and_flag_update(deals, nodes) -> str:
    """The incremental derivation of ``deals`` and ``nodes`` (see :func:`affected`) and the conflict flags of the deals."""
    import pyoxigraph as ox

    from kg.disagreement import flag_update
    from kg.rules import derive_deals_update, underive_update

    parts = [underive_update(nodes), derive_deals_update(deals, nodes)]
    if deals:
        values = " ".join(str(ox.NamedNode(n)) for n in sorted(deals))
        parts.append(flag_update(f"VALUES ?deal {{ {values} }}"))
    return " ;\n".join(x for x in parts if x)


#: Graphs up to this many triples are validated apart from the store (the
#: cost follows the new data); bigger ones are validated in place.
SMALL_GRAPH = 50_000
#: Past this many changed deals, re-deriving everything (streamed into the
#: bulk loader) is cheaper than re-deriving deal by deal. The result is the same.
FULL_DERIVE_DEALS = 200_000
#: The same threshold in statements: a change this big is rebuilt without first listing its deals.
FULL_DERIVE_QUADS = 2_000_000


def _on_disk(store) -> bool:
    from kg.stores import raw_store

    return raw_store(store) is not None and store.location != "memory:"


def _streamed(src: Source) -> bool:
    """Whether a source is loaded by streaming into the copy (not held in memory)."""
    from kg.formats import RdfFormat

    if src.kind is SourceKind.TABLE:
        return True
    if src.kind is SourceKind.RDF:
        fmt = RdfFormat.from_suffix(src.path.suffix)
        return fmt in (RdfFormat.TURTLE, RdfFormat.NTRIPLES)
    return False


def read_source(src: Source, store, options: dict) -> list:
    """Read one source into batches held in memory, each tagged with its source's identity and kind."""
    from kg.ingest import reader_for

    opts = {k: v for k, v in options.items() if k != "job"}
    opts.setdefault("graph", src.graph)
    opts["source_name"], opts["source_identity"] = src.name, src.identity
    batches = reader_for(src.path).read(src.path, store=store, options=opts)
    for b in batches:
        if b.identity is None:
            b.identity = src.identity if b.graph == src.graph else f"{src.identity}#{b.graph.rsplit('/', 1)[-1]}"
        b.kind = src.kind.value
    return batches


def _records(batches, streamed) -> list[tuple]:
    """Meta records ``(graph, identity, sha256, kind)`` of in-memory batches and streamed sources."""
    out = [(b.graph, b.identity, getattr(b, "sha256", None), b.kind) for b in batches]
    return out + [(g, s.identity, None, s.kind.value) for s, g in streamed]


def derive_by_deal(old, new, graphs, before, size: int, job=None, subjects: set | None = None) -> int | None:
    """Re-derive what a change to ``graphs`` touches in the on-disk working copy ``new``
    (:func:`kg.ingest.rederive.rederive`).

    Args:
        old: the store as it stands (read only).
        new: the working copy, with the change made.
        graphs: the graphs the change loaded.
        before: ``(deals, labelled)`` of what it removed, read from ``old``.
        size: how many statements it loaded.
        job: progress, ticked per step.
        subjects: if given, gets the IRI subjects of ``graphs`` when it reads them (not for a whole rebuild).

    A change of more than :data:`FULL_DERIVE_QUADS` statements or
    :data:`FULL_DERIVE_DEALS` deals (a big new source), or one to a store
    that held no deal (every deal is new), rebuilds the derived graph
    instead, streamed: the result is the same.

    Returns:
        How many statements the derived graph gained, or None when it was rebuilt.
    """
    from kg.ingest.rederive import changed_subjects, has_deals, rederive

    deals = labelled = set()
    net = None
    whole = size > FULL_DERIVE_QUADS or not has_deals(old)
    if not whole:
        deals, labelled = changed_subjects(new, graphs, subjects)
    if whole or len(deals | before[0]) > FULL_DERIVE_DEALS:
        derive_all_streamed(new)
    else:
        net = rederive(old, new, deals | before[0], labelled | before[1], job)
    if job is not None:
        job.done("derive")
    return net


def keep_totals(old, new, graphs, subjects: set[str], derived_change: int | None) -> None:
    """Bring the totals of the working copy ``new`` up to date (:mod:`kg.totals`), after its version was bumped.

    Args:
        old: the store as it stands (read only).
        new: the working copy, changed, derived and with its meta graph written.
        graphs: the graphs the change loaded.
        subjects: the IRI subjects of those graphs, before and after the change
            (:func:`kg.ingest.rederive.changed_subjects` gathered them).
        derived_change: what :func:`derive_by_deal` returned (None: rebuilt whole).
    """
    from kg import totals
    from kg.schema import DERIVED_GRAPH

    if not totals.current(old):
        totals.recompute(new)
        return
    counted = sorted(set(graphs)) + [DERIVED_GRAPH]
    if derived_change is None or len(subjects) > totals.RECOMPUTE_SUBJECTS:
        totals.recompute(new, graphs=counted)
        return
    counts = {g: totals.count_graph(new, g) for g in sorted(set(graphs))}
    totals.apply(new, totals.deal_delta(old.raw, new.raw, subjects), counts, derived_change)


def derive_all_streamed(store) -> None:
    """Rebuild the whole derived graph (and the conflict flags) of an on-disk working copy in flat memory."""
    import pyoxigraph as ox

    from kg.disagreement import flag_update
    from kg.ingest.bulk import release_memory
    from kg.rules import derive_constructs
    from kg.schema import DERIVED_GRAPH

    g = ox.NamedNode(DERIVED_GRAPH)
    store.raw.remove_graph(g)
    for query in derive_constructs():
        store.raw.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, g)
                              for t in store.raw.query(query, use_default_graph_as_union=True))
        release_memory()
    if may_conflict(store.raw):
        store.update(flag_update(), prefixes=False)


def may_conflict(raw) -> bool:
    """Whether two graphs of ``raw`` (the derived graph aside) state one of the properties that conflict flags compare.

    A flag says that two source graphs give a deal different values of one
    property (:mod:`kg.disagreement`), so with no property stated in two
    graphs there is none to set: a first big load skips the search for them
    (45 s at 1M deals). One index lookup per graph and property.
    """
    import pyoxigraph as ox

    from kg.disagreement import PROPERTIES
    from kg.schema import DERIVED_GRAPH, KG

    graphs = [g for g in raw.named_graphs() if g != ox.NamedNode(DERIVED_GRAPH)]
    for prop in PROPERTIES:
        p = ox.NamedNode(KG + prop)
        if sum(1 for g in graphs if next(iter(raw.quads_for_pattern(None, p, None, g)), None) is not None) > 1:
            return True
    return False


def run(store, paths, *, dry_run: bool = False, force: bool = False, replace=(), options: dict | None = None):
    """Ingest files into the store as one atomic change. See the module documentation.

    Args:
        store: a writable store (a dry run may use a read-only one).
        paths: files or folders.
        dry_run: read and validate, write nothing (not even a rejects file).
        force: load data that violates the shapes (the violations are reported).
        replace: graph IRIs this ingest may replace although another source,
            or nobody (a reserved graph), owns them.
        options: reader options (``graph``, ``min_confidence``, ``mapping``,
            ``layout``, ``strict``, ``rejects``, ``progress``, ``names``).

    Returns:
        A :class:`kg.ingest.IngestReport`.

    Raises:
        ParseError, MappingError, ExtractionError: a source cannot be read.
        ReplaceRefusedError: a graph belongs to another source or is reserved.
        ValidationError: the data violates the shapes and ``force`` is false.
        StoreError: the store cannot be written.
        In every case nothing was written.
    """
    from kg.progress import Stages

    options = dict(options or {})
    if dry_run:
        options["dry_run"] = True
    options["job"] = Stages(options.pop("progress", None),
                            {"read": 3, "load": 5, "validate": 1, "derive": 1, "commit": 1})
    sources = plan_sources(paths, options)
    if dry_run or not _on_disk(store):
        return _in_one_update(store, sources, options, force=force, replace=replace, dry_run=dry_run)
    return _in_a_copy(store, sources, options, force=force, replace=replace)


def _in_one_update(store, sources, options, *, force, replace, dry_run):
    """Memory and remote stores (and dry runs): read everything, then one update."""
    from kg.ingest import IngestReport, ontology_graph
    from kg.schema import ONTOLOGY_GRAPH
    from kg.stores import raw_store
    from kg.validate import check_batches

    job = options["job"]
    batches = []
    for i, s in enumerate(sources):
        batches += read_source(s, store, options)
        job("read", i + 1, len(sources))
    report = IngestReport(batches=batches)
    guard(store, {b.graph: b.identity for b in batches}, replace)
    report.violations = check_batches([b for b in batches if not b.validated], store=store, force=force)
    if dry_run or not batches:
        return report
    existing = set(store.named_graphs())
    graphs: dict[str, list] = {} if ONTOLOGY_GRAPH in existing else ontology_graph()
    for b in batches:
        graphs.setdefault(b.graph, []).extend(b.triples)
    triples = [t for b in batches for t in b.triples]
    deals, nodes = affected(store, touched_nodes(store, [g for g in graphs if g in existing], triples))
    fresh = new_deals(triples)
    then = [derive_and_flag_update(deals | fresh, nodes | fresh), meta_update(_records(batches, []))]
    store.replace_graphs(graphs, then=" ;\n".join(x for x in then if x))
    store.flush()
    if raw_store(store) is not None:
        from kg.totals import recompute

        # An in-memory store: small, so its totals are counted whole.
        recompute(store)
    job.done("commit")
    report.committed = True
    return report


def _in_a_copy(store, sources, options, *, force, replace):
    """On-disk stores: load into a checkpoint copy, derive and validate there, then swap it in."""
    from kg.ingest import IngestReport
    from kg.ingest.bulk import exchange, in_a_copy, release_memory

    job = options["job"]
    memory = [s for s in sources if not _streamed(s)]
    streamed = [s for s in sources if _streamed(s)]
    batches = []
    for i, s in enumerate(memory):
        batches += read_source(s, store, options)
        job("read", i + 1, len(memory))
    targets = {b.graph: b.identity for b in batches}
    targets.update({options.get("graph") or s.graph: s.identity for s in streamed})
    guard(store, targets, replace)
    report = IngestReport(batches=batches)
    report.violations = _check(batches, store, force)
    existing = set(store.named_graphs())
    replaced = [g for g in targets if g in existing]
    # The deals and labelled nodes of what the change removes, read from the store as it stands now.
    from kg.ingest.rederive import changed_subjects

    subjects: set[str] = set()
    before = changed_subjects(store, replaced, subjects)
    loaded: list[tuple] = []

    def load(work: str) -> None:
        import pyoxigraph as ox

        from kg.stores.oxigraph import OxigraphStore

        copy = OxigraphStore.over(ox.Store(work), work)
        try:
            _fill(copy, batches, streamed, replaced, options, report, loaded, force)
            # … and of what it adds, read from the working copy.
            net = derive_by_deal(store, copy, targets, before, sum(b.size for b in report.batches), job, subjects)
            release_memory()
            copy.update(meta_update(_records(batches, loaded)), prefixes=False)
            keep_totals(store, copy, targets, subjects, net)
            copy.raw.flush()
        finally:
            copy.close()

    in_a_copy(store, load, exchange)
    job.done("commit")
    report.committed = True
    return report


def _check(batches, store, force) -> list[str]:
    from kg.validate import check_batches

    return check_batches([b for b in batches if not b.validated], store=store, force=force)


def _fill(copy, batches, streamed, replaced, options, report, loaded, force) -> None:
    """Put the new data into the working copy: drop what is replaced, add the batches, stream the files."""
    import pyoxigraph as ox

    from kg.ingest import ontology_graph
    from kg.schema import ONTOLOGY_GRAPH

    if replaced:
        copy.update(" ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in replaced), prefixes=False)
    if ONTOLOGY_GRAPH not in copy.named_graphs():
        copy.raw.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
                             for g, ts in ontology_graph().items() for t in ts)
    copy.raw.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(b.graph))
                    for b in batches for t in b.triples)
    for src in streamed:
        graph = options.get("graph") or src.graph
        if src.kind is SourceKind.TABLE:
            _stream_table(copy, src, graph, options, report, force)
        else:
            _stream_rdf(copy, src, graph, report, force)
            options["job"]("load", 1, 1)
        loaded.append((src, graph))


def _stream_rdf(copy, src: Source, graph: str, report, force: bool) -> None:
    """Bulk-load a Turtle or N-Triples file into its graph in the copy, then validate it there."""
    import pyoxigraph as ox

    from kg.errors import ParseError
    from kg.formats import RdfFormat
    from kg.ingest import Batch
    from kg.ingest.bulk import release_memory
    from kg.ingest.rdf import check_file, check_loaded
    from kg.totals import count_graph

    fmt = RdfFormat.from_suffix(src.path.suffix).oxigraph()
    triple_terms = check_file(src.path, graph)
    try:
        copy.raw.bulk_load(path=str(src.path), format=fmt, to_graph=ox.NamedNode(graph),
                           base_iri=src.path.resolve().as_uri())
    except SyntaxError as exc:
        raise ParseError(str(src.path), str(exc), getattr(exc, "lineno", None)) from None
    release_memory()
    check_loaded(copy.raw, graph, src.path, triple_terms)
    batch = Batch(graph=graph, triples=[], source=str(src.path), validated=True)
    batch.identity, batch.kind = src.identity, src.kind.value
    batch.count = count_graph(copy, graph)
    report.batches.append(batch)
    _validate_in_copy(copy, src, graph, report, force, batch.count)
    release_memory()


def _stream_table(copy, src: Source, graph: str, options: dict, report, force: bool) -> None:
    """Stream a CSV file's rows into the copy (see :mod:`kg.ingest.tabular`)."""
    import io

    import pyoxigraph as ox

    from kg.errors import StoreError
    from kg.ingest import Batch
    from kg.ingest.bulk import _TextStream, release_memory
    from kg.ingest.tabular import RejectsWriter, TabularResult, store_resolver, stream_file

    opts = {**{k: v for k, v in options.items() if k != "job"}, "graph": graph}
    result = TabularResult(source=str(src.path), graph=graph)
    rejects_path = options.get("rejects") or str(src.path.with_name(src.path.stem + ".rejects.csv"))
    rejects = RejectsWriter(rejects_path)
    job = options["job"]

    def progress(done, total):
        job("load", done, total)

    try:
        stream = stream_file(src.path, options=opts, result=result, rejects=rejects,
                             resolver=store_resolver(copy, [graph], expected_rows=src.path.stat().st_size // 80),
                             entities={}, progress=progress, quads=True)
        source = _TextStream(stream)
        try:
            copy.raw.bulk_load(input=io.BufferedReader(source, 1 << 20), format=ox.RdfFormat.N_QUADS, lenient=True)
        except (OSError, SyntaxError, ValueError) as exc:
            if source.error is not None:
                raise source.error from None
            raise StoreError(f"{src.path}: bulk load failed: {exc}") from None
        if source.error is not None:
            raise source.error
    finally:
        rejects.close()
    result.rejects_file = rejects_path if result.rejected else None
    batch = Batch(graph=graph, triples=[], source=str(src.path), validated=True, tabular=result)
    batch.identity, batch.kind = src.identity, src.kind.value
    report.batches.append(batch)
    release_memory()
    _validate_in_copy(copy, src, graph, report, force)
    release_memory()


def _validate_in_copy(copy, src: Source, graph: str, report, force: bool, count: int | None = None) -> None:
    """Check a graph streamed into the working copy against the shapes, with what the store says about its nodes."""
    import pyoxigraph as ox

    from kg.errors import ValidationError
    from kg.ingest import Batch
    from kg.totals import count_graph
    from kg.validate import check_batches, validate_graphs

    if (count_graph(copy, graph) if count is None else count) <= SMALL_GRAPH:
        # A small graph is checked apart, with what the store says about its
        # nodes (kg.validate.check_batches): the cost follows the new data.
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in copy.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
        violations = check_batches([Batch(graph=graph, triples=triples, source=str(src.path))], store=copy,
                                   force=True)
    else:
        from kg.schema import DERIVED_GRAPH, JUDGEMENTS_GRAPH, META_GRAPH, ONTOLOGY_GRAPH, TOTALS_GRAPH

        others = set(copy.named_graphs()) - {graph, DERIVED_GRAPH, JUDGEMENTS_GRAPH, META_GRAPH, ONTOLOGY_GRAPH,
                                             TOTALS_GRAPH}
        violations = validate_graphs(copy, [graph], whole=not others).violations
    if violations:
        if not force:
            raise ValidationError(violations, source=str(src.path))
        report.violations.extend(violations)
