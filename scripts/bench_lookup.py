"""Benchmark the lookups a user runs: ``kg show``, ``search``, ``neighbors``, ``path``, named queries, ``validate``.

Every figure is the time of the real command line (``kg …`` in a fresh
process, as a user types it, no private option), so it includes Python's
start-up and kg's imports: its CPU time by default (user + system, which
stays steady when other work loads the machine), or its wall time
(``--clock wall``). ``python -c "import rdflib"`` is timed in the same
run as the yardstick for ``kg show``.

The store is either given (``--store``) or built from seeded synthetic data
(:mod:`scripts.synthetic`, power-law hubs; every named query has rows) with
``kg ingest``. Entities and pairs are drawn with ``--seed`` from the people and
companies that take part in a deal.

Usage::

    python scripts/bench_lookup.py --deals 100000
    python scripts/bench_lookup.py --store /tmp/kg-1m --pairs 100 --validate --out /tmp/lookup-1m.md
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KG = [sys.executable, "-m", "kg"]


#: "cpu": the command's user + system CPU seconds (steady on a shared machine); "wall": elapsed seconds.
CLOCK = {"kind": "cpu"}


#: The largest resident set of any command run so far, and the command.
PEAK = {"rss_mb": 0.0, "command": ""}


def _run(cmd: list[str], env: dict) -> dict:
    """Run ``cmd`` to its end: its wall seconds and exit status (a failure stops the benchmark)."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
    return {"wall": wall, "rc": proc.returncode}


def _time(cmd: list[str], env: dict, clock: str | None = None) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = _run(cmd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss = after.ru_maxrss / 1024  # the largest child so far: a rise is this command's peak
    if rss > PEAK["rss_mb"]:
        PEAK.update(rss_mb=rss, command=" ".join(cmd[2:4]))
    return (cpu if (clock or CLOCK["kind"]) == "cpu" else r["wall"]), r["rc"]


def _median(cmd: list[str], env: dict, repeat: int) -> float:
    t = statistics.median(_time(cmd, env)[0] for _ in range(repeat))
    print(f"{t:7.2f} s  {' '.join(cmd[2:] if cmd[0] == sys.executable and cmd[1] == '-m' else cmd)}", file=sys.stderr)
    return t


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _entities(store: str, seed: int, n: int, pattern: str = "") -> list[str]:
    """``n`` IRIs of people and companies that take part in a deal (and match ``pattern``), drawn with ``seed``."""
    from kg.stores import open_store

    with open_store(store, read_only=True) as s:
        rows = s.query("SELECT DISTINCT ?e WHERE { ?e kg:involvedIn ?d . " + pattern + " } LIMIT 200000")
        found = sorted(r["e"].value for r in rows)
    rng = random.Random(seed)
    return [rng.choice(found) for _ in range(n)]


_BULK = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:kg:bench"))
store.flush()
"""


def _build(deals: int, seed: int, work: Path, env: dict) -> tuple[str, dict]:
    """Build a store of ``deals`` synthetic deals with ``kg ingest`` (timed), and time ``bulk_load`` of the same file."""
    sys.path.insert(0, str(HERE))
    from synthetic import write_synthetic

    data = work / f"synthetic-{deals}.nt"
    info = write_synthetic(data, deals=deals, seed=seed)
    store = str(work / f"store-{deals}")
    t, rc = _time([*KG, "ingest", str(data), "--store", store], env, clock="wall")
    print(f"kg ingest of {deals:,} deals: {t:.1f} s (exit {rc})", file=sys.stderr)
    bulk = str(work / "bulk-reference")
    ref, _ = _time([sys.executable, "-c", _BULK, bulk, str(data)], env, clock="wall")
    shutil.rmtree(bulk, ignore_errors=True)
    print(f"bulk_load of the same file: {ref:.1f} s", file=sys.stderr)
    data.unlink()
    return store, {"deals": deals, "triples": info["triples"], "ingest_s": t, "bulk_load_s": ref,
                   "ingest_rss_mb": PEAK["rss_mb"]}


def _ten_facts(path: Path, entities: list[str]) -> Path:
    """A Turtle source of 10 investments between the companies ``entities`` (drawn from the store), each with its
    evidence and an amount: data that passes the shapes, so the ingest is validated, derived and committed."""
    kg = "https://kg.example.org/ontology#"
    src = "https://kg.example.org/id/source/bench-add"
    lines = [f"@prefix kg: <{kg}> .", "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
             f'<{src}> a kg:Source ; <http://www.w3.org/2000/01/rdf-schema#label> "bench add" .']
    for i in range(10):
        a, b = entities[2 * i], entities[2 * i + 1]
        lines.append(f"<https://kg.example.org/id/deal/bench-add-{i}> a kg:Investment ; kg:investor <{a}> ; "
                     f'kg:investee <{b}> ; kg:status kg:Reported ; kg:date "2024"^^xsd:gYear ; '
                     f'kg:amount [ a kg:MonetaryAmount ; kg:value {i + 1}000000 ; kg:currency "USD" ] ; '
                     f'kg:evidence [ a kg:Evidence ; kg:source <{src}> ; kg:quote "bench fact {i}" ] .')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _analytics(st: list[str], env: dict) -> dict:
    """The first analytics command (it projects the store into a snapshot) and the next ones, which reuse it."""
    out = {}
    for key, cmd in (("pagerank_first_s", ["centrality", "--measure", "pagerank"]),
                     ("pagerank_again_s", ["centrality", "--measure", "pagerank"]),
                     ("betweenness_s", ["centrality", "--measure", "betweenness", "-k", "256"]),
                     ("communities_s", ["communities"]),
                     ("stats_s", ["stats"])):
        out[key], _ = _time([*KG, *cmd, *st], env, clock="wall")
        print(f"{out[key]:7.2f} s  kg {' '.join(cmd)}", file=sys.stderr)
    return out


def _paths(picks: list[str], st: list[str], env: dict, pairs: int) -> dict:
    times, found = [], 0
    for i in range(pairs):
        t, rc = _time([*KG, "path", picks[2 * i], picks[2 * i + 1], *st], env)
        times.append(t)
        found += rc == 0
        print(f"{t:7.2f} s  kg path (pair {i + 1}, exit {rc})", file=sys.stderr)
    return {"path_p50_s": _quantile(times, 0.5), "path_p99_s": _quantile(times, 0.99), "path_max_s": max(times),
            "path_found": found, "pairs": pairs}


def measure(store: str, args, env: dict) -> dict:
    """Every measure of the table, on one store."""
    out: dict = {"store": store}
    st = ["--store", store]
    out["import_rdflib_s"] = _median([sys.executable, "-c", "import rdflib"], env, args.repeat)
    picks = _entities(store, args.seed, 2 * args.pairs + args.repeat)
    hub = _entities(store, args.seed + 1, 1)[0]
    parts = set(args.parts.split(","))
    if "show" in parts:
        out["show_s"] = statistics.median(_time([*KG, "show", e, *st], env)[0] for e in picks[:args.repeat])
        out["show_ratio"] = out["show_s"] / out["import_rdflib_s"]
    if "search" in parts:
        out["search_s"] = _median([*KG, "search", "auto", *st], env, args.repeat)
    if "neighbors" in parts:
        times = [_time([*KG, "neighbors", e, "--depth", "2", *st], env)[0] for e in picks[:args.repeat]]
        out["neighbors2_s"] = statistics.median(times)
        out["neighbors2_hub_s"] = _time([*KG, "neighbors", hub, "--depth", "2", *st], env)[0]
    if "path" in parts:
        out.update(_paths(picks, st, env, args.pairs))
    if "named" in parts:
        from kg.query import named_queries

        out["named"] = {q.name: _median([*KG, "sparql", "--name", q.name, "--format", "csv", *st], env, args.repeat)
                        for q in named_queries()}
    if args.validate:
        out["validate_s"] = _time([*KG, "validate", *st], env, clock="wall")[0]
    if args.analytics:
        out.update(_analytics(st, env))
    if args.add:
        extra = _ten_facts(Path(args.workdir or tempfile.gettempdir()) / "ten-facts.ttl",
                           _entities(store, args.seed + 2, 20, "?e a kg:Company"))
        # The first run adds the source; the next ones replace it (its old deals are re-derived away).
        runs = []
        for _ in range(args.repeat):
            took, rc = _time([*KG, "ingest", str(extra), *st], env, clock="wall")
            if rc != 0:
                sys.exit(f"kg ingest {extra} failed (exit {rc}): the figure would time a refusal")
            runs.append(took)
        out["add10_s"] = statistics.median(runs)
        out["add10_runs"] = runs
        print(f"{out['add10_s']:7.2f} s  kg ingest ten-facts.ttl (median of {runs})", file=sys.stderr)
    out["peak_rss_mb"], out["peak_command"] = PEAK["rss_mb"], PEAK["command"]
    return out


def markdown(r: dict, meta: dict) -> str:
    lines = [f"Lookups as a user runs them ({meta['command']}; {meta['date']}, {meta['machine']}, "
             f"load average {meta['loadavg']:.1f}). {'CPU' if meta['clock'] == 'cpu' else 'Wall'} time of the whole "
             f"command (user + system, start-up and imports included), medians of {meta['repeat']}.",
             "", "| command | time | target |", "|---|---|---|",
             f"| `python -c \"import rdflib\"` | {r['import_rdflib_s']:.2f} s | yardstick |"]
    if "show_s" in r:
        lines.append(f"| `kg show X` | {r['show_s']:.2f} s ({r['show_ratio']:.2f}× import rdflib) | ≤ 1.5× |")
    if "search_s" in r:
        lines.append(f"| `kg search auto` | {r['search_s']:.2f} s | |")
    if "neighbors2_s" in r:
        lines.append(f"| `kg neighbors X --depth 2` (first page) | {r['neighbors2_s']:.2f} s (another: "
                     f"{r['neighbors2_hub_s']:.2f} s) | < 0.5 s |")
    if "path_p50_s" in r:
        lines.append(f"| `kg path A B`, {r['pairs']} random pairs ({r['path_found']} connected) | p50 "
                     f"{r['path_p50_s']:.2f} s, p99 {r['path_p99_s']:.2f} s, max {r['path_max_s']:.2f} s "
                     f"| p50 < 1 s, p99 < 2 s |")
    for name, t in r.get("named", {}).items():
        lines.append(f"| `kg sparql --name {name}` (first page) | {t:.2f} s | < 1 s |")
    if "validate_s" in r:
        lines.append(f"| `kg validate`, wall | {r['validate_s']:.1f} s | < 60 s at 1M deals |")
    if "pagerank_first_s" in r:
        lines += [f"| `kg centrality --measure pagerank`, first (projects the store into the snapshot), wall | "
                  f"{r['pagerank_first_s']:.1f} s | |",
                  f"| the same again (snapshot reused), wall | {r['pagerank_again_s']:.1f} s | < 5 s + the algorithm |",
                  f"| `kg centrality --measure betweenness -k 256`, wall | {r['betweenness_s']:.1f} s | |",
                  f"| `kg communities`, wall | {r['communities_s']:.1f} s | |",
                  f"| `kg stats`, wall | {r['stats_s']:.1f} s | |"]
    if "add10_s" in r:
        lines.append(f"| `kg ingest` of a 10-fact Turtle source (validated, derived), wall | {r['add10_s']:.2f} s "
                     f"(runs: {', '.join(f'{x:.2f}' for x in r['add10_runs'])}) | < 2 s |")
    b = r.get("build")
    if b:
        lines.append(f"| `kg ingest` of the {b['deals']:,}-deal file ({b['triples']:,} triples, N-Triples), wall | "
                     f"{b['ingest_s']:.0f} s, peak {b['ingest_rss_mb']:,.0f} MB; `bulk_load` of the same file into a "
                     f"named graph: {b['bulk_load_s']:.0f} s (kg is {b['bulk_load_s'] / b['ingest_s']:.2f}×) | ≥ 0.7× |")
    lines.append(f"| peak memory of any command above | {r['peak_rss_mb']:,.0f} MB ({r['peak_command']}) | < 2 GB |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark kg's lookups through the command line.")
    parser.add_argument("--store", help="an existing store (default: build one from --deals)")
    parser.add_argument("--deals", type=int, default=100_000, help="synthetic deals when no --store (default 100000)")
    parser.add_argument("--pairs", type=int, default=20, help="random pairs for kg path (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median; default 3)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--validate", action="store_true", help="also time kg validate of the whole store")
    parser.add_argument("--analytics", action="store_true", help="also time centrality, communities and stats")
    parser.add_argument("--parts", default="show,search,neighbors,path,named",
                        help="which lookups to time (comma-separated; default all)")
    parser.add_argument("--build-only", action="store_true", help="only build (and time) the store; keep --workdir")
    parser.add_argument("--add", action="store_true", help="also time adding a 10-fact source (writes to the store)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="cpu: each command's CPU seconds (default; steady when others load the machine); "
                             "wall: elapsed seconds")
    parser.add_argument("--workdir", help="where a built store goes (default: a temp dir, removed)")
    parser.add_argument("--out", default=str(ROOT / "graphs" / "bench" / "lookup.md"))
    args = parser.parse_args(argv)
    # As an installed kg runs: its bytecode cached (a shell that sets PYTHONDONTWRITEBYTECODE would otherwise
    # make every command compile kg's modules again, about 0.05 s).
    env = {k: v for k, v in os.environ.items() if k not in ("KG_STORE", "PYTHONDONTWRITEBYTECODE")}
    _run([*KG, "--help"], env)
    CLOCK["kind"] = args.clock
    work = Path(args.workdir or tempfile.mkdtemp(prefix="kg-lookup-"))
    try:
        store, build = (args.store, None) if args.store else _build(args.deals, args.seed, work, env)
        if args.build_only:
            print(json.dumps(build))
            return 0
        result = measure(store, args, env)
        result["build"] = build
    finally:
        if not args.workdir and not args.store:
            shutil.rmtree(work, ignore_errors=True)
    meta = {"command": "python scripts/bench_lookup.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "date": time.strftime("%Y-%m-%d"), "machine": f"{os.cpu_count()} cores", "repeat": args.repeat,
            "loadavg": os.getloadavg()[0], "clock": args.clock}
    text = markdown(result, meta)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "result": result}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
