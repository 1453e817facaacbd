"""Benchmark the NetworkX projection and analytics on synthetic deal graphs.

For each size (number of deals) it generates a seeded synthetic graph
(:mod:`scripts.synthetic`, power-law hubs), bulk-loads it into an embedded
on-disk Oxigraph store, and measures, each step in a fresh process so peak memory
is per step:

* the projection (:func:`kg.network.entity_graph`, one streamed SELECT);
* ``kg path`` between random pairs of entities (:func:`kg.paths.find_paths`);
* PageRank, sampled betweenness (k=256, seed 42) and Louvain
  (:mod:`kg.analytics`, which includes collapsing the view to the analysis graph);
* peak resident memory (``ru_maxrss``) of the process doing all of the above
  (the bulk load runs in a process of its own);
* the analytics commands a user runs (``kg stats``, ``kg centrality``,
  ``kg communities``, each a fresh process): the first one projects the store
  and writes the snapshot (:mod:`kg.snapshot`), the later ones read it;
* PageRank, sampled betweenness and Louvain on igraph (what kg runs) against
  NetworkX's own implementations, on the same view.

As a baseline in the same run it times
``rdflib.extras.external_graph_libs.rdflib_to_networkx_multidigraph`` twice,
each in its own process: over the same on-disk store (through oxrdflib), and
over an in-memory rdflib Graph parsed from the same file (parse timed
separately). The first is skipped above ``--baseline-max`` deals, the second
above ``--parse-baseline-max`` (parsing a million deals' file into rdflib takes
longer and more memory than the conversion itself); betweenness and Louvain are skipped
above ``--betweenness-max`` and ``--louvain-max``.

Figures are medians over ``--repeat`` runs (betweenness and Louvain: over
``--algo-repeat`` runs). The table is printed as Markdown and written to
``graphs/bench/network.md``.

Usage::

    python scripts/bench_network.py                       # 10k and 100k deals
    python scripts/bench_network.py --sizes 10000 --repeat 5
    python scripts/bench_network.py --sizes 1000000 --baseline-repeat 1 --baseline-max 1000000 \
        --parse-baseline-max 0 --betweenness-max 0 --out /tmp/net-1m.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        result = None  # drop the previous result first: never two graphs at once
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def child_load(data: Path, store_dir: Path) -> dict:
    """Bulk-load the file into a fresh on-disk store (its own process: loading's memory is not ours)."""
    import pyoxigraph as ox

    from kg.ontology import source_graph
    from kg.rules import derive
    from kg.snapshot import bump_version_update
    from kg.stores import open_store

    if store_dir.exists():
        shutil.rmtree(store_dir)
    t0 = time.perf_counter()
    with open_store(store_dir, read_only=False) as store:
        store.raw.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.NamedNode(source_graph("synthetic")))
        load_s = time.perf_counter() - t0
        # The derived graph (for kg path) and a version (for the snapshot), as every kg write leaves them.
        derive(store)
        store.update(bump_version_update())
    return {"load_s": load_s, "peak_rss_mb": _rss_mb()}


def child_cli(store_dir: Path, repeat: int) -> dict:
    """The analytics commands as a user runs them, each a fresh ``kg`` process; the first builds the snapshot."""
    st = ["--store", str(store_dir)]
    kg = [sys.executable, "-m", "kg"]
    out: dict = {}

    def run(*args: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([*kg, *args, *st], check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0

    out["cli_first_stats_s"] = run("stats")
    # The children so far are the first command alone: its peak is the projection's.
    out["cli_first_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out["cli_stats_s"] = statistics.median(run("stats") for _ in range(repeat))
    out["cli_pagerank_s"] = statistics.median(run("centrality", "--measure", "pagerank") for _ in range(repeat))
    out["cli_betweenness_s"] = run("centrality", "--measure", "betweenness", "-k", "256")
    out["cli_communities_s"] = run("communities")
    out["cli_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out


def child_algorithms(store_dir: Path) -> dict:
    """PageRank, sampled betweenness and Louvain on igraph (kg's choice) and on NetworkX, on the same view."""
    from kg.analytics import centrality, communities
    from kg.snapshot import entity_graph
    from kg.stores import open_store

    with open_store(store_dir, read_only=True) as store:
        G = entity_graph(store, types=["Agent"])
    out: dict = {}
    for backend, tag in ((None, "ig"), ("networkx", "nx")):
        out[f"{tag}_pagerank_s"], _ = _timed(lambda b=backend: centrality(G, "pagerank", top=10, backend=b), 1)
        out[f"{tag}_betweenness_s"], _ = _timed(
            lambda b=backend: centrality(G, "betweenness", k=256, top=10, backend=b), 1)
        out[f"{tag}_louvain_s"], _ = _timed(lambda b=backend: communities(G, backend=b), 1)
    out["peak_rss_mb"] = _rss_mb()
    return out


def child_ours(store_dir: Path, repeat: int, algo_repeat: int, pairs: int, seed: int,
               betweenness: bool = True, louvain: bool = True) -> dict:
    from kg.analytics import centrality, communities
    from kg.errors import NoPathError
    from kg.network import entity_graph
    from kg.paths import find_paths
    from kg.stores import open_store

    out: dict = {"rss_at_start_mb": _rss_mb()}
    with open_store(store_dir, read_only=True) as store:
        out["triples"] = len(store)
        out["projection_s"], G = _timed(lambda: entity_graph(store), repeat)
    out["nodes"], out["edges"] = G.number_of_nodes(), G.number_of_edges()
    out["rss_after_projection_mb"] = _rss_mb()

    rng = random.Random(seed)
    candidates = [n for n, d in G.degree() if d > 0]
    times, lengths = [], []
    for _ in range(pairs):
        a, b = rng.sample(candidates, 2)
        t0 = time.perf_counter()
        try:
            found = find_paths(G, a, b, max_hops=4)
            lengths.append(found[0]["length"])
        except NoPathError:
            lengths.append(None)
        times.append(time.perf_counter() - t0)
    out["path_s"] = statistics.median(times)
    out["path_max_s"] = max(times)
    out["path_lengths"] = lengths

    out["pagerank_s"], _ = _timed(lambda: centrality(G, "pagerank", top=10), repeat)
    out["betweenness_s"] = out["louvain_s"] = None
    if betweenness:
        out["betweenness_s"], r = _timed(lambda: centrality(G, "betweenness", k=256, seed=42, top=10), algo_repeat)
        out["betweenness_exact"] = r["exact"]
    if louvain:
        out["louvain_s"], c = _timed(lambda: communities(G, seed=42), algo_repeat)
        out["communities"] = c["count"]
    out["peak_rss_mb"] = _rss_mb()
    return out


def child_rdflib(data: Path, repeat: int) -> dict:
    import rdflib
    from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph

    out: dict = {}
    t0 = time.perf_counter()
    g = rdflib.Graph()
    g.parse(str(data), format="nt")
    out["parse_s"] = time.perf_counter() - t0
    out["rss_after_parse_mb"] = _rss_mb()
    out["convert_s"], M = _timed(lambda: rdflib_to_networkx_multidigraph(g), repeat)
    out["nodes"], out["edges"] = M.number_of_nodes(), M.number_of_edges()
    out["peak_rss_mb"] = _rss_mb()
    return out


def child_oxrdflib(store_dir: Path, repeat: int) -> dict:
    """The baseline from the same starting point as ours: the on-disk store, read through oxrdflib."""
    import pyoxigraph as ox
    import rdflib
    from oxrdflib import OxigraphStore
    from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph

    from kg.ontology import source_graph

    out: dict = {}
    raw = ox.Store.read_only(str(store_dir))
    g = rdflib.Graph(store=OxigraphStore(store=raw), identifier=rdflib.URIRef(source_graph("synthetic")))
    out["convert_s"], M = _timed(lambda: rdflib_to_networkx_multidigraph(g), repeat)
    out["nodes"], out["edges"] = M.number_of_nodes(), M.number_of_edges()
    out["peak_rss_mb"] = _rss_mb()
    return out


def _run_child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args)}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt_s(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def _fmt_mb(result: dict | None) -> str:
    return f"{result['peak_rss_mb']:,.0f} MB" if result else "–"


def markdown(results: list[dict], meta: dict) -> str:
    lines = [
        f"Measured {meta['date']} on {meta['machine']} (Python {meta['python']}, networkx {meta['networkx']}, "
        f"pyoxigraph {meta['pyoxigraph']}, rdflib {meta['rdflib']}).",
        f"Command: `{meta['command']}`. Medians of {meta['repeat']} runs (betweenness and Louvain: "
        f"{meta['algo_repeat']}; rdflib baselines: {meta['baseline_repeat']}); `kg path`: median over "
        f"{meta['pairs']} random entity pairs, shortest paths within 4 hops, on the projected graph. PageRank, "
        "betweenness and Louvain include collapsing the view to the analysis graph; \"–\": not measured at that "
        "size. Peak RSS is per process: ours covers opening the store, the projection, paths and the algorithms "
        "(the bulk load ran in its own process); each rdflib baseline ran in its own process. "
        "Load average (1 min) when each size started: "
        + ", ".join(f"{r['deals']:,}: {r['loadavg']:.1f}" for r in results if "loadavg" in r) + ".",
        "",
        "| deals | triples | nodes | edges | load (bulk, disk) | **kg projection** (store → nx) | "
        "rdflib → nx over the same store (oxrdflib) | rdflib parse of the file | rdflib → nx in memory | "
        "speed-up vs same store | speed-up vs parse + convert | kg path (median / max) | PageRank | "
        "betweenness k=256 | Louvain | peak RSS ours | peak RSS rdflib over the store | peak RSS rdflib (parse + convert) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        o, b, x = r["ours"], r.get("rdflib"), r.get("oxrdflib")
        same = f"{x['convert_s'] / o['projection_s']:.1f}×" if x else "–"
        full = f"{(b['parse_s'] + b['convert_s']) / o['projection_s']:.1f}×" if b else "–"
        lines.append(
            f"| {r['deals']:,} | {o['triples']:,} | {o['nodes']:,} | {o['edges']:,} | {_fmt_s(o['load_s'])} | "
            f"{_fmt_s(o['projection_s'])} | {_fmt_s(x['convert_s']) if x else '–'} | "
            f"{_fmt_s(b['parse_s']) if b else '–'} | "
            f"{_fmt_s(b['convert_s']) if b else '–'} | {same} | {full} | "
            f"{_fmt_s(o['path_s'])} / {_fmt_s(o['path_max_s'])} | {_fmt_s(o['pagerank_s'])} | "
            f"{_fmt_s(o.get('betweenness_s'))} | {_fmt_s(o.get('louvain_s'))} | {o['peak_rss_mb']:,.0f} MB | "
            f"{_fmt_mb(x)} | {_fmt_mb(b)} |"
        )
    lines += ["", "The analytics commands as a user runs them (`kg … --store S`, each a fresh process; the first "
              "`kg stats` projects the store and writes the snapshot, the later commands read it):", "",
              "| deals | first `kg stats` (time, peak RSS) | `kg stats` again | `kg centrality --measure pagerank` | "
              "`kg centrality --measure betweenness -k 256` | `kg communities` | peak RSS of any command | "
              "PageRank igraph / networkx | betweenness k=256 igraph / networkx | Louvain igraph / networkx |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        o, a = r["ours"], r.get("algorithms") or {}

        def pair(name: str, a=a) -> str:
            return f"{_fmt_s(a.get('ig_' + name))} / {_fmt_s(a.get('nx_' + name))}" if a else "–"

        lines.append(f"| {r['deals']:,} | {_fmt_s(o.get('cli_first_stats_s'))}, "
                     f"{o.get('cli_first_peak_rss_mb', 0):,.0f} MB | {_fmt_s(o.get('cli_stats_s'))} | "
                     f"{_fmt_s(o.get('cli_pagerank_s'))} | {_fmt_s(o.get('cli_betweenness_s'))} | "
                     f"{_fmt_s(o.get('cli_communities_s'))} | {o.get('cli_peak_rss_mb', 0):,.0f} MB | "
                     f"{pair('pagerank_s')} | {pair('betweenness_s')} | {pair('louvain_s')} |")
    lines.append("")
    lines.append("rdflib's `rdflib_to_networkx_multidigraph` gives one edge per triple (literals and blank nodes "
                 "included, no deal attributes); kg's projection gives one attributed edge per deal and relation. "
                 "\"Over the same store\" starts where kg starts (the Oxigraph store on disk, read through "
                 "oxrdflib); \"in memory\" starts from an rdflib Graph already parsed from the same file "
                 "(parse time shown separately).")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark kg's NetworkX projection and analytics.")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated deal counts (default 10000,100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median; default 3)")
    parser.add_argument("--algo-repeat", type=int, default=1, help="runs of betweenness and Louvain (default 1)")
    parser.add_argument("--pairs", type=int, default=9, help="random entity pairs for kg path (default 9)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--baseline-max", type=int, default=200_000,
                        help="skip the rdflib-over-the-same-store baseline above this many deals (default 200000)")
    parser.add_argument("--parse-baseline-max", type=int, default=200_000,
                        help="skip the rdflib parse + convert baseline above this many deals (default 200000)")
    parser.add_argument("--baseline-repeat", type=int, default=None,
                        help="runs of each rdflib baseline (default: --repeat)")
    parser.add_argument("--betweenness-max", type=int, default=200_000,
                        help="skip sampled betweenness above this many deals (default 200000)")
    parser.add_argument("--louvain-max", type=int, default=1_000_000,
                        help="skip Louvain above this many deals (default 1000000)")
    parser.add_argument("--workdir", default=None, help="where data and stores go (default: a temp dir, removed)")
    parser.add_argument("--out", default=str(ROOT / "graphs" / "bench" / "network.md"))
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, data, *rest = args.child
        if kind == "load":
            result = child_load(Path(data), Path(rest[0]))
        elif kind == "ours":  # data is unused: ours starts from the loaded store
            result = child_ours(Path(rest[0]), args.repeat, args.algo_repeat, args.pairs, args.seed,
                                betweenness=rest[1] == "1", louvain=rest[2] == "1")
        elif kind == "cli":
            result = child_cli(Path(rest[0]), args.repeat)
        elif kind == "algorithms":
            result = child_algorithms(Path(rest[0]))
        elif kind == "oxrdflib":
            result = child_oxrdflib(Path(data), args.repeat)
        else:
            result = child_rdflib(Path(data), args.repeat)
        print(json.dumps(result))
        return 0

    sys.path.insert(0, str(HERE))
    import networkx
    import pyoxigraph
    import rdflib
    from synthetic import write_synthetic

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in sizes:
            data = work / f"synthetic-{size}.nt"
            t0 = time.perf_counter()
            info = write_synthetic(data, deals=size, seed=args.seed)
            print(f"[{size:,} deals] generated {info['triples']:,} triples in {time.perf_counter() - t0:.1f} s",
                  file=sys.stderr)
            common = ["--algo-repeat", str(args.algo_repeat), "--pairs", str(args.pairs), "--seed", str(args.seed)]
            base = [*common, "--repeat", str(args.baseline_repeat or args.repeat)]
            row = {"deals": size, "loadavg": os.getloadavg()[0]}
            loaded = _run_child(["--child", "load", str(data), str(work / f"store-{size}")])
            ours = _run_child([*common, "--repeat", str(args.repeat), "--child", "ours",
                               str(data), str(work / f"store-{size}"), "1" if size <= args.betweenness_max else "0",
                               "1" if size <= args.louvain_max else "0"])
            ours["load_s"], ours["load_peak_rss_mb"] = loaded["load_s"], loaded["peak_rss_mb"]
            ours.update(_run_child(["--repeat", str(args.repeat), "--child", "cli", str(data),
                                    str(work / f"store-{size}")]))
            if size <= args.betweenness_max:
                row["algorithms"] = _run_child(["--child", "algorithms", str(data), str(work / f"store-{size}")])
            print(f"[{size:,} deals] ours: {json.dumps(ours)}", file=sys.stderr)
            row["ours"] = ours
            if size <= args.baseline_max:
                row["oxrdflib"] = _run_child([*base, "--child", "oxrdflib", str(work / f"store-{size}")])
                print(f"[{size:,} deals] rdflib over the store: {json.dumps(row['oxrdflib'])}", file=sys.stderr)
            if size <= args.parse_baseline_max:
                row["rdflib"] = _run_child([*base, "--child", "rdflib", str(data)])
                print(f"[{size:,} deals] rdflib: {json.dumps(row['rdflib'])}", file=sys.stderr)
            results.append(row)
            shutil.rmtree(work / f"store-{size}", ignore_errors=True)
            data.unlink(missing_ok=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)

    meta = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "python": platform.python_version(),
        "networkx": networkx.__version__,
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "command": "python scripts/bench_network.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "repeat": args.repeat,
        "algo_repeat": args.algo_repeat,
        "baseline_repeat": args.baseline_repeat or args.repeat,
        "pairs": args.pairs,
    }
    text = markdown(results, meta)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    (out.with_suffix(".json")).write_text(json.dumps({"meta": meta, "results": results}, indent=2), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
