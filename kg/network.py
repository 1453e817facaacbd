"""Project the store into NetworkX: the entity view and the deal view.

The **entity view** (:func:`entity_graph`) has people, organizations and the
concepts they point at as nodes, and one edge per deal and derived relation
(``investedIn``, ``metWith``, ``ceoOf`` …) carrying the deal's date, status,
amount and evidence. The **deal view** (:func:`deal_graph`) is bipartite: deals
on one side, their participants on the other.

Both stream their edges from the store with one SPARQL ``SELECT`` built from
:data:`kg.rules.RELATIONS` and add them straight to the NetworkX graph: no
intermediate rdflib Graph and no list of rows is ever held, so a large store
costs one copy of the graph in memory. Node labels, types and aliases come
from a second, smaller ``SELECT``.

Filters (all optional): relations, entity types, statuses to leave out, and a
time window on the year of the deal.

>>> from kg.store import open_store
>>> G = entity_graph(open_store("memory:"))
>>> G.number_of_nodes(), G.number_of_edges()
(0, 0)
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from kg.errors import KgError
from kg.ontology import DCTERMS, ENTITY_CLASSES, GRAPH, ID, KG, RDFS, SKOS
from kg.rules import RELATION_NAMES, RELATIONS, ROLE_PROPERTIES

#: The extra, non-deal relation of the entity view: an organization's industry.
INDUSTRY = "industry"
#: Every relation name the entity view can hold.
ALL_RELATIONS: tuple[str, ...] = RELATION_NAMES + (INDUSTRY,)
#: A type filter naming a class also keeps its subclasses.
SUBTYPES: dict[str, frozenset[str]] = {
    "Agent": frozenset({"Person", "Organization", "Company"}),
    "Organization": frozenset({"Organization", "Company"}),
}
#: Statuses known to the ontology, lower-case.
STATUS_NAMES = ("rumored", "reported", "planned", "proposed", "declined", "completed")

_SYMMETRIC = {r.name for r in RELATIONS if r.symmetric}


def _local(iri: str | None) -> str | None:
    """The local name of a kg IRI (after ``#`` or the last ``/``)."""
    if iri is None:
        return None
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[cut + 1:]


def _check_relations(relations: Iterable[str] | None) -> tuple[str, ...] | None:
    if relations is None:
        return None
    rels = tuple(dict.fromkeys(r.strip() for r in relations if r.strip()))
    unknown = [r for r in rels if r not in ALL_RELATIONS]
    if unknown:
        raise KgError(f"unknown relation(s) {', '.join(unknown)}; use: {', '.join(ALL_RELATIONS)}")
    return rels


def _check_types(types: Iterable[str] | None) -> frozenset[str] | None:
    if types is None:
        return None
    wanted: set[str] = set()
    known = {c.lower(): c for c in ENTITY_CLASSES + ("Agent",)}
    for t in types:
        name = known.get(t.strip().lower())
        if name is None:
            raise KgError(f"unknown entity type {t!r}; use: {', '.join(known.values())}")
        wanted |= SUBTYPES.get(name, {name})
    return frozenset(wanted)


def _check_statuses(statuses: Iterable[str] | None) -> frozenset[str]:
    out = set()
    for s in statuses or ():
        name = s.strip().lower()
        if name not in STATUS_NAMES:
            raise KgError(f"unknown status {s!r}; use: {', '.join(STATUS_NAMES)}")
        out.add(name)
    return frozenset(out)


def edge_query(relations: tuple[str, ...] | None = None) -> str:
    """The one SELECT that streams every edge of the entity view with its attributes.

    The rows of :data:`kg.rules.RELATIONS` become a ``VALUES`` block (only our own
    constant IRIs go into the text), joined with the deal's roles; the deal's
    qualifiers are ``OPTIONAL``. Organizations' ``kg:industry`` links are a
    second ``UNION`` branch. Symmetric relations come back once per unordered
    pair, with the subject's IRI before the object's.

    Args:
        relations: relation local names to keep (``None``: all).

    Returns:
        SPARQL text binding ``?deal ?dealClass ?rel ?s ?o ?sym ?date ?start ?end
        ?status ?value ?currency ?approx ?quote ?source ?sourceLabel ?confidence``.
    """
    rows = []
    for r in RELATIONS:
        if relations is not None and r.name not in relations:
            continue
        role = f"<{KG}{r.role}>" if r.role else "UNDEF"
        sym = "true" if r.symmetric else "false"
        rows.append(f"(<{KG}{r.deal_class}> <{KG}{r.subject_role}> <{r.iri}> <{KG}{r.object_role}> {role} {sym})")
    branches = []
    if rows:
        branches.append(f"""{{
    VALUES (?dealClass ?subjectRole ?rel ?objectRole ?roleConcept ?sym) {{
      {chr(10).join(rows)}
    }}
    ?deal a ?dealClass ; ?subjectRole ?s ; ?objectRole ?o .
    FILTER(?s != ?o && (!?sym || STR(?s) < STR(?o)))
    FILTER(!BOUND(?roleConcept) || EXISTS {{ ?deal <{KG}role> ?roleConcept }})
    OPTIONAL {{ ?deal <{KG}date> ?date }}
    OPTIONAL {{ ?deal <{KG}startDate> ?start }}
    OPTIONAL {{ ?deal <{KG}endDate> ?end }}
    OPTIONAL {{ ?deal <{KG}status> ?status }}
    OPTIONAL {{ ?deal <{KG}amount> ?amt . ?amt <{KG}value> ?value .
               OPTIONAL {{ ?amt <{KG}currency> ?currency }}
               OPTIONAL {{ ?amt <{KG}approximate> ?approx }} }}
    OPTIONAL {{ ?deal <{KG}evidence> ?ev .
               OPTIONAL {{ ?ev <{KG}quote> ?quote }}
               OPTIONAL {{ ?ev <{KG}confidence> ?confidence }}
               OPTIONAL {{ ?ev <{KG}source> ?source .
                          OPTIONAL {{ ?source <{RDFS}label>|<{DCTERMS}title> ?sourceLabel }} }} }}
  }}""")
    if relations is None or INDUSTRY in relations:
        branches.append(f"""{{
    GRAPH ?g {{ ?s <{KG}industry> ?o }}
    BIND(<{KG}industry> AS ?rel)
    BIND(IF(STRSTARTS(STR(?g), "{GRAPH}source/"), IRI(CONCAT("{ID}source/", STRAFTER(STR(?g), "{GRAPH}source/"))), ?unbound) AS ?source)
    BIND(false AS ?sym)
  }}""")
    if not branches:
        return "SELECT * WHERE { FILTER(false) }"
    return (
        "SELECT ?deal ?dealClass ?rel ?s ?o ?sym ?date ?start ?end ?status ?value ?currency ?approx "
        "?quote ?source ?sourceLabel ?confidence WHERE {\n  "
        + "\n  UNION\n  ".join(branches)
        + "\n}"
    )


def node_query() -> str:
    """The SELECT giving every entity's class, labels and aliases.

    Binds ``?e ?type ?label ?pref ?alias``; an entity with several labels or
    aliases comes back on several rows.
    """
    classes = " ".join(f"<{KG}{c}>" for c in ENTITY_CLASSES)
    return f"""SELECT ?e ?type ?label ?pref ?alias WHERE {{
  VALUES ?type {{ {classes} }}
  ?e a ?type .
  FILTER(isIRI(?e))
  OPTIONAL {{ ?e <{RDFS}label> ?label }}
  OPTIONAL {{ ?e <{SKOS}prefLabel> ?pref }}
  OPTIONAL {{ ?e <{SKOS}altLabel> ?alias }}
}}"""


def _year(text: str | None) -> int | None:
    if not text or len(text) < 4 or not text[:4].isdigit():
        return None
    return int(text[:4])


def _in_window(start: int | None, end: int | None, since: int | None, until: int | None) -> bool:
    # Undated facts (a background position, an industry) are kept: nothing
    # says they fall outside the window.
    if start is None and end is None:
        return True
    lo = start if start is not None else end
    hi = end if end is not None else start
    if since is not None and hi is not None and hi < since:
        return False
    if until is not None and lo is not None and lo > until:
        return False
    return True


def _value(term):
    return None if term is None else term.value


def _node_attributes(store, G, keep_types: frozenset[str] | None, *, isolated: bool = False) -> None:
    """Set ``label``, ``type`` and ``aliases`` on the nodes of ``G`` from one SELECT.

    With ``isolated``, entities that are not concepts are added even when no
    edge reaches them (concepts would otherwise bring in every status and role).
    """
    rank = {c: i for i, c in enumerate(ENTITY_CLASSES)}
    nodes = G._node  # direct dict access: this loop runs once per entity row
    for e, type_, label, pref, alias in store.query(node_query()):
        iri = e.value
        attrs = nodes.get(iri)
        if attrs is None:
            if not isolated or type_.value == KG + "Concept":
                continue
            G.add_node(iri, label=None, type=None, aliases=[])
            attrs = nodes[iri]
        tname = _local(type_.value)
        old = attrs.get("type")
        if old is None or rank.get(tname, 99) < rank.get(old, 99):
            attrs["type"] = tname
        if label is not None and not attrs.get("_haslabel"):
            attrs["label"] = label.value
            attrs["_haslabel"] = True
        elif pref is not None and not attrs.get("label"):
            attrs["label"] = pref.value
        if alias is not None and alias.value not in attrs["aliases"]:
            attrs["aliases"].append(alias.value)
    for iri, attrs in nodes.items():
        attrs.pop("_haslabel", None)
        if not attrs.get("label"):
            attrs["label"] = _local(iri).replace("-", " ") if _local(iri) else iri
        if attrs.get("type") is None:
            attrs["type"] = attrs.pop("_fallback_type", None) or "Entity"
        else:
            attrs.pop("_fallback_type", None)
    if keep_types is not None:
        G.remove_nodes_from([n for n, a in nodes.items() if a["type"] not in keep_types])


def entity_graph(
    store,
    *,
    relations: Iterable[str] | None = None,
    types: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    include_declined: bool = False,
):
    """The entity view of the store: entities as nodes, one edge per deal and relation.

    Nodes are entity IRIs with ``label``, ``type`` (``Company``, ``Person``,
    ``Organization``, ``Project``, ``Concept``) and ``aliases``. Concepts appear
    when an edge reaches them: the kind of partner sought (``seeksPartner``)
    and organizations' industries (``industry``), so a partner search can be
    explained as a path. Without a relation filter, people, organizations and
    projects that take part in no deal are nodes too (isolated), so they can
    be counted and looked up.

    Each edge has key ``f"{deal}|{relation}"`` and attributes ``relation``,
    ``deal``, ``deal_type``, ``date``, ``year``, ``status``, ``amount``,
    ``currency``, ``approximate``, ``quote``, ``source``, ``source_label``,
    ``confidence`` and ``symmetric``. A symmetric relation (``partnerOf``,
    ``metWith``) has ONE edge per deal and unordered pair, stored from the
    lower IRI to the higher one. ``industry`` edges have no deal: their key is
    ``"|industry"``, their deal attributes are ``None``, and their ``source``
    is the source whose named graph states them. When a deal has
    several pieces of evidence, the edge carries the most confident one.

    Declined deals are left out by default, like the derived edges of
    :mod:`kg.rules` (a declined proposal is not a relationship); pass
    ``include_declined=True`` to see them.

    Args:
        store: an open store (:func:`kg.store.open_store`).
        relations: relation names to keep (see :data:`ALL_RELATIONS`); ``None`` keeps all.
        types: entity types to keep (``"Organization"`` includes ``Company``,
            ``"Agent"`` people and organizations); edges need both ends kept.
        exclude_status: statuses to leave out, e.g. ``["rumored"]``.
        since: keep deals whose year (or position span) reaches this year or later.
        until: keep deals up to this year. Undated facts are always kept.
        include_declined: keep declined deals too.

    Returns:
        A ``networkx.MultiDiGraph``.

    Raises:
        KgError: an unknown relation, type or status name.
        QueryError: the store cannot answer the query.

    >>> from kg.store import open_store
    >>> entity_graph(open_store("memory:"), relations=["metWith"]).number_of_edges()
    0
    """
    import networkx as nx

    rels = _check_relations(relations)
    keep_types = _check_types(types)
    excluded = set(_check_statuses(exclude_status))
    if not include_declined:
        excluded.add("declined")

    G = nx.MultiDiGraph()
    nodes, succ, pred = G._node, G._succ, G._pred
    intern = sys.intern
    # Adding edges through the adjacency dicts skips add_edge's per-call
    # checks; at a million deals that halves the projection time.
    for (deal, dclass, rel, s, o, sym, date, start, end, status, value, currency, approx,
         quote, source, slabel, conf) in store.query(edge_query(rels)):
        status_name = _local(status.value).lower() if status is not None else None
        if status_name in excluded:
            continue
        date_text = date.value if date is not None else (start.value if start is not None else None)
        year = _year(date_text)
        if since is not None or until is not None:
            end_year = _year(end.value) if end is not None else (year if start is None else None)
            if not _in_window(year, end_year, since, until):
                continue
        u, v = s.value, o.value
        rel_name = intern(_local(rel.value))
        deal_iri = deal.value if deal is not None else None
        key = f"{deal_iri or ''}|{rel_name}"
        confidence = float(conf.value) if conf is not None else None
        u_out = succ.get(u)
        if u_out is not None and v in u_out and key in u_out[v]:
            old = u_out[v][key]
            # Another evidence row of the same deal: keep the most confident.
            if (confidence or 0.0) <= (old["confidence"] or 0.0):
                continue
        for n in (u, v):
            if n not in nodes:
                nodes[n] = {"label": None, "type": None, "aliases": []}
                succ[n] = {}
                pred[n] = {}
        if rel_name == INDUSTRY or (rel_name == "seeksPartner" and "/concept/" in v):
            # Used only when the store does not type the concept itself.
            nodes[v]["_fallback_type"] = "Concept"
        data = {
            "relation": rel_name,
            "deal": deal_iri,
            "deal_type": intern(_local(dclass.value)) if dclass is not None else None,
            "date": date_text,
            "year": year,
            "status": intern(status_name) if status_name else None,
            "amount": float(value.value) if value is not None else None,
            "currency": currency.value if currency is not None else None,
            "approximate": approx is not None and approx.value in ("true", "1"),
            "quote": _value(quote),
            "source": _value(source),
            "source_label": _value(slabel),
            "confidence": confidence,
            "symmetric": rel_name in _SYMMETRIC,
        }
        succ[u].setdefault(v, {})[key] = data
        pred[v].setdefault(u, {})[key] = data
    _node_attributes(store, G, keep_types, isolated=rels is None)
    return G


def deal_query(classes: tuple[str, ...] | None = None) -> str:
    """The one SELECT that streams the deal view: one row per deal, role and participant."""
    roles = " ".join(f"<{KG}{p}>" for p in ROLE_PROPERTIES + ("soughtPartnerKind",))
    deal_classes = classes or tuple(dict.fromkeys(r.deal_class for r in RELATIONS))
    values = " ".join(f"<{KG}{c}>" for c in deal_classes)
    return f"""SELECT ?deal ?dealClass ?role ?agent ?date ?start ?end ?status ?value ?currency WHERE {{
  VALUES ?dealClass {{ {values} }}
  VALUES ?role {{ {roles} }}
  ?deal a ?dealClass ; ?role ?agent .
  FILTER(isIRI(?agent))
  OPTIONAL {{ ?deal <{KG}date> ?date }}
  OPTIONAL {{ ?deal <{KG}startDate> ?start }}
  OPTIONAL {{ ?deal <{KG}endDate> ?end }}
  OPTIONAL {{ ?deal <{KG}status> ?status }}
  OPTIONAL {{ ?deal <{KG}amount> ?amt . ?amt <{KG}value> ?value . OPTIONAL {{ ?amt <{KG}currency> ?currency }} }}
}}"""


def deal_graph(
    store,
    *,
    relations: Iterable[str] | None = None,
    types: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    include_declined: bool = False,
):
    """The deal view: a bipartite graph of deals and their participants.

    Deal nodes have ``bipartite=0``, ``kind="deal"``, ``type`` (the deal class,
    e.g. ``Investment``), ``label`` (e.g. ``"Investment 2019"``), ``date``,
    ``year``, ``status``, ``amount`` and ``currency``. Participant nodes have
    ``bipartite=1``, ``kind="entity"``, ``label``, ``type`` and ``aliases``.
    Each edge links a deal to a participant, with the ``role`` it plays
    (``investor``, ``participant`` …). Declined deals are left out unless
    ``include_declined`` is true.

    Args:
        store: an open store.
        relations: keep the deals that can produce these relations
            (``metWith`` keeps meetings); ``None`` keeps every deal class.
        types: participant types to keep; deals left with no participant are dropped.
        exclude_status, since, until, include_declined: as for :func:`entity_graph`.

    Returns:
        A ``networkx.Graph``.

    Raises:
        KgError: an unknown relation, type or status name.

    >>> from kg.store import open_store
    >>> deal_graph(open_store("memory:")).number_of_nodes()
    0
    """
    import networkx as nx

    rels = _check_relations(relations)
    keep_types = _check_types(types)
    excluded = set(_check_statuses(exclude_status))
    if not include_declined:
        excluded.add("declined")
    classes = None
    if rels is not None:
        classes = tuple(dict.fromkeys(r.deal_class for r in RELATIONS if r.name in rels))
        if not classes:
            return nx.Graph()
    G = nx.Graph()
    skipped: set[str] = set()
    for deal, dclass, role, agent, date, start, end, status, value, currency in store.query(deal_query(classes)):
        d = deal.value
        if d in skipped:
            continue
        if d not in G:
            status_name = _local(status.value).lower() if status is not None else None
            date_text = date.value if date is not None else (start.value if start is not None else None)
            year = _year(date_text)
            end_year = _year(end.value) if end is not None else (year if start is None else None)
            if status_name in excluded or not _in_window(year, end_year, since, until):
                skipped.add(d)
                continue
            dtype = _local(dclass.value)
            G.add_node(d, bipartite=0, kind="deal", type=dtype,
                       label=f"{dtype} {date_text}" if date_text else dtype,
                       date=date_text, year=year, status=status_name,
                       amount=float(value.value) if value is not None else None,
                       currency=_value(currency))
        a = agent.value
        if a not in G:
            G.add_node(a, bipartite=1, kind="entity", label=None, type=None, aliases=[])
        G.add_edge(d, a, role=_local(role.value))
    # Reuse the entity attribute pass on the participant nodes only.
    entities = G.subgraph(n for n, k in G.nodes(data="kind") if k == "entity")
    holder = nx.MultiDiGraph()
    holder.add_nodes_from((n, {"label": None, "type": None, "aliases": []}) for n in entities)
    _node_attributes(store, holder, keep_types)
    drop = [n for n in entities if n not in holder]
    G.remove_nodes_from(drop)
    for n, attrs in holder.nodes(data=True):
        G.nodes[n].update(attrs)
    if keep_types is not None:
        G.remove_nodes_from([n for n, k in G.nodes(data="kind") if k == "deal" and G.degree(n) == 0])
    return G
