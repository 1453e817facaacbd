"""Money, counts and dates in English news text, normalised.

Each finder returns spans with character offsets into the text it was given,
so callers can mask them before looking for names, and attach them to facts.

>>> [m.value for m in find_money("Xiaomi invested nearly $400 million; Acme paid US$1.2bn.")]
[Decimal('400000000'), Decimal('1200000000')]
>>> [d.value for d in find_dates("In 2019, and in the fourth quarter of 2020, and on May 30, 2007.")]
['2019', '2020-Q4', '2007-05-30']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_APPROX = (
    r"(?:nearly|about|around|approximately|roughly|some|almost|close to|more than|over|"
    r"up to|less than|under|an estimated|estimated|just over|just under|at least|upwards of|"
    r"in excess of|as much as|as many as|north of|circa|c\.|~)"
)
_SCALES = {
    "trillion": 10**12, "tn": 10**12, "tln": 10**12, "trn": 10**12, "t": 10**12,
    "billion": 10**9, "bn": 10**9, "bln": 10**9, "b": 10**9, "bil": 10**9,
    "million": 10**6, "mln": 10**6, "mn": 10**6, "m": 10**6, "mil": 10**6, "mio": 10**6,
    "thousand": 10**3, "k": 10**3,
    # Indian numbering: "Rs 1,000 crore" is ten billion rupees
    "lakh crore": 10**12, "crore": 10**7, "crores": 10**7, "cr": 10**7, "lakh": 10**5, "lakhs": 10**5,
}
_SCALE = r"(?:trillion|billion|million|thousand|lakh crore|crores?|lakhs?|cr|tln|trn|bln|bil|mln|mil|mio|bn|mn|tn|[bmkt])\b"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SYMBOLS = {
    "us$": "USD", "$": "USD", "usd": "USD", "c$": "CAD", "a$": "AUD", "hk$": "HKD", "s$": "SGD",
    "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "¥": "JPY", "jpy": "JPY", "cny": "CNY",
    "rmb": "CNY", "₹": "INR", "inr": "INR", "chf": "CHF", "cad": "CAD", "aud": "AUD",
    "rs": "INR", "rs.": "INR", "₩": "KRW", "krw": "KRW", "nt$": "TWD", "r$": "BRL", "sek": "SEK",
    "nok": "NOK", "dkk": "DKK", "sgd": "SGD", "hkd": "HKD", "brl": "BRL", "mxn": "MXN", "zar": "ZAR",
    "sar": "SAR", "aed": "AED", "twd": "TWD", "rub": "RUB", "try": "TRY", "nzd": "NZD", "₽": "RUB",
}
_WORDS = {
    "dlrs": "USD", "dlr": "USD", "dollars": "USD", "dollar": "USD", "usd": "USD", "euros": "EUR", "euro": "EUR",
    "eur": "EUR", "pounds": "GBP", "sterling": "GBP", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY",
    "rupees": "INR", "rupee": "INR", "francs": "CHF", "franc": "CHF", "won": "KRW", "kronor": "SEK",
    "reais": "BRL", "riyals": "SAR", "dirhams": "AED", "rubles": "RUB", "roubles": "RUB", "lira": "TRY",
    "ringgit": "MYR", "rupiah": "IDR", "baht": "THB",
}
_PRE = (r"(?:US\$|C\$|A\$|HK\$|S\$|NT\$|R\$|\$|€|£|¥|₹|₩|₽|Rs\.?\s?|"
        r"(?-i:USD|EUR|GBP|JPY|CNY|RMB|INR|CHF|CAD|AUD|KRW|SEK|NOK|DKK|SGD|HKD|BRL|MXN|ZAR|SAR|AED|TWD|NZD)\s?)")
_NATIONAL = {
    "swiss": "CHF", "canadian": "CAD", "australian": "AUD", "hong kong": "HKD", "singapore": "SGD",
    "new zealand": "NZD", "taiwan": "TWD", "new taiwan": "TWD", "danish": "DKK", "norwegian": "NOK",
    "swedish": "SEK", "brazilian": "BRL", "mexican": "MXN", "south african": "ZAR", "indian": "INR",
    "u.s.": "USD", "us": "USD",
}
_POST = (r"(?:(?:swiss|canadian|australian|hong kong|singapore|new zealand|new taiwan|taiwan|danish|norwegian|swedish|"
         r"brazilian|mexican|south african|indian|u\.s\.|us)\s)?"
         r"(?:crowns|kroner|krone|pesos|rand|"
         r"dlrs?|dollars?|usd|euros?|eur|pounds(?: sterling)?|sterling|yuan|renminbi|yen|rupees?|francs?|won|"
         r"kronor|reais|riyals|dirhams|rubles|roubles|lira|ringgit|rupiah|baht)\b")

MONEY_RE = re.compile(
    rf"(?:(?P<approx>{_APPROX})\s+)?"
    rf"(?:(?P<cur>{_PRE})\s?(?P<num>{_NUM})(?:\s?-?\s?(?P<scale>{_SCALE}))?(?:\s+(?P<post1>{_POST}))?"
    rf"|(?P<num2>{_NUM})\s?(?P<scale2>{_SCALE})?\s*(?P<post2>{_POST}))",
    re.IGNORECASE,
)

_WORD_NUMBERS = {
    "half a million": 500_000, "half a billion": 500_000_000, "a million": 10**6, "one million": 10**6,
    "a billion": 10**9, "one billion": 10**9, "a quarter of a million": 250_000,
}
COUNT_RE = re.compile(
    rf"(?:(?P<approx>{_APPROX})\s+(?:a total of\s+)?)?"
    rf"(?:(?P<words>half a million|half a billion|a quarter of a million|a million|one million|a billion|one billion)"
    rf"|(?P<num>{_NUM})(?:\s?(?P<scale>million|billion|thousand|mln|bln|bn|m|k)\b)?)"
    r"(?P<pct>\s?(?:%|percent\b|per cent\b|pct\b))?",
    re.IGNORECASE,
)

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for m in names
}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_YEAR = r"(?:19|20)\d{2}"
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
DATE_RE = re.compile(
    rf"(?P<iso>\b{_YEAR}-\d{{2}}-\d{{2}}\b)"
    rf"|(?P<mdy>\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}\b)"
    rf"|(?P<dmy>\b\d{{1,2}}\s+{_MONTH}\s+{_YEAR}\b)"
    rf"|(?P<my>\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b)"
    rf"|(?P<q1>\b(?:the\s+)?(?:first|second|third|fourth|1st|2nd|3rd|4th)[\s-]quarter\s+(?:of\s+)?(?:fiscal\s+)?{_YEAR}\b)"
    rf"|(?P<q2>\bQ[1-4](?:\s+of)?\s+{_YEAR}\b|\b{_YEAR}\s+Q[1-4]\b|\bQ[1-4]\s?'?\d{{2}}\b)"
    rf"|(?P<y>(?<![\d$€£,.])\b{_YEAR}\b(?![,.]\d|\s?%|\s?(?:million|billion|cars|units|people|employees|shares)\b))",
    re.IGNORECASE,
)


@dataclass
class Money:
    """An amount of money found in text.

    Attributes:
        start, end: offsets of the phrase.
        value: the amount as a Decimal, in units of the currency.
        currency: ISO 4217 code.
        approximate: the text hedges it ("nearly", "about" …).
    """

    start: int
    end: int
    value: Decimal
    currency: str
    approximate: bool

    def as_dict(self) -> dict:
        """The JSON form: ``{"value", "currency", "approximate"}`` (value int when whole)."""
        v = int(self.value) if self.value == self.value.to_integral_value() else float(self.value)
        return {"value": v, "currency": self.currency, "approximate": self.approximate}


@dataclass
class Count:
    """A number (a count or a percentage) found in text."""

    start: int
    end: int
    value: Decimal
    percent: bool
    approximate: bool


@dataclass
class DateSpan:
    """A date found in text, at the precision the text gives.

    Attributes:
        value: ``2019``, ``2019-05``, ``2019-05-30`` or ``2020-Q4``.
        datatype: ``gYear``, ``gYearMonth``, ``date`` or ``quarter``.
    """

    start: int
    end: int
    value: str
    datatype: str


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def find_money(text: str) -> list[Money]:
    """Find amounts of money.

    Args:
        text: any text.

    Returns:
        :class:`Money` spans in text order.

    >>> [(m.as_dict()["value"], m.currency) for m in find_money("$47.5M, 400 mln dlrs, EUR 2 bln, 5 mln yuan")]
    [(47500000, 'USD'), (400000000, 'USD'), (2000000000, 'EUR'), (5000000, 'CNY')]
    """
    found = []
    for m in MONEY_RE.finditer(text):
        num = m.group("num") or m.group("num2")
        scale = (m.group("scale") or m.group("scale2") or "").lower()
        cur = m.group("cur")
        post = m.group("post1") or m.group("post2")
        if cur is None and post is None:
            continue
        code = _SYMBOLS.get(cur.strip().lower()) if cur else None
        if code is None and post:
            words = post.lower().split()
            nation = " ".join(words[:-1])
            code = _NATIONAL.get(nation) or _WORDS.get(words[-1]) or _WORDS.get(words[0], "USD")
            if words[-1] in ("crowns", "kroner", "krone", "pesos", "rand") and not nation:
                continue  # "crowns" or "pesos" alone name no one currency
        try:
            value = _number(num) * _SCALES.get(scale, 1)
        except (InvalidOperation, KeyError):
            continue
        found.append(Money(m.start(), m.end(), value.normalize() if value % 1 else value.quantize(Decimal(1)),
                           code or "USD", bool(m.group("approx"))))
    return found


def find_counts(text: str) -> list[Count]:
    """Find plain numbers and percentages ("326%", "3.1 million", "nearly half a million").

    >>> [(int(c.value), c.percent) for c in find_counts("sales grew by 326%, to 3.1 million units")]
    [(326, True), (3100000, False)]
    """
    found = []
    for m in COUNT_RE.finditer(text):
        if m.group("words"):
            value = Decimal(_WORD_NUMBERS[m.group("words").lower()])
        else:
            try:
                value = _number(m.group("num")) * _SCALES.get((m.group("scale") or "").lower(), 1)
            except InvalidOperation:
                continue
        if m.start() > 0 and text[m.start() - 1].isalpha():
            continue  # "HTML5", "A320": a digit glued to a word is part of that word
        found.append(Count(m.start(), m.end(), value, bool(m.group("pct")), bool(m.group("approx"))))
    return found


def find_dates(text: str) -> list[DateSpan]:
    """Find dates: years, months, days and quarters.

    >>> [(d.value, d.datatype) for d in find_dates("Q3 2021, in March 2018, 30 May 2007")]
    [('2021-Q3', 'quarter'), ('2018-03', 'gYearMonth'), ('2007-05-30', 'date')]
    """
    found = []
    for m in DATE_RE.finditer(text):
        s = m.group(0)
        year = re.search(_YEAR, s)
        y = year.group(0) if year else None
        kind = m.lastgroup
        if kind == "iso":
            found.append(DateSpan(m.start(), m.end(), s, "date"))
        elif kind in ("mdy", "dmy"):
            month = _MONTHS[re.search(r"[A-Za-z]+", s).group(0).lower().rstrip(".")]
            day = int(re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b(?!\d)", s).group(1))
            found.append(DateSpan(m.start(), m.end(), f"{y}-{month:02d}-{day:02d}", "date"))
        elif kind == "my":
            month = _MONTHS[re.search(r"[A-Za-z]+", s).group(0).lower().rstrip(".")]
            found.append(DateSpan(m.start(), m.end(), f"{y}-{month:02d}", "gYearMonth"))
        elif kind == "q1":
            q = _ORD[re.search(r"first|second|third|fourth|1st|2nd|3rd|4th", s, re.I).group(0).lower()]
            found.append(DateSpan(m.start(), m.end(), f"{y}-Q{q}", "quarter"))
        elif kind == "q2":
            q = re.search(r"Q([1-4])", s, re.I).group(1)
            if y is None:
                y = "20" + re.search(r"(\d{2})$", s).group(1)
            found.append(DateSpan(m.start(), m.end(), f"{y}-Q{q}", "quarter"))
        else:
            found.append(DateSpan(m.start(), m.end(), s, "gYear"))
    return found
