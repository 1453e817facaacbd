"""Validate data against the SHACL shapes in ``ontology/shapes.ttl`` (pySHACL).

pySHACL and rdflib are imported inside the functions: they are slow to import
and only validation needs them.

>>> from kg.stores import open_store
>>> validate_store(open_store("memory:")).conforms
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import ValidationError
from kg.ontology import DERIVED_GRAPH, ONTOLOGY_GRAPH, SH, compact, ontology_path


@dataclass
class ValidationReport:
    """The outcome of a SHACL validation.

    Attributes:
        conforms: true when there is no violation.
        violations: one line per violation: focus node, path, message.
        rows: the same as dicts (``focus``, ``path``, ``value``, ``message``, ``severity``).
    """

    conforms: bool
    violations: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


def _to_rdflib(triples):
    import pyoxigraph as ox
    import rdflib

    g = rdflib.Graph()
    if triples:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        g.parse(data=data.decode("utf-8"), format="nt")
    return g


def _shapes():
    import rdflib

    return rdflib.Graph().parse(str(ontology_path("shapes.ttl")), format="turtle")


def _ontology():
    import rdflib

    return rdflib.Graph().parse(str(ontology_path("kg.ttl")), format="turtle")


def validate_triples(triples) -> ValidationReport:
    """Validate pyoxigraph triples against the shapes, with the ontology's class hierarchy.

    Args:
        triples: an iterable of ``pyoxigraph.Triple``.

    Returns:
        A :class:`ValidationReport`.
    """
    import pyshacl

    # The ontology goes into the data graph itself: pySHACL's ont_graph mixing
    # brings in class axioms but not the concept individuals (kg:CEO …).
    data = _to_rdflib(list(triples)) + _ontology()
    conforms, results, _text = pyshacl.validate(data, shacl_graph=_shapes(), inference="none", allow_warnings=True)
    rows = _result_rows(results)
    violations = [f"{r['focus']} {r['path']}: {r['message']}".replace("  ", " ") for r in rows
                  if r["severity"] == "Violation"]
    return ValidationReport(conforms=not violations, violations=violations, rows=rows)


def _result_rows(results) -> list[dict]:
    import rdflib

    sh = rdflib.Namespace(SH)
    rows = []
    for res in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        if isinstance(results.value(res, sh.focusNode), rdflib.Literal):
            # A nested shape (kg:DateForm) failing on a value; the property's own result says it better.
            continue
        def one(p):
            v = results.value(res, p)
            return "" if v is None else (compact(str(v)) if isinstance(v, rdflib.URIRef) else str(v))

        rows.append({
            "severity": one(sh.resultSeverity).split("#")[-1].replace("sh:", ""),
            "focus": one(sh.focusNode),
            "path": one(sh.resultPath),
            "value": one(sh.value),
            "message": one(sh.resultMessage),
        })
    rows.sort(key=lambda r: (r["focus"], r["path"], r["message"]))
    return rows


def _context_types(store, triples) -> list:
    """Types and labels from the store of the IRIs the new data mentions, so shapes
    that check a referenced entity see it even when it is described in another graph."""
    import pyoxigraph as ox

    if store is None:
        return []
    iris = {t.object for t in triples if isinstance(t.object, ox.NamedNode)}
    iris |= {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}
    out = []
    iri_list = list(iris)
    for i in range(0, len(iri_list), 500):
        chunk = " ".join(str(x) for x in iri_list[i:i + 500])
        rows = store.query(
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {chunk} }} VALUES ?p {{ rdf:type rdfs:label }} ?s ?p ?o }}"
        )
        out.extend(ox.Triple(row["s"], row["p"], row["o"]) for row in rows)
    return out


def check_batches(batches, *, store=None, force: bool = False) -> list[str]:
    """Validate the batches of an ingest together, with the types they reference from the store.

    Args:
        batches: :class:`kg.ingest.Batch` objects.
        store: the store they go into, or None.
        force: return the violations instead of raising.

    Returns:
        The violations (empty when the data conforms).

    Raises:
        ValidationError: the data violates the shapes and ``force`` is false.
    """
    triples = [t for b in batches for t in b.triples]
    if not triples:
        return []
    report = validate_triples(triples + _context_types(store, triples))
    if report.violations and not force:
        raise ValidationError(report.violations, source=", ".join(sorted({b.source for b in batches})))
    return report.violations


def validate_store(store) -> ValidationReport:
    """Validate everything in the store except the ontology and derived graphs.

    Args:
        store: an open store.

    Returns:
        A :class:`ValidationReport`.
    """
    import pyoxigraph as ox

    rows = store.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN (<{ONTOLOGY_GRAPH}>, <{DERIVED_GRAPH}>)) }}"
    )
    triples = [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
    if not triples:
        return ValidationReport(conforms=True)
    return validate_triples(triples)
