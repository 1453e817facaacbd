"""Entity resolution: fold names so that spellings of one entity meet.

* :func:`name_key` folds case and punctuation (the twin of ``kg:nameKey``);
* :func:`core_key` also strips corporate suffixes ("Xpeng Motors" = "Xpeng");
* :func:`canonical_spelling` applies the lexicon of declared spellings
  (``kg/ingest/lexicon.yaml``, empty as shipped: users declare aliases, nothing is guessed);
* :func:`sound_key` groups spellings that sound alike, for grouping inside one document;
* :class:`Gazetteer` matches names to the store's entities with a score:
  exact, accepted fuzzy (≥ :data:`ACCEPT`) or a candidate (≥ :data:`CANDIDATE`)
  to keep as ``kg:possibleSameAs``, never merged;
* :func:`antecedent` resolves "it" or "the company" to the last compatible mention.

>>> name_key("Xpeng  Motors, Inc.")
'xpeng motors inc'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """Fold a name for lookup: lower case, runs of punctuation and space to one space.

    This is the Python twin of the ``kg:nameKey`` values that :mod:`kg.rules`
    derives in SPARQL, so a key computed here finds the stored one.

    Args:
        name: a label, alias or user query.

    Returns:
        The folded key; empty for a name with no letters or digits.
    """
    return _NON_WORD.sub(" ", name.lower()).strip()


# ---------------------------------------------------------------------------
# Matching names to known entities
# ---------------------------------------------------------------------------

#: Words that end company names and say nothing about which company it is.
#: "Xpeng Motors" and "Xpeng", "Apple Inc." and "Apple" meet once they are gone.
CORPORATE_SUFFIXES = frozenset(
    """inc incorporated corp corporation co company cos ltd limited llc llp lp plc ag sa se nv bv
    gmbh kg kgaa spa srl sas ab asa oyj as pte pty bhd kk tbk group holding holdings motors motor
    technologies technology tech systems international intl enterprises industries the com""".split()
)

#: Score at or above which a name is taken to be the known entity.
ACCEPT = 0.9
#: Score at or above which a name is kept as a candidate (``kg:possibleSameAs``).
CANDIDATE = 0.78

_LEXICON_FILE = "lexicon.yaml"


@lru_cache(maxsize=65536)  # names repeat across a document and a corpus; folding is pure
def fold(name: str) -> str:
    """Fold a name harder than :func:`name_key`: accents dropped, ``&`` as ``and``.

    >>> fold("Société Générale & Co.")
    'societe generale and co'
    """
    import unicodedata

    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return name_key(text.replace("&", " and ").replace("’", "'").replace("'s ", " "))


@lru_cache(maxsize=65536)
def core_key(name: str) -> str:
    """The folded name without corporate suffixes, keeping at least one word.

    Args:
        name: a company, person or organization name.

    Returns:
        The key that spellings of one company share.

    >>> core_key("Xpeng Motors")
    'xpeng'
    >>> core_key("Apple Inc.")
    'apple'
    >>> core_key("The Coca-Cola Company")
    'coca cola'
    """
    words = fold(name).split()
    while words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    """How alike two names are, from 0 to 1, after folding and suffix stripping.

    Equal core keys score 0.95 (1.0 when the full keys are equal too); otherwise
    the score is the edit-based ratio of the core keys (difflib), so that a
    misspelling scores high and a different name low.

    >>> similarity("Xpeng Motors", "Xpeng")
    0.95
    >>> round(similarity("Volkswagon", "Volkswagen"), 2)
    0.9
    """
    from difflib import SequenceMatcher

    if fold(a) == fold(b):
        return 1.0
    ca, cb = core_key(a), core_key(b)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 0.95
    if ca.replace(" ", "") == cb.replace(" ", ""):
        return 0.93
    return SequenceMatcher(None, ca, cb, autojunk=False).ratio()


def _lexicon_path():
    from pathlib import Path

    return Path(__file__).resolve().parent / "ingest" / _LEXICON_FILE


_LEXICON_CACHE: dict = {}


def lexicon() -> dict:
    """The lexicon of declared spellings (``kg/ingest/lexicon.yaml``), loaded once.

    Returns:
        ``{"variants": {key: canonical}, "contextual": [{"key", "canonical", "when": [keys]}]}``
        (see :func:`parse_lexicon`).
    """
    if not _LEXICON_CACHE:
        import yaml

        _LEXICON_CACHE.update(parse_lexicon(yaml.safe_load(_lexicon_path().read_text(encoding="utf-8")) or {}))
    return _LEXICON_CACHE


def parse_lexicon(data: dict) -> dict:
    """A lexicon's YAML content with its keys folded.

    >>> parse_lexicon({"variants": {"Big Blue": "IBM"}})["variants"]
    {'big blue': 'IBM'}
    """
    return {
        "variants": {fold(k): v for k, v in (data.get("variants") or {}).items()},
        "contextual": [{"key": fold(c["name"]), "canonical": c["canonical"], "when": [fold(w) for w in c.get("when", [])]}
                       for c in data.get("contextual") or []],
    }


def canonical_spelling(name: str, context_keys=(), lex: dict | None = None) -> str | None:
    """The canonical spelling a lexicon declares for a name, if any.

    Args:
        name: a surface name.
        context_keys: folded names found in the same document, which enable
            the lexicon's contextual entries.
        lex: a parsed lexicon (default: :func:`lexicon`).

    Returns:
        The canonical name, or None when the lexicon does not know the name.

    >>> lex = parse_lexicon({"variants": {"Big Blue": "IBM"},
    ...                      "contextual": [{"name": "Ginni", "canonical": "Ginni Rometty", "when": ["IBM"]}]})
    >>> canonical_spelling("big  blue", lex=lex), canonical_spelling("Ginni", lex=lex), canonical_spelling("Ginni", {"ibm"}, lex)
    ('IBM', None, 'Ginni Rometty')
    """
    lex = lexicon() if lex is None else lex
    key = fold(name)
    if key in lex["variants"]:
        return lex["variants"][key]
    context = set(context_keys)
    for entry in lex["contextual"]:
        if entry["key"] == key and context.intersection(entry["when"]):
            return entry["canonical"]
    return None


def sound_key(word: str) -> str:
    """A Soundex code: words that sound alike get one code ("Lee" and "Lei", "John" and "Jun").

    >>> sound_key("Lee") == sound_key("Lei"), sound_key("John") == sound_key("Jun"), sound_key("Musk") == sound_key("Cook")
    (True, True, False)
    """
    codes = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"),
             "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}
    w = "".join(c for c in fold(word) if c.isalpha() and c.isascii())
    if not w:
        return ""
    out, last = w[0].upper(), codes.get(w[0], "")
    for c in w[1:]:
        code = codes.get(c, "")
        if code and code != last:
            out += code
        if c not in "hw":
            last = code
    return (out + "000")[:4]


@dataclass
class KnownEntity:
    """An entity already in the store, as the gazetteer knows it.

    Attributes:
        iri: its IRI.
        label: its rdfs:label.
        kind: ``company``, ``person`` or ``organization``.
        aliases: its skos:altLabel values.
    """

    iri: str
    label: str
    kind: str
    aliases: list = field(default_factory=list)

    def names(self) -> list[str]:
        return [self.label, *self.aliases]


@dataclass
class Match:
    """The outcome of resolving one name.

    Attributes:
        entity: the known entity matched, or None.
        score: similarity from 0 to 1 (1.0 for an exact label or alias).
        status: ``exact``, ``fuzzy`` (accepted), ``candidate`` (kept as
            kg:possibleSameAs, not merged) or ``new``.
        via: how it matched: ``label``, ``alias``, ``lexicon``, ``suffix``, ``fuzzy``.
    """

    entity: KnownEntity | None
    score: float
    status: str
    via: str = ""


class Gazetteer:
    """Known entity names, indexed for exact, suffix-free and fuzzy lookup.

    Args:
        entities: :class:`KnownEntity` objects, e.g. from :func:`gazetteer_from_store`.

    >>> g = Gazetteer([KnownEntity("urn:x", "Xpeng Motors", "company", ["XPeng"])])
    >>> m = g.match("XPENG Ltd")
    >>> m.entity.label, m.score, m.status
    ('Xpeng Motors', 0.95, 'exact')
    >>> g.match("Xpang Motors").status
    'candidate'
    """

    def __init__(self, entities=()):
        self.entities: list[KnownEntity] = list(entities)
        self.by_key: dict[str, list[KnownEntity]] = {}
        self.by_core: dict[str, list[KnownEntity]] = {}
        self.by_initial: dict[str, set[str]] = {}
        for e in self.entities:
            for n in e.names():
                self._add(self.by_key, fold(n), e)
                core = core_key(n)
                self._add(self.by_core, core, e)
                if core:
                    self.by_initial.setdefault(core[0], set()).add(core)

    @staticmethod
    def _add(index: dict, key: str, e: KnownEntity) -> None:
        if key:
            bucket = index.setdefault(key, [])
            if e not in bucket:
                bucket.append(e)

    def __len__(self) -> int:
        return len(self.entities)

    def names(self):
        """Every (name, entity) pair, for building a mention gazetteer."""
        for e in self.entities:
            for n in e.names():
                yield n, e

    def match(self, name: str, kind: str | None = None, context_keys=()) -> Match:
        """Resolve a surface name against the known entities.

        Args:
            name: the name as written.
            kind: ``person`` or an organization kind, to refuse a person for a
                company and the reverse; None accepts any.
            context_keys: folded names of the same document (for the lexicon).

        Returns:
            A :class:`Match`; its status is ``new`` when nothing is close.
        """
        def ok(e: KnownEntity) -> bool:
            return kind is None or (kind == "person") == (e.kind == "person")

        key = fold(name)
        for e in self.by_key.get(key, []):
            if ok(e):
                return Match(e, 1.0, "exact", "label" if fold(e.label) == key else "alias")
        canon = canonical_spelling(name, context_keys)
        if canon:
            for e in self.by_key.get(fold(canon), []) + self.by_core.get(core_key(canon), []):
                if ok(e):
                    return Match(e, 0.97, "exact", "lexicon")
        core = core_key(name)
        for e in self.by_core.get(core, []):
            if ok(e):
                return Match(e, 0.95, "exact", "suffix")
        if len(core) < 4:
            return Match(None, 0.0, "new")
        from difflib import get_close_matches

        pool = self.by_initial.get(core[0], set())
        best: Match = Match(None, 0.0, "new")
        for cand in get_close_matches(core, pool, n=3, cutoff=CANDIDATE):
            for e in self.by_core[cand]:
                if not ok(e):
                    continue
                score = round(similarity(name, cand), 3)
                if score > best.score:
                    best = Match(e, score, "fuzzy" if score >= ACCEPT else "candidate", "fuzzy")
        if best.score < CANDIDATE:
            return Match(None, best.score, "new")
        return best


def gazetteer_from_store(store) -> Gazetteer:
    """Read the labels and aliases of every company, person and organization, with one query.

    Args:
        store: an open store, or None (gives an empty gazetteer).

    Returns:
        A :class:`Gazetteer`.

    Raises:
        QueryError: the store cannot be queried.
    """
    if store is None:
        return Gazetteer()
    query = """
SELECT ?e ?type ?label ?alias WHERE {
  VALUES ?type { kg:Company kg:Person kg:Organization }
  ?e a ?type ; rdfs:label ?label .
  OPTIONAL { ?e skos:altLabel ?alias }
}"""
    found: dict[str, KnownEntity] = {}
    rank = {"person": 3, "company": 2, "organization": 1}
    for row in store.query(query):
        iri = row["e"].value
        kind = row["type"].value.rsplit("#", 1)[-1].lower()
        e = found.get(iri)
        if e is None:
            e = found[iri] = KnownEntity(iri, row["label"].value, kind)
        elif rank[kind] > rank[e.kind]:
            e.kind = kind
        alias = row["alias"]
        if alias is not None and alias.value not in e.aliases and alias.value != e.label:
            e.aliases.append(alias.value)
    return Gazetteer(sorted(found.values(), key=lambda e: e.iri))


# ---------------------------------------------------------------------------
# Anaphora: "it", "he", "the company" → the last compatible mention
# ---------------------------------------------------------------------------

#: Anaphors and the kind of antecedent each needs.
ANAPHORS = {
    "he": "person", "him": "person", "she": "person",
    "it": "org",
    "the company": "org", "the firm": "org", "the group": "org", "the manufacturer": "org",
    "the carmaker": "org", "the automaker": "org", "the startup": "org", "the maker": "org",
    "the brand": "org", "the business": "org", "the retailer": "org", "the bank": "org",
    "the lender": "org", "the insurer": "org", "the chipmaker": "org", "the target": "org",
    "the buyer": "org", "the acquirer": "org", "the investor": "org",
}


def antecedent(kind: str, mentions, position: int, *, sentence: int | None = None, recency: bool = False):
    """The mention an anaphor refers to: the last compatible one, preferring salient ones.

    In subject position ("it is seeking …") the last *salient* compatible
    mention of the same sentence wins: a mention right after a preposition
    ("as with Apple", "like Tesla") is passed over. After a preposition
    ("an agreement with the manufacturer") the anaphor is an object, so plain
    recency decides. Without a same-sentence candidate, earlier sentences are
    searched the same way.

    Args:
        kind: ``person`` or ``org``.
        mentions: objects with ``start``, ``kind`` (``person``/``company``/
            ``organization``/``unknown``), ``salient`` and ``sentence`` attributes.
        position: character offset of the anaphor.
        sentence: index of the anaphor's sentence.
        recency: take the nearest compatible mention, salient or not.

    Returns:
        The antecedent mention, or None.

    >>> from types import SimpleNamespace as M
    >>> ms = [M(start=0, kind="company", salient=True, text="Xiaomi", sentence=0),
    ...       M(start=30, kind="company", salient=False, text="Apple", sentence=0)]
    >>> antecedent("org", ms, 40, sentence=0).text, antecedent("org", ms, 40, recency=True).text
    ('Xiaomi', 'Apple')
    """
    cands = [m for m in mentions if m.start < position and (m.kind == "person") == (kind == "person")]
    if not cands:
        return None
    if recency:
        return cands[-1]
    if sentence is not None:
        same = [m for m in cands if getattr(m, "sentence", None) == sentence]
        if same:
            return next((m for m in reversed(same) if m.salient), same[-1])
    return next((m for m in reversed(cands) if m.salient), cands[-1])
