"""Validate data against the SHACL shapes in ``ontology/shapes.ttl``, by SPARQL that Oxigraph runs.

The shapes file stays the single source: :func:`compile_shapes` reads it and
turns every constraint into one SPARQL ``SELECT`` that returns the violating
focus nodes (and values). The store's own indexes answer them, so the cost of
validating grows with the data checked, not with an in-memory copy of it
(pySHACL over rdflib managed about 590 triples/s).

Three entry points:

* :func:`validate_store`: the whole store, in place (``kg validate``).
* :func:`validate_graphs`: the subjects of some named graphs already in a
  store (an ingest that loaded into a copy checks only what it brought).
* :func:`check_batches` / :func:`validate_triples`: data not yet in the store;
  it goes into a small in-memory store together with what the store already
  says about its subjects and the types of the nodes it links to.

Supported SHACL: targetClass (with the ontology's subclasses), property shapes
with a predicate path, minCount, maxCount, datatype, nodeKind, pattern, in,
class, node, or, and, not, min/max Inclusive/Exclusive, min/maxLength and
lessThan; ``sh:message`` is used when present. Anything else in the file is
refused when it is compiled (:class:`kg.errors.KgError`), so a new shape can
never be skipped silently.

>>> from kg.stores import open_store
>>> validate_store(open_store("memory:")).conforms
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from kg.errors import KgError, ValidationError
from kg.ontology import DERIVED_GRAPH, RDF, RDFS, SH, compact, ontology_path

#: Named graphs of the scratch store that checks data before it is written.
NEW_GRAPH = "urn:kg:validate:new"
CONTEXT_GRAPH = "urn:kg:validate:context"
#: IRIs per VALUES block when reading context from the store.
_CHUNK = 500

_IGNORED = {RDF + "type", RDFS + "comment", RDFS + "label", SH + "message", SH + "targetClass",
            SH + "property", SH + "path", SH + "name", SH + "description", SH + "severity"}
_COMPARE = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}


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


@dataclass(frozen=True)
class Check:
    """One compiled constraint.

    Attributes:
        shape: the node shape's IRI.
        path: the property's IRI, or "" for a constraint on the focus node itself.
        message: why a result violates it.
        where: the SPARQL group pattern (without braces) binding ``?f`` (and
            ``?v``, the offending value, when there is one); ``FOCUS`` marks
            where a restriction of the focus nodes goes.
    """

    shape: str
    path: str
    message: str
    where: str
    has_value: bool = True

    def sparql(self, focus: str = "") -> str:
        """The SELECT text, with ``focus`` (a group pattern on ``?f``, or "") restricting the focus nodes."""
        return f"SELECT DISTINCT ?f ?v WHERE {{ {self.where.replace('FOCUS', focus)} }}"


# -- reading the shapes ---------------------------------------------------


class _Graph:
    """The shapes as subject → predicate → [objects], with RDF lists unrolled."""

    def __init__(self, triples):
        self.out: dict = {}
        for t in triples:
            self.out.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def values(self, node, pred: str) -> list:
        return self.out.get(node, {}).get(pred, [])

    def one(self, node, pred: str):
        vals = self.values(node, pred)
        return vals[0] if vals else None

    def items(self, node) -> list:
        out = []
        while node is not None and getattr(node, "value", None) != RDF + "nil":
            out.append(self.one(node, RDF + "first"))
            node = self.one(node, RDF + "rest")
        return out


def _read(name: str):
    import pyoxigraph as ox

    with open(ontology_path(name), "rb") as fh:
        return list(ox.parse(fh, format=ox.RdfFormat.TURTLE))


@lru_cache(maxsize=1)
def _ontology() -> tuple[dict, dict]:
    """``(subclasses, members)``: each class → itself and every subclass, and the
    ontology's own individuals of each class (``kg:CEO`` is a ``kg:Concept``)."""
    parents: dict[str, set] = {}
    direct: dict[str, set] = {}
    for t in _read("kg.ttl"):
        if t.predicate.value == RDFS + "subClassOf":
            parents.setdefault(t.subject.value, set()).add(t.object.value)
        elif t.predicate.value == RDF + "type" and hasattr(t.subject, "value"):
            direct.setdefault(t.object.value, set()).add(t.subject.value)
    subclasses: dict[str, set] = {}
    for child in set(parents) | {p for ps in parents.values() for p in ps}:
        stack, seen = [child], set()
        while stack:
            c = stack.pop()
            if c not in seen:
                seen.add(c)
                stack.extend(parents.get(c, ()))
        for ancestor in seen:
            subclasses.setdefault(ancestor, {ancestor}).add(child)
    members = {c: {i for k in subclasses.get(c, {c}) for i in direct.get(k, ())} for c in subclasses}
    return subclasses, members


def _iri(value: str) -> str:
    import pyoxigraph as ox

    return str(ox.NamedNode(value))


# -- compiling ------------------------------------------------------------


class _Compiler:
    """Turns shapes into SPARQL expressions; fresh variable names come from a counter."""

    def __init__(self, g: _Graph):
        self.g = g
        self.n = 0
        self.subclasses, self.members = _ontology()

    def var(self) -> str:
        self.n += 1
        return f"?x{self.n}"

    def class_expr(self, var: str, cls: str) -> str:
        known = sorted(self.members.get(cls, ()))
        t = self.var()
        classes = ", ".join(_iri(c) for c in sorted(self.subclasses.get(cls, {cls})))
        test = f"EXISTS {{ {var} <{RDF}type> {t} FILTER({t} IN ({classes})) }}"
        if known:
            return f"({var} IN ({', '.join(_iri(k) for k in known)}) || {test})"
        return test

    def node_expr(self, shape, var: str, *, properties: bool = True, skip: tuple = ()) -> str:
        """A boolean expression: ``var`` conforms to ``shape`` (its own constraints, and its properties).

        ``skip`` names constraints (``"class"`` …) checked elsewhere.
        """
        parts = []
        for pred, objs in self.g.out.get(shape, {}).items():
            local = pred[len(SH):] if pred.startswith(SH) else None
            for o in objs:
                if (pred in _IGNORED and pred != SH + "property") or local in skip:
                    continue
                if pred == SH + "property":
                    if properties:
                        parts.append(self.property_expr(o, var))
                    continue
                if local in ("minCount", "maxCount", "lessThan") and self.g.one(shape, SH + "path") is not None:
                    continue
                parts.append(self.constraint(local, o, var))
        if self.g.one(shape, SH + "path") is not None and properties:
            return self.property_expr(shape, var)
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def constraint(self, local: str | None, o, var: str) -> str:
        """One value constraint on ``var``; errors (incomparable values) count as failures."""
        if local == "datatype":
            return f"(isLITERAL({var}) && DATATYPE({var}) = {_iri(o.value)})"
        if local == "nodeKind":
            kinds = {"IRI": f"isIRI({var})", "Literal": f"isLITERAL({var})", "BlankNode": f"isBLANK({var})",
                     "BlankNodeOrIRI": f"!isLITERAL({var})", "IRIOrLiteral": f"!isBLANK({var})",
                     "BlankNodeOrLiteral": f"!isIRI({var})"}
            return kinds[o.value[len(SH):]]
        if local == "pattern":
            return f"COALESCE(!isBLANK({var}) && REGEX(STR({var}), {o}), false)"
        if local == "in":
            return f"({var} IN ({', '.join(str(x) for x in self.g.items(o))}))"
        if local == "class":
            return self.class_expr(var, o.value)
        if local == "node":
            return self.node_expr(o, var)
        if local in ("or", "and"):
            joiner = " || " if local == "or" else " && "
            return "(" + joiner.join(self.node_expr(x, var) for x in self.g.items(o)) + ")"
        if local == "not":
            return f"!{self.node_expr(o, var)}"
        if local in _COMPARE:
            return f"COALESCE({var} {_COMPARE[local]} {o}, false)"
        if local in ("minLength", "maxLength"):
            op = ">=" if local == "minLength" else "<="
            return f"COALESCE(!isBLANK({var}) && STRLEN(STR({var})) {op} {o.value}, false)"
        raise KgError(f"shapes.ttl uses sh:{local}, which kg's SHACL compiler does not support")

    def property_expr(self, prop, var: str) -> str:
        """A boolean expression: ``var`` satisfies the property shape ``prop`` (nested use)."""
        path = _iri(self.g.one(prop, SH + "path").value)
        parts = []
        lo = self.g.one(prop, SH + "minCount")
        hi = self.g.one(prop, SH + "maxCount")
        if lo is not None and int(lo.value) > 1 or hi is not None:
            raise KgError("shapes.ttl: counts other than sh:minCount 1 are only supported at the top level")
        if lo is not None and int(lo.value) == 1:
            parts.append(f"EXISTS {{ {var} {path} {self.var()} }}")
        v = self.var()
        value = self.node_expr(prop, v, properties=False)
        if value != "true":
            parts.append(f"NOT EXISTS {{ {var} {path} {v} FILTER(!{value}) }}")
        return "(" + " && ".join(parts) + ")" if parts else "true"


def _default_message(local: str, o) -> str:
    words = {"minCount": f"needs at least {getattr(o, 'value', o)} value(s)",
             "maxCount": f"has more than {getattr(o, 'value', o)} value(s)",
             "lessThan": f"must be less than {compact(getattr(o, 'value', ''))}"}
    return words.get(local, "a value does not conform to the shape")


def _target(c: _Compiler, cls: str) -> str:
    """A sub-SELECT of the focus nodes of a class: joined to a check by a hash join, not a loop of seeks."""
    t = c.var()
    classes = " ".join(_iri(x) for x in sorted(c.subclasses.get(cls, {cls})))
    return f"{{ SELECT DISTINCT ?f WHERE {{ VALUES {t} {{ {classes} }} ?f <{RDF}type> {t} . FOCUS }} }}"


def _guard(c: _Compiler, cls: str) -> str:
    """A FILTER keeping rows whose ``?f`` is a focus node of a class: checked only on the (few) violating rows."""
    t = c.var()
    classes = " ".join(_iri(x) for x in sorted(c.subclasses.get(cls, {cls})))
    return f"FILTER EXISTS {{ VALUES {t} {{ {classes} }} ?f <{RDF}type> {t} . FOCUS }}"


def _not_typed(c: _Compiler, var: str, cls: str) -> str:
    """``var`` has no type in ``cls`` (nor is one of the ontology's own members of it), as a MINUS."""
    t = c.var()
    classes = " ".join(_iri(x) for x in sorted(c.subclasses.get(cls, {cls})))
    known = sorted(c.members.get(cls, ()))
    keep = f" FILTER({var} NOT IN ({', '.join(_iri(k) for k in known)}))" if known else ""
    return f"MINUS {{ VALUES {t} {{ {classes} }} {var} <{RDF}type> {t} }}{keep}"


def _count_checks(c: _Compiler, shape, target: tuple[str, str], prop, p: str, path: str, own) -> list[Check]:
    g = c.g
    checks = []
    target, guard = target
    lo, hi = g.one(prop, SH + "minCount"), g.one(prop, SH + "maxCount")
    if lo is not None and int(lo.value) > 0:
        n = int(lo.value)
        having = "" if n == 1 else f" GROUP BY ?f HAVING (COUNT(DISTINCT ?w) >= {n})"
        where = f"{target} MINUS {{ {{ SELECT ?f WHERE {{ ?f {p} ?w }}{having} }} }}"
        checks.append(Check(shape.value, path, own or _default_message("minCount", lo), where, False))
    if hi is not None:
        # Counted per source graph: two sources may give a deal different
        # amounts (a conflict, kept and flagged), but one source may not.
        where = (f"{{ SELECT ?f (COUNT(DISTINCT ?w) AS ?v) WHERE {{ GRAPH ?src {{ ?f {p} ?w }} }} "
                 f"GROUP BY ?f ?src HAVING (COUNT(DISTINCT ?w) > {int(hi.value)}) }} {guard}")
        checks.append(Check(shape.value, path, own or _default_message("maxCount", hi), where, False))
    return checks


def _property_checks(c: _Compiler, shape, cls: str, prop) -> list[Check]:
    """The checks of one property shape. Only ``minCount`` joins the focus nodes; the others scan the
    property for offending values and then ask whether each one found is on a focus node."""
    g = c.g
    path_node = g.one(prop, SH + "path")
    if path_node is None or type(path_node).__name__ != "NamedNode":
        raise KgError("shapes.ttl: only simple predicate paths are supported")
    path, p = path_node.value, _iri(path_node.value)
    msg = g.one(prop, SH + "message")
    own = msg.value if msg is not None else None
    guard = _guard(c, cls)
    checks = _count_checks(c, shape, (_target(c, cls), guard), prop, p, path, own)
    for other in g.values(prop, SH + "lessThan"):
        where = (f"{{ SELECT ?f ?v ?w WHERE {{ ?f {p} ?v . ?f {_iri(other.value)} ?w }} }} "
                 f"FILTER(!COALESCE(?v < ?w, false)) {guard}")
        checks.append(Check(shape.value, path, own or _default_message("lessThan", other), where))
    for kind in g.values(prop, SH + "class"):
        where = f"{{ SELECT ?f ?v WHERE {{ ?f {p} ?v }} }} {_not_typed(c, '?v', kind.value)} {guard}"
        checks.append(Check(shape.value, path, own or f"a value of {compact(path)} is not a {compact(kind.value)}",
                            where))
    value = c.node_expr(prop, "?v", properties=False, skip=("class",))
    if value != "true":
        where = f"{{ SELECT ?f ?v WHERE {{ ?f {p} ?v FILTER(!{value}) }} }} {guard}"
        checks.append(Check(shape.value, path, own or f"{compact(path)} has a value that does not conform", where))
    return checks


def _node_checks(c: _Compiler, shape, target: str) -> list[Check]:
    """Constraints on the focus node itself; ``sh:not [ sh:class C ]`` becomes a join of the two classes."""
    g = c.g
    msg = g.one(shape, SH + "message")
    text = msg.value if msg is not None else f"does not conform to {compact(shape.value)}"
    checks = []
    for inner in g.values(shape, SH + "not"):
        classes = g.values(inner, SH + "class")
        if len(g.out.get(inner, {})) == 1 and len(classes) == 1:
            other = _target(c, classes[0].value).replace("FOCUS", "")
            checks.append(Check(shape.value, "", text, f"{target} {other}", False))
    own = c.node_expr(shape, "?f", properties=False, skip=("not",) if checks else ())
    if own != "true":
        checks.append(Check(shape.value, "", text, f"{target} FILTER(!{own})", False))
    return checks


@lru_cache(maxsize=1)
def compile_shapes() -> tuple[Check, ...]:
    """Compile ``ontology/shapes.ttl`` into :class:`Check` queries, once per process.

    A check scans its property once and asks whether an offending value's
    subject is a focus node only for the rows it finds; ``minCount`` and the
    node's own constraints join the focus nodes to the scan by a hash join
    (sub-SELECTs), which Oxigraph runs about eight times faster than a seek
    per focus node.

    Returns:
        The checks, in the order of the shapes file's node shapes.

    Raises:
        KgError: the shapes use a SHACL feature the compiler does not support.

    >>> any(c.path.endswith("#currency") for c in compile_shapes())
    True
    """
    g = _Graph(_read("shapes.ttl"))
    c = _Compiler(g)
    checks: list[Check] = []
    for preds in g.out.values():
        odd = [p for p in preds if p in (SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf")]
        if odd:
            raise KgError(f"shapes.ttl: {compact(odd[0])} is not supported; use sh:targetClass")
    for shape in sorted(g.out, key=str):
        for cls in g.values(shape, SH + "targetClass"):
            for prop in g.values(shape, SH + "property"):
                checks.extend(_property_checks(c, shape, cls.value, prop))
            checks.extend(_node_checks(c, shape, _target(c, cls.value)))
    return tuple(checks)


# -- running --------------------------------------------------------------


def _term_text(term) -> str:
    if term is None:
        return ""
    kind = type(term).__name__
    if kind == "NamedNode":
        return compact(term.value)
    if kind == "BlankNode":
        return f"_:{term.value}"
    return term.value


def _run(query, focus: str = "", progress=None, keep=None, workers: int = 1) -> ValidationReport:
    """Run every check with ``query(sparql)`` and gather the results.

    Args:
        query: a function running one SELECT over the union of the graphs.
        focus: a group pattern restricting ``?f`` (see :meth:`Check.sparql`).
        progress: called with the number of checks done after each one.
        keep: an optional test of a focus node (a pyoxigraph term): results on others are dropped.
        workers: how many checks run at once (threads; 1: in the calling thread).
    """
    from concurrent.futures import ThreadPoolExecutor

    def solutions(check):
        return check, [(sol["f"], sol["v"]) for sol in query(check.sparql(focus))]

    rows: dict[tuple, dict] = {}
    checks = compile_shapes()
    if workers > 1:
        # The store answers each check in Rust, mostly without the GIL: checks run side by side on every core.
        pool = ThreadPoolExecutor(max_workers=workers)
        results = pool.map(solutions, checks)
    else:
        pool, results = None, map(solutions, checks)
    try:
        for i, (check, found) in enumerate(results, 1):
            for f, v in found:
                if type(f).__name__ == "Literal" or (keep is not None and not keep(f)):
                    continue
                row = {"severity": "Violation", "focus": _term_text(f),
                       "path": compact(check.path) if check.path else "",
                       "value": _term_text(v) if check.has_value else "", "message": check.message}
                rows.setdefault((row["focus"], row["path"], row["message"], row["value"]), row)
            if progress is not None:
                progress(i)
    finally:
        if pool is not None:
            pool.shutdown()
    out = sorted(rows.values(), key=lambda r: (r["focus"], r["path"], r["message"], r["value"]))
    violations = [f"{r['focus']} {r['path']}: {r['message']}".replace("  ", " ") for r in out]
    return ValidationReport(conforms=not out, violations=violations, rows=out)


def _scratch(new, context=()):
    """An in-memory store holding ``new`` in :data:`NEW_GRAPH` and ``context`` in :data:`CONTEXT_GRAPH`.

    ``new`` may also be a list of triple lists, one per source: each goes to a
    graph of its own under :data:`NEW_GRAPH`, and ``context`` may hold quads,
    which keep their graphs under :data:`CONTEXT_GRAPH`, so that per-source
    counts stay per source.
    """
    import pyoxigraph as ox

    s = ox.Store()
    groups = new if new and isinstance(new[0], list) else [new]
    for i, triples in enumerate(groups):
        g = ox.NamedNode(NEW_GRAPH if len(groups) == 1 else f"{NEW_GRAPH}/{i}")
        s.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
    for t in context:
        where = getattr(t, "graph_name", None)
        g = ox.NamedNode(f"{CONTEXT_GRAPH}/{where.value}" if where is not None else CONTEXT_GRAPH)
        s.add(ox.Quad(t.subject, t.predicate, t.object, g))
    return s


def _union_query(store):
    def query(sparql: str):
        return store.query(sparql, use_default_graph_as_union=True)
    return query


_NEW_FOCUS = (f"FILTER EXISTS {{ GRAPH ?newGraph {{ ?f ?fp ?fo }} "
              f"FILTER(STRSTARTS(STR(?newGraph), \"{NEW_GRAPH}\")) }}")


def validate_triples(triples) -> ValidationReport:
    """Validate pyoxigraph triples on their own against the shapes.

    Args:
        triples: an iterable of ``pyoxigraph.Triple`` (or ``Quad``; the graph is ignored).

    Returns:
        A :class:`ValidationReport`.

    >>> import pyoxigraph as ox
    >>> from kg.ontology import KG, RDF
    >>> person = ox.Triple(ox.NamedNode("urn:x"), ox.NamedNode(RDF + "type"), ox.NamedNode(KG + "Person"))
    >>> validate_triples([person]).violations
    ['<urn:x> rdfs:label: an agent needs an rdfs:label']
    """
    return _run(_union_query(_scratch(list(triples))))


def _context(store, triples) -> list:
    """What the store already says that the new data's constraints depend on.

    For each subject of the new data: everything it states outside the
    derived graph (so counts and ``sh:not`` see the old and new values
    together). For each node the new or old statements link to: its types.
    """
    import pyoxigraph as ox

    if store is None:
        return []
    subjects = list({t.subject for t in triples if type(t.subject).__name__ == "NamedNode"})
    out = list(_chunked(store, subjects,
                        f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ %s }} GRAPH ?g {{ ?s ?p ?o }} "
                        f"FILTER(?g != <{DERIVED_GRAPH}>) }}"))
    linked = {t.object for t in triples if type(t.object).__name__ == "NamedNode"}
    linked |= {t.object for t in out if type(t.object).__name__ == "NamedNode"}
    out += _chunked(store, list(linked), _TYPES_OF)
    return [ox.Triple(t.subject, t.predicate, t.object) for t in out]


# The predicate is a constant, not a VALUES row: bound so, the store looks each node's types up by
# index; joined from VALUES, it scanned every rdf:type in the store (8 s at a million deals).
#: Checks run at once when a whole store or a graph in it is validated in place.
_WORKERS = min(4, os.cpu_count() or 1)
_TYPES_OF = f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ %s }} ?s <{RDF}type> ?o BIND(<{RDF}type> AS ?p) }}"


def _context_quads(store, triples) -> list:
    """:func:`_context`, each statement with the graph it is in (types of linked nodes: any graph)."""
    import pyoxigraph as ox

    if store is None:
        return []
    subjects = list({t.subject for t in triples if type(t.subject).__name__ == "NamedNode"})
    out = []
    for i in range(0, len(subjects), _CHUNK):
        values = " ".join(str(n) for n in subjects[i:i + _CHUNK])
        rows = store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
                           f"FILTER(?g != <{DERIVED_GRAPH}>) }}")
        # Another source's blank nodes (its evidence, its amount) cannot be typed
        # from here; they were checked with that source.
        out += [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows if not isinstance(r["o"], ox.BlankNode)]
    linked = list({t.object for t in [*triples, *out] if type(t.object).__name__ == "NamedNode"})
    out += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(CONTEXT_GRAPH))
            for t in _chunked(store, linked, _TYPES_OF)]
    return out


def _chunked(store, nodes: list, template: str) -> list:
    import pyoxigraph as ox

    out = []
    for i in range(0, len(nodes), _CHUNK):
        values = " ".join(str(n) for n in nodes[i:i + _CHUNK])
        out.extend(ox.Triple(r["s"], r["p"], r["o"]) for r in store.query(template % values))
    return out


def check_batches(batches, *, store=None, force: bool = False) -> list[str]:
    """Validate the batches of an ingest, whatever their size, together with what the store says about them.

    The new data's subjects are the focus nodes. Each is checked with what the
    store already states about it, and the nodes it links to are typed from
    the store, so an investment may point at a company described in another
    source. Nothing in the store is changed.

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
    replaced = {b.graph for b in batches}
    context = [q for q in _context_quads(store, triples) if q.graph_name.value not in replaced]
    scratch = _scratch([list(b.triples) for b in batches if b.triples], context)
    report = _run(_union_query(scratch), _NEW_FOCUS)
    if report.violations and not force:
        raise ValidationError(report.violations, source=", ".join(sorted({b.source for b in batches})))
    return report.violations


def validate_graphs(store, graphs, *, progress=None, whole: bool = False) -> ValidationReport:
    """Validate, in place, every node that is a subject in one of ``graphs``.

    For an ingest that has already loaded its named graphs into a store (or a
    copy of it) and must check them before it commits: the checks run on the
    store's indexes and see the nodes' statements in every graph.

    Args:
        store: an open store (its ``query`` runs over the union of graphs).
        graphs: named graph IRIs.
        progress: called with the number of checks done.
        whole: ``graphs`` hold (nearly) everything in the store, as in a first load: on an
            embedded store, check the whole store and keep the results on their nodes.

    Returns:
        A :class:`ValidationReport`.
    """
    graphs = list(graphs)
    if not graphs:
        return ValidationReport(conforms=True)
    from kg.stores import raw_store

    if whole and raw_store(store) is not None:
        # Every check over the whole store, without the per-node focus test (about half the work),
        # then only the results on nodes of ``graphs`` are kept.
        import pyoxigraph as ox

        names = [ox.NamedNode(g) for g in graphs]

        def keep(f) -> bool:
            return any(next(iter(store.raw.quads_for_pattern(f, None, None, g)), None) is not None for g in names)

        return _run(store.query, "", progress, keep, _WORKERS)
    values = " ".join(_iri(g) for g in graphs)
    focus = f"FILTER EXISTS {{ VALUES ?fg {{ {values} }} GRAPH ?fg {{ ?f ?fp ?fo }} }}"
    return _run(store.query, focus, progress, workers=_WORKERS)


def validate_store(store, *, progress=None) -> ValidationReport:
    """Validate everything in the store, in place, by the compiled checks.

    Args:
        store: an open store.
        progress: called with the number of checks done (of ``len(compile_shapes())``).

    Returns:
        A :class:`ValidationReport`.
    """
    return _run(store.query, "", progress, workers=_WORKERS)
