"""``kg serve``: the store over the SPARQL 1.1 Protocol, with an explorer page.

Oxigraph's own server (the ``oxigraph`` binary of the ``oxigraph`` PyPI
package) runs the queries, on the store's directory, bound to a private
loopback port. In front of it a thin proxy, written with the standard
library's ``ThreadingHTTPServer``, adds what Oxigraph's server lacks:

* read-only by default; updates (``/update``, and ``PUT``/``POST``/``DELETE``
  on ``/store``) only with ``allow_update`` *and* ``Authorization: Bearer <token>``
  (403 otherwise);
* a per-query timeout (503; Oxigraph also cancels the query) and a cap on
  the size of an answer (507);
* no federated ``SERVICE`` and no ``LOAD`` unless enabled (403);
* a limit on the request body (413), and 408 for a client too slow to send it;
* content negotiation done here, with pyoxigraph's serializers: SPARQL JSON,
  XML, CSV and TSV for SELECT/ASK; Turtle, N-Triples, JSON-LD, RDF/XML and
  N-Quads for CONSTRUCT/DESCRIBE. The proxy asks Oxigraph for JSON or
  N-Triples, and parses the whole answer before sending anything, so a query
  that fails half-way (Oxigraph's timeout, say) is an error status, never a
  truncated 200;
* the explorer page at ``/``, and the HTML views of ``kg build`` at ``/graphs/``.

While it runs, ``kg serve`` holds the store's lock file (shared when
read-only, exclusive with ``allow_update``), and hands it to the Oxigraph
process too, so other kg writers are refused with a plain message even if
``kg serve`` itself is killed.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", None, "results")
('application/sparql-results+xml', 'XML')
"""

from __future__ import annotations

import hmac
import html
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.errors import QueryError, ServerError
from kg.sparqltext import one_line_prologue, user_position

SERVER_NAME = "kg-serve"


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
        max_concurrent: queries run at once; the others wait (up to ``timeout``).
        timer_budget: queries sent to Oxigraph per ``timeout`` window. Oxigraph
            0.5's server starts one thread per query that sleeps for its
            timeout, so rate x timeout threads are alive at once; past about
            10k the process fails (EAGAIN) and dies. This caps the rate at
            ``timer_budget / timeout`` queries per second.
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
    timer_budget: int = 4000
    oxigraph: str | None = None


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
    for i, part in enumerate((accept or "").split(",")):
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


def transcode(body: bytes, upstream_type: str, mime: str, fmt: str) -> bytes:
    """Parse Oxigraph's answer and write it in the negotiated format.

    Args:
        body: the whole answer, SPARQL JSON or N-Triples.
        upstream_type: its media type.
        mime, fmt: from :func:`negotiate`.

    Returns:
        The serialization.

    Raises:
        SyntaxError: the answer is incomplete (the query failed half-way).
    """
    import pyoxigraph as ox

    from kg.ontology import PREFIXES

    if upstream_type == "application/sparql-results+json":
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        return results.serialize(format=getattr(ox.QueryResultsFormat, fmt))
    triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    rdf = getattr(ox.RdfFormat, fmt)
    if rdf == ox.RdfFormat.N_QUADS:
        return ox.serialize(triples, format=rdf)
    # id: and graph: would need escapes (id:company\/xiaomi); full IRIs read better.
    used = {p: ns for p, ns in PREFIXES.items() if p not in ("id", "graph")} if fmt != "N_TRIPLES" else None
    return ox.serialize(triples, format=rdf, prefixes=used)


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

    words = sparql_words(text)
    if "SERVICE" in words and not allow_service:
        return "federated queries (SERVICE) are disabled; start 'kg serve --allow-service' to allow them"
    if update and "LOAD" in words and not allow_load:
        return "LOAD is disabled; start 'kg serve --allow-load' to allow it"
    return None


# -- the Oxigraph process -------------------------------------------------


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


def _die_with_parent() -> None:
    # Linux: the Oxigraph process gets SIGTERM when kg serve dies, even by SIGKILL.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_oxigraph(store: Path, *, read_write: bool, timeout: float, keep_fds=(), binary: str | None = None):
    """Start Oxigraph's server on a private loopback port and wait until it answers.

    Args:
        store: the store directory.
        read_write: ``oxigraph serve`` rather than ``serve-read-only``.
        timeout: Oxigraph's own per-query timeout, in seconds.
        keep_fds: file descriptors the process inherits (the store's lock).

    Returns:
        ``(process, port)``.

    Raises:
        ServerError: it did not start; the message has its last output line.
    """
    exe = oxigraph_binary(binary)
    for _attempt in range(3):
        port = free_port()
        cmd = [exe, "serve" if read_write else "serve-read-only", "--location", str(store),
               "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", str(max(1, int(timeout)))]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                pass_fds=tuple(keep_fds), preexec_fn=_die_with_parent)  # noqa: PLW1509
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
                ok = conn.getresponse().status == 200
                conn.close()
                if ok:
                    return proc, port
            except OSError:
                time.sleep(0.05)
        if proc.poll() is None:
            proc.terminate()
        err = (proc.communicate(timeout=5)[1] or b"").decode("utf-8", "replace").strip().splitlines()
        if not any("in use" in line for line in err):
            raise ServerError(f"Oxigraph's server did not start: {err[-1] if err else 'no output'}")
    raise ServerError("Oxigraph's server did not start: no free port")


# -- the HTTP front ---------------------------------------------------------


class HttpError(Exception):
    """An answer other than 200, with a plain-text message."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class Upstream:
    """Keep-alive HTTP connections to the Oxigraph process, one per thread."""

    def __init__(self, port: int, timeout: float):
        self.port, self.timeout = port, timeout
        self._local = threading.local()

    def request(self, method: str, path: str, body: bytes | None, headers: dict, limit: int):
        """Send one request; return ``(status, media type, body, headers)``.

        Raises:
            HttpError: 503 when Oxigraph does not answer in time, 507 when the
                answer is larger than ``limit`` bytes, 502 when it breaks off.
        """
        for attempt in (0, 1):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read(limit + 1)
                if len(data) > limit:
                    self._drop()
                    raise HttpError(507, f"the answer is larger than the server's cap of {limit} bytes; "
                                         "add a LIMIT, or start kg serve with a larger --max-result-bytes")
                if not resp.isclosed():
                    resp.read()
                ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return resp.status, ctype, data, resp.headers
            except TimeoutError:
                self._drop()
                raise HttpError(503, f"the query did not finish within {self.timeout:g} s",
                                {"Retry-After": "1"}) from None
            except (http.client.HTTPException, ConnectionError) as exc:
                self._drop()
                if attempt:
                    raise HttpError(502, f"the SPARQL engine broke off: {exc}") from None
        raise AssertionError("unreachable")

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None


def make_handler(opts: ServeOptions, upstream: Upstream, views: Path | None):
    """The request handler class for :class:`ThreadingHTTPServer`, bound to these settings.

    Args:
        opts: the settings.
        upstream: connections to Oxigraph.
        views: the folder of HTML views, or None.

    Returns:
        A ``BaseHTTPRequestHandler`` subclass.
    """
    slots = threading.BoundedSemaphore(opts.max_concurrent)
    # A token bucket: at most timer_budget Oxigraph timer threads alive at once
    # (a burst of a quarter of them, the rest spread over the timeout window).
    burst = max(1, opts.timer_budget // 4)
    rate = (opts.timer_budget - burst) / (opts.timeout + 1)
    bucket = {"tokens": float(burst), "at": time.monotonic()}
    bucket_lock = threading.Lock()

    def throttle() -> None:
        """Wait for a token; 503 when none comes within the timeout."""
        give_up = time.monotonic() + opts.timeout
        while True:
            with bucket_lock:
                now = time.monotonic()
                bucket["tokens"] = min(burst, bucket["tokens"] + (now - bucket["at"]) * rate)
                bucket["at"] = now
                if bucket["tokens"] >= 1:
                    bucket["tokens"] -= 1
                    return
                wait = (1 - bucket["tokens"]) / rate
            if now + wait > give_up:
                raise HttpError(503, "the server is busy; try again", {"Retry-After": "1"})
            time.sleep(wait)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = SERVER_NAME
        sys_version = ""
        # Idle or slow clients release their thread after this many seconds.
        timeout = 60
        # Headers and body go out as separate writes; with Nagle's algorithm and
        # delayed ACKs each small answer would wait 40 ms.
        disable_nagle_algorithm = True

        def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
            if os.environ.get("KG_SERVE_LOG"):
                super().log_message(format, *args)

        # -- dispatch ---------------------------------------------------

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
                if url.path in ("/query", "/sparql"):
                    self._query(method, url)
                elif url.path == "/update":
                    self._update(method, url)
                elif url.path == "/store":
                    self._store(method, url)
                elif url.path in ("/", "/index.html") and method in ("GET", "HEAD"):
                    self._send(200, explorer_page(list_views(views), allow_update=opts.allow_update), "text/html; charset=utf-8",
                               {"Content-Security-Policy": EXPLORER_CSP})
                elif url.path.startswith("/graphs/") and method in ("GET", "HEAD"):
                    self._view(url.path[len("/graphs/"):])
                else:
                    raise HttpError(404, f"no such page: {url.path}; the SPARQL endpoint is /query")
            except HttpError as exc:
                self._send(exc.status, (exc.message + "\n").encode(), "text/plain; charset=utf-8", exc.headers)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        # -- SPARQL query -----------------------------------------------

        def _params(self, method: str, url) -> tuple[dict, str | None]:
            """The protocol parameters, and the query or update text from the body."""
            params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
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
            if length > opts.max_body_bytes:
                # Do not read it: answer and close the connection.
                self.close_connection = True
                raise HttpError(413, f"the request body is larger than {opts.max_body_bytes} bytes")
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
            if text is None:
                if len(params.get("query", [])) != 1:
                    raise HttpError(400, "give exactly one 'query' parameter (or POST application/sparql-query)")
                text = params["query"][0]
            why = forbidden(text, update=False, allow_service=opts.allow_service, allow_load=opts.allow_load)
            if why:
                raise HttpError(403, why)
            # kg's prefixes (kg:, id:, rdfs: …) are predeclared, as Wikidata's service does for
            # wd:; they go on the first line so the user's line numbers stay right.
            sent = one_line_prologue(text)
            form = [("query", sent)] + [(k, v) for k in ("default-graph-uri", "named-graph-uri")
                                        for v in params.get(k, [])]
            throttle()
            started = time.monotonic()
            status, ctype, body = self._upstream("POST", "/query", urllib.parse.urlencode(form).encode(), {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, application/n-triples",
            })
            if status != 200:
                msg = _text(body)
                if status == 400:
                    msg = str(user_position(QueryError(msg), len(sent) - len(text)))
                raise HttpError(400 if status == 400 else 502, msg)
            kind = "results" if ctype == "application/sparql-results+json" else "graph"
            fmt_param = (params.get("format") or params.get("output") or [None])[0]
            mime, fmt = negotiate(self.headers.get("Accept"), fmt_param, kind)
            try:
                out = transcode(body, ctype, mime, fmt)
            except SyntaxError:
                # Oxigraph had started its answer, then stopped: a timeout or an evaluation error.
                tail = _text(body[-300:]).splitlines()[-1:] or [""]
                if time.monotonic() - started >= opts.timeout * 0.9 or "cancel" in tail[0]:
                    raise HttpError(503, f"the query did not finish within {opts.timeout:g} s",
                                    {"Retry-After": "1"}) from None
                raise HttpError(500, f"the query failed: {tail[0][-200:]}") from None
            if len(out) > opts.max_result_bytes:
                raise HttpError(507, f"the answer is larger than the server's cap of {opts.max_result_bytes} "
                                     "bytes; add a LIMIT, or start kg serve with a larger --max-result-bytes")
            charset = "; charset=utf-8" if mime.startswith("text/") else ""
            self._send(200, out, mime + charset, {"Vary": "Accept"}, head_only=method == "HEAD")

        def _upstream(self, method, path, body, headers):
            if not slots.acquire(timeout=opts.timeout):
                raise HttpError(503, "the server is busy; try again", {"Retry-After": "1"})
            try:
                status, ctype, data, _ = upstream.request(method, path, body, headers, opts.max_result_bytes)
            finally:
                slots.release()
            return status, ctype, data

        # -- updates and the graph store ---------------------------------

        def _authorize(self) -> None:
            if not opts.allow_update:
                raise HttpError(403, "this server is read-only; start 'kg serve --allow-update' to accept updates")
            given = self.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {opts.token}".encode()):
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
            why = forbidden(text, update=True, allow_service=opts.allow_service, allow_load=opts.allow_load)
            if why:
                raise HttpError(403, why)
            form = [("update", text)] + [(k, v) for k in ("using-graph-uri", "using-named-graph-uri")
                                         for v in params.get(k, [])]
            status, _, body = self._upstream("POST", "/update", urllib.parse.urlencode(form).encode(),
                                             {"Content-Type": "application/x-www-form-urlencoded"})
            if status >= 300:
                raise HttpError(400 if status == 400 else 500, _text(body))
            self._send(204, b"", "text/plain")

        def _store(self, method: str, url) -> None:
            if method in ("PUT", "POST", "DELETE"):
                self._authorize()
            elif method not in ("GET", "HEAD"):
                raise HttpError(405, "use GET, PUT, POST or DELETE")
            body = self._body() if method in ("PUT", "POST") else None
            headers = {"Accept": self.headers.get("Accept", "application/n-triples")}
            if body is not None:
                headers["Content-Type"] = self.headers.get("Content-Type", "application/n-triples")
            status, ctype, data = self._upstream(method, "/store?" + url.query, body, headers)
            if status >= 400:
                raise HttpError(status, _text(data))
            self._send(status, data, ctype or "text/plain", head_only=method == "HEAD")

        # -- pages --------------------------------------------------------

        def _view(self, name: str) -> None:
            if views is None or not re.fullmatch(r"[\w.-]+\.html", name) or name.startswith("."):
                raise HttpError(404, "no such view")
            path = views / name
            if not path.is_file():
                raise HttpError(404, f"no such view: {name}")
            self._send(200, path.read_bytes(), "text/html; charset=utf-8", {"Content-Security-Policy": VIEW_CSP})

        def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None, head_only=False):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            if opts.cors:
                self.send_header("Access-Control-Allow-Origin", "*")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if not head_only and body:
                self.wfile.write(body)

    return Handler


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace").strip()[:2000] or "no details"


# -- the explorer page -----------------------------------------------------

EXPLORER_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'")
# The views carry their own inlined scripts; nothing may load from elsewhere.
VIEW_CSP = "default-src 'self' 'unsafe-inline' data: blob:; base-uri 'none'; form-action 'none'"


def list_views(views: Path | None) -> list[str]:
    """The file names of the HTML views in ``views``, sorted."""
    if views is None or not views.is_dir():
        return []
    return sorted(p.name for p in views.glob("*.html") if re.fullmatch(r"[\w.-]+\.html", p.name))


EXAMPLE_QUERY = """PREFIX kg: <https://kg.example.org/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?investorName ?investeeName WHERE {
  ?investor kg:investedIn ?investee .
  ?investor rdfs:label ?investorName .
  ?investee rdfs:label ?investeeName .
} LIMIT 100"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kg explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
textarea{width:100%;height:12em;font:13px monospace}
table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}#status{margin-left:1em;color:#555}pre{background:#f7f7f7;padding:1em;overflow:auto}
.err{color:#b00}
</style></head><body>
<h1>kg explorer</h1>
<p>SPARQL endpoint: <code>/query</code> (GET or POST, SPARQL 1.1 Protocol). __MODE__</p>
<h2>Graph views</h2>
__VIEWS__
<h2>Query</h2>
<form id="f"><textarea id="q" name="query" spellcheck="false">__QUERY__</textarea><br>
<button type="submit">Run</button><span id="status"></span></form>
<div id="out"></div>
<script>
"use strict";
const out = document.getElementById("out"), status = document.getElementById("status");
function cell(term) {
  const td = document.createElement("td");
  if (term) {
    td.textContent = term.type === "uri" ? term.value : term.type === "bnode" ? "_:" + term.value : term.value;
    if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
    else if (term.datatype) td.title = term.datatype;
  }
  return td;
}
document.getElementById("f").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  out.replaceChildren();
  status.textContent = "running…";
  const t0 = performance.now();
  try {
    const resp = await fetch("query", {method: "POST",
      headers: {"Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: document.getElementById("q").value});
    const text = await resp.text();
    const ms = Math.round(performance.now() - t0);
    if (!resp.ok) {
      const p = document.createElement("pre"); p.className = "err"; p.textContent = resp.status + ": " + text;
      out.append(p); status.textContent = "failed"; return;
    }
    if ((resp.headers.get("Content-Type") || "").startsWith("application/sparql-results+json")) {
      const data = JSON.parse(text);
      if ("boolean" in data) { status.textContent = "ASK: " + data.boolean + " (" + ms + " ms)"; return; }
      const vars = data.head.vars, rows = data.results.bindings;
      const table = document.createElement("table"), head = table.insertRow();
      for (const v of vars) { const th = document.createElement("th"); th.textContent = v; head.append(th); }
      for (const row of rows) { const tr = table.insertRow(); for (const v of vars) tr.append(cell(row[v])); }
      out.append(table);
      status.textContent = rows.length + " row(s), " + ms + " ms";
    } else {
      const p = document.createElement("pre"); p.textContent = text; out.append(p);
      status.textContent = ms + " ms";
    }
  } catch (e) { status.textContent = "error: " + e; }
});
</script></body></html>
"""


def explorer_page(views: list[str], *, allow_update: bool = False) -> bytes:
    """The explorer page: links to the HTML views and a query box. Every value is escaped.

    >>> b"&lt;script&gt;" in explorer_page(["<script>.html"])
    True
    """
    if views:
        items = "".join(f'<li><a href="graphs/{urllib.parse.quote(v)}">{html.escape(v)}</a></li>' for v in views)
        listing = f"<ul>{items}</ul>"
    else:
        listing = "<p>No views yet: <code>kg build</code> writes them to <code>graphs/*.html</code>.</p>"
    mode = "Updates need a token at <code>/update</code>." if allow_update else "Read-only."
    page = _PAGE.replace("__VIEWS__", listing).replace("__MODE__", mode)
    return page.replace("__QUERY__", html.escape(EXAMPLE_QUERY)).encode("utf-8")


# -- running it -------------------------------------------------------------


def serve(location: str, opts: ServeOptions, *, announce=print) -> None:
    """Serve the store at ``location`` until SIGINT or SIGTERM.

    Args:
        location: an on-disk store directory.
        opts: the settings (a token is generated if updates are allowed without one).
        announce: called with one line once the server is ready (the URL), and
            with the token when one was generated.

    Raises:
        ServerError: the store is not a local directory, does not exist, or a
            server cannot start.
        StoreLockedError: another process writes the store (or, with
            ``allow_update``, reads it).
    """
    from kg.stores.lock import FileLock
    from kg.stores import is_remote
    from kg.stores.lock import lock_timeout

    if is_remote(location) or location == "memory:":
        raise ServerError(f"kg serve serves an on-disk store, not {location}")
    store = Path(location).expanduser()
    if not (store / "CURRENT").is_file():
        raise ServerError(f"no store at {store}; build one first with 'kg build' or 'kg ingest'")
    if opts.allow_update and not opts.token:
        opts.token = secrets.token_urlsafe(24)
        announce(f"update token (send as 'Authorization: Bearer …'): {opts.token}")
    views = Path(opts.views).resolve() if opts.views else None
    lock = FileLock(store, exclusive=opts.allow_update, timeout=lock_timeout(not opts.allow_update))
    proc = None
    try:
        proc, port = start_oxigraph(store, read_write=opts.allow_update, timeout=opts.timeout,
                                    keep_fds=(lock._fd,), binary=opts.oxigraph)
        upstream = Upstream(port, opts.timeout + 5)
        handler = make_handler(opts, upstream, views)
        try:
            httpd = ThreadingHTTPServer((opts.host, opts.port), handler)
        except OSError as exc:
            raise ServerError(f"cannot listen on {opts.host}:{opts.port}: {exc.strerror or exc}") from None
        httpd.daemon_threads = True
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
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        lock.release()


def main_args(argv=None) -> None:  # pragma: no cover - a debugging entry point
    """``python -m kg.server STORE [PORT]``: serve with the default settings."""
    argv = sys.argv[1:] if argv is None else argv
    serve(argv[0], ServeOptions(port=int(argv[1]) if len(argv) > 1 else 7878),
          announce=lambda line: print(line, file=sys.stderr, flush=True))


if __name__ == "__main__":  # pragma: no cover
    main_args()
