"""The main job: build the knowledge graph from ``graphs/sources`` and write the views.

For every document in the sources folder, ``build`` uses its curated graph
(``graphs/<name>.ttl``) when there is one, and otherwise reads the document
with the matching ingest reader (news text, CSV, RDF). It also loads the
ontology and the background graph (``graphs/background.ttl``). Everything is
validated against the shapes, then written, with the derived edges, in one
transaction. Finally it dumps the dataset to ``graphs/kg.trig`` and writes the
interactive HTML views (:func:`kg.drawing.write_standard_views`).

>>> from kg.stores import open_store
>>> import tempfile, pathlib
>>> build(open_store("memory:"), pathlib.Path(tempfile.mkdtemp()))
Traceback (most recent call last):
...
kg.errors.KgError: no sources folder at .../graphs/sources; run 'kg build' in the project root or pass --root
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.ontology import DERIVED_GRAPH, PREFIXES

TEXT_KINDS = {".txt", ".md", ".markdown", ".html", ".htm"}


@dataclass
class BuildReport:
    """What ``build`` did.

    Attributes:
        graphs: one row per named graph written: ``graph``, ``source``, ``triples``.
        derived: the number of derived triples.
        violations: SHACL violations (only non-empty with ``force``).
        written: files written (the dataset dump and the HTML views).
    """

    graphs: list[dict] = field(default_factory=list)
    derived: int = 0
    violations: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(g["triples"] for g in self.graphs)


def plan_inputs(root: Path) -> list[Path]:
    """The files a build reads, in order: the background graph, then each source (or its curated graph).

    Args:
        root: the project folder holding ``graphs/``.

    Returns:
        Paths to ingest.

    Raises:
        KgError: there is no ``graphs/sources`` folder under ``root``.
    """
    graphs = root / "graphs"
    sources = graphs / "sources"
    if not sources.is_dir():
        raise KgError(f"no sources folder at {sources}; run 'kg build' in the project root or pass --root")
    inputs: list[Path] = []
    background = graphs / "background.ttl"
    if background.is_file():
        inputs.append(background)
    for doc in sorted(p for p in sources.iterdir() if p.is_file() and not p.name.startswith(".")):
        curated = graphs / f"{doc.stem}.ttl"
        if doc.suffix.lower() in TEXT_KINDS and curated.is_file():
            inputs.append(curated)
        else:
            inputs.append(doc)
    return inputs


def build(store, root: Path | str = ".", *, views: bool = True, dump: bool = True, force: bool = False,
          clean: bool = False) -> BuildReport:
    """Build the graph of ``root/graphs/sources`` into ``store`` and write the outputs.

    Args:
        store: an open, writable store.
        root: the project folder (holding ``graphs/``).
        views: write the interactive HTML views into ``root/graphs``.
        dump: write the whole dataset to ``root/graphs/kg.trig``.
        force: load even if the data violates the shapes.
        clean: empty the store first, so it holds exactly this build.

    Returns:
        A :class:`BuildReport`.

    Raises:
        ParseError: a file cannot be parsed; the store is unchanged.
        ValidationError: the data violates the shapes; the store is unchanged.
    """
    from kg.disagreement import flag_update
    from kg.ingest import ontology_graph, read_sources
    from kg.ingest.pipeline import meta_update
    from kg.rules import derive_update, derived_count
    from kg.stores import raw_store
    from kg.validate import check_batches

    root = Path(root)
    inputs = plan_inputs(root)
    # The project's own corpus keeps plain graph names (graph/source/<stem>).
    batches = read_sources(inputs, store=store, options={"names": {str(p): p.stem for p in inputs}})
    violations = check_batches(batches, store=None if clean else store, force=force)
    # Checked before anything is written: a view naming an unknown entity fails the build, not half of it.
    specs = plan_views(root / "graphs", batches, None if clean else store) if views else None
    graphs: dict[str, list] = ontology_graph()
    for b in batches:
        graphs.setdefault(b.graph, []).extend(b.triples)
    then = " ;\n".join([derive_update(), flag_update(), meta_update([(b.graph, b.identity, b.sha256, b.kind)
                                                                      for b in batches])])
    if clean:
        # Every other graph is replaced by nothing: still one all-or-nothing change, on every
        # backend, and a server's own graphs (Virtuoso's) are left alone, unlike DROP ALL.
        for g in store.named_graphs():
            graphs.setdefault(g, [])
    # replace_graphs, not one update: a remote store stages a change too large for one request.
    store.replace_graphs(graphs, then=then)
    store.flush()
    if raw_store(store) is not None:
        from kg.totals import recompute

        # After the commit: totals stamped with an older version are never read (kg.totals).
        recompute(store)
    report = BuildReport(
        graphs=[{"graph": g, "triples": len(t)} for g, t in graphs.items()],
        derived=derived_count(store),
        violations=violations,
    )
    out = root / "graphs"
    if dump:
        path = out / "kg.trig"
        path.write_bytes(sorted_dump(store, list(graphs) + [DERIVED_GRAPH]))
        report.written.append(str(path))
    if views:
        from kg.drawing import write_standard_views

        report.written += [str(p) for p in write_standard_views(store, out, specs)]
    return report


def plan_views(graphs_dir: Path, batches, store=None) -> list[dict] | None:
    """The standard views of ``graphs_dir/views.yaml``, with every entity name they use checked.

    A name must be the label or alias of an entity in ``batches`` (or, when
    ``store`` is given, an entity the store already knows).

    Args:
        graphs_dir: the ``graphs/`` folder.
        batches: what the build is about to write.
        store: the store being added to, or ``None`` for a clean build.

    Returns:
        The view specs, or ``None`` when there is no ``views.yaml`` (the views
        then come from the data, after the write).

    Raises:
        VizError: ``views.yaml`` is malformed, or a view names an entity the build does not have.
    """
    from kg.drawing.views import load_view_specs, view_names
    from kg.entities import find_entity
    from kg.errors import UnknownEntityError, VizError
    from kg.ontology import RDFS, SKOS
    from kg.resolve import name_key

    specs = load_view_specs(graphs_dir)
    if not specs or any(getattr(b, "tabular", None) is not None and not b.triples for b in batches):
        return specs  # rows are turned into triples while writing: names are checked then
    names = {RDFS + "label", SKOS + "altLabel"}
    known = {name_key(t.object.value) for b in batches for t in b.triples if t.predicate.value in names}
    for name in view_names(specs):
        if name_key(name) in known or "://" in name:
            continue
        try:
            if store is None:
                raise UnknownEntityError(name)
            find_entity(store, name)
        except UnknownEntityError:
            raise VizError(f"{graphs_dir / 'views.yaml'}: unknown entity {name!r}: no source of this build "
                           "names it (fix the view or remove views.yaml to choose views from the data)") from None
    return specs


def sorted_dump(store, graphs: list[str]) -> bytes:
    """TriG of the given named graphs with quads in a fixed order, so the same data
    always gives the same bytes (a store's own dump order depends on its history).

    Args:
        store: an open store.
        graphs: the named graph IRIs to include.

    Returns:
        The TriG text, as bytes.
    """
    import pyoxigraph as ox

    def key(q):
        return (q.graph_name.value, str(q.subject), str(q.predicate), str(q.object))

    quads = []
    for g in graphs:
        rows = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(g)})
        quads.extend(ox.Quad(r["s"], r["p"], r["o"], ox.NamedNode(g)) for r in rows)
    quads.sort(key=key)
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
