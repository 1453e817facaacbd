"""Shared fixtures: the article's store, empty stores, the CLI runner and the backends CLI tests run on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
ARTICLE = ROOT / "graphs" / "sources" / "xiaomi-electric-car.txt"


# -- hermetic: the suite never writes into the repository or a user's store --

_USER_VARS = ("KG_STORE", "HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")


def _tree_state(path: Path) -> dict:
    """Name → (size, mtime) of every file under ``path`` (empty if it does not exist)."""
    if not path.exists():
        return {}
    if path.is_file():
        st = path.stat()
        return {str(path): (st.st_size, st.st_mtime_ns)}
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in path.rglob("*") if p.is_file()}


def _repo_state() -> str:
    """``git status`` of the checkout, or "" outside git."""
    import subprocess

    try:
        return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--ignored=no"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def pytest_sessionstart(session):
    """Point every user location at a scratch folder, and remember what the user's ones held."""
    import os
    import tempfile

    from kg.stores import default_location

    watched = {os.environ.get("KG_STORE") or default_location()}
    session.config._kg_watch = {w: _tree_state(Path(w)) for w in watched if w and "://" not in w}
    session.config._kg_repo = _repo_state()
    scratch = Path(tempfile.mkdtemp(prefix="kg-tests-"))
    for var in _USER_VARS:
        os.environ[var] = str(scratch / var.lower())
    os.environ["KG_STORE"] = str(scratch / "user-store")


def sigint_default() -> None:
    """``preexec_fn`` for a child the tests interrupt: Ctrl-C back to its default disposition.

    A shell starts a background job with SIGINT ignored, and a child inherits
    that; Python then installs no KeyboardInterrupt handler, so a test's
    SIGINT would go unnoticed when the suite itself runs in the background.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if a test wrote into the repository or into the user's store."""
    changed = [w for w, before in getattr(session.config, "_kg_watch", {}).items() if _tree_state(Path(w)) != before]
    repo_before = getattr(session.config, "_kg_repo", None)
    repo_after = _repo_state() if repo_before is not None else None
    problems = [f"the suite changed the user's store {w}" for w in changed]
    if repo_before is not None and repo_after != repo_before:
        diff = set(repo_after.splitlines()) ^ set(repo_before.splitlines())
        problems.append(f"the suite changed the repository: {sorted(diff)[:10]}")
    if problems:
        print("\nHERMETIC CHECK FAILED: " + "; ".join(problems))
        session.exitstatus = 1


@pytest.fixture(scope="session")
def article_store(tmp_path_factory) -> str:
    """Path of an on-disk store built from the project's graphs (no views written). Read only."""
    from kg.build import build
    from kg.stores import open_store

    loc = tmp_path_factory.mktemp("article") / "store"
    with open_store(loc, read_only=False) as store:
        build(store, ROOT, views=False, dump=False)
    return str(loc)


@pytest.fixture
def article_copy(tmp_path, article_store):
    """A writable copy of the article's store, open."""
    import shutil

    from kg.stores import open_store

    loc = tmp_path / "store"
    shutil.copytree(article_store, loc)
    with open_store(loc, read_only=False) as s:
        yield s


@pytest.fixture
def versioned_copy(article_copy):
    """:func:`article_copy` with a store version (as every write by kg gives it)."""
    from kg.snapshot import bump_version_update

    article_copy.update(bump_version_update())
    return article_copy


@pytest.fixture
def tmp_store(tmp_path) -> str:
    """Location of a fresh, empty on-disk store."""
    return str(tmp_path / "store")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(params=["embedded", pytest.param("remote", marks=pytest.mark.server)])
def cli_store(request, article_store) -> str:
    """The article's store on each backend the CLI must work against.

    ``embedded`` is the on-disk Oxigraph store; ``remote`` is a live SPARQL
    server holding the same build (the fixture ``remote_article_store``,
    provided where a server can be started).
    """
    if request.param == "embedded":
        return article_store
    try:
        return request.getfixturevalue("remote_article_store")
    except pytest.FixtureLookupError:
        pytest.skip("no remote_article_store fixture")


def run_cli(runner: CliRunner, *args: str, store: str | None = None, ok: bool = True):
    """Invoke ``kg`` with ``--store`` and return the click Result; assert the exit status."""
    from kg.cli import main

    argv = (["--store", store] if store else []) + list(args)
    result = runner.invoke(main, argv, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, f"kg {' '.join(argv)} failed ({result.exit_code}):\n{result.output}"
    return result


def cli_json(runner: CliRunner, *args: str, store: str | None = None):
    """Invoke ``kg … --format json`` and parse its standard output."""
    result = run_cli(runner, *args, "--format", "json", store=store)
    return json.loads(result.stdout)


# -- the remote backend (appended for issue 5): a live Oxigraph server ------


def start_oxigraph_server(location, *extra: str):
    """Start ``oxigraph serve`` on a free loopback port; return ``(process, query URL)``."""
    import subprocess
    import time
    import urllib.request

    from kg.server import free_port, oxigraph_binary

    port = free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                             *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("oxigraph serve did not start")


@pytest.fixture(scope="session")
def remote_article_store(tmp_path_factory):
    """Query URL of a live ``oxigraph serve`` holding the article, built through the remote backend."""
    from kg.build import build
    from kg.stores import open_store

    proc, url = start_oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "db")
    try:
        with open_store(url, read_only=False) as store:
            build(store, ROOT, views=False, dump=False)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
