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


def _time(cmd: list[str], env: dict) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (cpu if CLOCK["kind"] == "cpu" else elapsed), proc.returncode


def _median(cmd: list[str], env: dict, repeat: int) -> float:
    t = statistics.median(_time(cmd, env)[0] for _ in range(repeat))
    print(f"{t:7.2f} s  {' '.join(cmd[2:] if cmd[0] == sys.executable and cmd[1] == '-m' else cmd)}", file=sys.stderr)
    return t


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _entities(store: str, seed: int, n: int) -> list[str]:
    """``n`` IRIs of people and companies that take part in a deal, drawn with ``seed``."""
    from kg.stores import open_store

    with open_store(store, read_only=True) as s:
        rows = s.query("SELECT DISTINCT ?e WHERE { ?e kg:involvedIn ?d } LIMIT 200000")
        found = sorted(r["e"].value for r in rows)
    rng = random.Random(seed)
    return [rng.choice(found) for _ in range(n)]


def _build(deals: int, seed: int, work: Path, env: dict) -> str:
    sys.path.insert(0, str(HERE))
    from synthetic import write_synthetic

    data = work / f"synthetic-{deals}.nq"
    write_synthetic(data, deals=deals, seed=seed)
    store = str(work / f"store-{deals}")
    t, rc = _time([*KG, "ingest", str(data), "--store", store], env)
    print(f"kg ingest of {deals:,} deals: {t:.1f} s (exit {rc})", file=sys.stderr)
    data.unlink()
    return store


def measure(store: str, args, env: dict) -> dict:
    """Every measure of the table, on one store."""
    out: dict = {"store": store}
    st = ["--store", store]
    out["import_rdflib_s"] = _median([sys.executable, "-c", "import rdflib"], env, args.repeat)
    picks = _entities(store, args.seed, 2 * args.pairs + args.repeat)
    hub = _entities(store, args.seed + 1, 1)[0]
    out["show_s"] = statistics.median(_time([*KG, "show", e, *st], env)[0] for e in picks[:args.repeat])
    out["show_ratio"] = out["show_s"] / out["import_rdflib_s"]
    out["search_s"] = _median([*KG, "search", "auto", *st], env, args.repeat)
    times = [_time([*KG, "neighbors", e, "--depth", "2", *st], env)[0] for e in picks[:args.repeat]]
    out["neighbors2_s"] = statistics.median(times)
    out["neighbors2_hub_s"] = _time([*KG, "neighbors", hub, "--depth", "2", *st], env)[0]
    times, found = [], 0
    for i in range(args.pairs):
        t, rc = _time([*KG, "path", picks[2 * i], picks[2 * i + 1], *st], env)
        times.append(t)
        found += rc == 0
        print(f"{t:7.2f} s  kg path (pair {i + 1}, exit {rc})", file=sys.stderr)
    out.update(path_p50_s=_quantile(times, 0.5), path_p99_s=_quantile(times, 0.99), path_max_s=max(times),
               path_found=found, pairs=args.pairs)
    from kg.query import named_queries

    out["named"] = {q.name: _median([*KG, "sparql", "--name", q.name, "--format", "csv", *st], env, args.repeat)
                    for q in named_queries()}
    if args.validate:
        out["validate_s"] = _time([*KG, "validate", *st], env)[0]
    return out


def markdown(r: dict, meta: dict) -> str:
    lines = [f"Lookups as a user runs them ({meta['command']}; {meta['date']}, {meta['machine']}, "
             f"load average {meta['loadavg']:.1f}). {'CPU' if meta['clock'] == 'cpu' else 'Wall'} time of the whole "
             f"command (user + system, start-up and imports included), medians of {meta['repeat']}.",
             "", "| command | time | target |", "|---|---|---|",
             f"| `python -c \"import rdflib\"` | {r['import_rdflib_s']:.2f} s | yardstick |",
             f"| `kg show X` | {r['show_s']:.2f} s ({r['show_ratio']:.2f}× import rdflib) | ≤ 1.5× |",
             f"| `kg search auto` | {r['search_s']:.2f} s | |",
             f"| `kg neighbors X --depth 2` | {r['neighbors2_s']:.2f} s (a hub: {r['neighbors2_hub_s']:.2f} s) "
             f"| < 0.5 s |",
             f"| `kg path A B`, {r['pairs']} random pairs ({r['path_found']} connected) | p50 {r['path_p50_s']:.2f} s, "
             f"p99 {r['path_p99_s']:.2f} s, max {r['path_max_s']:.2f} s | p50 < 1 s, p99 < 2 s |"]
    for name, t in r["named"].items():
        lines.append(f"| `kg sparql --name {name}` (first page) | {t:.2f} s | < 1 s |")
    if "validate_s" in r:
        lines.append(f"| `kg validate` | {r['validate_s']:.1f} s | < 60 s at 1M deals |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark kg's lookups through the command line.")
    parser.add_argument("--store", help="an existing store (default: build one from --deals)")
    parser.add_argument("--deals", type=int, default=100_000, help="synthetic deals when no --store (default 100000)")
    parser.add_argument("--pairs", type=int, default=20, help="random pairs for kg path (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median; default 3)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--validate", action="store_true", help="also time kg validate of the whole store")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="cpu: each command's CPU seconds (default; steady when others load the machine); "
                             "wall: elapsed seconds")
    parser.add_argument("--workdir", help="where a built store goes (default: a temp dir, removed)")
    parser.add_argument("--out", default=str(ROOT / "graphs" / "bench" / "lookup.md"))
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k != "KG_STORE"}
    CLOCK["kind"] = args.clock
    work = Path(args.workdir or tempfile.mkdtemp(prefix="kg-lookup-"))
    try:
        store = args.store or _build(args.deals, args.seed, work, env)
        result = measure(store, args, env)
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
