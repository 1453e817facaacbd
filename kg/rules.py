"""Derived edges: the simple relations users ask for, computed from the deal nodes.

A deal (an investment, a meeting, a position …) is a node with roles. The rules
here turn each deal into the direct edges such as ``kg:investedIn`` and write
them to their own named graph, :data:`kg.ontology.DERIVED_GRAPH`, so that the
edges can be rebuilt from scratch after any change and a SPARQL user can still
write the one-hop query ``?a kg:investedIn ?b``.

The rules are data: :data:`RELATIONS` lists, for each derived relation, which
deal class and which two roles produce it. The same table drives the SPARQL
rebuild here and the NetworkX projection in :mod:`kg.network`.

Deals whose status is ``kg:Declined`` produce no derived edge: a declined
proposal is not a relationship. They stay in the graph, with their evidence.

>>> [r.name for r in RELATIONS][:3]
['investedIn', 'acquired', 'partnerOf']
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.ontology import DERIVED_GRAPH, KG, ONTOLOGY_GRAPH


@dataclass(frozen=True)
class Relation:
    """One rule: ``?deal a deal_class; subject_role ?s; object_role ?o`` ⇒ ``?s name ?o``.

    Attributes:
        name: the derived property's local name in the kg namespace.
        deal_class: local name of the deal class.
        subject_role: local name of the role property that gives the subject.
        object_role: local name of the role property that gives the object.
        symmetric: the relation holds both ways (partners, meeting participants).
        role: for positions, the local name of the kg role concept required.
    """

    name: str
    deal_class: str
    subject_role: str
    object_role: str
    symmetric: bool = False
    role: str | None = None

    @property
    def iri(self) -> str:
        return KG + self.name


RELATIONS: tuple[Relation, ...] = (
    Relation("investedIn", "Investment", "investor", "investee"),
    Relation("acquired", "Acquisition", "acquirer", "target"),
    Relation("partnerOf", "Partnership", "partner", "partner", symmetric=True),
    Relation("seeksPartner", "PartnerSearch", "seeker", "candidate"),
    Relation("seeksPartner", "PartnerSearch", "seeker", "soughtPartnerKind"),
    Relation("metWith", "Meeting", "participant", "participant", symmetric=True),
    Relation("ceoOf", "Position", "holder", "organization", role="CEO"),
    Relation("founderOf", "Position", "holder", "organization", role="Founder"),
)

#: Every role property an agent can play in a deal (gives kg:involvedIn).
ROLE_PROPERTIES: tuple[str, ...] = (
    "investor", "investee", "acquirer", "target", "partner", "seeker", "candidate",
    "participant", "holder", "organization",
)

#: Local names of every derived relation, in a stable order.
RELATION_NAMES: tuple[str, ...] = tuple(dict.fromkeys(r.name for r in RELATIONS))


def relation_patterns() -> str:
    """SPARQL ``VALUES`` rows describing :data:`RELATIONS`, for the queries that use them.

    Binds ``?dealClass ?subjectRole ?rel ?objectRole ?roleConcept ?symmetric``.
    """
    rows = []
    for r in RELATIONS:
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


# The SPARQL twin of kg.resolve.name_key: runs of anything but letters and digits.
_NON_WORD = r'"[^\\p{L}\\p{N}]+"'


def derive_update() -> str:
    """The SPARQL Update that rebuilds the derived graph from scratch.

    It drops :data:`DERIVED_GRAPH`, then inserts the relations of
    :data:`RELATIONS`, ``kg:involvedIn``, and ``kg:nameKey`` lookup keys (the
    labels and aliases folded to lower case with punctuation as spaces, see
    :func:`kg.resolve.name_key`).

    Returns:
        Update text, to run alone or after other operations in one transaction.
    """
    roles = " ".join(f"<{KG}{p}>" for p in ROLE_PROPERTIES)
    # Updates see the store's (empty) default graph, not the union that
    # queries get, so every pattern names its own graph variable.
    return f"""
DROP SILENT GRAPH <{DERIVED_GRAPH}> ;
INSERT {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?rel ?o }} }}
WHERE {{
  {relation_patterns()}
  GRAPH ?g1 {{ ?deal a ?dealClass }}
  GRAPH ?g2 {{ ?deal ?subjectRole ?s }}
  GRAPH ?g3 {{ ?deal ?objectRole ?o }}
  FILTER(?s != ?o && ?g1 != <{DERIVED_GRAPH}>)
  OPTIONAL {{ GRAPH ?g4 {{ ?deal <{KG}role> ?hasRole }} }}
  FILTER(!BOUND(?roleConcept) || ?hasRole = ?roleConcept)
  FILTER NOT EXISTS {{ GRAPH ?g5 {{ ?deal <{KG}status> <{KG}Declined> }} }}
}} ;
INSERT {{ GRAPH <{DERIVED_GRAPH}> {{ ?agent <{KG}involvedIn> ?deal }} }}
WHERE {{
  VALUES ?role {{ {roles} }}
  GRAPH ?g {{ ?deal ?role ?agent }}
  FILTER(isIRI(?agent))
}} ;
INSERT {{ GRAPH <{DERIVED_GRAPH}> {{ ?e <{KG}nameKey> ?key }} }}
WHERE {{
  VALUES ?labelProp {{ <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2004/02/skos/core#altLabel> }}
  GRAPH ?g {{ ?e ?labelProp ?label }}
  FILTER(isIRI(?e) && ?g != <{DERIVED_GRAPH}> && ?g != <{ONTOLOGY_GRAPH}>)
  BIND(REPLACE(REPLACE(LCASE(STR(?label)), {_NON_WORD}, " "), "^ | $", "") AS ?key)
}}
"""


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
    store.update(derive_update())
    return derived_count(store)


def derived_count(store) -> int:
    """The number of triples in the derived graph of ``store``."""
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)
