"""Sentences and name mentions in English news text, found by rules.

Names are runs of capitalised tokens that are not function words, headline
verbs or job titles (``kg/ingest/names.yaml``), plus the store's known names
(a gazetteer). Each mention gets a kind (person, company, organization or
unknown) from its shape: corporate suffixes, given names, titles. Mentions of
one entity in a document are grouped into clusters ("Xpeng Motors" and
"Xpeng", "Elon Musk" and "Musk", "Lee Jun" and "Lei Jun"), and anaphors ("it",
"the company", "he") are resolved to the last compatible mention.

>>> doc = analyse("Tesla CEO Elon Musk met Lei Jun. Musk said it went well.")
>>> [(m.text, m.kind) for m in doc.mentions if not m.anaphor]
[('Tesla', 'unknown'), ('Elon Musk', 'person'), ('Lei Jun', 'person'), ('Musk', 'person')]
>>> doc.clusters[doc.mentions[3].cluster].name
'Elon Musk'
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from kg.ingest.quantities import find_counts, find_dates, find_money
from kg.resolve import ANAPHORS, antecedent, canonical_spelling, core_key, fold, similarity

#: A word ("Rolls-Royce", "AT&T", "Fusion-io", "@stake"; "X-ray": one letter, a hyphen and a lower-case word is one
#: common word; "Madison-based" is two)
_TOKEN = re.compile(r"(?:(?<![\w.])@\w+|\b[A-Za-z]-[a-z]+\b|\w+)(?:[&.'’]\w+|-(?=[A-Z0-9]|[a-z]{1,2}\b)\w+)*|[^\w\s]", re.UNICODE)
#: A lone "s" after a word, as filings converted to plain text leave a possessive ("Calder s acquisition").
LOST_POSSESSIVE = re.compile(r" s(?= \w)")
_ABBREV = frozenset(
    "inc corp co ltd mr mrs ms dr st jr sr vs no u.s u.k e.g i.e etc jan feb mar apr jun jul aug sep "
    "sept oct nov dec prof gen gov sen rep plc bros est dept fig approx".split()
)
#: "St. Louis", "Mt. Vernon", "Warner Bros. Television": abbreviations inside a name.
_SAINTS = frozenset({"St", "Ste", "Mt", "Ft", "Bros"})
#: Dotted initials ("E.F. Hutton", "J.P. Industries"): their last period does not end a sentence.
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")
_SENT_END = re.compile(r"[.!?][\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])")
_PREPOSITIONS = frozenset(
    "with like as than from of to by for about including unlike besides via at into on in over against".split()
)
_FUNCTION = frozenset(
    "a an the and or but of to in on for by with at from as is are was were be been has have had will would "
    "its it he she they said says who which that this".split()
)
#: Verbs right after a name: a possessive before them is part of the name ("McDonald's said").
_SAYS = frozenset("said says is was has had will would to and announced reported posted".split())
#: Plural nouns after a possessive: "Apple's plans", "Tesla's shares" (the "'s" is a possessive there).
_POSS_NOUNS = frozenset(
    "acquisitions purchases bids offers takeovers stakes deals shares sales talks plans proposals investments "
    "mergers units earnings results revenues profits partnerships alliances approaches".split()
)
#: Nouns that end a description rather than a name ("New Video Startup").
_GENERIC_TAIL = frozenset(
    "startup start-up startups firm firms maker makers manufacturer carmaker automaker chipmaker drugmaker "
    "giant rival unit subsidiary provider developer operator retailer lender insurer platform app outfit".split()
)
_DOMAIN = re.compile(r"\w\.(?:com|net|org|io|co|de|nl|fr|uk|in|ly|me|tv|ai)$")
_COMMA_SUFFIX = re.compile(r",? ?(?:Inc|INC|Corp|CORP|Co|CO|Ltd|LTD|LLC|L\.L\.C|LLP|LP|L\.P|Limited|LIMITED|PLC|plc|Plc|"
                           r"S\.A|SA|N\.V|NV|AG|GmbH|B\.V)\b\.?")
_GENERATION = re.compile(r",? (?:Jr|Sr|III|II|IV)\b\.?")
#: Suffixes that end a company's name for certain (a common word before one is part of the name).
_STRICT_SUFFIXES = frozenset("inc corp co ltd plc llc corporation limited".split())
#: Words that open a sentence, never a name: after "Inc." they start the next sentence.
_OPENERS = frozenset("it its the he she they their this that these those in on at under for a an we but as there "
                     "terms".split())
#: Stop words that may begin a name when a name word follows ("New York", "General Motors").
_NAME_STARTERS = frozenset("new first big general united royal national american british standard".split())


@lru_cache(maxsize=1)
def word_lists() -> dict[str, frozenset]:
    """The word lists of ``names.yaml``, each as a frozenset of lower-case words."""
    from kg.ingest.relations import read_yaml

    data = read_yaml(Path(__file__).resolve().parent / "names.yaml")
    out = {}
    for key, value in data.items():
        words = value.split() if isinstance(value, str) else list(value)
        out[key] = frozenset(w.lower() for w in words)
    # places may have several words: keep whole phrases too ("hong kong")
    out["places"] = out["places"] | frozenset(
        " ".join(p) for p in pairwise(data["places"].split()))
    # the keywords of the relation patterns are headline words too ("Unilever Considering Offer …")
    out["headline_words"] = (out["headline_words"] | _pattern_keywords()) - out["company_suffixes"]
    return out


def _pattern_keywords() -> frozenset:
    """The single-word entries of the word-list macros in ``patterns.yaml``, lower case, and the inflected
    first word of the deal verbs of several words ("gobbled" of "gobbled up": "X Has Gobbled Up Y")."""
    from kg.ingest.relations import read_yaml

    data = read_yaml(Path(__file__).resolve().parent / "patterns.yaml")
    words = set()
    for name, value in data["macros"].items():
        if isinstance(value, list):
            words.update(str(v).lower() for v in value if " " not in str(v))
            if name in ("acq", "acqpp"):  # inflected only: "Snap" and "Pick" may be names
                words.update(w for w in (str(v).lower().split()[0] for v in value if " " in str(v))
                             if w.endswith(("s", "ed", "ing")))
    return frozenset(words)


@dataclass
class Token:
    text: str
    start: int
    end: int


@dataclass
class Mention:
    """A name (or a resolved anaphor) in the text.

    Attributes:
        start, end: character offsets in the document.
        text: the text as written.
        kind: ``person``, ``company``, ``organization`` or ``unknown``.
        sentence: index of its sentence.
        salient: false right after a preposition ("as with Apple").
        anaphor: true for "it", "the company" …, whose cluster is the antecedent's.
        cluster: index into :attr:`Document.clusters`.
        known: a gazetteer entity the name matched exactly, if any.
    """

    start: int
    end: int
    text: str
    kind: str
    sentence: int
    salient: bool = True
    anaphor: bool = False
    cluster: int = -1
    known: object = None


@dataclass
class Cluster:
    """The mentions of one entity in a document.

    Attributes:
        name: the best name for it (the longest full mention, or the lexicon's spelling).
        kind: ``person``, ``company``, ``organization`` or ``unknown``.
        surfaces: every spelling used, in order of appearance.
    """

    name: str
    kind: str
    surfaces: list = field(default_factory=list)
    known: object = None


@dataclass
class Sentence:
    start: int
    end: int
    headline: bool = False


@dataclass
class Document:
    """A text analysed: sentences, mentions, quantities and entity clusters."""

    text: str
    sentences: list
    mentions: list
    clusters: list
    money: list
    dates: list
    counts: list

    def mentions_before(self, position: int, sentence: int) -> list:
        """The mentions that start before ``position`` in sentences ``sentence`` and later, nearest last."""
        from bisect import bisect_left

        if not hasattr(self, "_starts"):
            self._starts = [m.start for m in self.mentions]
        k = bisect_left(self._starts, position)
        out = []
        while k > 0 and self.mentions[k - 1].sentence >= sentence:
            k -= 1
            out.append(self.mentions[k])
        return out[::-1]


def tokens(text: str, offset: int = 0) -> list[Token]:
    """Split text into word and punctuation tokens, splitting off possessive 's.

    >>> [t.text for t in tokens("Xiaomi's AT&T-backed Rolls-Royce, Inc.")]
    ['Xiaomi', "'s", 'AT&T', '-', 'backed', 'Rolls-Royce', ',', 'Inc', '.']
    >>> [t.text for t in tokens("Calder s bid")]
    ['Calder', '’s', 'bid']
    """
    out = []
    for m in _TOKEN.finditer(text):
        s, e, t = m.start() + offset, m.end() + offset, m.group(0)
        if t == "s" and out and out[-1].text[:1].isupper() and out[-1].end == s - 1 \
                and LOST_POSSESSIVE.match(text, m.start() - 1):
            out.append(Token("’s", s, e))  # "Calder s acquisition": a possessive that lost its apostrophe
        elif len(t) > 2 and t[-2] in "'’" and t[-1] in "sS":
            out.append(Token(t[:-2], s, e - 2))
            out.append(Token(t[-2:], e - 2, e))
        else:
            out.append(Token(t, s, e))
    return out


def sentences(text: str) -> list[Sentence]:
    r"""Split text into sentences: at paragraph breaks, and at . ! ? before a capital.

    A line break inside a hard-wrapped paragraph does not end a sentence; a
    blank line, an indented or bulleted line, or a short line such as a
    headline or a byline does (see :func:`paragraphs`). Abbreviations such as
    "Inc." and "Mr." do not end a sentence.

    >>> t = "Apple Inc. bought Beats. Mr. Cook said so.\nNext line"
    >>> [t[s.start:s.end] for s in sentences(t)]
    ['Apple Inc. bought Beats.', 'Mr. Cook said so.', 'Next line']
    >>> w = "Acme Corp said it agreed to buy\nFoo Inc for 12 mln dlrs."
    >>> [w[s.start:s.end] for s in sentences(w)] == [w]
    True
    """
    out: list[Sentence] = []
    for pstart, pend in paragraphs(text):
        cut = pstart
        for m in _SENT_END.finditer(text, pstart, pend):
            if m.group(0)[0] == "!" and text[cut:m.start()].strip(" \t\"'“‘").isalnum():
                continue  # "Yahoo! Buys X": an exclamation mark after the first word is part of a name
            before = text[max(pstart, m.start() - 40):m.start()].rsplit(None, 1)
            word = before[-1].lower().rstrip(".") if before else ""
            if m.group(0)[0] == "." and (word in _ABBREV or len(word) == 1 or _INITIALS.fullmatch(word)) \
                    and not _ends_after_suffix(text, word, m.end()):
                continue
            _add_sentence(out, text, cut, m.end())
            cut = m.end()
        _add_sentence(out, text, cut, pend)
    return out


def _ends_after_suffix(text: str, word: str, at: int) -> bool:
    """Whether the period of a corporate suffix, "U.S." or initials ends a sentence: the next word is a
    function word that starts one, followed by a lower-case word ("… Acme Inc. It also said", "… Pylon Ltd. The price"), not a
    name ("Acme Inc. Chairman Lee") nor a title-case headline ("Acme Inc. Makes Pylon Inc. Its Unit").

    >>> _ends_after_suffix("Pylon Ltd. The price rose", "ltd", 10), _ends_after_suffix("Acme Inc. Its Unit", "inc", 9)
    (True, False)
    """
    if word not in _STRICT_SUFFIXES and word not in ("u.s", "u.k") and not _INITIALS.fullmatch(word):
        return False
    nxt = re.match(r"\s*[\"'“‘(]?([A-Za-z]+)\s+([a-z])", text[at:at + 40])
    return nxt is not None and nxt.group(1).lower() in _OPENERS  # "Canon Inc. Will Make … Inc. Its Unit": a headline


#: Verbs that a title-case headline would capitalise: in lower case they mark a line of prose.
_PROSE_VERBS = frozenset("said says is was were has had have will would".split())

#: Longest sentence analysed in one piece; longer runs (tables, run-on lists) are cut at spaces.
MAX_SENTENCE_CHARS = 800
_BULLET = re.compile(r"[ \t]*(?:[-*+•·▪–—]|\d{1,3}[.)]|\(?[a-z][.)])[ \t]")


def paragraphs(text: str) -> list[tuple[int, int]]:
    r"""The spans of text between hard breaks, where a sentence must end.

    A line break is soft (a wrapped line goes on) unless the next line is
    blank, indented or a list item, or this line is short next to the
    paragraph's longest line and ends without punctuation (a headline, a
    byline, a list of names).

    >>> t = "ACME BUYS FOO\nAcme Corp said it would buy Foo Inc, a maker of\nwidgets, for cash.\n  - Foo said yes"
    >>> [t[a:b] for a, b in paragraphs(t)]
    ['ACME BUYS FOO', 'Acme Corp said it would buy Foo Inc, a maker of\nwidgets, for cash.', '  - Foo said yes']
    """
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    width = max((len(text[a:b].strip()) for a, b in lines), default=0)
    spans: list[tuple[int, int]] = []
    start = None
    for k, (a, b) in enumerate(lines):
        body = text[a:b].strip()
        if not body:
            if start is not None:
                spans.append((start, lines[k - 1][1]))
                start = None
            continue
        if start is None:
            start = a
        elif _hard_break(text, lines[k - 1], (a, b), width):
            spans.append((start, lines[k - 1][1]))
            start = a
    if start is not None:
        spans.append((start, lines[-1][1]))
    return [piece for span in spans for piece in _cut_long(text, span)]


def _hard_break(text: str, prev: tuple[int, int], line: tuple[int, int], width: int) -> bool:
    """Whether the break between two non-blank lines ends a sentence."""
    raw = text[line[0]:line[1]]
    if raw[:1] in (" ", "\t") or _BULLET.match(raw):
        return True
    before = text[prev[0]:prev[1]].rstrip()
    if before.endswith((".", "!", "?", ":", ";", ",", "-", "(")) or not raw.lstrip()[:1].isupper():
        return False  # the sentence splitter decides after terminal punctuation; lower case goes on
    if _BULLET.match(before):
        return True
    # a short line ends its paragraph only if it looks like a headline or a byline, not wrapped prose
    # ("Tradestar Corp said it acquired" / "Image Video Inc for …")
    words = [w for w in before.split() if w[:1].isalpha()]
    capital = sum(1 for w in words if w[0].isupper())
    return len(before.strip()) < 0.6 * width and bool(words) and capital >= 0.6 * len(words) \
        and not _wrapped_mid_sentence(words, raw)


def _wrapped_mid_sentence(words: list[str], following: str = "") -> bool:
    """Whether a short capitalised line is the start of a wrapped sentence rather than a headline: it
    ends in a function word ("Elders IXL Ltd said the"), or it is a name of at most four words with no
    verb of headlines and no byline's "By" ("Continental Health" / "Affiliates Inc said it …"), or of at
    most six when the next line says what it said ("First Harbor Savings and Loan" / "Association of
    Leeds said …"), or it holds a verb in lower case, which title case would capitalise ("Quaker Oats Co
    said Keystone Partners").

    >>> _wrapped_mid_sentence(["Continental", "Health"]), _wrapped_mid_sentence(["Pellam", "Buys", "Driftbox"])
    (True, False)
    """
    lists = word_lists()
    low = [w.lower().strip(".,'\"") for w in words]
    if low[-1] in _FUNCTION or low[-1] in ("said", "says"):
        return True
    if any(w in _PROSE_VERBS for w in words):
        return True  # "Quaker Oats Co said Keystone Partners": title case would write "Said"
    longest = 6 if re.search(r"\b(?:said|says)\b", following[:60]) else 4
    return len(low) <= longest and low[0] not in ("by", "from", "photo", "source") \
        and not any(w in lists["headline_words"] or w in _LEAD_VERBS for w in low)


def _cut_long(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """A span cut into pieces of at most :data:`MAX_SENTENCE_CHARS`, at white space where there is one."""
    a, b = span
    out = []
    while b - a > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", a + MAX_SENTENCE_CHARS // 2, a + MAX_SENTENCE_CHARS)
        cut = cut if cut > a else a + MAX_SENTENCE_CHARS
        out.append((a, cut))
        a = cut
    out.append((a, b))
    return out


def _add_sentence(out: list, text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        words = re.findall(r"[A-Za-z][\w'-]*", text[start:end])
        long_words = [w for w in words if len(w) > 3]
        capital = sum(1 for w in long_words if w[0].isupper())
        headline = len(long_words) >= 3 and capital / len(long_words) >= 0.6
        out.append(Sentence(start, end, headline))


def _namey(t: str) -> bool:
    """A token that can be part of a name by its shape.

    >>> _namey("eBay"), _namey("the"), _namey("")
    (True, False, False)
    """
    if t[:1] == "@" and t[1:].isalnum():
        return True  # "@stake", "@Last Software": a brand written with an at sign
    if not t or not t[0].isalnum():
        return False
    if t[0].isupper():
        return True
    if t[0].islower():
        # eBay, iPhone, video2brain, lynda.com
        return any(c.isupper() or c.isdigit() for c in t[1:]) or _DOMAIN.search(t) is not None
    return t[0].isdigit() and any(c.isalpha() for c in t) and not re.fullmatch(r"\d+(st|nd|rd|th|s)", t)


class _Gazetteer:
    """Known names by folded key, for longest-match lookup over tokens."""

    def __init__(self, gazetteer):
        self.keys: dict[str, object] = {}
        self.max_len = 0
        if gazetteer is None:
            return
        for name, entity in gazetteer.names():
            key = fold(name)
            if key and key not in self.keys:
                self.keys[key] = entity
                self.max_len = max(self.max_len, len(key.split()))


def _kind_of(words: list[str], prev: str | None, lists: dict, known) -> str:
    low = [w.lower() for w in words]
    if known is not None:
        return known.kind
    if " ".join(low) in lists["places"] or (len(low) == 1 and low[0] in lists["places"]):
        return "place"
    if low[-1] in lists["company_suffixes"] and len(low) > 1:
        return "company"
    if any(w in lists["organization_words"] for w in low):
        return "organization"
    if prev and prev.lower().rstrip(".") in lists["person_titles"]:
        return "person"
    if 2 <= len(low) <= 3 and low[0] in lists["first_names"] and all(w[:1].isalpha() for w in words):
        return "person"
    return "unknown"


@dataclass
class _Scan:
    """The tokens of one sentence being scanned for names, with the tests the scan asks of them."""

    text: str
    toks: list
    vocab: set
    lists: dict
    first_word: int = -1
    index_of: dict = field(default_factory=dict)

    def __post_init__(self):
        self.first_word = next((k for k, t in enumerate(self.toks) if t.text[0].isalnum()), -1)
        self.index_of = {t.start: k for k, t in enumerate(self.toks)}

    def stop(self, k: int) -> bool:
        """Whether token ``k`` cannot be a name word: a stop or headline word, or a common word first."""
        lists, tok = self.lists, self.toks[k]
        low = tok.text.lower()
        if tok.text[:1].islower() and any(c.isupper() for c in tok.text[1:]):
            return False  # "iTS Solutions", "eBay": a word written in a brand's own case is no common word
        if low in lists["stop"] or low in ("'s", "’s") or low in lists["headline_words"]:
            return True
        if low == "one" and k + 1 < len(self.toks) and self.toks[k + 1].text.lower() == "of":
            return True  # "Acquires One Of Leeds' Favourite Startups, X": a description, not a name
        if k > 0 and self.toks[k - 1].text == "," and len(low) >= 7 and low.endswith("ing") and low.isalpha():
            return True  # "Acquires X, Gaining Key Technology": a participle starts a clause, not a name
        if "-" in low and all(w in lists["stop"] or w in lists["headline_words"] for w in low.split("-")):
            return True  # "CASH-AND-STOCK", "All-Stock"
        if low == "board" and k >= 3 and [t.text.lower() for t in self.toks[k - 2:k]] == ["of", "the"] \
                and self.toks[k - 3].text.lower() in lists["office_titles"]:
            return True  # "Chairman of the Board": a company's board, not a name
        return low.isupper() is False and low in self.vocab and k == self.first_word and tok.text[0].isupper()

    def office(self, k: int) -> bool:
        """Whether token ``k`` is a capitalised public office or title ("President", "Chancellor")."""
        return self.toks[k].text[0].isupper() and self.toks[k].text.lower() in self.lists["office_titles"]


def find_mentions(text: str, sent: Sentence, index: int, vocab: set, gaz: _Gazetteer,
                  masked: list[tuple[int, int]]) -> list[Mention]:
    """Find the name mentions of one sentence.

    Known names are matched first (longest first); otherwise a name is a run of
    capitalised tokens (:func:`_run_end`), widened by a possessive inside it,
    cut after a description or a title (:func:`_trim`) and typed by its shape.

    Args:
        text: the whole document.
        sent: the sentence.
        index: its index.
        vocab: lower-case words seen in lower case in the document (a
            capitalised word that is also seen in lower case is a common word).
        gaz: known names.
        masked: spans (money, dates) that cannot be part of a name.

    Returns:
        Mentions in text order.

    >>> doc_text = "Brightwater Labs CEO Karen Holt met Pellam."
    >>> [m.text for m in find_mentions(doc_text, Sentence(0, len(doc_text)), 0, set(), _Gazetteer(None), [])]
    ['Brightwater Labs', 'Karen Holt', 'Pellam']
    """
    toks = [t for t in tokens(text[sent.start:sent.end], sent.start) if not _inside(masked, t.start)]
    scan = _Scan(text, toks, vocab, word_lists())
    out: list[Mention] = []
    i, n = 0, len(toks)
    lead = _headline_lead(scan, sent)
    shouting = text[sent.start:sent.end].isupper()  # all capitals: no word is told apart by its case
    # prose, not a title-case headline: lower-case words carry it ("Arden said it sold …")
    prose = sum(1 for t in toks if len(t.text) > 2 and t.text.isalpha() and t.text.islower()) >= 2
    while i < n:
        known = _known_name(scan, gaz, i, index)
        if known:
            out.append(known[0])
            i += known[1]
            continue
        placed = _name_by_place(scan, sent, index, lead, i)
        if placed is not None:
            mention, i = placed
            if mention is not None:
                out.append(mention)
            continue
        if not _namey(toks[i].text) or (scan.stop(i) and not _starts_name(scan, i)) or _series_letter(toks, i):
            i += 1
            continue
        first, j = i, _run_end(scan, i)
        run, i = _with_possessive(scan, first, j)
        # in prose a name that starts the sentence and is followed by its verb is a name as written
        # ("Amoskeag Bank Shares Inc said"), its trade words included
        trimmed = _trim(run, scan.lists, prose and (first != scan.first_word or (
            i < n and toks[i].text.lower() in _SAYS)), acronyms=not shouting)
        if trimmed is None:
            continue
        mention, i = _mention_of(scan, sent, index, trimmed, i)
        if mention is not None:
            out.append(mention)
    _mark_salience(out, scan)
    return out


#: Deal verbs that end a headline's leading name ("Morrow Reuters Acquires …", "IT Robotics to Acquire …").
_LEAD_VERBS = frozenset("acquires buys purchases acquired to".split())
_LEAD_AFTER_TO = frozenset("acquire buy purchase".split())
#: Deal verbs after which the next capitalised words are the target's name.
_DEAL_VERBS = (_LEAD_VERBS | _LEAD_AFTER_TO) - {"to"}


def _headline_lead(scan: _Scan, sent: Sentence) -> tuple[int, int] | None:
    """The tokens ``[start, end)`` of a headline's leading name that holds a stop word, or None.

    In "Morrow Reuters Acquires X" or "IT Robotics to Acquire Y" every capitalised word
    from the headline's start (or a colon) up to the deal verb is the buyer's name, although
    "Reuters" or "IT" alone would not start or continue a name. No word of the run may be a
    headline verb ("Adobe Agrees To Buy"), and the first must not be a stop word, unless written
    in capitals in a headline that is not all capitals.
    """
    toks = scan.toks
    if not sent.headline:
        return None
    verb = next((k for k, t in enumerate(toks[:8]) if t.text.lower() in _LEAD_VERBS and (
        t.text.lower() != "to" or (k + 1 < len(toks) and toks[k + 1].text.lower() in _LEAD_AFTER_TO))), None)
    if verb is None or verb > 6:
        return None
    start = verb
    while start > 0 and (toks[start - 1].text[0].isupper() or toks[start - 1].text[0].isdigit()
                         or toks[start - 1].text == "&"):
        start -= 1
    if start == verb or (start > 0 and toks[start - 1].text not in (":", "]", "|")) \
            or not any(scan.stop(k) for k in range(start, verb)) \
            or any(toks[k].text.lower() in scan.lists["headline_words"] for k in range(start, verb)):
        return None  # "Adobe Agrees To Buy": a verb of the headline is not part of the name
    first = toks[start].text
    caps = first.isupper() and len(first) > 1 and not scan.text[sent.start:sent.end].isupper()
    if first.lower() in scan.lists["stop"] and not caps:
        return None
    return start, verb


def _name_by_place(scan: _Scan, sent: Sentence, index: int, lead, i: int):
    """The name that token ``i`` starts because of where it stands (a headline's leading name,
    a lower-case brand next to a deal verb), as (mention or None, where to go on); None if none."""
    if lead is not None and i == lead[0]:
        trimmed = _trim(scan.toks[lead[0]:lead[1]], scan.lists)
        return _mention_of(scan, sent, index, trimmed, lead[1]) if trimmed else (None, lead[1])
    if _lowercase_name(scan, i):
        return _mention_of(scan, sent, index, ([scan.toks[i]], [scan.toks[i].text], False), i + 1)
    return None


def _lowercase_name(scan: _Scan, k: int) -> bool:
    """Whether the lower-case word ``k`` is a name by its place next to a deal verb.

    A sentence never starts in lower case, so a lower-case first word right before
    "acquires" or "buys" is a brand ("zentrix Acquires …"); and after a capitalised
    verb of a headline, a lower-case word at the end or before "for" is one ("… Acquires
    plovo for …"). Stop words and function words never are.
    """
    toks = scan.toks
    t = toks[k].text
    if not t.isalpha() or not t.islower() or t in scan.lists["stop"] or t in _FUNCTION or len(t) < 3:
        return False
    nxt = toks[k + 1].text.lower() if k + 1 < len(toks) else ""
    if k == 0:
        return nxt in _LEAD_VERBS - {"to"}
    prev = toks[k - 1].text
    return prev[0].isupper() and prev.lower() in _LEAD_VERBS and nxt in ("", "for", "to", "in", ",", ";")


def _known_name(scan: _Scan, gaz: _Gazetteer, i: int, index: int):
    """The longest known name starting at token ``i``, as (mention, tokens), or None."""
    toks, text = scan.toks, scan.text
    for length in range(min(gaz.max_len, len(toks) - i), 0, -1):
        span = toks[i:i + length]
        if not _namey(span[0].text) and not span[0].text[0].isupper():
            continue
        key = fold(text[span[0].start:span[-1].end])
        if key in gaz.keys:
            entity = gaz.keys[key]
            return Mention(span[0].start, span[-1].end, text[span[0].start:span[-1].end], entity.kind, index,
                           known=entity), length
    return None


def _starts_name(scan: _Scan, i: int) -> bool:
    """Whether stop word ``i`` may start a name anyway ("New York", "Vice Premier …", "Founders Fund")."""
    toks, lists = scan.toks, scan.lists
    t = toks[i]
    low = t.text.lower()
    nxt = toks[i + 1].text if i + 1 < len(toks) else ""
    return (
        (low in _NAME_STARTERS and _namey(nxt) and not scan.stop(i + 1))
        # "President Lula", "Chief Executive Officer …", but not "Its First Acquisition"
        or (scan.office(i) and nxt[:1].isupper() and (not scan.stop(i + 1) or scan.office(i + 1)))
        # "Xpeng founder He Xiaopeng"
        or (low == "he" and i > 0 and toks[i - 1].text.lower() in lists["office_heads"] and _namey(nxt)
            and not scan.stop(i + 1))
        # "Founders Fund"; right after a deal verb also "Acquires Accord Technologies"
        or (t.text[0].isupper() and low not in _FUNCTION and nxt.lower() in lists["company_suffixes"] and _namey(nxt)
            and (low not in lists["headline_words"] or (i > 0 and toks[i - 1].text.lower() in _DEAL_VERBS
                                                        and not t.text.isupper())))
    )


def _run_end(scan: _Scan, i: int) -> int:
    """The end (exclusive) of the run of name tokens that starts at token ``i``."""
    toks, lists, n = scan.toks, scan.lists, len(scan.toks)
    j = i + 1
    given = toks[i].text.lower() in lists["first_names"]
    while j < n:
        tj = toks[j].text
        lj = tj.lower()
        titles_only = all(scan.office(k) or toks[k].text.lower() in lists["demonyms"] for k in range(i, j))
        nxt = toks[j + 1].text if j + 1 < n else ""
        if _series_letter(toks, j):
            break
        if _namey(tj) and (not scan.stop(j) or (lj in lists["company_suffixes"] and j > i)):
            j += 1
        elif j > i and _before_suffix(scan, j):
            j += 1  # "PH Acquisition Co", "Harlan Cash Register Company": common words before a corporate suffix
        elif lj == "and" and _and_in_name(toks, j) and not _place_before(toks, j, lists):
            j += 1  # "Sahlen and Associates Inc", "Star Oil and Gas Ltd", "Allen and Co"
        elif given and j == i + 1 and tj[0].isupper() and lj not in _FUNCTION:
            j += 1  # "Jonathan Price": a surname that is also a common word
        elif titles_only and tj[0].isupper() and (scan.office(j) or lj not in _FUNCTION or lj == "he"):
            j += 1  # "Vice Premier He Lifeng": after a title, a capitalised word starts the name
        elif tj[0].isupper() and lj not in _FUNCTION and lj not in lists["headline_words"] and nxt \
                and _namey(nxt) and nxt.lower() in lists["organization_words"]:
            j += 1  # "Qatar Investment Authority": a common word inside an institution's name
        elif tj in ("&", "+") and nxt and _namey(nxt):
            j += 1
        elif tj == "." and (len(toks[j - 1].text) == 1 or toks[j - 1].text in _SAINTS
                            or (_INITIALS.fullmatch(toks[j - 1].text.lower())
                                and toks[j - 1].text.lower() not in lists["places"])) \
                and (toks[j - 1].text.isupper() or toks[j - 1].text in _SAINTS) and nxt \
                and _namey(nxt) and not scan.stop(j + 1) and toks[j].end == toks[j + 1].start - 1:
            j += 1  # "Mark V. Parkinson", "J. Craig Venter", "E.F. Hutton", "St. Louis": an abbreviation inside a name
        elif (lj in lists["joiners"] or (lj in ("of", "for") and toks[j - 1].text.lower() in lists["of_heads"])) \
                and nxt and _namey(nxt) and not scan.stop(j + 1):
            j += 1
        elif lj in ("of", "for") and toks[j - 1].text.lower() in lists["of_heads"] and nxt \
                and scan.stop(j + 1) and _starts_name(scan, j + 1):
            j += 2  # "Bank of New York": a name that starts with a stop word
        elif lj == "of" and _suffix_after_place(toks, j):
            j += 1  # "Cablevision Industries of California Inc", "Union Bancorp of West Virginia Inc"
        else:
            break
    return j


def _suffix_after_place(toks: list, j: int) -> bool:
    """Whether the "of" at ``toks[j]`` is followed by one or two capitalised words and a corporate suffix,
    so that the whole is one company's name ("Industries of California Inc").

    >>> _suffix_after_place(tokens("Cablevision Industries of California Inc said"), 2)
    True
    >>> _suffix_after_place(tokens("the Chief Executive Officer of Tallis Corp"), 4)
    False
    """
    before = toks[j - 1].text.lower() if j else ""
    if not before or before in _STRICT_SUFFIXES or before in word_lists()["office_titles"] \
            or not toks[j - 1].text[:1].isupper():
        return False  # "Chief Executive Officer of Sitoa Corp": a title of a company, not part of its name
    for k in (j + 2, j + 3):
        words = toks[j + 1:k]
        if k < len(toks) and all(t.text[:1].isupper() and t.text.isalpha() for t in words) \
                and toks[k].text.lower() in _STRICT_SUFFIXES:
            return toks[j - 1].text.lower() not in _FUNCTION and len(toks[:j]) > 0 and _run_has_name(toks, j)
    return False


def _run_has_name(toks: list, j: int) -> bool:
    """Whether the word before "of" ends a capitalised run of two words or more ("Cablevision Industries"),
    not a lone title ("chief of")."""
    return j >= 2 and toks[j - 2].text[:1].isupper() and toks[j - 1].text[:1].isupper()


def _before_suffix(scan: _Scan, j: int) -> bool:
    """Whether token ``j`` starts one or two capitalised common words that end in a corporate suffix.

    Such words are part of the name before them ("PH Acquisition Co", "Harlan Cash Register
    Company"), unless one is a function word or a verb of headlines ("Google Buys Acme Corp").
    """
    toks, lists = scan.toks, scan.lists
    for k in range(j, min(j + 2, len(toks) - 1)):
        low = toks[k].text.lower()
        if not toks[k].text[0].isupper() or low in _FUNCTION or (k > j and low in lists["headline_words"]):
            return False
        if toks[k + 1].text.lower() in _STRICT_SUFFIXES | {"company"} and toks[k + 1].text[0].isupper():
            return k == j or toks[j].text.lower() not in lists["headline_words"]
    return False


def _with_possessive(scan: _Scan, first: int, j: int) -> tuple[list, int]:
    """The run ``toks[first:j]`` widened by a possessive that belongs to the name, and where to go on."""
    toks, n = scan.toks, len(scan.toks)
    if j >= n or toks[j].text not in ("'s", "’s"):
        return toks[first:j], j
    # "Macy's rejects", "Byju's raises": a possessive followed by a verb or the end belongs to the name
    if _possessive_in_name(toks, j, scan.text, scan.lists):
        return toks[first:j + 1], j + 1
    # "Heinl's Nursery Inc", "Scott's Hospitality Inc": a possessive inside a company's name, but not after a
    # name that a suffix already ends ("Halden Corp's Orvane Credit Corp" is two companies)
    if toks[j - 1].text.lower() in _STRICT_SUFFIXES:
        return toks[first:j], j
    k = j + 1
    while k < n and k < j + 5 and _namey(toks[k].text) and not scan.stop(k):
        k += 1
    if k > j + 1 and toks[k - 1].text.lower() in ("inc", "corp", "co", "ltd", "plc", "llc", "corporation",
                                                "limited", "company", "group"):
        return toks[first:k], k
    return toks[first:j], j


def _trim(run: list, lists: dict, prose: bool = False, acronyms: bool = True):
    """A run without the description or title in front of the name, as (run, words, titled); None if no name.

    In prose (``prose``: a sentence carried by lower-case words, the run not its first word) a capitalised
    trade word inside a run that ends in a corporate suffix is part of the name ("said Security Pacific
    Corp", "Convenient Food Mart Inc"): a description there is written in lower case ("chipmaker Pylon Corp").
    """
    # "Battery Startup Maxwell", "German manufacturer Volkswagen": the name follows the descriptor
    words = [r.text.lower() for r in run]
    cut = 0
    for k, w in enumerate(words[:-1]):
        # a nationality starts a description only before a trade word ("German Manufacturer
        # Volkswagen"), not in a name ("American Express", "British Airways")
        trade = (w in lists["descriptors"] and w not in lists["demonyms"]) \
            or (k > 0 and w in lists["description_heads"]) \
            or w.rpartition("-")[2] in ("based", "backed", "owned", "funded", "headquartered")  # "Hawaii-Based X"
        if (trade or (w in lists["demonyms"] and words[k + 1] in lists["descriptors"])) and words[k + 1] != "of":
            cut = k + 1
    if all(w in lists["company_suffixes"] or w in lists["organization_words"] for w in words[cut:]) \
            or (cut < len(words) and words[cut] in ("&", "+", "and")) \
            or (prose and words[-1] in _STRICT_SUFFIXES
                and not any(w in lists["demonyms"] or w in _GENERIC_TAIL for w in words[:cut])):
        cut = 0  # "Harlow Media Group", "Velmora Research & Technology": the descriptor is part of the name
    run, words = run[cut:], words[cut:]
    # "Chancellor Olaf Scholz", "Treasury Secretary Janet Yellen": the title is not the name
    titled = False
    heads = [k for k, w in enumerate(words[:-1]) if w in lists["office_heads"]
             and all(x in lists["office_titles"] or x in lists["demonyms"] for x in words[:k + 1])]
    if heads:
        run, words, titled = run[heads[-1] + 1:], words[heads[-1] + 1:], True
    if all(w in lists["office_titles"] or (titled and w in lists["office_heads"]) for w in words):
        return None  # "Chief Executive Officer", "Commissioner General": a title, not a person
    if not run or all(w in lists["demonyms"] or w in lists["descriptors"] and len(words) == 1 for w in words):
        return None
    if len(run) == 1 and (words[0] in lists["company_suffixes"] | lists["descriptors"]) and acronyms \
            and _acronym(run[0].text):
        return run, words, titled  # "SAS Acquires X": an acronym of three capitals or more is a name
    if len(run) == 1 and (words[0] in lists["company_suffixes"] | lists["descriptors"]
                          or words[0] in _GENERIC_TAIL or words[0] in ("business", "businesses")):
        return None  # "Acquires the Business of X": a common noun, capitalised
    if len(run) > 1 and words[-1] in _GENERIC_TAIL and words[-1] not in lists["company_suffixes"]:
        return None  # "NEW VIDEO STARTUP", "Fintech Firm": a description, not a name
    return run, words, titled


def _acronym(word: str) -> bool:
    """Whether a word is written as an acronym: three capitals or more.

    >>> _acronym("SAS"), _acronym("AG"), _acronym("Group")
    (True, False, False)
    """
    return len(word) >= 3 and word.isalpha() and word.isupper()


def _mention_of(scan: _Scan, sent: Sentence, index: int, trimmed: tuple, i: int):
    """The mention of a trimmed run, with a trailing period or ", Inc." it owns, and where to go on."""
    run, words, titled = trimmed
    text, toks, n = scan.text, scan.toks, len(scan.toks)
    end = run[-1].end
    if text[end:end + 6].lower() in ("-based", "-born") or text[end:end + 14].lower() == "-headquartered":
        return None, i  # "Madison-based Shopbop": a place in a description
    # "Calloway Inc. purchased": the abbreviation's period belongs to the name
    if words[-1] in ("inc", "corp", "co", "ltd", "plc", "bros") and text[end:end + 1] == "." \
            and end + 1 < sent.end:
        end += 1
    if text[end:end + 2] == "! " and end + 2 < sent.end:
        end += 1  # "Yahoo! Buys X": the sentence goes on, so the mark is the name's
    # "Aruba Networks, Inc., acquired": a corporate suffix after a comma belongs to the name; so does a
    # person's generational suffix ("Frank Hale, Jr., a chemist")
    suffix = _COMMA_SUFFIX.match(text, end, sent.end) or _GENERATION.match(text, end, sent.end)
    if suffix:
        end = suffix.end()
        while i < n and toks[i].start < end:
            i += 1
    k0 = scan.index_of[run[0].start]
    prev = toks[k0 - 1].text if k0 > 0 else None
    kind = _kind_of([r.text for r in run], prev, scan.lists, None)
    if titled and kind == "unknown":
        kind = "person"
    return Mention(run[0].start, end, " ".join(text[run[0].start:end].split()), kind, index), i


def _mark_salience(out: list[Mention], scan: _Scan) -> None:
    """Mark mentions after a preposition (and names coordinated with one) as not salient."""
    toks, last = scan.toks, None
    for m in out:
        k = scan.index_of.get(m.start, 0)
        # "approval from the Maine Bureau": a determiner does not end the prepositional phrase
        k0 = k - 1 if k > 1 and toks[k - 1].text.lower() in ("the", "a", "an") else k
        before = toks[k0 - 1].text.lower() if k0 > 0 else ""
        m.salient = before not in _PREPOSITIONS
        # "from Sequoia and Blackbird": a name coordinated with one after a preposition is not salient either
        if before in ("and", "&", ",", "or") and last is not None and not last.salient \
                and toks[k - 2].end == last.end if k > 1 else False:
            m.salient = False
        last = m


def _and_in_name(toks: list, j: int) -> bool:
    """Whether the "and" at ``toks[j]`` joins two parts of one company's name.

    It does when one capitalised word after it ends in a corporate suffix ("Frost and Sullivan
    Inc", "Savings and Loan Association") or is the suffix "Co" itself ("Allen and Co"), and the
    word before it is not a suffix (which would end the first of two names).

    >>> _and_in_name(tokens("Frost and Sullivan Inc said"), 1)
    True
    >>> _and_in_name(tokens("Acme Corp and Foo Inc said"), 2)
    False
    """
    n = len(toks)
    if j == 0 or j + 1 >= n or toks[j - 1].text.lower() in _STRICT_SUFFIXES | {"company"}:
        return False
    nxt = toks[j + 1].text
    if nxt.lower() in ("co", "company"):
        return True
    if not (_namey(nxt) and nxt[0].isupper() and nxt.lower() not in _FUNCTION):
        return False
    # "Frost and Sullivan Inc", "D and K Financial Corp": one or two capitalised words, then the suffix
    ends = _STRICT_SUFFIXES | {"association"}
    return (j + 2 < n and toks[j + 2].text.lower() in ends) or (
        j + 3 < n and toks[j + 2].text[:1].isupper() and toks[j + 2].text.lower() not in _FUNCTION
        and toks[j + 3].text.lower() in ends)


def _place_before(toks: list, j: int, lists: dict) -> bool:
    """Whether the one or two words before ``toks[j]`` name a place ("Acme Inc of New York and …").

    >>> _place_before(tokens("Pellam of New York and Tallis Inc"), 4, word_lists())
    True
    """
    words = [t.text.lower() for t in toks[max(0, j - 2):j]]
    return words[-1] in lists["places"] or " ".join(words) in lists["places"]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether ``pos`` falls in one of ``spans`` (sorted by start, not overlapping much).

    >>> _inside([(0, 3), (10, 12)], 11), _inside([(0, 3), (10, 12)], 5)
    (True, False)
    """
    k = bisect_right(spans, (pos, float("inf"))) - 1
    return any(spans[j][0] <= pos < spans[j][1] for j in range(max(0, k - 2), k + 1))


def _possessive_in_name(toks: list, j: int, text: str, lists: dict) -> bool:
    """Whether the "'s" at ``toks[j]`` ends a name ("Macy's rejects") rather than marks a possessive."""
    if j + 1 == len(toks):
        return text[toks[j].end:].strip() in ("", ".", "!", "?")
    nxt = toks[j + 1]
    if text[toks[j].end:nxt.start].strip():
        return False  # something masked (money, a date) sits between: "Blackstone's $6 billion purchase"
    low = nxt.text.lower()
    if not nxt.text[0].isalnum():
        return nxt.text in (",", ";", ":")
    return low in _SAYS or (low in lists["headline_words"] and low.endswith("s") and low not in _POSS_NOUNS)


def _series_letter(toks: list, k: int) -> bool:
    """"Series B", "Series A-1": the round's letter is not a name."""
    t = toks[k].text
    return k > 0 and toks[k - 1].text.lower() == "series" and len(t) <= 3 and t[:1].isupper() and \
        (len(t) == 1 or not t[1:].isalpha())


def _may_be_alike(a: str, b: str) -> bool:
    """A cheap bound: names whose lengths differ this much cannot reach a 0.9 similarity."""
    la, lb = len(a), len(b)
    return 2 * min(la, lb) >= 0.9 * (la + lb) or a.replace(" ", "") == b.replace(" ", "")


def _cluster(mentions: list[Mention], clusters: list[Cluster], context: set, text: str = "") -> None:
    """Group mentions of one entity; a later short name joins an earlier long one, and an abbreviation in
    parentheses right after a name whose initials it spells joins that name ("Arden Tasman Ltd (ATL)")."""
    persons: dict[str, int] = {}  # surname and given-name tokens → cluster
    by_core: dict[str, int] = {}
    prev = None
    for m in mentions:
        if m.anaphor:
            continue
        canon = canonical_spelling(m.text, context)
        name = canon or m.text
        key = core_key(name)
        idx = prev.cluster if prev is not None and (_abbreviates(text, prev, m) or _spelled_out(text, prev, m)) \
            else None
        if idx is None:
            idx = _existing_cluster(m, name, key, clusters, persons, by_core)
        prev = m
        if idx is None:
            idx = len(clusters)
            clusters.append(Cluster(name, m.kind, [], m.known))
        _join(m, idx, clusters[idx], name, canon, persons)
        by_core.setdefault(key, idx)
    for m in mentions:
        if not m.anaphor and m.cluster >= 0:
            m.kind = clusters[m.cluster].kind
    for cl in clusters:
        if cl.known is None and canonical_spelling(cl.name, context) is None and cl.surfaces:
            cl.name = _usual_spelling(cl.surfaces, cl.name)


def _abbreviates(text: str, named, short) -> bool:
    """Whether mention ``short`` is an abbreviation in parentheses right after ``named`` that spells its
    initials, small words left out or kept ("Institute for Genomic Research (IGR)").

    >>> t = "Arden Tasman Ltd (ATL) said"
    >>> _abbreviates(t, Mention(0, 16, "Arden Tasman Ltd", "company", 0), Mention(18, 21, "ATL", "unknown", 0))
    True
    """
    if not text or text[named.end:short.start] != " (" or text[short.end:short.end + 1] != ")" \
            or not short.text.isupper() or not 2 <= len(short.text) <= 6 or named.kind == "person":
        return False
    words = re.findall(r"[A-Za-z][\w'-]*", named.text)
    initials = "".join(w[0] for w in words).upper()
    big = "".join(w[0] for w in words if w.lower() not in _FUNCTION).upper()
    return short.text in (initials, big)


def _spelled_out(text: str, short, named) -> bool:
    """Whether mention ``named`` spells out the abbreviation ``short`` just before it, after a comma
    ("to acquire AMAC, American Medical Alert Corp.": one company).

    >>> t = "buys ATL, Arden Tasman Ltd"
    >>> _spelled_out(t, Mention(5, 8, "ATL", "unknown", 0), Mention(10, 26, "Arden Tasman Ltd", "company", 0))
    True
    """
    if not text or text[short.end:named.start] != ", " or not short.text.isalpha() or not short.text.isupper() \
            or not 2 <= len(short.text) <= 6 or named.kind == "person":
        return False
    words = re.findall(r"[A-Za-z][\w'-]*", named.text)
    return short.text in ("".join(w[0] for w in words).upper(),
                          "".join(w[0] for w in words if w.lower() not in _FUNCTION).upper())


def _existing_cluster(m: Mention, name: str, key: str, clusters: list[Cluster], persons: dict,
                      by_core: dict) -> int | None:
    """The cluster a mention belongs to: same core name, same known entity, a surname, a near spelling."""
    idx = by_core.get(key)
    if idx is None and m.known is not None:
        idx = next((c for c, cl in enumerate(clusters) if cl.known is m.known), None)
    if idx is None and len(name.split()) == 1 and m.kind in ("person", "unknown"):
        idx = persons.get(fold(name))
    if idx is None and len(key) >= 5:
        # the nearest clusters only, so a long document stays linear
        for c in range(max(0, len(clusters) - 300), len(clusters)):
            cl = clusters[c]
            if (cl.kind == "person") == (m.kind == "person") and _may_be_alike(core_key(cl.name), key) \
                    and similarity(cl.name, name) >= 0.9:
                return c
    if idx is None and (m.kind == "person" or fold(name) in word_lists()["first_names"]):
        idx = _sounds_like(name, clusters)
    if idx is None and m.kind not in ("person", "place") and len(name.split()) == 1:
        idx = _first_word_of(name, clusters)
    if idx is None and 2 <= len(name) <= 6 and name.isalpha() and name.isupper():
        idx = _initials_of(name, clusters)
    return idx


def _initials_of(short: str, clusters: list[Cluster]) -> int | None:
    """The one earlier organisation whose name's initials an abbreviation spells ("TWA" after "Trans World
    Airlines Inc"), corporate suffixes and small words left out; None when none or several do."""
    hits = []
    for c in range(max(0, len(clusters) - 300), len(clusters)):
        words = [w for w in re.findall(r"[A-Za-z][\w'-]*", clusters[c].name)
                 if w.lower() not in _STRICT_SUFFIXES and w.lower() not in _FUNCTION]
        if clusters[c].kind != "person" and len(words) == len(short) > 1 \
                and "".join(w[0] for w in words).upper() == short:
            hits.append(c)
    return hits[0] if len(hits) == 1 else None


def _first_word_of(name: str, clusters: list[Cluster]) -> int | None:
    """The one earlier company whose name starts with this one-word name ("Carling" after "Carling O'Keefe
    Ltd", "Elders" after "Elders IXL Ltd"), or None when there is none or more than one."""
    key = fold(name)
    hits = [c for c in range(max(0, len(clusters) - 300), len(clusters))
            if clusters[c].kind != "person" and len(clusters[c].name.split()) > 1
            and fold(clusters[c].name.split()[0]) == key]
    return hits[0] if len(hits) == 1 else None


def _join(m: Mention, idx: int, cl: Cluster, name: str, canon: str | None, persons: dict) -> None:
    """Add a mention to cluster ``idx``: its surface, its kind, a longer or canonical name, a person's name words."""
    m.cluster = idx
    cl.surfaces.append(m.text)
    if cl.kind == "unknown" and m.kind != "unknown":
        cl.kind = m.kind
    if m.kind == "person" or cl.kind == "person":
        cl.kind = "person"
        for w in name.split()[1:] if len(name.split()) > 1 else []:
            persons.setdefault(fold(w), idx)
    if len(name) > len(cl.name) and (canon or cl.known is None):
        cl.name = name
    if canon:
        cl.name = canon
    m.kind = cl.kind if cl.kind != "unknown" else m.kind


def _usual_spelling(surfaces: list[str], current: str) -> str:
    """The name a document uses most for an entity, among its fullest spellings ("Lei Jun" over one "Lee Jun").

    >>> _usual_spelling(["Lee Jun", "Lei Jun", "Lei Jun", "Jun"], "Lee Jun")
    'Lei Jun'
    """
    from collections import Counter

    longest = max(len(s.split()) for s in surfaces)
    full = [s for s in surfaces if len(s.split()) == longest]
    counts, first = Counter(full), {}
    for k, s in enumerate(full):
        first.setdefault(s, k)
    best = max(counts, key=lambda s: (counts[s], len(s), -first[s]))
    return best if len(best) >= len(current) or counts[best] > 1 else current


def _sounds_like(name: str, clusters: list[Cluster]) -> int | None:
    """The one person cluster a name sounds like, word for word ("Lee Jun" and "Lei Jun"), or whose
    given or family name a lone name sounds like ("John" for a "Jun" of the same document).

    A match holds only inside the document, and only when it is unambiguous.
    """
    from kg.resolve import sound_key

    words = [sound_key(w) for w in name.split()]
    hits = []
    for c, cl in enumerate(clusters):
        if cl.kind != "person":
            continue
        theirs = [sound_key(w) for w in cl.name.split()]
        if (len(words) > 1 and words == theirs) or (len(words) == 1 and len(theirs) > 1 and words[0] in theirs):
            hits.append(c)
    return hits[0] if len(hits) == 1 else None


_ANAPHOR_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ANAPHORS), key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)


@lru_cache(maxsize=1)
def _anaphor_re() -> re.Pattern:
    """Anaphors: the fixed phrases of :data:`kg.resolve.ANAPHORS`, and "the" + up to two
    nationality or trade words + a company noun ("the Japanese company", "the German automaker")."""
    lists = word_lists()
    mods = sorted((w for w in lists["demonyms"] | lists["descriptors"] if w.isalpha() and len(w) > 2),
                  key=len, reverse=True)
    heads = "company|firm|group|carmaker|automaker|startup|maker|chipmaker|lender|bank|retailer|insurer|conglomerate"
    # nouns that name an organisation on their own ("The newspaper was established in 1844 by …")
    bodies = ("newspaper|magazine|school|university|college|foundation|institute|association|society|charity|"
              "museum|organization|organisation|party|band|label|agency|publisher|airline|club")
    described = (rf"the\s(?:(?:{'|'.join(mods)})[\s-]){{1,2}}(?:{heads})"
                 rf"|the\s(?:(?:{'|'.join(mods)})[\s-]){{0,2}}(?:{bodies})")
    # a wrapped line may break inside the phrase ("the\ncompany")
    fixed = "|".join(re.escape(a).replace(r"\ ", r"\s") for a in sorted(ANAPHORS, key=len, reverse=True))
    return re.compile(rf"\b({described}|{fixed})\b", re.IGNORECASE)


def _subject_first(near: list[Mention], kind: str, position: int, si: int) -> list[Mention]:
    """The candidates for an anaphor in subject position: when its sentence names no compatible entity
    before it, the subject of the last sentence that does (its first salient name) is preferred to
    that sentence's objects ("Wells Fargo acquired Alaska Bank. It also acquired …": Wells Fargo)."""
    person = kind == "person"
    fits = [x for x in near if x.start < position and (x.kind == "person") == person]
    if not fits or any(x.sentence == si for x in fits):
        return near
    last = max(x.sentence for x in fits)
    first = next((x for x in fits if x.sentence == last and x.salient), None)
    return [first] if first is not None else near


def _anaphors(text: str, sents: list[Sentence], mentions: list[Mention], clusters: list[Cluster],
              masked: list[tuple[int, int]]) -> list[Mention]:
    from bisect import bisect_right, insort

    taken = sorted([(m.start, m.end) for m in mentions] + masked)
    starts = [s.start for s in sents]
    by_sentence: dict[int, list[Mention]] = {}
    for x in mentions:
        if x.cluster >= 0 and x.kind != "place":
            by_sentence.setdefault(x.sentence, []).append(x)
    found = []
    for m in _anaphor_re().finditer(text):
        if _inside(taken, m.start()) or _inside(taken, m.end() - 1):
            continue
        phrase = " ".join(m.group(1).lower().split())
        if phrase == "it" and re.match(r"\s+(?:is|was)\s+(?:said|reported|expected|likely|not|possible|unclear|understood)\b",
                                       text[m.end():m.end() + 30]):
            continue  # "it is said that …" has no antecedent
        if re.match(r"\s+of\s+[A-Z]", text[m.end():m.end() + 6]):
            continue  # "the business of Zeta Labs": the noun names a part of the company that follows
        if m.group(1).lower().startswith("the ") and _inside(taken, m.end() + 1) and text[m.end():m.end() + 1] == " ":
            continue  # "the band Pellam", "the company Quist": the noun is in apposition to the name that follows
        kind = ANAPHORS.get(phrase, "org")  # "the Japanese company", "the robotics startup"
        si = max(0, bisect_right(starts, m.start()) - 1)
        before = text[max(0, m.start() - 20):m.start()].split()
        after_prep = bool(before) and before[-1].lower() in _PREPOSITIONS
        near = [x for k in range(max(0, si - 2), si + 1) for x in by_sentence.get(k, ())
                if not _possessor(text, x, by_sentence.get(k, ()))]
        if not after_prep:
            near = _subject_first(near, kind, m.start(), si)
        ante = antecedent(kind, near, m.start(), sentence=si, recency=after_prep)
        if ante is None:
            continue
        new = Mention(m.start(), m.end(), m.group(1), ante.kind, si, not after_prep, True, ante.cluster)
        insort(by_sentence.setdefault(si, []), new, key=lambda x: x.start)
        found.append(new)
    return sorted(mentions + found, key=lambda x: x.start)


def _possessor(text: str, m: Mention, same: list) -> bool:
    """Whether a mention owns the name right after it ("Kraft Inc's Pellam unit said it": "it" is the unit).

    >>> t = "Orrin Corp's Pellam unit"
    >>> _possessor(t, Mention(0, 10, "Orrin Corp", "company", 0), [Mention(13, 19, "Pellam", "unknown", 0)])
    True
    """
    if text[m.end:m.end + 3] not in ("'s ", "’s "):
        return False
    return any(x.start == m.end + 3 for x in same)


def analyse(text: str, gazetteer=None) -> Document:
    """Find sentences, quantities, mentions and entity clusters in a text.

    Args:
        text: the document.
        gazetteer: a :class:`kg.resolve.Gazetteer` of known names, or None.

    Returns:
        A :class:`Document`.
    """
    sents = sentences(text)
    money = find_money(text)
    money_spans = [(m.start, m.end) for m in money]
    dates = [d for d in find_dates(text) if not _inside(money_spans, d.start)]
    masked = sorted(money_spans + [(d.start, d.end) for d in dates])
    counts = [c for c in find_counts(text) if not _inside(masked, c.start)
              and not (text[c.start:c.end].isdigit() and len(text[c.start:c.end]) == 4 and "%" not in text[c.start:c.end + 1])]
    vocab = {w for w in re.findall(r"\b[a-z][a-z'-]+\b", text)}
    gaz = _Gazetteer(gazetteer)
    mentions: list[Mention] = []
    for i, s in enumerate(sents):
        mentions.extend(find_mentions(text, s, i, vocab, gaz, masked))
    context = {fold(m.text) for m in mentions}
    clusters: list[Cluster] = []
    _cluster(mentions, clusters, context, text)
    mentions = _anaphors(text, sents, mentions, clusters, sorted(masked + [(c.start, c.end) for c in counts]))
    return Document(text, sents, mentions, clusters, money, dates, counts)
