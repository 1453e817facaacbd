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
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from kg.errors import FormatError
from kg.ontology import XSD, compact

ROW_FORMATS = ("table", "json", "csv", "tsv", "jsonl")

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
        dt = value.datatype.value
        text = value.value
        try:
            if dt in _INTEGER_TYPES:
                return int(text)
            if dt == XSD + "decimal":
                num = Decimal(text)
                return int(num) if num == num.to_integral_value() else float(num)
            if dt in _FLOAT_TYPES:
                return float(text)
            if dt == XSD + "boolean":
                return text in ("true", "1")
        except (ValueError, ArithmeticError):
            return text
        return text
    if kind == "Triple":
        return [to_python(value.subject), to_python(value.predicate), to_python(value.object)]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


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
        fmt: one of :data:`ROW_FORMATS`.
        columns: the column order; by default the keys in order of appearance.
        max_width: table cells longer than this are cut with "…".

    Returns:
        The text, ending with a newline (empty JSON list for no rows).

    Raises:
        ValueError: unknown format.
    """
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
            writer.writerow(["" if r.get(c) is None else _plain(r.get(c)) for c in cols])
        return buf.getvalue()
    if fmt == "table":
        return _table(rows, cols, max_width)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(ROW_FORMATS)}")


def _plain(value: Any) -> str:
    value = to_python(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _table(rows: list[dict], cols: list[str], max_width: int) -> str:
    if not rows:
        return "(no rows)\n"

    def cell(v: Any) -> str:
        text = to_text(v).replace("\n", " ")
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    body = [[cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(b[i]) for b in body)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    out = [line, rule]
    out += ["  ".join(v.ljust(w) for v, w in zip(b, widths)).rstrip() for b in body]
    return "\n".join(out) + "\n"


_FORMATS = {
    "turtle": "TURTLE",
    "ttl": "TURTLE",
    "ntriples": "N_TRIPLES",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "nq": "N_QUADS",
    "trig": "TRIG",
    "jsonld": "JSON_LD",
    "json-ld": "JSON_LD",
    "rdfxml": "RDF_XML",
    "xml": "RDF_XML",
    "rdf": "RDF_XML",
}


def rdf_format(name: str):
    """The ``pyoxigraph.RdfFormat`` for a format name or file extension.

    Raises:
        FormatError: the format is unknown; lists the known names.
    """
    import pyoxigraph as ox

    key = name.lower().lstrip(".")
    if key not in _FORMATS:
        raise FormatError(f"unknown RDF format {name!r}; use one of: turtle, ntriples, nquads, trig, jsonld, rdfxml")
    return getattr(ox.RdfFormat, _FORMATS[key])
