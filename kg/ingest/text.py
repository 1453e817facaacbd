"""Read English business news into facts and triples: the text reader of ``kg ingest``.

* :func:`extract` — text → fact dicts (the stable interface of ``kg extract``);
* :func:`extract_file` — a file or ``-`` → fact dicts, for every document in it
  (decoding lives in :mod:`kg.ingest.documents`);
* :func:`to_facts` — fact dicts → :class:`kg.facts.Fact` and :class:`kg.facts.Observation`;
* :func:`read` — a file or directory → one :class:`kg.ingest.Batch` per document,
  resolved against the store's entities, with evidence for every fact;
* :func:`to_turtle` — a batch as Turtle, for ``--dry-run``.

Facts come from rules only (:mod:`kg.ingest.mentions`, :mod:`kg.ingest.relations`
and the patterns in ``patterns.yaml``); nothing is downloaded.

>>> facts = extract("Acme Corp agreed to acquire Foo Inc for $47.5M in May 2019.", "d1")
>>> f = facts[0]
>>> f["relation"], f["subject"], f["object"], f["amount"], f["date"], f["status"]
('acquired', 'Acme Corp', 'Foo Inc', {'value': 47500000, 'currency': 'USD', 'approximate': False}, '2019-05', 'planned')
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import ExtractionError
from kg.schema import load as load_schema

#: The relations ``kg extract`` reports.
RELATIONS = ("investedIn", "acquired", "ceoOf", "founderOf", "metWith", "seeksPartner", "partnerOf")


# ---------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------

def extract(text: str, doc: str = "doc", *, gazetteer=None, observations: bool = False,
            min_confidence: float = 0.0) -> list[dict]:
    """Extract relation facts from one text.

    Args:
        text: the document.
        doc: its id, written into every fact.
        gazetteer: a :class:`kg.resolve.Gazetteer` of known entities, or None.
        observations: also return figures (``relation: "observation"``).
        min_confidence: drop facts below this confidence.

    Returns:
        One dict per fact, duplicates within the document merged: ``doc``,
        ``relation``, ``subject``, ``object`` (surface names, subject first in
        the relation's direction), ``subject_type``, ``object_type``,
        ``amount`` (``{"value", "currency", "approximate"}`` or None), ``date``
        (or None), ``status``, ``confidence``, ``quote``, ``start``, ``end``,
        ``rule``; plus ``subject_name``/``object_name`` (the entity's best
        name in the document), ``kind`` (for a kind of partner sought),
        ``evidence`` (every supporting passage) and, with a gazetteer,
        ``subject_match``/``object_match`` (the known entity and the score).

    Raises:
        ExtractionError: the text is over
            :data:`kg.ingest.documents.MAX_DOC_CHARS` (checked before parsing).
    """
    from kg.ingest.documents import MAX_DOC_CHARS
    from kg.ingest.mentions import analyse
    from kg.ingest.relations import find_observations, find_relations

    if len(text) > MAX_DOC_CHARS:
        raise ExtractionError(f"document {doc!r}: {len(text):,} characters, over the {MAX_DOC_CHARS:,} limit "
                              "for one article; split it")
    analysed = analyse(text, gazetteer)
    facts = _merge(find_relations(analysed, doc))
    if observations:
        facts += _merge_observations(find_observations(analysed, doc))
    context = {c.name for c in analysed.clusters}
    for f in facts:
        for end in ("subject", "object"):
            cl = f.get("_s" if end == "subject" else "_o")
            if cl is not None:
                f[f"{end}_name"] = analysed.clusters[cl].name
                if gazetteer is not None:
                    f[f"{end}_match"] = _match(gazetteer, analysed.clusters[cl], f[f"{end}_type"], context)
        if f.get("_r") is not None:
            f["reported_by_name"] = analysed.clusters[f["_r"]].name
    facts = [f for f in facts if f["confidence"] >= min_confidence]
    facts.sort(key=lambda f: (f["start"], f["relation"]))
    return facts


def _match(gazetteer, cluster, kind, context) -> dict | None:
    from kg.resolve import fold

    m = gazetteer.match(cluster.name, "person" if kind == "person" else "org", {fold(c) for c in context})
    if m.entity is None:
        return None
    return {"iri": m.entity.iri, "label": m.entity.label, "score": m.score, "status": m.status, "via": m.via}


def _key(f: dict):
    if f["relation"] in load_schema().symmetric_relations:
        return (f["relation"], frozenset((f["_s"], f["_o"])))
    return (f["relation"], f["_s"], f["_o"] if f["_o"] is not None else f.get("kind"))


def _merge(facts: list[dict]) -> list[dict]:
    """One fact per relation and pair of entities: the most confident, completed from the others."""
    groups: dict = {}
    for f in facts:
        groups.setdefault(_key(f), []).append(f)
    out = []
    for group in groups.values():
        best = dict(max(group, key=lambda f: (f["confidence"], -f["start"])))
        for f in group:
            for k in ("amount", "date"):
                if best.get(k) is None and f.get(k) is not None:
                    best[k] = f[k]
                    if k == "date":
                        best["date_type"] = f["date_type"]
        best["evidence"] = _evidence(group)
        out.append(best)
    return out


def _evidence(group: list[dict]) -> list[dict]:
    seen, ev = set(), []
    for f in sorted(group, key=lambda f: -f["confidence"]):
        if (f["start"], f["rule"]) not in seen:
            seen.add((f["start"], f["rule"]))
            ev.append({k: f[k] for k in ("quote", "start", "end", "rule", "confidence")})
    return ev


def _merge_observations(obs: list[dict]) -> list[dict]:
    groups: dict = {}
    for o in obs:
        groups.setdefault((o["subject"], o["metric"], o["period"]), []).append(o)
    out = []
    for group in groups.values():
        best = dict(max(group, key=lambda o: o["confidence"]))
        best["evidence"] = _evidence(group)
        out.append(best)
    return out


def public(fact: dict) -> dict:
    """A fact without its internal keys, ready for JSON."""
    return {k: v for k, v in fact.items() if not k.startswith("_")}


def extract_document(text: str, doc: str = "doc", **options) -> list[dict]:
    """:func:`extract` for one article of a batch, as public dicts (what ``kg extract`` prints).

    >>> [f["rule"] for f in extract_document("Acme Corp acquires Foo Inc", "d")]
    ['acquired.active']
    """
    return [public(f) for f in extract(text, doc, **options)]


def extract_file(path, *, jsonl: bool = False, gazetteer=None, min_confidence: float = 0.0,
                 observations: bool = False):
    """Extract the facts of every document in a file, a directory or ``-`` (stdin), one document at a time.

    Args:
        path: what to read (see :func:`kg.ingest.documents.documents`).
        jsonl: read the input as JSON Lines of ``{"id", "text"}``.
        gazetteer: known entities for resolution, or None.
        min_confidence: drop facts below this confidence.
        observations: include figures as ``observation`` facts.

    Yields:
        Fact dicts without internal keys, document by document; for a
        document that cannot be read or analysed, one ``{"doc", "source",
        "error"}`` dict instead, and the batch goes on.

    Raises:
        ExtractionError: the input as a whole cannot be read; names it and says why.
    """
    from kg.ingest.documents import DocumentError, documents

    for item in documents(Path(path) if str(path) != "-" else "-", {"jsonl": jsonl}):
        if isinstance(item, DocumentError):
            yield {"doc": item.id, "source": item.source, "error": item.message}
            continue
        try:
            found = extract_document(item.text, item.id, gazetteer=gazetteer, min_confidence=min_confidence,
                                     observations=observations)
        except ExtractionError as exc:
            yield {"doc": item.id, "source": item.source, "error": str(exc)}
            continue
        except Exception as exc:  # noqa: BLE001 - one article's failure must not lose the others in the batch
            yield {"doc": item.id, "source": item.source,
                   "error": f"{item.source}: could not analyse this article ({type(exc).__name__}); please report it"}
            continue
        yield from found


# ---------------------------------------------------------------------------
# Facts and triples
# ---------------------------------------------------------------------------


def _classes() -> dict[str, str]:
    """Entity class by IRI kind (``person`` → ``Person``), from :mod:`kg.schema`."""
    return {c.kind: c.name for c in load_schema().entity_classes}


def read(path: Path, *, store=None, options: dict | None = None) -> list:
    """Read news text into batches, one named graph per document.

    Args:
        path: a ``.txt``/``.md``/``.html``/``.jsonl`` file or a directory of them.
        store: an open store, read (one query) for the gazetteer of known
            entities; None to resolve against nothing.
        options: ``min_confidence`` (drop weaker facts), ``jsonl``, ``encoding``,
            ``max_bytes``.

    Returns:
        A list of :class:`kg.ingest.Batch`. Each holds the document's
        kg:Source, the entities its facts name (existing IRIs where the name
        resolves exactly, new ones otherwise, ``kg:possibleSameAs`` for fuzzy
        matches), deal nodes, amounts, observations and evidence.

    Raises:
        ExtractionError: a file or one of its articles cannot be read; nothing is returned.
    """
    from kg.ingest import Batch
    from kg.ingest.documents import DocumentError, documents
    from kg.ontology import source_graph
    from kg.resolve import gazetteer_from_store

    options = dict(options or {})
    gaz = gazetteer_from_store(store)
    min_conf = float(options.get("min_confidence") or 0.0)
    batches = []
    ids: dict[str, str] = {}
    single = Path(path).is_file() and Path(path).suffix.lower() != ".jsonl"
    for item in documents(Path(path), options):
        if isinstance(item, DocumentError):
            raise ExtractionError(item.message)
        key = _document_key(item.id, single, options)
        graph = source_graph(key)
        if graph in ids:
            raise ExtractionError(f"{item.source}: document id {item.id!r} is also used by {ids[graph]}; rename one")
        ids[graph] = item.source
        facts = extract(item.text, item.id, gazetteer=gaz, observations=True, min_confidence=min_conf)
        triples = document_triples(key, facts, gaz, source_path=_display_path(item.source), sha256=item.sha256,
                                   title=item.title or _first_line(item.text))
        batches.append(Batch(graph=graph, triples=triples, source=item.source, facts=[public(f) for f in facts]))
    return batches


def _document_key(doc_id: str, single: bool, options: dict) -> str:
    """The key of a document's graph and source node: keyed by its source's identity (see
    :mod:`kg.ingest.pipeline`), so two documents of the same name from different places never collide."""
    from kg.ingest.pipeline import source_name

    if single and options.get("source_name"):
        return options["source_name"]
    identity = options.get("source_identity")
    return source_name(Path(doc_id), f"{identity}#{doc_id}") if identity else doc_id


def _display_path(src: str) -> str:
    try:
        return str(Path(src).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return src


def _first_line(text: str) -> str | None:
    for line in text.split("\n"):
        if len(line.strip()) > 15:
            return line.strip()[:200]
    return None


def _party(fact: dict, end: str, gazetteer=None):
    """One end of an extracted fact as a :class:`kg.facts.Party`.

    An exact match to a known entity reuses its IRI; a fuzzy one is only a
    candidate (``kg:possibleSameAs``), never a merge. Other spellings of the
    document become aliases only when they differ from the name by case,
    punctuation or a company suffix: a short or contextual form ("Musk",
    "John") holds only in its document.
    """
    from kg.facts import Party
    from kg.resolve import core_key

    name = fact.get(f"{end}_name") or fact[end]
    kind = _classes().get(fact.get(f"{end}_type"), "Company")
    match = fact.get(f"{end}_match")
    iri = candidate = None
    if match and match["status"] == "exact":
        iri, name = match["iri"], match["label"]
        known = next((e for e in gazetteer.entities if e.iri == iri), None) if gazetteer is not None else None
        kind = _classes().get(known.kind, kind) if known is not None else kind
    elif match:
        candidate = match["iri"]
    aliases = tuple(a for a in {fact[end], fact.get(f"{end}_name") or fact[end]}
                    if a != name and core_key(a) == core_key(name))
    return Party(name, kind, iri, aliases, candidate)


def _evidence_of(fact: dict, doc: str) -> tuple:
    from kg.facts import Evidence

    return tuple(Evidence(doc, quote=ev["quote"], start=ev["start"], end=ev["end"], rule=ev["rule"],
                          confidence=ev["confidence"]) for ev in fact.get("evidence") or [fact])


def to_facts(doc: str, facts: list[dict], gazetteer=None) -> list:
    """Extracted fact dicts (from :func:`extract`) as :class:`kg.facts.Fact` and :class:`kg.facts.Observation`.

    >>> [f] = to_facts("d", extract("Acme Corp acquired Foo Inc in 2019.", "d"))
    >>> f.relation, f.subject.name, f.object.name, f.date, f.evidence[0].rule
    ('acquired', 'Acme Corp', 'Foo Inc', '2019', 'acquired.active')
    """
    from decimal import Decimal

    from kg.facts import Amount, Fact, Observation, Party

    out = []
    for f in facts:
        if f["relation"] == "observation":
            subject = (Party(f["subject"].replace("worldwide ", ""), "Concept") if f["subject_type"] == "market"
                       else _party(f, "subject", gazetteer))
            reporter = None
            if f.get("reported_by"):
                reporter = _party({"subject": f["reported_by"], "subject_name": f.get("reported_by_name"),
                                   "subject_type": "organization"}, "subject")
            out.append(Observation(subject, f["metric"], f["value"], f.get("unit"), bool(f.get("approximate")),
                                   f.get("period"), f.get("date_type"), reporter, f["status"], _evidence_of(f, doc)))
            continue
        if f["object"] is None:
            obj = None
        elif f["object_type"] == "kind":
            obj = Party(f["kind"], "Concept")
        else:
            obj = _party(f, "object", gazetteer)
        amount = f.get("amount")
        out.append(Fact(f["relation"], _party(f, "subject", gazetteer), obj, f.get("date"), f.get("date_type"),
                        Amount(Decimal(str(amount["value"])), amount["currency"], amount["approximate"])
                        if amount else None, f["status"], _evidence_of(f, doc)))
    return out


def document_triples(doc: str, facts: list[dict], gazetteer=None, *, source_path: str | None = None,
                     sha256: str | None = None, title: str | None = None) -> list:
    """The triples of one document: its kg:Source node and its facts, written by :func:`kg.facts.fact_triples`.

    Args:
        doc: the document id.
        facts: from :func:`extract` (with ``observations=True`` for figures).
        gazetteer: the gazetteer the facts were resolved with (for classes of known entities).
        source_path, sha256, title: recorded on the kg:Source node.

    Returns:
        A list of ``pyoxigraph.Triple``.
    """
    import pyoxigraph as ox

    from kg.facts import fact_triples
    from kg.ontology import DCTERMS, KG, RDF, source_iri

    src = ox.NamedNode(source_iri(doc))
    triples = [ox.Triple(src, ox.NamedNode(RDF + "type"), ox.NamedNode(KG + "Source"))]
    for pred, value in ((KG + "path", source_path), (KG + "sha256", sha256), (DCTERMS + "title", title)):
        if value:
            triples.append(ox.Triple(src, ox.NamedNode(pred), ox.Literal(value)))
    return list(dict.fromkeys(triples + fact_triples(to_facts(doc, facts, gazetteer), doc)))


def to_turtle(batch) -> str:
    """A batch's triples as Turtle with kg's prefixes, for ``kg ingest --dry-run``."""
    import pyoxigraph as ox

    from kg.ontology import PREFIXES

    triples = sorted(batch.triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode("utf-8")


def fact_rows(facts: list[dict]) -> list[dict]:
    """Facts as flat table rows: relation, subject, object, amount, date, status, confidence, rule."""
    rows = []
    for f in facts:
        amount = f.get("amount")
        rows.append({
            "doc": f["doc"], "relation": f["relation"], "subject": f["subject"],
            "object": f.get("object") if f["relation"] != "observation" else f"{f['metric']} = {f['value']}",
            "amount": f"{amount['currency']} {amount['value']:,}" + (" (approx.)" if amount["approximate"] else "")
            if amount else "",
            "date": f.get("date") or f.get("period") or "",
            "status": f["status"], "confidence": f["confidence"], "rule": f["rule"],
        })
    return rows
