"""Benchmark ``kg validate`` of a whole store, as a user runs it.

Each run is a fresh ``kg validate --store … --format json`` process, start-up
included. It reports the wall and CPU seconds of every run, their medians, the
largest peak resident memory, and the number of violations (which must be the
same in every run). The store is opened read-only and never changed.

Usage::

    flock /tmp/kg-bench.lock python scripts/bench_validate.py --store /tmp/kg-1m --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(store: str) -> dict:
    """One ``kg validate`` of ``store`` in a fresh process: wall and CPU seconds, peak RSS (MB), violations."""
    cmd = [sys.executable, "-m", "kg", "validate", "--store", store, "--format", "json"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kg validate failed with exit status {proc.returncode}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "violations": len(json.loads(out)["results"])}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="the store to validate (read only)")
    parser.add_argument("--repeat", type=int, default=3, help="runs (the medians are reported)")
    args = parser.parse_args(argv)
    runs = []
    for i in range(args.repeat):
        runs.append(run_once(args.store))
        r = runs[-1]
        print(f"run {i + 1}: {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, {r['rss_mb']:.0f} MB, "
              f"{r['violations']} violation(s)", file=sys.stderr)
    if len({r["violations"] for r in runs}) != 1:
        raise SystemExit("the runs found different numbers of violations")
    load = os.getloadavg()[0]
    walls = ", ".join(f"{r['wall_s']:.1f}" for r in runs)
    print(f"| `kg validate` of {args.store}, {args.repeat} runs | wall median "
          f"{statistics.median(r['wall_s'] for r in runs):.1f} s (runs {walls}), CPU median "
          f"{statistics.median(r['cpu_s'] for r in runs):.1f} s, peak {max(r['rss_mb'] for r in runs):.0f} MB, "
          f"{runs[0]['violations']} violation(s); load average {load:.1f} at the end |")


if __name__ == "__main__":
    main()
