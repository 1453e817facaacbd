"""The kg ontology: namespaces, IRIs of entities and graphs, and the ontology files.

This module is cheap to import (it needs only pyoxigraph), so every command can
use it. The ontology and the SHACL shapes are Turtle files in ``ontology/``,
shipped inside the package as data.

>>> KG + "Company"
'https://kg.example.org/ontology#Company'
>>> entity_iri("company", "Xpeng Motors")
'https://kg.example.org/id/company/xpeng-motors'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from kg.errors import ParseError

BASE = "https://kg.example.org/"
KG = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
DCTERMS = "http://purl.org/dc/terms/"

#: Prefixes known to every query and used to shorten IRIs in table output.
PREFIXES: dict[str, str] = {
    "kg": KG,
    "id": ID,
    "graph": GRAPH,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "sh": SH,
    "prov": PROV,
    "schema": SCHEMA,
    "foaf": FOAF,
    "org": ORG,
    "dcterms": DCTERMS,
}

#: Named graphs that are not sources.
ONTOLOGY_GRAPH = GRAPH + "ontology"
DERIVED_GRAPH = GRAPH + "derived"
BACKGROUND_GRAPH = GRAPH + "source/background"

#: Entity classes (the nodes of the entity view), most specific first.
ENTITY_CLASSES = ("Company", "Person", "Organization", "Project", "Concept")
DEAL_CLASSES = ("Investment", "Acquisition", "Partnership", "PartnerSearch", "Meeting", "Position")
STATUSES = ("Rumored", "Reported", "Planned", "Proposed", "Declined", "Completed")

_HERE = Path(__file__).resolve().parent
# Installed from a wheel the ontology ships as kg/data; in a checkout (or an
# editable install) it is the project's top-level ontology/ folder.
ONTOLOGY_DIR = _HERE / "data" if (_HERE / "data" / "kg.ttl").is_file() else _HERE.parent / "ontology"


def slugify(text: str) -> str:
    """Turn a name into the readable slug used in IRIs.

    Args:
        text: any name, in any script.

    Returns:
        Lower-case words joined by ``-``; accents are dropped, other scripts are kept.

    >>> slugify("Lei Jun")
    'lei-jun'
    >>> slugify("Société Générale S.A.")
    'societe-generale-s-a'
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^\w]+|_", "-", folded.casefold()).strip("-")
    return slug or "unnamed"


def entity_iri(kind: str, name: str) -> str:
    """The stable IRI of an entity.

    Args:
        kind: ``company``, ``person``, ``organization``, ``project``, ``concept``, ``deal`` …
        name: the entity's name or a stable key.

    Returns:
        ``https://kg.example.org/id/<kind>/<slug>``.
    """
    return f"{ID}{kind}/{slugify(name)}"


def source_graph(name: str) -> str:
    """The named graph that holds the statements from one source.

    >>> source_graph("xiaomi-electric-car")
    'https://kg.example.org/graph/source/xiaomi-electric-car'
    """
    return f"{GRAPH}source/{slugify(name)}"


def source_iri(name: str) -> str:
    """The IRI of the source document itself (a ``kg:Source``)."""
    return entity_iri("source", name)


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


def term_label(iri: str) -> str:
    """The local name of a kg term, for display.

    >>> term_label(KG + "investedIn")
    'investedIn'
    """
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


def compact(iri: str) -> str:
    """Shorten an IRI with the known prefixes, for tables.

    >>> compact(ID + "company/xiaomi")
    'id:company/xiaomi'
    """
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def expand(name: str) -> str:
    """Expand ``prefix:local`` to a full IRI; leave full IRIs unchanged.

    >>> expand("kg:Company")
    'https://kg.example.org/ontology#Company'
    """
    if "://" in name:
        return name
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return KG + name
