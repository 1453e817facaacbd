"""Hostile inputs and Ctrl-C against a real ``kg`` process: the figures of the README's "Reliability" section.

Two experiments, each in fresh temporary stores:

* ``hostile``: every known-bad input (entity bombs, deep nesting, devices,
  FIFOs, loose values, RDF 1.2, bad mappings …) is given to ``kg ingest``
  in a subprocess; the script checks the exit status is 1, stderr is one
  ``Error:`` line, the store's content hash is unchanged, and reports the
  wall time of each refusal.
* ``sigint``: a CSV import of ``--rows`` rows is interrupted with SIGINT at
  a random moment, ``--runs`` times; the script reports how long the process
  took to exit, what it said, whether what it said was true (the store's hash
  is the before- or the after-state accordingly) and whether a working copy
  was left behind.

Usage::

    python scripts/fuzz.py hostile
    python scripts/fuzz.py sigint --runs 10 --rows 40000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def store_hash(location: str) -> str:
    from kg.stores import open_store

    if not (Path(location) / "CURRENT").exists():
        return hashlib.sha256(b"").hexdigest()
    with open_store(location, read_only=True) as store:
        return hashlib.sha256("\n".join(sorted(str(q) for q in store.raw)).encode()).hexdigest()


def kg(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def hostile_inputs(d: Path) -> list[tuple[str, Path, list[str]]]:
    """``(name, file, extra args)`` for every hostile input."""
    from test_hardening import _csv_rows, _deal_ttl, _laughs

    def w(name: str, text: str | bytes) -> Path:
        p = d / name
        p.write_bytes(text if isinstance(text, bytes) else text.encode())
        return p

    zero = d / "zero.csv"
    zero.symlink_to("/dev/zero")
    fifo = d / "pipe.ttl"
    os.mkfifo(fifo)
    mapping = w("bad.yaml", "class: Investment\nroles: {investor: {column: inv}}\nmin_year: [1]\n")
    deep_yaml = w("deep.yaml", "class: Investment\nroles: " + "[" * 5000 + "]" * 5000)
    _csv_rows(d / "ok.csv", 10)
    return [
        ("RDF/XML billion laughs (10^12 bytes)", w("laughs.rdf", _laughs(12)), []),
        ("JSON-LD nested 30,000 objects deep", w("deep.jsonld", '{"@id": "http://ex.org/s", "http://ex.org/p": '
                                                  + '{"http://ex.org/q": ' * 30000 + "1" + "}" * 30000 + "}"), []),
        ("RDF/XML nested 20,000 elements deep", w("deep.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
                                                   ' xmlns:ex="http://ex.org/"><rdf:Description rdf:about="http://ex.org/s">'
                                                   + '<ex:p rdf:parseType="Resource">' * 20000 + "</ex:p>" * 20000
                                                   + "</rdf:Description></rdf:RDF>"), []),
        ("Turtle triple terms nested 100,000 deep", w("deep.ttl", "<urn:a> <urn:p> " + "<<( <urn:a> <urn:p> " * 100000
                                                      + "1" + " )>>" * 100000 + " ."), []),
        ("RDF 1.2 triple term", w("t12.ttl", "<urn:a> <urn:b> <<( <urn:c> <urn:d> <urn:e> )>> .\n"), []),
        ("CSV symlinked to /dev/zero", zero, []),
        ("FIFO named .ttl", fifo, []),
        ("CSV line of 3 MiB without a newline", w("long.csv", b"company_name,investor_name\n" + b"x" * 3 * 2**20), []),
        ("Turtle amount 1E+400", w("big.ttl", _deal_ttl(value='"1E+400"^^xsd:decimal')), []),
        ("Turtle amount -5", w("neg.ttl", _deal_ttl(value='"-5"^^xsd:decimal')), []),
        ("Turtle currency 'dollars'", w("cur.ttl", _deal_ttl(currency='"dollars"')), []),
        ("Turtle year 3201", w("y.ttl", _deal_ttl(date='"3201"^^xsd:gYear')), []),
        ("Turtle date 2019-13-45", w("d.ttl", _deal_ttl(date='"2019-13-45"^^xsd:date')), []),
        ("Turtle date 99999-01-01", w("d2.ttl", _deal_ttl(date='"99999-01-01"^^xsd:date')), []),
        ("mapping with min_year: [1]", d / "ok.csv", ["--mapping", str(mapping)]),
        ("mapping nested 5,000 deep", d / "ok.csv", ["--mapping", str(deep_yaml)]),
        ("--graph 'not an iri'", w("g.ttl", "<urn:a> <urn:b> <urn:c> .\n"), ["--graph", "not an iri"]),
    ]


def hostile() -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        store = str(d / "store")
        seed = d / "seed.ttl"
        seed.write_text('<https://kg.example.org/id/company/seed> <http://www.w3.org/2000/01/rdf-schema#label> "S" .\n')
        kg("--store", store, "ingest", str(seed))
        print(f"{'input':44} {'exit':>4} {'seconds':>8}  ok  message")
        for name, path, extra in hostile_inputs(d):
            before = store_hash(store)
            t = time.perf_counter()
            r = kg("--store", store, "ingest", str(path), *extra)
            took = time.perf_counter() - t
            lines = r.stderr.strip().splitlines()
            ok = (r.returncode == 1 and len(lines) == 1 and lines[0].startswith("Error:")
                  and "internal error" not in lines[0] and store_hash(store) == before)
            failures += not ok
            print(f"{name:44} {r.returncode:>4} {took:8.2f}  {'yes' if ok else 'NO '} {lines[-1][:90] if lines else ''}")
    return 1 if failures else 0


def sigint(runs: int, rows: int) -> int:
    from test_hardening import _csv_rows

    exits, wrong, debris, outcomes = [], 0, 0, {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        src = _csv_rows(d / "deals.csv", rows)
        for i in range(runs):
            store = str(d / f"store{i}")
            seed = d / "seed.ttl"
            seed.write_text('<https://kg.example.org/id/company/seed> <http://www.w3.org/2000/01/rdf-schema#label> "S" .\n')
            kg("--store", store, "ingest", str(seed))
            before = store_hash(store)
            proc = subprocess.Popen([sys.executable, "-m", "kg", "--store", store, "ingest", str(src)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            time.sleep(random.uniform(1.0, 12.0))
            t = time.perf_counter()
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=600)
            exits.append(time.perf_counter() - t)
            said = (err.strip().splitlines() or [""])[-1]
            after = store_hash(store)
            if proc.returncode == 0:
                truth = after != before
                said = "finished before the signal"
            elif "unchanged" in said:
                truth = after == before
            elif "committed" in said:
                truth = after != before
            else:  # a bare "Interrupted." (before the ingest began): no claim to check
                truth = True
                said = f"{said} (no claim; the store {'changed' if after != before else 'was unchanged'})"
            wrong += not truth
            debris += bool(list(d.glob(f"store{i}.import-*")))
            outcomes[said] = outcomes.get(said, 0) + 1
    print(f"{runs} interrupts of a {rows:,}-row CSV import: exit after SIGINT median {statistics.median(exits):.2f} s, "
          f"max {max(exits):.2f} s; untrue messages {wrong}; working copies left {debris}")
    for said, n in outcomes.items():
        print(f"  {n:3}  {said}")
    return 1 if wrong or debris else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("experiment", choices=["hostile", "sigint"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--rows", type=int, default=40000)
    args = ap.parse_args()
    return hostile() if args.experiment == "hostile" else sigint(args.runs, args.rows)


if __name__ == "__main__":
    sys.exit(main())
