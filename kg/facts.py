"""The one fact type that every reader produces, and the one writer that turns facts into RDF.

A :class:`Fact` is a relation between two parties (an investment, an
acquisition, a role …) with its date, amount and status, and the
:class:`Evidence` for it: which source said so, where, and how sure the reader
is. The text reader (:mod:`kg.ingest.text`) and the CSV reader
(:mod:`kg.ingest.tabular`) both produce facts; :func:`fact_triples` writes
them, so every source mints the same IRIs for the same things.

Identity: a fact's deal node is keyed by its content (the relation, the two
parties and the year, where one is given), not by the source or the sentence,
so two sources that state the same deal write to the same node, each in its
own named graph. The amount and the evidence are keyed by the deal *and* the
source, so each source's word is kept apart, and two sources that give a
different amount, month or status make a conflict (:mod:`kg.disagreement`), not
two deals. Two rounds in different years stay two deals.

>>> acme = Party("Acme Corp", "Company")
>>> foo = Party("Foo Inc", "Company")
>>> f = Fact("acquired", acme, foo, date="2019-05", date_type="gYearMonth",
...          amount=Amount(47500000, "USD"), status="planned",
...          evidence=(Evidence("news-1", quote="Acme Corp agreed to acquire Foo Inc", start=0, end=35),))
>>> deal_iri(f)
'https://kg.example.org/id/deal/acquired-acme-corp-foo-inc-2019'
>>> len(fact_triples([f], "news-1")) > 10
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Party:
    """One end of a fact: an entity, or a kind of partner (a ``Concept``).

    Attributes:
        name: the best name for it in the source.
        kind: its class's local name (``Company``, ``Person``, ``Organization``,
            ``Project``, ``Concept``).
        iri: the known entity it resolved to, if any; else one is minted from
            ``kind`` and ``name``.
        aliases: other spellings the source used.
        candidate: a known entity it may be (a fuzzy match, for review), never merged.
    """

    name: str
    kind: str = "Company"
    iri: str | None = None
    aliases: tuple[str, ...] = ()
    candidate: str | None = None

    def node_iri(self) -> str:
        """The IRI this party is written under.

        >>> Party("Lei Jun", "Person").node_iri()
        'https://kg.example.org/id/person/lei-jun'
        """
        from kg.schema import entity_iri

        return self.iri or entity_iri(self.kind.lower(), self.name)


@dataclass(frozen=True)
class Amount:
    """A sum of money: ``value`` in ``currency`` (ISO 4217), maybe approximate."""

    value: Decimal | int
    currency: str
    approximate: bool = False


@dataclass(frozen=True)
class Evidence:
    """Where a source states a fact.

    Attributes:
        source: the source's id (a document id, or a file name).
        quote: the supporting passage, if the source is text.
        start, end: character offsets of the quote in the document.
        line: the line of the record, if the source is a table.
        rule: the extraction rule or mapping that produced the fact.
        confidence: how sure the reader is, from 0 to 1.
    """

    source: str
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    line: int | None = None
    rule: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Fact:
    """A relation between two parties, as one source states it.

    Attributes:
        relation: a derived relation's name (``investedIn``, ``acquired`` …, see
            :mod:`kg.rules`).
        subject, object: the parties, in the relation's direction; ``object`` is
            ``None`` for a partner search that names no partner.
        date: the date as written at its precision (``2019``, ``2019-05``,
            ``2020-Q4``, ``2019-05-03``), with ``date_type`` its XSD type name
            (``gYear``, ``gYearMonth``, ``date``) or ``quarter``.
        amount: the sum involved, if any.
        status: ``rumored``, ``reported``, ``planned``, ``proposed``,
            ``declined`` or ``completed``.
        evidence: every passage or record that supports it.
        label: a human label for the deal node; a default is made from the names.
    """

    relation: str
    subject: Party
    object: Party | None
    date: str | None = None
    date_type: str | None = None
    amount: Amount | None = None
    status: str = "reported"
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    label: str | None = None


@dataclass(frozen=True)
class Observation:
    """A figure a source reports about a subject for a period ("Xpeng's sales grew 326% in Q4 2020").

    Attributes:
        subject: the company, or a market (a ``Concept`` party).
        metric: what is measured (``sales growth``, ``cars sold``).
        value: the figure; ``unit`` its unit (``percent``, ``cars``) if any.
        approximate: the source hedged the figure ("about 500,000").
        period: the period at its precision, with ``period_type`` as for a fact's date.
        reported_by: who the source credits for the figure, if anyone.
        status: as for :class:`Fact`.
        evidence: the passages that state it.
    """

    subject: Party
    metric: str
    value: Decimal | int | float
    unit: str | None = None
    approximate: bool = False
    period: str | None = None
    period_type: str | None = None
    reported_by: Party | None = None
    status: str = "reported"
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)


def observation_iri(obs: Observation) -> str:
    """The IRI of an observation's node, keyed by its content (subject, metric, period), not its source.

    >>> observation_iri(Observation(Party("Acme"), "cars sold", 10, period="2020"))
    'https://kg.example.org/id/observation/acme-cars-sold-2020'
    """
    from kg.ontology import entity_iri

    subject = obs.subject.node_iri().rsplit("/", 1)[-1]
    return entity_iri("observation", "-".join([subject, obs.metric, *([obs.period] if obs.period else [])]))


def _deal_shape(relation: str) -> tuple[str, str, str, str | None]:
    """The deal class, subject role, object role and role concept that produce ``relation``."""
    from kg.schema import load

    for r in load().relations:
        if r.name == relation:
            return r.deal_class, r.subject_role, r.object_role, r.role
    raise ValueError(f"unknown relation {relation!r}")


def deal_key(fact: Fact) -> str:
    """The content key of a fact: relation, parties (sorted when symmetric) and year.

    >>> a, b = Party("B Co"), Party("A Co")
    >>> deal_key(Fact("partnerOf", a, b)) == deal_key(Fact("partnerOf", b, a))
    True
    """
    from kg.schema import load

    ends = [fact.subject.node_iri(), fact.object.node_iri() if fact.object else "none"]
    if fact.relation in load().symmetric_relations:
        ends.sort()
    names = [e.rsplit("/", 1)[-1] for e in ends]
    return "-".join([fact.relation, *names, *([fact.date[:4]] if fact.date else [])])


def deal_iri(fact: Fact) -> str:
    """The IRI of the deal node that a fact is written to (the same for every source)."""
    from kg.schema import deal_iri as mint_deal

    return mint_deal(deal_key(fact))


class _Writer:
    """Collects the triples of a list of facts for one source, without repeats."""

    def __init__(self, source: str):
        import pyoxigraph as ox

        from kg.schema import KG, RDF, source_iri

        self.ox, self.KG = ox, KG
        self.source = source
        self.src = ox.NamedNode(source_iri(source))
        self.a = ox.NamedNode(RDF + "type")
        self.triples: dict = {}
        self.entities: dict[str, tuple[str, str, set]] = {}

    def add(self, s, p: str, o) -> None:
        self.triples[self.ox.Triple(s, self.ox.NamedNode(p), o)] = None

    def lit(self, value, dtype: str | None = None):
        from kg.ontology import XSD

        if dtype is None:
            return self.ox.Literal(str(value))
        iri = self.KG + dtype if dtype == "quarter" else XSD + dtype
        return self.ox.Literal(str(value), datatype=self.ox.NamedNode(iri))

    def party(self, p: Party):
        iri = p.node_iri()
        kind, label, aliases = self.entities.setdefault(iri, (p.kind, p.name, set()))
        aliases.update(p.aliases)
        aliases.add(p.name)
        node = self.ox.NamedNode(iri)
        if p.candidate and p.candidate != iri:
            self.add(node, self.KG + "possibleSameAs", self.ox.NamedNode(p.candidate))
        return node

    def evidence(self, key: str, ev: Evidence):
        from kg.schema import evidence_iri

        where = ev.start if ev.start is not None else ev.line
        node = self.ox.NamedNode(evidence_iri(self.source, f"{key}-{where}-{ev.rule or ''}"))
        K = self.KG
        self.add(node, self.a.value, self.ox.NamedNode(K + "Evidence"))
        self.add(node, K + "source", self.src)
        for name, value, dtype in (("quote", ev.quote, None), ("start", ev.start, "integer"),
                                   ("end", ev.end, "integer"), ("line", ev.line, "integer"),
                                   ("rule", ev.rule, None)):
            if value is not None:
                self.add(node, K + name, self.lit(value, dtype))
        if ev.confidence is not None:
            self.add(node, K + "confidence", self.lit(f"{ev.confidence:.2f}", "decimal"))
        return node

    def amount(self, deal: str, amount: Amount):
        from kg.schema import amount_iri

        node = self.ox.NamedNode(amount_iri(deal, self.source))
        K = self.KG
        self.add(node, self.a.value, self.ox.NamedNode(K + "MonetaryAmount"))
        self.add(node, K + "value", self.lit(amount.value, "decimal"))
        self.add(node, K + "currency", self.lit(amount.currency))
        self.add(node, K + "approximate", self.lit("true" if amount.approximate else "false", "boolean"))
        return node

    def fact(self, f: Fact) -> None:
        from kg.ontology import RDFS

        ox, K = self.ox, self.KG
        cls, srole, orole, role = _deal_shape(f.relation)
        key = deal_key(f)
        deal = ox.NamedNode(deal_iri(f))
        self.add(deal, self.a.value, ox.NamedNode(K + cls))
        label = f.label or f"{f.subject.name} {f.relation} {f.object.name if f.object else 'a partner'}"
        self.add(deal, RDFS + "label", self.lit(label))
        self.add(deal, K + srole, self.party(f.subject))
        if f.object is not None:
            concept = f.object.kind == "Concept" and cls == "PartnerSearch"
            self.add(deal, K + ("soughtPartnerKind" if concept else orole), self.party(f.object))
        if role:
            self.add(deal, K + "role", ox.NamedNode(K + role))
        self.add(deal, K + "status", ox.NamedNode(K + f.status.capitalize()))
        if f.date:
            self.add(deal, K + "date", self.lit(f.date, f.date_type or "gYear"))
        if f.amount is not None:
            self.add(deal, K + "amount", self.amount(deal.value, f.amount))
        for ev in f.evidence:
            self.add(deal, K + "evidence", self.evidence(key, ev))

    def observation(self, o: Observation) -> None:
        from kg.ontology import RDFS

        ox, K = self.ox, self.KG
        node = ox.NamedNode(observation_iri(o))
        key = node.value.rsplit("/", 1)[-1]
        self.add(node, self.a.value, ox.NamedNode(K + "Observation"))
        self.add(node, RDFS + "label", self.lit(f"{o.subject.name}: {o.metric}" + (f", {o.period}" if o.period else "")))
        self.add(node, K + "subject", self.party(o.subject))
        self.add(node, K + "metric", self.lit(o.metric))
        self.add(node, K + "value", self.lit(o.value, "decimal"))
        if o.unit:
            self.add(node, K + "unit", self.lit(o.unit))
        if o.approximate:
            self.add(node, K + "approximate", self.lit("true", "boolean"))
        if o.period:
            self.add(node, K + "period", self.lit(o.period, o.period_type or "gYear"))
        if o.reported_by is not None:
            self.add(node, K + "reportedBy", self.party(o.reported_by))
        self.add(node, K + "status", ox.NamedNode(K + o.status.capitalize()))
        for ev in o.evidence:
            self.add(node, K + "evidence", self.evidence(key, ev))

    def finish(self) -> list:
        from kg.ontology import RDFS, SKOS
        from kg.resolve import fold

        ox, K = self.ox, self.KG
        for iri, (kind, label, aliases) in self.entities.items():
            node = ox.NamedNode(iri)
            self.add(node, self.a.value, ox.NamedNode(K + kind))
            self.add(node, RDFS + "label", self.lit(label))
            if kind == "Concept":
                self.add(node, SKOS + "inScheme", ox.NamedNode(K + "KindScheme"))
            for alias in sorted(aliases):
                if fold(alias) != fold(label):
                    self.add(node, SKOS + "altLabel", self.lit(alias))
        return list(self.triples)


def fact_triples(facts, source: str) -> list:
    """The RDF of one source's facts: deal nodes, parties, amounts and evidence.

    Args:
        facts: :class:`Fact` (and :class:`Observation`) objects, all from the same source.
        source: the source's id; amounts and evidence are minted per source.

    Returns:
        A list of ``pyoxigraph.Triple``, without repeats, in a stable order.

    Raises:
        ValueError: a fact names a relation the schema does not know.
    """
    writer = _Writer(source)
    for f in facts:
        if isinstance(f, Observation):
            writer.observation(f)
        else:
            writer.fact(f)
    return writer.finish()
