"""Lexical handling of SPARQL text: binding parameters, and finding keywords.

Neither needs a full SPARQL parser: a tokenizer that skips strings, IRIs and
comments is enough to find the query's WHERE group and its bare keywords.

>>> from pyoxigraph import NamedNode
>>> bind_values("SELECT ?p WHERE { ?s ?p ?o }", {"s": NamedNode("urn:a")})
'SELECT ?p WHERE { VALUES (?s) { (<urn:a>) }\\n ?s ?p ?o }'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kg.errors import ParameterError, QueryError
from kg.ontology import PREFIXES

_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Strings, IRIs and comments are skipped when looking for braces and keywords,
# so that a "{" inside a literal cannot move the VALUES block.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
    r"|[{}]"
    r"|[?$]?[A-Za-z_][\w-]*(?::[\w.-]*)?"
    r"|:[\w.-]*",
    re.S,
)


def bind_values(sparql: str, params: Mapping[str, Any]) -> str:
    """Bind variables by a ``VALUES`` block at the start of the query's WHERE group.

    This is how parameters reach an endpoint that has no substitutions. Each
    term is written by pyoxigraph (``str(NamedNode)``, ``str(Literal)``), so a
    value can never change the query's structure.

    Args:
        sparql: a SELECT, ASK, CONSTRUCT or DESCRIBE query.
        params: variable name (without ``?``) → ``NamedNode`` or ``Literal``.

    Returns:
        The query text with the VALUES block inserted (or appended, when the
        query has no WHERE group, like ``DESCRIBE ?x``).

    Raises:
        ParameterError: a name is not a variable name, or a value is not a NamedNode or Literal.

    >>> from pyoxigraph import Literal
    >>> bind_values("ASK { ?s ?p ?name }", {"name": Literal('a " }')})
    'ASK { VALUES (?name) { ("a \\\\" }") }\\n ?s ?p ?name }'
    """
    names, values = [], []
    for name, value in params.items():
        if not _VARNAME.match(name):
            raise ParameterError(f"not a SPARQL variable name: {name!r}")
        if type(value).__name__ not in ("NamedNode", "Literal"):
            raise ParameterError(f"parameter {name!r} must be an IRI or a literal, not {type(value).__name__}")
        names.append(f"?{name}")
        values.append(str(value))
    block = f"VALUES ({' '.join(names)}) {{ ({' '.join(values)}) }}"
    pos = _where_group(sparql)
    if pos is None:
        return f"{sparql}\n{block}"
    return f"{sparql[:pos + 1]} {block}\n{sparql[pos + 1:]}"


def sparql_words(sparql: str) -> set[str]:
    """The bare words of a query or update, upper-cased: keywords, not strings, IRIs, comments or names.

    >>> sorted(sparql_words('SELECT * { ?s ex:load "LOAD" } # LOAD'))
    ['SELECT']
    """
    words = set()
    for m in _TOKENS.finditer(sparql):
        tok = m.group()
        if tok[0] not in "\"'<#?${}" and ":" not in tok:
            words.add(tok.upper())
    return words


def _where_group(sparql: str) -> int | None:
    """The offset of the ``{`` that opens the query's WHERE group, or None."""
    depth, form, groups, short_construct = 0, None, 0, False
    for m in _TOKENS.finditer(sparql):
        tok = m.group()
        if tok[0] in "\"'<#?$":
            continue
        if tok == "{":
            if depth == 0:
                groups += 1
                # CONSTRUCT's template comes first, unless it is the short form
                # (CONSTRUCT WHERE { … }).
                if form != "CONSTRUCT" or groups == 2 or short_construct:
                    return m.start()
            depth += 1
        elif tok == "}":
            depth -= 1
        elif form is None and tok.upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            form = tok.upper()
        elif form == "CONSTRUCT" and depth == 0 and groups == 0 and tok.upper() == "WHERE":
            short_construct = True
    return None


def prologue(text: str) -> str:
    """Prepend the PREFIX declarations of :data:`kg.ontology.PREFIXES` not already declared."""
    lowered = text.lower()
    lines = [
        f"PREFIX {p}: <{ns}>"
        for p, ns in PREFIXES.items()
        if f"prefix {p}:" not in lowered
    ]
    return "\n".join(lines) + "\n" + text


def one_line_prologue(text: str) -> str:
    """kg's PREFIX declarations, all on the query's first line.

    Then the line numbers in the endpoint's error messages are the user's own.
    """
    full = prologue(text)
    return full[: len(full) - len(text)].replace("\n", " ") + text


POSITION = re.compile(r"error at (\d+):(\d+): ")


def user_position(exc: QueryError, shift: int) -> QueryError:
    """Oxigraph's "error at L:C:" in the user's own coordinates, like the embedded store's message."""
    msg = str(exc)
    m = POSITION.search(msg)
    if not m:
        return exc
    line, col = int(m.group(1)), int(m.group(2))
    if line == 1:
        col = max(1, col - shift)
    return QueryError(f"invalid SPARQL: error at {line}:{col}: {msg[m.end():]}")
