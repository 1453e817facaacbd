"""Facts that sources disagree on: kept, flagged, and listed, never resolved silently.

Two sources that state the same fact (see :func:`kg.facts.deal_key`) write to
the same deal node, each in its own named graph. When they give it different
amounts, dates or statuses, every value stays with its source, and the
derived graph flags the deal with ``kg:conflictOn <property>``. The flags are
maintained with the derived edges, so listing them costs in proportion to the
number of conflicts, not to the store.

Which source's value a view shows first is the schema's source ranking
(:func:`kg.schema.source_rank`): curated over extracted, then the newer report.

>>> from kg.stores import open_store
>>> store = open_store("memory:")
>>> store.update('''INSERT DATA {
...   GRAPH <urn:a> { deal:x a kg:Investment ; kg:status kg:Completed ; kg:date "2019"^^xsd:gYear }
...   GRAPH <urn:b> { deal:x a kg:Investment ; kg:status kg:Rumored ; kg:date "2019"^^xsd:gYear } }''')
>>> store.update(flag_update())
>>> [(c["property"], sorted(v["value"] for v in c["values"])) for c in conflicts(store)]
[('status', ['Completed', 'Rumored'])]
"""

from __future__ import annotations

from kg.ontology import KG

#: The properties of a deal on which sources may disagree, and how a value is read.
#: For ``amount`` the value is the amount node's value and currency.
PROPERTIES = ("amount", "date", "status")


def _value_pattern(prop: str, g: str, v: str) -> str:
    if prop == "amount":
        return (f"GRAPH ?{g} {{ ?deal <{KG}amount> ?{v}n . ?{v}n <{KG}value> ?{v}x ; <{KG}currency> ?{v}c }} "
                f"BIND(CONCAT(STR(?{v}x), ' ', STR(?{v}c)) AS ?{v})")
    return f"GRAPH ?{g} {{ ?deal <{KG}{prop}> ?{v} }}"


def flag_update(deals_values: str = "") -> str:
    """The SPARQL Update that (re)computes the conflict flags in the derived graph.

    Args:
        deals_values: an optional ``VALUES ?deal { … }`` block (terms written by
            pyoxigraph) that limits the work to those deals, for incremental
            ingests; by default every deal is checked.

    Returns:
        Update text: it deletes the flags of the deals concerned, then inserts
        ``?deal kg:conflictOn kg:<property>`` where two source graphs differ.
    """
    from kg.schema import DERIVED_GRAPH

    d = f"<{DERIVED_GRAPH}>"
    parts = [f"DELETE {{ GRAPH {d} {{ ?deal <{KG}conflictOn> ?p }} }} "
             f"WHERE {{ {deals_values} GRAPH {d} {{ ?deal <{KG}conflictOn> ?p }} }}"]
    for prop in PROPERTIES:
        parts.append(
            f"INSERT {{ GRAPH {d} {{ ?deal <{KG}conflictOn> <{KG}{prop}> }} }} WHERE {{ {deals_values} "
            f"{_value_pattern(prop, 'g1', 'v1')} {_value_pattern(prop, 'g2', 'v2')} "
            f"FILTER(?g1 != ?g2 && ?g1 != {d} && ?g2 != {d} && STR(?v1) < STR(?v2)) {_compatible(prop)} }}"
        )
    return " ;\n".join(parts)


def _compatible(prop: str) -> str:
    """A FILTER that drops pairs of values that do not contradict each other.

    Dates agree when one is a more precise form of the other (``2021`` and
    ``2021-06-01``); statuses whose schema entry says ``conflicts = false``
    (``Reported``) contradict nothing.
    """
    if prop == "date":
        return "FILTER(!STRSTARTS(STR(?v1), STR(?v2)) && !STRSTARTS(STR(?v2), STR(?v1)))"
    if prop == "status":
        from kg.schema import load

        quiet = " ".join(f"<{KG}{s.name}>" for s in load().statuses if not s.conflicts)
        return f"FILTER(?v1 NOT IN ({quiet.replace(' ', ', ')}) && ?v2 NOT IN ({quiet.replace(' ', ', ')}))" if quiet else ""
    return ""


_LIST = """
SELECT ?deal ?label ?prop ?g ?value ?sourceLabel WHERE {
  { SELECT DISTINCT ?deal ?prop WHERE { ?deal kg:conflictOn ?prop } ORDER BY ?deal ?prop LIMIT %d }
  OPTIONAL { ?deal rdfs:label ?label }
  %s
  OPTIONAL { ?src a kg:Source . GRAPH ?g { ?src a kg:Source } OPTIONAL { ?src dcterms:title ?sourceLabel } }
}
"""


def _values_clause() -> str:
    branches = []
    for prop in PROPERTIES:
        branches.append(f"{{ VALUES ?prop {{ kg:{prop} }} {_value_pattern(prop, 'g', 'value')} }}")
    return " UNION ".join(branches)


def conflicts(store, *, limit: int | None = 100) -> list[dict]:
    """The flagged facts, each with every source's value.

    Args:
        store: an open store.
        limit: at most this many (deal, property) pairs; ``None`` for all.

    Returns:
        Dicts with ``deal``, ``label``, ``property`` (``amount``, ``date`` or
        ``status``) and ``values``: a list of ``{"value", "graph", "source"}``.
    """
    from kg.schema import term_label

    text = _LIST % (limit if limit is not None else 10**12, _values_clause())
    out: dict[tuple, dict] = {}
    for r in store.query(text):
        deal, prop = r["deal"].value, term_label(r["prop"].value)
        item = out.setdefault((deal, prop), {"deal": deal, "label": r["label"].value if r["label"] else None,
                                             "property": prop, "values": []})
        value = r["value"]
        text_value = term_label(value.value) if prop == "status" else value.value
        entry = {"value": text_value, "graph": r["g"].value,
                 "source": r["sourceLabel"].value if r["sourceLabel"] is not None else None}
        if entry not in item["values"]:
            item["values"].append(entry)
    return list(out.values())
