"""The remote backend (kg.stores.remote.RemoteStore) against live servers on loopback.

Oxigraph's ``oxigraph serve`` always; Debian's Virtuoso 7 where ``virtuoso-t``
is installed (``.ci/run`` installs it). Faults are injected by killing the
server (SIGKILL) at random moments during large writes.
"""

from __future__ import annotations

import inspect
import json
import random
import threading
import time

import pyoxigraph as ox
import pytest
import test_cli
import test_paths
from conftest import ROOT, cli_json, run_cli, start_oxigraph_server
from servers import NO_VIRTUOSO, OxigraphServer, VirtuosoServer, copy_project

from kg.errors import ParameterError, QueryError, ReadOnlyStoreError, StoreError
from kg.sparqltext import bind_values, sparql_words
from kg.stores import open_store
from kg.stores.remote import JOURNAL_GRAPH, RemoteStore

pytestmark = pytest.mark.server
needs_virtuoso = pytest.mark.skipif(NO_VIRTUOSO is not None, reason=NO_VIRTUOSO or "")

KG = "https://kg.example.org/ontology#"
XIAOMI = "https://kg.example.org/id/company/xiaomi"
XPENG = "https://kg.example.org/id/company/xpeng-motors"


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    """A live, empty-at-start ``oxigraph serve`` (1 s query timeout)."""
    proc, url = start_oxigraph_server(tmp_path_factory.mktemp("ox") / "db", "--timeout-s", "1")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def remote(oxigraph_url):
    store = open_store(oxigraph_url, read_only=False)
    store.update("DROP SILENT ALL", prefixes=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A live Virtuoso 7 (Debian's), shared by this module's tests."""
    if NO_VIRTUOSO:
        pytest.skip(NO_VIRTUOSO)
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso")).start()
    yield server
    server.stop()


def empty(store):
    """Drop every graph but the server's own (``DROP ALL`` would take Virtuoso's system graphs too)."""
    for graph in store.named_graphs() + [JOURNAL_GRAPH]:
        store.update(f"DROP SILENT GRAPH <{graph}>", prefixes=False)
    return store


@pytest.fixture
def vstore(virtuoso):
    """An empty, writable store on the shared Virtuoso, through ``/sparql-auth`` (Digest)."""
    virtuoso.holds_article = False
    with empty(open_store(virtuoso.login_url, read_only=False)) as store:
        yield store


@pytest.fixture(params=["oxigraph", pytest.param("virtuoso", marks=needs_virtuoso)])
def any_remote(request):
    """An empty, writable remote store on each server."""
    return request.getfixturevalue("remote" if request.param == "oxigraph" else "vstore")


def T(s, p, o):
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o)


NASTY = 'x" } ; DROP ALL ; SELECT * { "'


def sample():
    return {
        "urn:g1": [T("urn:a", "urn:p", ox.Literal(NASTY)), T("urn:a", "urn:q", ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))],
        "urn:g2": [T("urn:b", "urn:p", ox.Literal("y", language="en")), T("urn:b", "urn:r", ox.NamedNode("urn:a"))],
    }


# -- endpoints and parameters (no server needed, but cheap) -------------------


def test_endpoints_follow_the_convention_and_the_environment(monkeypatch):
    store = RemoteStore("http://h:1/query")
    assert (store.update_url, store.gsp_url) == ("http://h:1/update", "http://h:1/store")
    virtuoso = RemoteStore("http://h:8890/sparql")
    assert (virtuoso.update_url, virtuoso.gsp_url) == ("http://h:8890/sparql", None)
    monkeypatch.setenv("KG_STORE_UPDATE_URL", "http://h:1/u")
    monkeypatch.setenv("KG_STORE_GSP_URL", "none")
    assert (RemoteStore("http://h:1/query").update_url, RemoteStore("http://h:1/query").gsp_url) == ("http://h:1/u", None)
    with pytest.raises(StoreError):
        RemoteStore("ftp://h/query")


@pytest.mark.parametrize("query, where", [
    ("SELECT ?o WHERE { ?s ?p ?o }", "WHERE { VALUES"),
    ("ASK { ?s ?p ?o }", "ASK { VALUES"),
    ("CONSTRUCT { ?s ?p '{' } WHERE { ?s ?p ?o }", "WHERE { VALUES"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "WHERE { VALUES"),
    ("SELECT * # {\n WHERE { ?s <urn:{> ?o }", "WHERE { VALUES"),
])
def test_values_block_goes_into_the_where_group(query, where):
    assert where in bind_values(query, {"s": ox.NamedNode("urn:a")})


def test_describe_without_where_gets_a_trailing_values():
    assert bind_values("DESCRIBE ?s", {"s": ox.NamedNode("urn:a")}).endswith("VALUES (?s) { (<urn:a>) }")


@pytest.mark.parametrize("params", [{"bad name": ox.Literal("x")}, {"x": "plain str"}, {"x": ox.BlankNode()}])
def test_bad_parameters_are_refused(params):
    with pytest.raises(ParameterError):
        bind_values("SELECT * { ?x ?p ?o }", params)


def test_keywords_skip_strings_iris_comments_and_names():
    assert sparql_words('SELECT * { ?s ex:service <http://x/SERVICE> ; :load "LOAD" } # SERVICE') == {"SELECT"}
    assert "SERVICE" in sparql_words("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")


# -- the store API against a live server -------------------------------------


def test_replace_graphs_then_query_with_bound_parameters(any_remote):
    any_remote.replace_graphs(sample(), then="INSERT { GRAPH <urn:d> { ?s <urn:seen> ?o } } WHERE { GRAPH ?g { ?s <urn:p> ?o } }")
    assert any_remote.named_graphs() == ["urn:d", "urn:g1", "urn:g2"]
    assert len(any_remote) == 6
    rows = list(any_remote.query("SELECT ?s WHERE { ?s <urn:p> ?o }", {"o": ox.Literal(NASTY)}))
    assert [r["s"] for r in rows] == [ox.NamedNode("urn:a")]
    # The parameter is a value: the nasty literal changed nothing.
    assert len(any_remote) == 6
    counted = list(any_remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"s": ox.NamedNode("urn:b")}))
    assert counted[0]["n"].value == "3"


def test_results_have_pyoxigraph_types(any_remote):
    any_remote.replace_graphs(sample())
    sols = any_remote.query("SELECT ?o WHERE { <urn:b> <urn:p> ?o }")
    assert isinstance(sols, ox.QuerySolutions)
    assert [v.value for v in sols.variables] == ["o"]
    assert next(sols)["o"] == ox.Literal("y", language="en")
    ask = any_remote.query("ASK { <urn:a> <urn:q> 1 }")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    triples = list(any_remote.query("CONSTRUCT { ?s <urn:x> ?o } WHERE { ?s <urn:r> ?o }"))
    assert triples == [T("urn:b", "urn:x", ox.NamedNode("urn:a"))]
    ttl = any_remote.query("DESCRIBE <urn:b>").serialize(format=ox.RdfFormat.N_TRIPLES)
    # Virtuoso 7.2 describes nothing here (see the README's remote stores section).
    assert b'<urn:b> <urn:p> "y"@en .' in ttl or any_remote._server() == "virtuoso"


def test_same_answers_as_the_embedded_store(any_remote):
    embedded = open_store("memory:")
    for store in (any_remote, embedded):
        store.replace_graphs(sample())
    queries = [
        # Virtuoso's default graph also holds its system graphs: keep to ours.
        ("SELECT ?s ?o WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'urn:')) } ORDER BY ?s ?o", {}),
        ("SELECT ?g ?s WHERE { GRAPH ?g { ?s <urn:p> ?o } } ORDER BY ?g", {"o": ox.Literal("y", language="en")}),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"p": ox.NamedNode("urn:p")}),
    ]
    for text, params in queries:
        # SPARQL leaves the order of a string and a number open: compare as sets.
        a = sorted(tuple(map(str, r)) for r in any_remote.query(text, params))
        b = sorted(tuple(map(str, r)) for r in embedded.query(text, params))
        assert a == b, text
    assert any_remote.named_graphs() == embedded.named_graphs()
    assert len(any_remote) == len(embedded)
    assert set(any_remote.dump("nquads").splitlines()) == set(embedded.dump("nquads").splitlines())
    assert sorted(any_remote.dump("ntriples", graph="urn:g2").splitlines()) == sorted(
        embedded.dump("ntriples", graph="urn:g2").splitlines())


BIG_THEN = "DROP SILENT GRAPH <urn:done> ; INSERT DATA { GRAPH <urn:done> { <urn:x> <urn:y> <urn:z> } }"


@pytest.mark.parametrize("server, gsp", [("oxigraph", "on"), ("oxigraph", "none"),
                                          pytest.param("virtuoso", "on", marks=needs_virtuoso),
                                          pytest.param("virtuoso", "none", marks=needs_virtuoso)])
def test_large_writes_are_staged_then_swapped_in(request, monkeypatch, server, gsp):
    store = request.getfixturevalue("remote" if server == "oxigraph" else "vstore")
    monkeypatch.setenv("KG_STORE_BATCH_BYTES", "2000")
    if gsp == "none":
        monkeypatch.setenv("KG_STORE_GSP_URL", "none")
    store = open_store(store._query_url if server == "oxigraph" else request.getfixturevalue("virtuoso").login_url,
                       read_only=False)
    store.replace_graphs({"urn:old": [T("urn:z", "urn:p", ox.Literal("old"))]})
    big = {"urn:big": [T(f"urn:s{i}", "urn:p", ox.Literal(f"value {i}")) for i in range(300)]
                      + [T("urn:s0", "urn:flag", ox.Literal(True))], "urn:old": []}
    store.replace_graphs(big, then=BIG_THEN)
    assert store.named_graphs() == ["urn:big", "urn:done"]
    assert len(store) == 302
    # Booleans come back as the embedded store gives them (Virtuoso's JSON says 1).
    assert [r["o"] for r in store.query("SELECT ?o WHERE { ?s <urn:flag> ?o }")] == [ox.Literal(True)]
    assert not list(store.query(f"SELECT * WHERE {{ GRAPH <{JOURNAL_GRAPH}> {{ ?s ?p ?o }} }}"))
    store.replace_graphs({"urn:big": [T("urn:s0", "urn:p", ox.Literal("again"))]})
    assert len(store) == 2


def test_errors_are_kg_errors(remote, oxigraph_url):
    with pytest.raises(QueryError, match="invalid SPARQL: error at 1:"):
        remote.query("SELEC ?x")
    with pytest.raises(ReadOnlyStoreError):
        open_store(oxigraph_url, read_only=True).update("CLEAR ALL")
    with pytest.raises(StoreError, match="no raw"):
        remote.raw  # noqa: B018
    port = oxigraph_url.split(":")[2].split("/")[0]
    with pytest.raises(StoreError, match="cannot reach"):
        open_store(f"http://127.0.0.1:{int(port) + 1 if int(port) < 65535 else 1}/none").query("ASK {}")


def test_a_query_cut_short_by_the_server_timeout_is_an_error(remote):
    remote.replace_graphs({"urn:g": [T(f"urn:s{i}", "urn:p", ox.Literal(str(i))) for i in range(3000)]})
    with pytest.raises(QueryError, match="cut short|timed out|cancel"):
        list(remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"))


# -- the CLI against a live Oxigraph server ------------------------------------


def test_cli_build_show_sparql_path_against_oxigraph_server(runner, tmp_path):
    proc, url = start_oxigraph_server(tmp_path / "db")
    root = copy_project(ROOT, tmp_path / "project")
    try:
        built = json.loads(run_cli(runner, "build", "--root", str(root), "--no-views", "--format", "json", store=url).stdout)
        assert built["derived"] > 0 and built["store"] == url
        info = json.loads(run_cli(runner, "show", "Lee Jun", "--format", "json", store=url).stdout)
        assert info["iri"] == "https://kg.example.org/id/person/lei-jun"
        rows = json.loads(run_cli(runner, "sparql", "SELECT ?b WHERE { ?a kg:investedIn ?b }", "-p", f"a=<{XIAOMI}>",
                                  "--format", "json", store=url).stdout)
        assert rows == [{"b": XPENG}]
        path = run_cli(runner, "path", "Lei Jun", "Xpeng", store=url).stdout
        assert "Xiaomi investedIn Xpeng Motors" in path
    finally:
        proc.terminate()
        proc.wait(10)


# -- Virtuoso: credentials, its quirks, and the CLI ------------------------------


@needs_virtuoso
def test_virtuoso_writes_need_digest_credentials(virtuoso):
    anonymous = open_store(virtuoso.url, read_only=False)
    with pytest.raises(StoreError, match="refused the request \\(401\\)"):
        anonymous.update("INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }")
    wrong = open_store(virtuoso.login_url.replace("dba:dba", "dba:nope"), read_only=False)
    with pytest.raises(StoreError, match="refused"):
        wrong.update("INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }")
    virtuoso.holds_article = False
    store = empty(open_store(virtuoso.login_url, read_only=False))
    assert "dba:dba" not in store.location and "dba@" in store.location
    store.update("INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }")
    # Its system graphs are not kg's data.
    assert store.named_graphs() == ["urn:x"] and len(store) == 1
    assert b"openlinksw" not in store.dump("nquads")


@pytest.fixture
def virtuoso_article(virtuoso, runner, tmp_path_factory) -> str:
    """The article built into the shared Virtuoso through the CLI; its URL, with credentials."""
    if not virtuoso.holds_article:
        empty(open_store(virtuoso.login_url, read_only=False))
        root = copy_project(ROOT, tmp_path_factory.mktemp("project"))
        run_cli(runner, "build", "--root", str(root), "--no-views", store=virtuoso.login_url)
        virtuoso.holds_article = True
    return virtuoso.login_url


def _takes_cli_store(test) -> bool:
    marks = [m.name for m in getattr(test, "pytestmark", [])]
    return "cli_store" in inspect.signature(test).parameters and "parametrize" not in marks


#: The core CLI tests (those that run on every backend), run again against Virtuoso.
CORE_CLI_TESTS = [f for m in (test_cli, test_paths) for n, f in sorted(vars(m).items())
                  if n.startswith("test_") and callable(f) and _takes_cli_store(f)]


@needs_virtuoso
@pytest.mark.parametrize("test", CORE_CLI_TESTS, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_core_cli_tests_pass_on_virtuoso(test, request, virtuoso_article):
    args = {name: virtuoso_article if name == "cli_store" else request.getfixturevalue(name)
            for name in inspect.signature(test).parameters}
    test(**args)


NETWORK_COMMANDS = [
    ("path", "Lei Jun", "Tesla"),
    ("path", "Apple", "Xpeng", "--all"),
    ("neighbors", "Xiaomi", "--depth", "2"),
    ("centrality",),
    ("centrality", "--measure", "betweenness", "--weight", "amount"),
    ("communities",),
    ("stats",),
    ("entities",),
    ("search", "xpen"),
    ("show", "Xiaomi"),
]


@needs_virtuoso
@pytest.mark.parametrize("args", NETWORK_COMMANDS, ids=" ".join)
def test_network_commands_answer_on_virtuoso_as_on_the_embedded_store(args, runner, virtuoso_article, article_store):
    on_virtuoso, embedded = (cli_json(runner, *args, store=s) for s in (virtuoso_article, article_store))
    if args[0] == "search":
        # Which of two equally good names "matched" follows the store's row order.
        for hit in on_virtuoso + embedded:
            hit.pop("matched")
    assert on_virtuoso == embedded


def unordered(rows: list[dict]) -> list[str]:
    """Rows as sorted JSON, each GROUP_CONCAT (" | ") sorted: SPARQL leaves both orders to the engine."""
    return sorted(json.dumps({k: " | ".join(sorted(v.split(" | "))) if isinstance(v, str) else v
                              for k, v in row.items()}, sort_keys=True) for row in rows)


@needs_virtuoso
def test_named_queries_answer_on_virtuoso_as_on_the_embedded_store(runner, virtuoso_article, article_store):
    from kg.query import named_queries

    for q in named_queries():
        on_virtuoso = cli_json(runner, "sparql", "--name", q.name, store=virtuoso_article)
        embedded = cli_json(runner, "sparql", "--name", q.name, store=article_store)
        if q.name == "graphs":
            # The meta graph's store version (see test_the_store_version_counts_on_virtuoso), and the totals an
            # embedded store keeps (kg.totals).
            on_virtuoso, embedded = ([r for r in rows if not r["graph"].endswith(("/meta", "/totals"))]
                                     for rows in (on_virtuoso, embedded))
        assert unordered(on_virtuoso) == unordered(embedded), q.name


@needs_virtuoso
def test_the_store_version_counts_on_virtuoso(virtuoso_article):
    from kg.snapshot import bump_version_update, version

    store = open_store(virtuoso_article, read_only=False)
    store_id, _, number = version(store).rpartition("/")  # kg build's writes counted it
    assert store_id and int(number) >= 1
    store.update(bump_version_update(), prefixes=False)
    assert version(store) == f"{store_id}/{int(number) + 1}"


@needs_virtuoso
def test_build_with_views_and_viz_on_virtuoso(runner, virtuoso, tmp_path):
    root = copy_project(ROOT, tmp_path / "project")
    report = cli_json(runner, "build", "--root", str(root), store=virtuoso.login_url)
    virtuoso.holds_article = True
    assert report["derived"] > 0 and any(p.endswith(".html") for p in report["written"])
    page = tmp_path / "xiaomi.html"
    run_cli(runner, "viz", "--focus", "Xiaomi", "-o", str(page), store=virtuoso.login_url)
    assert "Xpeng Motors" in page.read_text(encoding="utf-8")


# -- atomic writes: swaps by steps, and kills at random moments --------------------


@pytest.fixture(scope="module")
def small_log_virtuoso(tmp_path_factory):
    """A Virtuoso whose transaction log limit (300 kB) refuses a large swap in one step."""
    if NO_VIRTUOSO:
        pytest.skip(NO_VIRTUOSO)
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso-small-log"), TransactionAfterImageLimit="300000")
    yield server.start()
    server.stop()


def big_change(n: int = 4000) -> dict:
    """A change too large for one request at KG_STORE_BATCH_BYTES=20000: a new graph, an old one dropped."""
    return {"urn:big": [T(f"urn:s{i}", "urn:p", ox.Literal(f"v{i}")) for i in range(n)], "urn:old": []}


BEFORE = {"urn:old": [T("urn:z", "urn:p", ox.Literal("old"))], "urn:big": [T("urn:s0", "urn:p", ox.Literal("before"))],
          "urn:done": []}
THEN = ("DROP SILENT GRAPH <urn:done> ; INSERT { GRAPH <urn:done> { ?s <urn:seen> ?o } } "
        "WHERE { GRAPH <urn:big> { ?s <urn:p> ?o } FILTER(?o IN ('v1', 'v2', 'v3')) }")


def state(store) -> frozenset:
    """The store's data as a set of N-Quads lines; and nothing staged or journaled left over."""
    return frozenset(store.dump("nquads").splitlines())


def leftovers(store) -> list[str]:
    rows = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'urn:kg:')) }",
                       prefixes=False)
    return [r["g"].value for r in rows]


@needs_virtuoso
def test_a_swap_too_large_for_the_server_goes_in_steps(small_log_virtuoso, monkeypatch, caplog):
    monkeypatch.setenv("KG_STORE_BATCH_BYTES", "20000")
    store = empty(open_store(small_log_virtuoso.login_url, read_only=False))
    store.replace_graphs(BEFORE)
    store.replace_graphs(big_change(8000), then=THEN)
    assert "swapping it in by steps" in caplog.text
    assert store.named_graphs() == ["urn:big", "urn:done"]
    assert len(store) == 8003 and leftovers(store) == []


def test_staged_triples_are_invisible_to_readers_and_rolled_back_by_the_next_write(remote, monkeypatch):
    monkeypatch.setenv("KG_STORE_BATCH_BYTES", "20000")
    remote.replace_graphs(BEFORE)
    before = state(remote)
    # A writer that dies after staging: its commit is never sent.
    writer = open_store(remote._query_url, read_only=False)
    monkeypatch.setattr(writer, "_send_update", _failing_on("BIND(IRI(SUBSTR", writer._send_update))
    with pytest.raises(StoreError, match="either all of it or none of it"):
        writer.replace_graphs(big_change(), then=THEN)
    assert state(remote) == before and remote.named_graphs() == ["urn:big", "urn:old"]
    assert list(remote.query("SELECT ?p ?o WHERE { <urn:s1> ?p ?o }")) == []
    assert list(remote.query("SELECT ?s WHERE { ?s <urn:p> 'v1' }")) == []
    assert len(leftovers(remote)) == 2  # the journal and one staging graph
    later = open_store(remote._query_url, read_only=False)
    [note] = later.recover()
    assert "never reached the store's data" in note
    assert state(later) == before and leftovers(later) == []


def _failing_on(marker: str, send):
    from kg.stores.remote import _NoAnswer

    def fake(text: str) -> None:
        if marker in text:
            raise _NoAnswer("cannot reach SPARQL endpoint: connection reset (injected)")
        send(text)
    return fake


def promised(message: str | None) -> set[str]:
    """The states an error message promises: before, after, or either."""
    if message is None or "completes it" in message and "either" not in message:
        return {"after"}
    if "unchanged" in message:
        return {"before"}
    assert "either" in message, message
    return {"before", "after"}


def kill_during_writes(server, kills: int, seed: int, monkeypatch) -> dict:
    """Kill ``server`` at random moments of a staged write, ``kills`` times; check every outcome.

    After each kill the server is started again and a new store recovers: the
    data must be exactly the before-state or the after-state, as the writer's
    error message promised, with nothing staged left over.
    """
    monkeypatch.setenv("KG_STORE_BATCH_BYTES", "20000")
    monkeypatch.setenv("KG_STORE_TIMEOUT", "120")
    rng = random.Random(seed)
    store = empty(open_store(server.login_url, read_only=False))
    store.replace_graphs(BEFORE)
    before = state(store)
    started = time.monotonic()
    store.replace_graphs(big_change(), then=THEN)
    took = time.monotonic() - started
    after = state(store)
    seen: dict[str, int] = {}
    for _ in range(kills):
        store = open_store(server.login_url, read_only=False)
        store.replace_graphs(BEFORE)
        assert state(store) == before
        errors: list[str] = []

        def write(store=store, errors=errors):
            try:
                store.replace_graphs(big_change(), then=THEN)
            except StoreError as exc:
                errors.append(str(exc))

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(rng.uniform(0, took * 1.1))
        server.kill()
        writer.join(60)
        assert not writer.is_alive()
        server.start()
        fresh = open_store(server.login_url, read_only=False)
        fresh.recover()
        now = "before" if state(fresh) == before else "after" if state(fresh) == after else "neither"
        message = errors[0] if errors else None
        assert now in promised(message), message
        assert leftovers(fresh) == []
        seen[now] = seen.get(now, 0) + 1
    return seen


@pytest.mark.parametrize("kills", [4, pytest.param(30, marks=pytest.mark.slow)])
def test_killing_oxigraph_during_writes_leaves_before_or_after(tmp_path, monkeypatch, kills):
    server = OxigraphServer(tmp_path / "oxigraph").start()
    try:
        seen = kill_during_writes(server, kills, seed=kills, monkeypatch=monkeypatch)
    finally:
        server.stop()
    print(f"outcomes after {kills} kills: {seen}")
    assert sum(seen.values()) == kills


@needs_virtuoso
@pytest.mark.parametrize("kills", [1, pytest.param(20, marks=pytest.mark.slow)])
def test_killing_virtuoso_during_writes_leaves_before_or_after(small_log_virtuoso, monkeypatch, kills):
    seen = kill_during_writes(small_log_virtuoso, kills, seed=kills, monkeypatch=monkeypatch)
    print(f"outcomes after {kills} kills: {seen}")
    assert sum(seen.values()) == kills
