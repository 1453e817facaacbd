"""How fast do `kg --help` and `kg show` feel? Compared with `python -c "import rdflib"` in the same run.

Builds the article's store in a temporary folder, then times each command as a
fresh process, interleaving the runs so machine noise hits all of them alike.

Usage:
    python scripts/bench_cli.py [--runs 15]

Prints a Markdown table of median wall times and the ratio to `import rdflib`
(the goal for `kg show Xiaomi` is at most 1.5×).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-cli-"))
    env = dict(os.environ, KG_STORE=str(tmp / "store"))
    kg = [sys.executable, "-m", "kg"] if not shutil.which("kg") else ["kg"]
    subprocess.run(kg + ["build", "--root", str(ROOT), "--no-views"], env=env, check=True, stdout=subprocess.DEVNULL)
    commands = {
        'python -c "import rdflib"': [sys.executable, "-c", "import rdflib"],
        'python -c "pass"': [sys.executable, "-c", "pass"],
        "kg --help": kg + ["--help"],
        "kg show Xiaomi": kg + ["show", "Xiaomi"],
        'kg show "Lee Jun" --format json': kg + ["show", "Lee Jun", "--format", "json"],
        "kg sparql --name investments": kg + ["sparql", "--name", "investments"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        timed(cmd, env)  # warm the file cache
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(timed(cmd, env))
    base = statistics.median(times['python -c "import rdflib"'])
    print(f"| command | median of {args.runs} runs (ms) | × import rdflib |")
    print("|---|---:|---:|")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| `{name}` | {med * 1000:.0f} | {med / base:.2f} |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
