"""Review of entity matches: candidates, and judgements that two entities are or are not the same.

Resolution never merges on a guess. Readers record uncertain matches as
``kg:possibleSameAs``; entities that share an external identifier (a Wikidata
QID, an LEI, a register number) are candidates too. A person then decides,
the way nomenklatura's resolver works:

* :func:`candidates` lists the pairs still to review, with their evidence;
* :func:`judge` records "same" (``owl:sameAs``) or "not the same"
  (``owl:differentFrom``), with when and why, in the judgements graph
  (:data:`kg.schema.JUDGEMENTS_GRAPH`), which no ingest touches;
* :func:`undo` takes judgements back.

Judgements are transitive: if A = B and B ≠ C, then A ≠ C, and recording
A = C is refused, naming the judgement in the way.

>>> from kg.stores import open_store
>>> store = open_store("memory:")
>>> _ = store.update('''INSERT DATA { GRAPH <urn:g> {
...   company:tesla a kg:Company ; rdfs:label "Tesla" .
...   company:teslar-inc a kg:Company ; rdfs:label "Teslar Inc" ; kg:possibleSameAs company:tesla .
...   company:tesla-motors a kg:Company ; rdfs:label "Tesla Motors" } }''')
>>> [c["right_label"] for c in candidates(store)]
['Tesla']
>>> judge(store, "https://kg.example.org/id/company/teslar-inc", "https://kg.example.org/id/company/tesla",
...       same=False, why="a different firm")["verdict"]
'not-same'
>>> _ = judge(store, "https://kg.example.org/id/company/tesla-motors",
...           "https://kg.example.org/id/company/tesla", same=True)
>>> sorted(cluster(store, "https://kg.example.org/id/company/tesla"))[-1]
'https://kg.example.org/id/company/tesla-motors'
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from kg.errors import JudgementError
from kg.ontology import DCTERMS, KG, OWL, RDF, RDFS, XSD

SAME = OWL + "sameAs"
DIFFERENT = OWL + "differentFrom"


def _graph() -> str:
    from kg.schema import JUDGEMENTS_GRAPH

    return JUDGEMENTS_GRAPH


def judgements(store) -> list[dict]:
    """Every judgement recorded, oldest first.

    Returns:
        Dicts with ``id``, ``left``, ``right``, ``verdict`` (``same`` or
        ``not-same``), ``when`` and ``why``.
    """
    rows = store.query(
        f"""SELECT ?j ?left ?right ?verdict ?when ?why WHERE {{ GRAPH <{_graph()}> {{
          ?j a kg:Judgement ; kg:left ?left ; kg:right ?right ; kg:verdict ?verdict ; dcterms:created ?when .
          OPTIONAL {{ ?j rdfs:comment ?why }} }} }} ORDER BY ?when ?j"""
    )
    return [
        {"id": r["j"].value, "left": r["left"].value, "right": r["right"].value,
         "verdict": "same" if r["verdict"].value == SAME else "not-same", "when": r["when"].value,
         "why": r["why"].value if r["why"] is not None else None}
        for r in rows
    ]


class _Clusters:
    """Union-find over "same" judgements, with the "not the same" ones between clusters."""

    def __init__(self, records: list[dict]):
        self.parent: dict[str, str] = {}
        self.joined_by: dict[frozenset, dict] = {}
        self.apart: list[dict] = []
        for j in records:
            if j["verdict"] == "same":
                self.union(j["left"], j["right"])
                self.joined_by[frozenset((j["left"], j["right"]))] = j
            else:
                self.apart.append(j)

    def find(self, x: str) -> str:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(x, x) != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def members(self, x: str) -> set[str]:
        root = self.find(x)
        return {n for n in {*self.parent, *self.parent.values(), x} if self.find(n) == root}

    def separated_by(self, a: str, b: str) -> dict | None:
        """The "not the same" judgement that keeps ``a``'s and ``b``'s clusters apart, if any."""
        ra, rb = self.find(a), self.find(b)
        for j in self.apart:
            ends = {self.find(j["left"]), self.find(j["right"])}
            if ends == {ra, rb}:
                return j
        return None


def cluster(store, iri: str) -> set[str]:
    """The entities judged the same as ``iri``, itself included."""
    return _Clusters(judgements(store)).members(iri)


def _describe(j: dict) -> str:
    return f"{j['verdict']} judgement of {j['when'][:19]} ({j['left']} / {j['right']})"


def _check(clusters: _Clusters, a: str, b: str, same: bool) -> None:
    if same:
        blocker = clusters.separated_by(a, b)
        if blocker is not None:
            raise JudgementError(f"refused: {a} and {b} were judged not the same by the {_describe(blocker)}; "
                                 "undo it first")
    elif clusters.find(a) == clusters.find(b):
        joins = [j for j in clusters.joined_by.values() if clusters.find(j["left"]) == clusters.find(a)]
        raise JudgementError(f"refused: {a} and {b} were judged the same by the "
                             + "; ".join(_describe(j) for j in joins) + "; undo it first")


def judge(store, left: str, right: str, *, same: bool, why: str | None = None, when: str | None = None) -> dict:
    """Record that two entities are (``same=True``) or are not the same.

    Args:
        store: a writable store.
        left, right: entity IRIs (resolve names first with :func:`kg.entities.find_entity`).
        same: the verdict.
        why: a free-text reason, kept with the judgement.
        when: an ISO timestamp; now by default.

    Returns:
        The judgement as a dict (see :func:`judgements`).

    Raises:
        JudgementError: the pair is one entity, or the verdict contradicts
            earlier judgements (directly or through transitivity); the
            message names the earlier judgement.
    """
    import hashlib  # here, not at the top: it costs kg show ~6 ms of start-up

    import pyoxigraph as ox

    if left == right:
        raise JudgementError(f"refused: {left} is one entity")
    _check(_Clusters(judgements(store)), left, right, same)
    when = when or datetime.now(UTC).isoformat(timespec="seconds")
    verdict = SAME if same else DIFFERENT
    key = hashlib.sha1(f"{left}|{right}|{verdict}|{when}".encode()).hexdigest()[:16]
    from kg.schema import mint

    j = ox.NamedNode(mint("judgement", key))
    a, b, g = ox.NamedNode(left), ox.NamedNode(right), ox.NamedNode(_graph())
    N = ox.NamedNode
    quads = [
        ox.Quad(j, N(RDF + "type"), N(KG + "Judgement"), g),
        ox.Quad(j, N(KG + "left"), a, g),
        ox.Quad(j, N(KG + "right"), b, g),
        ox.Quad(j, N(KG + "verdict"), N(verdict), g),
        ox.Quad(j, N(DCTERMS + "created"), ox.Literal(when, datatype=N(XSD + "dateTime")), g),
        ox.Quad(a, N(verdict), b, g),
    ]
    if why:
        quads.append(ox.Quad(j, N(RDFS + "comment"), ox.Literal(why), g))
    body = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    store.update(f"INSERT DATA {{ GRAPH {g} {{ {body} }} }} ;\n" + _new_version(), prefixes=False)
    return {"id": j.value, "left": left, "right": right, "verdict": "same" if same else "not-same",
            "when": when, "why": why}


def undo(store, left: str, right: str) -> int:
    """Take back every judgement between two entities (either order).

    Returns:
        How many judgements were removed (0 if there were none).
    """
    import pyoxigraph as ox

    found = [j for j in judgements(store) if {j["left"], j["right"]} == {left, right}]
    if not found:
        return 0
    g = ox.NamedNode(_graph())
    parts = []
    for j in found:
        node = ox.NamedNode(j["id"])
        parts.append(f"DELETE WHERE {{ GRAPH {g} {{ {node} ?p ?o }} }}")
        verdict = SAME if j["verdict"] == "same" else DIFFERENT
        parts.append(f"DELETE DATA {{ GRAPH {g} {{ {ox.NamedNode(j['left'])} <{verdict}> "
                     f"{ox.NamedNode(j['right'])} }} }}")
    store.update(" ;\n".join(parts + [_new_version()]), prefixes=False)
    return len(found)


def _new_version() -> str:
    """The update that bumps the store's version after a judgement, which changes no kept total (:mod:`kg.totals`)."""
    from kg.snapshot import bump_version_update
    from kg.totals import carry_update

    return carry_update() + " ;\n" + bump_version_update()


# The pairs are found first, in a sub-SELECT, and only their labels read: left to itself, the store
# joined every label in it with every other first (18 s at a million deals, for no pair at all).
_CANDIDATES = """
SELECT ?left ?right ?leftLabel ?rightLabel ?why ?id WHERE {
  { SELECT ?left ?right ?why ?id WHERE {
    { ?left kg:possibleSameAs ?right . BIND("possibleSameAs" AS ?why) }
    UNION
    { VALUES ?idProp { kg:wikidata kg:lei kg:registrationNumber }
      ?left ?idProp ?id . ?right ?idProp ?id . FILTER(STR(?left) < STR(?right)) BIND("same identifier" AS ?why) } } }
  ?left rdfs:label ?leftLabel . ?right rdfs:label ?rightLabel .
}
"""


def candidates(store, *, limit: int | None = 100) -> list[dict]:
    """Pairs of entities that may be the same and are not judged yet.

    A pair comes from a reader's ``kg:possibleSameAs`` (a fuzzy name match)
    or from a shared external identifier.

    Returns:
        Dicts with ``left``, ``right``, their labels, and ``why``.
    """
    clusters = _Clusters(judgements(store))
    seen: dict[frozenset, dict] = {}
    for r in store.query(_CANDIDATES):
        left, right = r["left"].value, r["right"].value
        pair = frozenset((left, right))
        judged = clusters.find(left) == clusters.find(right) or clusters.separated_by(left, right)
        if left == right or pair in seen or judged:
            continue
        seen[pair] = {"left": left, "right": right, "left_label": r["leftLabel"].value,
                      "right_label": r["rightLabel"].value, "why": r["why"].value,
                      "identifier": r["id"].value if r["id"] is not None else None}
        if limit is not None and len(seen) >= limit:
            break
    return list(seen.values())


def canonical_map(store) -> dict[str, str]:
    """Every entity in a "same" cluster → the cluster's canonical IRI (the smallest).

    Entities not judged the same as another are left out.
    """
    clusters = _Clusters(judgements(store))
    groups: dict[str, list[str]] = defaultdict(list)
    for node in {*clusters.parent, *clusters.parent.values()}:
        groups[clusters.find(node)].append(node)
    return {m: root for root, members in groups.items() for m in {*members, root}}


def review(store, *, limit: int | None = 100) -> list[dict]:
    """The candidate pairs to review, as :func:`candidates` gives them (the ``kg review`` command)."""
    return candidates(store, limit=limit)


def _resolve(store, name: str) -> str:
    from kg.entities import find_entity

    return find_entity(store, name)


def same_as(store, left: str, right: str, *, why: str | None = None) -> dict:
    """Record that two entities, given by name, alias or IRI, are the same (``kg same-as``).

    Raises:
        UnknownEntityError: a name matches no entity (with near matches).
        JudgementError: see :func:`judge`.
    """
    return judge(store, _resolve(store, left), _resolve(store, right), same=True, why=why)


def not_same(store, left: str, right: str, *, why: str | None = None) -> dict:
    """Record that two entities, given by name, alias or IRI, are not the same (``kg not-same``)."""
    return judge(store, _resolve(store, left), _resolve(store, right), same=False, why=why)


def unjudge(store, left: str, right: str) -> int:
    """Undo the judgements between two entities given by name, alias or IRI (``kg same-as --undo``).

    Raises:
        JudgementError: there is no judgement between them.
    """
    a, b = _resolve(store, left), _resolve(store, right)
    n = undo(store, a, b)
    if not n:
        raise JudgementError(f"no judgement between {a} and {b} to undo")
    return n
