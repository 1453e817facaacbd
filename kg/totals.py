"""Totals kept by the writes: what the aggregate named queries would otherwise count over every deal.

Three named queries need every deal or every statement before their first
row: ``graphs`` (statements per graph), ``facts-by-status`` (facts per status
and kind) and ``deal-value-by-investor`` (disclosed money per investor and
currency). At a million deals each takes 10–70 s. So an embedded store keeps
their totals in its own graph (:data:`kg.schema.TOTALS_GRAPH`), and every
ingest brings them up to date by the change alone:

* **Graphs**: the graphs an ingest loads are counted (their cost is the
  input's); the derived graph is counted by what re-derivation adds and takes
  away (:func:`kg.ingest.rederive.rederive` returns it). Small graphs of kg's
  own (:data:`LIVE_GRAPHS`) are counted when asked.
* **Facts by status and deals by investor**: each subject of the changed
  graphs (and each deal whose amount it is) is tallied in the store before
  and after the change (:func:`subject_tally`); the difference is added.

**Stamp.** The totals graph records the store version it is true for
(``kg:version``). A write that keeps the totals moves the stamp with the
version; any other write (``kg serve`` updates, a remote store, an older kg)
leaves it behind, and then :func:`current` is false: the named queries count
the store as before (:func:`kg.query.run_named`), and the next ingest
recomputes the totals whole (:func:`recompute`). A stale total is never
read.

>>> from kg.stores import open_store
>>> store = open_store("memory:")
>>> from kg.snapshot import bump_version_update
>>> store.update("INSERT DATA { GRAPH <urn:s> { deal:d a kg:Investment ; kg:status kg:Completed } } ;"
...              + bump_version_update())
>>> recompute(store)
>>> import pyoxigraph as ox
>>> current(store), tallies(store)[("status", ox.NamedNode(KG + "Completed"), ox.NamedNode(KG + "Investment"))]
(True, [1])
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation

from kg.ontology import KG
from kg.schema import DERIVED_GRAPH, JUDGEMENTS_GRAPH, META_GRAPH, ONTOLOGY_GRAPH, TOTALS_GRAPH

#: The kinds ``facts-by-status`` counts (the VALUES of ``kg/queries/facts-by-status.rq``).
KINDS = tuple(KG + k for k in ("Investment", "Acquisition", "Partnership", "PartnerSearch", "Meeting", "Position",
                                "Project", "Observation"))
#: kg's own small graphs: counted when asked, never kept.
LIVE_GRAPHS = (ONTOLOGY_GRAPH, META_GRAPH, JUDGEMENTS_GRAPH, TOTALS_GRAPH)
#: Past this many changed subjects, one pass over the store is cheaper than a tally per subject.
RECOMPUTE_SUBJECTS = 200_000

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Each tally's numbers, in order, under these properties of its node.
_FIELDS = {"status": ("tallyCount",), "value": ("tallyAmount", "tallyDeals", "tallyApproximate")}
#: Which of those numbers says whether the tally counts anything (at 0 its node goes).
_COUNTED = {"status": 0, "value": 1}
#: The two keys of each tally, under these properties.
_KEYS = {"status": ("tallyStatus", "tallyKind"), "value": ("tallyInvestor", "tallyCurrency")}


def current(store) -> bool:
    """Whether ``store`` holds totals true for its present version.

    >>> from kg.stores import open_store
    >>> current(open_store("memory:"))
    False
    """
    meta, totals, ver = f"<{META_GRAPH}>", f"<{TOTALS_GRAPH}>", f"<{KG}version>"
    return bool(store.query(f"ASK {{ GRAPH {meta} {{ {meta} {ver} ?v }} GRAPH {totals} {{ {totals} {ver} ?v }} }}",
                            prefixes=False))


def carry_update() -> str:
    """SPARQL Update text for a write that changes no total: moves a current stamp one version on.

    Put it just before :func:`kg.snapshot.bump_version_update` in the same update.

    >>> "DELETE" in carry_update()
    True
    """
    meta, totals, ver = f"<{META_GRAPH}>", f"<{TOTALS_GRAPH}>", f"<{KG}version>"
    return (f"DELETE {{ GRAPH {totals} {{ {totals} {ver} ?v }} }} INSERT {{ GRAPH {totals} {{ {totals} {ver} ?next }} }} "
            f"WHERE {{ GRAPH {meta} {{ {meta} {ver} ?v }} GRAPH {totals} {{ {totals} {ver} ?v }} BIND(?v + 1 AS ?next) }}")


def _number(literal):
    """A numeric literal's value as an exact ``Decimal`` (None if it is not a number)."""
    try:
        return Decimal(literal.value)
    except (InvalidOperation, AttributeError, ValueError):
        return None


def _amounts(raw, nodes, skip) -> dict:
    """``{currency term: (largest value, any approximate)}`` over the amount nodes, as the query groups them."""
    import pyoxigraph as ox

    value, currency, approx = KG + "value", KG + "currency", KG + "approximate"
    out: dict = {}
    for node in nodes:
        values, currencies, flags = [], [], []
        for q in raw.quads_for_pattern(node, None, None):
            if q.graph_name in skip:
                continue
            p, number = q.predicate.value, _number(q.object)
            if p == value and number is not None:
                values.append(number)
            elif p == currency:
                currencies.append(q.object)
            elif p == approx and isinstance(q.object, ox.Literal):
                flags.append(q.object.value in ("true", "1"))
        for c in currencies:
            for v in values:
                for flag in flags or [False]:
                    old = out.get(c)
                    out[c] = (v if old is None else max(old[0], v), flag or (old is not None and old[1]))
    return out


def subject_tally(raw, subject: str) -> dict:
    """What one subject adds to the totals: ``{key: [numbers]}``.

    Keys are ``("status", status, kind)`` with ``[1]``, and
    ``("value", investor, currency)`` with ``[amount, 1, approximate 0/1]``
    (pyoxigraph terms after the first),
    counted as ``facts-by-status`` and ``deal-value-by-investor`` count them
    over the store's statements (the derived and totals graphs aside).

    >>> from kg.stores import open_store
    >>> store = open_store("memory:")
    >>> store.update("INSERT DATA { GRAPH <urn:s> { deal:d a kg:Investment ; kg:investor company:a ; "
    ...              "kg:amount [ kg:value 5.0 ; kg:currency 'USD' ] } }")
    >>> [(k[0], v) for k, v in subject_tally(store.raw, "https://kg.example.org/id/deal/d").items()]
    [('value', [Decimal('5'), 1, 0])]
    """
    import pyoxigraph as ox

    skip = {ox.NamedNode(DERIVED_GRAPH), ox.NamedNode(TOTALS_GRAPH)}
    types, statuses, investors, amounts = set(), set(), set(), []
    for q in raw.quads_for_pattern(ox.NamedNode(subject), None, None):
        if q.graph_name in skip:
            continue
        p, o = q.predicate.value, q.object
        if p == _RDF_TYPE:
            types.add(o.value)
        elif p == KG + "status":
            statuses.add(o)
        elif p == KG + "investor":
            investors.add(o)
        elif p == KG + "amount" and not isinstance(o, ox.Literal):
            amounts.append(o)
    out: dict = {("status", s, ox.NamedNode(k)): [1] for s in statuses for k in types & set(KINDS)}
    if KG + "Investment" in types and investors and amounts:
        for c, (v, approx) in _amounts(raw, amounts, skip).items():
            for i in investors:
                out[("value", i, c)] = [v, 1, int(approx)]
    return out


def _add(total: dict, part: dict, sign: int = 1) -> None:
    for key, numbers in part.items():
        have = total.setdefault(key, [0] * len(numbers))
        for j, n in enumerate(numbers):
            have[j] += sign * n


def deal_delta(old_raw, new_raw, subjects) -> dict:
    """How the tallies change from ``old_raw`` to ``new_raw``, read from ``subjects`` and the deals whose amounts they are."""
    import pyoxigraph as ox

    amount = ox.NamedNode(KG + "amount")
    seen = set(subjects)
    for raw in (old_raw, new_raw):
        for s in list(subjects):
            node = ox.NamedNode(s) if not s.startswith("_:") else None
            if node is not None:
                seen.update(q.subject.value for q in raw.quads_for_pattern(None, amount, node)
                            if isinstance(q.subject, ox.NamedNode))
    delta: dict = {}
    for s in seen:
        if s.startswith("_:"):
            continue
        _add(delta, subject_tally(new_raw, s))
        _add(delta, subject_tally(old_raw, s), -1)
    return {k: v for k, v in delta.items() if any(v)}


def count_graph(store, graph: str) -> int:
    """How many statements ``graph`` holds."""
    import pyoxigraph as ox

    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}", prefixes=False)
    return int(next(iter(rows))["n"].value)


def _node(kind: str, key: tuple) -> str:
    digest = hashlib.sha1(f"{key[1]} {key[2]}".encode()).hexdigest()[:20]
    return f"{TOTALS_GRAPH}/{kind}/{digest}"


def _literal(n):
    import pyoxigraph as ox

    if isinstance(n, Decimal):
        text = format(n, "f")
        return ox.Literal(text if "." in text else text + ".0", datatype=ox.NamedNode(_XSD + "decimal"))
    return ox.Literal(str(int(n)), datatype=ox.NamedNode(_XSD + "integer"))


def tallies(store) -> dict:
    """The tallies the store keeps, ``{key: [numbers]}`` (see :func:`subject_tally`)."""
    import pyoxigraph as ox

    raw, g = store.raw, ox.NamedNode(TOTALS_GRAPH)
    out = {}
    for kind, (k1, k2) in _KEYS.items():
        for q in raw.quads_for_pattern(None, ox.NamedNode(KG + k1), None, g):
            key = (kind, q.object, _one(raw, q.subject, KG + k2, g))
            out[key] = [_plain(_one(raw, q.subject, KG + f, g)) for f in _FIELDS[kind]]
    return out


def _one(raw, node, prop: str, g):
    import pyoxigraph as ox

    return next(iter(raw.quads_for_pattern(node, ox.NamedNode(prop), None, g))).object


def _plain(literal):
    return Decimal(literal.value) if literal.datatype.value == _XSD + "decimal" else int(literal.value)


def apply(store, delta: dict, counts: dict[str, int], derived_change: int | None = None) -> None:
    """Add ``delta`` to the kept tallies, set the statement ``counts`` of graphs, then stamp the totals.

    Args:
        store: an embedded store whose totals were current before the change.
        delta: tally changes from :func:`deal_delta`.
        counts: ``{graph: statements}`` for the graphs counted anew (0 removes the row).
        derived_change: statements the derived graph gained (negative: lost), or None if counted in ``counts``.
    """
    import pyoxigraph as ox

    raw, g = store.raw, ox.NamedNode(TOTALS_GRAPH)
    N = ox.NamedNode
    for key, change in delta.items():
        kind, node = key[0], N(_node(key[0], key))
        fields = _FIELDS[kind]
        old = [q.object for f in fields for q in raw.quads_for_pattern(node, N(KG + f), None, g)]
        numbers = [_plain(o) for o in old] if len(old) == len(fields) else [0] * len(fields)
        numbers = [a + b for a, b in zip(numbers, change, strict=True)]
        for q in list(raw.quads_for_pattern(node, None, None, g)):
            raw.remove(q)
        if numbers[_COUNTED[kind]] > 0:
            k1, k2 = _KEYS[kind]
            raw.extend([ox.Quad(node, N(KG + k1), key[1], g), ox.Quad(node, N(KG + k2), key[2], g)]
                       + [ox.Quad(node, N(KG + f), _literal(n), g) for f, n in zip(fields, numbers, strict=True)])
    if derived_change is not None:
        counts = {**counts, DERIVED_GRAPH: _kept_count(raw, DERIVED_GRAPH) + derived_change}
    for graph, n in counts.items():
        _set_count(raw, graph, n)
    _stamp(store)


def _kept_count(raw, graph: str) -> int:
    import pyoxigraph as ox

    for q in raw.quads_for_pattern(ox.NamedNode(graph), ox.NamedNode(KG + "tripleCount"), None,
                                   ox.NamedNode(TOTALS_GRAPH)):
        return int(q.object.value)
    return 0


def _set_count(raw, graph: str, n: int) -> None:
    import pyoxigraph as ox

    g, prop, node = ox.NamedNode(TOTALS_GRAPH), ox.NamedNode(KG + "tripleCount"), ox.NamedNode(graph)
    for q in list(raw.quads_for_pattern(node, prop, None, g)):
        raw.remove(q)
    if n > 0 and graph not in LIVE_GRAPHS:
        raw.add(ox.Quad(node, prop, _literal(n), g))


def _stamp(store) -> None:
    """Mark the totals true for the store's version as it stands."""
    import pyoxigraph as ox

    raw, g, ver = store.raw, ox.NamedNode(TOTALS_GRAPH), ox.NamedNode(KG + "version")
    rows = list(store.query(f"SELECT ?v WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{KG}version> ?v }} }}",
                            prefixes=False))
    for q in list(raw.quads_for_pattern(g, ver, None, g)):
        raw.remove(q)
    if rows:
        raw.add(ox.Quad(g, ver, rows[0]["v"], g))


_STATUS_COUNTS = """
SELECT ?s ?k (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { SELECT ?x ?s WHERE { ?x <%(kg)sstatus> ?s } }
  { SELECT ?x ?k WHERE { VALUES ?k { %(kinds)s } ?x a ?k } }
} GROUP BY ?s ?k"""

_VALUE_TOTALS = """
SELECT ?i ?c (SUM(?amount) AS ?total) (COUNT(?deal) AS ?deals) (SUM(IF(?approx, 1, 0)) AS ?approxDeals) WHERE {
  { SELECT DISTINCT ?deal ?i WHERE { ?deal a <%(kg)sInvestment> ; <%(kg)sinvestor> ?i } }
  { SELECT ?deal ?c (MAX(?value) AS ?amount) (MAX(COALESCE(?ap, false)) AS ?approx) WHERE {
      { SELECT ?deal ?a WHERE { ?deal <%(kg)samount> ?a } }
      { SELECT ?a ?value WHERE { ?a <%(kg)svalue> ?value } }
      { SELECT ?a ?c WHERE { ?a <%(kg)scurrency> ?c } }
      OPTIONAL { SELECT ?a ?ap WHERE { ?a <%(kg)sapproximate> ?ap } }
    } GROUP BY ?deal ?c }
} GROUP BY ?i ?c"""


def recompute(store, graphs=None) -> None:
    """Compute every total anew from the store's statements, and stamp them.

    Args:
        store: an embedded store.
        graphs: the graphs to count anew (default: all); the others keep their kept counts.
    """
    import pyoxigraph as ox

    raw, g = store.raw, ox.NamedNode(TOTALS_GRAPH)
    kept = {} if graphs is None else {q.subject.value: int(q.object.value) for q in
                                      raw.quads_for_pattern(None, ox.NamedNode(KG + "tripleCount"), None, g)}
    raw.remove_graph(g)
    fresh: dict = {}
    args = {"kg": KG, "kinds": " ".join(f"<{k}>" for k in KINDS)}
    for r in store.query(_STATUS_COUNTS % args, prefixes=False):
        fresh[("status", r["s"], r["k"])] = [int(r["n"].value)]
    for r in store.query(_VALUE_TOTALS % args, prefixes=False):
        if r["total"] is not None:
            fresh[("value", r["i"], r["c"])] = [Decimal(r["total"].value), int(r["deals"].value),
                                                int(r["approxDeals"].value)]
    names = [x for x in store.named_graphs() if x not in LIVE_GRAPHS]
    counts = {x: kept[x] for x in names if x in kept and x not in (graphs or ())}
    counts.update({x: count_graph(store, x) for x in names if x not in counts})
    apply(store, fresh, counts)
