"""A bounded load test of ``kg serve``: N clients for S seconds, every answer checked.

Builds the article's store in a temporary folder (or uses --store), starts
``kg serve`` on a free loopback port, and runs the clients several times.
For comparison it runs the same load against Oxigraph's server directly (no
kg guard, no limits), in the same session, alternating run by run, and
reports the ratios. ``kg serve`` no longer runs ``oxigraph serve`` (whose
0.5 ``--timeout-s`` kept one sleeping thread per query, so kg had to throttle
to about 270 queries/s): its engines are pyoxigraph processes, and a query
past its timeout is ended by ending its engine.

    python scripts/bench_server.py                       # 8 clients, 10 s, 3 runs
    python scripts/bench_server.py --clients 8 --seconds 2 --runs 1
    python scripts/bench_server.py --serve-args "--max-concurrent 4"
    python scripts/bench_server.py --before /tmp/kg-before   # also another copy of kg, in the same run

``--before DIR`` starts a second ``kg serve`` whose ``kg`` package (and its
engines') comes from DIR (e.g. ``git archive HEAD kg ontology | tar -x -C DIR``),
so a change to the guard is measured before and after in one run, alternating.

Prints one JSON object: per target, the median over runs of requests/s, p50
and p99 latency in ms, and the number of wrong answers (must be 0).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KG = "https://kg.example.org/ontology#"
XPENG = "https://kg.example.org/id/company/xpeng-motors"
LEI_JUN = "https://kg.example.org/id/person/lei-jun"
CASES = [
    (f"SELECT ?a ?b WHERE {{ ?a <{KG}investedIn> ?b }}", "application/sparql-results+json",
     lambda b: json.loads(b)["results"]["bindings"][0]["b"]["value"] == XPENG),
    (f"ASK {{ <{LEI_JUN}> <{KG}metWith> <https://kg.example.org/id/person/elon-musk> }}",
     "application/sparql-results+json", lambda b: json.loads(b)["boolean"] is True),
    (f"CONSTRUCT {{ ?a <{KG}investedIn> ?b }} WHERE {{ ?a <{KG}investedIn> ?b }}", "application/n-triples",
     lambda b: f"<{XPENG}>".encode() in b),
    (f"SELECT ?p ?o WHERE {{ <{LEI_JUN}> ?p ?o }}", "application/sparql-results+json",
     lambda b: len(json.loads(b)["results"]["bindings"]) >= 3),
]


def run_load(host: str, port: int, clients: int, seconds: float, *, union_param: bool = False) -> dict:
    """Run the clients; return requests/s, p50/p99 in ms and the wrong answers."""
    path = "/query?union-default-graph" if union_param else "/query"
    latencies, wrong = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        n = i
        while time.monotonic() < deadline:
            query, accept, check = CASES[n % len(CASES)]
            n += 1
            t0 = time.perf_counter()
            conn.request("POST", path, body=query.encode(),
                         headers={"Content-Type": "application/sparql-query", "Accept": accept})
            resp = conn.getresponse()
            body = resp.read()
            dt = time.perf_counter() - t0
            ok = resp.status == 200 and check(body)
            with lock:
                latencies.append(dt)
                if not ok:
                    wrong.append((resp.status, body[:150]))
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "wrong": len(wrong), "examples": sorted({str(w) for w in wrong})[:3]}


def start_kg_serve(store: str, serve_args: str, code: Path) -> tuple[subprocess.Popen, int]:
    """Start ``kg serve`` on a free port with the ``kg`` package of ``code``; the process and its port."""
    env = dict(os.environ, PYTHONPATH=str(code))
    serve = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", "--store", store, "serve",
                              "--port", "0", *serve_args.split()], stderr=subprocess.PIPE, text=True, env=env,
                             cwd=str(code))
    line = ""
    while "SPARQL endpoint" not in line:
        line = serve.stderr.readline()
        if not line:
            sys.exit("kg serve did not start")
    return serve, int(line.split("endpoint ")[1].split()[0].rsplit(":", 1)[1].split("/")[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", help="an existing store (default: build the article into a temporary one)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--serve-args", default="", help="more options for kg serve, e.g. '--max-concurrent 4'")
    ap.add_argument("--before", type=Path, metavar="DIR", help="another copy of kg to serve side by side")
    args = ap.parse_args()

    from kg.server import free_port, oxigraph_binary

    tmp = tempfile.TemporaryDirectory()
    store = args.store
    if not store:
        from kg.build import build
        from kg.stores import open_store

        store = str(Path(tmp.name) / "store")
        with open_store(store, read_only=False) as s:
            build(s, ROOT, views=False, dump=False)
    targets = {"kg serve": start_kg_serve(store, args.serve_args, ROOT)}
    if args.before:
        targets["kg serve (before)"] = start_kg_serve(store, args.serve_args, args.before.resolve())
    # Oxigraph alone, on the same store (read-only, so it can share it with kg serve).
    direct_port = free_port()
    direct = subprocess.Popen([oxigraph_binary(), "serve-read-only", "--location", store, "--bind",
                               f"127.0.0.1:{direct_port}"], stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    try:
        # A short warm-up of each, not counted: the first queries of each engine open caches and import.
        for _, port in targets.values():
            run_load("127.0.0.1", port, args.clients, 2.0)
        run_load("127.0.0.1", direct_port, args.clients, 2.0, union_param=True)
        results = {name: [] for name in [*targets, "oxigraph direct"]}
        for _ in range(args.runs):
            for name, (_, port) in targets.items():
                results[name].append(run_load("127.0.0.1", port, args.clients, args.seconds))
            results["oxigraph direct"].append(run_load("127.0.0.1", direct_port, args.clients, args.seconds,
                                                       union_param=True))
        summary = {name: {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0] if k != "examples"}
                   for name, runs in results.items()}
        summary["clients"], summary["seconds"], summary["runs"] = args.clients, args.seconds, args.runs
        summary["p50 ratio kg/direct"] = round(summary["kg serve"]["p50_ms"] / summary["oxigraph direct"]["p50_ms"], 2)
        summary["rps ratio kg/direct"] = round(summary["kg serve"]["rps"] / summary["oxigraph direct"]["rps"], 2)
        if args.before:
            summary["rps ratio before/direct"] = round(
                summary["kg serve (before)"]["rps"] / summary["oxigraph direct"]["rps"], 2)
        summary["cpus"] = os.cpu_count()
        print(json.dumps(summary, indent=2))
        if any(r["wrong"] for runs in results.values() for r in runs):
            examples = [e for runs in results.values() for r in runs for e in r["examples"]]
            sys.exit(f"wrong answers under load: {examples[:5]}")
    finally:
        for proc, _ in targets.values():
            proc.terminate()
        direct.terminate()
        for proc, _ in targets.values():
            proc.wait(10)
        direct.wait(10)
        tmp.cleanup()


if __name__ == "__main__":
    main()
