"""``kg serve`` with real servers on loopback: SPARQL clients, content negotiation, safety limits, load."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreLockedError
from kg.schema import META_GRAPH
from kg.snapshot import version
from kg.stores import open_store

pytestmark = pytest.mark.server

KG = "https://kg.example.org/ontology#"
XIAOMI = "https://kg.example.org/id/company/xiaomi"
XPENG = "https://kg.example.org/id/company/xpeng-motors"
LEI_JUN = "https://kg.example.org/id/person/lei-jun"
INVESTED = f"SELECT ?a ?b WHERE {{ ?a <{KG}investedIn> ?b }}"
CONSTRUCT = f"CONSTRUCT {{ ?a <{KG}investedIn> ?b }} WHERE {{ ?a <{KG}investedIn> ?b }}"
ASK = f"ASK {{ <{LEI_JUN}> <{KG}metWith> <https://kg.example.org/id/person/elon-musk> }}"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Served:
    """A running ``kg serve`` subprocess."""

    def __init__(self, store: str, *args: str, env: dict | None = None):
        cmd = [sys.executable, "-c", "from kg.cli import main; main()", "--store", store, "serve", "--port", "0", *args]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                                     env={**os.environ, **(env or {})})
        self.lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                raise RuntimeError("kg serve exited: " + "".join(self.lines))
            self.lines.append(line)
            if "SPARQL endpoint" in line:
                self.url = line.split("endpoint ")[1].split()[0]
                self.base = self.url.rsplit("/", 1)[0]
                return
        raise RuntimeError("kg serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(15)
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def served(article_store, tmp_path_factory):
    views = tmp_path_factory.mktemp("views")
    (views / "network.html").write_text("<html><body>the network view</body></html>")
    # 3 s: short for the timeout test, long enough for the load test on a busy machine.
    server = Served(article_store, "--timeout", "3", "--max-body-bytes", "100000", "--views", str(views))
    yield server
    server.stop()


@pytest.fixture
def writable(tmp_path):
    loc = str(tmp_path / "store")
    with open_store(loc, read_only=False) as store:
        store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> 'before' } }", prefixes=False)
    server = Served(loc, "--allow-update", env={"KG_SERVE_TOKEN": "s3cret"})
    yield server, loc
    server.stop()


def http(url, *, data=None, headers=None, method=None):
    """(status, content type, body) of one request, errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def get(served, query, accept=None, **params):
    qs = urllib.parse.urlencode({"query": query, **params})
    return http(f"{served.url}?{qs}", headers={"Accept": accept} if accept else {})


# -- real SPARQL clients ------------------------------------------------------


def test_sparqlwrapper_select_ask_construct(served):
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(served.url)
    sw.setQuery(INVESTED)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert [(r["a"]["value"], r["b"]["value"]) for r in rows] == [(XIAOMI, XPENG)]
    sw.setQuery(ASK)
    assert sw.query().convert()["boolean"] is True
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    ttl = sw.query().convert()
    triples = {(str(t.subject), str(t.object)) for t in ox.parse(ttl, format=ox.RdfFormat.TURTLE)}
    assert (f"<{XIAOMI}>", f"<{XPENG}>") in triples


def test_sparqlwrapper_post(served):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    sw = SPARQLWrapper(served.url)
    sw.setMethod(POST)
    sw.setQuery(INVESTED)
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["results"]["bindings"][0]["b"]["value"] == XPENG


def test_rdflib_sparqlstore_select_ask_construct(served):
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(served.url))
    assert [(str(a), str(b)) for a, b in g.query(INVESTED)] == [(XIAOMI, XPENG)]
    assert g.query(ASK).askAnswer is True
    result = g.query(CONSTRUCT).graph
    assert (URIRef(XIAOMI), URIRef(KG + "investedIn"), URIRef(XPENG)) in result


# -- content negotiation ----------------------------------------------------


@pytest.mark.parametrize("accept, ctype, fmt", [
    ("application/sparql-results+json", "application/sparql-results+json", "JSON"),
    ("application/sparql-results+xml", "application/sparql-results+xml", "XML"),
    ("text/tab-separated-values", "text/tab-separated-values", "TSV"),
    (None, "application/sparql-results+json", "JSON"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json", "JSON"),
])
def test_select_results_formats(served, accept, ctype, fmt):
    status, got, body = get(served, INVESTED, accept)
    assert status == 200 and got.startswith(ctype)
    rows = list(ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, fmt)))
    assert [(r["a"].value, r["b"].value) for r in rows] == [(XIAOMI, XPENG)]


def test_select_csv_and_format_parameter(served):
    status, ctype, body = get(served, INVESTED, "text/csv")
    assert status == 200 and ctype.startswith("text/csv")
    assert list(csv.reader(io.StringIO(body.decode()))) == [["a", "b"], [XIAOMI, XPENG]]
    status, ctype, _ = get(served, INVESTED, "application/sparql-results+json", format="xml")
    assert ctype.startswith("application/sparql-results+xml")


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", "TURTLE"),
    ("application/n-triples", "N_TRIPLES"),
    ("application/ld+json", "JSON_LD"),
    ("application/rdf+xml", "RDF_XML"),
])
def test_construct_formats(served, accept, fmt):
    status, ctype, body = get(served, CONSTRUCT, accept)
    assert status == 200 and ctype.startswith(accept)
    triples = {(q.subject, q.predicate, q.object) for q in ox.parse(body, format=getattr(ox.RdfFormat, fmt))}
    assert (ox.NamedNode(XIAOMI), ox.NamedNode(KG + "investedIn"), ox.NamedNode(XPENG)) in triples


def test_ask_and_post_forms(served):
    status, _, body = http(served.url, data=ASK.encode(), headers={"Content-Type": "application/sparql-query",
                                                                 "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True
    status, ctype, body = http(served.url, data=urllib.parse.urlencode({"query": ASK}).encode(),
                               headers={"Accept": "application/sparql-results+xml"})
    assert status == 200 and b"<boolean>true</boolean>" in body


# -- error codes and safety limits ----------------------------------------------


def test_bad_query_is_400(served):
    status, _, body = get(served, "SELEC ?x WHERE {")
    assert status == 400 and body
    assert http(served.url)[0] == 400  # no query at all


def test_timeout_is_503(served):
    started = time.monotonic()
    status, _, body = get(served, SLOW)
    assert status == 503 and b"did not finish" in body
    assert time.monotonic() - started < 10
    assert get(served, ASK)[0] == 200  # and the server still answers


def test_huge_body_is_413_without_reading_it(served):
    with socket.create_connection(("127.0.0.1", int(served.base.rsplit(":", 1)[1])), timeout=10) as s:
        s.sendall(b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 1000000000\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 413")
    status, _, _ = http(served.url, data=b"#" * 100_001, headers={"Content-Type": "application/sparql-query"})
    assert status == 413


def test_service_is_refused(served):
    status, _, body = get(served, "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert status == 403 and b"--allow-service" in body
    # the word in a literal or a name is fine
    assert get(served, 'SELECT * { ?s ?p "SERVICE" } LIMIT 1')[0] == 200


def test_read_only_server_refuses_updates_and_writers(served, article_store):
    status, _, body = http(served.base + "/update", data=b"CLEAR ALL",
                           headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer x"})
    assert status == 403 and b"read-only" in body
    assert http(served.url, data=urllib.parse.urlencode({"update": "CLEAR ALL"}).encode())[0] == 403
    assert http(served.base + "/store?graph=urn:x", data=b"", method="PUT")[0] == 403
    with pytest.raises(StoreLockedError, match="kg serve"):
        open_store(article_store, read_only=False)
    with open_store(article_store, read_only=True) as reader:  # readers share the store
        assert bool(reader.query(ASK))


def test_result_cap_is_507(article_store):
    server = Served(article_store, "--max-result-bytes", "2000")
    try:
        assert get(server, ASK)[0] == 200
        status, _, body = get(server, "SELECT * { ?s ?p ?o }")
        assert status == 507 and b"--max-result-bytes" in body
    finally:
        server.stop()


def test_updates_need_the_token(writable, monkeypatch):
    server, loc = writable
    update = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> 'after' } }"
    headers = {"Content-Type": "application/sparql-update"}
    assert http(server.base + "/update", data=update.encode(), headers=headers)[0] == 403
    assert http(server.base + "/update", data=update.encode(), headers={**headers, "Authorization": "Bearer nope"})[0] == 403
    auth = {**headers, "Authorization": "Bearer s3cret"}
    assert http(server.base + "/update", data=b"LOAD <http://example.org/x.ttl>", headers=auth)[0] == 403
    assert http(server.base + "/update", data=update.encode(), headers=auth)[0] == 204
    status, _, body = get(server, "SELECT ?o { <urn:a> <urn:p> ?o } ORDER BY ?o", "text/csv")
    assert body.decode().split() == ["o", "after", "before"]
    monkeypatch.setenv("KG_LOCK_TIMEOUT", "0.2")
    with open_store(loc, read_only=True) as reader:  # a server that may write does not lock readers out
        assert {str(r["o"]) for r in reader.query("SELECT ?o { <urn:a> <urn:p> ?o }")} == {'"after"', '"before"'}
    with pytest.raises(StoreLockedError, match="'kg serve' \\(PID"):  # writers are told who holds it
        open_store(loc, read_only=False)


def test_remote_backend_through_kg_serve(writable, monkeypatch):
    server, _ = writable
    monkeypatch.setenv("KG_STORE_TOKEN", "s3cret")
    with open_store(server.url, read_only=False) as store:
        store.replace_graphs({"urn:new": [ox.Triple(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("v"))]})
        # A write through kg serve bumps the store's version, in the meta graph (see kg.serving.engine).
        assert store.named_graphs() == [META_GRAPH, "urn:g", "urn:new"]
        assert len(store) - len(list(store.query(f"SELECT * {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o }} }}"))) == 2
        assert version(store) is not None


def test_missing_store_is_a_plain_error(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "--store", str(tmp_path / "none"),
                           "serve", "--port", "0"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1 and "no store at" in proc.stderr and "Traceback" not in proc.stderr


# -- the explorer page ----------------------------------------------------------


def test_explorer_page_and_views(served):
    status, ctype, body = http(served.base + "/")
    assert status == 200 and ctype.startswith("text/html")
    page = body.decode()
    assert 'href="graphs/network.html"' in page and '<script src="lib/yasgui/yasgui.min.js">' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing loads from elsewhere
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1))
    assert "deal-value-by-investor" in {e["name"] for e in data["examples"]} and data["prefixes"]["kg"] == KG
    status, ctype, js = http(served.base + "/lib/yasgui/yasgui.min.js")
    assert status == 200 and ctype.startswith("text/javascript") and b"Yasqe" in js
    assert http(served.base + "/lib/yasgui/../../server.py")[0] == 404
    assert http(served.base + "/graphs/network.html")[2] == b"<html><body>the network view</body></html>"
    assert http(served.base + "/graphs/..%2Fsecret.html")[0] == 404
    assert http(served.base + "/nothing")[0] == 404


# -- a bounded load test ----------------------------------------------------------


def load(served, clients: int, seconds: float) -> dict:
    """``clients`` threads query for ``seconds``, checking every answer; return latency percentiles in ms."""
    import http.client

    host, port = served.base.split("//")[1].split(":")
    cases = [
        (INVESTED, "application/sparql-results+json", lambda b: json.loads(b)["results"]["bindings"][0]["b"]["value"] == XPENG),
        (ASK, "application/sparql-results+json", lambda b: json.loads(b)["boolean"] is True),
        (CONSTRUCT, "application/n-triples", lambda b: f"<{XPENG}>".encode() in b),
    ]
    latencies, failures = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(i):
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        n = i
        while time.monotonic() < deadline:
            query, accept, check = cases[n % len(cases)]
            n += 1
            t0 = time.perf_counter()
            conn.request("POST", "/query", body=query.encode(),
                         headers={"Content-Type": "application/sparql-query", "Accept": accept})
            resp = conn.getresponse()
            body = resp.read()
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if resp.status != 200 or not check(body):
                    failures.append((resp.status, body[:200]))
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {"requests": len(latencies), "failures": failures,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def test_load_8_clients_2s(served):
    result = load(served, 8, 2.0)
    print(f"\n8 clients x 2 s: {result['requests']} requests, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms")
    assert result["failures"] == [] and result["requests"] > 50


@pytest.mark.slow
def test_load_8_clients_30s(served):
    result = load(served, 8, 30.0)
    print(f"\n8 clients x 30 s: {result['requests']} requests, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms")
    assert result["failures"] == [] and result["requests"] > 750


def test_views_dir_default_is_relative(tmp_path):
    from kg.server import list_views

    assert list_views(tmp_path / "missing") == []
    (tmp_path / "a.html").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    assert list_views(Path(tmp_path)) == ["a.html"]


# -- hardening: the query of death, the engines, the lock ----------------------------

DEATH = {
    "groups": "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000,
    "parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "negations": "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 20000 + "true) }",
    "optionals": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 1000 + "}",
}


@pytest.mark.parametrize("kind", sorted(DEATH))
def test_query_of_death_is_400_and_the_server_stays_up(served, kind):
    status, _, body = http(served.url, data=DEATH[kind].encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and b"nested too deeply" in body
    assert get(served, ASK)[0] == 200


def test_query_of_death_on_the_embedded_store(article_store):
    from kg.errors import QueryError

    with open_store(article_store, read_only=True) as store, pytest.raises(QueryError, match="nested too deeply"):
        store.query(DEATH["groups"])
    proc = subprocess.run([sys.executable, "-m", "kg", "--store", article_store, "sparql", "-"], input=DEATH["groups"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "nested too deeply" in proc.stderr and "Traceback" not in proc.stderr


def test_a_dead_engine_is_logged_and_replaced(article_store):
    # 1 GiB of address space per engine: a cartesian ORDER BY runs out of it and the engine aborts.
    server = Served(article_store, "--max-memory", "1024", "--max-concurrent", "2", "--timeout", "60")
    try:
        status, _, body = get(server, "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i")
        assert status == 500 and b"restarted" in body
        assert get(server, ASK)[0] == 200  # the other engine answers meanwhile
        log = server.proc.stderr.readline()
        assert "an engine was ended by SIGABRT" in log and "starting a new one" in log
        deadline = time.monotonic() + 30
        while len(engines_of(server)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(engines_of(server)) == 2
    finally:
        server.stop()


def engines_of(server) -> list[int]:
    """PIDs of the engine processes of a ``kg serve``."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.proc.pid:
            pids.append(int(stat.parent.name))
    return pids


def listening_inodes() -> set[str]:
    """Socket inodes that accept connections: TCP in LISTEN, Unix sockets with __SO_ACCEPTCON."""
    found = set()
    for name in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{name}").read_text().splitlines()[1:]:
            f = line.split()
            if f[3] == "0A":
                found.add(f[9])
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        f = line.split()
        if int(f[3], 16) & 0x10000:
            found.add(f[6])
    return found


def test_the_guard_is_the_only_way_in(served):
    engines = engines_of(served)
    assert len(engines) == 8
    listening = listening_inodes()
    for pid in engines:
        sockets = {os.readlink(fd)[8:-1] for fd in Path(f"/proc/{pid}/fd").iterdir()
                   if os.readlink(fd).startswith("socket:[")}
        assert sockets and not sockets & listening  # a socket pair with the guard, no listener


def test_engines_refuse_service_load_and_updates(article_store):
    from kg.serving.pool import EngineProcess

    engine = EngineProcess(article_store, {"max_memory": 0})
    try:
        reply, _ = engine.call({"op": "update", "text": "CLEAR ALL"}, timeout=60)
        assert reply["status"] == 403
        reply, _ = engine.call({"op": "query", "text": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
                               timeout=60)
        assert reply["status"] == 403 and "SERVICE" in reply["message"]
        reply, _ = engine.call({"op": "update", "mode": "rw", "text": "LOAD <http://127.0.0.1:9/x.ttl>"}, timeout=60)
        assert reply["status"] == 403 and "LOAD" in reply["message"]
        reply, out = engine.call({"op": "query", "text": ASK, "accept": "text/csv"}, timeout=60)
        assert reply == {"status": 200, "type": "text/csv"} and out.strip() == b"true"
    finally:
        engine.kill()


def test_a_write_waits_for_readers_and_then_commits(writable):
    server, loc = writable
    auth = {"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"}
    reader = open_store(loc, read_only=True)
    answers = []
    writer = threading.Thread(target=lambda: answers.append(http(
        server.base + "/update", data=b"INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> 'late' } }", headers=auth)))
    writer.start()
    time.sleep(1.0)
    assert answers == []  # the commit waits for the reader
    assert get(server, ASK)[0] == 200  # and queries still run meanwhile
    reader.close()
    writer.join(30)
    assert answers[0][0] == 204
    status, _, body = get(server, "SELECT ?o { <urn:a> <urn:p> ?o } ORDER BY ?o", "text/csv")
    assert body.decode().split() == ["o", "before", "late"]


def test_a_long_view_name_is_404_and_the_connection_stays(served):
    import http.client

    host, port = served.base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", "/graphs/" + "a" * 10_000 + ".html")
    resp = conn.getresponse()
    assert resp.status == 404 and resp.read() == b"no such view\n"
    conn.request("GET", "/query?" + urllib.parse.urlencode({"query": ASK}))
    assert conn.getresponse().status == 200
    conn.close()


def raw_request(served, head: bytes) -> bytes:
    """Send ``head`` on a fresh connection and return everything the server sends until it closes or pauses."""
    with socket.create_connection(("127.0.0.1", int(served.base.rsplit(":", 1)[1])), timeout=10) as s:
        s.sendall(head)
        s.settimeout(2)
        out = b""
        with contextlib.suppress(TimeoutError):
            while chunk := s.recv(65536):
                out += chunk
        return out


def test_answers_on_one_connection_stay_in_order(served):
    """Small answers are written by the engines themselves; errors by the guard; one stream, in order."""
    import http.client

    host, port = served.base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    for i in range(6):
        query, accept = (ASK, "text/csv") if i % 2 else ("SELECT nonsense", "application/sparql-results+json")
        conn.request("POST", "/query", body=query.encode(), headers={"Content-Type": "application/sparql-query",
                                                                     "Accept": accept})
        resp = conn.getresponse()
        body = resp.read()
        if i % 2:
            assert (resp.status, resp.getheader("Content-Type"), body) == (200, "text/csv; charset=utf-8",
                                                                          b"true")
            assert resp.getheader("Vary") == "Accept" and resp.getheader("X-Content-Type-Options") == "nosniff"
        else:
            assert resp.status == 400 and b"invalid SPARQL" in body
    conn.request("HEAD", "/query?" + urllib.parse.urlencode({"query": ASK}))
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b"" and int(resp.getheader("Content-Length")) > 0
    conn.close()


def test_connection_close_is_honoured_on_a_direct_answer(served):
    query = urllib.parse.quote(ASK)
    out = raw_request(served, f"GET /query?query={query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                              "Accept: text/csv\r\n\r\n".encode())
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Connection: close" in head and body == b"true"


@pytest.mark.parametrize("head, status", [
    (b"GET /query HTTP/2.0\r\n\r\n", b"505"),
    (b"GET /query HTTP/1.x\r\n\r\n", b"400"),
    (b"GET /query\r\n\r\n", b"400"),
    (b"POST /query HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nASK{}", b"400"),
    (b"GET /query HTTP/1.1\r\nBad Name: x\r\n\r\n", b"400"),
    (b"GET /query HTTP/1.1\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", b"431"),
    (b"GET /query HTTP/1.1\r\nX-A: " + b"b" * 70_000 + b"\r\n\r\n", b"431"),
])
def test_malformed_request_heads_are_refused(served, head, status):
    out = raw_request(served, head)
    assert out.startswith(b"HTTP/1.1 " + status) and b"Connection: close" in out.split(b"\r\n\r\n")[0]


def test_folded_header_lines_are_joined(served):
    query = urllib.parse.quote(ASK)
    out = raw_request(served, f"GET /query?query={query} HTTP/1.1\r\nHost: x\r\nAccept: text/tab-separated-values,\r\n"
                              " text/csv;q=0.1\r\nConnection: close\r\n\r\n".encode())
    assert out.startswith(b"HTTP/1.1 200") and b"Content-Type: text/tab-separated-values" in out


def test_a_timeout_knows_whether_the_engine_had_begun_answering(article_store):
    """Stopped before its first byte to the client, the guard may answer 503; after it, it must not."""
    from kg.serving.pool import EngineGone, EngineProcess

    engine = EngineProcess(article_store, {"max_memory": 0, "timeout": 30})
    try:
        assert engine.call({"op": "open"}, timeout=60)[0] == {"status": 204}
        ours, client = socket.socketpair()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # and nobody reads: the write blocks
        big = {"op": "query", "text": "SELECT * { ?s ?p ?o } LIMIT 300", "accept": "text/csv", "close": False}
        with pytest.raises(EngineGone) as stuck:
            engine.call(big, timeout=2, client=client.fileno())
        assert stuck.value.timed_out and stuck.value.wrote
        assert ours.recv(20).startswith(b"HTTP/1.1 200 OK")  # what it began is what the client has
    finally:
        engine.kill()
    engine = EngineProcess(article_store, {"max_memory": 0, "timeout": 30})
    try:
        engine.call({"op": "open"}, timeout=60)
        with pytest.raises(EngineGone) as slow:
            engine.call({"op": "query", "text": SLOW, "close": False}, timeout=1, client=client.fileno())
        assert slow.value.timed_out and not slow.value.wrote
    finally:
        engine.kill()
        ours.close()
        client.close()


CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")


@contextlib.contextmanager
def chromium_page():
    """A page of Debian's headless Chromium, closed afterwards."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
def test_explorer_runs_a_named_query_in_yasgui(served):
    with chromium_page() as page:
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(served.base + "/")
        page.click("#examples button:text-is('investments')")
        page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
        assert "Xpeng Motors" in page.locator(".yasr table tbody").inner_text()
        assert "PREFIX kg: <" + KG + ">" in page.evaluate("document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()")
        assert page.locator(".yasqe_share").count() >= 1  # share links
        assert errors == []


# -- the results drawn as a graph ----------------------------------------------------

XSS = "<img src=x onerror=alert(1)>"
DRAWN = (f"CONSTRUCT {{ ?a <{KG}investedIn> ?b . ?a rdfs:label {json.dumps(XSS)} }} "
         f"WHERE {{ ?a <{KG}investedIn> ?b }}")


def drawing_data(body: bytes) -> dict:
    return json.loads(re.search(rb'<script type="application/json" id="kg-data">(.*?)</script>', body, re.S).group(1))


def test_view_draws_a_construct_and_a_select(served):
    status, ctype, body = http(f"{served.base}/view?" + urllib.parse.urlencode({"query": CONSTRUCT}))
    assert status == 200 and ctype.startswith("text/html")
    nodes = {n["id"]: n["label"] for n in drawing_data(body)["nodes"]}
    assert nodes == {XIAOMI: "Xiaomi", XPENG: "Xpeng Motors"}  # labels looked up in the store, as kg viz does
    assert not re.search(rb'(src|href)="(https?:)?//', body)
    # A SELECT without ?subject ?object draws the entities it returns; POST works too.
    status, _, body = http(f"{served.base}/view", data=INVESTED.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and {XIAOMI, XPENG} <= {n["id"] for n in drawing_data(body)["nodes"]}


def test_view_is_sandboxed_and_keeps_the_limits(served):
    with urllib.request.urlopen(f"{served.base}/view?" + urllib.parse.urlencode({"query": DRAWN}), timeout=30) as r:
        csp, body = r.headers["Content-Security-Policy"], r.read()
    assert csp.startswith("sandbox allow-scripts;") and "default-src 'none'" in csp and "connect-src" not in csp
    assert XSS.encode() not in body and XSS in {n["label"] for n in drawing_data(body)["nodes"]}
    status, _, body = http(f"{served.base}/view?" + urllib.parse.urlencode({"query": ASK}))
    assert status == 400 and b"ASK query has no graph" in body
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert http(f"{served.base}/view?" + urllib.parse.urlencode({"query": service}))[0] == 403
    assert http(f"{served.base}/view?" + urllib.parse.urlencode({"query": "SELECT * " + "{" * 5000}))[0] == 400
    assert http(f"{served.base}/view", method="DELETE")[0] == 405
    status, _, body = http(f"{served.base}/view?" + urllib.parse.urlencode({"query": SLOW}))
    assert status == 503 and b"did not finish within 3 s" in body


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
def test_explorer_graph_tab_draws_the_result(served):
    with chromium_page() as page:
        problems, dialogs, hosts = [], [], set()
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: hosts.add(urllib.parse.urlsplit(r.url).netloc))
        page.goto(served.base + "/")
        page.evaluate("q => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.setValue(q)", DRAWN)
        page.click(".tabPanel.active .yasqe_queryButton")
        page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
        page.click(".tabPanel.active .yasr .select_graph")
        frame = page.wait_for_selector("iframe.kg-graph").content_frame()
        frame.wait_for_function("() => window.kgReady === true", timeout=60_000)
        assert frame.evaluate("window.kgNetwork.body.nodeIndices.length") == 2  # Xiaomi and Xpeng
        assert page.get_attribute("iframe.kg-graph", "sandbox") == "allow-scripts"
        # The label is text, not markup: no image, no alert, in the frame or the page.
        assert XSS in frame.evaluate("window.kgNetwork.body.data.nodes.get().map(n => n.label)")
        assert frame.locator("img").count() == 0 and dialogs == [] and problems == []
        assert hosts == {served.base.split("//")[1]}  # nothing but kg serve was asked
