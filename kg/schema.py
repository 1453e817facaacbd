"""kg's schema in one place: namespaces, IRI minting, and the schema data of ``schema.toml``.

Two halves:

* **IRIs.** The namespaces and prefixes (:data:`PREFIXES`), :func:`mint` and
  its inverse :func:`parse_iri` for every kind of node (entities, deals,
  sources and their graphs, evidence, amounts, observations), and
  :func:`compact`/:func:`expand` between full IRIs and the short names kg
  prints. Every short name is a valid SPARQL prefixed name, so it can be
  pasted back into a query. These are plain constants and functions.
* **The schema.** :func:`load` reads ``kg/schema.toml`` (entity classes with
  their rank, deal classes with their roles, statuses with their weights,
  the derived relations) the first time it is called, checks every term
  against ``ontology/kg.ttl`` and caches the result. A term the ontology does
  not declare raises :class:`kg.errors.SchemaError` naming it.

>>> mint("company", "Xpeng Motors")
'https://kg.example.org/id/company/xpeng-motors'
>>> parse_iri("https://kg.example.org/id/company/xpeng-motors")
('company', 'xpeng-motors')
>>> compact(ID + "company/xiaomi"), compact(GRAPH + "source/background")
('company:xiaomi', 'sourcegraph:background')
>>> [r.name for r in load().relations][:3]
['investedIn', 'acquired', 'partnerOf']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from kg.errors import SchemaError

BASE = "https://kg.example.org/"
KG = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
DCTERMS = "http://purl.org/dc/terms/"

#: Every kind of node kg mints IRIs for, with its namespace. The kind is also
#: the prefix of its short names (``company:xiaomi``), so a printed name is a
#: SPARQL prefixed name. ``graph`` holds the graphs that are not sources
#: (``graph:derived``); ``sourcegraph`` the named graph of each source.
IRI_KINDS: dict[str, str] = {
    "person": ID + "person/",
    "company": ID + "company/",
    "organization": ID + "organization/",
    "project": ID + "project/",
    "concept": ID + "concept/",
    "deal": ID + "deal/",
    "source": ID + "source/",
    "evidence": ID + "evidence/",
    "amount": ID + "amount/",
    "observation": ID + "observation/",
    "sourcegraph": GRAPH + "source/",
    "graph": GRAPH,
}

#: Prefixes known to every query and used to shorten IRIs in table output.
PREFIXES: dict[str, str] = {
    "kg": KG,
    "id": ID,
    **IRI_KINDS,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "sh": SH,
    "prov": PROV,
    "schema": SCHEMA,
    "foaf": FOAF,
    "org": ORG,
    "dcterms": DCTERMS,
}

#: Named graphs that are not sources.
ONTOLOGY_GRAPH = GRAPH + "ontology"
DERIVED_GRAPH = GRAPH + "derived"
BACKGROUND_GRAPH = IRI_KINDS["sourcegraph"] + "background"
#: Same-as / not-same judgements (kg review); no ingest ever writes here.
JUDGEMENTS_GRAPH = GRAPH + "judgements"
#: What loaded each source graph (its identity and hash) and the store's version.
META_GRAPH = GRAPH + "meta"
#: Totals the aggregate named queries read, kept by every ingest (:mod:`kg.totals`).
TOTALS_GRAPH = GRAPH + "totals"

_SCHEMA_FILE = Path(__file__).resolve().parent / "schema.toml"


# ---------------------------------------------------------------------------
# IRIs
# ---------------------------------------------------------------------------

def slugify(text: str) -> str:
    """Turn a name into the readable slug used in IRIs.

    Args:
        text: any name, in any script.

    Returns:
        Lower-case words joined by ``-``; accents are dropped, other scripts are kept.

    >>> slugify("Lei Jun")
    'lei-jun'
    >>> slugify("Société Générale S.A.")
    'societe-generale-s-a'
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^\w]+|_", "-", folded.casefold()).strip("-")
    return slug or "unnamed"


def mint(kind: str, *keys: str) -> str:
    """The IRI of a node of one kind: ``<namespace of kind><slug>/<slug>…``.

    Args:
        kind: a kind of :data:`IRI_KINDS` (``company``, ``deal``, ``evidence`` …);
            any other word mints under ``id/<kind>/``.
        keys: one or more names or keys, each slugified (:func:`slugify`).

    Returns:
        The IRI.

    Raises:
        SchemaError: no key given.

    >>> mint("evidence", "xiaomi-electric-car", "Apple car")
    'https://kg.example.org/id/evidence/xiaomi-electric-car/apple-car'
    >>> mint("sourcegraph", "background")
    'https://kg.example.org/graph/source/background'
    """
    if not keys:
        raise SchemaError(f"mint({kind!r}) needs at least one key")
    ns = IRI_KINDS.get(kind) or f"{ID}{slugify(kind)}/"
    return ns + "/".join(slugify(k) for k in keys)


def parse_iri(iri: str) -> tuple[str, str] | None:
    """The inverse of :func:`mint`: ``(kind, key)`` of a kg IRI, None for others.

    The key is the rest of the IRI after the kind's namespace (it may hold
    ``/`` when several keys were minted).

    >>> parse_iri("https://kg.example.org/graph/source/background")
    ('sourcegraph', 'background')
    >>> parse_iri("https://kg.example.org/id/fund/x"), parse_iri("urn:x") is None
    (('fund', 'x'), True)
    """
    best = ""
    for kind, ns in IRI_KINDS.items():
        if iri.startswith(ns) and len(ns) > len(IRI_KINDS.get(best, "")):
            best = kind
    if best:
        return best, iri[len(IRI_KINDS[best]):]
    if iri.startswith(ID) and "/" in iri[len(ID):]:
        kind, _, key = iri[len(ID):].partition("/")
        return kind, key
    return None


def entity_iri(kind: str, name: str) -> str:
    """The stable IRI of an entity: ``mint(kind, name)``.

    >>> entity_iri("person", "Lei Jun")
    'https://kg.example.org/id/person/lei-jun'
    """
    return mint(kind, name)


def deal_iri(*keys: str) -> str:
    """The IRI of a deal node, from its key(s).

    >>> deal_iri("xiaomi-invests-in-xpeng-2019")
    'https://kg.example.org/id/deal/xiaomi-invests-in-xpeng-2019'
    """
    return mint("deal", *keys)


def amount_iri(deal: str, source: str) -> str:
    """The IRI of the amount one source gives for a deal: ``id/amount/<source>/<deal key>``.

    Like evidence, an amount is one source's word, so two sources that give
    different sums for the same deal keep two nodes.

    Args:
        deal: the deal's IRI (from :func:`deal_iri`).
        source: the source's name.

    >>> amount_iri(deal_iri("investment", "Xiaomi in Xpeng 2019"), "deals")
    'https://kg.example.org/id/amount/deals/investment/xiaomi-in-xpeng-2019'
    """
    parsed = parse_iri(deal)
    key = parsed[1] if parsed and parsed[0] == "deal" else slugify(deal)
    return f"{IRI_KINDS['amount']}{slugify(source)}/{key}"


def evidence_iri(source: str, key: str) -> str:
    """The IRI of one piece of evidence: ``id/evidence/<source>/<key>``, one source's word like an amount.

    Args:
        source: the source's name (the stem of its file, or its id).
        key: what the evidence is within the source (a line, an offset and rule …).

    >>> evidence_iri("deals", "42")
    'https://kg.example.org/id/evidence/deals/42'
    """
    return mint("evidence", source, key)


def source_graph(name: str) -> str:
    """The named graph that holds the statements from one source.

    >>> source_graph("xiaomi-electric-car")
    'https://kg.example.org/graph/source/xiaomi-electric-car'
    """
    return mint("sourcegraph", name)


def source_iri(name: str) -> str:
    """The IRI of the source document itself (a ``kg:Source``).

    >>> source_iri("background")
    'https://kg.example.org/id/source/background'
    """
    return mint("source", name)


def term_label(iri: str) -> str:
    """The local name of a kg term, for display.

    >>> term_label(KG + "investedIn")
    'investedIn'
    """
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


# SPARQL 1.1 grammar, PN_CHARS_BASE … PN_LOCAL (productions 164-172).
_BASE_CHARS = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
               "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_U = _BASE_CHARS + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_ESCAPABLE = "_~.-!$&'()*+,;=/?#@%"
_PLX = r"%[0-9A-Fa-f]{2}|\\[" + re.escape(_ESCAPABLE) + "]"


def _pn_local_pattern(u: str, chars: str) -> str:
    return f"(?:[{u}:0-9]|{_PLX})(?:(?:[{chars}.:]|{_PLX})*(?:[{chars}:]|{_PLX}))?"


# The same production over ASCII only: kg's own names are ASCII, and this one
# compiles in well under a millisecond where the full one takes about 14 ms.
_PN_LOCAL_ASCII = re.compile(_pn_local_pattern("A-Za-z_", r"A-Za-z_\-0-9"))


@lru_cache(maxsize=1)
def _pn_local() -> re.Pattern:
    """The full PN_LOCAL pattern, compiled the first time a non-ASCII name is shortened."""
    return re.compile(_pn_local_pattern(_U, _CHARS))


def _is_pn_local(text: str) -> bool:
    """True when ``text`` is a PN_LOCAL as it stands.

    >>> _is_pn_local("xiaomi"), _is_pn_local("小米"), _is_pn_local("a/b"), _is_pn_local("société")
    (True, True, False, True)
    """
    pattern = _PN_LOCAL_ASCII if text.isascii() else _pn_local()
    return pattern.fullmatch(text) is not None


# Reserved characters that a local name can hold only escaped ("-" and "." only at the ends).
_MUST_ESCAPE = re.compile(r"[~!$&'()*+,;=/?#@]|%(?![0-9A-Fa-f]{2})")
_ESCAPED = re.compile(r"\\([" + re.escape(_ESCAPABLE) + "])")


def _local_name(local: str) -> str | None:
    """``local`` written as a SPARQL PN_LOCAL (reserved characters escaped), or None if it cannot be."""
    if local == "" or _is_pn_local(local):
        return local
    out = _MUST_ESCAPE.sub(r"\\\g<0>", local)
    if out[0] in "-.":
        out = "\\" + out
    if out.endswith(".") and not out.endswith("\\."):
        out = out[:-1] + "\\."
    return out if _is_pn_local(out) else None


def compact(iri: str) -> str:
    """Shorten an IRI to a prefixed name that SPARQL accepts, for tables.

    The longest matching namespace of :data:`PREFIXES` wins; characters that
    SPARQL reserves are escaped (``/`` as ``\\/``). An IRI that no prefix
    fits, or whose rest cannot be a local name, is written ``<iri>``.

    >>> compact(ID + "company/xiaomi")
    'company:xiaomi'
    >>> compact(ID + "evidence/background/elon-musk")
    'evidence:background\\\\/elon-musk'
    >>> compact("urn:x")
    '<urn:x>'
    """
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        local = _local_name(iri[len(PREFIXES[best]):])
        if local is not None:
            return f"{best}:{local}"
    return f"<{iri}>"


def expand(name: str) -> str:
    """Expand ``prefix:local`` (escapes allowed) or ``<iri>`` to a full IRI; full IRIs stay.

    A bare word is taken as a kg term.

    >>> expand("kg:Company")
    'https://kg.example.org/ontology#Company'
    >>> expand("evidence:background\\\\/x"), expand("id:company/xiaomi")
    ('https://kg.example.org/id/evidence/background/x', 'https://kg.example.org/id/company/xiaomi')
    """
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    if "://" in name:
        return name
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + _ESCAPED.sub(r"\1", local)
    return KG + name


def is_short_name(text: str) -> bool:
    """True when ``text`` is ``<iri>``, a full IRI, or ``prefix:local`` with a prefix of :data:`PREFIXES`.

    >>> is_short_name("company:xiaomi"), is_short_name("Xiaomi"), is_short_name("Re: Xiaomi")
    (True, False, False)
    """
    if "://" in text or text.startswith("<") and text.endswith(">"):
        return True
    prefix, sep, local = text.partition(":")
    return bool(sep) and prefix in PREFIXES and bool(local) and " " not in local


# ---------------------------------------------------------------------------
# The schema data
# ---------------------------------------------------------------------------

# The terms are named tuples, not dataclasses: six frozen dataclasses cost every command ~9 ms of
# start-up to generate their methods; these cost ~1 ms and are as immutable.

def _term_iri(term) -> str:
    return KG + term.name


#: The ``iri`` of every term: the kg namespace and the term's local name.
_IRI = property(_term_iri, doc="The full IRI of the term.")


class EntityClass(NamedTuple):
    """A class of the entity view. ``rank``: 0 is shown first; ``kind``: its IRI segment;
    ``supers``: the local names of its kg superclasses in the ontology (``Agent`` …)."""

    name: str
    kind: str
    rank: int
    supers: frozenset[str] = frozenset()

    iri = _IRI


class Role(NamedTuple):
    """A role property of a deal class; ``agent``: it names an agent (gives ``kg:involvedIn``)."""

    name: str
    range: str
    agent: bool

    iri = _IRI


class DealClass(NamedTuple):
    """A deal class and its role properties."""

    name: str
    roles: tuple[Role, ...]

    iri = _IRI


class Status(NamedTuple):
    """A status of ``kg:StatusScheme``.

    Attributes:
        name: the concept's local name (``Rumored``); :attr:`key` is the lower-case name users type.
        weight: how much a hop with this status counts in a path's evidence score.
        uncertain: not (yet) a fact; drawn dashed.
        derives: false when the status takes a deal's derived edges away (``Declined``).
        conflicts: false when a source giving this status does not contradict
            another source's (``Reported`` says only that someone reported it).
    """

    name: str
    weight: float
    uncertain: bool = False
    derives: bool = True
    conflicts: bool = True

    iri = _IRI

    @property
    def key(self) -> str:
        return self.name.lower()


class Relation(NamedTuple):
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

    iri = _IRI


@dataclass(frozen=True)
class Schema:
    """The loaded, checked schema. Get it with :func:`load`."""

    entity_classes: tuple[EntityClass, ...]
    deal_classes: tuple[DealClass, ...]
    statuses: tuple[Status, ...]
    relations: tuple[Relation, ...]
    unstated_weight: float
    unknown_weight: float
    #: Source kinds (``rdf``, ``table``, ``text``), most trusted first: whose value a view shows first.
    source_ranks: tuple[str, ...] = ("rdf", "table", "text")

    def source_rank(self, kind: str | None) -> int:
        """The rank of a source kind (0 is the most trusted); unknown kinds come last."""
        return self.source_ranks.index(kind) if kind in self.source_ranks else len(self.source_ranks)

    @cached_property
    def entity_class_names(self) -> tuple[str, ...]:
        """Entity class local names in rank order."""
        return tuple(c.name for c in self.entity_classes)

    @cached_property
    def deal_class_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.deal_classes)

    def rank(self, class_name: str) -> int:
        """The rank of an entity class (0 first); other names rank after every entity class."""
        for c in self.entity_classes:
            if c.name == class_name:
                return c.rank
        return len(self.entity_classes) + 50

    def subtypes(self, class_name: str) -> frozenset[str]:
        """The entity classes a type filter naming ``class_name`` keeps: it and its subclasses.

        ``Agent`` keeps people, organizations and companies; ``Organization`` also companies.
        """
        return frozenset(c.name for c in self.entity_classes if class_name == c.name or class_name in c.supers)

    def best_class(self, class_names) -> str | None:
        """The entity class a node with these classes is shown as, or None."""
        ranked = [c for c in class_names if self.rank(c) < len(self.entity_classes)]
        return min(ranked, key=self.rank) if ranked else None

    @cached_property
    def relation_names(self) -> tuple[str, ...]:
        """Local names of every derived relation, in a stable order."""
        return tuple(dict.fromkeys(r.name for r in self.relations))

    @cached_property
    def symmetric_relations(self) -> frozenset[str]:
        return frozenset(r.name for r in self.relations if r.symmetric)

    @cached_property
    def role_names(self) -> tuple[str, ...]:
        """Every role property of every deal class, in schema order."""
        return tuple(dict.fromkeys(r.name for d in self.deal_classes for r in d.roles))

    @cached_property
    def agent_roles(self) -> tuple[str, ...]:
        """The role properties that name an agent: each gives ``kg:involvedIn``."""
        return tuple(dict.fromkeys(r.name for d in self.deal_classes for r in d.roles if r.agent))

    @cached_property
    def status_names(self) -> tuple[str, ...]:
        """Lower-case status names, as users type them."""
        return tuple(s.key for s in self.statuses)

    @cached_property
    def status_weights(self) -> dict[str | None, float]:
        """Path-score weight by lower-case status; ``None`` for a deal that states none."""
        return {**{s.key: s.weight for s in self.statuses}, None: self.unstated_weight}

    @cached_property
    def uncertain_statuses(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.statuses if s.uncertain)

    @cached_property
    def blocking_statuses(self) -> tuple[str, ...]:
        """Local names of the statuses that give a deal no derived edge."""
        return tuple(s.name for s in self.statuses if not s.derives)

    def status(self, name: str) -> Status:
        """The status with this name, any case.

        Raises:
            SchemaError: no such status; lists the known ones.
        """
        for s in self.statuses:
            if s.key == name.strip().lower():
                return s
        raise SchemaError(f"unknown status {name!r}; use one of: {', '.join(self.status_names)}")


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Schema:
    """Read ``kg/schema.toml`` (or ``path``), check it against ``ontology/kg.ttl``, and cache it.

    The shipped schema, once checked, is also kept in the user's cache folder
    (``$XDG_CACHE_HOME/kg/schema.json``) with the size and modification time of
    the schema, the ontology and this module; a later process whose files still
    match reads it instead of parsing TOML and Turtle again, which halves the
    start-up cost of the commands that need the schema.

    Args:
        path: another schema file, for tests; default the shipped one (never cached on disk).

    Returns:
        The :class:`Schema`.

    Raises:
        SchemaError: the file is missing or not TOML, a key is missing, or a
            term is not declared in the ontology as the schema uses it; the
            message names the file and the term.

    >>> load().status("Rumored").uncertain
    True
    """
    if path:
        return _load_checked(Path(path))
    stamp = _stamp()
    schema = _read_cache(stamp)
    if schema is None:
        schema = _load_checked(_SCHEMA_FILE)
        _write_cache(stamp, schema)
    return schema


def _load_checked(file: Path) -> Schema:
    import tomllib

    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"{file}: cannot read the schema: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"{file}: not valid TOML: {exc}") from None
    try:
        return _build(data, _Ontology())
    except SchemaError as exc:
        raise SchemaError(f"{file}: {exc}") from None


# -- the checked schema, cached on disk --------------------------------------

def _cache_file() -> Path | None:
    import os

    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except RuntimeError:  # no home folder: no cache
        return None
    return Path(base) / "kg" / "schema.json"


def _stamp() -> list | None:
    """Path, size and mtime of every file the checked schema depends on; None if one is missing."""
    from kg.ontology import ONTOLOGY_DIR

    try:
        files = (_SCHEMA_FILE, ONTOLOGY_DIR / "kg.ttl", Path(__file__))
        return [[str(f), f.stat().st_size, f.stat().st_mtime_ns] for f in files]
    except OSError:
        return None


def _read_cache(stamp: list | None) -> Schema | None:
    """The cached schema if it was written for exactly these files, else None (any damage: None)."""
    import json

    file = _cache_file()
    if stamp is None or file is None:
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return _decode(data["schema"]) if data.get("stamp") == stamp else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_cache(stamp: list | None, schema: Schema) -> None:
    """Keep the checked schema for the next process; a folder that cannot be written just means no cache."""
    import json
    import os

    file = _cache_file()
    if stamp is None or file is None:
        return
    tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"stamp": stamp, "schema": _encode(schema)}), encoding="utf-8")
        os.replace(tmp, file)  # whole or not at all, even with processes racing
    except OSError:
        tmp.unlink(missing_ok=True)


def _encode(schema: Schema) -> dict:
    """The schema as JSON-ready lists, field by field in declaration order."""
    return {
        "entity_classes": [[c.name, c.kind, c.rank, sorted(c.supers)] for c in schema.entity_classes],
        "deal_classes": [[d.name, [[r.name, r.range, r.agent] for r in d.roles]] for d in schema.deal_classes],
        "statuses": [[s.name, s.weight, s.uncertain, s.derives, s.conflicts] for s in schema.statuses],
        "relations": [[r.name, r.deal_class, r.subject_role, r.object_role, r.symmetric, r.role]
                      for r in schema.relations],
        "weights": [schema.unstated_weight, schema.unknown_weight],
        "source_ranks": list(schema.source_ranks),
    }


def _decode(data: dict) -> Schema:
    """The inverse of :func:`_encode`.

    >>> _decode(_encode(load())) == load()
    True
    """
    return Schema(
        tuple(EntityClass(n, k, r, frozenset(s)) for n, k, r, s in data["entity_classes"]),
        tuple(DealClass(n, tuple(Role(*r) for r in roles)) for n, roles in data["deal_classes"]),
        tuple(Status(*s) for s in data["statuses"]),
        tuple(Relation(*r) for r in data["relations"]),
        *data["weights"],
        tuple(data["source_ranks"]),
    )


class _Ontology:
    """What ``ontology/kg.ttl`` declares, for the checks of :func:`load`."""

    def __init__(self):
        from kg.ontology import ontology_quads

        self.types: dict[str, set[str]] = {}
        self.props: dict[tuple[str, str], set[str]] = {}
        for t in ontology_quads("kg.ttl"):
            s, p, o = t.subject.value, t.predicate.value, t.object.value
            if p == RDF + "type":
                self.types.setdefault(s, set()).add(o)
            else:
                self.props.setdefault((s, p), set()).add(o)

    def has_type(self, term: str, cls: str) -> bool:
        return cls in self.types.get(term, ())

    def values(self, term: str, prop: str) -> set[str]:
        return self.props.get((term, prop), set())

    def superclasses(self, cls: str) -> set[str]:
        seen, todo = set(), [cls]
        while todo:
            for s in self.values(todo.pop(), RDFS + "subClassOf"):
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return seen

    def require(self, local: str, cls: str, what: str) -> None:
        if not self.has_type(KG + local, cls):
            raise SchemaError(f"{what} kg:{local} is not declared as {compact(cls)} in ontology/kg.ttl")


_KEYS = {
    "schema": {"entity_classes", "deal_classes", "statuses", "relations", "sources"},
    "sources": {"rank"},
    "entity class": {"name", "kind"},
    "statuses": {"unstated_weight", "unknown_weight", "values"},
    "status": {"name", "weight", "uncertain", "derives", "conflicts"},
    "relation": {"name", "deal", "subject", "object", "symmetric", "role"},
}


def _get(table: dict, key: str, where: str):
    if not isinstance(table, dict):
        raise SchemaError(f"{where}: expected a table, got {table!r}")
    if key not in table:
        raise SchemaError(f"{where}: missing key {key!r}")
    return table[key]


def _known_keys(table: dict, kind: str, where: str) -> None:
    unknown = sorted(set(table) - _KEYS[kind])
    if unknown:
        raise SchemaError(f"{where}: unknown key(s) {', '.join(unknown)}; a {kind} takes {', '.join(sorted(_KEYS[kind]))}")


def _build(data: dict, onto: _Ontology) -> Schema:
    """Turn the parsed TOML into a :class:`Schema`, checking each term against the ontology."""
    _known_keys(data, "schema", "schema")
    classes = []
    for i, c in enumerate(_get(data, "entity_classes", "schema")):
        name = _get(c, "name", f"entity_classes[{i}]")
        _known_keys(c, "entity class", f"entity class {name}")
        onto.require(name, OWL + "Class", "entity class")
        supers = frozenset(term_label(x) for x in onto.superclasses(KG + name) if x.startswith(KG))
        classes.append(EntityClass(name, c.get("kind", name.lower()), i, supers))
    deals = [_deal_class(name, roles, onto) for name, roles in _get(data, "deal_classes", "schema").items()]
    statuses = _statuses(_get(data, "statuses", "schema"), onto)
    roles_of = {d.name: {r.name for r in d.roles} for d in deals}
    relations = []
    for i, r in enumerate(_get(data, "relations", "schema")):
        relations += _relations(r, f"relations[{i}]", roles_of, onto)
    table = data["statuses"]
    sources = data.get("sources", {})
    _known_keys(sources, "sources", "[sources]")
    ranks = tuple(sources.get("rank", ("rdf", "table", "text")))
    unknown = sorted(set(ranks) - {"rdf", "table", "text"})
    if unknown:
        raise SchemaError(f"[sources] rank names {unknown[0]!r}; source kinds are rdf, table and text")
    return Schema(tuple(classes), tuple(deals), statuses, tuple(relations),
                  float(table.get("unstated_weight", 1.0)), float(table.get("unknown_weight", 1.0)), ranks)


_AGENT_RANGES = {KG + "Agent", KG + "Person", KG + "Organization", KG + "Company"}


def _deal_class(name: str, roles: list, onto: _Ontology) -> DealClass:
    onto.require(name, OWL + "Class", "deal class")
    if KG + "Deal" not in onto.superclasses(KG + name):
        raise SchemaError(f"deal class kg:{name} is not a subclass of kg:Deal in ontology/kg.ttl")
    out = []
    for role in roles:
        onto.require(role, OWL + "ObjectProperty", f"role of kg:{name}:")
        domains = onto.values(KG + role, RDFS + "domain")
        if domains and not domains & ({KG + name} | onto.superclasses(KG + name)):
            raise SchemaError(f"role kg:{role} has rdfs:domain {', '.join(map(compact, sorted(domains)))} "
                              f"in ontology/kg.ttl, not kg:{name}")
        ranges = onto.values(KG + role, RDFS + "range")
        out.append(Role(role, term_label(min(ranges)) if ranges else "", bool(ranges & _AGENT_RANGES)))
    return DealClass(name, tuple(out))


def _statuses(table: dict, onto: _Ontology) -> tuple[Status, ...]:
    _known_keys(table, "statuses", "[statuses]")
    out = []
    for i, s in enumerate(_get(table, "values", "statuses")):
        name = _get(s, "name", f"statuses.values[{i}]")
        _known_keys(s, "status", f"status {name}")
        if KG + "StatusScheme" not in onto.values(KG + name, SKOS + "inScheme"):
            raise SchemaError(f"status kg:{name} is not a concept of kg:StatusScheme in ontology/kg.ttl")
        out.append(Status(name, float(_get(s, "weight", f"status {name}")), bool(s.get("uncertain", False)),
                          bool(s.get("derives", True)), bool(s.get("conflicts", True))))
    declared = {t for (t, p), o in onto.props.items() if p == SKOS + "inScheme" and KG + "StatusScheme" in o}
    missing = sorted(declared - {s.iri for s in out})
    if missing:
        raise SchemaError(f"status {compact(missing[0])} of ontology/kg.ttl is missing from the schema")
    return tuple(out)


def _relations(r: dict, where: str, roles_of: dict, onto: _Ontology) -> list[Relation]:
    name = _get(r, "name", where)
    _known_keys(r, "relation", f"relation {name}")
    deal, subject = _get(r, "deal", where), _get(r, "subject", where)
    objects = _get(r, "object", where)
    objects = [objects] if isinstance(objects, str) else list(objects)
    onto.require(name, OWL + "ObjectProperty", "relation")
    if deal not in roles_of:
        raise SchemaError(f"relation kg:{name}: deal class kg:{deal} is not in [deal_classes]")
    for role in (subject, *objects):
        if role not in roles_of[deal]:
            raise SchemaError(f"relation kg:{name}: kg:{role} is not a role of kg:{deal} in [deal_classes]")
    symmetric = bool(r.get("symmetric", False))
    if symmetric != onto.has_type(KG + name, OWL + "SymmetricProperty"):
        said = "symmetric" if symmetric else "not symmetric"
        raise SchemaError(f"relation kg:{name} is {said} in the schema but not in ontology/kg.ttl "
                          "(owl:SymmetricProperty)")
    concept = r.get("role")
    if concept is not None and not onto.has_type(KG + concept, KG + "Concept"):
        raise SchemaError(f"relation kg:{name}: role concept kg:{concept} is not a kg:Concept in ontology/kg.ttl")
    return [Relation(name, deal, subject, o, symmetric, concept) for o in objects]
