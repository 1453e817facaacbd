"""Read RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) into batches.

Triples of a file go to the named graph of that source, named after the file
(``deals.ttl`` → ``…/graph/source/deals``) unless ``options["graph"]`` says
otherwise. Quads in TriG or N-Quads keep their own graphs; triples in their
default graph go to the file's graph.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.ttl"
>>> _ = p.write_text("<urn:a> <urn:b> 'c' .")
>>> [(b.graph, len(b.triples)) for b in read(p, store=None, options={})]
[('https://kg.example.org/graph/source/tiny', 1)]
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import ParseError
from kg.ontology import source_graph


def parse_file(path: Path, fmt: str | None = None) -> list:
    """Parse an RDF file into pyoxigraph quads, all at once, so errors surface before any write.

    The file must be a regular file of at most :data:`kg.ingest.limits.MAX_RDF_BYTES`,
    within the nesting and entity limits of :func:`kg.ingest.limits.check_rdf_text`;
    RDF 1.2 triple terms are refused (kg's shapes and queries do not handle
    them) and literals must hold valid values (:func:`kg.ingest.values.literal_problem`).

    Args:
        path: the file.
        fmt: a format name (``turtle`` …); by default guessed from the suffix.

    Returns:
        A list of ``pyoxigraph.Quad``.

    Raises:
        ParseError: the file is not valid or breaks a limit; names the file,
            the line and column where known, and the reason.
    """
    import pyoxigraph as ox

    from kg.errors import KgError
    from kg.formats import rdf_format
    from kg.ingest.limits import MAX_RDF_BYTES, check_rdf_text, read_limited

    try:
        rdf_fmt = rdf_format(fmt or ("jsonld" if path.suffix.lower() == ".json" else path.suffix))
    except KgError as exc:
        raise ParseError(str(path), str(exc)) from None
    data = read_limited(path, MAX_RDF_BYTES, "an RDF file read in memory")
    check_rdf_text(data, rdf_fmt.name, str(path))
    try:
        quads = list(ox.parse(data, format=rdf_fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as exc:
        reason = str(exc)
        # pyoxigraph prefixes the position; keep the reason short and put the position in our own form.
        if ": " in reason and reason.startswith("Parser error"):
            reason = reason.split(": ", 1)[1]
        raise ParseError(str(path), reason, getattr(exc, "lineno", None), getattr(exc, "offset", None)) from None
    except UnicodeDecodeError as exc:
        raise ParseError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (OSError, ValueError) as exc:
        raise ParseError(str(path), str(exc)) from None
    check_quads(quads, str(path))
    return quads


def check_quads(quads: list, where: str) -> None:
    """Refuse RDF 1.2 triple terms and invalid values (see :func:`kg.ingest.values.literal_problem`).

    Raises:
        ParseError: the first problem, with the subject and property it is on.

    >>> import pyoxigraph as ox
    >>> t = ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c"))
    >>> check_quads([ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), t)], "x.ttl")
    Traceback (most recent call last):
    ...
    kg.errors.ParseError: x.ttl: RDF 1.2 triple terms are not supported (<urn:s> <urn:p> << … >>)
    """
    import pyoxigraph as ox

    from kg.ingest.values import literal_problem
    from kg.ontology import KG, RDF, XSD, compact

    literal, triple, named = ox.Literal, ox.Triple, ox.NamedNode
    checked = {XSD + t for t in ("date", "gYear", "gYearMonth", "decimal", "integer", "boolean")}
    rdf_type, money = RDF + "type", KG + "MonetaryAmount"
    amounts, suspects = set(), []
    for q in quads:
        o = q.object
        kind = type(o)
        if kind is literal:
            if o.datatype.value in checked:
                suspects.append(q)
        elif kind is triple or type(q.subject) is triple:
            raise ParseError(where, f"RDF 1.2 triple terms are not supported "
                                    f"({compact(str(getattr(q.subject, 'value', '<< … >>')))} "
                                    f"{compact(q.predicate.value)} << … >>)")
        elif kind is named and o.value == money and q.predicate.value == rdf_type:
            amounts.add(q.subject)
    for q in suspects:
        problem = literal_problem(q.predicate.value, q.object, q.subject in amounts)
        if problem:
            raise ParseError(where, f"{problem} ({compact(getattr(q.subject, 'value', ''))} "
                                    f"{compact(q.predicate.value)})")


def read(path: Path, *, store=None, options: dict) -> list:
    """Read one RDF file into one batch per named graph.

    Args:
        path: the file.
        store: unused (RDF needs no resolution against the store).
        options: ``graph`` overrides the target graph of default-graph triples;
            ``format`` overrides the guessed format.

    Returns:
        A list of :class:`kg.ingest.Batch`.

    Raises:
        ParseError: see :func:`parse_file`.
    """
    import pyoxigraph as ox

    from kg.ingest import Batch

    default = graph_iri(options.get("graph")) or source_graph(path.stem)
    graphs: dict[str, list] = {}
    for q in parse_file(path, options.get("format")):
        g = default if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        graphs.setdefault(g, []).append(ox.Triple(q.subject, q.predicate, q.object))
    if not graphs:
        graphs[default] = []
    return [Batch(graph=g, triples=t, source=str(path)) for g, t in graphs.items()]


def graph_iri(graph: str | None) -> str | None:
    """A graph IRI given by the user (``--graph``), checked; None stays None.

    Raises:
        KgError: not a valid absolute IRI.

    >>> graph_iri("not an iri")
    Traceback (most recent call last):
    ...
    kg.errors.KgError: invalid graph IRI 'not an iri': Invalid IRI code point ' '
    """
    import pyoxigraph as ox

    from kg.errors import KgError

    if graph is None:
        return None
    try:
        ox.NamedNode(graph)
    except ValueError as exc:
        raise KgError(f"invalid graph IRI {graph!r}: {exc}") from None
    return graph


def check_file(path: Path, graph: str | None = None) -> bool:
    """Check a file that is about to be bulk-loaded (into ``graph``) without being parsed here first.

    The graph must be a valid IRI, the file a regular file, and its RDF 1.2 triple terms (if any) nested
    at most :data:`kg.ingest.limits.MAX_TRIPLE_TERM_DEPTH` deep. Reads the
    file once, in chunks (memory stays flat).

    Returns:
        Whether the file may hold triple terms (it has a ``<<``, perhaps inside a string).

    Raises:
        KgError: the graph is not a valid IRI.
        ParseError: not a regular file, or triple terms nested too deeply.
    """
    from kg.ingest.limits import MAX_TRIPLE_TERM_DEPTH, max_triple_term_depth, open_regular

    graph_iri(graph)
    carry, depth, deepest = b"", 0, 0
    with open_regular(path) as fh:
        while chunk := fh.read(1 << 24):
            # A "<<" or ">>" split between two chunks is counted with the next one.
            data = carry + chunk
            cut = len(data.rstrip(b"<>"))
            top, depth = max_triple_term_depth(data[:cut], start=depth)
            if top > MAX_TRIPLE_TERM_DEPTH:
                raise ParseError(str(path), f"RDF 1.2 triple terms nested more than {MAX_TRIPLE_TERM_DEPTH} levels deep")
            carry, deepest = data[cut:], max(deepest, top)
    return deepest > 0


def check_loaded(raw, graph: str, path: Path, triple_terms: bool = True) -> None:
    """Check a graph just bulk-loaded into a working copy: no triple terms, valid values.

    Args:
        raw: the copy's ``pyoxigraph.Store``.
        graph: the graph the file went to.
        path: the file, for messages.
        triple_terms: whether the file may hold triple terms (:func:`check_file`); if not, the
            graph is not scanned for them.

    Raises:
        ParseError: a triple term, or invalid values (see :func:`kg.ingest.values.graph_problems`).
    """
    import pyoxigraph as ox

    from kg.ingest.values import graph_problems

    g = ox.NamedNode(graph)
    if triple_terms and raw.query(f"ASK {{ GRAPH {g} {{ ?s ?p ?o FILTER(isTRIPLE(?o) || isTRIPLE(?s)) }} }}"):
        raise ParseError(str(path), "RDF 1.2 triple terms are not supported")
    problems = graph_problems(raw, graph)
    if problems:
        more = f" (and {len(problems) - 1} more shown by kg validate)" if len(problems) > 1 else ""
        raise ParseError(str(path), problems[0] + more)
