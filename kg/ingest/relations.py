"""Relations between the names of a sentence, from the patterns in ``patterns.yaml``.

Each sentence is rewritten with placeholders (``⟨E3⟩`` for a name, ``⟨M0⟩`` for
money, ``⟨D0⟩`` for a date, ``⟨N0⟩`` for a number) and every pattern is run over
it. A match becomes a fact: the relation, its two ends, the amount and date
nearest to it, a status from the cue words around it, the rule and a confidence.

>>> from kg.ingest.mentions import analyse
>>> doc = analyse("XYZ Corp to acquire ABC Inc for $1.2 bln")
>>> [(f["relation"], f["subject"], f["object"], f["status"]) for f in find_relations(doc)]
[('acquired', 'XYZ Corp', 'ABC Inc', 'planned')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.ingest.mentions import LOST_POSSESSIVE

#: A "sentence" with more names than this is a list or a table; relation patterns skip it.
MAX_NAMES_PER_SENTENCE = 40
_MARKS = re.compile("[®™℠©]")
_PH = re.compile(r"⟨([EMDN])(\d+)⟩")
_SLOT = {
    "S": r"⟨E(?P<S>\d+)⟩",
    "O": r"⟨E(?P<O>\d+)⟩",
    "M": r"⟨M\d+⟩",
    "D": r"⟨D\d+⟩",
    "N": r"⟨N(?P<NUM>\d+)⟩",
}
_CEO = re.compile(r"\b(?:ceo|c\.e\.o|chief executive|chief exec|boss|chief$)", re.I)
_FOUNDER = re.compile(r"\b(?:co-?founders?|cofounders?|founders?|founding (?:member|partner)s?)\b", re.I)
_PAST_ROLE = re.compile(r"\b(?:former|past|ex-|outgoing|then|stepp?(?:ed|ing|s)? down|resign(?:s|ed|ing)?|quit(?:s|ting)?|"
                        r"ousted|ousts|fired|retired|retires|departed|departs|left)\b", re.I)
_FORMER = re.compile(r"\b(?:former|ex-|outgoing|then-?|late)\s*$", re.I)
_DATED_PAST = re.compile(r"\b(?:in|on|during) ⟨D\d+⟩|⟨D\d+⟩,")
_PART_WORDS = frozenset("business businesses operations assets".split())
_GENERIC_KINDS = frozenset({"partner", "partners", "ally", "collaborator", "company", "firm", "player"})
_CLAUSE = re.compile(r",? but |; |,? while |,? whereas |,? although |,? though |, and |, which is why ", re.I)
_DETERMINERS = frozenset(
    "a an the another other some any new potential possible suitable strategic experienced established "
    "traditional major big large larger local foreign global its their more additional".split()
)
_CAR_CONTEXT = re.compile(r"\b(?:cars?|vehicles?|automotive|auto|evs?|autonomous driving|carmakers?|automakers?)\b", re.I)
_KIND_CANON = {
    "carmaker": "car manufacturer", "automaker": "car manufacturer", "car maker": "car manufacturer",
    "auto maker": "car manufacturer", "automotive manufacturer": "car manufacturer",
    "vehicle manufacturer": "car manufacturer", "car company": "car manufacturer",
    "automotive company": "car manufacturer", "suitor": "buyer", "purchaser": "buyer", "acquirer": "buyer",
    "backer": "investor",
}


@dataclass
class Rule:
    """One compiled pattern."""

    id: str
    relation: str
    regex: re.Pattern
    confidence: float
    status: str | None = None
    types: dict | None = None
    subject: str | None = None
    unless: re.Pattern | None = None
    metric: str | None = None
    market: bool = False
    object: str | None = None
    min_percent: float | None = None
    max_percent: float | None = None
    headline: bool = False


def _expand(pattern: str, macros: dict) -> str:
    for _ in range(5):  # macros may use macros
        new = re.sub(r"@(\w+)", lambda m: macros[m.group(1)] if m.group(1) in macros else m.group(0), pattern)
        if new == pattern:
            break
        pattern = new
    seen: set[str] = set()

    def slot(m: re.Match) -> str:
        name = m.group(1)
        rx = _SLOT[name]
        if name in seen:  # a slot named twice captures only once
            rx = re.sub(r"\?P<\w+>", "?:", rx)
        seen.add(name)
        return rx

    pattern = re.sub(r"<([SOMDN])>", slot, pattern)
    pattern = pattern.replace("<K>", f"(?P<K>(?:(?!(?:to|for|with|from|in|on|of|by)\\b)(?-i:[a-z][\\w-]*) ){{0,4}}?{macros['kindhead']})\\b")
    return pattern


@lru_cache(maxsize=8)
def read_yaml(path: Path):
    """A data file of this package, parsed once (with libyaml's C parser where it is installed).

    >>> "macros" in read_yaml(Path(__file__).resolve().parent / "patterns.yaml")
    True
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


@lru_cache(maxsize=1)
def rules() -> tuple[list[Rule], list[Rule], dict[str, re.Pattern]]:
    """Load and compile ``patterns.yaml``.

    Returns:
        (relation rules, observation rules, status cue regexes).

    Raises:
        ExtractionError: a pattern does not compile; names the rule.
    """
    from kg.errors import ExtractionError

    path = Path(__file__).resolve().parent / "patterns.yaml"
    data = read_yaml(path)
    macros = {}
    for name, value in data["macros"].items():
        if isinstance(value, list):
            alts = sorted((re.escape(str(v)).replace(r"\ ", " ") for v in value), key=len, reverse=True)
            value = "(?:" + "|".join(alts) + ")"
        macros[name] = value

    def compile_rule(entry: dict, relation: str) -> Rule:
        try:
            rx = re.compile(_expand(entry["pattern"], macros), re.I)
            unless = re.compile(entry["unless"], re.I) if entry.get("unless") else None
        except re.error as exc:
            raise ExtractionError(f"{path}: rule {entry.get('id')}: invalid pattern: {exc}") from None
        return Rule(entry["id"], relation, rx, float(entry.get("confidence", 0.7)), entry.get("status"),
                    entry.get("types"), entry.get("subject"), unless, entry.get("metric"),
                    bool(entry.get("market")), entry.get("object"), entry.get("min_percent"), entry.get("max_percent"),
                    bool(entry.get("headline")))

    rels = [compile_rule(e, e["relation"]) for e in data["relations"]]
    obs = [compile_rule(e, "observation") for e in data.get("observations", [])]
    cues = {k: re.compile(v, re.I) for k, v in data["status_cues"].items()}
    return rels, obs, cues


@dataclass
class Masked:
    """A sentence with placeholders, and what each placeholder stands for."""

    text: str
    start: int
    end: int
    entities: dict  # placeholder number → Mention
    money: dict
    dates: dict
    counts: dict
    positions: dict  # (kind, number) → offset in the masked text


def sentence_items(doc) -> dict[int, list[tuple]]:
    """The names, sums, dates and numbers of each sentence, as (start, end, kind, index), in one pass.

    Places stay words: they never fill a role, and "in Tokyo startup Helm.ai"
    must read as a description.
    """
    from bisect import bisect_right

    starts = [s.start for s in doc.sentences]
    out: dict[int, list[tuple]] = {}
    for i, m in enumerate(doc.mentions):
        if m.kind != "place":
            out.setdefault(m.sentence, []).append((m.start, m.end, "E", i))
    for kind, spans in (("M", doc.money), ("D", doc.dates), ("N", doc.counts)):
        for i, q in enumerate(spans):
            si = bisect_right(starts, q.start) - 1
            if si >= 0 and q.start < doc.sentences[si].end:
                out.setdefault(si, []).append((q.start, min(q.end, doc.sentences[si].end), kind, i))
    return out


def mask(doc, si: int, items: list[tuple] | None = None) -> Masked:
    """Replace names, money, dates and numbers of sentence ``si`` by placeholders.

    ``items`` are the sentence's entry of :func:`sentence_items` (computed when not given).
    """
    s = doc.sentences[si]
    items = list(sentence_items(doc).get(si, []) if items is None else items)
    items.sort(key=lambda x: (x[0], -x[1]))
    parts, pos, positions = [], s.start, {}
    ents, money, dates, counts = {}, {}, {}, {}
    length = 0
    after_name = False
    for start, end, kind, i in items:
        if start < pos:
            continue
        chunk = _plain(doc.text[pos:start], after_name)
        after_name = kind == "E"
        parts.append(chunk)
        length += len(chunk)
        ph = f"⟨{kind}{i}⟩"
        positions[(kind, i)] = length
        parts.append(ph)
        length += len(ph)
        {"E": ents, "M": money, "D": dates, "N": counts}[kind][i] = (
            doc.mentions[i] if kind == "E" else (doc.money if kind == "M" else doc.dates if kind == "D" else doc.counts)[i])
        pos = end
    parts.append(_plain(doc.text[pos:s.end], after_name))
    return Masked("".join(parts), s.start, s.end, ents, money, dates, counts, positions)


def _plain(chunk: str, after_name: bool = False) -> str:
    """Text between placeholders as the patterns read it: one space for any white space, a straight
    apostrophe, no space before a comma ("Ambrit Inc , has agreed"), no trademark signs ("Halden Labs® Acquires" reads "Halden Labs Acquires") and, right
    after a name, a possessive that lost its apostrophe restored ("Calder s bid" reads "Calder's bid")."""
    chunk = re.sub(r"\s+", " ", _MARKS.sub("", chunk.replace("’", "'"))).replace(" , ", ", ")
    return "'s" + chunk[2:] if after_name and LOST_POSSESSIVE.match(chunk) else chunk


def _fits(mention, want: str | None) -> bool:
    if mention.kind == "place":
        return False
    if want == "person":
        return mention.kind in ("person", "unknown")
    if want == "human":  # a person by the shape of the name (a given name, a title), not merely not a company
        return mention.kind == "person"
    if want == "org":
        return mention.kind != "person"
    return True


def _nearest(masked: Masked, kind: str, lo: int, hi: int):
    """The placeholder of a kind inside [lo, hi), else the nearest one in the sentence."""
    best, dist = None, None
    for (k, i), p in masked.positions.items():
        if k != kind:
            continue
        d = 0 if lo <= p < hi else min(abs(p - lo), abs(p - hi))
        if dist is None or d < dist:
            best, dist = i, d
    return best


def _clause(text: str, lo: int, hi: int) -> str:
    cuts = [0] + [m.start() for m in _CLAUSE.finditer(text)] + [len(text)]
    a = max(c for c in cuts if c <= lo)
    b = min(c for c in cuts if c >= hi) if any(c >= hi for c in cuts) else len(text)
    return text[a:b]


def status_of(masked: Masked, lo: int, hi: int, hint: str | None, relation: str) -> str:
    """The status of a fact matched at [lo, hi) of a masked sentence.

    Denials and rumours count in the fact's clause (a denial also anywhere
    in the sentence when the fact was only proposed); plans and completions
    count only in the matched words.
    """
    _, _, cues = rules()
    text = masked.text
    clause = _clause(text, lo, hi)
    match = text[lo:hi]
    proposed = hint == "proposed" or bool(cues["proposed"].search(match))
    if cues["declined"].search(clause) or (proposed and cues["declined"].search(text)):
        return "declined"
    if cues["rumored"].search(clause) or cues["rumored"].search(text[:lo]):
        return "rumored"
    if hint:
        return hint
    if proposed:
        return "proposed"
    # "Vodafone to sell …": the infinitive marker may sit just before the matched words
    if relation in ("acquired", "investedIn", "partnerOf", "metWith") and (
            cues["planned"].search(match) or re.search(r"\bto $", text[max(0, lo - 4):lo])):
        return "planned"
    if cues["completed"].search(clause):
        return "completed"
    # "In 2019, Xiaomi invested $400 million in Xpeng": a dated investment told in the past tense took place
    if relation == "investedIn" and _DATED_PAST.search(text) and re.search(r"\b(?:invested|injected|poured|pumped)\b", match):
        return "completed"
    return "reported"


def kind_label(phrase: str, context: str = "") -> str:
    """The concept a kind-of-partner phrase names, singular and without determiners.

    >>> kind_label("an experienced manufacturer", "build its own electric car")
    'car manufacturer'
    >>> kind_label("electric and autonomous car manufacturers")
    'car manufacturer'
    >>> kind_label("strategic investors")
    'investor'
    """
    words = [w for w in phrase.lower().split() if w not in _DETERMINERS]
    if not words:
        return "partner"
    head = words[-1]
    for plural, single in (("ies", "y"), ("s", "")):
        if head.endswith(plural) and head not in ("series", "ally"):
            head = head[: -len(plural)] + single
            break
    mod = words[-2] if len(words) > 1 and words[-2] not in ("and", "or", "electric", "autonomous") else ""
    label = f"{mod} {head}".strip()
    label = _KIND_CANON.get(label, _KIND_CANON.get(head, label))
    if label in ("manufacturer", "maker", "producer") and _CAR_CONTEXT.search(phrase + " " + context):
        label = "car manufacturer"
    return label


_OF_PLACE = re.compile(r" of (?:⟨E(\d+)⟩|([A-Z][\w.]*(?: [A-Z][\w.]*)?))")
_CLAUSE_VERB = re.compile(r",? (?:entered|enter|enters|said|say|says|have|has|had|will|would|were|are|agreed|agree|"
                          r"agrees|signed|sign|signs|announced|announce|announces)\b", re.I)
#: After a person: a parenthesis or a lower-case description of up to three words ("A, pharmacologist, B");
#: before one, a lower-case description word ("and bassist B").
_PERSON_POST = r"(?: \([^()]{0,100}\)|, (?:an? |the )?(?-i:[a-z][\w-]*(?: [a-z][\w-]*){0,2})(?=,|,? and ))?"
_PERSONS_AFTER = re.compile(
    rf"({_PERSON_POST}(?:, (?:(?-i:[a-z][\w-]*) )?⟨E\d+⟩{_PERSON_POST})*,? (?:and|&) (?:the )?(?:(?-i:[a-z][\w-]*) )?⟨E\d+⟩)")
_PAREN = re.compile(r"\([^()]*\)")
_COORDINATED_AFTER = re.compile(r"((?: \(⟨E\d+⟩\))?(?:, (?:[Tt]he )?⟨E\d+⟩(?: \(⟨E\d+⟩\))?)*,? (?:and|&) (?:[Tt]he )?⟨E\d+⟩)")


def _where_from(text: str, at: int, doc) -> int:
    """The end of " of <place>" right at ``at`` ("Acme Inc of New York and …"), else ``at``."""
    m = _OF_PLACE.match(text, at)
    if m is None:
        return at
    if m.group(1) is not None:
        return m.end() if doc.mentions[int(m.group(1))].kind == "place" else at
    from kg.ingest.mentions import word_lists

    return m.end() if m.group(2).lower() in word_lists()["places"] else at


def _coordinated(text: str, lo: int, hi: int, slot_lo: int, slot_hi: int, doc=None, person: bool = False) -> list[int]:
    """Extra names coordinated with a slot at the edge of a match ("A and B invested"); for persons also
    with what each one is ("by A, a chemist, B, a physician and C", "by A (a referee) and the editor B")."""
    extra = []
    if slot_hi == hi and person:
        m = _PERSONS_AFTER.match(text, hi)
        if m and not _CLAUSE_VERB.match(text, m.end()):
            return [int(x) for x in re.findall(r"⟨E(\d+)⟩", _PAREN.sub("", m.group(1)))]
    if slot_hi == hi:
        # "A of New York and B of Connecticut": where each one is from is not another name
        rest = text[_where_from(text, hi, doc) if doc is not None else hi:]
        m = _COORDINATED_AFTER.match(rest) \
            or re.match(r"((?:, ⟨E\d+⟩)+)(?=[.;!]?$| (?:for|to|in)\b)", rest)  # "from Nvidia, Microsoft, Jeff Bezos"
        if m and _CLAUSE_VERB.match(rest, m.end()):
            m = None  # "… of Kivu, Ralto and Zeno entered into …": the list starts a new clause
        if m:  # "(TIGR)" after a name is the same entity's short name, not another one
            extra = [int(x) for x in re.findall(r"(?<!\()(?<!of )⟨E(\d+)⟩", m.group(1))]
    if slot_lo == lo and not text.startswith(("'s", "' "), slot_hi):  # "A and B's bid": B's alone
        m = re.search(r"((?:⟨E\d+⟩, )*⟨E\d+⟩,? (?:and|&) )$", text[:lo])
        if m:
            extra = [int(x) for x in re.findall(r"⟨E(\d+)⟩", m.group(1))]
    return extra


def _amount(doc, masked: Masked, lo: int, hi: int):
    i = _nearest(masked, "M", lo, hi)
    return doc.money[i].as_dict() if i is not None else None


def _date(doc, masked: Masked, lo: int, hi: int):
    i = _nearest(masked, "D", lo, hi)
    return doc.dates[i] if i is not None else None


def _context_subject(masked: Masked, lo: int, obj_cluster: int):
    """The nearest name before a match that is not the object, for patterns without a subject."""
    best = None
    for (k, i), p in sorted(masked.positions.items(), key=lambda x: x[1]):
        if k == "E" and p < lo:
            m = masked.entities[i]
            if m.cluster != obj_cluster and m.kind not in ("place", "person"):
                best = (i, m) if best is None or not best[1].salient or m.salient else best
    return best[1] if best else None


_REPORTS = re.compile(r"^(?:[Tt]he )?⟨E(\d+)⟩ (?:said|says|announced|reported|told)\b")


def _reporting_subject(masked: Masked, m: re.Match, obj):
    """For a match that starts with "its", the company whose statement the sentence reports ("Amoskeag said
    the court overturned its proposed acquisition of X": Amoskeag's, not the court's); None otherwise."""
    first = _REPORTS.match(masked.text)
    if not m.group(0).lower().startswith("its ") or first is None:
        return None
    subj = masked.entities[int(first.group(1))]
    return subj if subj.kind not in ("place", "person") and (obj is None or subj.cluster != obj.cluster) else None


def find_relations(doc, doc_id: str = "doc") -> list[dict]:
    """Every relation fact the patterns find in an analysed document, before merging.

    Args:
        doc: a :class:`kg.ingest.mentions.Document`.
        doc_id: the document id written into each fact.

    Returns:
        Fact dicts (see :func:`kg.ingest.text.extract`), in text order.
    """
    rels, _, _ = rules()
    facts = []
    buckets = sentence_items(doc)
    for si, sent in enumerate(doc.sentences):
        names = sum(1 for _, _, kind, _ in buckets.get(si, ()) if kind == "E")
        if not names or names > MAX_NAMES_PER_SENTENCE:
            continue  # no name, or a list or table rather than a sentence: bounded work per sentence
        masked = mask(doc, si, buckets.get(si, []))
        quote = doc.text[sent.start:sent.end]
        names = masked.text.count("⟨E")
        for rule in rels:
            if rule.headline and not sent.headline:
                continue  # a rule of headline grammar only
            if names < 2 and "(?P<O>" in rule.regex.pattern and rule.subject != "context" and rule.object != "context":
                continue  # a two-name rule cannot match a one-name sentence
            for m in rule.regex.finditer(masked.text):
                if rule.unless and rule.unless.search(_unmask(doc, masked, m.group(0))):
                    continue  # the veto reads the words as written, names included ("Reverse Merger Into")
                facts.extend(_facts_from_match(doc, doc_id, masked, rule, m, quote))
    # "exploring a partnership with X" is a search, not yet a partnership
    seeks = {(f["start"], f["_s"], f["_o"]) for f in facts if f["relation"] == "seeksPartner"}
    # "Canpages Bets On Social Search, Buys X": the headline's buyer, not the first clause's object
    buyers = {(f["start"], f["_o"]): f["_s"] for f in facts if f["rule"] == "acquired.headline-second-verb"}
    # "Acquires Usenet Discussion Service From Deja.com": the name inside a part bought is not the target
    parts = {(f["start"], f["_s"], c) for f in facts for c in f.get("_parts", ())}
    return [f for f in facts if not (f["relation"] == "partnerOf" and (
        (f["start"], f["_s"], f["_o"]) in seeks or (f["start"], f["_o"], f["_s"]) in seeks))
        and buyers.get((f["start"], f["_o"]), f["_s"]) == f["_s"]
        and (f["start"], f["_s"], f["_o"]) not in parts]


def _facts_from_match(doc, doc_id, masked, rule, m, quote) -> list[dict]:
    """The facts of one pattern match: its parties, relations, coordinated names, status, amount, date."""
    parties = _parties(doc, masked, rule, m) if _share_fits(doc, rule, m) else None
    if parties is None:
        return []
    subj, obj, kind, confidence = parties
    types = rule.types or {}
    lo, hi = m.span()
    relations = _relations_of(masked, rule, m)
    subjects, objects = _with_coordinated(doc, masked, m, types, subj, obj)
    if subj.anaphor or (obj is not None and obj.anaphor):
        confidence *= 0.9
    status = status_of(masked, lo, hi, rule.status, rule.relation)
    date = _date(doc, masked, lo, hi)
    if rule.relation in ("role", "ceoOf", "founderOf") and date is not None and \
            not lo <= masked.positions.get(("D", doc.dates.index(date)), -1) < hi:
        date = None  # "X, CEO of Y, met Z in 2016": the year is the meeting's, not the role's
    amount = _amount(doc, masked, lo, hi) if rule.relation in ("investedIn", "acquired") else None
    out = []
    for relation in relations:
        for s in subjects:
            for o in objects:
                if o is not None and o.cluster == s.cluster:
                    continue
                fact = {
                    "doc": doc_id,
                    "relation": relation,
                    "subject": _surface(doc, s),
                    "object": _surface(doc, o) if o is not None else _strip_determiners(kind),
                    "subject_type": _type(doc, s, types.get("S")),
                    "object_type": _type(doc, o, types.get("O")) if o is not None else "kind",
                    "amount": amount,
                    "date": date.value if date else None,
                    "date_type": date.datatype if date else None,
                    "status": status,
                    "confidence": round(min(confidence, 1.0), 2),
                    "quote": quote,
                    "start": masked.start,
                    "end": masked.end,
                    "rule": rule.id,
                    "_s": s.cluster,
                    "_o": o.cluster if o is not None else None,
                }
                if m.groupdict().get("U") and o is not None and o.cluster not in {
                        x.cluster for x in masked.entities.values()}:  # a part bought: the names inside it
                    fact["_parts"] = [masked.entities[int(i)].cluster for i in re.findall(r"⟨E(\d+)⟩", m.group("U"))]
                elif m.groupdict().get("X"):  # a description in front of the target: the names inside it
                    fact["_parts"] = [masked.entities[int(i)].cluster for i in re.findall(r"⟨E(\d+)⟩", m.group("X"))]
                if o is None:
                    fact["kind"] = kind_label(kind, quote)
                    if fact["kind"] in _GENERIC_KINDS:  # "looking for a partner" names no kind
                        fact["kind"] = fact["object"] = None
                        fact["object_type"] = None
                out.append(fact)
    return out


def _parties(doc, masked, rule, m):
    """A match's subject and object (or kind sought) as (subj, obj, kind, confidence); None if they do not fit."""
    groups = m.groupdict()
    types = rule.types or {}
    lo, hi = m.span()
    obj = masked.entities.get(int(groups["O"])) if groups.get("O") else None
    subj, confidence = _subject_of(masked, rule, m, obj)
    if subj is None or not _fits(subj, types.get("S")):
        return None
    if rule.object == "context":  # "The round was led by X": the object is the company talked about
        obj = _context_object(doc, masked.start + lo, subj, types.get("O"))
        if obj is None:
            return None
        confidence *= 0.9
    if obj is not None and obj.anaphor and obj.cluster == subj.cluster:
        obj = _other_antecedent(doc, obj, subj, types.get("O"))  # "X will invest in the company": not X
        if obj is None:
            return None
    if obj is not None and rule.relation in ("acquired", "investedIn", "role", "founderOf") and groups.get("O") \
            and masked.positions[("E", int(groups["O"]))] + len(f"⟨E{groups['O']}⟩") == hi:
        obj = _described(masked, obj, int(groups["O"]))
    if groups.get("U"):  # the part of a company a deal is for
        obj = _part_bought(doc, masked, m, obj, subj)
        if obj is None:
            return None
    elif obj is not None and rule.relation in ("acquired", "investedIn") and \
            obj.text.rsplit(None, 1)[-1].lower() in _PART_WORDS and _owned(masked, groups.get("O")):
        return None  # "Metro AG's India Business": a part named with its owner (acquired.unit-possessive)
    kind = None
    if obj is None:
        if not groups.get("K"):
            return None
        kind = groups["K"]
    elif not _fits(obj, types.get("O")) or obj.cluster == subj.cluster:
        return None
    return subj, obj, kind, confidence


def _subject_of(masked, rule, m, obj) -> tuple:
    """A match's subject and the confidence it leaves: the named subject (the person of an appositive
    before it), or for a rule without one the reporting company or the nearest name before the match."""
    groups, types = m.groupdict(), rule.types or {}
    if rule.subject == "context":
        subj = _reporting_subject(masked, m, obj) or _context_subject(masked, m.start(), obj.cluster if obj else -1)
        return subj, rule.confidence * 0.9
    subj = masked.entities.get(int(groups["S"])) if groups.get("S") else None
    if subj is not None and rule.relation not in ("role", "ceoOf", "founderOf") and types.get("S") != "org":
        subj = _appositive_head(masked, subj, int(groups["S"]))
    return subj, rule.confidence


def _part_bought(doc, masked, m, obj, subj):
    """The object of a match whose words ``U`` name a part of a company: its own name when one follows
    ("its Canadian subsidiary, Orvane Petroleum Ltd"), else the part named with its owner (:func:`_unit`),
    the owner being the match's object or, for "sell its X", the name before the match."""
    after = masked.text[m.end("U"):]
    named = re.search(rf"\b{_macro('unitnoun')}$", m.group("U"), re.I) and re.match(r",? ⟨E(\d+)⟩(?!(?:'s|') )", after)
    if named:
        return masked.entities[int(named.group(1))]
    mark = re.match(r"(?:'s|')(?= )", masked.text[m.end("O") + 1:]) if m.groupdict().get("O") else None
    owner = obj if obj is not None else _context_subject(masked, m.start(), subj.cluster)
    return _unit(doc, masked, m.group("U"), owner, mark.group(0) if mark else None,
                 not re.match(r"(?: (?:in|at|near) [^⟨⟩]*?)? from ", after))


#: Words that alone do not say which part of a company is meant ("all the business of X" is X itself).
_QUANTIFIERS = frozenset("the its their all of substantially certain select remaining outstanding issued whole entire "
                         "a an".split())


def _unit(doc, masked: Masked, phrase: str, owner, mark: str | None = None, of_owner: bool = True):
    """The part of a company that a deal is for, as a mention of an entity of its own named with its owner
    ("Tarsier's fibre broadband business", the possessive ``mark`` as the text writes it; assets bought
    from an owner are a part, ``of_owner`` "the assets of X" are X itself); None without an owner, or when the words name no part (a
    name alone: "buys Yahoo's Kelkoo" is for Kelkoo, which other patterns find).

    >>> from kg.ingest.mentions import analyse
    >>> doc = analyse("Quillon buys Tarsier's fibre broadband business.")
    >>> [(f["subject"], f["object"], f["rule"]) for f in find_relations(doc)]
    [('Quillon', "Tarsier's fibre broadband business", 'acquired.unit-possessive')]
    """
    from kg.ingest.mentions import Cluster, Mention

    words = _unmask(doc, masked, phrase).strip()
    if owner is None or not re.search(rf"\b(?:{_macro('unitnoun')}|assets)$", words, re.I) \
            or all(w.lower() in _QUANTIFIERS for w in words.split()[:-1]) \
            or re.search(r"⟨E\d+⟩ (?:unit|units|subsidiary|arm|affiliate)$", phrase, re.I) \
            or (of_owner and re.search(r"\b(?:assets|shares|stock)\b", phrase, re.I)):
        return None  # "its Linotype Group unit" is Linotype Group; "the assets of X" are X (other patterns)
    owner_name = _surface(doc, owner)
    mark = mark or ("'" if owner_name.endswith("s") else "'s")  # as the text writes it, else "Tallis'", "Arden's"
    name = f"{owner_name}{mark} {words}"
    idx = next((c for c, cl in enumerate(doc.clusters) if cl.name == name), None)
    if idx is None:
        idx = len(doc.clusters)
        doc.clusters.append(Cluster(name, "company", [name]))
    return Mention(owner.start, owner.end, name, "company", owner.sentence, cluster=idx)


def _unmask(doc, masked: Masked, text: str) -> str:
    """Masked text with each placeholder replaced by the words it stands for."""
    def words(m: re.Match) -> str:
        kind, i = m.group(1), int(m.group(2))
        if kind == "E":
            return _surface(doc, masked.entities[i])
        q = {"M": doc.money, "D": doc.dates, "N": doc.counts}[kind][i]
        return " ".join(doc.text[q.start:q.end].split())

    return _PH.sub(words, text)


@lru_cache(maxsize=8)
def _macro(name: str) -> str:
    """A macro of ``patterns.yaml`` as written there (the one place its words are listed)."""
    return read_yaml(Path(__file__).resolve().parent / "patterns.yaml")["macros"][name]


def _owned(masked: Masked, index) -> bool:
    """Whether placeholder ``index`` follows a possessive ("⟨E1⟩'s ⟨E2⟩"), or is unknown."""
    if index is None:
        return True
    return masked.text[:masked.positions[("E", int(index))]].endswith(("'s ", "' "))


def _share_fits(doc, rule, m) -> bool:
    """Whether a match's percentage suits its rule: control (``min_percent``) makes an acquisition,
    less (``max_percent``) an investment; a rule without either takes any number."""
    if rule.min_percent is None and rule.max_percent is None:
        return True
    num = m.groupdict().get("NUM")
    count = doc.counts[int(num)] if num is not None else None
    if rule.min_percent is not None:
        return count is not None and count.percent and count.value >= rule.min_percent
    return count is None or not count.percent or count.value < rule.max_percent


def _relations_of(masked, rule, m) -> list[str]:
    """The relations a match states: a role pattern's roles decide ceoOf/founderOf; a former CEO is none."""
    lo = m.start()
    relations = [rule.relation]
    if rule.relation == "role":
        roles = m.groupdict().get("R") or ""
        relations = [r for r, rx in (("ceoOf", _CEO), ("founderOf", _FOUNDER)) if rx.search(roles)]
        if _PAST_ROLE.search(m.group(0)) or _FORMER.search(masked.text[max(0, lo - 14):lo]):
            relations = [r for r in relations if r != "ceoOf"]  # a former chief executive is no ceoOf
    return relations


def _with_coordinated(doc, masked, m, types, subj, obj) -> tuple[list, list]:
    """The subjects and objects of a match, each with the names coordinated with it ("A and B bought C")."""
    groups = m.groupdict()
    lo, hi = m.span()
    subjects, objects = [subj], [obj]
    s_pos = masked.positions.get(("E", int(groups["S"]))) if groups.get("S") else None
    o_pos = masked.positions.get(("E", int(groups["O"]))) if groups.get("O") else None
    for pos, group, bucket in ((s_pos, "S", subjects), (o_pos, "O", objects)):
        if pos is None:
            continue
        ph = f"⟨E{groups[group]}⟩"
        for extra in _coordinated(masked.text, lo, hi, pos, pos + len(ph), doc, types.get(group) == "person"):
            mm = doc.mentions[extra]
            if _fits(mm, types.get(group)) and mm.cluster not in {b.cluster for b in bucket if b}:
                bucket.append(mm)
    return subjects, objects


def _context_object(doc, position: int, subj, want):
    """The last salient name before ``position`` (this sentence or the two before) that is not the subject."""
    si = subj.sentence
    for m in reversed(doc.mentions_before(position, si - 2)):
        if m.salient and m.cluster != subj.cluster and m.kind != "person" and _fits(m, want):
            return m
    return None


def _other_antecedent(doc, anaphor, subj, want):
    """The antecedent of an anaphor among the names that are not the subject's entity (salient ones first)."""
    from kg.resolve import antecedent

    cands = [x for x in doc.mentions_before(anaphor.start, anaphor.sentence - 2) if not x.anaphor
             and x.cluster != subj.cluster and _fits(x, want) and x.kind != "place"]
    kind = "person" if anaphor.kind == "person" else "org"
    return antecedent(kind, cands, anaphor.start, sentence=anaphor.sentence)


_HEADS = frozenset(
    "startup start-up company co firm maker provider platform site specialist developer publisher network service "
    "app studio agency blog vendor team outfit supplier operator retailer manufacturer producer integrator "
    "consultancy portal marketplace community engine tool software partner".split())
_NEXT_NAME = re.compile(r"((?: (?!(?:to|for|with|from|by|in|on|at|or|of|as|into|that|which|who)\b)[^\s⟨⟩]+){0,5}?)[:,]? ⟨E(\d+)⟩",
                        re.I)


def _described(masked: Masked, obj, index: int):
    """The name that a description stands in front of: "acquires Android security startup Whisper Systems",
    "buys Gene-Therapy Co. Ceregene" name Whisper Systems and Ceregene, not Android or the "Co."."""
    end = masked.positions[("E", index)] + len(f"⟨E{index}⟩")
    m = _NEXT_NAME.match(masked.text, end)
    if not m:
        return obj
    from kg.ingest.mentions import word_lists

    heads = _HEADS | word_lists()["description_heads"]
    if not m.group(1) and obj.kind == "company" and masked.text.startswith(",", end) \
            and obj.text.split()[-1].lower() not in ("company", "co", "co."):
        return obj  # "Acquires Pellam Software, Gaining Key Technology": a company's suffix is no description
    words = m.group(1).split() or obj.text.split()
    if words and words[0].lower() == "and" and _head_before(masked, index, heads):
        return obj  # "Buys Ticketing Service X And Event Data Company Y": X was described, it is the name
    head = words[-1].lower().strip(".,:")
    head = head[:-1] if head.endswith("s") and head[:-1] in heads else head
    nxt = masked.entities.get(int(m.group(2)))
    return nxt if head in heads and nxt is not None and nxt.kind != "person" else obj


def _head_before(masked: Masked, index: int, heads: frozenset) -> bool:
    """Whether the word right before placeholder ``index`` is a description's head noun ("Service ⟨E1⟩")."""
    before = masked.text[:masked.positions[("E", index)]].split()
    return bool(before) and before[-1].lower().removesuffix("s") in heads


def _appositive_head(masked: Masked, subj, index: int):
    """In "Sophie Laurent, CEO of Maison Arcadie, met …" the subject is the person, not the company."""
    pos = masked.positions[("E", index)]
    after = masked.text[pos + len(f"⟨E{index}⟩"):]
    m = re.search(r"⟨E(\d+)⟩, [^,⟨⟩]{1,50}? (?:of|at|for) $", masked.text[:pos])
    if m and after.startswith(","):
        head = masked.entities.get(int(m.group(1)))
        if head is not None and head.kind == "person":
            return head
    return subj


def _strip_determiners(phrase: str) -> str:
    words = phrase.split()
    while words and words[0].lower() in ("a", "an", "the", "another", "some", "any"):
        words = words[1:]
    return " ".join(words)


def _surface(doc, mention) -> str:
    """What a fact names an end by: the text, the antecedent's name for "it" and "the company", or the
    name an abbreviation stands for."""
    if mention.anaphor:
        return doc.clusters[mention.cluster].name
    full = doc.clusters[mention.cluster].name if mention.cluster >= 0 else mention.text
    if mention.text.isalpha() and mention.text.isupper() and len(mention.text) <= 6 and len(full.split()) > 1:
        return full  # "TWA", "AMAC": an abbreviation the document spells out is named in full
    return mention.text


def _type(doc, mention, want: str | None) -> str:
    kind = doc.clusters[mention.cluster].kind if mention.cluster >= 0 else mention.kind
    if kind == "unknown":
        return "person" if want in ("person", "human") else "company"
    return kind


def find_observations(doc, doc_id: str = "doc") -> list[dict]:
    """Figures about a subject for a period: sales growth, units sold.

    Returns:
        Dicts with ``relation: "observation"``, ``subject`` (a name, or a
        market such as "worldwide electric car market"), ``metric``, ``value``,
        ``unit``, ``approximate``, ``period``, ``reported_by`` and evidence keys.
    """
    _, obs, _ = rules()
    out = []
    buckets = sentence_items(doc)
    for si, sent in enumerate(doc.sentences):
        if not any(kind == "N" for _, _, kind, _ in buckets.get(si, ())):
            continue
        masked = mask(doc, si, buckets.get(si, []))
        if "⟨N" not in masked.text:
            continue
        quote = doc.text[sent.start:sent.end]
        reporter = re.search(r"according to (?:the )?(?:[\w-]+ ){0,2}?⟨E(\d+)⟩|⟨E(\d+)⟩ (?:data|figures|estimates)",
                             masked.text, re.I)
        reported_by = masked.entities[int(reporter.group(1) or reporter.group(2))] if reporter else None
        for rule in obs:
            for m in rule.regex.finditer(masked.text):
                fact = _observation(doc, masked, rule, m, quote, out)
                if fact is None:
                    continue
                fact.update({
                    "doc": doc_id, "reported_by": _surface(doc, reported_by) if reported_by is not None else None,
                    "_r": reported_by.cluster if reported_by is not None else None})
                out.append(fact)
    return out


def _observation_subject(masked, rule, m):
    """The mention a figure is about (named, or "its" → the last company before), "market" or None to skip."""
    g = m.groupdict()
    if g.get("S"):
        subj = masked.entities[int(g["S"])]
        return None if subj.kind in ("place", "person") else subj
    if g.get("its"):
        cands = [masked.entities[i] for (k, i), p in masked.positions.items()
                 if k == "E" and p < m.start() and masked.entities[i].kind not in ("place", "person")]
        return max(cands, key=lambda x: x.start) if cands else None
    return "market" if rule.market else None


def _observation(doc, masked, rule, m, quote, out) -> dict | None:
    """The figure of one observation match (without its reporter), or None when it has no subject."""
    subj = _observation_subject(masked, rule, m)
    if subj is None:
        return None
    g = m.groupdict()
    lo, hi = m.span()
    count = doc.counts[int(g["NUM"])]
    unit = (g.get("unit") or g.get("unit0") or "").strip().lower()
    if count.percent:
        unit = "percent"
    value = -count.value if g.get("dir", "") and g["dir"].lower() in (
        "fell", "dropped", "declined", "slumped", "plunged", "decreased") else count.value
    metric = (rule.metric or "value").format(metric=(g.get("metric") or "").lower(), unit=unit or "units")
    inside = [d for (k, d), p in masked.positions.items() if k == "D" and lo <= p < hi]
    di = inside[0] if inside else _nearest(masked, "D", lo, hi)
    period = doc.dates[di] if di is not None else None
    if subj != "market":
        subject, stype, scl = _surface(doc, subj), _type(doc, subj, "org"), subj.cluster
    else:
        what = re.sub(r"s$", "", unit or "product")
        where = "worldwide " if (g.get("where") or re.search(r"worldwide|globally", quote)) else ""
        subject, stype, scl = f"{where}{what} market", "market", None
    if unit == "units" and out and out[-1]["start"] == masked.start and out[-1]["subject_type"] == "market":
        unit, metric, subject = out[-1]["unit"], out[-1]["metric"], out[-1]["subject"]
    return {
        "doc": None, "relation": "observation", "subject": subject, "subject_type": stype,
        "metric": metric, "value": int(value) if value == int(value) else float(value),
        "unit": unit or None, "approximate": count.approximate,
        "period": period.value if period else None, "date_type": period.datatype if period else None,
        "reported_by": None, "status": "reported", "confidence": rule.confidence, "quote": quote,
        "start": masked.start, "end": masked.end, "rule": rule.id, "_s": scl, "_r": None,
    }
