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
    pos = where_group(sparql)
    if pos is None:
        return f"{sparql}\n{block}"
    return f"{sparql[:pos + 1]} {block}\n{sparql[pos + 1:]}"


def sparql_words(sparql: str) -> set[str]:
    """The bare words of a query or update, upper-cased: keywords, not strings, IRIs, comments or names.

    >>> sorted(sparql_words('SELECT * { ?s ex:load "LOAD" } # LOAD'))
    ['SELECT']
    """
    # findall and a set comprehension: kg serve's engines run this on every query.
    return {tok.upper() for tok in _TOKENS.findall(sparql) if tok[0] not in "\"'<#?${}" and ":" not in tok}


def where_group(sparql: str) -> int | None:
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


# -- the query guard ------------------------------------------------------------

# Oxigraph's parser and evaluator recurse once per nested construct, so a deep
# query overflows the stack and aborts the whole process (a 20 KB query of
# 5,000 nested groups does). Measured on an 8 MiB stack, the first crashes come
# at about 2,100 nested groups, 800 nested function calls, 370 OPTIONALs in one
# group, 600 steps of one property path and 6,600 chained operators. Each
# construct costs its share of that stack; the costs of everything open at a
# point add up, and the total may not pass MAX_QUERY_COST (a margin of two or
# more below each crash).
MAX_QUERY_COST = 1000
MAX_QUERY_BYTES = 16 << 20
_BRACKET_COST = 3
_KEYWORD_COST = {"OPTIONAL": 6, "MINUS": 6, "UNION": 1, "FILTER": 1, "BIND": 2}
_PATH_COST = 4  # / | ^ outside expressions, and ! before a property
_OPERATOR_COST = 1  # + - * / ! && || inside parentheses
_GUARD_TOKENS = re.compile(_TOKENS.pattern + r"|&&|\|\||[()\[\]!^/|+*-]", re.S)
_CLOSE = {"}": "{", ")": "(", "]": "["}


def check_query(sparql: str, *, max_bytes: int | None = MAX_QUERY_BYTES, max_cost: int = MAX_QUERY_COST) -> None:
    """Refuse a query or update too large or too deeply nested for the engine, before it sees it.

    A tokenizer-level scan: brackets, keywords and operators inside strings,
    IRIs and comments do not count. See :data:`MAX_QUERY_COST` for the costs.

    Args:
        sparql: the query or update text.
        max_bytes: the largest text accepted, in UTF-8 bytes (None: no limit).
        max_cost: the deepest nesting accepted, in stack cost.

    Raises:
        QueryError: the text is too large or too deep; the message says which and where.

    >>> check_query("SELECT * { ?s ?p '{{{{' }")
    >>> check_query("SELECT * " + "{" * 5000 + "}" * 5000)
    Traceback (most recent call last):
    kg.errors.QueryError: the query is nested too deeply for the engine (cost over 1000 at line 1, column 343); \
flatten it (fewer nested groups, parentheses, OPTIONALs or path steps)
    """
    if max_bytes is not None and len(sparql) > max_bytes // 4 and len(sparql.encode("utf-8", "replace")) > max_bytes:
        raise QueryError(f"the query is larger than the limit of {max_bytes} bytes")
    # findall and a plain loop: about twice as fast as finditer on a large INSERT DATA.
    tokens = _GUARD_TOKENS.findall(sparql)
    at = _too_deep(tokens, max_cost)
    if at is not None:
        offset = next(m.start() for i, m in enumerate(_GUARD_TOKENS.finditer(sparql)) if i == at)
        line = sparql.count("\n", 0, offset) + 1
        col = offset - (sparql.rfind("\n", 0, offset) + 1) + 1
        raise QueryError(f"the query is nested too deeply for the engine (cost over {max_cost} at line {line}, "
                         f"column {col}); flatten it (fewer nested groups, parentheses, OPTIONALs or path steps)")


def _too_deep(tokens: list[str], max_cost: int) -> int | None:
    """The index of the token where the nesting cost first passes ``max_cost``, or None."""
    stack: list[list] = []  # per open bracket: [bracket, its cost + the costs of what stands in it]
    total = 0
    for i, tok in enumerate(tokens):
        head = tok[0]
        if head in "\"'<#?$:" and len(tok) > 1:
            continue  # a string, IRI, comment, variable or prefixed name
        if tok in ("{", "(", "["):
            stack.append([tok, _BRACKET_COST])
            total += _BRACKET_COST
        elif tok in _CLOSE:
            if stack and stack[-1][0] == _CLOSE[tok]:
                total -= stack.pop()[1]
            continue
        else:
            if not stack:
                continue
            in_parens = stack[-1][0] == "("
            if head.isalpha() or head == "_":
                cost = _KEYWORD_COST.get(tok.upper(), 0) if ":" not in tok else 0
            elif tok in ("/", "|", "^", "!"):
                cost = _OPERATOR_COST if in_parens else _PATH_COST
            else:
                cost = _OPERATOR_COST if in_parens else 0
            if not cost:
                continue
            total += cost
            stack[-1][1] += cost
        if total > max_cost:
            return i
    return None


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
