"""A remote SPARQL 1.1 endpoint as a kg store.

:class:`RemoteStore` has the methods and semantics of
:class:`kg.stores.OxigraphStore`, over HTTP: queries go through the SPARQL 1.1
Protocol, writes through SPARQL 1.1 Update or, for large graphs, the Graph
Store Protocol (GSP) in batches. Results are parsed by pyoxigraph, so callers
get the same term types (``NamedNode``, ``Literal``…) and the same result
objects (``QuerySolutions``, ``QueryBoolean``; CONSTRUCT gives an iterator of
``Triple`` with a ``serialize`` method, like ``QueryTriples``).

Endpoints. The store's location is the *query* endpoint. The others follow by
convention and can be overridden with environment variables:

=====================  =============================  ===========================
endpoint               derived from ``…/query``       override
=====================  =============================  ===========================
query                  the location itself            (the location)
update                 ``…/update``                   ``KG_STORE_UPDATE_URL``
graph store (GSP)      ``…/store``                    ``KG_STORE_GSP_URL``
=====================  =============================  ===========================

A location that does not end in ``/query`` (Virtuoso's, Neptune's or QLever's
``…/sparql``) uses the same URL for updates, and has no GSP endpoint unless
``KG_STORE_GSP_URL`` names one. ``KG_STORE_GSP_URL=none`` turns GSP off.

Other settings, all optional:

* ``KG_STORE_TOKEN``: sent as ``Authorization: Bearer …`` (``kg serve --allow-update``).
* ``KG_STORE_UNION``: ``param`` sends Oxigraph's ``union-default-graph``
  parameter with each query; ``native`` sends nothing (Virtuoso, GraphDB and
  Neptune already query the union of all graphs by default); ``auto`` (the
  default) picks ``param`` when the server says it is Oxigraph.
* ``KG_STORE_TIMEOUT``: seconds to wait for an answer (default 300).
* ``KG_STORE_BATCH_BYTES``: the largest request body a write sends (default 4 MiB).

Atomicity of :meth:`RemoteStore.replace_graphs`: when the whole change fits in
one request (``KG_STORE_BATCH_BYTES``) it is one SPARQL Update request, which
Oxigraph server runs as one transaction (all or nothing). A larger change is
sent per named graph in batches (GSP ``PUT`` then ``POST``, or ``INSERT DATA``
requests), then ``then`` runs: each request is atomic on its own, and a failure
part-way leaves the graphs written so far. Running the same write again
repairs that, since each graph is replaced whole.

>>> RemoteStore("http://127.0.0.1:7878/query").update_url
'http://127.0.0.1:7878/update'
"""

from __future__ import annotations

import base64
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

from kg.errors import QueryError, ReadOnlyStoreError, StoreError
from kg.sparqltext import bind_values, one_line_prologue, user_position
from kg.formats import rdf_format

RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, "
    "application/sparql-results+xml;q=0.8, text/turtle;q=0.7, application/rdf+xml;q=0.5"
)
_SPOOL_BYTES = 8 << 20


class RemoteStore:
    """A SPARQL 1.1 endpoint used as a kg store.

    Use :func:`kg.stores.open_store` with an ``http(s)://`` location rather than
    this class directly.

    Args:
        location: the query endpoint, e.g. ``http://127.0.0.1:7878/query``.
        read_only: refuse writes locally, before sending anything.
        update_url, gsp_url, token: override the environment (see the module doc).

    Attributes:
        location, update_url, gsp_url (``None`` when there is none), read_only.

    >>> store = RemoteStore("http://127.0.0.1:7878/query", read_only=True)
    >>> store.gsp_url
    'http://127.0.0.1:7878/store'
    """

    def __init__(
        self,
        location: str,
        *,
        read_only: bool = False,
        update_url: str | None = None,
        gsp_url: str | None = None,
        token: str | None = None,
    ):
        parts = urllib.parse.urlsplit(location)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreError(f"not a SPARQL endpoint URL: {location!r}")
        self.location = location
        self.read_only = read_only
        # Credentials in the URL (http://user:pass@host/…) become Basic auth,
        # since urllib does not send them by itself.
        self._auth = None
        if parts.username:
            userpass = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            self._auth = "Basic " + base64.b64encode(userpass.encode()).decode()
            netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
            location = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        self._query_url = location
        token = token if token is not None else os.environ.get("KG_STORE_TOKEN")
        if token:
            self._auth = f"Bearer {token}"
        base = urllib.parse.urlunsplit(parts._replace(query="", fragment="", netloc=urllib.parse.urlsplit(location).netloc))
        by_convention = base.endswith("/query")
        self.update_url = update_url or os.environ.get("KG_STORE_UPDATE_URL") or (
            base[: -len("query")] + "update" if by_convention else location
        )
        gsp = gsp_url or os.environ.get("KG_STORE_GSP_URL") or (base[: -len("query")] + "store" if by_convention else "")
        self.gsp_url = None if gsp.lower() in ("", "none", "off") else gsp
        self._union = os.environ.get("KG_STORE_UNION", "auto").lower()
        if self._union not in ("auto", "param", "native"):
            raise StoreError(f"KG_STORE_UNION must be auto, param or native, not {self._union!r}")
        self._timeout = float(os.environ.get("KG_STORE_TIMEOUT", "300"))
        self._batch_bytes = int(os.environ.get("KG_STORE_BATCH_BYTES", str(4 << 20)))
        self._closed = False

    # -- HTTP --------------------------------------------------------------

    def _request(self, url: str, *, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
        """Send one request; return the open response. Errors become kg errors."""
        if self._closed:
            raise StoreError(f"store {self.location} is closed")
        where = url.split("?")[0]
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
        req.add_header("User-Agent", "kg")
        if self._auth:
            req.add_header("Authorization", self._auth)
        try:
            return urllib.request.urlopen(req, timeout=self._timeout)  # noqa: S310 (http(s) only, checked above)
        except urllib.error.HTTPError as exc:
            detail = _error_text(exc)
            if exc.code in (400, 422):
                raise QueryError(f"the endpoint rejected the request: {detail}") from None
            if exc.code in (401, 403):
                raise StoreError(
                    f"{where} refused the request ({exc.code}): {detail}; "
                    "writes need a token (KG_STORE_TOKEN) or a read-write endpoint"
                ) from None
            if exc.code in (408, 503, 504):
                raise QueryError(f"the endpoint timed out or is busy ({exc.code}): {detail}") from None
            raise StoreError(f"{where} answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach SPARQL endpoint {where}: {reason}") from None

    def _union_param(self) -> bool:
        """Whether queries carry Oxigraph's ``union-default-graph`` parameter."""
        if self._union == "auto":
            # One cheap probe: Oxigraph server names itself; kg serve and the
            # other servers already query the union by default.
            with self._request(self._with_params(self._query_url, {"query": "ASK {}"}),
                               headers={"Accept": "application/sparql-results+json"}) as resp:
                server = resp.headers.get("Server", "")
                resp.read()
            self._union = "param" if server.lower().startswith("oxigraph") else "native"
        return self._union == "param"

    @staticmethod
    def _with_params(url: str, params: dict) -> str:
        sep = "&" if urllib.parse.urlsplit(url).query else "?"
        return url + sep + urllib.parse.urlencode(params)

    # -- reading -----------------------------------------------------------

    def query(self, sparql: str, params: Mapping[str, Any] | None = None, *, prefixes: bool = True):
        """Run a SPARQL query over the union of all graphs, through the SPARQL protocol.

        Args:
            sparql: the query text. kg's prefixes are declared for you.
            params: values for variables: ``{"name": Literal("Xiaomi")}``. They
                are bound by a ``VALUES`` block at the start of the query's
                WHERE clause, written by pyoxigraph's serializer (never pasted).
            prefixes: set false to send the text exactly as given.

        Returns:
            ``QuerySolutions`` (SELECT), ``QueryBoolean`` (ASK), or an iterator
            of ``Triple`` with ``serialize()`` (CONSTRUCT/DESCRIBE).

        Raises:
            QueryError: the endpoint rejected the query, or timed out.
            ParameterError: a parameter is not a NamedNode or Literal.
            StoreError: the endpoint cannot be reached.

        >>> from pyoxigraph import NamedNode
        >>> bind_values("SELECT ?p WHERE { ?s ?p ?o }", {"s": NamedNode("urn:a")})
        'SELECT ?p WHERE { VALUES (?s) { (<urn:a>) }\\n ?s ?p ?o }'
        """
        text = bind_values(sparql, params) if params else sparql
        if prefixes:
            text = one_line_prologue(text)
        url = self._query_url
        if self._union_param():
            url = self._with_params(url, {"union-default-graph": ""})
        body = urllib.parse.urlencode({"query": text}).encode()
        try:
            resp = self._request(url, method="POST", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": RESULTS_ACCEPT,
            })
        except QueryError as exc:
            raise user_position(exc, len(text) - len(sparql) if prefixes and not params else 0) from None
        with resp:
            ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            spool = _spool(resp)
        return parse_results(spool, ctype)

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs in the store, sorted."""
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", prefixes=False)
        return sorted(r["g"].value for r in rows if type(r["g"]).__name__ == "NamedNode")

    def __len__(self) -> int:
        """The number of quads in the named graphs (plus Oxigraph's default graph, which kg leaves empty)."""
        n = _count(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", prefixes=False))
        if self._union_param():
            # Oxigraph keeps a separate default graph; count it without the union.
            n += _count(self._plain_query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        return n

    def _plain_query(self, text: str):
        """A query without the union parameter (Oxigraph's own default graph)."""
        union, self._union = self._union, "native"
        try:
            return self.query(text, prefixes=False)
        finally:
            self._union = union

    def dump(self, format: str = "nquads", graph: str | None = None) -> bytes:
        """Serialize the store, or one named graph, with pyoxigraph.

        Args:
            format: ``turtle``, ``ntriples``, ``nquads``, ``trig``, ``jsonld`` or ``rdfxml``.
            graph: a named graph IRI; graph formats get the union of all graphs without one.

        Returns:
            The serialization, as bytes.
        """
        import pyoxigraph as ox

        from kg.ontology import PREFIXES

        fmt = rdf_format(format)
        if graph:
            triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                                 {"g": ox.NamedNode(graph)}, prefixes=False)
            return ox.serialize(list(triples), format=fmt)
        rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", prefixes=False)
        quads = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]
        if fmt.supports_datasets:
            return ox.serialize(quads, format=fmt)
        triples = dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        return ox.serialize(triples, format=fmt, prefixes=PREFIXES)

    # -- writing -----------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(f"store {self.location} is open read-only")

    def update(self, sparql: str, *, prefixes: bool = True) -> None:
        """Run a SPARQL 1.1 Update in one request (Oxigraph runs it as one transaction).

        Raises:
            ReadOnlyStoreError: the store is read-only.
            QueryError: the endpoint rejected the update.
            StoreError: the endpoint refused it (no token?) or cannot be reached.
        """
        self._check_writable()
        text = one_line_prologue(sparql) if prefixes else sparql
        try:
            resp = self._request(self.update_url, method="POST", body=text.encode(), headers={
                "Content-Type": "application/sparql-update; charset=utf-8",
            })
        except QueryError as exc:
            raise user_position(exc, len(text) - len(sparql)) from None
        with resp:
            resp.read()

    def replace_graphs(self, graphs: Mapping[str, Iterable], *, then: str = "") -> None:
        """Replace whole named graphs, then optionally run an update.

        One SPARQL Update request when the change fits in ``KG_STORE_BATCH_BYTES``
        (atomic on Oxigraph server); otherwise per graph in batches, through
        the Graph Store Protocol when there is a GSP endpoint, else through
        ``INSERT DATA`` requests (see the module doc for the atomicity).

        Args:
            graphs: graph IRI → iterable of ``pyoxigraph.Triple`` (or ``Quad``;
                its graph is ignored). An empty iterable just drops the graph.
            then: SPARQL Update operations to run after the graphs are written.

        Raises:
            ReadOnlyStoreError: the store is read-only.
            StoreError, QueryError: a request failed (see above for what is left).
        """
        self._check_writable()
        lines = {g: [f"{t.subject} {t.predicate} {t.object} .\n" for t in triples] for g, triples in graphs.items()}
        size = sum(len(line) for ls in lines.values() for line in ls) + len(then)
        if size <= self._batch_bytes:
            self.update(_replace_text(lines, then), prefixes=bool(then))
            return
        for graph, glines in lines.items():
            self._write_graph(graph, glines)
        if then:
            self.update(then)

    def _write_graph(self, graph: str, lines: list[str]) -> None:
        import pyoxigraph as ox

        iri = str(ox.NamedNode(graph))
        batches = list(_batches(lines, self._batch_bytes))
        if self.gsp_url is None:
            self.update(f"DROP SILENT GRAPH {iri}", prefixes=False)
            for batch in batches:
                self.update(f"INSERT DATA {{ GRAPH {iri} {{\n{''.join(batch)}}} }}", prefixes=False)
            return
        url = self._with_params(self.gsp_url, {"graph": graph})
        if not batches:
            try:
                self._request(url, method="DELETE").close()
            except StoreError as exc:
                if " 404" not in str(exc):
                    raise
            return
        for i, batch in enumerate(batches):
            # PUT replaces the graph; later batches append with POST.
            with self._request(url, method="PUT" if i == 0 else "POST", body="".join(batch).encode(), headers={
                "Content-Type": "application/n-triples",
            }) as resp:
                resp.read()

    def flush(self) -> None:
        """Nothing to do: the server makes each request durable itself."""

    @property
    def raw(self):
        """Not available: a remote store has no local ``pyoxigraph.Store``.

        Raises:
            StoreError: always; use :meth:`query` (it streams) instead.
        """
        raise StoreError(f"store {self.location} is a remote SPARQL endpoint; it has no raw pyoxigraph store")

    def close(self) -> None:
        """Forget the endpoint. Safe to call twice."""
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"<RemoteStore {self.location} {mode}>"


# -- helpers -------------------------------------------------------------


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(2000).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return " ".join(text.split())[:500] or exc.reason


def _spool(resp):
    """Copy the response to a temporary file (in memory up to 8 MiB, then on disk).

    Reading it all first frees the connection at once and keeps memory
    bounded, while pyoxigraph still parses the results as a stream.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
    try:
        while chunk := resp.read(1 << 16):
            spool.write(chunk)
    except OSError as exc:
        raise StoreError(f"the SPARQL endpoint broke off its answer: {exc}") from None
    spool.seek(0)
    return spool


_RESULT_FORMATS = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/tab-separated-values": "TSV",
}
_GRAPH_FORMATS = {
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "text/turtle": "TURTLE",
    "application/rdf+xml": "RDF_XML",
    "application/ld+json": "JSON_LD",
    "application/n-quads": "N_QUADS",
}
# A complete answer ends with these; Oxigraph server appends its error text
# (a timeout, say) to a stream it has already started.
_ENDINGS = {"JSON": (b"}",), "XML": (b">",), "N_TRIPLES": (b".", b""), "TURTLE": (b".", b"")}


def parse_results(spool, content_type: str):
    """Parse a SPARQL protocol answer into pyoxigraph objects.

    Args:
        spool: a binary file positioned at the start of the body.
        content_type: the response's media type, without parameters.

    Returns:
        ``QuerySolutions``/``QueryBoolean`` for results, ``RemoteTriples`` for graphs.

    Raises:
        QueryError: the media type is unknown, or the answer is cut short by a server error.
    """
    import pyoxigraph as ox

    name = _RESULT_FORMATS.get(content_type) or _GRAPH_FORMATS.get(content_type)
    if name is None:
        raise QueryError(f"the endpoint answered with an unsupported media type {content_type!r}")
    _check_complete(spool, name)
    if content_type in _RESULT_FORMATS:
        try:
            return ox.parse_query_results(spool, format=getattr(ox.QueryResultsFormat, name))
        except SyntaxError as exc:
            raise QueryError(f"cannot parse the endpoint's answer: {exc}") from None
    return RemoteTriples(ox.parse(spool, format=getattr(ox.RdfFormat, name)))


def _check_complete(spool, name: str) -> None:
    endings = _ENDINGS.get(name)
    if not endings:
        return
    spool.seek(0, os.SEEK_END)
    size = spool.tell()
    spool.seek(max(0, size - 512))
    tail = spool.read().rstrip()
    spool.seek(0)
    if not tail and b"" in endings:
        return
    if not tail.endswith(tuple(e for e in endings if e)):
        last = tail.decode("utf-8", "replace").splitlines()[-1:] or [""]
        raise QueryError(f"the endpoint's answer was cut short: {last[0][-200:]}")


class RemoteTriples:
    """The triples of a remote CONSTRUCT or DESCRIBE, like ``pyoxigraph.QueryTriples``.

    Iterate for ``pyoxigraph.Triple`` objects, or :meth:`serialize` them.
    """

    def __init__(self, quads):
        self._quads = quads

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._quads).triple
        except SyntaxError as exc:
            raise QueryError(f"cannot parse the endpoint's answer: {exc}") from None

    def serialize(self, output=None, format=None):
        """Serialize the remaining triples, like ``QueryTriples.serialize``.

        Args:
            output: a path or binary file; ``None`` returns bytes.
            format: a ``pyoxigraph.RdfFormat`` (default N-Triples).
        """
        import pyoxigraph as ox

        return ox.serialize(list(self), output, format=format or ox.RdfFormat.N_TRIPLES)


def _count(rows) -> int:
    for row in rows:
        return int(row[0].value)
    return 0


def _batches(lines: list[str], limit: int):
    batch, size = [], 0
    for line in lines:
        if batch and size + len(line) > limit:
            yield batch
            batch, size = [], 0
        batch.append(line)
        size += len(line)
    if batch:
        yield batch


def _replace_text(lines: Mapping[str, list[str]], then: str) -> str:
    import pyoxigraph as ox

    parts = []
    for graph, glines in lines.items():
        iri = str(ox.NamedNode(graph))
        parts.append(f"DROP SILENT GRAPH {iri}")
        if glines:
            parts.append(f"INSERT DATA {{ GRAPH {iri} {{\n{''.join(glines)}}} }}")
    if then:
        parts.append(then)
    return " ;\n".join(parts)


