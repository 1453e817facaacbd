"""Strict values: amounts, dates and currencies, exactly valid or refused.

One place decides what a valid amount, date and currency is, for CSV cells
(:mod:`kg.ingest.mapping`) and for RDF literals (:mod:`kg.ingest.rdf`, and the
bulk path's check of a loaded graph). Loose parsing is what let ``"1,5"``
load as 15 and ``1e400`` load as an ``xsd:decimal`` that no SPARQL engine can
add up, which emptied every aggregate it met.

* An amount is digits with an optional decimal point, optionally grouped by
  thousands with commas (``1,500,000``), optionally after one currency
  symbol; no exponent, no sign; at most :data:`MAX_AMOUNT` and
  :data:`MAX_FRACTION_DIGITS` digits after the point, so that the sum of a
  great many amounts still fits Oxigraph's decimals (about 1.7e20).
* A date is an ``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date`` that exists
  in the calendar, with a year in :data:`MIN_YEAR`..:data:`MAX_YEAR`.
* A currency is an ISO 4217 code listed in the shapes (``ontology/shapes.ttl``).

>>> parse_amount("$1,500,000"), parse_amount("0"), parse_amount("")
(Decimal('1500000'), None, None)
>>> parse_amount("1,5")
Traceback (most recent call last):
...
ValueError: unparseable amount '1,5'
>>> date_problem("2019-13-45", "date"), date_problem("3201", "gYear", (MIN_YEAR, MAX_YEAR))
("'2019-13-45' is not a date", 'year 3201 is outside 1500..2099')
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

#: Largest amount accepted (ten quadrillion: more than any deal in any currency).
MAX_AMOUNT = Decimal(10) ** 16
#: Most digits after the decimal point (Oxigraph's decimals keep 18).
MAX_FRACTION_DIGITS = 6
#: The years a deal date may have (the shapes' range).
MIN_YEAR, MAX_YEAR = 1500, 2099

_AMOUNT = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?|\.(\d+)")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.(\d*))?|\.(\d+))")
_INTEGER = re.compile(r"[+-]?\d+")
_DATES = {
    "date": re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?"),
    "gYearMonth": re.compile(r"(-?\d{4,})-(\d{2})(Z|[+-]\d{2}:\d{2})?"),
    "gYear": re.compile(r"(-?\d{4,})(Z|[+-]\d{2}:\d{2})?"),
}
_SYMBOLS = "$€£¥"


def parse_amount(text: str) -> Decimal | None:
    """Parse a money amount cell; empty, ``-`` and 0 mean undisclosed (None).

    Raises:
        ValueError: not exactly a valid amount; the message says why.

    >>> parse_amount("12.50"), parse_amount("€ 3,000")
    (Decimal('12.50'), Decimal('3000'))
    """
    t = text.strip()
    if t[:1] and t[0] in _SYMBOLS:
        t = t[1:].strip()
    if not t or t == "-":
        return None
    m = _AMOUNT.fullmatch(t)
    if not m:
        raise ValueError(f"unparseable amount {text!r}")
    fraction = m[1] or m[2] or ""
    if len(fraction) > MAX_FRACTION_DIGITS:
        raise ValueError(f"unparseable amount {text!r}: more than {MAX_FRACTION_DIGITS} digits after the point")
    value = Decimal(t.replace(",", ""))
    if value > MAX_AMOUNT:
        raise ValueError(f"unparseable amount {text!r}: over the largest amount kg accepts (1e16)")
    return None if value == 0 else value


def amount_problem(lexical: str, datatype: str) -> str | None:
    """Why an RDF amount value (``kg:value`` of a ``kg:MonetaryAmount``) cannot be added up, or None.

    Only what would poison an aggregate is checked here: a number that is
    not well-formed, or one so large (over :data:`MAX_AMOUNT`) or so precise
    (over 18 decimals) that a ``SUM`` with it overflows Oxigraph's decimals.
    A negative amount or one of the wrong datatype is the shapes' business
    (``kg validate``; ``--force`` may load it).

    >>> amount_problem("1E+400", "decimal"), amount_problem("1e30", "decimal"), amount_problem("-5", "integer")
    ("'1E+400' is not an xsd:decimal", "'1e30' is not an xsd:decimal", None)
    >>> amount_problem("100000000000000000000", "decimal")
    'amount 100000000000000000000 is too large to add up (over 1e16)'
    """
    pattern = {"decimal": _DECIMAL, "integer": _INTEGER}.get(datatype)
    if pattern is None:
        return None
    m = pattern.fullmatch(lexical)
    if not m:
        return f"{lexical!r} is not an xsd:{datatype}"
    fraction = (m.groups() + (None, None))[0] or (m.groups() + (None, None))[1] or ""
    if abs(Decimal(lexical)) > MAX_AMOUNT or len(fraction) > 18:
        return f"amount {lexical} is too large to add up (over 1e16)"
    return None


def date_problem(lexical: str, datatype: str, years: tuple[int, int] | None = None) -> str | None:
    """Why a date literal of an ``xsd`` date type is not valid, or None (other types: None).

    Args:
        lexical: the literal's text.
        datatype: the local name of its ``xsd`` datatype (``date``, ``gYearMonth``, ``gYear`` …).
        years: ``(first, last)`` year allowed, or None for any.
    """
    from datetime import date

    pattern = _DATES.get(datatype)
    if pattern is None:
        return None
    m = pattern.fullmatch(lexical)
    if not m:
        return f"{lexical!r} is not an xsd:{datatype}"
    year = int(m[1])
    if years and not years[0] <= year <= years[1]:
        return f"year {year} is outside {years[0]}..{years[1]}"
    month = int(m[2]) if datatype != "gYear" else 1
    day = int(m[3]) if datatype == "date" else 1
    try:
        date(min(max(year, 1), 9999), month, day)
    except ValueError:
        return f"{lexical!r} is not a {'date' if datatype == 'date' else 'month'}"
    return None


def currency_problem(code: str) -> str | None:
    """Why a currency is not an ISO 4217 code the shapes list, or None.

    >>> currency_problem("USD"), currency_problem("dollars")
    (None, "currency 'dollars' is not an ISO 4217 code such as USD")
    """
    if code in currencies():
        return None
    return f"currency {code!r} is not an ISO 4217 code such as USD"


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    """The ISO 4217 codes that the shapes accept for ``kg:currency`` (read once from ``shapes.ttl``)."""
    import pyoxigraph as ox

    from kg.ontology import KG, ontology_path
    from kg.schema import SH

    shapes = ox.Store()
    shapes.load(path=str(ontology_path("shapes.ttl")), format=ox.RdfFormat.TURTLE)
    rows = shapes.query(f"""SELECT ?code WHERE {{
        ?p <{SH}path> <{KG}currency> ; <{SH}in>/<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/
           <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?code }}""")
    return frozenset(r["code"].value for r in rows)



_DATE_PROPS = ("date", "startDate", "endDate")


def literal_problem(prop: str, literal, amount: bool = False) -> str | None:
    """Why an RDF literal is not a well-formed value, or None.

    Every ``xsd`` date, number and boolean literal must be well-formed (a
    date that exists, a number without an exponent where the type has none),
    and the ``kg:value`` of a money amount (``amount``) must pass
    :func:`amount_problem`. These make a file unloadable even with
    ``--force``: such a literal cannot be compared or added up, so one of
    them would empty every aggregate it meets. Ranges (a year in 1500..2099,
    a non-negative amount, an ISO 4217 currency) are checked by the shapes.

    Args:
        prop: the predicate IRI.
        literal: a ``pyoxigraph.Literal``.
        amount: the subject is a ``kg:MonetaryAmount``.

    >>> import pyoxigraph as ox
    >>> from kg.ontology import KG, XSD
    >>> literal_problem(KG + "date", ox.Literal("2019-13-45", datatype=ox.NamedNode(XSD + "date")))
    "'2019-13-45' is not a date"
    """
    from kg.ontology import KG, XSD

    dtype = literal.datatype.value
    local = dtype[len(XSD):] if dtype.startswith(XSD) else None
    text = literal.value
    if prop == KG + "value" and amount:
        return amount_problem(text, local or dtype)
    if local in _DATES:
        return date_problem(text, local)
    if local == "decimal" and not _DECIMAL.fullmatch(text) or local == "integer" and not _INTEGER.fullmatch(text):
        return f"{text!r} is not an xsd:{local}"
    if local == "boolean" and text not in ("true", "false", "1", "0"):
        return f"{text!r} is not an xsd:boolean"
    return None


# Literals whose form alone proves them valid (a year; a month; a day up to the 28th; an amount of at
# most 16 digits and 6 decimals), so that only the others are read into Python and checked in full.
_SURELY_VALID = " || ".join(
    f'(DATATYPE(?o) = <http://www.w3.org/2001/XMLSchema#{dtype}> && REGEX(STR(?o), "{pattern}"))'
    for dtype, pattern in (("gYear", "^[0-9]{4}$"), ("gYearMonth", "^[0-9]{4}-(0[1-9]|1[0-2])$"),
                           ("date", "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"),
                           ("decimal", "^[0-9]{1,16}([.][0-9]{1,6})?$"), ("integer", "^[0-9]{1,16}$")))


def graph_problems(raw, graph: str, limit: int = 5) -> list[str]:
    """The invalid values in one named graph of a ``pyoxigraph.Store``, up to ``limit`` of them.

    Used where data is loaded without SHACL (the bulk path), so that a big
    file is held to the same values as a small one.

    Returns:
        Lines ``<subject> kg:prop: reason``.
    """
    import pyoxigraph as ox

    from kg.ontology import KG, compact

    g = ox.NamedNode(graph)
    props = " ".join(f"<{KG}{p}>" for p in ("value", *_DATE_PROPS))
    rows = raw.query(f"""SELECT ?s ?p ?o ?amount WHERE {{
        GRAPH {g} {{ ?s ?p ?o }} VALUES ?p {{ {props} }} FILTER(isLiteral(?o) && !({_SURELY_VALID}))
        BIND(EXISTS {{ GRAPH ?any {{ ?s a <{KG}MonetaryAmount> }} }} AS ?amount) }}""")
    out = []
    for r in rows:
        o = r["o"]
        if not isinstance(o, ox.Literal):
            continue
        problem = literal_problem(r["p"].value, o, r["amount"].value == "true")
        if problem:
            out.append(f"{compact(r['s'].value)} {compact(r['p'].value)}: {problem}")
            if len(out) >= limit:
                break
    return out
