"""The derived edges that new graphs add, computed in Python from their triples.

:func:`kg.rules.derive_update` rebuilds the derived graph with one SPARQL
Update over the whole store. That is one big Oxigraph transaction (memory
grows with the store), and even its CONSTRUCT twins take about 3.5 s per
million triples here, because every join step is a RocksDB lookup. When an
import only *adds* graphs, the rules can instead be run over the new triples
as they are parsed (about 1.4 s per million triples), and merged with the
facts other graphs already state about the same deals:

* ``?s rel ?o`` for each rule of the schema's relations, by
  :class:`kg.rules.Deriver` (deal class, subject role, object role, role
  concept, no blocking status such as ``kg:Declined``);
* ``?agent kg:involvedIn ?deal`` for every agent role whose value is an IRI;
* ``?e kg:nameKey ?key`` for every ``rdfs:label``/``skos:altLabel`` of an IRI
  outside the derived and ontology graphs.

Every rule looks only at triples whose subject is the deal (or the labelled
entity), and only a blocking status (``kg:Declined``) can take an edge away. So the derived graph
of the store plus the new graphs is the old derived graph plus the edges
computed here, as long as no deal already described elsewhere is declined
by the new triples; :meth:`Collector.needs_rebuild` says when that (or a
blank node, whose label the loader renames) rules the shortcut out.

>>> import pyoxigraph as ox
>>> c = Collector("urn:g")
>>> K = "https://kg.example.org/ontology#"
>>> d, a, b = ox.NamedNode("urn:d"), ox.NamedNode("urn:a"), ox.NamedNode("urn:b")
>>> c.add(d, ox.NamedNode(RDF_TYPE), ox.NamedNode(K + "Investment"))
>>> c.add(d, ox.NamedNode(K + "investor"), a); c.add(d, ox.NamedNode(K + "investee"), b)
>>> sorted(str(q.predicate).rsplit("#")[1][:-1] for q in c.quads(None))
['investedIn', 'involvedIn', 'involvedIn']
"""

from __future__ import annotations

import re
from functools import lru_cache

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode

from kg.rules import LABEL_PROPERTIES, Deriver
from kg.schema import DERIVED_GRAPH, KG, ONTOLOGY_GRAPH, RDF

RDF_TYPE = RDF + "type"
_ROLE, _STATUS = KG + "role", KG + "status"


@lru_cache(maxsize=1)
def _deriver() -> Deriver:
    return Deriver()


def deal_predicates() -> frozenset[str]:
    """The predicates whose triples decide a deal's derived edges (type, role concept, status, roles)."""
    return frozenset({RDF_TYPE, _ROLE, _STATUS, *_deriver().roles})


# Python's twin of the SPARQL regex [^\p{L}\p{N}]+ of kg.rules.derive_update
# (\w is letters, digits and "_", so [\W_] is neither letter nor digit).
_NON_WORD = re.compile(r"[\W_]+")


def sparql_name_key(label: str) -> str:
    """The ``kg:nameKey`` that :func:`kg.rules.derive_update` computes for a label.

    ``REPLACE(REPLACE(LCASE(STR(?label)), "[^\\p{L}\\p{N}]+", " "), "^ | $", "")``.

    >>> sparql_name_key("  Xiaomi, Inc. ")
    'xiaomi inc'
    """
    key = _NON_WORD.sub(" ", label.lower())
    if key.startswith(" "):
        key = key[1:]
    if key.endswith(" "):
        key = key[:-1]
    return key


class _Deal:
    __slots__ = ("types", "roles", "concepts", "declined")  # declined: a blocking status holds

    def __init__(self):
        self.types: set = set()
        self.roles: dict = {}
        self.concepts: set = set()
        self.declined = False


class Collector:
    """Gathers, from the triples of one new graph, what the derivation rules read.

    Args:
        graph: the IRI of the graph the triples go to.

    Feed it every triple with :meth:`add` (or a whole file with
    :func:`collect_file`), then check :meth:`needs_rebuild` and write
    :meth:`quads`.
    """

    def __init__(self, graph: str):
        self.graph = graph
        self.deals: dict = {}
        self.labels: list = []
        self.blank = False
        self.rebuild = False
        self._names = graph not in (DERIVED_GRAPH, ONTOLOGY_GRAPH)
        self._rules = _deriver()
        self._predicates = deal_predicates()

    def add(self, s, p, o) -> None:
        """Record one triple ``s p o`` (pyoxigraph terms) if a rule reads it."""
        pv = p.value
        if pv in self._predicates:
            if pv == RDF_TYPE:
                if o.value not in self._rules.deal_classes or not isinstance(o, NamedNode):
                    return
            elif pv == _STATUS:
                if o.value not in self._rules.blocking or not isinstance(o, NamedNode):
                    return
            if isinstance(s, BlankNode) or isinstance(o, BlankNode):
                self.blank = True
            deal = self.deals.get(s)
            if deal is None:
                deal = self.deals[s] = _Deal()
            if pv == RDF_TYPE:
                # The rules skip types stated in the derived graph only.
                if self.graph != DERIVED_GRAPH:
                    deal.types.add(o.value)
            elif pv == _STATUS:
                deal.declined = True
            elif pv == _ROLE:
                if isinstance(o, NamedNode):
                    deal.concepts.add(o.value)
            else:
                deal.roles.setdefault(pv, []).append(o)
        elif pv in LABEL_PROPERTIES and self._names:
            if isinstance(s, NamedNode) and not isinstance(o, BlankNode):
                self.labels.append((s, o.value))

    def merge_existing(self, raw, existing: set, exclude: set) -> None:
        """Add what other graphs already state about this graph's deals.

        Args:
            raw: the ``pyoxigraph.Store``, with this graph loaded.
            existing: the subjects (terms) of deal triples in the store before
                the load, from :func:`existing_deals`.
            exclude: graph IRIs to ignore (the new graphs, the derived graph).
        """
        for s in existing.intersection(self.deals):
            deal = self.deals[s]
            declined_here, found = deal.declined, False
            for q in raw.quads_for_pattern(s, None, None, None):
                g, pv = q.graph_name, q.predicate.value
                if pv not in self._predicates or isinstance(g, DefaultGraph) or g.value in exclude:
                    continue
                found = True
                self._merge(deal, pv, q.object, g.value)
            if declined_here and found:
                # Declining a deal described elsewhere takes its old edges
                # away, which adding cannot do.
                self.rebuild = True

    def _merge(self, deal: _Deal, pv: str, o, graph: str) -> None:
        if pv == RDF_TYPE:
            if graph != DERIVED_GRAPH and isinstance(o, NamedNode) and o.value in self._rules.deal_classes:
                deal.types.add(o.value)
        elif pv == _STATUS:
            if isinstance(o, NamedNode) and o.value in self._rules.blocking:
                deal.declined = True
        elif pv == _ROLE:
            if isinstance(o, NamedNode):
                deal.concepts.add(o.value)
        else:
            deal.roles.setdefault(pv, []).append(o)

    def needs_rebuild(self) -> bool:
        """True when the shortcut cannot be exact and the derived graph must be rebuilt.

        That is when a rule would read a blank node (the loader gives it a new
        label), or when the new triples decline a deal described elsewhere.
        """
        return self.blank or self.rebuild

    def quads(self, derived_graph=None):
        """Yield the derived quads of the collected triples (may repeat).

        Args:
            derived_graph: the graph to put them in (a ``NamedNode``); default
                :data:`kg.ontology.DERIVED_GRAPH`.
        """
        import pyoxigraph as ox

        g = derived_graph or ox.NamedNode(DERIVED_GRAPH)
        rules, involved, rels = self._rules, ox.NamedNode(KG + "involvedIn"), {}
        for d, deal in self.deals.items():
            if deal.types and not deal.declined:
                for s, rel, o in rules.edges(deal.types, deal.roles, deal.concepts):
                    if not isinstance(s, Literal):  # INSERT drops a triple with a literal subject
                        yield ox.Quad(s, rels.get(rel) or rels.setdefault(rel, ox.NamedNode(rel)), o, g)
            for a in rules.involved(deal.roles):
                if isinstance(a, NamedNode):
                    yield ox.Quad(a, involved, d, g)
        name_key = ox.NamedNode(KG + "nameKey")
        for e, label in self.labels:
            yield ox.Quad(e, name_key, ox.Literal(sparql_name_key(label)), g)


def existing_deals(raw) -> set:
    """The subjects of deal triples (types, roles, status) in the named graphs of ``raw``.

    Run it before loading new graphs; :meth:`Collector.merge_existing` then
    looks only at the deals that both old and new graphs describe.
    """
    import pyoxigraph as ox

    values = " ".join(str(ox.NamedNode(p)) for p in sorted(deal_predicates()))
    rows = raw.query(f"SELECT DISTINCT ?d WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?d ?p ?x }} "
                     f"FILTER(?g != <{DERIVED_GRAPH}>) }}")
    return {r[0] for r in rows}


def collect_file(path, fmt, graph: str, base_iri: str | None = None) -> Collector:
    """Parse an RDF file of triples and collect what the rules read.

    Args:
        path: the file.
        fmt: its ``pyoxigraph.RdfFormat`` (a triples format).
        graph: the graph its triples go to.
        base_iri: as given to ``bulk_load``, so relative IRIs resolve alike.

    Returns:
        A :class:`Collector`.

    Raises:
        SyntaxError: the file is invalid (``bulk_load`` will say so too).
    """
    import pyoxigraph as ox

    c = Collector(graph)
    add = c.add
    for t in ox.parse(path=str(path), format=fmt, base_iri=base_iri):
        add(t.subject, t.predicate, t.object)
    return c
