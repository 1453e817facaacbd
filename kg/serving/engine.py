"""The engine process of ``kg serve``: pyoxigraph on the store, behind a socket pair.

It listens on nothing. The guard (:mod:`kg.serving.pool`) starts it with one end
of a Unix socket pair and sends it framed requests; so nothing but the guard
can reach the store, and the engine itself refuses SERVICE, LOAD and, unless
it was started as the writer, updates. Its memory is capped with
``RLIMIT_AS``; a query that overflows it, or the stack, ends this process
only, and the guard starts another.

A frame is ``!II`` (header length, body length), a JSON header, then the body.
A query's frame may carry the client's socket (``SCM_RIGHTS``): the engine then
writes a small answer (up to :data:`DIRECT_MAX`) to the client itself, one hop
less than through the guard, and tells the guard ``{"sent": true}``. Before its
first byte to the client it sets a shared flag (a one-byte ``memfd`` map), so a
guard that stops it on a timeout knows whether it may still answer 503 or must
close the connection.

>>> a, b = __import__("socket").socketpair()
>>> send_frame(a, {"op": "ping"}, b"x"); recv_frame(b)
({'op': 'ping'}, b'x')
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
import threading
import time

_FRAME = struct.Struct("!II")
#: The largest answer an engine writes to the client itself; larger ones go through the guard,
#: so that a client slow to read a large answer holds a guard thread, not an engine.
DIRECT_MAX = 256 << 10


def send_frame(sock: socket.socket, header: dict, body: bytes = b"", fd: int | None = None) -> None:
    """Send one frame: a JSON header and a body, and with it the descriptor ``fd`` if given."""
    head = json.dumps(header).encode()
    data = _FRAME.pack(len(head), len(body)) + head + body
    if fd is None:
        sock.sendall(data)
        return
    sent = socket.send_fds(sock, [data], [fd])
    if sent < len(data):
        sock.sendall(memoryview(data)[sent:])


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the socket")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket) -> tuple[dict, bytes]:
    """Receive one frame; ``(header, body)``.

    Raises:
        EOFError: the other end is gone.
    """
    # One request is in flight per socket, so nothing past this frame can arrive;
    # a first large read saves two system calls on a small frame.
    return _frame(sock, sock.recv(1 << 16))


def recv_request(sock: socket.socket) -> tuple[dict, bytes, socket.socket | None]:
    """Receive one frame and the client socket it may carry; ``(header, body, client or None)``.

    Raises:
        EOFError: the other end is gone.
    """
    data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 1)
    for extra in fds[1:]:  # the guard sends at most one; never keep more
        os.close(extra)
    header, body = _frame(sock, data)
    if not fds:
        return header, body, None
    # Family and type given, so the socket object asks the kernel for neither (three system calls).
    return header, body, socket.socket(header.get("family", socket.AF_INET), socket.SOCK_STREAM, 0, fds[0])


def _frame(sock: socket.socket, data: bytes) -> tuple[dict, bytes]:
    """The frame that starts with ``data``, reading the rest of it from ``sock``."""
    if not data:
        raise EOFError("the other end closed the socket")
    if len(data) < _FRAME.size:
        data += _recv_exact(sock, _FRAME.size - len(data))
    head_len, body_len = _FRAME.unpack_from(data)
    end = _FRAME.size + head_len + body_len
    if len(data) < end:
        data += _recv_exact(sock, end - len(data))
    # Decoded here: json.loads of bytes would first guess their encoding.
    return json.loads(data[_FRAME.size:_FRAME.size + head_len].decode()), data[_FRAME.size + head_len:end]


class Engine:
    """One store, opened read-only or read-write on demand, answering framed requests.

    Args:
        location: the store directory.
        settings: ``allow_service``, ``allow_load``, ``max_result_bytes``.
    """

    def __init__(self, location: str, settings: dict, writing=None):
        self.location, self.settings = location, settings
        self.store, self.mode = None, None
        # Set to 1 before an answer's first byte goes to a client (shared with the guard).
        self.writing = bytearray(1) if writing is None else writing

    def open(self, mode: str):
        """The store, opened in ``mode`` (``"ro"`` or ``"rw"``), reopened if it was open otherwise."""
        import pyoxigraph as ox

        if self.mode != mode:
            self.close()
            self.store = ox.Store(self.location) if mode == "rw" else ox.Store.read_only(self.location)
            self.mode = mode
        return self.store

    def close(self) -> None:
        """Close the store (flushed first when writable), so the guard may hand it to a writer."""
        if self.store is not None and self.mode == "rw":
            self.store.flush()
        self.store, self.mode = None, None

    def handle(self, header: dict, body: bytes, client: socket.socket | None = None) -> tuple[dict, bytes]:
        """Answer one request; ``({"status": …, "type": …}, body)``. Never raises for bad input.

        With ``client`` (a query's), a small answer goes to the client directly
        and the reply is ``{"status": 200, "sent": True}`` (``"broken"``: the
        client had gone).
        """
        from kg.errors import KgError

        op = header.get("op")
        try:
            if op == "close":
                self.close()
                return {"status": 204}, b""
            if op == "open":
                self.open("ro")
                return {"status": 204}, b""
            if op == "query":
                return self.query(header, client)
            if op == "view":
                return self.view(header)
            if op == "update":
                return self.update(header)
            if op == "gsp":
                return self.graph_store(header, body)
        except KgError as exc:
            return {"status": 400, "message": str(exc)}, b""
        except SyntaxError as exc:
            return {"status": 400, "message": f"invalid SPARQL: {exc}"}, b""
        except Exception as exc:  # noqa: BLE001 - an engine answers every request, whatever goes wrong
            return {"status": 500, "message": f"the query failed: {type(exc).__name__}: {exc}"}, b""
        return {"status": 400, "message": f"unknown operation {op!r}"}, b""

    def _refuse(self, text: str, update: bool) -> dict | None:
        # The guard has checked size and nesting (kg.sparqltext.check_query) already.
        from kg.server import forbidden

        why = forbidden(text, update=update, allow_service=self.settings.get("allow_service", False),
                        allow_load=self.settings.get("allow_load", False))
        return {"status": 403, "message": why} if why else None

    def query(self, header: dict, client: socket.socket | None = None) -> tuple[dict, bytes]:
        """Run a query and serialize the answer in the negotiated format (sent to ``client`` if small)."""
        import pyoxigraph as ox

        from kg.ontology import PREFIXES
        from kg.server import negotiate

        text = header["text"]
        refused = self._refuse(text, update=False)
        if refused:
            return refused, b""
        default = [ox.NamedNode(g) for g in header.get("default", [])]
        named = [ox.NamedNode(g) for g in header.get("named", [])]
        results = self.open(header.get("mode", "ro")).query(
            text, prefixes=used_prefixes(text, PREFIXES), use_default_graph_as_union=not default,
            default_graph=default or None, named_graphs=named or None)
        kind = "graph" if isinstance(results, ox.QueryTriples) else "results"
        mime, fmt = negotiate(header.get("accept"), header.get("format"), kind)
        if kind == "results":
            out = results.serialize(format=getattr(ox.QueryResultsFormat, fmt))
        else:
            out = ox.serialize(results, format=getattr(ox.RdfFormat, fmt), **_graph_prefixes(fmt))
        cap = self.settings.get("max_result_bytes", 64 << 20)
        if len(out) > cap:
            return {"status": 507, "message": f"the answer is larger than the server's cap of {cap} bytes; "
                                              "add a LIMIT, or start kg serve with a larger --max-result-bytes"}, b""
        if client is not None and len(out) <= DIRECT_MAX:
            return self._answer(client, mime, out, close=header.get("close", True))
        return {"status": 200, "type": mime}, out

    def _answer(self, client: socket.socket, mime: str, out: bytes, *, close: bool) -> tuple[dict, bytes]:
        """Write a 200 answer to the client; the guard's reply says it went (or that the client had gone)."""
        from kg.serving.httphead import QUERY_HEADERS, answer_type, response_head

        data = response_head(200, answer_type(mime), len(out), QUERY_HEADERS, cors=self.settings.get("cors", False),
                             close=close) + out
        self.writing[0] = 1  # from here on the guard, if it stops this engine, must not answer too
        try:
            # The guard's socket has a timeout, so the descriptor is non-blocking: one send
            # usually takes the whole answer; only the rest, if any, waits (and may time out).
            try:
                sent = client.send(data)
            except BlockingIOError:
                sent = 0
            if sent < len(data):
                client.settimeout(self.settings.get("timeout", 10.0))
                client.sendall(memoryview(data)[sent:])
        except OSError:
            return {"status": 200, "sent": True, "broken": True}, b""
        return {"status": 200, "sent": True}, b""

    def view(self, header: dict) -> tuple[dict, bytes]:
        """Draw a query's result as ``kg viz --sparql`` does: one self-contained HTML page.

        A CONSTRUCT's triples, a SELECT of ``?subject ?object`` (``?predicate``),
        or the entities any other SELECT returns (:func:`kg.drawing.sparql_view`).
        """
        from kg.drawing import render_html, sparql_view
        from kg.stores.oxigraph import OxigraphStore

        text = header["text"]
        refused = self._refuse(text, update=False)
        if refused:
            return refused, b""
        store = OxigraphStore.over(self.open("ro"), self.location)
        out = render_html(sparql_view(store, text)).encode("utf-8")
        cap = self.settings.get("max_result_bytes", 64 << 20)
        if len(out) > cap:
            return {"status": 507, "message": f"the drawing is larger than the server's cap of {cap} bytes; "
                                              "add a LIMIT, or start kg serve with a larger --max-result-bytes"}, b""
        return {"status": 200, "type": "text/html"}, out

    def update(self, header: dict) -> tuple[dict, bytes]:
        """Run an update; only in a writer (``mode`` ``"rw"``)."""
        if header.get("mode") != "rw":
            return {"status": 403, "message": "this engine is read-only"}, b""
        text = header["text"]
        refused = self._refuse(text, update=True)
        if refused:
            return refused, b""
        store = self.open("rw")
        _new_version(store)
        store.update(text)
        return {"status": 204}, b""

    def graph_store(self, header: dict, body: bytes) -> tuple[dict, bytes]:
        """The SPARQL 1.1 Graph Store Protocol on one graph (GET, PUT, POST, DELETE)."""
        import pyoxigraph as ox

        from kg.server import negotiate
        from kg.stores.oxigraph import replace_graphs_update

        method, graph = header["method"], header.get("graph")
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        if method == "GET":
            store = self.open("ro" if header.get("mode") != "rw" else "rw")
            if graph and target not in set(store.named_graphs()):
                return {"status": 404, "message": f"no graph <{graph}>"}, b""
            mime, fmt = negotiate(header.get("accept"), None, "graph")
            if fmt == "N_QUADS":
                mime, fmt = "application/n-triples", "N_TRIPLES"
            return {"status": 200, "type": mime}, store.dump(format=getattr(ox.RdfFormat, fmt), from_graph=target)
        if header.get("mode") != "rw":
            return {"status": 403, "message": "this engine is read-only"}, b""
        if not graph:
            return {"status": 400, "message": "name a graph: ?graph=IRI"}, b""
        store = self.open("rw")
        _new_version(store)
        if method == "DELETE":
            if target not in set(store.named_graphs()):
                return {"status": 404, "message": f"no graph <{graph}>"}, b""
            store.update(f"DROP GRAPH {target}")
            return {"status": 204}, b""
        fmt = ox.RdfFormat.from_media_type(header.get("content_type") or "application/n-triples")
        if fmt is None:
            return {"status": 415, "message": f"cannot read {header.get('content_type')}"}, b""
        triples = [q.triple for q in ox.parse(body, format=fmt, base_iri=graph)]
        if method == "PUT":
            store.update(replace_graphs_update({graph: triples}))
        else:
            body_nt = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
            store.update(f"INSERT DATA {{ GRAPH {target} {{\n{body_nt}\n}} }}")
        return {"status": 204 if method == "POST" else 201}, b""


def _new_version(store) -> None:
    """Bump the store's version before a client's write, so no snapshot or kept total of the old one is read again.

    First and apart: a write that then fails has only made them be computed
    anew, where the other order could leave a changed store under the old version.
    """
    from kg.snapshot import bump_version_update

    store.update(bump_version_update())


def used_prefixes(text: str, prefixes: dict) -> dict | None:
    """The prefixes of ``prefixes`` that ``text`` may use: those written ``name:`` somewhere in it.

    Each prefix handed to Oxigraph costs its parser work on every query (about a
    fifth of a small query's time for kg's ~30); a prefixed name in the text
    always contains its ``name:``, so the others can be left out.

    >>> used_prefixes("SELECT * { ?s a kg:Company }", {"kg": "urn:kg#", "rdfs": "urn:rdfs#"})
    {'kg': 'urn:kg#'}
    >>> used_prefixes("SELECT * { ?s ?p <urn:x> }", {"kg": "urn:kg#"}) is None
    True
    """
    return {p: ns for p, ns in prefixes.items() if p + ":" in text} or None


def _graph_prefixes(fmt: str) -> dict:
    from kg.ontology import PREFIXES

    if fmt in ("N_TRIPLES", "N_QUADS"):
        return {}
    # id: and graph: would need escapes (id:company\/xiaomi); full IRIs read better.
    return {"prefixes": {p: ns for p, ns in PREFIXES.items() if p not in ("id", "graph")}}


def _watch_parent(parent: int) -> None:
    # The guard may be killed with SIGKILL; an engine must not outlive it.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _serve(sock: socket.socket, engine: Engine) -> None:
    while True:
        try:
            header, body, client = recv_request(sock)
        except (EOFError, OSError):
            os._exit(0)
        try:
            reply, out = engine.handle(header, body, client)
        finally:
            if client is not None:
                client.close()  # our copy of the descriptor; the connection stays the guard's
        try:
            send_frame(sock, reply, out)
        except OSError:
            os._exit(0)


def main(argv: list[str]) -> None:
    """``python -m kg.serving.engine FD LOCATION SETTINGS_JSON [FLAG_FD]``: serve requests on socket FD.

    FLAG_FD is a one-byte memory file shared with the guard: the engine sets it
    before it writes to a client (see :meth:`Engine._answer`).
    """
    import mmap
    import resource

    fd, location, settings = int(argv[0]), argv[1], json.loads(argv[2])
    writing = mmap.mmap(int(argv[3]), 1) if len(argv) > 3 else None
    limit = settings.get("max_memory")
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Import now what requests need, so that no first request pays for it (past a short timeout).
    import pyoxigraph  # noqa: F401

    import kg.ontology  # noqa: F401
    import kg.server  # noqa: F401
    import kg.stores.oxigraph  # noqa: F401

    sock = socket.socket(fileno=fd)
    engine = Engine(location, settings, writing)
    # Oxigraph recurses once per nested construct; a large stack is a second line
    # of defence behind kg.sparqltext.check_query.
    threading.stack_size(256 << 20)
    worker = threading.Thread(target=_serve, args=(sock, engine), daemon=True)
    worker.start()
    _watch_parent(os.getppid())


if __name__ == "__main__":  # pragma: no cover - started by kg.serving.pool
    main(sys.argv[1:])
