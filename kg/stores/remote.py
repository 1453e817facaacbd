"""A remote SPARQL 1.1 endpoint as a kg store.

:class:`RemoteStore` has the methods and semantics of
:class:`kg.stores.oxigraph.OxigraphStore`, over HTTP: queries go through the
SPARQL 1.1 Protocol, writes through SPARQL 1.1 Update and, for large changes,
the Graph Store Protocol (GSP). Results are parsed by pyoxigraph, so callers
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
``…/sparql``) uses the same URL for updates. It has no GSP endpoint unless
``KG_STORE_GSP_URL`` names one, or the server says it is Virtuoso: then its
``…/sparql-graph-crud(-auth)`` is used. ``KG_STORE_GSP_URL=none`` turns GSP off.

Credentials: ``http://user:password@host/…`` or ``KG_STORE_USER`` and
``KG_STORE_PASSWORD``. They are sent only when the server asks, with the
scheme it asks for (HTTP Digest, which Virtuoso's ``/sparql-auth`` needs, or
Basic); the password never appears in :attr:`RemoteStore.location`.

Other settings, all optional:

* ``KG_STORE_TOKEN``: sent as ``Authorization: Bearer …`` (``kg serve --allow-update``).
* ``KG_STORE_UNION``: ``param`` sends Oxigraph's ``union-default-graph``
  parameter with each query; ``native`` sends nothing (Virtuoso, GraphDB and
  Neptune already query the union of all graphs by default); ``auto`` (the
  default) picks ``param`` when the server says it is Oxigraph.
* ``KG_STORE_TIMEOUT``: seconds to wait for an answer (default 300).
* ``KG_STORE_BATCH_BYTES``: the largest request body a write sends (default 4 MiB).
* ``KG_STORE_BATCH_TRIPLES``: the most triples one ``INSERT DATA`` holds
  (default: no limit, 2,000 on Virtuoso, whose SPARQL parser runs out of
  memory near 5,000).

Atomicity of :meth:`RemoteStore.replace_graphs`. A change that fits in one
request is one SPARQL Update: the server runs it as one transaction. A larger
change is *staged*: a journal entry is written to the graph
``urn:kg:journal``; the triples go in batches into temporary graphs
``urn:kg:stage:…``, with each predicate wrapped as ``<urn:kg:staged:…>`` so
that no query of kg's sees them; then one SPARQL Update swaps the staged
graphs in, runs ``then`` and deletes the journal entry, all or nothing. Where
the server refuses so large a transaction (Virtuoso's transaction log limit,
say), the swap goes in steps the journal records. The next write to the store
finishes (rolls forward) a swap that was under way, or removes (rolls back)
a staging that never reached it, and logs which. Every error message says what
state the store was left in. ``then`` must be safe to run twice (kg's derived
graph update is). Two kg processes must not write one remote store at once.

>>> RemoteStore("http://127.0.0.1:7878/query").update_url
'http://127.0.0.1:7878/update'
"""

from __future__ import annotations

import http.client
import logging
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from kg.errors import QueryError, ReadOnlyStoreError, StoreError
from kg.formats import rdf_format
from kg.sparqltext import bind_values, one_line_prologue, user_position

log = logging.getLogger(__name__)

RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, "
    "application/sparql-results+xml;q=0.8, text/turtle;q=0.7, application/rdf+xml;q=0.5"
)
# Virtuoso writes xsd:boolean as 1 and 0 in JSON results, as true and false in XML.
XML_FIRST_ACCEPT = (
    "application/sparql-results+xml, application/n-triples;q=0.9, "
    "application/sparql-results+json;q=0.8, text/turtle;q=0.7, application/rdf+xml;q=0.5"
)
_SPOOL_BYTES = 8 << 20

#: The named graph holding the journal of staged writes.
JOURNAL_GRAPH = "urn:kg:journal"
#: Staged triples live in graphs under this prefix until they are swapped in.
STAGE_GRAPH = "urn:kg:stage:"
#: A staged triple's predicate is its own IRI behind this prefix.
STAGED = "urn:kg:staged:"
_J = "urn:kg:journal#"
#: Graphs a server keeps for itself (Virtuoso's), left out of named_graphs, len and dump.
SYSTEM_GRAPHS = frozenset({
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
})
# Triples moved per request when a swap must go in steps.
_MOVE_TRIPLES = 50_000
_MIN_MOVE_TRIPLES = 50
_VIRTUOSO_BATCH_TRIPLES = 2000


class _NoAnswer(StoreError):
    """The endpoint could not be reached, or broke off before it answered."""


def hidden_graph(iri: str) -> bool:
    """Whether a named graph is the server's or kg's own bookkeeping, not data.

    >>> hidden_graph("urn:kg:journal"), hidden_graph("https://kg.example.org/graph/ontology")
    (True, False)
    """
    return iri in SYSTEM_GRAPHS or iri == JOURNAL_GRAPH or iri.startswith(STAGE_GRAPH)


class RemoteStore:
    """A SPARQL 1.1 endpoint used as a kg store.

    Use :func:`kg.stores.open_store` with an ``http(s)://`` location rather than
    this class directly.

    Args:
        location: the query endpoint, e.g. ``http://127.0.0.1:7878/query``.
        read_only: refuse writes locally, before sending anything.
        update_url, gsp_url, token: override the environment (see the module doc).

    Attributes:
        location (without any password), update_url, gsp_url (``None`` when
        there is none by convention), read_only.

    Raises:
        StoreError: the location is not an http(s) URL.

    >>> store = RemoteStore("http://dba:secret@127.0.0.1:8890/sparql-auth", read_only=True)
    >>> store.location, store.gsp_url
    ('http://dba@127.0.0.1:8890/sparql-auth', None)
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
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreError(f"not a SPARQL endpoint URL: {location!r}")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        netloc = host + (f":{parts.port}" if parts.port else "")
        url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        user = urllib.parse.unquote(parts.username) if parts.username else os.environ.get("KG_STORE_USER")
        password = urllib.parse.unquote(parts.password or "") if parts.username else os.environ.get("KG_STORE_PASSWORD", "")
        self.location = urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}@{netloc}")) if parts.username else url
        self.read_only = read_only
        self._query_url = url
        self._opener = _opener(f"{parts.scheme}://{netloc}/", user, password)
        token = token if token is not None else os.environ.get("KG_STORE_TOKEN")
        self._auth = f"Bearer {token}" if token else None
        base = urllib.parse.urlunsplit(parts._replace(query="", fragment="", netloc=netloc))
        by_convention = base.endswith("/query")
        self.update_url = update_url or os.environ.get("KG_STORE_UPDATE_URL") or (
            base[: -len("query")] + "update" if by_convention else url
        )
        gsp = gsp_url or os.environ.get("KG_STORE_GSP_URL") or (base[: -len("query")] + "store" if by_convention else "")
        self._gsp_off = gsp.lower() in ("none", "off")
        self.gsp_url = None if self._gsp_off or not gsp else gsp
        self._union = os.environ.get("KG_STORE_UNION", "auto").lower()
        if self._union not in ("auto", "param", "native"):
            raise StoreError(f"KG_STORE_UNION must be auto, param or native, not {self._union!r}")
        self._timeout = float(os.environ.get("KG_STORE_TIMEOUT", "300"))
        self._batch_bytes = int(os.environ.get("KG_STORE_BATCH_BYTES", str(4 << 20)))
        self._batch_triples = int(os.environ.get("KG_STORE_BATCH_TRIPLES", "0"))
        self._kind: str | None = None
        self._recovered = False
        self._closed = False

    # -- HTTP --------------------------------------------------------------

    def _request(self, url: str, *, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
        """Send one request; return the open response. Errors become kg errors.

        Raises:
            QueryError: 400/422 (a bad request) or 408/503/504 (timed out, busy).
            StoreError: refused (401/403) or any other status; ``_NoAnswer``
                when the endpoint cannot be reached or drops the connection.
        """
        if self._closed:
            raise StoreError(f"store {self.location} is closed")
        where = url.split("?")[0]
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
        req.add_header("User-Agent", "kg")
        if self._auth:
            req.add_header("Authorization", self._auth)
        try:
            return self._opener.open(req, timeout=self._timeout)
        except urllib.error.HTTPError as exc:
            error = _http_error(exc, where)
            # Close at once: a server with few HTTP threads (Virtuoso) keeps one per open connection.
            exc.close()
            raise error from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc or type(exc).__name__
            raise _NoAnswer(f"cannot reach SPARQL endpoint {where}: {reason}") from None

    def _server(self) -> str:
        """``oxigraph``, ``virtuoso`` or ``other``, from the ``Server`` header of one cheap probe."""
        if self._kind is None:
            with self._request(self._with_params(self._query_url, {"query": "ASK {}"}),
                               headers={"Accept": "application/sparql-results+json"}) as resp:
                server = resp.headers.get("Server", "").lower()
                _read(resp)
            self._kind = next((k for k in ("oxigraph", "virtuoso") if server.startswith(k)), "other")
        return self._kind

    def _union_param(self) -> bool:
        """Whether queries carry Oxigraph's ``union-default-graph`` parameter."""
        if self._union == "auto":
            # kg serve and the other servers already query the union by default.
            return self._server() == "oxigraph"
        return self._union == "param"

    def _gsp(self) -> str | None:
        """The Graph Store endpoint writes use, if any (Virtuoso's is found by asking)."""
        if self.gsp_url or self._gsp_off or self._server() != "virtuoso":
            return self.gsp_url
        path = urllib.parse.urlsplit(self.update_url).path
        crud = "sparql-graph-crud-auth" if path.endswith("-auth") else "sparql-graph-crud"
        return urllib.parse.urljoin(self.update_url, crud)

    def _triple_limit(self) -> int:
        """The most triples one ``INSERT DATA`` may carry (0: no limit)."""
        if self._batch_triples:
            return self._batch_triples
        return _VIRTUOSO_BATCH_TRIPLES if self._server() == "virtuoso" else 0

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
                "Accept": XML_FIRST_ACCEPT if self._server() == "virtuoso" else RESULTS_ACCEPT,
            })
        except QueryError as exc:
            raise user_position(exc, len(text) - len(sparql) if prefixes and not params else 0) from None
        with resp:
            ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            spool = _spool(resp)
        return parse_results(spool, ctype)

    def _graph_sizes(self) -> dict[str, int]:
        """Triples per named graph, the server's and kg's bookkeeping graphs left out."""
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", prefixes=False)
        return {r["g"].value: int(r["n"].value) for r in rows
                if type(r["g"]).__name__ == "NamedNode" and not hidden_graph(r["g"].value)}

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs in the store, sorted (not the server's own, nor staging)."""
        # Not SELECT DISTINCT: Virtuoso 7.2 special-cases that exact query, and it hangs once
        # graphs have been dropped (measured: > 60 s, against 0.04 s for GROUP BY).
        rows = self.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", prefixes=False)
        return sorted(r["g"].value for r in rows
                      if type(r["g"]).__name__ == "NamedNode" and not hidden_graph(r["g"].value))

    def __len__(self) -> int:
        """The number of quads in the named graphs (plus Oxigraph's default graph, which kg leaves empty)."""
        n = sum(self._graph_sizes().values())
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
            The serialization, as bytes (the server's own graphs and kg's
            staging graphs left out).
        """
        import pyoxigraph as ox

        from kg.ontology import PREFIXES

        fmt = rdf_format(format)
        if graph:
            triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                                 {"g": ox.NamedNode(graph)}, prefixes=False)
            return ox.serialize(list(triples), format=fmt)
        rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", prefixes=False)
        quads = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows if not hidden_graph(r["g"].value)]
        if fmt.supports_datasets:
            return ox.serialize(quads, format=fmt)
        triples = dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        return ox.serialize(triples, format=fmt, prefixes=PREFIXES)

    # -- writing -----------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(f"store {self.location} is open read-only")

    def update(self, sparql: str, *, prefixes: bool = True) -> None:
        """Run a SPARQL 1.1 Update in one request (the server runs it as one transaction).

        An interrupted staged write left by an earlier run is finished or
        undone first (see :meth:`recover`).

        Raises:
            ReadOnlyStoreError: the store is read-only.
            QueryError: the endpoint rejected the update.
            StoreError: the endpoint refused it (no token?) or cannot be reached.
        """
        self._check_writable()
        self._recover_once()
        text = one_line_prologue(sparql) if prefixes else sparql
        try:
            self._send_update(text)
        except QueryError as exc:
            raise user_position(exc, len(text) - len(sparql)) from None

    def _send_update(self, text: str) -> None:
        with self._request(self.update_url, method="POST", body=text.encode(), headers={
            "Content-Type": "application/sparql-update; charset=utf-8",
        }) as resp:
            _read(resp)

    def replace_graphs(self, graphs: Mapping[str, Iterable], *, then: str = "") -> None:
        """Replace whole named graphs, then optionally run an update, all or nothing.

        One SPARQL Update request when the change fits in one request;
        otherwise staged into temporary graphs and swapped in (see the module
        doc). Either way the store ends up with all of the change or none of it.

        Args:
            graphs: graph IRI → iterable of ``pyoxigraph.Triple`` (or ``Quad``;
                its graph is ignored). An empty iterable just drops the graph.
            then: SPARQL Update operations to run after the graphs are written;
                run again if an interrupted write is rolled forward.

        Raises:
            ReadOnlyStoreError: the store is read-only.
            StoreError, QueryError: a request failed; the message says whether
                the store is unchanged or the next write will finish the change.
        """
        self._check_writable()
        lines = {_graph_iri(g): [f"{t.subject} {t.predicate} {t.object} .\n" for t in triples]
                 for g, triples in graphs.items()}
        self._recover_once()
        count = sum(len(ls) for ls in lines.values())
        size = sum(len(line) for ls in lines.values() for line in ls) + len(then)
        limit = self._triple_limit()
        if size <= self._batch_bytes and (not limit or count <= limit):
            text = _replace_text(lines, then)
            self._send_update(one_line_prologue(text) if then else text)
            return
        self._staged_write(lines, then)

    def _staged_write(self, lines: dict[str, list[str]], then: str) -> None:
        """Stage ``lines`` (graph IRI → N-Triples lines) under a journal entry, then swap them in."""
        tid = uuid.uuid4().hex
        txn = f"<urn:kg:txn:{tid}>"
        pairs = [(f"<{STAGE_GRAPH}{tid}/{i}>", graph) for i, graph in enumerate(lines)]
        try:
            self._send_update(_journal_text(txn, pairs, then))
        except StoreError as exc:
            raise type(exc)(f"{exc}. The store's data is unchanged") from None
        try:
            for stage, graph in pairs:
                self._stage(stage, lines[graph])
            self._send_update(_state_text(txn, "staging", "staged"))
        except StoreError as exc:
            raise self._abandon(txn, pairs, exc) from None
        try:
            self._send_update(_commit_text(txn, pairs, then))
        except StoreError as exc:
            status = getattr(exc, "status", None)
            if status in (400, 422):
                raise self._abandon(txn, pairs, exc) from None
            if status is None or status in (408, 503, 504):
                raise type(exc)(f"{exc}. The write (transaction {txn[1:-1]}) was being committed in one step: "
                                "the store holds either all of it or none of it. The next write to this store "
                                "finds out which, completes or removes it, and says so") from None
            # The server refused so large a transaction: swap in steps.
            log.warning("kg: the endpoint refused to swap the staged write in one step (%s); "
                        "swapping it in by steps", exc)
            self._roll_forward(txn, pairs, then, cleared=set(), state="staged")

    def _stage(self, stage: str, lines: list[str]) -> None:
        """Write one graph's triples into its staging graph, predicates wrapped, in batches."""
        staged = [_stage_line(line) for line in lines]
        # A blank node's label is scoped to one request: keep its triples together.
        blank = [line for line in staged if "_:" in line]
        plain = [line for line in staged if "_:" not in line] if blank else staged
        gsp = self._gsp()
        limit = 0 if gsp else self._triple_limit()
        batches = ([blank] if blank else []) + list(_batches(plain, self._batch_bytes, limit))
        for batch in batches:
            if gsp:
                url = self._with_params(gsp, {"graph": stage[1:-1]})
                with self._request(url, method="POST", body="".join(batch).encode(), headers={
                    "Content-Type": "application/n-triples",
                }) as resp:
                    _read(resp)
            else:
                self._send_update(f"INSERT DATA {{ GRAPH {stage} {{\n{''.join(batch)}}} }}")

    def _abandon(self, txn: str, pairs: list[tuple[str, str]], exc: StoreError) -> StoreError:
        """Roll back a write that failed while staging; return the error to raise, saying what is left."""
        try:
            self._send_update(_rollback_text(txn, pairs))
        except StoreError:
            return type(exc)(f"{exc}. The store's data is unchanged; the partly staged copy "
                             f"(transaction {txn[1:-1]}) is removed by the next write to this store")
        return type(exc)(f"{exc}. The store is unchanged (the staged copy was removed)")

    def _roll_forward(self, txn: str, pairs: list[tuple[str, str]], then: str, cleared: set, state: str) -> None:
        """Swap staged graphs in by steps, each recorded in the journal, so any run can finish it."""
        if state != "committing":
            try:
                self._send_update(_state_text(txn, state, "committing"))
            except StoreError as exc:
                raise type(exc)(f"{exc}. The write (transaction {txn[1:-1]}) was about to be swapped in by "
                                "steps; none of it is in the store's data yet. The next write to this store "
                                "either completes it or removes it, and says which") from None
        try:
            for stage, graph in pairs:
                if stage not in cleared:
                    self._send_update(f"DROP SILENT GRAPH {graph} ;\n"
                                      f"INSERT DATA {{ GRAPH <{JOURNAL_GRAPH}> {{ {stage} <{_J}cleared> true }} }}")
                self._move(stage, graph)
            if then:
                self._send_update(one_line_prologue(then))
            self._send_update(_rollback_text(txn, pairs))
        except StoreError as exc:
            raise type(exc)(f"{exc}. The write (transaction {txn[1:-1]}) was being swapped in by steps and is "
                            "partly applied: the next write to this store completes it") from None

    def _move(self, stage: str, graph: str) -> None:
        """Move a staged graph's triples into ``graph``, as many per request as the server takes."""
        step = _MOVE_TRIPLES
        while bool(self.query(f"ASK {{ GRAPH {stage} {{ ?s ?p ?o }} }}", prefixes=False)):
            try:
                self._send_update(_move_text(stage, graph, step))
            except StoreError as exc:
                # A transaction too large for the server (Virtuoso's SR325): halve the step.
                if getattr(exc, "status", None) in (None, 400, 401, 403, 422) or step <= _MIN_MOVE_TRIPLES:
                    raise
                step //= 2

    def recover(self) -> list[str]:
        """Finish or undo the staged writes an earlier run left unfinished.

        A write whose swap had begun is completed (rolled forward); one that
        was still staging is removed (rolled back). Each action is logged as a
        warning on the ``kg.stores.remote`` logger.

        Returns:
            One sentence per journal entry handled (empty when there was none).

        Raises:
            ReadOnlyStoreError: the store is read-only.
            StoreError: the endpoint failed; what is left is said.
        """
        self._check_writable()
        self._recovered = True
        done = []
        for txn, entry in _read_journal(self).items():
            pairs = entry["pairs"]
            if entry["state"] == "committing":
                self._roll_forward(txn, pairs, entry["then"], entry["cleared"], "committing")
                graphs = ", ".join(g[1:-1] for _, g in pairs)
                done.append(f"completed an interrupted write (transaction {txn[1:-1]}): {graphs} now hold its data")
            else:
                self._send_update(_rollback_text(txn, pairs))
                done.append(f"removed an unfinished write (transaction {txn[1:-1]}) that never reached the "
                            "store's data: the store is as it was before it")
        for line in done:
            log.warning("kg: %s", line)
        return done

    def _recover_once(self) -> None:
        if not self._recovered:
            self.recover()

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


# -- helpers: HTTP -----------------------------------------------------------


def _opener(root: str, user: str | None, password: str):
    """A urllib opener that answers the server's Digest or Basic challenge for ``root``."""
    if not user:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, root, user, password)
    return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords),
                                       urllib.request.HTTPBasicAuthHandler(passwords))


def _http_error(exc: urllib.error.HTTPError, where: str) -> StoreError:
    """The kg error for an HTTP error status; ``status`` is kept on it."""
    detail = _error_text(exc)
    syntax = _VIRTUOSO_SYNTAX.search(detail)
    if exc.code in (400, 422) and syntax:
        err = QueryError(f"invalid SPARQL: error at line {syntax.group(1)}: {syntax.group(2)}")
    elif exc.code in (400, 422):
        err = QueryError(f"the endpoint rejected the request: {detail}")
    elif exc.code in (401, 403):
        err = StoreError(f"{where} refused the request ({exc.code}): {detail}; "
                         "writes need credentials (KG_STORE_USER and KG_STORE_PASSWORD), "
                         "a token (KG_STORE_TOKEN) or a read-write endpoint")
    elif exc.code in (408, 503, 504):
        err = QueryError(f"the endpoint timed out or is busy ({exc.code}): {detail}")
    else:
        err = StoreError(f"{where} answered {exc.code}: {detail}")
    err.status = exc.code
    return err


# Virtuoso's parse errors: "… SP030: SPARQL compiler, line 1: syntax error at '}' before '}'".
_VIRTUOSO_SYNTAX = re.compile(r"SP030: SPARQL compiler, line (\d+): (.*)")


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(4000).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException):
        text = ""
    # Virtuoso echoes the whole query after its message.
    text = text.split("SPARQL query:")[0]
    return " ".join(text.split())[:500] or exc.reason


def _read(resp) -> bytes:
    """Read a whole response body; a connection lost meanwhile is ``_NoAnswer``."""
    try:
        return resp.read()
    except (OSError, http.client.HTTPException) as exc:
        raise _NoAnswer(f"the SPARQL endpoint broke off its answer: {exc or type(exc).__name__}") from None


def _spool(resp):
    """Copy the response to a temporary file (in memory up to 8 MiB, then on disk).

    Reading it all first frees the connection at once and keeps memory
    bounded, while pyoxigraph still parses the results as a stream.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
    try:
        while chunk := resp.read(1 << 16):
            spool.write(chunk)
    except (OSError, http.client.HTTPException) as exc:
        raise _NoAnswer(f"the SPARQL endpoint broke off its answer: {exc or type(exc).__name__}") from None
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
            return _ask_answer(ox.parse_query_results(spool, format=getattr(ox.QueryResultsFormat, name)))
        except SyntaxError as exc:
            raise QueryError(f"cannot parse the endpoint's answer: {exc}") from None
    return RemoteTriples(ox.parse(spool, format=getattr(ox.RdfFormat, name)))


def _ask_answer(results):
    """A ``QueryBoolean`` for Virtuoso's answer to ASK: one row binding ``?__ASK_RETVAL`` to 1 or 0.

    >>> import pyoxigraph as ox
    >>> rows = ox.parse_query_results(
    ...     b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": []}}', format=ox.QueryResultsFormat.JSON)
    >>> _ask_answer(rows)
    <QueryBoolean false>
    """
    import pyoxigraph as ox

    if not isinstance(results, ox.QuerySolutions) or [v.value for v in results.variables] != ["__ASK_RETVAL"]:
        return results
    value = any(row[0] is not None and row[0].value not in ("0", "false") for row in results)
    return ox.parse_query_results(b'{"head": {}, "boolean": %s}' % (b"true" if value else b"false"),
                                  format=ox.QueryResultsFormat.JSON)


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


# -- helpers: the text of writes ---------------------------------------------


def _graph_iri(graph: str) -> str:
    """``<graph>``, written by pyoxigraph; a bad IRI is a StoreError."""
    import pyoxigraph as ox

    try:
        return str(ox.NamedNode(graph))
    except ValueError as exc:
        raise StoreError(f"invalid graph IRI {graph!r}: {exc}") from None


def _stage_line(line: str) -> str:
    """An N-Triples line with every IRI in it wrapped as ``<urn:kg:staged:…>``.

    Staged triples then share no IRI with the store's data, so no query that
    names a subject, predicate or object IRI can see them.

    >>> _stage_line('<urn:a> <urn:p> <urn:b> .\\n')
    '<urn:kg:staged:urn:a> <urn:kg:staged:urn:p> <urn:kg:staged:urn:b> .\\n'
    >>> _stage_line('_:b1 <urn:p> "x" .\\n')
    '_:b1 <urn:kg:staged:urn:p> "x" .\\n'
    """
    # Subjects and predicates (IRIs, blank nodes) hold no space.
    subject, predicate, rest = line.split(" ", 2)
    wrap = f"<{STAGED}"
    if subject.startswith("<"):
        subject = wrap + subject[1:]
    if rest.startswith("<"):
        rest = wrap + rest[1:]
    return f"{subject} {wrap}{predicate[1:]} {rest}"


def _batches(lines: list[str], limit: int, max_lines: int = 0):
    """Runs of ``lines`` of at most ``limit`` characters and ``max_lines`` lines (0: any number)."""
    batch, size = [], 0
    for line in lines:
        if batch and (size + len(line) > limit or max_lines and len(batch) >= max_lines):
            yield batch
            batch, size = [], 0
        batch.append(line)
        size += len(line)
    if batch:
        yield batch


def _replace_text(lines: Mapping[str, list[str]], then: str) -> str:
    """One SPARQL Update replacing each graph (IRI in ``<>``) by its N-Triples lines, then ``then``."""
    parts = []
    for graph, glines in lines.items():
        parts.append(f"DROP SILENT GRAPH {graph}")
        if glines:
            parts.append(f"INSERT DATA {{ GRAPH {graph} {{\n{''.join(glines)}}} }}")
    if then:
        parts.append(then)
    return " ;\n".join(parts)


def _unwrap() -> str:
    """The WHERE clause reading a staged graph's triples back as ``?s ?p ?o`` with their own IRIs.

    The staged triple itself is ``?ws ?wp ?wo``.
    """
    n = len(STAGED) + 1

    def back(wrapped: str) -> str:
        return (f"IF(isIRI({wrapped}) && STRSTARTS(STR({wrapped}), \"{STAGED}\"), "
                f"IRI(SUBSTR(STR({wrapped}), {n})), {wrapped})")

    return (f"BIND({back('?ws')} AS ?s) BIND(IRI(SUBSTR(STR(?wp), {n})) AS ?p) BIND({back('?wo')} AS ?o)")


def _journal_text(txn: str, pairs: list[tuple[str, str]], then: str) -> str:
    """The update that opens a journal entry: state ``staging``, ``then``, staging graph → target."""
    import pyoxigraph as ox

    body = [f'{txn} <{_J}state> "staging" ; <{_J}then> {ox.Literal(then)} .']
    body += [f"{stage} <{_J}txn> {txn} ; <{_J}target> {graph} ." for stage, graph in pairs]
    return f"INSERT DATA {{ GRAPH <{JOURNAL_GRAPH}> {{\n" + "\n".join(body) + "\n} }"


def _state_text(txn: str, old: str, new: str) -> str:
    j = f"GRAPH <{JOURNAL_GRAPH}> {{ {txn} <{_J}state>"
    return f'DELETE DATA {{ {j} "{old}" }} }} ;\nINSERT DATA {{ {j} "{new}" }} }}'


def _rollback_text(txn: str, pairs: list[tuple[str, str]]) -> str:
    """Drop the staging graphs and the journal entry (also how a finished swap tidies up)."""
    parts = [f"DROP SILENT GRAPH {stage}" for stage, _ in pairs]
    parts.append(f"DELETE WHERE {{ GRAPH <{JOURNAL_GRAPH}> {{ ?stage <{_J}txn> {txn} ; ?p ?o }} }}")
    parts.append(f"DELETE WHERE {{ GRAPH <{JOURNAL_GRAPH}> {{ {txn} ?p ?o }} }}")
    return " ;\n".join(parts)


def _commit_text(txn: str, pairs: list[tuple[str, str]], then: str) -> str:
    """The one update that swaps every staged graph in, runs ``then`` and closes the journal entry."""
    parts = []
    for stage, graph in pairs:
        parts.append(f"DROP SILENT GRAPH {graph}")
        parts.append(f"INSERT {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {stage} {{ ?ws ?wp ?wo }} {_unwrap()} }}")
    if then:
        parts.append(then)
    parts.append(_rollback_text(txn, pairs))
    return one_line_prologue(" ;\n".join(parts))


def _move_text(stage: str, graph: str, n: int) -> str:
    """One step of a swap by steps: move up to ``n`` staged triples into their graph."""
    return (f"DELETE {{ GRAPH {stage} {{ ?ws ?wp ?wo }} }} INSERT {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ "
            f"{{ SELECT ?ws ?wp ?wo WHERE {{ GRAPH {stage} {{ ?ws ?wp ?wo }} }} LIMIT {n} }} {_unwrap()} }}")


def _read_journal(store: RemoteStore) -> dict[str, dict]:
    """The journal's entries: ``<txn>`` → state, then, pairs (staging graph, target) and cleared staging graphs."""
    rows = store.query(
        f"SELECT ?txn ?state ?then ?stage ?target ?cleared WHERE {{ GRAPH <{JOURNAL_GRAPH}> {{ "
        f"?txn <{_J}state> ?state OPTIONAL {{ ?txn <{_J}then> ?then }} "
        f"OPTIONAL {{ ?stage <{_J}txn> ?txn ; <{_J}target> ?target OPTIONAL {{ ?stage <{_J}cleared> ?cleared }} }} }} }}",
        prefixes=False)
    entries: dict[str, dict] = {}
    for r in rows:
        entry = entries.setdefault(str(r["txn"]), {"state": r["state"].value, "then": "", "pairs": [], "cleared": set()})
        entry["then"] = r["then"].value if r["then"] is not None else ""
        if r["stage"] is not None:
            pair = (str(r["stage"]), str(r["target"]))
            if pair not in entry["pairs"]:
                entry["pairs"].append(pair)
            if r["cleared"] is not None:
                entry["cleared"].add(pair[0])
    for entry in entries.values():
        entry["pairs"].sort(key=lambda p: int(p[0][1:-1].rsplit("/", 1)[1]))
    return entries
