"""How fast do `kg --help` and `kg show` feel? Compared with `python -c "import rdflib"` in the same run.

Builds the article's store in a temporary folder, then times each command as a
fresh process, interleaving the runs so machine noise hits all of them alike.

Usage:
    python scripts/bench_cli.py [--runs 15]
    /tmp/venv/bin/python scripts/bench_cli.py            # in a fresh venv
    python scripts/bench_cli.py --before /tmp/kg-before  # also time another copy of the kg package

`kg` is the console script installed beside the interpreter (as in a venv), not
the first `kg` on PATH: a pyenv shim there adds ~20 ms of bash that is no part
of kg. `--before DIR` runs `python -m kg` from DIR (a folder holding a `kg`
package, e.g. `git archive HEAD kg | tar -x -C DIR`) next to `python -m kg` from
this checkout, so a change is measured before and after in the same run.

Prints a Markdown table of median wall times and the ratio to `import rdflib`
(the goal for `kg show Xiaomi` is at most 0.8×), and the fastest run of each.
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


def timed(cmd: list[str], env: dict, cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def kg_command() -> list[str]:
    """The installed ``kg`` script beside this interpreter, else ``python -m kg``."""
    script = Path(sys.executable).parent / "kg"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kg"]


def with_path(cmd: list[str], folder: Path, env: dict) -> tuple[list[str], dict]:
    """``cmd`` run with ``folder`` first on the import path (its ``kg`` package wins)."""
    return cmd, dict(env, PYTHONPATH=str(folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, metavar="DIR", help="another copy of kg to time side by side")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-cli-"))
    # Bytecode is cached, as in a normal install, but in the temporary folder (not in the repository).
    # With PYTHONDONTWRITEBYTECODE set every run would compile kg from source, while rdflib's
    # installed bytecode is used: an unfair comparison.
    # The schema cache too lives there; the first (warming) run writes it, as a user's first command would.
    env = dict(os.environ, KG_STORE=str(tmp / "store"), PYTHONPYCACHEPREFIX=str(tmp / "pycache"),
               XDG_CACHE_HOME=str(tmp / "cache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    kg = kg_command()
    # Built by the library with dump=False: `kg build` would rewrite the repository's graphs/kg.trig.
    subprocess.run([sys.executable, "-c", "import sys; from kg.build import build; from kg.stores import open_store; "
                    "s = open_store(sys.argv[1], read_only=False); build(s, sys.argv[2], views=False, dump=False); "
                    "s.close()", str(tmp / "store"), str(ROOT)], env=env, check=True, stdout=subprocess.DEVNULL)
    commands = {
        'python -c "import rdflib"': ([sys.executable, "-c", "import rdflib"], env),
        'python -c "pass"': ([sys.executable, "-c", "pass"], env),
        'python -c "import kg"': ([sys.executable, "-c", "import kg"], env),
        "kg --help": (kg + ["--help"], env),
        "kg show Xiaomi": (kg + ["show", "Xiaomi"], env),
        'kg show "Lee Jun" --format json': (kg + ["show", "Lee Jun", "--format", "json"], env),
        "kg sparql --name investments": (kg + ["sparql", "--name", "investments"], env),
    }
    if args.before:
        show = [sys.executable, "-m", "kg", "show", "Xiaomi"]
        commands["python -m kg show Xiaomi (before)"] = with_path(show, args.before.resolve(), env)
        commands["python -m kg show Xiaomi (this checkout)"] = with_path(show, ROOT, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    # Run from the temporary folder: `python -m` puts the working directory first on the import
    # path, ahead of PYTHONPATH, so from a checkout it would import that checkout's kg every time.
    for cmd, cmd_env in commands.values():
        timed(cmd, cmd_env, tmp)  # warm the file cache (and the schema cache)
    for _ in range(args.runs):
        for name, (cmd, cmd_env) in commands.items():
            times[name].append(timed(cmd, cmd_env, tmp))
    base = statistics.median(times['python -c "import rdflib"'])
    # The fastest run too: on a shared machine it is the one least disturbed by others.
    fastest = min(times['python -c "import rdflib"'])
    print(f"| command | median of {args.runs} runs (ms) | × import rdflib | fastest (ms) | × fastest import rdflib |")
    print("|---|---:|---:|---:|---:|")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| `{name}` | {med * 1000:.0f} | {med / base:.2f} | {min(values) * 1000:.0f} | "
              f"{min(values) / fastest:.2f} |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
