#!/usr/bin/env python3
"""Benchmark loading into kg's embedded store, against the practical limit.

For each size (about 100k, 1M and 5M triples) it generates seeded synthetic data
and measures, each load in a fresh subprocess (peak memory is that process's
max RSS):

* CSV → store with ``kg.ingest.ingest`` (the streaming path): rows/s, triples/s;
* Turtle → store with ``kg.ingest.ingest`` (bulk path), against pyoxigraph's own
  ``Store.bulk_load`` of the same file (the practical limit) and rdflib's
  parser into an in-memory ``Graph`` (the usual choice; skipped above
  ``--rdflib-max`` triples, as it needs about 6 GB and minutes at 5M);
* the store's size on disk;
* the latency of every named query in ``kg/queries/*.rq`` (default params) on
  the store loaded from Turtle.

Prints a Markdown table and writes it to ``graphs/bench/ingest.md``.

Usage::

    python scripts/bench_ingest.py                       # 100k, 1M, 5M triples
    python scripts/bench_ingest.py --sizes 100k --runs 3
    python scripts/bench_ingest.py --generate investments 200000 --bad 300 -o big.csv

The generator is importable (``generate_csv``, ``generate_turtle``) and used
by the tests.
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

ROOT = Path(__file__).resolve().parent.parent
KG = "https://kg.example.org/ontology#"
ID = "https://kg.example.org/id/"

_SYL = ["ka", "lo", "mi", "ne", "po", "ra", "si", "tu", "ve", "xo", "zen", "dra", "qua", "bri", "flo", "gen"]
_SUFFIX = ["", "", " Inc", " Labs", " Capital", " Ventures", " Motors", " Systems", " AI", " Bio"]
_ROUNDS = ["seed", "angel", "series-a", "series-b", "series-c", "venture", "debt_financing"]
_TITLES = ["CEO", "Co-Founder & CEO", "Founder", "CTO", "VP Engineering", "Board Member", "CFO"]
_FIRST = ["Ada", "Lei", "Elon", "Grace", "Linus", "Mira", "Omar", "Sofia", "Tariq", "Yuki", "Zoe", "Ivan"]
_LAST = ["Jun", "Musk", "Hopper", "Torvalds", "Chen", "Garcia", "Okafor", "Sato", "Novak", "Singh", "Berg"]


def _name(rng: random.Random, i: int) -> str:
    parts = [_SYL[(i * 7 + k * 3) % len(_SYL)] for k in range(2 + i % 2)]
    return ("".join(parts) + f"{i}").capitalize() + _SUFFIX[i % len(_SUFFIX)]


def _pick(rng: random.Random, n: int) -> int:
    # A few companies are named very often, most rarely, as in real exports.
    return min(int(rng.paretovariate(1.2)) - 1, n - 1) if rng.random() < 0.3 else rng.randrange(n)


def _date(rng: random.Random) -> str:
    y, m, d = rng.randint(1995, 2023), rng.randint(1, 12), rng.randint(1, 28)
    style = rng.random()
    if style < 0.6:
        return f"{y:04d}-{m:02d}-{d:02d}"
    if style < 0.85:
        return f"{m}/{d}/{y % 100:02d}"
    return f"{y}"


def _amount(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        return ""
    if r < 0.2:
        return "0"
    return str(rng.randint(1, 5000) * 10_000)


_BAD = ["missing", "amount", "year", "duplicate", "date"]


def generate_csv(path, layout: str = "investments", rows: int = 1000, *, bad: int = 0, seed: int = 7,
                 header: list[str] | None = None) -> dict:
    """Write a seeded synthetic Crunchbase-style CSV file.

    Args:
        path: where to write.
        layout: ``investments``, ``acquisitions`` or ``people``.
        rows: data rows, bad ones included.
        bad: how many bad rows to mix in (missing value, bad amount, year
            3201, duplicate, bad date), spread evenly.
        seed: the random seed.
        header: column names to use instead of the default ones.

    Returns:
        ``{"rows": n, "bad": {kind: count}, "bad_lines": [..]}``.
    """
    import csv

    rng = random.Random(seed)
    companies = max(50, rows // 4)
    investors = max(20, rows // 20)
    cols = {
        "investments": ["company_name", "investor_name", "funded_at", "raised_amount_usd", "funding_round_type"],
        "acquisitions": ["acquiring_name", "acquired_name", "acquired_at", "price_amount", "price_currency_code",
                         "source_url", "source_description"],
        "people": ["person_name", "organization_name", "title", "started_on", "ended_on"],
    }[layout]
    header = header or cols
    bad_every = rows // bad if bad else 0
    counts: dict[str, int] = {}
    bad_lines = []
    prev = None
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(rows):
            line = i + 2
            if layout == "investments":
                row = [_name(rng, _pick(rng, companies)), _name(rng, 1_000_000 + _pick(rng, investors)),
                       _date(rng), _amount(rng), rng.choice(_ROUNDS)]
            elif layout == "acquisitions":
                a, t = _pick(rng, investors), _pick(rng, companies)
                row = [_name(rng, a), _name(rng, 2_000_000 + t), _date(rng), _amount(rng),
                       rng.choice(["USD", "USD", "EUR", "GBP", ""]), f"https://news.example.com/a/{i}",
                       f"{_name(rng, a)} buys {_name(rng, 2_000_000 + t)}"]
            else:
                row = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {i % (rows // 3 + 1)}", _name(rng, _pick(rng, companies)),
                       rng.choice(_TITLES), _date(rng), rng.choice(["", "", _date(rng)])]
            if bad_every and i % bad_every == bad_every - 1 and prev is not None:
                kind = _BAD[(i // bad_every) % len(_BAD)]
                if kind == "missing":
                    row[0] = ""
                elif kind == "amount" and layout != "people":
                    row[3] = "n/a"
                elif kind == "year":
                    row[2 if layout != "people" else 3] = "3201-01-01"
                elif kind == "duplicate":
                    row = list(prev)
                else:
                    row[2 if layout != "people" else 3] = "31/31/99"
                if kind == "amount" and layout == "people":
                    row[0], kind = "", "missing"
                counts[kind] = counts.get(kind, 0) + 1
                bad_lines.append(line)
            w.writerow(row)
            prev = row
    return {"rows": rows, "bad": counts, "bad_lines": bad_lines}


def generate_turtle(path, triples: int = 100_000, *, seed: int = 7) -> int:
    """Write a seeded synthetic Turtle file of investments in the kg ontology.

    Each deal has an investor, investee, date, amount and evidence (about 14
    triples with its entities). Returns the number of triples written.
    """
    rng = random.Random(seed)
    deals = max(1, triples // 14)
    companies = max(50, deals // 4)
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"@prefix kg: <{KG}> .\n@prefix id: <{ID}> .\n"
                 "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                 "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
                 "id:source\\/synthetic a kg:Source .\n")
        n += 1
        seen = set()
        for i in range(deals):
            a, b = _pick(rng, companies), _pick(rng, companies)
            for c in (a, b):
                if c not in seen:
                    seen.add(c)
                    fh.write(f'id:company\\/c{c} a kg:Company ; rdfs:label "{_name(rng, c)}" .\n')
                    n += 2
            y = rng.randint(1995, 2023)
            fh.write(f"id:deal\\/d{i} a kg:Investment ; kg:investor id:company\\/c{a} ; kg:investee id:company\\/c{b} ;\n"
                     f'  kg:date "{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"^^xsd:date ;\n'
                     f"  kg:amount id:deal\\/d{i}\\/amount ; kg:evidence id:evidence\\/d{i} .\n"
                     f'id:deal\\/d{i}\\/amount a kg:MonetaryAmount ; kg:value "{rng.randint(1, 900) * 100000}"^^xsd:decimal ; kg:currency "USD" .\n'
                     f'id:evidence\\/d{i} a kg:Evidence ; kg:source id:source\\/synthetic ; kg:line {i + 1} .\n')
            n += 12
    return n


# -- the measured loads, each run in a child process ------------------------------


def _child(kind: str, src: str, store: str) -> dict:
    t0 = time.perf_counter()
    out: dict = {}
    if kind in ("kg-csv", "kg-ttl", "kg-add10"):
        # Exactly what a user runs: the CLI, no private options.
        from kg.cli import main as kg_main

        argv = ["--store", store, "ingest", src, "--format", "json"] + (
            ["--rejects", os.devnull] if kind == "kg-csv" else [])
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            kg_main(argv, standalone_mode=False)
        rep = json.loads(buf.getvalue())
        out["triples"] = rep["triples"]
        out["rows"] = sum(r["rows"] for r in rep.get("tabular", []))
    elif kind in ("oxigraph", "oxigraph-graph"):
        import pyoxigraph as ox

        s = ox.Store(store)
        # kg keeps every source in a named graph, which Oxigraph indexes six
        # ways instead of three: "oxigraph-graph" is the same load into one.
        to = ox.NamedNode("https://kg.example.org/graph/source/bench") if kind == "oxigraph-graph" else None
        s.bulk_load(path=src, format=ox.RdfFormat.TURTLE, to_graph=to)
        s.flush()
        out["triples"] = len(s)
        del s
    elif kind == "rdflib":
        import rdflib

        g = rdflib.Graph()
        g.parse(src, format="turtle")
        out["triples"] = len(g)
    out["seconds"] = time.perf_counter() - t0
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _run_child(kind: str, src: Path, store: Path, *, fresh: bool = True) -> dict:
    if fresh:
        shutil.rmtree(store, ignore_errors=True)
        Path(str(store) + ".lock").unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(src), str(store)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    # RUSAGE_CHILDREN keeps the largest child so far; the child's own figure is exact.
    res["children_max_rss_mb"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return res


def _du(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def _query_child(name: str, store: str, runs: str) -> dict:
    from kg.query import run_named
    from kg.stores import open_store

    # What `kg sparql --name X --limit 100` does (run_query stops reading
    # after the limit), then the whole result once.
    first, n = [], 0
    with open_store(store, read_only=True) as s:
        for _ in range(int(runs)):
            t0 = time.perf_counter()
            run_named(s, name, limit=100)
            first.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        n = len(run_named(s, name).rows)
        full = time.perf_counter() - t0
    return {"rows": n, "first100_s": statistics.median(first), "full_s": full}


def _query_latency(store: Path, runs: int, timeout: float) -> list[dict]:
    """Latency of every named query (default params) to 100 rows and to the whole result, each in a child."""
    from kg.query import named_queries

    out = []
    for q in named_queries():
        row = {"query": q.name, "rows": 0, "first100_s": None, "full_s": None, "error": None}
        try:
            proc = subprocess.run([sys.executable, __file__, "--child", "query", q.name, str(store), str(runs)],
                                  capture_output=True, text=True, timeout=timeout)
            if proc.returncode == 0:
                row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
            else:
                row["error"] = (proc.stderr.strip().splitlines() or ["failed"])[-1][:100]
        except subprocess.TimeoutExpired:
            row["error"] = f"over {timeout:.0f} s (stopped)"
        out.append(row)
    return out


SIZES = {"100k": 100_000, "1m": 1_000_000, "5m": 5_000_000, "13m": 13_000_000}

_TEN_FACTS = "\n".join(
    ["@prefix kg: <https://kg.example.org/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    + [f'<https://kg.example.org/id/company/bench-{i}> a kg:Company ; rdfs:label "Bench {i}" .' for i in range(10)]
) + "\n"


def bench(sizes, runs: int, rdflib_max: int, work: Path, query_timeout: float = 120) -> tuple:
    lines = [
        "| size | load | input | median s | rows/s | triples/s | vs bulk_load | peak RSS MB | store MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    qlines = []
    notes = []
    for label in sizes:
        target = SIZES[label.lower()]
        n_runs = runs if target < 5_000_000 else 1
        ttl = work / f"synthetic-{label}.ttl"
        # Valid, shaped like real deal data (scripts/synthetic.py): about 13.7 triples a deal.
        sys.path.insert(0, str(ROOT / "scripts"))
        from synthetic import write_synthetic

        n_ttl = write_synthetic(str(ttl), deals=max(1, target * 10 // 137), seed=7)["triples"]
        csv_rows = target // 12  # about 12 triples per investment row with its entities
        csvp = work / f"investments-{label}.csv"
        generate_csv(csvp, "investments", csv_rows, bad=max(1, csv_rows // 700))
        results: dict[str, list[dict]] = {}
        kinds = [("kg-csv", csvp), ("kg-ttl", ttl), ("oxigraph", ttl), ("oxigraph-graph", ttl)]
        if n_ttl <= rdflib_max:
            kinds.append(("rdflib", ttl))
        else:
            notes.append(f"rdflib skipped at {label} ({n_ttl:,} triples): it needs about 6 GB and minutes.")
        for _ in range(n_runs):
            for kind, src in kinds:
                store = work / f"store-{kind}"
                r = _run_child(kind, src, store)
                if kind != "rdflib":
                    r["store_mb"] = _du(store)
                results.setdefault(kind, []).append(r)
        # Adding a small source (10 facts) to the store kg just built: the incremental path.
        small = work / "ten-facts.ttl"
        small.write_text(_TEN_FACTS)
        results["kg-add10"] = [_run_child("kg-add10", small, work / "store-kg-ttl", fresh=False)
                               for _ in range(n_runs)]
        kinds.append(("kg-add10", small))
        # kg keeps every source in a named graph: compare with bulk_load into one.
        ox_tps = statistics.median(n_ttl / r["seconds"] for r in results["oxigraph-graph"])
        for kind, _src in kinds:
            rs = results[kind]
            secs = statistics.median(r["seconds"] for r in rs)
            trip = rs[0]["triples"] if kind != "kg-ttl" else n_ttl
            if kind == "kg-add10":
                lines.append(f"| {label} | kg-add10 | 10 facts TTL into the {n_ttl:,}-triple store | {secs:.2f} | | | | "
                             f"{max(r['max_rss_mb'] for r in rs):,.0f} | |")
                continue
            tps = trip / secs
            rows = f"{rs[0]['rows'] / secs:,.0f}" if kind == "kg-csv" else ""
            ratio = f"{tps / ox_tps:.2f}×"
            size = f"{rs[0].get('store_mb', 0):,.0f}" if kind != "rdflib" else "(memory)"
            inp = f"{csv_rows:,} rows CSV" if kind == "kg-csv" else f"{n_ttl:,} triples TTL"
            lines.append(f"| {label} | {kind} | {inp} | {secs:.2f} | {rows} | {tps:,.0f} | {ratio} | "
                         f"{max(r['max_rss_mb'] for r in rs):,.0f} | {size} |")
        # Named queries on the store kg loaded from Turtle (rebuild it, the last run left it there).
        for q in _query_latency(work / "store-kg-ttl", 3, query_timeout):
            first = f"{q['first100_s'] * 1000:,.0f}" if q["first100_s"] is not None else "–"
            full = f"{q['full_s'] * 1000:,.0f}" if q["full_s"] is not None else "–"
            qlines.append(f"| {label} | {q['query']} | {q['rows']:,} | {first} | {full} | {q['error'] or ''} |")
        print("\n".join(lines[-len(kinds):]), flush=True)
    table = "\n".join(lines)
    qtable = "\n".join(["| size | named query | rows | first 100 rows ms (median of 3) | all rows ms | note |",
                        "|---|---|---|---|---|---|", *qlines])
    return table, qtable, notes


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100k,1m,5m", help="comma-separated: 100k, 1m, 5m")
    ap.add_argument("--runs", type=int, default=3, help="runs per load below 5M (median reported; 5M runs once)")
    ap.add_argument("--rdflib-max", type=int, default=1_500_000, help="skip rdflib above this many triples")
    ap.add_argument("--query-timeout", type=float, default=120, help="stop a named query after this many seconds")
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    ap.add_argument("--out", default=str(ROOT / "graphs" / "bench" / "ingest.md"))
    ap.add_argument("--generate", nargs=2, metavar=("LAYOUT|turtle", "N"), help="only write a synthetic file")
    ap.add_argument("--bad", type=int, default=0, help="with --generate: bad rows to mix in")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-o", "--output", help="with --generate: the file")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        fn = _query_child if args.child[0] == "query" else _child
        print(json.dumps(fn(*args.child[1:]) if args.child[0] == "query" else fn(*args.child)))
        return
    if args.generate:
        layout, n = args.generate[0], int(float(args.generate[1]))
        if layout == "turtle":
            print(generate_turtle(args.output, n, seed=args.seed), "triples")
        else:
            print(json.dumps(generate_csv(args.output, layout, n, bad=args.bad, seed=args.seed)["bad"]))
        return
    work = Path(args.work or tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    table, qtable, notes = bench([s.strip() for s in args.sizes.split(",")], args.runs, args.rdflib_max, work,
                                 args.query_timeout)
    import platform

    import pyoxigraph

    head = (f"Measured by `python scripts/bench_ingest.py --sizes {args.sizes} --runs {args.runs}` on "
            f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}; "
            f"medians of {args.runs} runs below 5M triples, one run at 5M; every load in its own process "
            f"(peak RSS is its max resident set); took {time.time() - t0:.0f} s.\n\n"
            "Loads: `kg-csv` = `kg ingest investments.csv` (the CLI; streamed, validated, derived edges included); "
            "`kg-ttl` = `kg ingest file.ttl` (the CLI; bulk-loaded into a working copy, validated, derived); "
            "`kg-add10` = `kg ingest` of a 10-fact file into the store `kg-ttl` built; "
            "`oxigraph` = `pyoxigraph.Store.bulk_load` of the same Turtle into the default graph (the practical limit); "
            "`oxigraph-graph` = the same into one named graph, as kg stores every source (6 indexes instead of 3); "
            "`rdflib` = `rdflib.Graph().parse` in memory. *vs bulk_load* = triples/s ÷ the triples/s of `oxigraph-graph`.\n")
    md = "\n".join([head, table, "", *[f"- {n}" for n in notes], "", qtable, ""])
    print(md)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md, encoding="utf-8")
    print(f"wrote {out}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
