"""Turn result rows into text: tables for people, CSV/TSV/JSON for programs.

Rows are lists of dicts. Values may be pyoxigraph terms, which are converted:
IRIs to strings (compacted with kg's prefixes in tables only), literals to the
Python value of their datatype (numbers, booleans) or their text.

>>> print(format_rows([{"name": "Xiaomi", "deals": 3}], "csv"), end="")
name,deals
Xiaomi,3
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from kg.errors import FormatError
from kg.ontology import XSD, compact

_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
_FLOAT_TYPES = {XSD + "double", XSD + "float"}


def to_python(value: Any) -> Any:
    """A JSON-ready Python value for a pyoxigraph term (or a plain value, unchanged).

    >>> import pyoxigraph as ox
    >>> to_python(ox.Literal("400000000", datatype=ox.NamedNode(XSD + "decimal")))
    400000000
    >>> to_python(ox.NamedNode("https://kg.example.org/id/company/xiaomi"))
    'https://kg.example.org/id/company/xiaomi'
    """
    kind = type(value).__name__
    if kind == "NamedNode":
        return value.value
    if kind == "BlankNode":
        return f"_:{value.value}"
    if kind == "Literal":
        return _literal_value(value)
    if kind == "Triple":
        return [to_python(value.subject), to_python(value.predicate), to_python(value.object)]
    if isinstance(value, Decimal):
        return _number(value)
    return value


def _number(num: Decimal) -> int | float:
    return int(num) if num == num.to_integral_value() else float(num)


#: Datatype → how its lexical form becomes a Python value.
_CONVERT = {
    **dict.fromkeys(_INTEGER_TYPES, int),
    XSD + "decimal": lambda text: _number(Decimal(text)),
    **dict.fromkeys(_FLOAT_TYPES, float),
    XSD + "boolean": lambda text: text in ("true", "1"),
}


def _literal_value(literal) -> Any:
    """The Python value of a literal; its text when the datatype has none or the form is invalid."""
    convert = _CONVERT.get(literal.datatype.value)
    try:
        return convert(literal.value) if convert else literal.value
    except (ValueError, ArithmeticError):
        return literal.value


def to_text(value: Any) -> str:
    """A short display string: compact IRIs, literal text, ``""`` for None."""
    value = to_python(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and "://" in value:
        return compact(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(to_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _columns(rows: Sequence[dict], columns: Sequence[str] | None) -> list[str]:
    if columns:
        return list(columns)
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def format_rows(
    rows: Iterable[dict], fmt: str = "table", columns: Sequence[str] | None = None, *, max_width: int = 60
) -> str:
    """Render rows as ``table``, ``json``, ``jsonl``, ``csv`` or ``tsv`` text.

    Args:
        rows: dicts of column → value (terms or plain values).
        fmt: a :class:`RowFormat` or its name.
        columns: the column order; by default the keys in order of appearance.
        max_width: table cells longer than this are cut with "…".

    Returns:
        The text, ending with a newline (empty JSON list for no rows).

    Raises:
        FormatError: unknown format.
    """
    fmt = RowFormat(fmt).value if fmt in {f.value for f in RowFormat} else fmt
    rows = list(rows)
    cols = _columns(rows, columns)
    if fmt == "json":
        data = [{c: to_python(r.get(c)) for c in cols} for r in rows]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(
            json.dumps({c: to_python(r.get(c)) for c in cols}, ensure_ascii=False) + "\n" for r in rows
        )
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else _safe_cell(r.get(c)) for c in cols])
        return buf.getvalue()
    if fmt == "table":
        return _table(rows, cols, max_width)
    raise FormatError(f"unknown row format {fmt!r}; use one of {', '.join(f.value for f in RowFormat)}")


#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: Any) -> str:
    """A CSV/TSV cell that no spreadsheet runs as a formula: text starting with = + - @ gets a leading quote.

    Numbers (numeric literals and Python numbers) stay as they are.

    >>> _safe_cell("=1+1"), _safe_cell("@SUM(A1)"), _safe_cell("-5"), _safe_cell(-5), _safe_cell("Xiaomi")
    ("'=1+1", "'@SUM(A1)", "'-5", '-5', 'Xiaomi')
    """
    text = _plain(value)
    if isinstance(to_python(value), str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _plain(value: Any) -> str:
    value = to_python(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# Printable Latin, general punctuation (… ‘ ’ “ ”) and arrows (→ ↔ ←): one column each in every
# wcwidth version (checked for 0.2.13, 0.7 and 0.9 over this whole set), so text made only of them
# is measured without importing wcwidth, which costs `kg show` 30 ms or more of start-up.
_NARROW = re.compile("[ -~\xa0-\xac\xae-\u02ff\u2010-\u2027\u2190-\u21ff]*")


def _width(text: str) -> int:
    """Columns a string takes on a terminal: CJK characters take two (wcwidth).

    >>> _width("→ investedIn …"), _width("小米"), _width("e\u0301")
    (14, 4, 1)
    """
    if _NARROW.fullmatch(text):
        return len(text)
    from wcwidth import wcswidth

    w = wcswidth(text)
    return w if w >= 0 else len(text)


def _cut(text: str, max_width: int) -> str:
    """``text`` shortened with "…" to at most ``max_width`` terminal columns."""
    if _width(text) <= max_width:
        return text
    out, used = [], 0
    for ch in text:
        used += _width(ch)
        if used > max_width - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def _table(rows: list[dict], cols: list[str], max_width: int) -> str:
    """Aligned columns for people, measured in terminal columns so Chinese names line up.

    >>> print(_table([{"name": "小米", "n": 1}, {"name": "Xiaomi", "n": 2}], ["name", "n"], 60), end="")
    name    n
    ------  -
    小米    1
    Xiaomi  2
    """
    if not rows:
        return "(no rows)\n"
    body = [[_cut(to_text(r.get(c)).replace("\n", " "), max_width) for c in cols] for r in rows]
    widths = [max(_width(c), *(_width(b[i]) for b in body)) for i, c in enumerate(cols)]

    def line(cells) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(cols), "  ".join("-" * w for w in widths), *(line(b) for b in body)]) + "\n"


class RdfFormat(StrEnum):
    """The RDF serialisations kg reads and writes; the value is the name used on the command line.

    >>> RdfFormat.from_name("ttl") is RdfFormat.TURTLE
    True
    >>> RdfFormat.from_suffix(".owl").media_type
    'application/rdf+xml'
    """

    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    NQUADS = "nquads"
    TRIG = "trig"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"
    N3 = "n3"

    @property
    def suffixes(self) -> tuple[str, ...]:
        """File suffixes of this format, the usual one first."""
        return _RDF_SUFFIXES[self]

    @property
    def media_type(self) -> str:
        """The IANA media type."""
        return _RDF_MEDIA[self]

    @property
    def is_dataset(self) -> bool:
        """Whether the format carries named graphs (quads)."""
        return self in (RdfFormat.NQUADS, RdfFormat.TRIG, RdfFormat.JSONLD)

    @property
    def writable(self) -> bool:
        """Whether kg can write it (pyoxigraph parses N3 but does not serialise it)."""
        return self is not RdfFormat.N3

    def oxigraph(self):
        """The matching ``pyoxigraph.RdfFormat``."""
        import pyoxigraph as ox

        return getattr(ox.RdfFormat, _RDF_OXIGRAPH[self])

    @classmethod
    def from_name(cls, name: str) -> RdfFormat:
        """A format from its name, an alias or a file suffix (``ttl``, ``.nq``, ``json-ld`` …).

        Raises:
            FormatError: unknown; lists the known names.
        """
        key = name.lower().strip()
        key = _RDF_ALIASES.get(key, key)
        for fmt in cls:
            if key == fmt.value or "." + key.lstrip(".") in fmt.suffixes:
                return fmt
        raise FormatError(f"unknown RDF format {name!r}; use one of: {', '.join(f.value for f in cls)}")

    @classmethod
    def from_suffix(cls, suffix: str) -> RdfFormat:
        """The format of a file suffix such as ``.ttl``.

        Raises:
            FormatError: not an RDF suffix.
        """
        return cls.from_name(suffix if suffix.startswith(".") else "." + suffix)


_RDF_SUFFIXES = {
    RdfFormat.TURTLE: (".ttl", ".turtle"),
    RdfFormat.NTRIPLES: (".nt", ".ntriples"),
    RdfFormat.NQUADS: (".nq", ".nquads"),
    RdfFormat.TRIG: (".trig",),
    RdfFormat.JSONLD: (".jsonld", ".json"),
    RdfFormat.RDFXML: (".rdf", ".owl", ".xml"),
    RdfFormat.N3: (".n3",),
}
_RDF_MEDIA = {
    RdfFormat.TURTLE: "text/turtle",
    RdfFormat.NTRIPLES: "application/n-triples",
    RdfFormat.NQUADS: "application/n-quads",
    RdfFormat.TRIG: "application/trig",
    RdfFormat.JSONLD: "application/ld+json",
    RdfFormat.RDFXML: "application/rdf+xml",
    RdfFormat.N3: "text/n3",
}
_RDF_OXIGRAPH = {
    RdfFormat.TURTLE: "TURTLE",
    RdfFormat.NTRIPLES: "N_TRIPLES",
    RdfFormat.NQUADS: "N_QUADS",
    RdfFormat.TRIG: "TRIG",
    RdfFormat.JSONLD: "JSON_LD",
    RdfFormat.RDFXML: "RDF_XML",
    RdfFormat.N3: "N3",
}
_RDF_ALIASES = {"json-ld": "jsonld", "rdf/xml": "rdfxml", "rdf+xml": "rdfxml", "n-triples": "ntriples",
                "n-quads": "nquads", "nt": "ntriples", "nq": "nquads", "ttl": "turtle"}


class RowFormat(StrEnum):
    """How kg prints rows (every command that prints rows takes all of them).

    >>> [f.value for f in RowFormat]
    ['table', 'json', 'jsonl', 'csv', 'tsv']
    """

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"


class ResultFormat(StrEnum):
    """SPARQL query results serialisations (SELECT and ASK), with their media types.

    >>> ResultFormat.from_media_type("application/sparql-results+json; charset=utf-8")
    <ResultFormat.JSON: 'json'>
    """

    JSON = "json"
    XML = "xml"
    CSV = "csv"
    TSV = "tsv"

    @property
    def media_type(self) -> str:
        """The media type a server sends for this format."""
        return _RESULT_MEDIA[self][0]

    def oxigraph(self):
        """The matching ``pyoxigraph.QueryResultsFormat``."""
        import pyoxigraph as ox

        return getattr(ox.QueryResultsFormat, self.name)

    @classmethod
    def from_media_type(cls, media_type: str) -> ResultFormat | None:
        """The format of a media type (parameters ignored), or None."""
        base = media_type.split(";")[0].strip().lower()
        return next((f for f in cls if base in _RESULT_MEDIA[f]), None)


_RESULT_MEDIA = {
    ResultFormat.JSON: ("application/sparql-results+json", "application/json"),
    ResultFormat.XML: ("application/sparql-results+xml", "application/xml", "text/xml"),
    ResultFormat.CSV: ("text/csv",),
    ResultFormat.TSV: ("text/tab-separated-values",),
}


def rdf_format_for_media_type(media_type: str) -> RdfFormat | None:
    """The RDF format of a media type (parameters ignored), or None.

    >>> rdf_format_for_media_type("text/turtle;charset=utf-8")
    <RdfFormat.TURTLE: 'turtle'>
    """
    base = media_type.split(";")[0].strip().lower()
    extra = {"text/plain": RdfFormat.NTRIPLES, "application/x-turtle": RdfFormat.TURTLE}
    return next((f for f in RdfFormat if f.media_type == base), extra.get(base))


class SourceKind(StrEnum):
    """The kind of source a path holds, which picks its reader.

    >>> SourceKind.of(Path("deals.csv"))
    <SourceKind.TABLE: 'table'>
    >>> SourceKind.of(Path("ontology.owl"))
    <SourceKind.RDF: 'rdf'>
    """

    RDF = "rdf"
    TEXT = "text"
    TABLE = "table"

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The file suffixes of this kind."""
        if self is SourceKind.RDF:
            return tuple(s for f in RdfFormat for s in f.suffixes if s not in TEXT_SUFFIXES)
        return TEXT_SUFFIXES if self is SourceKind.TEXT else TABLE_SUFFIXES

    @classmethod
    def of(cls, path: Path) -> SourceKind:
        """The kind of a path: folders are news text; otherwise by suffix.

        Raises:
            FormatError: the suffix is not one kg reads; lists the ones it does.
        """
        suffix = path.suffix.lower()
        if path.is_dir() or suffix in TEXT_SUFFIXES:
            return cls.TEXT
        if suffix in TABLE_SUFFIXES:
            return cls.TABLE
        if suffix in cls.RDF.suffixes:
            return cls.RDF
        known = " ".join(sorted({s for k in cls for s in k.suffixes}))
        raise FormatError(f"{path}: cannot ingest files of type {suffix or '(none)'!r}; supported: {known}")


#: Text suffixes (``.jsonl`` holds one news document a line).
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")
TABLE_SUFFIXES = (".csv", ".tsv")


def rdf_format(name: str):
    """The ``pyoxigraph.RdfFormat`` for a format name or file suffix.

    >>> rdf_format("ttl").name
    'Turtle'

    Raises:
        FormatError: the format is unknown; lists the known names.
    """
    return RdfFormat.from_name(name).oxigraph()
