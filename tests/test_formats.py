"""Row formatting."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.errors import FormatError
from kg.formats import format_rows, to_python

XSD = "http://www.w3.org/2001/XMLSchema#"
ROWS = [{"who": ox.NamedNode("https://kg.example.org/id/company/xiaomi"),
         "amount": ox.Literal("400000000", datatype=ox.NamedNode(XSD + "decimal")),
         "approx": ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
         "note": "a, \"quoted\"\tcell"}]


def test_json_uses_plain_values():
    [row] = json.loads(format_rows(ROWS, "json"))
    assert row == {"who": "https://kg.example.org/id/company/xiaomi", "amount": 400000000, "approx": True,
                   "note": "a, \"quoted\"\tcell"}


def test_csv_and_tsv_quote_properly():
    import csv
    import io

    [header, row] = list(csv.reader(io.StringIO(format_rows(ROWS, "csv"))))
    assert header == ["who", "amount", "approx", "note"] and row[3] == "a, \"quoted\"\tcell"
    assert format_rows(ROWS, "tsv").splitlines()[0] == "who\tamount\tapprox\tnote"


def test_table_compacts_iris_and_handles_empty():
    out = format_rows(ROWS, "table")
    assert "company:xiaomi" in out and "400000000" in out
    assert format_rows([], "table") == "(no rows)\n"
    assert format_rows([], "json") == "[]\n"


def test_to_python_numbers():
    assert to_python(ox.Literal("3.5", datatype=ox.NamedNode(XSD + "decimal"))) == 3.5
    assert to_python(ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))) == 7
    assert to_python(ox.Literal("2019", datatype=ox.NamedNode(XSD + "gYear"))) == "2019"
    with pytest.raises(FormatError, match="unknown row format"):
        format_rows(ROWS, "xml")
