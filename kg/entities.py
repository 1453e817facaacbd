"""Find entities by name and describe them: the lookups behind ``kg show``, ``kg search`` and ``kg entities``.

Names resolve through the ``kg:nameKey`` values that :mod:`kg.rules` derives
from every label and alias, so lookups are case- and punctuation-insensitive,
aliases work ("Lee Jun" → Lei Jun), and each lookup is one indexed query.
Only pyoxigraph is needed: these functions keep ``kg show`` fast.

>>> from kg.stores import open_store
>>> find_entity(open_store("memory:"), "Xiaomi")
Traceback (most recent call last):
...
kg.errors.UnknownEntityError: unknown entity 'Xiaomi'; try 'kg search' or 'kg entities'
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from kg.errors import KgError, UnknownEntityError
from kg.ontology import KG, expand, term_label
from kg.resolve import name_key
from kg.schema import load as load_schema


def _rank(class_name: str) -> int:
    """The entity class rank of :mod:`kg.schema` (0 first; other names last)."""
    return load_schema().rank(class_name)


def _literal(text: str):
    import pyoxigraph as ox

    return ox.Literal(text)


def _node(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _bound(store, sparql: str, params: dict):
    """Run a query with ``params`` bound by a VALUES block (terms written by pyoxigraph, never pasted).

    Oxigraph plans a VALUES-bound entity as the start of its index lookups;
    a substituted one it only fills in afterwards (``kg show``: 25 ms against 2 s at 100k deals).
    """
    from kg.sparqltext import bind_values

    return store.query(bind_values(sparql, params))


def _types_of(store, iri: str) -> list[str]:
    rows = _bound(store, "SELECT DISTINCT ?t ?e WHERE { ?e a ?t }", {"e": _node(iri)})
    return sorted(r["t"].value for r in rows)


def _best_type(types) -> str:
    names = [term_label(t) for t in types if t.startswith(KG)]
    names.sort(key=_rank)
    return names[0] if names else ""


def find_entity(store, name: str) -> str:
    """Resolve a name, alias or IRI to one entity IRI.

    Case, spacing and punctuation do not matter, and aliases count
    (``"lee jun"`` finds Lei Jun). A full IRI or ``id:kind/slug`` is accepted
    as is when the store knows it.

    Args:
        store: an open store.
        name: what the user typed.

    Returns:
        The entity's IRI.

    Raises:
        UnknownEntityError: nothing matches; carries the nearest names.
        KgError: the name is ambiguous; lists the candidates.
    """
    if "://" in name or name.startswith("id:"):
        iri = expand(name)
        if _types_of(store, iri):
            return iri
        raise UnknownEntityError(name, suggest(store, term_label(iri)))
    key = name_key(name)
    rows = _bound(store,
        "SELECT DISTINCT ?e ?t ?key WHERE { ?e kg:nameKey ?key . OPTIONAL { ?e a ?t } }", {"key": _literal(key)}
    )
    found: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        found[r["e"].value].append(r["t"].value if r["t"] is not None else "")
    if not found:
        raise UnknownEntityError(name, suggest(store, name))
    if len(found) == 1:
        return next(iter(found))
    ranked = sorted(found, key=lambda iri: (_rank(_best_type(found[iri])), iri))
    best, second = ranked[0], ranked[1]
    if _rank(_best_type(found[best])) < _rank(_best_type(found[second])):
        return best
    raise KgError(f"{name!r} is ambiguous: " + ", ".join(ranked) + "; give the IRI instead")


def suggest(store, name: str, limit: int = 5) -> list[str]:
    """The labels nearest to ``name``, for "did you mean" messages.

    Args:
        store: an open store.
        name: the unknown name.
        limit: how many to return.

    Returns:
        Labels, best first: close spellings, then names that contain the query.
    """
    import pyoxigraph as ox
    from rapidfuzz import fuzz, process

    from kg.nameindex import load_or_build

    key, index = name_key(name), load_or_build(store)
    close = [i for _, _, i in process.extract(key, index.keys, scorer=fuzz.ratio, score_cutoff=60, limit=4 * limit)]
    contains = [i for i, k in enumerate(index.keys) if key and (key in k or k in key)][:4 * limit]
    order = list(dict.fromkeys(index.iri(i) for i in close + contains))
    if not order:
        return []
    classes = " ".join(f"kg:{c}" for c in load_schema().entity_class_names)
    labels = {r["e"].value: r["label"].value for r in store.query(
        f"SELECT ?e (SAMPLE(?l) AS ?label) WHERE {{ VALUES ?e {{ {' '.join(str(ox.NamedNode(i)) for i in order)} }} "
        f"?e rdfs:label ?l . FILTER EXISTS {{ ?e a ?t . VALUES ?t {{ {classes} }} }} }} GROUP BY ?e")}
    return list(dict.fromkeys(labels[i] for i in order if i in labels))[:limit]


def search(store, text: str, *, limit: int = 20) -> list[dict]:
    """Find entities whose label or alias is like ``text``: exact, prefix, substring, then fuzzy.

    Args:
        store: an open store.
        text: a name fragment, in any script.
        limit: the most rows to return.

    Returns:
        Rows ``{"iri", "label", "type", "matched", "score"}``, best first.

    >>> from kg.stores import open_store
    >>> search(open_store("memory:"), "xiaomi")
    []
    """
    key = name_key(text)
    candidates = _candidates(store, key, limit)
    if not candidates:
        return []
    rows = [r for i in range(0, len(candidates), 2000) for r in store.query(
        f"SELECT ?e ?key ?name ?label ?t WHERE {{ VALUES ?e {{ {' '.join(map(str, candidates[i:i + 2000]))} }} "
        "?e kg:nameKey ?key . { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name } "
        "OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?e a ?t } }")]
    best: dict[str, dict] = {}
    for r in rows:
        name = r["name"].value
        if name_key(name) != r["key"].value:
            continue
        k = r["key"].value
        if k == key:
            score = 1.0
        elif k.startswith(key):
            score = 0.9
        elif key and key in k:
            score = 0.8
        else:
            score = round(difflib.SequenceMatcher(None, key, k).ratio() * 0.75, 3)
            if score < 0.45:
                continue
        iri = r["e"].value
        typ = term_label(r["t"].value) if r["t"] is not None and r["t"].value.startswith(KG) else ""
        cur = best.get(iri)
        if cur is None or score > cur["score"]:
            best[iri] = {"iri": iri, "label": r["label"].value if r["label"] is not None else name,
                         "type": typ, "matched": name, "score": score}
        elif typ and _rank(typ) < _rank(cur["type"]):
            cur["type"] = typ
    ranked = sorted(best.values(), key=lambda d: (-d["score"], _rank(d["type"]), d["label"]))
    return ranked[:limit]


def _candidates(store, key: str, limit: int) -> list:
    """The entities that can rank in the first ``limit``, from the name index (:mod:`kg.nameindex`), cut at the
    ``limit``-th best score (ties kept, so the final order by type and label is unchanged)."""
    import pyoxigraph as ox

    from kg.nameindex import load_or_build

    best = load_or_build(store).matches(key, limit)
    if not best:
        return []
    scores = sorted(best.values(), reverse=True)
    cut = scores[min(limit, len(scores)) - 1] if limit else scores[-1]
    tied = [iri for iri, score in best.items() if score >= cut]
    if limit and len(tied) > 2 * limit:
        # A short prefix ties thousands: keep the best by score, the type its IRI names, then the IRI
        # (the slug follows the name), so that only a page of candidates is read from the store.
        tied = sorted(tied, key=lambda iri: (-best[iri], _iri_rank(iri), iri))[:2 * limit]
    return [ox.NamedNode(iri) for iri in tied]


def _iri_rank(iri: str) -> int:
    """The rank of the entity class an entity IRI names (``…/id/person/…`` → Person's); others rank last."""
    from kg.schema import parse_iri

    kind = (parse_iri(iri) or ("",))[0]
    classes = load_schema().entity_classes
    return next((c.rank for c in classes if c.kind == kind), len(classes))


def list_entities(store, *, types: list[str] | None = None, limit: int | None = None) -> list[dict]:
    """List entities (people, companies, organizations, projects, concepts) with their deal counts.

    With a ``limit`` only the page is read in full: the store sorts each
    class's entities by label and hands over the first ones, and only their
    aliases and deals are counted (at a million deals the whole list took
    41 s, most of it counting 13 million deal links).

    Args:
        store: an open store.
        types: class local names to keep, e.g. ``["Company"]``; default all entity classes.
        limit: the most rows (``None``: every entity).

    Returns:
        Rows ``{"iri", "label", "type", "aliases", "deals"}`` sorted by type, then label
        (folded to lower case; the IRI for an entity without one), then IRI.

    Raises:
        KgError: an unknown type name; lists the known ones.

    >>> from kg.stores import open_store
    >>> list_entities(open_store("memory:"), limit=10)
    []
    """
    classes = load_schema().entity_class_names
    wanted = types or list(classes)
    for t in wanted:
        if t not in classes:
            raise KgError(f"unknown type {t!r}; use one of: {', '.join(classes)}")
    page: list[tuple[str, str, str | None]] = []
    for t in sorted(dict.fromkeys(wanted), key=_rank):
        room = None if limit is None else limit - len(page)
        if room is not None and room <= 0:
            break
        page += _first_of_class(store, t, room)
    aliases, deals = _aliases_and_deals(store, [e for e, _, _ in page])
    # The page's own order (an entity without a label sorts by its IRI), by type first.
    page.sort(key=lambda row: (_rank(row[1]), (row[2] if row[2] is not None else row[0]).lower(), row[0]))
    return [{"iri": e, "label": label if label is not None else term_label(e), "type": t,
             "aliases": sorted(aliases.get(e, ())), "deals": deals.get(e, 0)} for e, t, label in page]


def _first_of_class(store, class_name: str, limit: int | None) -> list[tuple[str, str, str | None]]:
    """``(iri, class, label)`` of a class's entities, by label folded to lower case then IRI (the first ``limit``).

    An embedded store sorts them and hands over the page; a remote one hands
    over every entity of the class, sorted here (Virtuoso 7.2 cannot fold the
    case of an aggregate: error SR586).
    """
    import pyoxigraph as ox

    from kg.stores import raw_store

    inner = (f"SELECT ?e (MIN(?l) AS ?label) WHERE {{ ?e a {ox.NamedNode(KG + class_name)} . "
             f"OPTIONAL {{ ?e rdfs:label ?l }} }} GROUP BY ?e")
    if raw_store(store) is None:
        rows = [(r["e"].value, class_name, r["label"].value if r["label"] is not None else None)
                for r in store.query(inner)]
        rows.sort(key=lambda row: ((row[2] if row[2] is not None else row[0]).lower(), row[0]))
        return rows[:limit] if limit is not None else rows
    cut = "" if limit is None else f" LIMIT {int(limit)}"
    rows = store.query(f"SELECT ?e ?label WHERE {{ {{ {inner} }} BIND(LCASE(COALESCE(?label, STR(?e))) AS ?key) }} "
                       f"ORDER BY ?key STR(?e){cut}")
    return [(r["e"].value, class_name, r["label"].value if r["label"] is not None else None) for r in rows]


def _aliases_and_deals(store, iris: list[str], chunk: int = 2000) -> tuple[dict, dict]:
    """Each entity's aliases and the number of deals it takes part in, a chunk of entities per query."""
    import pyoxigraph as ox

    aliases: dict[str, set] = defaultdict(set)
    deals: dict[str, int] = {}
    for i in range(0, len(iris), chunk):
        values = " ".join(str(ox.NamedNode(e)) for e in iris[i:i + chunk])
        for r in store.query(f"SELECT ?e ?a WHERE {{ VALUES ?e {{ {values} }} ?e skos:altLabel ?a }}"):
            aliases[r["e"].value].add(r["a"].value)
        for r in store.query(f"SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE {{ VALUES ?e {{ {values} }} "
                             f"?e kg:involvedIn ?d }} GROUP BY ?e"):
            deals[r["e"].value] = int(r["n"].value)
    return aliases, deals


def _relation_for(deal_type: str, my_role: str, other_role: str | None, position_role: str | None):
    """(relation name, direction) of a deal as seen from one participant."""
    for r in load_schema().relations:
        if r.deal_class != deal_type or (r.role and r.role != position_role):
            continue
        if r.symmetric and my_role == r.subject_role:
            return r.name, "both"
        if my_role == r.subject_role and (other_role in (None, r.object_role)):
            return r.name, "out"
        if my_role == r.object_role and other_role in (None, r.subject_role):
            return r.name, "in"
    return deal_type[0].lower() + deal_type[1:], "out"


def describe(store, iri: str) -> dict:
    """Everything about one entity, with the date, status and source of each fact.

    Args:
        store: an open store.
        iri: the entity's IRI (see :func:`find_entity`).

    Returns:
        A dict with ``iri``, ``label``, ``type``, ``types``, ``aliases``,
        ``attributes`` (other properties, each with the graph it is in),
        ``facts`` (one per deal and counterpart: ``relation``, ``direction``
        out/in/both, ``other``, ``other_label``, ``deal``, ``deal_type``,
        ``deal_label``, ``date``, ``status``, ``amount``, ``currency``,
        ``approximate``, ``quotes`` [{quote, source, source_title, start, end}]),
        and ``observations``.
    """
    import pyoxigraph as ox

    e = ox.NamedNode(iri)
    types = _types_of(store, iri)
    head = {"iri": iri, "label": None, "type": _best_type(types), "types": [term_label(t) for t in types],
            "aliases": [], "attributes": [], "facts": [], "observations": []}
    for r in _bound(
        store,
        "SELECT ?p ?o ?g ?e WHERE { GRAPH ?g { ?e ?p ?o } FILTER(?p NOT IN (rdf:type, kg:nameKey, kg:involvedIn)) "
        "FILTER(?g != graph:derived) }",
        {"e": e},
    ):
        p, o = r["p"].value, r["o"]
        if p.endswith("#label") and head["label"] is None:
            head["label"] = o.value
        elif p.endswith("#altLabel"):
            head["aliases"].append(o.value)
        else:
            head["attributes"].append({"property": term_label(p), "value": _label_or_value(store, o),
                                       "graph": r["g"].value})
    head["aliases"] = sorted(set(head["aliases"]))
    head["label"] = head["label"] or term_label(iri)
    head["facts"] = _facts(store, e)
    head["observations"] = _observations(store, e)
    _add_sources_view(store, head)
    return head


#: Attributes that are external identifiers, shown apart (``kg show`` prints them).
IDENTIFIERS = ("wikidata", "lei", "registrationNumber")


def _add_sources_view(store, head: dict) -> None:
    """Identifiers, the entities judged the same (with their facts), and the facts sources disagree on."""
    import pyoxigraph as ox

    from kg.judgements import cluster

    head["identifiers"] = {a["property"]: a["value"] for a in head["attributes"] if a["property"] in IDENTIFIERS}
    head["attributes"] = [a for a in head["attributes"]
                          if a["property"] not in IDENTIFIERS and a["property"] not in ("sameAs", "differentFrom")]
    head["same_as"] = sorted(cluster(store, head["iri"]) - {head["iri"]})
    for other in head["same_as"]:
        head["facts"] += [{**f, "via": other} for f in _facts(store, ox.NamedNode(other))]
    deals = sorted({f["deal"] for f in head["facts"] if f.get("deal")})
    if not deals:
        return
    values = " ".join(str(ox.NamedNode(d)) for d in deals)
    flagged: dict[str, list[str]] = {}
    for r in store.query(f"SELECT ?deal ?p WHERE {{ VALUES ?deal {{ {values} }} ?deal kg:conflictOn ?p }}"):
        flagged.setdefault(r["deal"].value, []).append(term_label(r["p"].value))
    for f in head["facts"]:
        f["conflict"] = sorted(set(flagged.get(f.get("deal"), [])))


def _label_or_value(store, term):
    if type(term).__name__ != "NamedNode":
        from kg.formats import to_python

        return to_python(term)
    for r in _bound(store, "SELECT ?l ?x WHERE { ?x rdfs:label|skos:prefLabel ?l } LIMIT 1", {"x": term}):
        return r["l"].value
    return term.value


def _fact_rows(store, e):
    """The rows of the query behind :func:`_facts`: one per deal, role, counterpart and piece of evidence."""
    schema = load_schema()
    roles = " ".join(f"kg:{p}" for p in schema.role_names + ("declinedBy",))
    deal_types = " ".join(f"kg:{c}" for c in schema.deal_class_names)
    return _bound(store,
        f"""SELECT ?e ?deal ?dealType ?dealLabel ?myRole ?otherRole ?other ?otherLabel ?positionRole
                  ?date ?status ?value ?currency ?approx ?ev ?quote ?start ?end ?line ?source ?sourceTitle ?sourcePath
        WHERE {{
          VALUES ?myRole {{ {roles} }}
          VALUES ?dealType {{ {deal_types} }}
          ?deal ?myRole ?e ; a ?dealType .
          OPTIONAL {{ ?deal rdfs:label ?dealLabel }}
          OPTIONAL {{ VALUES ?otherRole {{ {roles} }} ?deal ?otherRole ?other . FILTER(?other != ?e)
                      OPTIONAL {{ ?other rdfs:label ?otherLabel }} }}
          OPTIONAL {{ ?deal kg:role ?positionRole }}
          OPTIONAL {{ ?deal kg:date ?date }}
          OPTIONAL {{ ?deal kg:status ?status }}
          OPTIONAL {{ ?deal kg:amount ?amt . ?amt kg:value ?value . OPTIONAL {{ ?amt kg:currency ?currency }}
                      OPTIONAL {{ ?amt kg:approximate ?approx }} }}
          OPTIONAL {{ ?deal kg:evidence ?ev . OPTIONAL {{ ?ev kg:quote ?quote }}
                      OPTIONAL {{ ?ev kg:start ?start }} OPTIONAL {{ ?ev kg:end ?end }} OPTIONAL {{ ?ev kg:line ?line }}
                      OPTIONAL {{ ?ev kg:source ?source . OPTIONAL {{ ?source dcterms:title ?sourceTitle }}
                                  OPTIONAL {{ ?source kg:path ?sourcePath }} }} }}
        }}""",
        {"e": e},
    )


def _value(term, convert=None):
    """A row's value: the term's text (or ``convert(term)``), None when unbound."""
    if term is None:
        return None
    return convert(term) if convert else term.value


def _new_fact(r, relation: str, direction: str, my_role: str, deal_type: str) -> dict:
    """One fact of :func:`_facts`, from the first row that names it (its quotes are added after)."""
    from kg.formats import to_python

    other = _value(r["other"])
    return {
        "relation": relation, "direction": direction, "other": other,
        "other_label": _value(r["otherLabel"]) or (term_label(other) if other else None),
        "role": my_role, "deal": r["deal"].value, "deal_type": deal_type, "deal_label": _value(r["dealLabel"]),
        "date": _value(r["date"]), "status": _value(r["status"], lambda s: term_label(s.value).lower()),
        "amount": _value(r["value"], to_python), "currency": _value(r["currency"]),
        "approximate": bool(to_python(r["approx"])) if r["approx"] is not None else False,
        "quotes": [],
    }


def _quote(r) -> dict:
    """The evidence of one row: the quote, where it is, and its source."""
    from kg.formats import to_python

    return {"evidence": r["ev"].value, "quote": _value(r["quote"]), "source": _value(r["source"]),
            "source_title": _value(r["sourceTitle"]), "start": _value(r["start"], to_python),
            "end": _value(r["end"], to_python), "line": _value(r["line"], to_python),
            "source_path": _value(r["sourcePath"])}


def _facts(store, e) -> list[dict]:
    """The facts of entity ``e``: one per deal, relation and counterpart, with every source's quote."""
    facts: dict[tuple, dict] = {}
    for r in _fact_rows(store, e):
        my_role = term_label(r["myRole"].value)
        other_role = term_label(r["otherRole"].value) if r["otherRole"] is not None else None
        if "declinedBy" in (my_role, other_role):
            continue
        deal_type = term_label(r["dealType"].value)
        prole = term_label(r["positionRole"].value) if r["positionRole"] is not None else None
        relation, direction = _relation_for(deal_type, my_role, other_role, prole)
        key = (r["deal"].value, _value(r["other"]), relation)
        fact = facts.get(key)
        if fact is None:
            fact = facts[key] = _new_fact(r, relation, direction, my_role, deal_type)
        if r["ev"] is not None and (q := _quote(r)) not in fact["quotes"]:
            fact["quotes"].append(q)
    out = list(facts.values())
    for f in out:
        f["quotes"].sort(key=lambda q: (q["source"] or "", q["start"] if q["start"] is not None else -1))
    out.sort(key=lambda f: (f["date"] or "9999", f["relation"], f["other_label"] or "", f["deal"]))
    return out


def _observations(store, e) -> list[dict]:
    from kg.formats import to_python

    rows = _bound(store,
        """SELECT ?e ?obs ?metric ?value ?unit ?period ?approx ?by ?byLabel ?status ?quote ?source WHERE {
             ?obs a kg:Observation ; kg:subject ?e ; kg:metric ?metric ; kg:value ?value .
             OPTIONAL { ?obs kg:unit ?unit } OPTIONAL { ?obs kg:period ?period }
             OPTIONAL { ?obs kg:approximate ?approx } OPTIONAL { ?obs kg:status ?status }
             OPTIONAL { ?obs kg:reportedBy ?by . OPTIONAL { ?by rdfs:label ?byLabel } }
             OPTIONAL { ?obs kg:evidence ?ev . OPTIONAL { ?ev kg:quote ?quote } OPTIONAL { ?ev kg:source ?source } }
           } ORDER BY ?period ?metric""",
        {"e": e},
    )
    out = {}
    for r in rows:
        out.setdefault(r["obs"].value, {
            "observation": r["obs"].value,
            "metric": r["metric"].value,
            "value": to_python(r["value"]),
            "unit": r["unit"].value if r["unit"] is not None else None,
            "period": r["period"].value if r["period"] is not None else None,
            "approximate": bool(to_python(r["approx"])) if r["approx"] is not None else False,
            "reported_by": r["byLabel"].value if r["byLabel"] is not None else None,
            "status": term_label(r["status"].value).lower() if r["status"] is not None else None,
            "quote": r["quote"].value if r["quote"] is not None else None,
            "source": r["source"].value if r["source"] is not None else None,
        })
    return list(out.values())


def fact_rows(description: dict) -> list[dict]:
    """Flatten :func:`describe`'s facts into table rows (one per fact, first quote shown).

    Args:
        description: the dict from :func:`describe`.

    Returns:
        Rows with ``relation``, ``with``, ``date``, ``status``, ``amount``, ``source``, ``quote``.
    """
    rows = []
    arrows = {"out": "→", "in": "←", "both": "↔"}
    for f in description["facts"]:
        amount = None
        if f["amount"] is not None:
            amount = f"{'~' if f['approximate'] else ''}{f['amount']:,} {f['currency'] or ''}".strip()
        q = f["quotes"][0] if f["quotes"] else {}
        rows.append({
            "relation": f"{arrows[f['direction']]} {f['relation']}",
            "with": f["other_label"] or "",
            "date": f["date"],
            "status": f["status"],
            "amount": amount,
            "source": _source_text(q),
            "quote": q.get("quote"),
        })
    return rows


def describe_entity(store, name: str, *, as_of: str | int | None = None) -> dict:
    """Resolve ``name`` (see :func:`find_entity`) and :func:`describe` it, in one call.

    Args:
        store: an open store.
        name: a name, alias or IRI.
        as_of: show the entity as it stood in that year (``2019``, ``2019-06-30``):
            facts dated later, and roles that had ended, are left out.

    Raises:
        UnknownEntityError: nothing matches; carries the nearest names.
    """
    info = describe(store, find_entity(store, name))
    if as_of:
        _keep_as_of(store, info, as_of)
    return info


def _keep_as_of(store, info: dict, as_of) -> None:
    """Drop the facts of ``info`` that are dated after ``as_of`` or whose role had ended by then."""
    import pyoxigraph as ox

    from kg.explore import as_of_year

    year = as_of_year(as_of)
    deals = sorted({f["deal"] for f in info["facts"] if f.get("deal")})
    ended: dict[str, int] = {}
    if deals:
        values = " ".join(str(ox.NamedNode(d)) for d in deals)
        for r in store.query(f"SELECT ?deal ?end WHERE {{ VALUES ?deal {{ {values} }} ?deal kg:endDate ?end }}"):
            if r["end"].value[:4].isdigit():
                ended[r["deal"].value] = max(ended.get(r["deal"].value, 0), int(r["end"].value[:4]))

    def holds(f: dict) -> bool:
        date = str(f.get("date") or "")
        return not (date[:4].isdigit() and int(date[:4]) > year) and ended.get(f.get("deal"), year) >= year

    info["facts"] = [f for f in info["facts"] if holds(f)]
    info["as_of"] = year


def _source_text(quote: dict) -> str | None:
    """How a table names a fact's source: its title, else its file, with the line for tabular sources."""
    name = quote.get("source_title") or quote.get("source_path") or quote.get("source")
    if name and quote.get("line") is not None:
        name = f"{name}:{quote['line']}"
    return name
