"""The kg ontology files (``ontology/kg.ttl``, ``ontology/shapes.ttl``), and kg's namespaces.

This module is cheap to import (it needs only pyoxigraph, and only when a file
is parsed), so every command can use it. The ontology and the SHACL shapes are
Turtle files in ``ontology/``, shipped inside the package as data. The
namespaces, prefixes and IRI minting live in :mod:`kg.schema` and are
re-exported here, so ``from kg.ontology import KG, entity_iri`` keeps working.

>>> KG + "Company"
'https://kg.example.org/ontology#Company'
>>> entity_iri("company", "Xpeng Motors")
'https://kg.example.org/id/company/xpeng-motors'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kg.errors import ParseError
from kg.schema import (  # noqa: F401  (re-exported: one place, many importers)
    BACKGROUND_GRAPH,
    BASE,
    DCTERMS,
    DERIVED_GRAPH,
    FOAF,
    GRAPH,
    ID,
    KG,
    ONTOLOGY_GRAPH,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SH,
    SKOS,
    XSD,
    compact,
    entity_iri,
    expand,
    slugify,
    source_graph,
    source_iri,
    term_label,
)

_HERE = Path(__file__).resolve().parent
# Installed from a wheel the ontology ships as kg/data; in a checkout (or an
# editable install) it is the project's top-level ontology/ folder.
ONTOLOGY_DIR = _HERE / "data" if (_HERE / "data" / "kg.ttl").is_file() else _HERE.parent / "ontology"


def ontology_path(name: str = "kg.ttl") -> Path:
    """Path of a shipped ontology file (``kg.ttl`` or ``shapes.ttl``).

    Raises:
        ParseError: the file is missing from the installation.
    """
    path = ONTOLOGY_DIR / name
    if not path.is_file():
        raise ParseError(str(path), "ontology file is missing from the installation")
    return path


@lru_cache(maxsize=4)
def ontology_quads(name: str = "kg.ttl") -> tuple:
    """Parse a shipped ontology file into pyoxigraph triples, failing early if it is broken.

    Returns:
        A tuple of ``pyoxigraph.Triple``.

    Raises:
        ParseError: the file is not valid Turtle; names the line.
    """
    import pyoxigraph as ox

    path = ontology_path(name)
    try:
        return tuple(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise ParseError(str(path), str(exc), getattr(exc, "lineno", None)) from None
