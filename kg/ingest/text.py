"""Read English business news into facts and triples: the text reader of ``kg ingest``.

* :func:`extract` — text → fact dicts (the stable interface of ``kg extract``);
* :func:`extract_file` — a file or ``-`` → fact dicts, for every document in it;
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

import hashlib
import json
from pathlib import Path

from kg.errors import ExtractionError

#: The relations ``kg extract`` reports.
RELATIONS = ("investedIn", "acquired", "ceoOf", "founderOf", "metWith", "seeksPartner", "partnerOf")
SYMMETRIC = {"metWith", "partnerOf"}
#: Largest text file read, and largest single document (a JSONL line).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DOC_CHARS = 2 * 1024 * 1024
MAX_JSONL_BYTES = 512 * 1024 * 1024
SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}


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
    """
    from kg.ingest.mentions import analyse
    from kg.ingest.relations import find_observations, find_relations

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
    if f["relation"] in SYMMETRIC:
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


# ---------------------------------------------------------------------------
# Reading documents
# ---------------------------------------------------------------------------

def _decode(data: bytes, name: str, encoding: str | None = None) -> str:
    if not data.strip():
        raise ExtractionError(f"{name}: the file is empty; nothing to extract")
    if b"\x00" in data[:8192]:
        raise ExtractionError(f"{name}: looks like a binary file (it contains NUL bytes); give a text, HTML or JSONL file")
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"{name}: not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
            "re-encode it, e.g. iconv -f latin1 -t utf-8"
        ) from None
    except LookupError:
        raise ExtractionError(f"{name}: unknown encoding {encoding!r}") from None
    bad = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\n\r\t\f")
    if bad > 8:
        raise ExtractionError(f"{name}: looks like a binary file ({bad} control characters); give a text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_to_text(html: str) -> tuple[str, str | None]:
    """The visible text of an HTML page, blocks on their own lines, and its title.

    Scripts, styles, templates and comments are dropped, never run.

    >>> html_to_text("<title>T</title><p>Acme buys Foo.</p><script>alert(1)</script><p>Done</p>")
    ('Acme buys Foo.\\nDone', 'T')
    """
    from html.parser import HTMLParser

    blocks = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
              "header", "footer", "blockquote", "title", "ul", "ol", "table", "pre", "hr"}
    hidden = {"script", "style", "noscript", "template", "iframe", "svg", "head", "object", "embed"}

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts, self.skip, self.title, self.in_title = [], 0, [], False

        def handle_starttag(self, tag, attrs):
            if tag in hidden and tag != "head":
                self.skip += 1
            if tag == "title":
                self.in_title = True
            if tag in blocks:
                self.parts.append("\n")

        def handle_endtag(self, tag):
            if tag in hidden and tag != "head" and self.skip:
                self.skip -= 1
            if tag == "title":
                self.in_title = False
            if tag in blocks:
                self.parts.append("\n")

        def handle_data(self, data):
            if self.in_title:
                self.title.append(data)
            elif not self.skip:
                self.parts.append(data)

    p = Parser()
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).split("\n")]
    title = " ".join("".join(p.title).split()) or None
    return "\n".join(line for line in lines if line), title


def markdown_to_text(md: str) -> str:
    """Blank out Markdown markup with spaces, so offsets still point into the file.

    >>> markdown_to_text("# Acme buys [Foo](http://x)")
    '  Acme buys  Foo           '
    """
    import re

    def blank(m):
        return " " * len(m.group(0))

    md = re.sub(r"\]\([^)\n]*\)", blank, md)
    md = re.sub(r"!?\[", blank, md)
    md = re.sub(r"(?m)^\s{0,3}(?:#{1,6}|>|[-*+]|\d+\.)\s", blank, md)
    md = re.sub(r"(\*\*|__|`)", blank, md)
    return md


def documents(path: Path, options: dict | None = None):
    """The documents in a file or directory, as (doc id, text, title, source path, sha256).

    Args:
        path: a ``.txt``, ``.md``, ``.html`` or ``.jsonl`` file, a directory of
            them, or ``-`` for standard input (text, or JSONL with ``options["jsonl"]``).
        options: ``jsonl`` (read as JSONL), ``encoding``, ``max_bytes``.

    Yields:
        Tuples; the text of HTML is its visible text, of Markdown the file with
        markup blanked out.

    Raises:
        ExtractionError: an empty, binary, non-UTF-8, oversized or malformed
            file; the message names the file and the reason.
    """
    import sys

    options = options or {}
    limit = int(options.get("max_bytes") or MAX_FILE_BYTES)
    if str(path) == "-":
        data = sys.stdin.buffer.read(MAX_JSONL_BYTES + 1)
        yield from _documents_from_bytes(data, "<stdin>", "stdin", bool(options.get("jsonl")), options, limit)
        return
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        if not files:
            raise ExtractionError(f"{path}: no .txt, .md, .html or .jsonl files in this directory")
        for f in files:
            yield from documents(f, options)
        return
    if not path.is_file():
        raise ExtractionError(f"{path}: no such file")
    jsonl = options.get("jsonl") or path.suffix.lower() == ".jsonl"
    size = path.stat().st_size
    cap = MAX_JSONL_BYTES if jsonl else limit
    if size > cap:
        raise ExtractionError(
            f"{path}: the file is {size / 1e6:.1f} MB, over the {cap / 1e6:.0f} MB limit for one news text; "
            "split it, or give one article per line as JSONL"
        )
    yield from _documents_from_bytes(path.read_bytes(), str(path), path.stem, jsonl, options, limit,
                                     suffix=path.suffix.lower())


def _documents_from_bytes(data, name, stem, jsonl, options, limit, suffix=".txt"):
    text = _decode(data, name, options.get("encoding"))
    if jsonl:
        yield from _jsonl_documents(text, name)
        return
    if len(data) > limit:
        raise ExtractionError(f"{name}: the text is {len(data) / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit")
    sha = hashlib.sha256(data).hexdigest()
    title = None
    if suffix in (".html", ".htm") or (suffix == ".txt" and text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))):
        text, title = html_to_text(text)
        if not text.strip():
            raise ExtractionError(f"{name}: the HTML page has no visible text")
    elif suffix in (".md", ".markdown"):
        text = markdown_to_text(text)
    yield stem, text, title, name, sha


def _jsonl_documents(text: str, name: str):
    seen = set()
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExtractionError(f"{name}:{n}: not valid JSON ({exc.msg}); each line must be "
                                  '{"id": ..., "text": ...}') from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise ExtractionError(f'{name}:{n}: each line must be an object with a "text" string')
        doc = str(obj.get("id", n))
        if doc in seen:
            raise ExtractionError(f"{name}:{n}: duplicate id {doc!r}")
        seen.add(doc)
        body = obj["text"]
        if len(body) > MAX_DOC_CHARS:
            raise ExtractionError(f"{name}:{n}: the article is over {MAX_DOC_CHARS} characters")
        if obj.get("title") and isinstance(obj["title"], str):
            title = obj["title"]
        else:
            title = None
        yield doc, body, title, f"{name}#{doc}", hashlib.sha256(body.encode("utf-8")).hexdigest()


def extract_file(path, *, jsonl: bool = False, gazetteer=None, min_confidence: float = 0.0,
                 observations: bool = False) -> list[dict]:
    """Extract the facts of every document in a file, a directory or ``-`` (stdin).

    Args:
        path: what to read (see :func:`documents`).
        jsonl: read the input as JSON Lines of ``{"id", "text"}``.
        gazetteer: known entities for resolution, or None.
        min_confidence: drop facts below this confidence.
        observations: include figures as ``observation`` facts.

    Returns:
        Fact dicts, without internal keys, document by document.

    Raises:
        ExtractionError: the input cannot be read; names it and says why.
    """
    out = []
    for doc, text, _title, _src, _sha in documents(Path(path) if str(path) != "-" else "-", {"jsonl": jsonl}):
        out.extend(public(f) for f in extract(text, doc, gazetteer=gazetteer, min_confidence=min_confidence,
                                              observations=observations))
    return out


# ---------------------------------------------------------------------------
# Triples
# ---------------------------------------------------------------------------

_DEAL = {
    "investedIn": ("Investment", "investor", "investee"),
    "acquired": ("Acquisition", "acquirer", "target"),
    "partnerOf": ("Partnership", "partner", "partner"),
    "metWith": ("Meeting", "participant", "participant"),
    "seeksPartner": ("PartnerSearch", "seeker", "candidate"),
    "ceoOf": ("Position", "holder", "organization"),
    "founderOf": ("Position", "holder", "organization"),
}
_CLASS = {"person": "Person", "company": "Company", "organization": "Organization"}


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
        resolves, new ones otherwise, ``kg:possibleSameAs`` for uncertain
        matches), deal nodes, amounts, observations and evidence.

    Raises:
        ExtractionError: a file cannot be read; nothing is returned.
    """
    from kg.ingest import Batch
    from kg.ontology import source_graph
    from kg.resolve import gazetteer_from_store

    options = dict(options or {})
    gaz = gazetteer_from_store(store)
    min_conf = float(options.get("min_confidence") or 0.0)
    batches = []
    ids: dict[str, str] = {}
    for doc, text, title, src, sha in documents(Path(path), options):
        graph = source_graph(doc)
        if graph in ids:
            raise ExtractionError(f"{src}: document id {doc!r} is also used by {ids[graph]}; rename one")
        ids[graph] = src
        facts = extract(text, doc, gazetteer=gaz, observations=True, min_confidence=min_conf)
        triples = document_triples(doc, facts, gaz, source_path=_display_path(src), sha256=sha,
                                   title=title or _first_line(text))
        batches.append(Batch(graph=graph, triples=triples, source=src, facts=[public(f) for f in facts]))
    return batches


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


def document_triples(doc: str, facts: list[dict], gazetteer=None, *, source_path: str | None = None,
                     sha256: str | None = None, title: str | None = None) -> list:
    """The triples of one document's facts, with deterministic IRIs.

    Args:
        doc: the document id.
        facts: from :func:`extract` (with ``observations=True`` for figures).
        gazetteer: the gazetteer the facts were resolved with (for labels).
        source_path, sha256, title: recorded on the kg:Source node.

    Returns:
        A list of ``pyoxigraph.Triple``.
    """
    import pyoxigraph as ox

    from kg.ontology import DCTERMS, KG, RDF, RDFS, SKOS, XSD, entity_iri, source_iri
    from kg.resolve import fold

    N, L = ox.NamedNode, ox.Literal
    a = N(RDF + "type")
    triples: list = []
    add = triples.append
    src = N(source_iri(doc))
    add(ox.Triple(src, a, N(KG + "Source")))
    if source_path:
        add(ox.Triple(src, N(KG + "path"), L(source_path)))
    if sha256:
        add(ox.Triple(src, N(KG + "sha256"), L(sha256)))
    if title:
        add(ox.Triple(src, N(DCTERMS + "title"), L(title)))
    entities: dict[str, tuple] = {}  # iri → (class, label, aliases)

    def entity(fact: dict, end: str) -> ox.NamedNode:
        name = fact.get(f"{end}_name") or fact[end]
        kind = fact[f"{end}_type"]
        match = fact.get(f"{end}_match")
        if match and match["status"] in ("exact", "fuzzy"):
            iri = match["iri"]
            cls = _CLASS.get(kind, "Company")
            known = next((e for e in gazetteer.entities if e.iri == iri), None) if gazetteer else None
            if known is not None:
                cls = _CLASS.get(known.kind, cls)
            entities.setdefault(iri, (cls, match["label"], set()))
        else:
            cls = _CLASS.get(kind, "Company")
            iri = entity_iri(cls.lower(), name)
            entities.setdefault(iri, (cls, name, set()))
            if match and match["status"] == "candidate":
                add(ox.Triple(N(iri), N(KG + "possibleSameAs"), N(match["iri"])))
        # other spellings seen ("Lee Jun" for Lei Jun) become aliases; equal ones are dropped below
        entities[iri][2].add(fact[end])
        if fold(name) != fold(entities[iri][1]):
            entities[iri][2].add(name)
        return N(iri)

    def evidence(node_key: str, fact: dict) -> list:
        nodes = []
        for ev in fact.get("evidence") or [fact]:
            e = N(entity_iri("evidence", f"{node_key}-{ev['start']}-{ev['rule']}"))
            add(ox.Triple(e, a, N(KG + "Evidence")))
            add(ox.Triple(e, N(KG + "source"), src))
            add(ox.Triple(e, N(KG + "quote"), L(ev["quote"])))
            add(ox.Triple(e, N(KG + "start"), L(str(ev["start"]), datatype=N(XSD + "integer"))))
            add(ox.Triple(e, N(KG + "end"), L(str(ev["end"]), datatype=N(XSD + "integer"))))
            add(ox.Triple(e, N(KG + "confidence"), L(f"{ev['confidence']:.2f}", datatype=N(XSD + "decimal"))))
            add(ox.Triple(e, N(KG + "rule"), L(ev["rule"])))
            nodes.append(e)
        return nodes

    def date_literal(value: str, dtype: str):
        return L(value, datatype=N(KG + "quarter" if dtype == "quarter" else XSD + dtype))

    for f in facts:
        rel = f["relation"]
        status = N(KG + f["status"].capitalize())
        if rel == "observation":
            key = f"{doc}-{f['start']}-{f['rule']}-{f['subject']}-{f['metric']}-{f.get('period')}"
            node = N(entity_iri("observation", key))
            add(ox.Triple(node, a, N(KG + "Observation")))
            if f["subject_type"] == "market":
                subj = N(entity_iri("concept", f["subject"].replace("worldwide ", "")))
                add(ox.Triple(subj, a, N(KG + "Concept")))
                add(ox.Triple(subj, N(SKOS + "inScheme"), N(KG + "KindScheme")))
                add(ox.Triple(subj, N(RDFS + "label"), L(f["subject"])))
            else:
                subj = entity(f, "subject")
            add(ox.Triple(node, N(RDFS + "label"), L(f"{f['subject']}: {f['metric']}" +
                                                       (f", {f['period']}" if f.get("period") else ""))))
            add(ox.Triple(node, N(KG + "subject"), subj))
            add(ox.Triple(node, N(KG + "metric"), L(f["metric"])))
            add(ox.Triple(node, N(KG + "value"), L(str(f["value"]), datatype=N(XSD + "decimal"))))
            if f.get("unit"):
                add(ox.Triple(node, N(KG + "unit"), L(f["unit"])))
            if f.get("approximate"):
                add(ox.Triple(node, N(KG + "approximate"), L("true", datatype=N(XSD + "boolean"))))
            if f.get("period"):
                add(ox.Triple(node, N(KG + "period"), date_literal(f["period"], f["date_type"])))
            if f.get("reported_by"):
                rb = {"subject": f["reported_by"], "subject_name": f.get("reported_by_name"),
                      "subject_type": "organization", "subject_match": None}
                if gazetteer is not None:
                    m = gazetteer.match(f.get("reported_by_name") or f["reported_by"], "org")
                    if m.entity is not None:
                        rb["subject_match"] = {"iri": m.entity.iri, "label": m.entity.label, "score": m.score,
                                               "status": m.status}
                add(ox.Triple(node, N(KG + "reportedBy"), entity(rb, "subject")))
            add(ox.Triple(node, N(KG + "status"), status))
            for e in evidence(key, f):
                add(ox.Triple(node, N(KG + "evidence"), e))
            continue
        cls, srole, orole = _DEAL[rel]
        key = f"{doc}-{f['start']}-{rel}-{f.get('subject_name') or f['subject']}-{f.get('object_name') or f['object']}"
        deal = N(entity_iri("deal", key))
        add(ox.Triple(deal, a, N(KG + cls)))
        add(ox.Triple(deal, N(RDFS + "label"), L(f"{f['subject']} {rel} {f['object'] or 'a partner'}")))
        s = entity(f, "subject")
        add(ox.Triple(deal, N(KG + srole), s))
        if f["object"] is None:
            pass  # a partner search that names neither a candidate nor a kind
        elif f["object_type"] == "kind":
            concept = N(entity_iri("concept", f["kind"]))
            add(ox.Triple(concept, a, N(KG + "Concept")))
            add(ox.Triple(concept, N(SKOS + "inScheme"), N(KG + "KindScheme")))
            add(ox.Triple(concept, N(RDFS + "label"), L(f["kind"])))
            add(ox.Triple(deal, N(KG + "soughtPartnerKind"), concept))
        else:
            add(ox.Triple(deal, N(KG + orole), entity(f, "object")))
        if rel in ("ceoOf", "founderOf"):
            add(ox.Triple(deal, N(KG + "role"), N(KG + ("CEO" if rel == "ceoOf" else "Founder"))))
        add(ox.Triple(deal, N(KG + "status"), status))
        if f.get("date"):
            add(ox.Triple(deal, N(KG + "date"), date_literal(f["date"], f["date_type"])))
        if f.get("amount"):
            amt = N(entity_iri("amount", key))
            add(ox.Triple(deal, N(KG + "amount"), amt))
            add(ox.Triple(amt, a, N(KG + "MonetaryAmount")))
            add(ox.Triple(amt, N(KG + "value"), L(str(f["amount"]["value"]), datatype=N(XSD + "decimal"))))
            add(ox.Triple(amt, N(KG + "currency"), L(f["amount"]["currency"])))
            add(ox.Triple(amt, N(KG + "approximate"),
                          L("true" if f["amount"]["approximate"] else "false", datatype=N(XSD + "boolean"))))
        for e in evidence(key, f):
            add(ox.Triple(deal, N(KG + "evidence"), e))
    for iri, (cls, label, aliases) in entities.items():
        node = N(iri)
        add(ox.Triple(node, a, N(KG + cls)))
        add(ox.Triple(node, N(RDFS + "label"), L(label)))
        for alias in sorted(aliases):
            if fold(alias) != fold(label):
                add(ox.Triple(node, N(SKOS + "altLabel"), L(alias)))
    return list(dict.fromkeys(triples))


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
