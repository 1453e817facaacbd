"""Run SPARQL with bound parameters, and the named queries shipped in ``kg/queries/*.rq``.

A named query is a ``.rq`` file whose header comments describe it::

    # description: Investments with amounts and dates.
    # param: investor entity  Only this investor (a name, alias or IRI).
    # order: date investorLabel

A list query has no ``ORDER BY``: the store streams its rows, so the first
page (:data:`DEFAULT_LIMIT` rows) comes at once whatever the store's size.
The ``# order:`` columns sort the rows returned instead.

Parameters are bound by substitution into the parsed query (never pasted into
its text), so no value can change a query's structure. A parameter of kind
``entity`` accepts a name or alias and is resolved to its IRI; ``status``
accepts a status name such as ``rumored``; anything else is typed from its
look: ``<iri>`` or ``prefix:name`` is an IRI, ``42`` an integer, ``4.2`` a
decimal, ``true``/``false`` a boolean, the rest a string.

>>> sorted(q.name for q in named_queries())[:3]
['acquisitions', 'aliases', 'connections']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import ParameterError, QueryError, UnknownQueryError
from kg.ontology import PREFIXES, XSD, expand

QUERY_DIR = Path(__file__).resolve().parent / "queries"
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped with kg.

    Attributes:
        name: the file name without ``.rq``.
        description: one line for ``kg sparql --list``.
        params: ``{name: (kind, help)}`` declared by ``# param:`` lines.
        text: the SPARQL text.
        order: columns the returned rows are sorted by (``# order:``).
        page: the pattern that picks a grouped query's first page (``# page:``).
        totals: whether ``kg/queries/totals/<name>.rq`` answers the same from kept totals (``# totals:``).
    """

    name: str
    description: str
    text: str
    params: dict = field(default_factory=dict)
    order: tuple = ()
    page: str = ""
    totals: bool = False

    def text_for(self, store, limit: int | None = None) -> str:
        """The text to run on ``store``: the kept totals' twin when the store's totals are current (:mod:`kg.totals`).

        A twin that orders its rows may choose its page first: its ``#PAGE``
        comment becomes ``LIMIT limit``.
        """
        if self.totals:
            from kg.totals import current

            if current(store):
                text = (QUERY_DIR / "totals" / f"{self.name}.rq").read_text(encoding="utf-8")
                return text.replace("#PAGE", f"LIMIT {int(limit)}") if limit else text
        return self.text


def _parse_header(name: str, text: str) -> NamedQuery:
    description, params, order, page, totals = "", {}, (), "", False
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        if body.startswith("description:"):
            description = body.split(":", 1)[1].strip()
        elif body.startswith("order:"):
            order = tuple(body.split(":", 1)[1].split())
        elif body.startswith("page:"):
            page = body.split(":", 1)[1].strip()
        elif body.startswith("totals:"):
            totals = True
        elif body.startswith("param:"):
            parts = body.split(":", 1)[1].split(None, 2)
            if parts:
                params[parts[0]] = (parts[1] if len(parts) > 1 else "value", parts[2] if len(parts) > 2 else "")
    return NamedQuery(name=name, description=description, text=text, params=params, order=order, page=page,
                      totals=totals)


def named_queries() -> list[NamedQuery]:
    """Every named query, sorted by name."""
    return [_parse_header(p.stem, p.read_text(encoding="utf-8")) for p in sorted(QUERY_DIR.glob("*.rq"))]


def named_query(name: str) -> NamedQuery:
    """One named query.

    Raises:
        UnknownQueryError: no query has that name; suggests the nearest.
    """
    import difflib

    path = QUERY_DIR / f"{name}.rq"
    if not path.is_file() or "/" in name:
        names = [q.name for q in named_queries()]
        near = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
        hint = f"did you mean: {', '.join(near)}?" if near else "see 'kg sparql --list'"
        raise UnknownQueryError(f"no named query {name!r}; {hint}")
    return _parse_header(name, path.read_text(encoding="utf-8"))


def parse_params(pairs) -> dict[str, str]:
    """Split ``key=value`` strings into a dict.

    Raises:
        ParameterError: a pair has no ``=`` or the key is not a valid variable name.

    >>> parse_params(["investor=Xiaomi", "year=2019"])
    {'investor': 'Xiaomi', 'year': '2019'}
    """
    out = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        key = key.strip().lstrip("?$")
        if not sep or not _VAR.match(key):
            raise ParameterError(f"bad parameter {pair!r}: write it as name=value, e.g. -p investor=Xiaomi")
        out[key] = value
    return out


def to_term(value: str, kind: str = "value", store=None):
    """Turn a parameter string into an RDF term, by its declared kind or its look.

    Args:
        value: the text the user gave.
        kind: ``entity`` (resolve a name to an IRI), ``status``, ``iri``,
            ``string``, ``integer``, ``decimal``, ``year`` or ``value`` (guess).
        store: needed for ``entity``.

    Returns:
        A ``pyoxigraph.NamedNode`` or ``Literal``.

    Raises:
        ParameterError: the value does not fit the kind.
        UnknownEntityError: an ``entity`` value matches nothing.

    >>> str(to_term("2019"))
    '"2019"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> str(to_term('x" } ; DROP ALL ; {'))
    '"x\\\\" } ; DROP ALL ; {"'
    """
    import pyoxigraph as ox

    if kind == "entity" and store is not None:
        from kg.entities import find_entity

        return ox.NamedNode(find_entity(store, value))
    if kind == "status":
        return ox.Literal(value.strip().lower())
    if kind == "string":
        return ox.Literal(value)
    if kind == "year":
        if not re.fullmatch(r"\d{4}", value):
            raise ParameterError(f"{value!r} is not a year such as 2019")
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))
    bare_iri = value.startswith(("http://", "https://", "urn:")) and not any(c in value for c in ' <>"{}')
    if kind == "iri" or bare_iri or (value.startswith("<") and value.endswith(">")):
        iri = value[1:-1] if value.startswith("<") else expand(value)
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:
            raise ParameterError(f"{value!r} is not a valid IRI: {exc}") from None
    if kind in ("integer", "value") and re.fullmatch(r"[+-]?\d+", value):
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "integer"))
    if kind in ("decimal", "value") and re.fullmatch(r"[+-]?\d*\.\d+", value):
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "decimal"))
    if kind in ("integer", "decimal"):
        raise ParameterError(f"{value!r} is not a number")
    if value in ("true", "false"):
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "boolean"))
    prefix = value.split(":", 1)[0]
    if ":" in value and prefix in PREFIXES and " " not in value:
        return ox.NamedNode(expand(value))
    return ox.Literal(value)


@dataclass
class QueryResult:
    """The outcome of a query, in a shape every output format can use.

    Attributes:
        kind: ``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE).
        columns: the SELECT variables.
        rows: SELECT rows as dicts of variable → term (None when unbound).
        boolean: the ASK answer.
        triples: CONSTRUCT/DESCRIBE triples.
    """

    kind: str
    columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)

    def serialize(self, fmt: str) -> bytes:
        """CONSTRUCT/DESCRIBE triples as ``turtle``, ``ntriples``, ``jsonld`` … (see :func:`kg.stores.rdf_format`)."""
        import pyoxigraph as ox

        from kg.formats import rdf_format

        return ox.serialize(self.triples, format=rdf_format(fmt), prefixes=PREFIXES if fmt in ("turtle", "ttl") else None)

    def to_python(self):
        """The result as plain Python values: IRIs as strings, literals as numbers, booleans or text.

        Returns:
            SELECT: a list of ``{column: value}`` dicts (``None`` when unbound);
            ASK: a ``bool``; CONSTRUCT/DESCRIBE: a list of ``[subject, predicate, object]``.

        >>> import pyoxigraph as ox
        >>> r = QueryResult("select", ["n"], [{"n": ox.Literal("400000000", datatype=ox.NamedNode(XSD + "decimal"))}])
        >>> r.to_python()
        [{'n': 400000000}]
        """
        from kg.formats import to_python

        if self.kind == "ask":
            return bool(self.boolean)
        if self.kind == "graph":
            return [to_python(t) for t in self.triples]
        return [{c: to_python(row.get(c)) for c in self.columns} for row in self.rows]

    def to_pandas(self):
        """The result as a pandas DataFrame of plain values, so sums and sorts work on numbers.

        SELECT gives one column per variable; CONSTRUCT/DESCRIBE gives
        ``subject``, ``predicate``, ``object``; ASK one ``boolean`` cell.
        pandas is optional (``pip install "kg[notebook]"``).

        Raises:
            KgError: pandas is not installed.

        >>> import pyoxigraph as ox
        >>> r = QueryResult("select", ["amount"], [{"amount": ox.Literal("2.5", datatype=ox.NamedNode(XSD + "decimal"))}] * 2)
        >>> float(r.to_pandas()["amount"].sum())
        5.0
        """
        try:
            import pandas as pd
        except ImportError:
            from kg.errors import KgError

            raise KgError('to_pandas needs pandas: pip install "kg[notebook]"') from None
        data = self.to_python()
        if self.kind == "ask":
            return pd.DataFrame({"boolean": [data]})
        if self.kind == "graph":
            return pd.DataFrame(data, columns=["subject", "predicate", "object"])
        return pd.DataFrame(data, columns=self.columns)

    def _repr_html_(self) -> str:
        """Jupyter's rich display: a table with kg's short names (the first rows only)."""
        from kg.notebook import html_table

        if self.kind == "ask":
            return f"<p>{'yes' if self.boolean else 'no'}</p>"
        if self.kind == "graph":
            rows = [dict(zip(("subject", "predicate", "object"), (t.subject, t.predicate, t.object), strict=True))
                    for t in self.triples]
            return html_table(rows, ["subject", "predicate", "object"])
        return html_table(self.rows, self.columns)


def run_query(store, text: str, params: dict | None = None, *, kinds: dict | None = None, limit: int | None = None) -> QueryResult:
    """Run a SPARQL query with parameters bound, never pasted.

    Args:
        store: an open store.
        text: the query; kg's prefixes (kg:, id:, rdfs:, skos:, schema: …) are predeclared.
        params: ``{name: value string}``; each becomes a term via :func:`to_term`.
        kinds: ``{name: kind}`` for the parameters (named queries declare them).
        limit: stop after this many rows.

    Returns:
        A :class:`QueryResult`.

    Raises:
        QueryError: the query is invalid (with the parser's position) or fails.
        ParameterError: a parameter does not fit its kind.
    """
    kinds = kinds or {}
    bound = {k: to_term(v, kinds.get(k, "value"), store) for k, v in (params or {}).items()}
    result = store.query(text, bound)
    kind = type(result).__name__
    if kind == "QueryBoolean" or isinstance(result, bool):
        return QueryResult(kind="ask", boolean=bool(result))
    if kind == "QuerySolutions" or hasattr(result, "variables"):
        columns = [v.value for v in result.variables]
        rows = []
        for i, sol in enumerate(result):
            if limit is not None and i >= limit:
                break
            rows.append({c: sol[c] for c in columns})
        return QueryResult(kind="select", columns=columns, rows=rows)
    try:
        triples = list(result)
    except (OSError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None
    return QueryResult(kind="graph", triples=triples)


#: Rows a named query returns unless asked for more: the first page comes fast at any size.
DEFAULT_LIMIT = 100


def run_named(store, name: str, params: dict | None = None, *, limit: int | None = DEFAULT_LIMIT) -> QueryResult:
    """Run a named query from ``kg/queries`` with its declared parameter kinds.

    Parameters are bound by a ``VALUES`` block at the start of the query's
    WHERE group (:func:`kg.sparqltext.bind_values`), so every use of the
    variable sees the value, FILTERs included, on every backend. An aggregate
    whose totals the store keeps current (``# totals:``) reads them instead of
    counting every deal (:mod:`kg.totals`); the rows are the same.

    Args:
        store: an open store.
        name: the query's name (``kg sparql --list``).
        params: ``{parameter: value string}``.
        limit: the most rows returned (:data:`DEFAULT_LIMIT` by default); ``None`` returns all.

    Returns:
        A :class:`QueryResult`; with a limit, it holds the first ``limit`` rows.

    Raises:
        UnknownQueryError: no such query.
        ParameterError: a parameter the query does not declare, or one that does not fit its kind.

    >>> from kg.stores import open_store
    >>> run_named(open_store("memory:"), "graphs", limit=None).rows
    []
    """
    from kg.sparqltext import bind_values

    q = named_query(name)
    for key in params or {}:
        if key not in q.params:
            declared = ", ".join(q.params) or "none"
            raise ParameterError(f"query {name!r} has no parameter {key!r}; it takes: {declared}")
    bound = {k: to_term(v, q.params[k][0], store) for k, v in (params or {}).items()}
    text = q.text_for(store, limit)
    text = bind_values(text, bound) if bound else text
    result = run_query(store, paged(text, q.page, bound, limit), limit=limit)
    if q.order:
        result.rows.sort(key=lambda row: tuple(_sort_key(row.get(c)) for c in q.order))
    return result


def paged(text: str, page: str, bound: dict, limit: int | None) -> str:
    """A grouped query that reads only its first page: the ``# page:`` pattern's first ``limit`` solutions first.

    A query that groups its rows (one per deal, say) must see every row
    before it gives the first one. Its header names the pattern that
    chooses the groups (``# page: ?deal a kg:Investment ; kg:investor
    ?investor``); the first ``limit`` distinct values of its first variable,
    with the same bound parameters, are picked in a sub-select placed first,
    and only their rows are grouped. The page is the first rows the store
    gives, as for a list query; ``limit=None`` reads everything.

    >>> paged("SELECT ?d WHERE { ?d ?p ?o } GROUP BY ?d", "?d a kg:Deal", {}, 5)
    'SELECT ?d WHERE { { SELECT DISTINCT ?d WHERE { ?d a kg:Deal } LIMIT 5 }\\n ?d ?p ?o } GROUP BY ?d'
    """
    from kg.sparqltext import bind_values, where_group

    if not page or not limit:
        return text
    var = page.split()[0]
    if not _VAR.match(var.lstrip("?")) or not var.startswith("?"):
        raise QueryError(f"a '# page:' pattern must start with its variable, not {var!r}")
    sub = f"SELECT DISTINCT {var} WHERE {{ {page} }} LIMIT {int(limit)}"
    if bound:
        sub = bind_values(sub, bound)
    pos = where_group(text)
    return text if pos is None else f"{text[:pos + 1]} {{ {sub} }}\n{text[pos + 1:]}"


def _sort_key(term) -> tuple:
    """Order terms as ORDER BY would: unbound last, numbers by value, the rest by their text."""
    if term is None:
        return (1, 0, 0.0, "")
    kind = getattr(getattr(term, "datatype", None), "value", "")
    if kind.startswith(XSD) and kind[len(XSD):] in ("integer", "decimal", "double", "float", "long", "int"):
        try:
            return (0, 0, float(term.value), "")
        except ValueError:
            pass
    return (0, 1, 0.0, term.value)


def status_iri(name: str) -> str:
    """The IRI of a status given by name (``rumored`` → ``kg:Rumored``).

    Raises:
        ParameterError: unknown status; lists the known ones.
    """
    from kg.schema import load as load_schema

    schema = load_schema()
    for s in schema.statuses:
        if s.key == name.strip().lower():
            return s.iri
    raise ParameterError(f"unknown status {name!r}; use one of: {', '.join(schema.status_names)}")
