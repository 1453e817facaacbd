"""Derived edges: the simple relations users ask for, computed from the deal nodes.

A deal (an investment, a meeting, a position …) is a node with roles. The rules
turn each deal into the direct edges such as ``kg:investedIn`` and write them
to their own named graph, :data:`kg.schema.DERIVED_GRAPH`, so that the edges
can be rebuilt from scratch after any change and a SPARQL user can still write
the one-hop query ``?a kg:investedIn ?b``.

The rules are data: the ``[[relations]]`` of ``kg/schema.toml`` (see
:mod:`kg.schema`) say, for each derived relation, which deal class and which
two roles produce it. Everything that derives edges is generated here from
that one table:

* :func:`derive_update`, the SPARQL Update that rebuilds the derived graph;
* :func:`underive_update` and :func:`derive_deals_update`, the same rules limited to the deals and nodes an ingest
  touched;
* :func:`derive_constructs`, the same rules as CONSTRUCT queries, which a bulk
  import streams into Oxigraph's loader;
* :class:`Deriver`, the same rules in Python, for one deal at a time, which
  the CSV converter (:mod:`kg.ingest.mapping`) runs as rows stream in.

Besides the relations, every agent role gives ``?agent kg:involvedIn ?deal``,
and every label and alias gives a ``kg:nameKey`` lookup key. Deals with a
status that ``derives = false`` (``kg:Declined``) produce no relation: a
declined proposal is not a relationship. They stay in the graph, with their
evidence.

>>> "kg#investedIn" in derive_update().replace("ontology#", "kg#")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kg.schema import DERIVED_GRAPH, KG, ONTOLOGY_GRAPH, RDFS, SKOS, load

# The SPARQL twin of kg.resolve.name_key: runs of anything but letters and digits.
_NON_WORD = r'"[^\\p{L}\\p{N}]+"'
#: The properties whose values give ``kg:nameKey``.
LABEL_PROPERTIES = (RDFS + "label", SKOS + "altLabel")


def __getattr__(name: str):
    # The rules table is schema data, loaded on first use, never at import.
    if name == "RELATIONS":
        return load().relations
    if name == "RELATION_NAMES":
        return load().relation_names
    if name == "ROLE_PROPERTIES":
        return load().agent_roles
    raise AttributeError(f"module 'kg.rules' has no attribute {name!r}")


@dataclass(frozen=True)
class _Block:
    """One rule as SPARQL: insert ``template`` for each match of ``where``."""

    template: str
    where: str
    #: The variables naming the nodes a derived triple depends on, for incremental rebuilds.
    keys: tuple[str, ...] = ()


def relation_patterns() -> str:
    """SPARQL ``VALUES`` rows describing the relations of the schema.

    Binds ``?dealClass ?subjectRole ?rel ?objectRole ?roleConcept ?symmetric``.
    """
    rows = []
    for r in load().relations:
        role = f"<{KG}{r.role}>" if r.role else "UNDEF"
        sym = "true" if r.symmetric else "false"
        rows.append(
            f"(<{KG}{r.deal_class}> <{KG}{r.subject_role}> <{r.iri}> <{KG}{r.object_role}> {role} {sym})"
        )
    return (
        "VALUES (?dealClass ?subjectRole ?rel ?objectRole ?roleConcept ?symmetric) {\n  "
        + "\n  ".join(rows)
        + "\n}"
    )


@lru_cache(maxsize=1)
def _blocks() -> tuple[_Block, ...]:
    """The three rules as SPARQL: relations, ``kg:involvedIn``, ``kg:nameKey``."""
    schema = load()
    roles = " ".join(f"<{KG}{p}>" for p in schema.agent_roles)
    blocking = " ".join(f"<{KG}{s}>" for s in schema.blocking_statuses)
    unblocked = (f"\n  FILTER NOT EXISTS {{ VALUES ?blocked {{ {blocking} }} GRAPH ?g5 {{ ?deal <{KG}status> ?blocked }} }}"
                 if blocking else "")
    labels = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    # Updates see the store's (empty) default graph, not the union that
    # queries get, so every pattern names its own graph variable.
    relations = f"""
  {relation_patterns()}
  GRAPH ?g1 {{ ?deal a ?dealClass }}
  GRAPH ?g2 {{ ?deal ?subjectRole ?s }}
  GRAPH ?g3 {{ ?deal ?objectRole ?o }}
  FILTER(?s != ?o && ?g1 != <{DERIVED_GRAPH}>)
  OPTIONAL {{ GRAPH ?g4 {{ ?deal <{KG}role> ?hasRole }} }}
  FILTER(!BOUND(?roleConcept) || ?hasRole = ?roleConcept){unblocked}"""
    involved = f"""
  VALUES ?role {{ {roles} }}
  GRAPH ?g {{ ?deal ?role ?agent }}
  FILTER(isIRI(?agent))"""
    names = f"""
  VALUES ?labelProp {{ {labels} }}
  GRAPH ?g {{ ?e ?labelProp ?label }}
  FILTER(isIRI(?e) && ?g != <{DERIVED_GRAPH}> && ?g != <{ONTOLOGY_GRAPH}>)
  BIND(REPLACE(REPLACE(LCASE(STR(?label)), {_NON_WORD}, " "), "^ | $", "") AS ?key)"""
    return (
        _Block("?s ?rel ?o", relations, ("?deal", "?s", "?o")),
        _Block(f"?agent <{KG}involvedIn> ?deal", involved, ("?deal", "?agent")),
        _Block(f"?e <{KG}nameKey> ?key", names, ("?e",)),
    )


def derive_update() -> str:
    """The SPARQL Update that rebuilds the derived graph from scratch.

    It drops :data:`kg.schema.DERIVED_GRAPH`, then inserts the relations of
    the schema, ``kg:involvedIn``, and ``kg:nameKey`` lookup keys (the labels
    and aliases folded to lower case with punctuation as spaces, see
    :func:`kg.resolve.name_key`).

    Returns:
        Update text, to run alone or after other operations in one transaction.
    """
    inserts = [f"INSERT {{ GRAPH <{DERIVED_GRAPH}> {{ {b.template} }} }}\nWHERE {{{b.where}\n}}" for b in _blocks()]
    return f"\nDROP SILENT GRAPH <{DERIVED_GRAPH}> ;\n" + " ;\n".join(inserts) + "\n"


def underive_update(nodes) -> str:
    """The SPARQL Update that deletes the derived triples whose subject or object is one of ``nodes``.

    >>> "DELETE" in underive_update(["https://kg.example.org/id/company/acme"])
    True
    """
    import pyoxigraph as ox

    if not nodes:
        return ""
    values = " ".join(str(ox.NamedNode(n)) for n in sorted(set(nodes)))
    d = f"<{DERIVED_GRAPH}>"
    return (f"DELETE {{ GRAPH {d} {{ ?n ?p ?o }} }} WHERE {{ VALUES ?n {{ {values} }} GRAPH {d} {{ ?n ?p ?o }} }} ;\n"
            f"DELETE {{ GRAPH {d} {{ ?s ?p ?n }} }} WHERE {{ VALUES ?n {{ {values} }} GRAPH {d} {{ ?s ?p ?n }} }}")


def derive_deals_update(deals=(), nodes=()) -> str:
    """The SPARQL Update that inserts what the rules derive for some deals (edges, ``kg:involvedIn``)
    and some nodes (``kg:nameKey``), each rule run with ``?deal`` or ``?e`` bound: a few index lookups each.

    Run :func:`underive_update` on the same nodes first (see :mod:`kg.ingest.pipeline`).

    >>> "VALUES ?deal" in derive_deals_update(["https://kg.example.org/id/deal/d"])
    True
    """
    import pyoxigraph as ox

    d = f"<{DERIVED_GRAPH}>"
    deal_values = " ".join(str(ox.NamedNode(x)) for x in sorted(set(deals)))
    node_values = " ".join(str(ox.NamedNode(x)) for x in sorted(set(nodes)))
    parts = []
    for b in _blocks():
        key, values = ("?deal", deal_values) if "?deal" in b.keys else ("?e", node_values)
        if values:
            parts.append(f"INSERT {{ GRAPH {d} {{ {b.template} }} }}\nWHERE {{ VALUES {key} {{ {values} }} {b.where}\n}}")
    return " ;\n".join(parts)


def derive_constructs() -> list[str]:
    """The rules of :func:`derive_update` as CONSTRUCT queries over the union of the graphs.

    Their triples are exactly what the rebuild inserts; a bulk import streams
    them into Oxigraph's loader, in flat memory, instead of one big transaction.
    Each relation is a query of its own with its classes and roles written in:
    at 100k deals that reads the deals 1.7 times faster than one query over
    the ``VALUES`` rows of :func:`relation_patterns`.

    ``kg:involvedIn`` and ``kg:nameKey`` are likewise one query per role and
    per label property: over a ``VALUES`` list of properties Oxigraph holds
    the matches in memory (at 1M deals 400 MB more at the peak, for the same
    time).

    >>> len(derive_constructs()) == len(load().relations) + len(load().agent_roles) + len(LABEL_PROPERTIES)
    True
    """
    schema = load()
    # One constant pattern per blocking status: a VALUES list here reads the statuses 1.4 times slower.
    unblocked = "".join(f" FILTER NOT EXISTS {{ ?deal <{KG}status> <{KG}{s}> }}" for s in schema.blocking_statuses)
    out = []
    for r in schema.relations:
        role = f" ?deal <{KG}role> <{KG}{r.role}> ." if r.role else ""
        out.append(f"CONSTRUCT {{ ?s <{r.iri}> ?o }} WHERE {{ ?deal a <{KG}{r.deal_class}> ; <{KG}{r.subject_role}> ?s ; "
                   f"<{KG}{r.object_role}> ?o .{role} FILTER(?s != ?o){unblocked} }}")
    for role in schema.agent_roles:
        out.append(f"CONSTRUCT {{ ?agent <{KG}involvedIn> ?deal }} WHERE {{ GRAPH ?g {{ ?deal <{KG}{role}> ?agent }} "
                   "FILTER(isIRI(?agent)) }")
    for prop in LABEL_PROPERTIES:
        out.append(f"CONSTRUCT {{ ?e <{KG}nameKey> ?key }} WHERE {{ GRAPH ?g {{ ?e <{prop}> ?label }}"
                   f"\n  FILTER(isIRI(?e) && ?g != <{DERIVED_GRAPH}> && ?g != <{ONTOLOGY_GRAPH}>)"
                   f'\n  BIND(REPLACE(REPLACE(LCASE(STR(?label)), {_NON_WORD}, " "), "^ | $", "") AS ?key) }}')
    return out


class Deriver:
    """The relation rules in Python, applied to one deal at a time.

    Every key is a full IRI string (``KG + "investor"``), every value any
    hashable term (pyoxigraph terms, IRI strings), compared as the SPARQL rule
    compares them.

    >>> d = Deriver()
    >>> roles = {KG + "holder": ["ann"], KG + "organization": ["acme"]}
    >>> [(s, r.rsplit("#")[1], o) for s, r, o in d.edges({KG + "Position"}, roles, {KG + "CEO"})]
    [('ann', 'ceoOf', 'acme')]
    >>> sorted(d.involved(roles))
    ['acme', 'ann']
    """

    def __init__(self):
        schema = load()
        self.by_class: dict[str, list[tuple[str, str, str, str | None]]] = {}
        for r in schema.relations:
            self.by_class.setdefault(KG + r.deal_class, []).append(
                (r.iri, KG + r.subject_role, KG + r.object_role, KG + r.role if r.role else None))
        #: Deal classes some rule starts from.
        self.deal_classes = frozenset(self.by_class)
        #: Role properties that give ``kg:involvedIn``.
        self.agent_roles = frozenset(KG + p for p in schema.agent_roles)
        #: Every role property a rule reads.
        self.roles = self.agent_roles | {x for rules in self.by_class.values() for _, s, o, _ in rules for x in (s, o)}
        #: Statuses that take a deal's relations away.
        self.blocking = frozenset(KG + s for s in schema.blocking_statuses)

    def edges(self, classes, roles: dict, concepts):
        """Yield ``(subject, relation IRI, object)`` for one deal that no blocking status holds back.

        Args:
            classes: the deal's class IRIs.
            roles: role IRI → list of values.
            concepts: the IRIs of its ``kg:role`` concepts.
        """
        for cls in classes:
            for rel, sr, orole, concept in self.by_class.get(cls, ()):
                if concept is not None and concept not in concepts:
                    continue
                subs, objs = roles.get(sr), roles.get(orole)
                if not subs or not objs:
                    continue
                for s in subs:
                    for o in objs:
                        if s != o:
                            yield s, rel, o

    def involved(self, roles: dict):
        """Yield every value of an agent role of one deal (``?agent kg:involvedIn ?deal``)."""
        for p, values in roles.items():
            if p in self.agent_roles:
                yield from values


def derive(store) -> int:
    """Rebuild the derived graph of ``store`` now, in one transaction.

    Args:
        store: a writable store from :func:`kg.stores.open_store`.

    Returns:
        The number of derived triples.

    Raises:
        ReadOnlyStoreError: the store is read-only.

    >>> from kg.stores import open_store
    >>> s = open_store("memory:")
    >>> derive(s)
    0
    """
    from kg.snapshot import bump_version_update

    # A new version: snapshots and kept totals of the old one are not read again.
    store.update(derive_update() + " ;\n" + bump_version_update())
    return derived_count(store)


def derived_count(store) -> int:
    """The number of triples in the derived graph of ``store``."""
    from kg.totals import count_graph

    return count_graph(store, DERIVED_GRAPH)
