"""Project the store into NetworkX: the entity view and the deal view.

The **entity view** (:func:`entity_graph`) has people, organizations and the
concepts they point at as nodes, and one edge per deal and derived relation
(``investedIn``, ``metWith``, ``ceoOf`` …) carrying the deal's date, status,
amount and evidence. The **deal view** (:func:`deal_graph`) is bipartite: deals
on one side, their participants on the other.

Both stream the facts they need from the store with ONE SPARQL ``SELECT``
(:func:`fact_query`): a ``UNION`` of single triple patterns, one per property
(or per class and status), that the engine answers by plain index scans, plus
two joins by index seeks (amounts, evidence). The joins between deals and their
roles, dates and statuses are done here, in compact per-property dicts keyed
by interned IRI strings, which are dropped once the graph is built. No
intermediate rdflib Graph is ever built. :func:`entity_edges` hands the same
edges to a caller one at a time instead (the snapshot, :mod:`kg.snapshot`,
writes them as columns without a graph).

Why not one SELECT with every join in it: on the on-disk store each
``OPTIONAL`` is a nested loop of index seeks, and every IRI in a row is a
separate string lookup, so a joined row with 17 columns cost 200–400 µs. A
scan row costs a few µs, and each branch tags its rows with a small integer
(stored inline, so free to decode) instead of the predicate's IRI. The graph
is then sorted by IRI, so it does not depend on the order the store streams in.

Filters (all optional): relations, entity types, statuses to leave out, and a
time window on the year of the deal.

>>> from kg.stores import open_store
>>> G = entity_graph(open_store("memory:"))
>>> G.number_of_nodes(), G.number_of_edges()
(0, 0)
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Iterable

from kg.errors import KgError
from kg.ontology import DCTERMS, GRAPH, ID, KG, RDF, RDFS, SKOS
from kg.schema import load as load_schema

#: The extra, non-deal relation of the entity view: an organization's industry.
INDUSTRY = "industry"


def all_relations() -> tuple[str, ...]:
    """Every relation name the entity view can hold: the schema's relations, then :data:`INDUSTRY`."""
    return load_schema().relation_names + (INDUSTRY,)

# How a branch of the fact query turns its ?o into the stored value.
_RAW, _INTERN, _LOCAL, _GRAPH, _ROW = 0, 1, 2, 3, 4


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
    known = all_relations()
    unknown = [r for r in rels if r not in known]
    if unknown:
        raise KgError(f"unknown relation(s) {', '.join(unknown)}; use: {', '.join(known)}")
    return rels


def _check_types(types: Iterable[str] | None) -> frozenset[str] | None:
    if types is None:
        return None
    wanted: set[str] = set()
    known = {c.lower(): c for c in load_schema().entity_class_names + ("Agent",)}
    for t in types:
        name = known.get(t.strip().lower())
        if name is None:
            raise KgError(f"unknown entity type {t!r}; use: {', '.join(known.values())}")
        wanted |= load_schema().subtypes(name)  # a class keeps its subclasses
    return frozenset(wanted)


def _check_statuses(statuses: Iterable[str] | None) -> frozenset[str]:
    out = set()
    for s in statuses or ():
        name = s.strip().lower()
        if name not in load_schema().status_names:
            raise KgError(f"unknown status {s!r}; use: {', '.join(load_schema().status_names)}")
        out.add(name)
    return frozenset(out)


def _nested_join(subject: str, link: str, node: str, props: list[tuple[str, str, bool]]) -> str:
    """A deal → node → properties pattern (an amount, a piece of evidence), answered by index seeks.

    One row per deal and node, with the node's properties (``OPTIONAL`` unless
    required). A hash join of sub-SELECTs (the earlier form) took about 30%
    less time on the evidence, but Oxigraph holds its tables in memory: about
    0.9 KB a row, close to a gigabyte at a million deals. The seeks stream.
    """
    parts = [f"{subject} <{KG}{link}> {node} ."]
    for prop, var, required in props:
        pattern = f"{node} <{KG}{prop}> {var} ."
        parts.append(pattern if required else f"OPTIONAL {{ {pattern} }}")
    return " ".join(parts)


def fact_query(
    *,
    deal_classes: Iterable[str] = (),
    roles: Iterable[str] = (),
    role_concepts: Iterable[str] = (),
    deal_facts: bool = True,
    evidence: bool = True,
    industry: bool = False,
    subjects: Iterable[str] | None = None,
) -> tuple[str, dict[str, tuple[str, str | None, int]]]:
    """The one SELECT that streams every fact a projection needs, by index scans.

    Each ``UNION`` branch is a single triple pattern tagged with a small
    integer ``?k``: ``?s a kg:Investment`` (a deal's class), ``?s kg:investor
    ?o`` (a role), ``?s kg:status kg:Rumored``, ``?s kg:date ?o`` … Entity
    classes, labels and aliases are always included; industry links come with
    the named graph that states them (``?g``). Amounts and evidence are the two
    exceptions: a join (:func:`_nested_join`) gives one row per deal and amount
    (``?o`` value, ``?a`` currency, ``?b`` approximate) or evidence (``?o``
    quote, ``?a`` confidence, ``?b`` source, and with ``subjects`` ``?e`` the
    evidence), which keeps no amount or evidence IRIs in memory.

    Args:
        deal_classes: local names of the deal classes to fetch.
        roles: local names of the role properties to fetch (IRI objects only).
        role_concepts: local names of ``kg:role`` concepts to fetch (``CEO`` …).
        deal_facts: fetch dates, statuses and amounts.
        evidence: fetch evidence, quotes, confidences and sources' labels.
        industry: fetch ``kg:industry`` links with their graphs.
        subjects: only the facts of these IRIs (deals, entities): one
            ``VALUES`` block before the branches, which the store joins by
            index seeks in each branch instead of scans. Written once, not in
            every branch: at 500 deals the text is 28 KB, not 970 KB, and
            the query takes half the time.

    Returns:
        ``(sparql, markers)``: the text, binding ``?k ?s ?o ?g ?e ?a ?b``, and for each
        value of ``?k`` (as a string) the column it fills, the constant it
        stores when ``?o`` is not selected, and how ``?o`` is stored.

    >>> q, m = fact_query(deal_classes=["Meeting"], roles=["participant"], deal_facts=False, evidence=False)
    >>> sorted({col for col, _, _ in m.values()})
    ['alias', 'class', 'etype', 'label', 'participant', 'pref']
    """
    branches: list[str] = []
    markers: dict[str, tuple[str, str | None, int]] = {}

    def branch(pattern: str, column: str, const: str | None = None, mode: int = _RAW) -> None:
        k = str(len(markers))
        markers[k] = (column, const, mode)
        # The pattern sits in its own group: Virtuoso 7.2 cannot compile a FILTER
        # beside a BIND in a UNION branch (error SP031).
        branches.append(f"{{ {{ {pattern} }} BIND({k} AS ?k) }}")

    for c in dict.fromkeys(deal_classes):
        branch(f"?s a <{KG}{c}> .", "class", c)
    for c in load_schema().entity_class_names:
        branch(f"?s a <{KG}{c}> . FILTER(isIRI(?s))", "etype", c)
    for r in dict.fromkeys(roles):
        branch(f"?s <{KG}{r}> ?o . FILTER(isIRI(?o))", r, None, _INTERN)
    for c in dict.fromkeys(role_concepts):
        branch(f"?s <{KG}role> <{KG}{c}> .", "role", c)
    if deal_facts:
        for p in ("date", "startDate", "endDate"):
            branch(f"?s <{KG}{p}> ?o .", p, None, _INTERN)
        statuses = load_schema().statuses
        known = [f"<{s.iri}>" for s in statuses]
        for st, iri in zip(statuses, known, strict=True):
            branch(f"?s <{KG}status> {iri} .", "status", st.key)
        branch(f"?s <{KG}status> ?o . FILTER(?o NOT IN ({', '.join(known)}))", "status", None, _LOCAL)
        branch(_nested_join("?s", "amount", "?m", [("value", "?o", True), ("currency", "?a", False),
                                                 ("approximate", "?b", False)]), "amount", None, _ROW)
    if evidence:
        # Over the whole store the evidence's own IRI is left unread (one string lookup a deal):
        # it only breaks ties, and :func:`_settle_evidence_ties` reads it for the deals that have one.
        node = "?ev" if subjects is None else "?e"
        branch(_nested_join("?s", "evidence", node, [("quote", "?o", False), ("confidence", "?a", False),
                                                   ("source", "?b", False)]), "evidence", None, _ROW)
        branch(f"?s <{DCTERMS}title> ?o .", "title")
    if industry:
        branch(f"GRAPH ?g {{ ?s <{KG}industry> ?o }}", INDUSTRY, None, _GRAPH)
    branch(f"?s <{RDFS}label> ?o .", "label")
    branch(f"?s <{SKOS}prefLabel> ?o .", "pref")
    branch(f"?s <{SKOS}altLabel> ?o .", "alias")
    union = "\n  UNION ".join(branches)
    if subjects is not None:
        union = f"VALUES ?s {{ {' '.join(_iri_text(x) for x in subjects)} }}\n  {{ {union} }}"
    return "SELECT ?k ?s ?o ?g ?e ?a ?b WHERE {\n  " + union + "\n}", markers


def _iri_text(iri: str) -> str:
    """An IRI as SPARQL text, written by pyoxigraph (so no value can change the query)."""
    import pyoxigraph as ox

    return str(ox.NamedNode(iri))


def collect_facts(store, sparql: str, markers: dict[str, tuple[str, str | None, int]]) -> dict:
    """Run a :func:`fact_query` and gather its rows into one dict per column.

    Each column maps a subject IRI to its value, or to a list of its distinct
    values when it has several (a deal typed twice, three partners …). IRIs
    are interned, so a deal's IRI is held once however many columns key it.
    The ``industry`` column is a list of ``(entity, concept, graph)``; the
    ``amount`` and ``evidence`` columns hold ``(value, currency, approximate,
    None)`` and ``(quote, confidence, source, evidence)`` tuples.

    Args:
        store: an open store (local or remote); ``store.query`` must return
            solutions that unpack into ``?k ?s ?o ?g ?e ?a ?b`` terms.
        sparql, markers: from :func:`fact_query`.

    Returns:
        ``{column: {subject: value | [values]}}``.

    Raises:
        QueryError: the store cannot answer the query.
    """
    cols: dict = {}
    spec = {}
    for k, (column, const, mode) in markers.items():
        col = cols.setdefault(column, [] if mode == _GRAPH else {})
        spec[k] = (col, const, mode)
    intern = sys.intern
    # The hot loop: a few µs per row, most of it in the store decoding the
    # IRIs; keep the Python side to a dict lookup and a store per row.
    for k, s, o, g, e, a, b in store.query(sparql):
        col, const, mode = spec[k.value]
        key = intern(s.value)
        if mode == _ROW:
            # Currencies and confidences are a few distinct strings: one copy each.
            val = (None if o is None else o.value, None if a is None else intern(a.value),
                   None if b is None else intern(b.value), None if e is None else e.value)
        elif o is None:
            val = const
        elif mode == _INTERN:
            val = intern(o.value)
        elif mode == _RAW:
            val = o.value
        elif mode == _LOCAL:
            val = intern(_local(o.value).lower())
        else:
            col.append((key, intern(o.value), g.value if g is not None else None))
            continue
        _file(col, key, val)
    return cols


def _all(value) -> tuple | list:
    """Every value of a column cell (none, one, or a list)."""
    if value is None:
        return ()
    return value if value.__class__ is list else (value,)


def _least(value):
    """One value of a column cell, chosen deterministically: the least."""
    if value is None or value.__class__ is not list:
        return value
    return min(value)


def _first(value):
    """The first value of a column cell, in the store's order (labels)."""
    if value is None or value.__class__ is not list:
        return value
    return value[0]


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


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


def _as_of_drops(year: int | None, end: str | None, as_of: int | None) -> bool:
    """Whether a deal is not yet, or no longer, a fact in year ``as_of``: dated after it, or a role ended before it."""
    if as_of is None:
        return False
    return (year is not None and year > as_of) or (end is not None and (_year(end) or as_of) < as_of)


def _deal_facts(cols: dict, deal: str, excluded, since: int | None, until: int | None, as_of: int | None = None):
    """``(status, date, year, amount, currency, approximate)`` of a deal, or None when filtered out.

    A deal with several values keeps the least one (a deterministic choice);
    it passes the status filter when any of its statuses is not excluded.
    """
    status = cols["status"].get(deal)
    if status.__class__ is list:
        kept = sorted(s for s in status if s not in excluded)
        if not kept:
            return None
        status = kept[0]
    elif status is not None and status in excluded:
        return None
    date = _least(cols["date"].get(deal))
    start = _least(cols["startDate"].get(deal))
    date_text = date if date is not None else start
    year = _year(date_text)
    if _as_of_drops(year, _least(cols.get("endDate", {}).get(deal)), as_of):
        return None
    if since is not None or until is not None:
        end = _least(cols["endDate"].get(deal))
        end_year = _year(end) if end is not None else (year if start is None else None)
        if not _in_window(year, end_year, since, until):
            return None
    amount = currency = None
    approximate = False
    amounts = cols["amount"].get(deal)
    if amounts is not None:
        if amounts.__class__ is list:
            amounts = min(amounts, key=lambda row: tuple(x or "" for x in row))
        value, currency, approx, _ = amounts
        amount = _float(value)
        approximate = approx in ("true", "1")
    return status, date_text, year, amount, currency, approximate


def _evidence(cols: dict, deal: str) -> tuple:
    """``(quote, source, source_label, confidence)`` of a deal's strongest evidence.

    The strongest is the most confident (no confidence counts as 0); ties go
    to the least quote text, then the least evidence IRI, so the choice (and
    every view drawn from it) does not depend on the store's order.
    """
    evs = cols["evidence"].get(deal)
    if evs is None:
        return None, None, None, None
    if evs.__class__ is list:
        evs = min(evs, key=lambda row: (*_evidence_rank(row), row[3] or "", row[2] or ""))
    quote, confidence, source, _ = evs
    label = None
    if source is not None:
        label = _source_label(cols, source)
    return quote, source, label, _float(confidence)


def _evidence_rank(row: tuple) -> tuple:
    """How strong a piece of evidence is, before its IRI breaks a tie: most confident, then least quote."""
    return -(_float(row[1]) or 0.0), row[0] or ""


def _settle_evidence_ties(store, cols: dict) -> None:
    """Read again, with their IRIs, the evidence of the deals whose strongest pieces tie but name different sources.

    The whole-store query leaves evidence IRIs out (:func:`fact_query`); :func:`_evidence`
    needs them only to choose between such pieces.
    """
    tied = []
    for deal, evs in cols.get("evidence", {}).items():
        if evs.__class__ is list:
            best = min(map(_evidence_rank, evs))
            if len({row[2] or "" for row in evs if _evidence_rank(row) == best}) > 1:
                tied.append(deal)
    if tied:
        more = _facts_of(store, tied, {"deal_classes": (), "roles": (), "deal_facts": False, "evidence": True})
        cols["evidence"].update((deal, more["evidence"][deal]) for deal in tied)


def _gather(store, query_args: dict) -> dict:
    """:func:`collect_facts` of the whole store's :func:`fact_query`, evidence ties settled."""
    cols = collect_facts(store, *fact_query(**query_args))
    _settle_evidence_ties(store, cols)
    return cols


def _source_label(cols: dict, source: str | None) -> str | None:
    """A source's label or title, for explanations."""
    if source is None:
        return None
    return _first(cols["label"].get(source)) or _first(cols["title"].get(source))


def _entity_attrs(cols: dict, iri: str, fallback: str = "Entity") -> tuple[str, str, list[str]]:
    """``(label, type, aliases)`` of an entity.

    The type is its most specific entity class (``Company`` before
    ``Organization``); the label its ``rdfs:label``, else ``skos:prefLabel``,
    else its IRI's local name.
    """
    types = cols["etype"].get(iri)
    if types is None:
        tname = fallback
    elif types.__class__ is list:
        tname = min(types, key=load_schema().rank)
    else:
        tname = types
    label = _first(cols["label"].get(iri)) or _first(cols["pref"].get(iri))
    if not label:
        local = _local(iri)
        label = local.replace("-", " ") if local else iri
    return label, tname, list(_all(cols["alias"].get(iri)))


def _gc_paused(fn):
    """Run ``fn`` with Python's cyclic garbage collector paused.

    A projection creates millions of small dicts and tuples and no cycles;
    left on, the collector rescans them all again and again (12–18% of the
    time at 100k deals, more as the graph grows).
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@_gc_paused
def entity_graph(
    store,
    *,
    relations: Iterable[str] | None = None,
    types: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    as_of: int | None = None,
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
    is the source whose named graph states them. When a deal has several
    pieces of evidence, the edge carries the most confident one (ties: the
    least quote, then the least evidence IRI).

    Declined deals are left out by default, like the derived edges of
    :mod:`kg.rules` (a declined proposal is not a relationship); pass
    ``include_declined=True`` to see them.

    The facts come from one streamed SELECT (:func:`fact_query`); they are
    joined here and dropped on return, so the graph is the only large thing
    left in memory.

    Args:
        store: an open store (:func:`kg.stores.open_store`, or a remote one).
        relations: relation names to keep (see :func:`all_relations`); ``None`` keeps all.
        types: entity types to keep (``"Organization"`` includes ``Company``,
            ``"Agent"`` people and organizations); edges need both ends kept.
        exclude_status: statuses to leave out, e.g. ``["rumored"]``.
        since: keep deals whose year (or position span) reaches this year or later.
        until: keep deals up to this year. Undated facts are always kept.
        as_of: the graph as it stood in this year: deals dated later and
            roles that ended earlier are left out (undated facts stay).
        include_declined: keep declined deals too.

    Returns:
        A ``networkx.MultiDiGraph``.

    Raises:
        KgError: an unknown relation, type or status name.
        QueryError: the store cannot answer the query.

    >>> from kg.stores import open_store
    >>> entity_graph(open_store("memory:"), relations=["metWith"]).number_of_edges()
    0
    """
    rels = _check_relations(relations)
    keep_types = _check_types(types)
    excluded = _excluded(exclude_status, include_declined)
    by_class, query_args = _relation_plan(rels)
    cols = _gather(store, query_args)
    return _entity_view(cols, by_class, keep_types, excluded, (since, until, as_of), isolated=rels is None)


@_gc_paused
def entity_edges(store, add) -> dict[str, tuple[str, str, list[str]]]:
    """The unfiltered entity view as a stream, for a caller that keeps it in its own form (the snapshot).

    Holds no NetworkX graph: each edge of :func:`entity_graph` (no filters)
    is handed to ``add`` as soon as its deal is joined, and only the gathered
    facts stay in memory until the call returns.

    Args:
        store: an open store.
        add: called as ``add(u, v, key, data)`` once per edge, with the key and
            attributes :func:`entity_graph` gives it, in no set order.

    Returns:
        ``{node: (label, type, aliases)}`` for every node of the view, in no set order.

    Raises:
        QueryError: the store cannot answer the query.

    >>> from kg.stores import open_store
    >>> entity_edges(open_store("memory:"), print)
    {}
    """
    by_class, query_args = _relation_plan(None)
    cols = _gather(store, query_args)
    return _entity_edges(cols, by_class, (_excluded(None, False), None, None, None), add, True)


@_gc_paused
def entity_subgraph(
    store,
    pairs: Iterable[tuple[str, str]],
    *,
    relations: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    as_of: int | None = None,
    include_declined: bool = False,
):
    """The entity view's edges between given pairs of entities, read by indexed lookups.

    Each pair's deals are found through ``kg:involvedIn`` (the derived graph),
    and only those deals, the pair's entities and their sources are read, so
    the cost grows with the answer, not with the store. The edges and their
    attributes are exactly those of :func:`entity_graph` with the same
    filters; the graph may also hold the deals' other participants.

    Args:
        store: an open store.
        pairs: ``(u, v)`` entity IRIs.
        relations, exclude_status, since, until, include_declined: as for :func:`entity_graph`.

    Returns:
        A ``networkx.MultiDiGraph``.

    >>> from kg.stores import open_store
    >>> entity_subgraph(open_store("memory:"), [("urn:a", "urn:b")]).number_of_edges()
    0
    """
    rels = _check_relations(relations)
    excluded = _excluded(exclude_status, include_declined)
    pairs = list(dict.fromkeys((u, v) if u < v else (v, u) for u, v in pairs))
    entities = sorted({n for pair in pairs for n in pair})
    deals = _deals_between(store, pairs) if pairs else []
    by_class, query_args = _relation_plan(rels)
    cols = _facts_of(store, deals + entities, query_args, entities=frozenset(entities))
    sources = {ev[2] for cell in cols.get("evidence", {}).values() for ev in _all(cell) if ev[2]}
    sources |= {ID + "source/" + g[len(GRAPH + "source/"):] for _, _, g in cols.get(INDUSTRY, ()) if g}
    if sources:
        more = _facts_of(store, sorted(sources), {"deal_classes": (), "roles": (), "deal_facts": False,
                                                  "evidence": True})
        for column in ("label", "title"):
            cols.setdefault(column, {}).update(more.get(column, {}))
    return _entity_view(cols, by_class, None, excluded, (since, until, as_of), isolated=False)


def _facts_of(store, subjects: list[str], query_args: dict, chunk: int = 500, entities=frozenset()) -> dict:
    """:func:`collect_facts` for these subjects only, a chunk of them per query (queries stay small).

    On an embedded store the subjects' statements are read straight from its
    index instead (:func:`_facts_by_index`): one scan a deal, three to five
    times faster than the query's seeks in every branch; ``entities`` are read
    by predicate.
    """
    from kg.stores import raw_store

    raw = raw_store(store)
    if raw is not None and subjects:
        return _facts_by_index(raw, subjects, query_args, entities)
    cols: dict = {}
    for i in range(0, len(subjects), chunk):
        part = collect_facts(store, *fact_query(**query_args, subjects=subjects[i:i + chunk]))
        for column, values in part.items():
            if isinstance(values, list):
                cols.setdefault(column, []).extend(values)
            else:
                cols.setdefault(column, {}).update(values)
    if not subjects:
        cols = collect_facts(store, *fact_query(**query_args, subjects=[]))
    return cols


def _index_plan(query_args: dict) -> tuple[dict, dict, dict, frozenset]:
    """How :func:`_facts_by_index` files a statement, the same as the branches of :func:`fact_query`.

    Returns ``(by_predicate, by_class, by_status, concepts)``: a predicate IRI's
    column and mode; a class IRI's ``(column, name)`` pairs; a known status
    IRI's key; the role concepts asked for.
    """
    schema = load_schema()
    by_pred: dict[str, tuple[str, int]] = {}
    by_class: dict[str, list] = {}
    for c in dict.fromkeys(query_args.get("deal_classes", ())):
        by_class.setdefault(KG + c, []).append(("class", c))
    for c in schema.entity_class_names:
        by_class.setdefault(KG + c, []).append(("etype", c))
    for r in query_args.get("roles", ()):
        by_pred[KG + r] = (r, _INTERN)
    if query_args.get("deal_facts", True):
        for p in ("date", "startDate", "endDate"):
            by_pred[KG + p] = (p, _INTERN)
        by_pred[KG + "status"] = ("status", _LOCAL)
        by_pred[KG + "amount"] = ("amount", _ROW)
    if query_args.get("evidence", True):
        by_pred[KG + "evidence"] = ("evidence", _ROW)
        by_pred[DCTERMS + "title"] = ("title", _RAW)
    if query_args.get("industry", False):
        by_pred[KG + "industry"] = (INDUSTRY, _GRAPH)
    for p, column in ((RDFS + "label", "label"), (SKOS + "prefLabel", "pref"), (SKOS + "altLabel", "alias")):
        by_pred[p] = (column, _RAW)
    concepts = frozenset(query_args.get("role_concepts", ()))
    if concepts:
        by_pred[KG + "role"] = ("role", _INTERN)
    return by_pred, by_class, {s.iri: s.key for s in schema.statuses}, concepts


def _node_rows(raw, node, column: str) -> list[tuple]:
    """The ``(value, currency, approximate, node)`` or ``(quote, confidence, source, node)`` rows of an amount or
    a piece of evidence (:func:`_nested_join`): every combination of its values, as the query's join gives."""
    props = ("value", "currency", "approximate") if column == "amount" else ("quote", "confidence", "source")
    found: dict[str, list] = {p: [] for p in props}
    for q in raw.quads_for_pattern(node, None, None, None):
        name = q.predicate.value[len(KG):] if q.predicate.value.startswith(KG) else None
        if name in found and q.object.value not in found[name]:
            found[name].append(q.object.value)
    if column == "amount" and not found["value"]:
        return []  # the amount's value is required, the rest optional
    intern = sys.intern
    return [(a, None if b is None else intern(b), None if c is None else intern(c),
             None if column == "amount" else node.value)
            for a in found[props[0]] or [None] for b in found[props[1]] or [None] for c in found[props[2]] or [None]]


def _facts_by_index(raw, subjects: list[str], query_args: dict, entities=frozenset()) -> dict:
    """:func:`collect_facts` of :func:`fact_query` for these subjects, read from the embedded store's index.

    Each subject's statements come from one scan of the store (every graph),
    each amount's and evidence's from one more; they are filed into the same
    columns, with the same values, as the query's rows would be. An entity's
    statements are read one wanted predicate at a time instead: a scan would
    also decode its ``kg:involvedIn`` links, thousands for a hub.

    Args:
        raw: a ``pyoxigraph.Store``.
        subjects: IRIs (deals, entities, sources).
        query_args: the :func:`fact_query` arguments (which columns to fill).
        entities: those of ``subjects`` to read by predicate.

    Returns:
        ``{column: {subject: value | [values]}}``, as :func:`collect_facts`.
    """
    from itertools import chain

    import pyoxigraph as ox

    _, markers = fact_query(**query_args, subjects=[])
    cols: dict = {column: ([] if mode == _GRAPH else {}) for column, _, mode in markers.values()}
    by_pred, by_class, statuses, concepts = _index_plan(query_args)
    rdf_type, intern = RDF + "type", sys.intern
    wanted = [ox.NamedNode(p) for p in (rdf_type, *by_pred)]
    for s in subjects:
        node, key = ox.NamedNode(s), intern(s)
        quads = (chain.from_iterable(raw.quads_for_pattern(node, p, None, None) for p in wanted) if s in entities
                 else raw.quads_for_pattern(node, None, None, None))
        for q in quads:
            p, o = q.predicate.value, q.object
            if p == rdf_type:
                filed = by_class.get(o.value, ())
            elif p not in by_pred:
                continue
            else:
                column, mode = by_pred[p]
                if mode == _ROW:
                    filed = [(column, row) for row in _node_rows(raw, o, column)]
                elif mode == _GRAPH:
                    if q.graph_name.__class__ is ox.NamedNode and o.__class__ is ox.NamedNode:
                        cols[column].append((key, intern(o.value), q.graph_name.value))
                    continue
                elif column == "status":
                    filed = [(column, statuses.get(o.value) or intern(_local(o.value).lower()))]
                elif column == "role":
                    name = _local(o.value)
                    filed = [(column, name)] if o.value == KG + name and name in concepts else ()
                elif mode == _INTERN and column not in ("date", "startDate", "endDate") \
                        and o.__class__ is not ox.NamedNode:
                    continue  # roles link IRIs only
                else:
                    filed = [(column, intern(o.value) if mode == _INTERN else o.value)]
            for column, val in filed:
                _file(cols[column], key, val)
    return cols


def _file(col: dict, key: str, val) -> None:
    """Add a value to a column's cell, as :func:`collect_facts` does: one value, or a list of distinct ones."""
    old = col.get(key)
    if old is None:
        col[key] = val
    elif old.__class__ is list:
        if val not in old:
            old.append(val)
    elif old != val:
        col[key] = [old, val]


def deals_of(raw, node: str):
    """Yield the deals in which ``node`` plays a role (any role of the schema, in any source graph),
    by index lookups in the pyoxigraph store ``raw``; a deal may come more than once."""
    import pyoxigraph as ox

    from kg.schema import DERIVED_GRAPH

    derived, n = ox.NamedNode(DERIVED_GRAPH), ox.NamedNode(node)
    for role in load_schema().role_names:
        for q in raw.quads_for_pattern(None, ox.NamedNode(KG + role), n):
            if q.graph_name != derived:
                yield q.subject.value


def deals_of_less_connected(raw, a: str, b: str) -> set[str]:
    """The deals of whichever of ``a`` and ``b`` takes part in fewer, read in step so that the cost is
    about twice the smaller count: a hub's deals are never all read.

    >>> from kg.stores import open_store
    >>> s = open_store("memory:")
    >>> s.update("INSERT DATA { GRAPH <urn:g> { deal:d kg:investor company:a ; kg:investee company:b . "
    ...          "deal:e kg:investor company:a ; kg:investee company:c } }")
    >>> sorted(deals_of_less_connected(s.raw, ID + "company/a", ID + "company/b"))
    ['https://kg.example.org/id/deal/d']
    """
    its = [deals_of(raw, a), deals_of(raw, b)]
    seen: list[set] = [set(), set()]
    while True:
        for i in (0, 1):
            deal = next(its[i], None)
            if deal is None:
                return seen[i]
            seen[i].add(deal)


#: The most deals read for one pair of entities (the first the store finds): two hubs may share thousands,
#: and a hop, a path or a page of neighbours needs their strongest few, not all of them.
PAIR_DEALS_MAX = 200
#: Deals counted at most, to choose the end a pair's deals are read from (:func:`_deals_between`).
PAIR_COUNT_CAP = 5000


def _deals_between(store, pairs: list[tuple[str, str]]) -> list[str]:
    """The deals both entities of each pair take part in (at most :data:`PAIR_DEALS_MAX` a pair).

    On an embedded store each pair is one query that starts from its end with
    fewer deals (counted by the store first, without decoding them, up to
    :data:`PAIR_COUNT_CAP`): the cost follows the smaller end, never a hub.
    """
    from kg.stores import raw_store

    if raw_store(store) is None:
        return _deals_between_remote(store, pairs)

    def part(node: str) -> str:
        iri = _iri_text(node)
        return f"{{ {iri} <{KG}involvedIn> ?deal }} UNION {{ ?deal <{KG}soughtPartnerKind> {iri} }}"

    roles = ", ".join(f"<{KG}{r}>" for r in load_schema().role_names)
    counts: dict[str, int] = {}

    def deals(node: str, cap: bool = True) -> int:
        # Counted up to a cap unless both ends reach it (a hub's full count takes 20-60 ms).
        if node not in counts or (not cap and counts[node] == PAIR_COUNT_CAP):
            inner = f"SELECT ?deal WHERE {{ {part(node)} }}" + (f" LIMIT {PAIR_COUNT_CAP}" if cap else "")
            rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ {inner} }} }}")
            counts[node] = int(list(rows)[0]["n"].value)
        return counts[node]

    found: set[str] = set()
    for u, v in pairs:
        if min(deals(u), deals(v)) == PAIR_COUNT_CAP:
            deals(u, False), deals(v, False)
        a, b = sorted((u, v), key=deals)
        # The IRIs are written in by pyoxigraph: the store then plans the query once, where a binding of
        # unselected variables parses it twice. No ORDER BY: the store stops at the limit (its index order
        # is stable for a given store).
        if deals(b) <= 12 * deals(a) and deals(b) < PAIR_COUNT_CAP:
            # Two short lists of a similar size: both read (0.3 µs a deal) and joined by hash, 5-6 times
            # faster than a seek a deal (4 µs) for two ends of about 2,000 deals. Two hubs are not: the
            # seeks stop at the limit, where a hash join reads both hubs whole.
            where = f"{{ SELECT ?deal WHERE {{ {part(a)} }} }} {{ SELECT ?deal WHERE {{ {part(b)} }} }}"
        else:
            # The smaller end leads, with one seek a deal for any link to the other end, then the role is
            # checked (binding the role to each of the schema's roles took a seek a role).
            where = f"{part(a)} ?deal ?role {_iri_text(b)} FILTER(?role IN ({roles}))"
        rows = store.query(f"SELECT DISTINCT ?deal WHERE {{ {where} }} LIMIT {PAIR_DEALS_MAX}")
        found.update(r["deal"].value for r in rows)
    return sorted(found)


def _deals_between_remote(store, pairs: list[tuple[str, str]]) -> list[str]:
    """:func:`_deals_between` on a remote store, by SPARQL.

    Each pair is looked up from the end that is in most pairs (a hub's deals
    are read once, not once per pair): one query lists the deals of those
    ends with their other participants, and the pairs keep theirs.
    """
    from collections import Counter

    count = Counter(n for pair in pairs for n in pair)
    wanted: dict[str, set] = {}
    for u, v in pairs:
        a, b = (u, v) if (count[u], u) >= (count[v], v) else (v, u)
        wanted.setdefault(a, set()).add(b)
    roles = " ".join(f"<{KG}{r}>" for r in load_schema().role_names)
    found: set[str] = set()
    drivers = sorted(wanted)
    for i in range(0, len(drivers), 500):
        values = " ".join(_iri_text(x) for x in drivers[i:i + 500])
        # Concepts (a kind of partner sought) are not involvedIn their deals: the role links them.
        rows = store.query(
            f"SELECT DISTINCT ?u ?deal ?v WHERE {{ VALUES ?u {{ {values} }} "
            f"{{ ?u <{KG}involvedIn> ?deal }} UNION {{ ?deal <{KG}soughtPartnerKind> ?u }} "
            f"VALUES ?role {{ {roles} }} ?deal ?role ?v . FILTER(isIRI(?v) && ?v != ?u) }}")
        found.update(r["deal"].value for r in rows if r["v"].value in wanted[r["u"].value])
    return sorted(found)


def _excluded(exclude_status, include_declined: bool) -> set[str]:
    """The statuses to leave out: those asked for, and ``declined`` unless declined deals are wanted."""
    excluded = set(_check_statuses(exclude_status))
    if not include_declined:
        excluded.add("declined")
    return excluded


def _relation_plan(rels) -> tuple[dict, dict]:
    """The chosen relations by deal class, and the :func:`fact_query` arguments they need."""
    chosen = [r for r in load_schema().relations if rels is None or r.name in rels]
    by_class: dict[str, list] = {}
    for r in chosen:
        by_class.setdefault(r.deal_class, []).append(r)
    args = {
        "deal_classes": list(by_class),
        "roles": [role for r in chosen for role in (r.subject_role, r.object_role)],
        "role_concepts": [r.role for r in chosen if r.role],
        "deal_facts": bool(chosen),
        "evidence": bool(chosen),
        "industry": rels is None or INDUSTRY in rels,
    }
    return by_class, args


def _entity_view(cols: dict, by_class: dict, keep_types, excluded, window: tuple, *, isolated: bool):
    """Build the entity view from gathered facts (:func:`entity_graph`); ``isolated`` adds entities without edges."""
    import networkx as nx

    G = nx.MultiDiGraph()
    # Adding edges through the adjacency dicts skips add_edge's per-call
    # checks; at a million deals that halves the time spent here.
    nodes, succ, pred = G._node, G._succ, G._pred

    def add(u: str, v: str, key: str, data: dict) -> None:
        for n in (u, v):
            if n not in nodes:
                nodes[n] = {}
                succ[n] = {}
                pred[n] = {}
        keys = succ[u].get(v)
        if keys is None:
            # One key dict shared by both directions, as add_edge does.
            keys = succ[u][v] = pred[v][u] = {}
        keys[key] = data

    for n, (label, tname, aliases) in _entity_edges(cols, by_class, (excluded, *window), add, isolated).items():
        if n not in nodes:
            nodes[n], succ[n], pred[n] = {}, {}, {}
        nodes[n].update(label=label, type=tname, aliases=aliases)
    del cols
    _sort_in_place(G)
    if keep_types is not None:
        G.remove_nodes_from([n for n, a in nodes.items() if a["type"] not in keep_types])
    return G


def _entity_edges(cols: dict, by_class: dict, window: tuple, add, isolated: bool) -> dict[str, tuple]:
    """Pass every edge of the entity view to ``add(u, v, key, data)``, deal by deal in the store's order.

    Returns:
        ``{node: (label, type, aliases)}`` for every end of an edge, and, when
        ``isolated``, every entity that is not a concept (in no set order).
    """
    concepts: set[str] = set()
    touched: dict[str, None] = {}

    def edge(u: str, v: str, key: str, data: dict) -> None:
        touched[u] = touched[v] = None
        add(u, v, key, data)

    for deal, classes in cols.get("class", {}).items():
        _add_deal_edges(cols, by_class, deal, classes, window, edge, concepts)
    _add_industry_edges(cols, edge, concepts)
    if isolated:
        for e, etypes in cols["etype"].items():
            if e not in touched and any(t != "Concept" for t in _all(etypes)):
                touched[e] = None
    return {n: _entity_attrs(cols, n, "Concept" if n in concepts else "Entity") for n in touched}


def _add_deal_edges(cols: dict, by_class: dict, deal: str, classes, window: tuple, add, concepts: set) -> None:
    """The edges one deal gives, one per relation and pair of participants (unless its filters drop it)."""
    facts = ev = None
    role_col = cols.get("role", {})
    for cls in _all(classes):
        for r in by_class.get(cls, ()):
            subjects = cols[r.subject_role].get(deal)
            objects = cols[r.object_role].get(deal)
            if subjects is None or objects is None:
                continue
            if r.role is not None and r.role not in _all(role_col.get(deal)):
                continue
            if facts is None:
                facts = _deal_facts(cols, deal, *window) or False
                if facts:
                    ev = _evidence(cols, deal)
            if not facts:
                return
            status, date, year, amount, currency, approximate = facts
            quote, source, source_label, confidence = ev
            key = f"{deal}|{r.name}"
            for u in _all(subjects):
                for v in _all(objects):
                    if u == v or (r.symmetric and not u < v):
                        continue
                    add(u, v, key, {
                        "relation": r.name, "deal": deal, "deal_type": cls, "date": date, "year": year,
                        "status": status, "amount": amount, "currency": currency,
                        "approximate": approximate, "quote": quote, "source": source,
                        "source_label": source_label, "confidence": confidence,
                        "symmetric": r.symmetric,
                    })
                    if r.name == "seeksPartner" and "/concept/" in v:
                        concepts.add(v)


def _add_industry_edges(cols: dict, add, concepts: set) -> None:
    """One ``industry`` edge per organization and concept, with the least source that states it."""
    prefix = GRAPH + "source/"
    chosen: dict[tuple[str, str], str | None] = {}
    for s, o, g in cols.get(INDUSTRY, ()):
        source = ID + "source/" + g[len(prefix):] if g is not None and g.startswith(prefix) else None
        if (s, o) in chosen:
            # Stated by several sources: keep the least, so the choice is stable.
            old = chosen[(s, o)]
            if old is None or (source is not None and source < old):
                chosen[(s, o)] = source
        else:
            chosen[(s, o)] = source
    for (s, o), source in chosen.items():
        add(s, o, "|industry", {
            "relation": INDUSTRY, "deal": None, "deal_type": None, "date": None, "year": None,
            "status": None, "amount": None, "currency": None, "approximate": False, "quote": None,
            "source": source, "source_label": _source_label(cols, source), "confidence": None, "symmetric": False,
        })
        concepts.add(o)


def _sort_in_place(G) -> None:
    """Order the nodes, neighbours and parallel edges of a graph by IRI (and key).

    The store streams facts in its own index order; sorting makes the graph,
    and everything drawn from it (Louvain with a seed, HTML views), the same
    whatever order the facts came in. The dicts are reordered in place, so
    nothing is copied.
    """
    def reorder(d: dict) -> None:
        items = sorted(d.items(), key=_key0)
        d.clear()
        d.update(items)

    adjs = (G._succ, G._pred) if G.is_directed() else (G._adj,)
    reorder(G._node)
    for i, adj in enumerate(adjs):
        reorder(adj)
        for nbrs in adj.values():
            if len(nbrs) > 1:
                reorder(nbrs)
            if i == 0 and G.is_multigraph():
                # Key dicts are shared by both directions: sort each once.
                for keys in nbrs.values():
                    if len(keys) > 1:
                        reorder(keys)


def _key0(item: tuple) -> str:
    return item[0]


@_gc_paused
def deal_graph(
    store,
    *,
    relations: Iterable[str] | None = None,
    types: Iterable[str] | None = None,
    exclude_status: Iterable[str] | None = None,
    since: int | None = None,
    until: int | None = None,
    as_of: int | None = None,
    include_declined: bool = False,
):
    """The deal view: a bipartite graph of deals and their participants.

    Deal nodes have ``bipartite=0``, ``kind="deal"``, ``type`` (the deal class,
    e.g. ``Investment``), ``label`` (e.g. ``"Investment 2019"``), ``date``,
    ``year``, ``status``, ``amount`` and ``currency``. Participant nodes have
    ``bipartite=1``, ``kind="entity"``, ``label``, ``type`` and ``aliases``.
    Each edge links a deal to a participant, with the ``role`` it plays
    (``investor``, ``participant`` …). Declined deals are left out unless
    ``include_declined`` is true. Like :func:`entity_graph`, it streams one
    SELECT with no joins.

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
        QueryError: the store cannot answer the query.

    >>> from kg.stores import open_store
    >>> deal_graph(open_store("memory:")).number_of_nodes()
    0
    """
    import networkx as nx

    rels = _check_relations(relations)
    keep_types = _check_types(types)
    excluded = set(_check_statuses(exclude_status))
    if not include_declined:
        excluded.add("declined")
    schema = load_schema()
    classes = tuple(dict.fromkeys(r.deal_class for r in schema.relations if rels is None or r.name in rels))
    if not classes:
        return nx.Graph()
    sparql, markers = fact_query(deal_classes=classes, roles=schema.role_names, evidence=False)
    cols = collect_facts(store, sparql, markers)
    G = nx.Graph()
    for deal, dclasses in cols["class"].items():
        agents = [(a, role) for role in schema.role_names for a in _all(cols[role].get(deal))]
        if not agents:
            continue
        facts = _deal_facts(cols, deal, excluded, since, until, as_of)
        if facts is None:
            continue
        status, date, year, amount, currency, _ = facts
        dtype = _least(dclasses)
        G.add_node(deal, bipartite=0, kind="deal", type=dtype, label=f"{dtype} {date}" if date else dtype,
                   date=date, year=year, status=status, amount=amount, currency=currency)
        for a, role in agents:
            if a not in G:
                G.add_node(a, bipartite=1, kind="entity")
            G.add_edge(deal, a, role=role)
    entities = [n for n, k in G.nodes(data="kind") if k == "entity"]
    for n in entities:
        attrs = G.nodes[n]
        attrs["label"], attrs["type"], attrs["aliases"] = _entity_attrs(cols, n)
    del cols
    _sort_in_place(G)
    if keep_types is not None:
        G.remove_nodes_from([n for n in entities if G.nodes[n]["type"] not in keep_types])
        G.remove_nodes_from([n for n, k in G.nodes(data="kind") if k == "deal" and G.degree(n) == 0])
    return G
