"""How fast do `kg --help` and `kg show` feel? Compared with `python -c "import rdflib"` in the same run.

Builds the article's store in a temporary folder, then times each command as a
fresh process, interleaving the runs so machine noise hits all of them alike.

Usage:
    python scripts/bench_cli.py [--runs 15]
    PATH=/tmp/venv/bin:$PATH /tmp/venv/bin/python scripts/bench_cli.py   # in a fresh venv

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
    # Bytecode is cached, as in a normal install, but in the temporary folder (not in the repository).
    # With PYTHONDONTWRITEBYTECODE set every run would compile kg from source, while rdflib's
    # installed bytecode is used: an unfair comparison.
    env = dict(os.environ, KG_STORE=str(tmp / "store"), PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    kg = [sys.executable, "-m", "kg"] if not shutil.which("kg") else ["kg"]
    # Built by the library with dump=False: `kg build` would rewrite the repository's graphs/kg.trig.
    subprocess.run([sys.executable, "-c", "import sys; from kg.build import build; from kg.stores import open_store; "
                    "s = open_store(sys.argv[1], read_only=False); build(s, sys.argv[2], views=False, dump=False); "
                    "s.close()", str(tmp / "store"), str(ROOT)], env=env, check=True, stdout=subprocess.DEVNULL)
    commands = {
        'python -c "import rdflib"': [sys.executable, "-c", "import rdflib"],
        'python -c "pass"': [sys.executable, "-c", "pass"],
        'python -c "import kg"': [sys.executable, "-c", "import kg"],
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
