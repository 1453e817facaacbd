"""``kg serve``: the store over the SPARQL 1.1 Protocol, with an explorer page.

A guard written with the standard library's ``ThreadingHTTPServer`` answers
HTTP (it reads request heads with :mod:`kg.serving.httphead`, not the email
package); the queries run in engine processes (:mod:`kg.serving.engine`,
pyoxigraph on the store) that listen on nothing: the guard reaches each through
a socket pair only it holds, so it is the only way in. With a checked query the
guard lends the engine the client's connection, and the engine writes a small
answer (up to 256 KiB) to it directly, one hop less; larger answers, errors and
HEAD come back through the guard. The guard adds:

* read-only by default; updates (``/update``, and ``PUT``/``POST``/``DELETE``
  on ``/store``) only with ``allow_update`` *and* ``Authorization: Bearer <token>``
  (403 otherwise);
* a check of each query's size and nesting before any engine sees it (400);
* a per-query timeout (503): the engine running it is killed, which gives its
  memory back, and replaced; a cap on each engine's memory, and on the size
  of an answer (507);
* supervision: an engine that dies is logged and replaced, and requests
  meanwhile wait for another one (503 if none comes in time);
* no federated ``SERVICE`` and no ``LOAD`` unless enabled (403; the engines
  refuse them too);
* a limit on the request body (413), and 408 for a client too slow to send it;
* content negotiation: SPARQL JSON, XML, CSV and TSV for SELECT/ASK; Turtle,
  N-Triples, JSON-LD, RDF/XML and N-Quads for CONSTRUCT/DESCRIBE, written by
  pyoxigraph in the engine after the whole answer is computed, so a query
  that fails half-way is an error status, never a truncated 200;
* the explorer page at ``/`` (YASGUI, bundled, with a Graph tab that shows
  ``/view?query=…``: the result drawn as ``kg viz --sparql`` draws it, by an
  engine, under the same limits), and the HTML views of ``kg build`` at ``/graphs/``.

While it runs, ``kg serve`` holds the store's lock shared, like any reader;
with ``allow_update`` it turns exclusive only while a write commits.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", None, "results")
('application/sparql-results+xml', 'XML')
"""

from __future__ import annotations

import hmac
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import sysconfig
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.errors import QueryError, ServerError
from kg.serving.httphead import (
    QUERY_HEADERS,
    SERVER_NAME,
    HeadError,
    answer_type,
    read_headers,
    request_line,
    response_head,
)


@dataclass
class ServeOptions:
    """Settings of ``kg serve``; the defaults are the safe ones.

    Attributes:
        host, port: where to listen (port 0 picks a free one).
        allow_update: accept SPARQL Update and GSP writes (with the token).
        token: the bearer token updates must carry; generated when empty.
        timeout: seconds a query may run.
        max_result_bytes: the largest answer sent.
        max_body_bytes: the largest request body accepted.
        allow_service: allow federated ``SERVICE`` calls.
        allow_load: allow ``LOAD`` (reads any URL) in updates.
        views: the folder with the HTML views (``graphs/*.html``).
        cors: send ``Access-Control-Allow-Origin: *`` (for YASGUI on another origin).
        max_concurrent: engine processes, hence queries run at once; the
            others wait (up to ``timeout``).
        max_memory: bytes of address space each engine may use (0: no cap);
            an engine that passes it ends and is replaced.
        max_query_bytes: the largest query or update text accepted.
    """

    host: str = "127.0.0.1"
    port: int = 7878
    allow_update: bool = False
    token: str = ""
    timeout: float = 10.0
    max_result_bytes: int = 64 << 20
    max_body_bytes: int = 8 << 20
    allow_service: bool = False
    allow_load: bool = False
    views: str | None = "graphs"
    cors: bool = False
    max_concurrent: int = 8
    max_memory: int = 4 << 30
    max_query_bytes: int = 1 << 20


# -- content negotiation --------------------------------------------------

RESULT_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "application/ld+json": "JSON_LD",
    "application/json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
    "application/xml": "RDF_XML",
    "text/xml": "RDF_XML",
    "application/n-quads": "N_QUADS",
}
# The ``format``/``output`` parameter some clients send (SPARQLWrapper, YASGUI).
FORMAT_NAMES = {
    "results": {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"},
    "graph": {"turtle": "text/turtle", "ttl": "text/turtle", "n3": "text/turtle", "nt": "application/n-triples",
              "ntriples": "application/n-triples", "json": "application/ld+json", "json-ld": "application/ld+json",
              "jsonld": "application/ld+json", "xml": "application/rdf+xml", "rdf": "application/rdf+xml",
              "rdfxml": "application/rdf+xml", "rdf+xml": "application/rdf+xml", "nquads": "application/n-quads"},
}
DEFAULT_TYPE = {"results": "application/sparql-results+json", "graph": "text/turtle"}


def negotiate(accept: str | None, format_param: str | None, kind: str) -> tuple[str, str]:
    """Choose the media type of an answer.

    Args:
        accept: the request's ``Accept`` header.
        format_param: a ``format`` or ``output`` query parameter (a short name
            or a media type); it wins over ``Accept``. Unknown values are ignored.
        kind: ``"results"`` (SELECT/ASK) or ``"graph"`` (CONSTRUCT/DESCRIBE).

    Returns:
        ``(media type, pyoxigraph format name)``; SPARQL JSON or Turtle when
        nothing acceptable is asked for.

    >>> negotiate("*/*", "csv", "results")
    ('text/csv', 'CSV')
    >>> negotiate("application/rdf+xml", None, "graph")
    ('application/rdf+xml', 'RDF_XML')
    """
    table = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    if format_param:
        wanted = format_param.strip().lower()
        mime = FORMAT_NAMES[kind].get(wanted, wanted)
        if mime in table:
            return mime, table[mime]
    best, best_q = None, 0.0
    for part in (accept or "").split(","):
        mime, _, rest = part.strip().partition(";")
        mime = mime.strip().lower()
        q = 1.0
        for p in rest.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if mime in table and q > best_q:
            best, best_q = mime, q
    mime = best or DEFAULT_TYPE[kind]
    return mime, table[mime]


# -- safety checks --------------------------------------------------------


def forbidden(text: str, *, update: bool, allow_service: bool, allow_load: bool) -> str | None:
    """Why a query or update is refused, or None.

    ``SERVICE`` and ``LOAD`` are found as keywords: words inside strings,
    IRIs, comments and prefixed names do not count.

    >>> forbidden('SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }', update=False, allow_service=False, allow_load=False)
    "federated queries (SERVICE) are disabled; start 'kg serve --allow-service' to allow them"
    >>> forbidden('SELECT * { ?s ex:service "SERVICE" }', update=False, allow_service=False, allow_load=False)
    """
    from kg.sparqltext import sparql_words

    lowered = text.lower()
    if "service" not in lowered and not (update and "load" in lowered):
        return None  # neither word anywhere, so not as a keyword: skip the tokenizer (every query comes here)
    words = sparql_words(text)
    if "SERVICE" in words and not allow_service:
        return "federated queries (SERVICE) are disabled; start 'kg serve --allow-service' to allow them"
    if update and "LOAD" in words and not allow_load:
        return "LOAD is disabled; start 'kg serve --allow-load' to allow it"
    return None


# -- Oxigraph's own server (for comparisons and the tests) -----------------


def oxigraph_binary(explicit: str | None = None) -> str:
    """The ``oxigraph`` executable: the argument, ``KG_OXIGRAPH``, this Python's scripts, or PATH.

    Raises:
        ServerError: none is installed.
    """
    for cand in (explicit, os.environ.get("KG_OXIGRAPH"), str(Path(sysconfig.get_path("scripts")) / "oxigraph")):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return cand
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ServerError("the 'oxigraph' server is not installed; pip install oxigraph")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# -- the HTTP front ---------------------------------------------------------


class HttpError(Exception):
    """An answer other than 200, with a plain-text message."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}



class AnswerCut(Exception):
    """The engine had begun writing the answer to the client when it ended: close the connection, unanswered."""


class Backend:
    """What the handler needs beyond the request: the settings, the engines, the lock and the views."""

    def __init__(self, opts: ServeOptions, pool, lock, views: Path | None):
        self.opts, self.pool, self.lock, self.views = opts, pool, lock, views

    def run(self, header: dict, body: bytes = b"", *, write: bool = False, client=None) -> tuple[dict, bytes]:
        """Run one engine request, a read or a write; engine failures become :class:`HttpError`.

        Args:
            client: the client's socket, for a read whose engine may answer it directly.

        Raises:
            HttpError: the engine refused, failed or ran past the timeout.
            AnswerCut: the engine had begun answering the client when it was stopped.
        """
        from kg.serving.pool import EngineGone

        try:
            if write:
                return self.pool.write(header, body, self.lock, self.opts.timeout)
            return self.pool.call(header, body, self.opts.timeout, wait=self.opts.timeout + 5,
                                  client=None if client is None else client.fileno())
        except EngineGone as gone:
            if gone.wrote:
                raise AnswerCut(gone.reason) from None
            if gone.timed_out:
                raise HttpError(503, f"the query did not finish within {self.opts.timeout:g} s",
                                {"Retry-After": "1"}) from None
            raise HttpError(500, f"the engine stopped while running this request ({gone.reason}: out of memory, "
                                 "or too deep); it has been restarted") from None


def check_answer(reply: dict) -> None:
    """Raise the engine's refusal or failure as an :class:`HttpError`."""
    status = reply.get("status", 500)
    if status >= 300:
        headers = {"Retry-After": "1"} if status == 503 else None
        raise HttpError(status, reply.get("message") or "no details", headers)


class Handler(BaseHTTPRequestHandler):
    """One HTTP connection of ``kg serve``; its server carries the :class:`Backend` (``server.backend``)."""

    @property
    def opts(self) -> ServeOptions:
        return self.server.backend.opts

    protocol_version = "HTTP/1.1"
    server_version = SERVER_NAME
    sys_version = ""
    # Idle or slow clients release their thread after this many seconds.
    timeout = 60
    # Headers and body go out as separate writes; with Nagle's algorithm and
    # delayed ACKs each small answer would wait 40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        if self.server.log_requests:
            super().log_message(format, *args)

    def parse_request(self) -> bool:
        """Read the request line and header fields (:mod:`kg.serving.httphead`, not the email package).

        Returns:
            True to go on; False when an error was answered or the line was blank.
        """
        self.command, self.request_version, self.close_connection = None, "HTTP/0.9", True
        self.requestline = self.raw_requestline.decode("latin-1").rstrip("\r\n")
        if not self.requestline.strip():
            return False
        try:
            self.command, self.path, self.request_version, version = request_line(self.requestline)
            self.headers = read_headers(self.rfile)
        except HeadError as exc:
            self._send(exc.status, (exc.message + "\n").encode(), "text/plain; charset=utf-8")
            return False
        connection = self.headers.get("Connection", "").lower()
        self.close_connection = connection == "close" or (version < (1, 1) and connection != "keep-alive")
        if self.headers.get("Expect", "").lower() == "100-continue" and version >= (1, 1):
            return self.handle_expect_100()
        return True

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_OPTIONS(self):
        self._send(204, b"", "text/plain", {"Allow": "GET, POST, PUT, DELETE, HEAD, OPTIONS",
                                            "Access-Control-Allow-Headers": "Content-Type, Authorization, Accept",
                                            "Access-Control-Allow-Methods": "GET, POST, OPTIONS"})

    def _dispatch(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        try:
            self._route(method, url)
        except HttpError as exc:
            self._send(exc.status, (exc.message + "\n").encode(), "text/plain; charset=utf-8", exc.headers)
        except (BrokenPipeError, ConnectionResetError, AnswerCut):
            self.close_connection = True

    def _route(self, method: str, url) -> None:
        page = method in ("GET", "HEAD")
        if url.path in ("/query", "/sparql"):
            self._query(method, url)
        elif url.path == "/view":
            self._draw(method, url)
        elif url.path == "/update":
            self._update(method, url)
        elif url.path == "/store":
            self._store(method, url)
        elif url.path in ("/", "/index.html") and page:
            body = explorer_page(list_views(self.server.backend.views), allow_update=self.opts.allow_update)
            self._send(200, body, "text/html; charset=utf-8", {"Content-Security-Policy": EXPLORER_CSP},
                       head_only=method == "HEAD")
        elif url.path.startswith("/lib/") and page:
            self._asset(url.path[len("/lib/"):], head_only=method == "HEAD")
        elif url.path.startswith("/graphs/") and page:
            self._view(url.path[len("/graphs/"):])
        else:
            raise HttpError(404, f"no such page: {url.path[:200]}; the SPARQL endpoint is /query")

    # -- SPARQL query -----------------------------------------------

    def _params(self, method: str, url) -> tuple[dict, str | None]:
        """The protocol parameters, and the query or update text from the body."""
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True) if url.query else {}
        if method != "POST":
            return params, None
        body = self._body()
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype == "application/x-www-form-urlencoded":
            try:
                form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                raise HttpError(400, "the form is not UTF-8") from None
            for k, v in form.items():
                params.setdefault(k, []).extend(v)
            return params, None
        if ctype in ("application/sparql-query", "application/sparql-update"):
            try:
                return params, body.decode("utf-8")
            except UnicodeDecodeError:
                raise HttpError(400, "the request body is not UTF-8") from None
        raise HttpError(415, "POST needs application/sparql-query, application/sparql-update "
                             "or application/x-www-form-urlencoded")

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise HttpError(411, "send a Content-Length")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            self.close_connection = True
            raise HttpError(400, "bad Content-Length") from None
        if length > self.opts.max_body_bytes:
            # Do not read it: answer and close the connection.
            self.close_connection = True
            raise HttpError(413, f"the request body is larger than {self.opts.max_body_bytes} bytes")
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            raise HttpError(408, "the request body did not arrive in time") from None
        if len(body) < length:
            self.close_connection = True
            raise HttpError(400, "the request body is shorter than its Content-Length")
        return body

    def _query(self, method: str, url) -> None:
        if method not in ("GET", "POST", "HEAD"):
            raise HttpError(405, "use GET or POST", {"Allow": "GET, POST"})
        params, text = self._params(method, url)
        if text is not None and self.headers.get("Content-Type", "").startswith("application/sparql-update"):
            return self._do_update(text, params)
        if text is None and "update" in params and method == "POST":
            return self._do_update(params["update"][0], params)
        text = self._query_text(params, text)
        # The engine writes a small answer to the client itself (one hop less); a HEAD answer comes back here.
        reply, out = self.server.backend.run({
            "op": "query", "text": text, "accept": self.headers.get("Accept"),
            "format": (params.get("format") or params.get("output") or [None])[0],
            "default": params.get("default-graph-uri", []), "named": params.get("named-graph-uri", []),
            "close": self.close_connection, "family": int(self.connection.family)},
            client=None if method == "HEAD" else self.connection)
        check_answer(reply)
        if reply.get("sent"):
            self.close_connection = self.close_connection or bool(reply.get("broken"))
            if self.server.log_requests:
                self.log_request(200)
            return
        self._send(200, out, answer_type(reply["type"]), QUERY_HEADERS, head_only=method == "HEAD")

    def _query_text(self, params: dict, text: str | None) -> str:
        """The query of a request (its body, or its one ``query`` parameter), checked by :func:`guard`."""
        if text is None:
            if len(params.get("query", [])) != 1:
                raise HttpError(400, "give exactly one 'query' parameter (or POST application/sparql-query)")
            text = params["query"][0]
        guard(text, self.opts, update=False)
        return text

    def _draw(self, method: str, url) -> None:
        """``/view``: a query's result drawn as ``kg viz --sparql`` draws it, as one HTML page."""
        if method not in ("GET", "POST", "HEAD"):
            raise HttpError(405, "use GET or POST", {"Allow": "GET, POST"})
        params, text = self._params(method, url)
        text = self._query_text(params, text)
        reply, out = self.server.backend.run({"op": "view", "text": text})
        check_answer(reply)
        self._send(200, out, "text/html; charset=utf-8", {"Content-Security-Policy": DRAWING_CSP},
                   head_only=method == "HEAD")

    # -- updates and the graph store ---------------------------------

    def _authorize(self) -> None:
        if not self.opts.allow_update:
            raise HttpError(403, "this server is read-only; start 'kg serve --allow-update' to accept updates")
        given = self.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.opts.token}".encode()):
            raise HttpError(403, "updates need the server's token: Authorization: Bearer <token>")

    def _update(self, method: str, url) -> None:
        if method != "POST":
            raise HttpError(405, "use POST for updates", {"Allow": "POST"})
        self._authorize()
        params, text = self._params(method, url)
        if text is None:
            if len(params.get("update", [])) != 1:
                raise HttpError(400, "give exactly one 'update' parameter (or POST application/sparql-update)")
            text = params["update"][0]
        self._do_update(text, params)

    def _do_update(self, text: str, params: dict) -> None:
        self._authorize()
        guard(text, self.opts, update=True)
        if params.get("using-graph-uri") or params.get("using-named-graph-uri"):
            raise HttpError(400, "using-graph-uri is not supported; write USING in the update")
        reply, _ = self.server.backend.run({"op": "update", "text": text}, write=True)
        check_answer(reply)
        self._send(204, b"", "text/plain")

    def _store(self, method: str, url) -> None:
        if method in ("PUT", "POST", "DELETE"):
            self._authorize()
        elif method not in ("GET", "HEAD"):
            raise HttpError(405, "use GET, PUT, POST or DELETE")
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        graph = (params.get("graph") or [None])[0]
        if graph is None and "default" not in params:
            raise HttpError(400, "name a graph: ?graph=IRI (or ?default)")
        body = self._body() if method in ("PUT", "POST") else b""
        header = {"op": "gsp", "method": "GET" if method == "HEAD" else method, "graph": graph,
                  "accept": self.headers.get("Accept"),
                  "content_type": self.headers.get("Content-Type", "application/n-triples").split(";")[0]}
        reply, out = self.server.backend.run(header, body, write=method in ("PUT", "POST", "DELETE"))
        check_answer(reply)
        self._send(reply["status"], out, reply.get("type", "text/plain"), head_only=method == "HEAD")

    # -- pages --------------------------------------------------------

    def _view(self, name: str) -> None:
        # A name longer than a file name can be is no view (and would make the OS complain).
        views = self.server.backend.views
        if views is None or len(name) > 200 or not re.fullmatch(r"[\w.-]+\.html", name) or name.startswith("."):
            raise HttpError(404, "no such view")
        path = views / name
        if not path.is_file():
            raise HttpError(404, f"no such view: {name}")
        self._send(200, path.read_bytes(), "text/html; charset=utf-8", {"Content-Security-Policy": VIEW_CSP})

    def _asset(self, name: str, head_only: bool) -> None:
        found = asset(name)
        if found is None:
            raise HttpError(404, "no such file")
        body, ctype = found
        self._send(200, body, ctype, {"Cache-Control": "max-age=86400"}, head_only=head_only)

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None, head_only=False):
        """Answer: the head built in one piece (:func:`kg.serving.httphead.response_head`), then the body."""
        if self.server.log_requests:
            self.log_request(status)
        data = response_head(status, ctype, len(body), headers, cors=self.opts.cors, close=self.close_connection)
        if head_only or not body:
            self.wfile.write(data)
        elif len(body) <= 1 << 16:
            # One write: one system call and, for a small answer, one packet.
            self.wfile.write(data + body)
        else:  # no copy of a large answer
            self.wfile.write(data)
            self.wfile.write(body)


class Server(ThreadingHTTPServer):
    """The listening socket, one thread per connection, and the :class:`Backend` the handlers use."""

    daemon_threads = True

    def __init__(self, address: tuple, backend: Backend):
        self.backend = backend
        # Read once: every answer would otherwise look the variable up.
        self.log_requests = bool(os.environ.get("KG_SERVE_LOG"))
        super().__init__(address, Handler)


def guard(text: str, opts: ServeOptions, *, update: bool) -> None:
    """Refuse, before any engine sees it, a query or update that is too large or deep, or an update that loads.

    (The engines refuse SERVICE and LOAD themselves, and updates unless they write.)

    Raises:
        HttpError: 400 (too large or deep) or 403 (SERVICE, LOAD).
    """
    from kg.sparqltext import check_query

    try:
        check_query(text, max_bytes=opts.max_query_bytes)
    except QueryError as exc:
        raise HttpError(400, str(exc)) from None
    if update:  # refused here before the store is locked; a query's SERVICE is refused by the engine
        why = forbidden(text, update=True, allow_service=opts.allow_service, allow_load=opts.allow_load)
        if why:
            raise HttpError(403, why)


# -- the explorer page -----------------------------------------------------

TEMPLATES = Path(__file__).parent / "templates"
# YASGUI is served from here (/lib/…); its own scripts are inline, nothing loads from elsewhere.
EXPLORER_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                "connect-src 'self'; frame-src 'self'; img-src 'self' data:; font-src 'self' data:; base-uri 'none'; "
                "form-action 'none'")
# A query drawn at /view: its own inlined scripts (each page also pins them by hash), no network, and a
# sandbox, so even a script that got in would run in an origin of its own, away from the explorer's.
DRAWING_CSP = ("sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
               "img-src data:; font-src data:; base-uri 'none'; form-action 'none'")
# The views carry their own inlined scripts; nothing may load from elsewhere.
VIEW_CSP = "default-src 'self' 'unsafe-inline' data: blob:; base-uri 'none'; form-action 'none'"
ASSET_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".txt": "text/plain"}


def asset(name: str) -> tuple[bytes, str] | None:
    """A bundled file under ``kg/templates/lib/`` by its path there, with its media type; None if none."""
    if len(name) > 200 or ".." in name or not re.fullmatch(r"[\w-]+(/[\w-][\w.-]*)*\.(js|css|txt)", name):
        return None
    path = TEMPLATES / "lib" / name
    if not path.is_file():
        return None
    return path.read_bytes(), ASSET_TYPES[path.suffix]


def list_views(views: Path | None) -> list[str]:
    """The file names of the HTML views in ``views``, sorted."""
    if views is None or not views.is_dir():
        return []
    return sorted(p.name for p in views.glob("*.html") if re.fullmatch(r"[\w.-]+\.html", p.name))


def explorer_page(views: list[str], *, allow_update: bool = False) -> bytes:
    """The explorer page: YASGUI with kg's named queries as examples, and links to the views.

    Every value is escaped; the named queries go in as JSON that cannot end the script.

    >>> b"&lt;script&gt;" in explorer_page(["<script>.html"])
    True
    """
    from kg.ontology import PREFIXES
    from kg.query import named_queries

    if views:
        items = "".join(f'<li><a href="graphs/{urllib.parse.quote(v)}">{html.escape(v)}</a></li>' for v in views)
        listing = f"<ul>{items}</ul>"
    else:
        listing = "<p>No views yet: <code>kg build</code> writes them to <code>graphs/*.html</code>.</p>"
    mode = "Updates need a token at <code>/update</code>." if allow_update else "Read-only."
    examples = [{"name": q.name, "description": q.description, "query": q.text} for q in named_queries()]
    data = json.dumps({"examples": examples, "prefixes": PREFIXES})
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = (TEMPLATES / "explorer.html").read_text(encoding="utf-8")
    return page.replace("__VIEWS__", listing).replace("__MODE__", mode).replace("__DATA__", data).encode("utf-8")


# -- running it -------------------------------------------------------------


def serve(location: str, opts: ServeOptions, *, announce=print) -> None:
    """Serve the store at ``location`` until SIGINT or SIGTERM.

    Args:
        location: an on-disk store directory.
        opts: the settings (a token is generated if updates are allowed without one).
        announce: called with one line once the server is ready (the URL),
            with the token when one was generated, and with each engine restart.

    Raises:
        ServerError: the store is not a local directory, does not exist, or a
            server cannot start.
        StoreLockedError: another process writes the store.
    """
    from kg.serving.pool import EnginePool
    from kg.stores import is_remote
    from kg.stores.lock import FileLock, lock_timeout

    if is_remote(location) or location == "memory:":
        raise ServerError(f"kg serve serves an on-disk store, not {location}")
    store = Path(location).expanduser()
    if not (store / "CURRENT").is_file():
        raise ServerError(f"no store at {store}; build one first with 'kg build' or 'kg ingest'")
    if opts.allow_update and not opts.token:
        opts.token = secrets.token_urlsafe(24)
        announce(f"update token (send as 'Authorization: Bearer …'): {opts.token}")
    lock = FileLock(store, exclusive=False, timeout=lock_timeout(True))
    pool = None
    try:
        settings = {"allow_service": opts.allow_service, "allow_load": opts.allow_load,
                    "max_result_bytes": opts.max_result_bytes, "max_memory": opts.max_memory,
                    "cors": opts.cors, "timeout": opts.timeout}
        # The engines inherit the lock: it stays held while any of them runs.
        pool = EnginePool(str(store), opts.max_concurrent, settings, announce, keep_fds=(lock._fd,))
        backend = Backend(opts, pool, lock, Path(opts.views).resolve() if opts.views else None)
        _run_http(opts, backend, store, announce)
    finally:
        if pool is not None:
            pool.close()
        lock.release()


def _run_http(opts: ServeOptions, backend: Backend, store: Path, announce) -> None:
    """Listen until SIGINT or SIGTERM."""
    try:
        httpd = Server((opts.host, opts.port), backend)
    except OSError as exc:
        raise ServerError(f"cannot listen on {opts.host}:{opts.port}: {exc.strerror or exc}") from None
    host, port_used = httpd.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    mode = "read-write, updates need the token" if opts.allow_update else "read-only"
    announce(f"kg serve: SPARQL endpoint http://{shown}:{port_used}/query ({mode}; store {store}); "
             "explorer at / ; stop with Ctrl-C")

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        httpd.server_close()


def main_args(argv=None) -> None:  # pragma: no cover - a debugging entry point
    """``python -m kg.server STORE [PORT]``: serve with the default settings."""
    argv = sys.argv[1:] if argv is None else argv
    serve(argv[0], ServeOptions(port=int(argv[1]) if len(argv) > 1 else 7878),
          announce=lambda line: print(line, file=sys.stderr, flush=True))


if __name__ == "__main__":  # pragma: no cover
    main_args()
