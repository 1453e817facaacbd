"""Validate data against the SHACL shapes in ``ontology/shapes.ttl``, by SPARQL that Oxigraph runs.

The shapes file stays the single source: :func:`compile_shapes` reads it and
turns every constraint into one SPARQL ``SELECT`` that returns the violating
focus nodes (and values). The store's own indexes answer them, so the cost of
validating grows with the data checked, not with an in-memory copy of it
(pySHACL over rdflib managed about 590 triples/s).

What costs, at a million deals: reading a property's statements (about 1 µs
each), hash joins over them, and above all reading a term's text (an IRI or a
long string, a lookup of its own) whenever a FILTER looks at a value. So on an
embedded store (:func:`_run_indexed`) each check has a form tuned for Oxigraph
(:attr:`Check.indexed`) that joins and compares stored terms where it can
(``sh:in`` and ``sh:class`` are anti-joins) and looks at a value once; checks
that read the same thing share one query (the value of three shapes'
``kg:status``, the members of ``kg:Agent`` for every property that must point at
one); and whether a result's node is a focus node of the shape is asked of the
index for the (few) results alone. A remote store gets plain SPARQL, one SELECT
per check (:meth:`Check.sparql`).

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
from kg.ontology import DERIVED_GRAPH, RDF, RDFS, SH, XSD, compact, ontology_path

#: Named graphs of the scratch store that checks data before it is written.
NEW_GRAPH = "urn:kg:validate:new"
CONTEXT_GRAPH = "urn:kg:validate:context"
#: IRIs per VALUES block when reading context from the store.
_CHUNK = 500

_IGNORED = {RDF + "type", RDFS + "comment", RDFS + "label", SH + "message", SH + "targetClass",
            SH + "property", SH + "path", SH + "name", SH + "description", SH + "severity"}
_COMPARE = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
_FACETS = ("pattern", "minLength", "maxLength")


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
        has_value: whether ``?v`` is the offending value (a count is not shown).
        target: the classes of the shape's focus nodes (its target class and subclasses).
        guarded: ``where`` scans a property for offending values of any subject, so a
            result counts only when its ``?f`` has one of the ``target`` types.
        most: for a ``sh:maxCount`` check, the most values one source may give.
        indexed: what an embedded (Oxigraph) store runs instead of ``where``, the
            focus test left to the index: the same results, read faster there. It may
            serve several checks in one query: ``PREDICATES`` stands for the properties
            of ``sh:class`` checks of one class (its members are read once; ``?p`` is
            bound to each result's property), ``CLASSES`` for the target classes of
            ``sh:minCount 1`` checks of one property (a result's types tell which check
            it is for). ``where`` stays plain SPARQL for any server.
    """

    shape: str
    path: str
    message: str
    where: str
    has_value: bool = True
    target: tuple[str, ...] = ()
    guarded: bool = False
    most: int | None = None
    indexed: str = ""

    def sparql(self, focus: str = "") -> str:
        """The SELECT text, with ``focus`` (a group pattern on ``?f``, or "") restricting the focus nodes."""
        guard = ""
        if self.guarded:
            classes = " ".join(_iri(c) for c in self.target)
            guard = f" FILTER EXISTS {{ VALUES ?tg {{ {classes} }} ?f <{RDF}type> ?tg . {focus} }}"
        return f"SELECT DISTINCT ?f ?v WHERE {{ {self.where.replace('FOCUS', focus)}{guard} }}"


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
        #: Write for Oxigraph (:attr:`Check.indexed`): each value read once, see :meth:`constraint`.
        self.tuned = False
        #: Variables whose datatype a tuned check binds once (``BIND(DATATYPE(?v) AS ?vdt)``): var → that variable.
        self.datatypes: dict[str, str] = {}

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

        ``skip`` names constraints (``"class"`` …) checked elsewhere. Tuned, when the shape
        asks for ``xsd:string`` and a length or pattern, those facets read ``STRDT(var,
        xsd:string)``, which only a plain string has: they imply the datatype, and the
        value is read once.
        """
        parts = []
        plain = (self.tuned and [d.value for d in self.g.values(shape, SH + "datatype")] == [XSD + "string"]
                 and any(self.g.values(shape, SH + f) for f in _FACETS))
        text = f"STRDT({var}, {_iri(XSD + 'string')})" if plain else f"STR({var})"
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
                if not (plain and local == "datatype"):
                    parts.append(self.constraint(local, o, var, text))
        if self.g.one(shape, SH + "path") is not None and properties:
            return self.property_expr(shape, var)
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def constraint(self, local: str | None, o, var: str, text: str = "") -> str:
        """One value constraint on ``var``; errors (incomparable values) count as failures.

        Each mention of ``var`` makes Oxigraph read its text (an IRI or a long string)
        from the store again, so tuned, every test names it once: ``DATATYPE`` of a node
        that is not a literal, and ``STR`` of a blank node, are errors (in SPARQL; some
        servers answer them), which ``COALESCE`` makes false. ``text`` is the string the
        facets (pattern, length) read, ``STR(var)`` by default.
        """
        if local in ("datatype", "pattern", "minLength", "maxLength"):
            return self.literal_test(local, o, var, text or f"STR({var})")
        if local == "nodeKind":
            kinds = {"IRI": f"isIRI({var})", "Literal": f"isLITERAL({var})", "BlankNode": f"isBLANK({var})",
                     "BlankNodeOrIRI": f"!isLITERAL({var})", "IRIOrLiteral": f"!isBLANK({var})",
                     "BlankNodeOrLiteral": f"!isIRI({var})"}
            return kinds[o.value[len(SH):]]
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
        raise KgError(f"shapes.ttl uses sh:{local}, which kg's SHACL compiler does not support")

    def literal_test(self, local: str, o, var: str, text: str) -> str:
        """``sh:datatype``, ``sh:pattern``, ``sh:minLength`` or ``sh:maxLength`` on ``var``."""
        if local == "datatype":
            bound = self.datatypes.get(var)
            if bound:
                return f"COALESCE(sameTerm({bound}, {_iri(o.value)}), false)"
            if self.tuned:
                return f"COALESCE(DATATYPE({var}) = {_iri(o.value)}, false)"
            return f"(isLITERAL({var}) && DATATYPE({var}) = {_iri(o.value)})"
        test = f"REGEX({text}, {o})" if local == "pattern" else \
            f"STRLEN({text}) {'>=' if local == 'minLength' else '<='} {o.value}"
        return f"COALESCE({test}, false)" if self.tuned else f"COALESCE(!isBLANK({var}) && {test}, false)"

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


def _classes(c: _Compiler, cls: str) -> tuple[str, ...]:
    """A class and its subclasses: the types that make a node a focus node of a shape targeting it."""
    return tuple(sorted(c.subclasses.get(cls, {cls})))


def _target(c: _Compiler, cls: str) -> str:
    """A sub-SELECT of the focus nodes of a class: joined to a check by a hash join, not a loop of seeks.

    Not DISTINCT (a node of two of the classes comes twice): that costs a hash set of
    every focus node, and the results are made distinct anyway.
    """
    t = c.var()
    classes = " ".join(_iri(x) for x in _classes(c, cls))
    return f"{{ SELECT ?f WHERE {{ VALUES {t} {{ {classes} }} ?f <{RDF}type> {t} . FOCUS }} }}"


def _not_typed(c: _Compiler, var: str, cls: str) -> str:
    """``var`` has no type in ``cls`` (nor is one of the ontology's own members of it), as a MINUS."""
    t = c.var()
    classes = " ".join(_iri(x) for x in _classes(c, cls))
    known = sorted(c.members.get(cls, ()))
    keep = f" FILTER({var} NOT IN ({', '.join(_iri(k) for k in known)}))" if known else ""
    return f"MINUS {{ VALUES {t} {{ {classes} }} {var} <{RDF}type> {t} }}{keep}"


def _too_many(p: str, n: int, graphs: str = "") -> str:
    """The subjects given more than ``n`` values of ``p`` by one source (``graphs``: a VALUES block on ``?src``).

    Counted per source graph: two sources may give a deal different amounts (a
    conflict, kept and flagged), but one source may not.
    """
    return (f"{{ SELECT ?f (COUNT(DISTINCT ?w) AS ?v) WHERE {{ {graphs}GRAPH ?src {{ ?f {p} ?w }} }} "
            f"GROUP BY ?f ?src HAVING (COUNT(DISTINCT ?w) > {n}) }}")


def _count_checks(c: _Compiler, shape, cls: str, prop, path: str, own) -> list[Check]:
    g = c.g
    checks = []
    p, target = _iri(path), _classes(c, cls)
    lo, hi = g.one(prop, SH + "minCount"), g.one(prop, SH + "maxCount")
    if lo is not None and int(lo.value) > 0:
        n = int(lo.value)
        having = "" if n == 1 else f" GROUP BY ?f HAVING (COUNT(DISTINCT ?w) >= {n})"
        lacking = f"MINUS {{ {{ SELECT ?f WHERE {{ ?f {p} ?w }}{having} }} }}"
        indexed = f"{{ SELECT ?f WHERE {{ VALUES ?t {{ CLASSES }} ?f <{RDF}type> ?t }} }} {lacking}" if n == 1 else ""
        checks.append(Check(shape.value, path, own or _default_message("minCount", lo), f"{_target(c, cls)} {lacking}",
                            False, target, indexed=indexed))
    if hi is not None:
        n = int(hi.value)
        checks.append(Check(shape.value, path, own or _default_message("maxCount", hi), _too_many(p, n), False,
                            target, True, n))
    return checks


def _listed(c: _Compiler, prop) -> str | None:
    """The members of the property's ``sh:in`` as a VALUES row list, when they are all IRIs or plain strings.

    Then membership is sameness of terms, which a hash anti-join tests once per
    value, where ``IN`` compares each value with every member in turn.
    """
    lists = c.g.values(prop, SH + "in")
    if len(lists) != 1:
        return None
    items = c.g.items(lists[0])
    plain = all(type(x).__name__ == "NamedNode" or (type(x).__name__ == "Literal" and x.datatype.value == XSD + "string"
                                                     and x.language is None) for x in items)
    return " ".join(str(x) for x in items) if plain else None


def _property_checks(c: _Compiler, shape, cls: str, prop) -> list[Check]:
    """The checks of one property shape. Only ``minCount`` joins the focus nodes; the others scan the
    property for offending values, and each one found is then kept if its subject is a focus node."""
    g = c.g
    path_node = g.one(prop, SH + "path")
    if path_node is None or type(path_node).__name__ != "NamedNode":
        raise KgError("shapes.ttl: only simple predicate paths are supported")
    path, p = path_node.value, _iri(path_node.value)
    msg = g.one(prop, SH + "message")
    own = msg.value if msg is not None else None
    target = _classes(c, cls)
    checks = _count_checks(c, shape, cls, prop, path, own)
    for other in g.values(prop, SH + "lessThan"):
        where = (f"{{ SELECT ?f ?v ?w WHERE {{ ?f {p} ?v . ?f {_iri(other.value)} ?w }} }} "
                 f"FILTER(!COALESCE(?v < ?w, false))")
        checks.append(Check(shape.value, path, own or _default_message("lessThan", other), where, target=target,
                            guarded=True))
    for kind in g.values(prop, SH + "class"):
        untyped = _not_typed(c, "?v", kind.value)
        checks.append(Check(shape.value, path, own or f"a value of {compact(path)} is not a {compact(kind.value)}",
                            f"{{ SELECT ?f ?v WHERE {{ ?f {p} ?v }} }} {untyped}", target=target, guarded=True,
                            indexed=f"{{ SELECT ?f ?p ?v WHERE {{ VALUES ?p {{ PREDICATES }} ?f ?p ?v }} }} {untyped}"))
    value = c.node_expr(prop, "?v", properties=False, skip=("class",))
    if value != "true":
        where = f"{{ SELECT ?f ?v WHERE {{ ?f {p} ?v FILTER(!{value}) }} }}"
        checks.append(Check(shape.value, path, own or f"{compact(path)} has a value that does not conform", where,
                            target=target, guarded=True, indexed=_tuned_values(c, prop, p)))
    return checks


def _tuned_values(c: _Compiler, prop, p: str) -> str:
    """The offending values of ``p`` for Oxigraph: each value read once, ``sh:in`` an anti-join.

    Its datatype is worked out once (``?vdt``), where a value may have one of several.
    """
    listed = _listed(c, prop)
    c.tuned, c.datatypes = True, {"?v": "?vdt"}
    try:
        value = c.node_expr(prop, "?v", properties=False, skip=("class",) + (("in",) if listed is not None else ()))
    finally:
        c.tuned, c.datatypes = False, {}
    bind = " BIND(DATATYPE(?v) AS ?vdt)" if "?vdt" in value else ""
    parts = [f"{{ SELECT ?f ?v WHERE {{ ?f {p} ?v{bind} FILTER(!{value}) }} }}"] if value != "true" else []
    if listed is not None:
        parts.append(f"{{ ?f {p} ?v MINUS {{ VALUES ?v {{ {listed} }} }} }}")
    return " UNION ".join(parts)


def _node_checks(c: _Compiler, shape, cls: str) -> list[Check]:
    """Constraints on the focus node itself; ``sh:not [ sh:class C ]`` becomes a join of the two classes."""
    g = c.g
    target, classes_ = _target(c, cls), _classes(c, cls)
    msg = g.one(shape, SH + "message")
    text = msg.value if msg is not None else f"does not conform to {compact(shape.value)}"
    checks = []
    for inner in g.values(shape, SH + "not"):
        classes = g.values(inner, SH + "class")
        if len(g.out.get(inner, {})) == 1 and len(classes) == 1:
            other = _target(c, classes[0].value).replace("FOCUS", "")
            checks.append(Check(shape.value, "", text, f"{target} {other}", False, classes_))
    own = c.node_expr(shape, "?f", properties=False, skip=("not",) if checks else ())
    if own != "true":
        checks.append(Check(shape.value, "", text, f"{target} FILTER(!{own})", False, classes_))
    return checks


@lru_cache(maxsize=1)
def compile_shapes() -> tuple[Check, ...]:
    """Compile ``ontology/shapes.ttl`` into :class:`Check` queries, once per process.

    A check scans its property once and asks whether an offending value's
    subject is a focus node only for the rows it finds; ``minCount`` and the
    node's own constraints join the focus nodes to the scan by a hash join
    (sub-SELECTs), which Oxigraph runs about eight times faster than a seek
    per focus node (16 µs a seek at a million deals).

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
            checks.extend(_node_checks(c, shape, cls.value))
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


def _each(jobs: list, solve, workers: int, progress=None, weight=lambda job: 1):
    """Yield ``solve(job)`` for every job, ``workers`` at a time, in the order they finish.

    ``progress`` is called with the running total of ``weight(job)`` after each.
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    done = 0
    if workers <= 1:
        for job in jobs:
            out = solve(job)
            done += weight(job)
            if progress is not None:
                progress(done)
            yield out
        return
    # The store answers a query in Rust without the GIL: checks run side by side on every core.
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {pool.submit(solve, job): job for job in jobs}
        for future in as_completed(futures):
            done += weight(futures[future])
            if progress is not None:
                progress(done)
            yield future.result()
    finally:
        pool.shutdown(cancel_futures=True)


def _report(found) -> ValidationReport:
    """The report of ``(check, focus, value)`` results: one row per focus, path, message and value, sorted."""
    rows: dict[tuple, dict] = {}
    for check, f, v in found:
        row = {"severity": "Violation", "focus": _term_text(f), "path": compact(check.path) if check.path else "",
               "value": _term_text(v) if check.has_value else "", "message": check.message}
        rows.setdefault((row["focus"], row["path"], row["message"], row["value"]), row)
    out = sorted(rows.values(), key=lambda r: (r["focus"], r["path"], r["message"], r["value"]))
    violations = [f"{r['focus']} {r['path']}: {r['message']}".replace("  ", " ") for r in out]
    return ValidationReport(conforms=not out, violations=violations, rows=out)


def _run(query, focus: str = "", progress=None, workers: int = 1) -> ValidationReport:
    """Run every check as a SELECT of its own with ``query(sparql)``: for a store without indexes at hand (remote).

    Args:
        query: a function running one SELECT over the union of the graphs.
        focus: a group pattern restricting ``?f`` (see :meth:`Check.sparql`).
        progress: called with the number of checks done after each one.
        workers: how many checks run at once (threads; 1: in the calling thread).
    """
    def solve(check):
        return [(check, sol["f"], sol["v"]) for sol in query(check.sparql(focus))]

    found = [r for rows in _each(list(compile_shapes()), solve, workers, progress) for r in rows]
    return _report(r for r in found if type(r[1]).__name__ != "Literal")


def _scans(checks) -> list[list[Check]]:
    """The checks grouped by what they read: the same ``where`` (up to variable names) is one query.

    Three shapes check ``kg:evidence`` values the same way, three count ``kg:status``
    per source; each such scan runs once and its rows go through each check's own
    focus test.
    """
    groups: dict[tuple, list[Check]] = {}
    for check in checks:
        key = (_renumbered(check.indexed or check.where), check.has_value, check.most)
        groups.setdefault(key, []).append(check)
    return list(groups.values())


def _renumbered(sparql: str) -> str:
    """``sparql`` with its fresh variables (``?x12``) numbered from 0 in order of appearance."""
    import re

    names: dict[str, str] = {}
    return re.sub(r"\?x\d+", lambda m: names.setdefault(m.group(0), f"?x{len(names)}"), sparql)


def _scan(raw, group: list[Check]) -> list[tuple]:
    """The ``(check, f, v)`` rows of a group of checks over the whole of an embedded store, before the focus tests."""
    check = group[0]
    if check.most:
        return [(c, f, v) for f, v in _crowded(raw, check) for c in group]
    if "CLASSES" in check.indexed:
        classes = sorted({t for c in group for t in c.target})
        where = check.indexed.replace("CLASSES", " ".join(_iri(t) for t in classes))
        return [(c, s["f"], None) for s in raw.query(f"SELECT ?f WHERE {{ {where} }}", use_default_graph_as_union=True)
                for c in group]
    if "PREDICATES" not in check.indexed:
        where = (check.indexed or check.where).replace("FOCUS", "")
        return [(c, s["f"], s["v"]) for s in raw.query(f"SELECT ?f ?v WHERE {{ {where} }}", use_default_graph_as_union=True)
                for c in group]
    paths = sorted({c.path for c in group})
    where = check.indexed.replace("PREDICATES", " ".join(_iri(p) for p in paths))
    sols = raw.query(f"SELECT ?f ?v ?p WHERE {{ {where} }}", use_default_graph_as_union=True)
    return [(c, s["f"], s["v"]) for s in sols for c in group if c.path == s["p"].value]


def _crowded(raw, check: Check) -> list[tuple]:
    """The rows of a ``sh:maxCount`` check, counted only in the graphs where some subject has two values.

    A graph with as many statements of the property as subjects gives each
    subject one value: counting the statements and subjects of each graph
    (two integers a graph) rules most graphs out without grouping by subject.
    """
    p = _iri(check.path)
    sols = raw.query(f"SELECT ?src (COUNT(*) AS ?n) (COUNT(DISTINCT ?f) AS ?m) WHERE {{ GRAPH ?src {{ ?f {p} ?w }} }} "
                     f"GROUP BY ?src", use_default_graph_as_union=True)
    graphs = [s["src"] for s in sols if int(s["n"].value) > int(s["m"].value)]
    if not graphs:
        return []
    named = all(type(g).__name__ == "NamedNode" for g in graphs)
    values = f"VALUES ?src {{ {' '.join(str(g) for g in graphs)} }} " if named else ""
    sols = raw.query(f"SELECT ?f ?v WHERE {{ {_too_many(p, check.most, values)} }}", use_default_graph_as_union=True)
    return [(s["f"], s["v"]) for s in sols]


def _types(raw):
    """A cached lookup of a node's types (IRIs), by index: the focus test of the (few) rows found."""
    import pyoxigraph as ox

    kind = ox.NamedNode(RDF + "type")

    @lru_cache(maxsize=100_000)
    def types(node) -> frozenset:
        return frozenset(q.object.value for q in raw.quads_for_pattern(node, kind, None, None)
                         if type(q.object).__name__ == "NamedNode")

    return types


def _subject_in(raw, graphs: list):
    """A test of a node: is it the subject of a statement in one of ``graphs`` (pyoxigraph NamedNodes)?"""
    def keep(node) -> bool:
        return any(next(iter(raw.quads_for_pattern(node, None, None, g)), None) is not None for g in graphs)
    return keep


def _run_indexed(raw, progress=None, keep=None, workers: int = 1) -> ValidationReport:
    """Run the checks on an embedded ``pyoxigraph.Store``: each distinct scan once, the focus tests by index.

    Args:
        raw: the store (its default graph is taken as the union of all graphs).
        progress: called with the number of checks done (of ``len(compile_shapes())``).
        keep: an optional test of a focus node (a pyoxigraph term): results on others are dropped.
        workers: how many scans run at once (threads; 1: in the calling thread).
    """
    types = _types(raw)
    found = []
    for rows in _each(_scans(compile_shapes()), lambda group: _scan(raw, group), workers, progress, len):
        found.extend((check, f, v) for check, f, v in rows
                     if type(f).__name__ != "Literal" and (not check.target or not types(f).isdisjoint(check.target))
                     and (keep is None or keep(f)))
    return _report(found)


def _scratch(new, context=()):
    """An in-memory store holding ``new`` in :data:`NEW_GRAPH` and ``context`` in :data:`CONTEXT_GRAPH`.

    ``new`` may also be a list of triple lists, one per source: each goes to a
    graph of its own under :data:`NEW_GRAPH`, and ``context`` may hold quads,
    which keep their graphs under :data:`CONTEXT_GRAPH`, so that per-source
    counts stay per source.

    Returns:
        ``(store, graphs)``: the ``pyoxigraph.Store`` and the names of the new data's graphs.
    """
    import pyoxigraph as ox

    s = ox.Store()
    groups = new if new and isinstance(new[0], list) else [new]
    names = [ox.NamedNode(NEW_GRAPH if len(groups) == 1 else f"{NEW_GRAPH}/{i}") for i in range(len(groups))]
    for g, triples in zip(names, groups, strict=True):
        s.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
    for t in context:
        where = getattr(t, "graph_name", None)
        g = ox.NamedNode(f"{CONTEXT_GRAPH}/{where.value}" if where is not None else CONTEXT_GRAPH)
        s.add(ox.Quad(t.subject, t.predicate, t.object, g))
    return s, names


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
    return _run_indexed(_scratch(list(triples))[0])


# The predicate is a constant, not a VALUES row: bound so, the store looks each node's types up by
# index; joined from VALUES, it scanned every rdf:type in the store (8 s at a million deals).
#: Checks run at once when a whole store or a graph in it is validated in place.
_WORKERS = min(4, os.cpu_count() or 1)
#: Statements up to which a scratch store's checks run in the calling thread (threads cost more there).
_SERIAL = 10_000
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
    scratch, new = _scratch([list(b.triples) for b in batches if b.triples], context)
    # The new data's subjects are the focus nodes; its context only informs them.
    workers = _WORKERS if len(scratch) > _SERIAL else 1
    report = _run_indexed(scratch, keep=_subject_in(scratch, new), workers=workers)
    if report.violations and not force:
        raise ValidationError(report.violations, source=", ".join(sorted({b.source for b in batches})))
    return report.violations


def validate_graphs(store, graphs, *, progress=None, whole: bool = False) -> ValidationReport:
    """Validate, in place, every node that is a subject in one of ``graphs``.

    For an ingest that has already loaded its named graphs into a store (or a
    copy of it) and must check them before it commits: the checks run on the
    store's indexes and see the nodes' statements in every graph. On an
    embedded store every check reads the whole store once (as
    :func:`validate_store`) and only the results on the graphs' nodes are kept;
    a remote store is asked about those nodes only.

    Args:
        store: an open store (its ``query`` runs over the union of graphs).
        graphs: named graph IRIs.
        progress: called with the number of checks done.
        whole: ``graphs`` hold (nearly) everything in the store, as in a first load (kept for
            callers: every check on an embedded store reads the whole store anyway).

    Returns:
        A :class:`ValidationReport`.
    """
    graphs = list(graphs)
    if not graphs:
        return ValidationReport(conforms=True)
    from kg.stores import raw_store

    raw = raw_store(store)
    if raw is not None:
        import pyoxigraph as ox

        return _run_indexed(raw, progress, _subject_in(raw, [ox.NamedNode(g) for g in graphs]), _WORKERS)
    values = " ".join(_iri(g) for g in graphs)
    focus = f"FILTER EXISTS {{ VALUES ?fg {{ {values} }} GRAPH ?fg {{ ?f ?fp ?fo }} }}"
    return _run(store.query, focus, progress, workers=_WORKERS)


def validate_store(store, *, progress=None) -> ValidationReport:
    """Validate everything in the store, in place, by the compiled checks.

    On an embedded store each distinct scan runs once over the store's indexes
    (:func:`_run_indexed`); a remote store gets one SELECT per check.

    Args:
        store: an open store.
        progress: called with the number of checks done (of ``len(compile_shapes())``).

    Returns:
        A :class:`ValidationReport`.
    """
    from kg.stores import raw_store

    raw = raw_store(store)
    if raw is not None:
        return _run_indexed(raw, progress, workers=_WORKERS)
    return _run(store.query, "", progress, workers=_WORKERS)
