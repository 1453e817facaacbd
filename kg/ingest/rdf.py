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

    Args:
        path: the file.
        fmt: a format name (``turtle`` …); by default guessed from the suffix.

    Returns:
        A list of ``pyoxigraph.Quad``.

    Raises:
        ParseError: the file is not valid; names the file, line, column and reason.
    """
    import pyoxigraph as ox

    from kg.errors import StoreError
    from kg.formats import rdf_format

    try:
        rdf_fmt = rdf_format(fmt or ("jsonld" if path.suffix.lower() == ".json" else path.suffix))
    except StoreError as exc:
        raise ParseError(str(path), str(exc)) from None
    try:
        with open(path, "rb") as fh:
            return list(ox.parse(fh, format=rdf_fmt, base_iri=path.resolve().as_uri()))
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

    default = options.get("graph") or source_graph(path.stem)
    graphs: dict[str, list] = {}
    for q in parse_file(path, options.get("format")):
        g = default if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        graphs.setdefault(g, []).append(ox.Triple(q.subject, q.predicate, q.object))
    if not graphs:
        graphs[default] = []
    return [Batch(graph=g, triples=t, source=str(path)) for g, t in graphs.items()]
