"""Real SPARQL servers for the tests, started on loopback with a temporary database.

* :class:`OxigraphServer`: ``oxigraph serve`` from the ``oxigraph`` PyPI package.
* :class:`VirtuosoServer`: Debian's ``virtuoso-t`` (package ``virtuoso-opensource``),
  with a small ini written into the database folder; writes go to
  ``/sparql-auth`` with Digest auth as ``dba``/``dba`` (a fresh database's).

Both can be killed (``SIGKILL``) and started again on the same folder and port,
which is how the kill tests in ``test_remote.py`` inject faults.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

VIRTUOSO = shutil.which("virtuoso-t")
#: Why the Virtuoso tests are skipped, or None when they can run.
NO_VIRTUOSO = None if VIRTUOSO else "Debian's virtuoso-opensource is not installed (no virtuoso-t on PATH)"


class _Server:
    """A server process on a fixed loopback port and folder; start, kill, stop."""

    startup_s = 10.0
    proc: subprocess.Popen | None = None

    def __init__(self, folder: Path):
        from kg.server import free_port

        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()

    def command(self) -> list[str]:
        raise NotImplementedError

    @property
    def url(self) -> str:
        raise NotImplementedError

    @property
    def probe_url(self) -> str:
        """An endpoint that answers without credentials once the server is up."""
        return self.url

    @property
    def login_url(self) -> str:
        """The URL kg writes through, with any credentials it needs."""
        return self.url

    def start(self) -> _Server:
        """Start the server and wait until it answers a query."""
        log = open(self.folder / "server.log", "ab")
        self.proc = subprocess.Popen(self.command(), cwd=self.folder, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + self.startup_s
        probe = self.probe_url + "?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.command()[0]} exited with {self.proc.returncode}; see {self.folder}/server.log")
            try:
                urllib.request.urlopen(probe, timeout=1).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"{self.command()[0]} did not answer within {self.startup_s} s")

    def kill(self) -> None:
        """SIGKILL, as a crash would; the database stays as the crash left it."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        """Stop cleanly (SIGTERM), or kill after 30 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


class OxigraphServer(_Server):
    """``oxigraph serve``; its store's query endpoint is :attr:`url`."""

    def __init__(self, folder: Path, *extra: str):
        super().__init__(folder)
        self.extra = extra

    def command(self) -> list[str]:
        from kg.server import oxigraph_binary

        return [oxigraph_binary(), "serve", "--location", str(self.folder / "db"),
                "--bind", f"127.0.0.1:{self.port}", *self.extra]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


class VirtuosoServer(_Server):
    """Debian's Virtuoso 7 on loopback; :attr:`url` is ``/sparql-auth`` (Digest, dba/dba).

    :attr:`login_url` carries the credentials; ``holds_article`` is for
    fixtures that load the article once and share the server.
    """

    startup_s = 90.0

    def __init__(self, folder: Path, **parameters: str):
        from kg.server import free_port

        super().__init__(folder)
        self.sql_port = free_port()
        ini = _VIRTUOSO_INI.format(d=self.folder, sql=self.sql_port, http=self.port)
        # Extra [Parameters], e.g. TransactionAfterImageLimit="300000".
        extra = "".join(f"{key} = {value}\n" for key, value in parameters.items())
        ini = ini.replace("[HTTPServer]", extra + "[HTTPServer]")
        (self.folder / "virtuoso.ini").write_text(ini)
        self.holds_article = False

    def command(self) -> list[str]:
        return [VIRTUOSO, "+configfile", str(self.folder / "virtuoso.ini"), "+foreground"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql-auth"

    @property
    def probe_url(self) -> str:
        """The anonymous, read-only endpoint."""
        return f"http://127.0.0.1:{self.port}/sparql"

    @property
    def login_url(self) -> str:
        """:attr:`url` with the fresh database's credentials in it."""
        return f"http://dba:dba@127.0.0.1:{self.port}/sparql-auth"


def copy_project(root: Path, dest: Path) -> Path:
    """A copy of the project's ``graphs`` folder under ``dest``, so a build writes there, not into the repo."""
    shutil.copytree(root / "graphs", dest / "graphs", ignore=shutil.ignore_patterns("*.html", "kg.trig"))
    return dest


