"""The guard's side of ``kg serve``'s engines: a supervised pool, and the write path.

Each engine (:mod:`kg.serving.engine`) is a process reached through a socket
pair only the guard holds. The pool lends one per request and takes it back.
An engine that dies (a stack overflow, its memory cap) or runs past the
query timeout is killed if need be, logged, and replaced in the background;
requests meanwhile wait for another engine, or get 503 after the timeout.
Killing a timed-out engine is also how its memory comes back.

Writes: the server holds a shared lock on the store, like any reader. An
update gathers every engine, has them close the store, takes the exclusive
lock only then, runs the update in one engine opened read-write, closes it,
and goes back to shared: readers elsewhere are excluded only while a write
commits.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from kg.errors import ServerError
from kg.serving.engine import recv_frame, send_frame


class EngineGone(Exception):
    """The engine ended while answering (``reason`` says how) or ran past its time.

    ``wrote``: it had begun writing the answer to the client itself, so the
    client must not get a second one.
    """

    def __init__(self, reason: str, timed_out: bool = False, wrote: bool = False):
        super().__init__(reason)
        self.reason, self.timed_out, self.wrote = reason, timed_out, wrote


class EngineProcess:
    """One engine process and the guard's end of its socket pair."""

    def __init__(self, location: str, settings: dict, keep_fds=()):
        import mmap

        ours, theirs = socket.socketpair()
        flag = os.memfd_create("kg-engine-writing")
        try:
            os.ftruncate(flag, 1)
            # Set by the engine before it writes an answer to a client (kg.serving.engine.Engine._answer).
            self.writing = mmap.mmap(flag, 1)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "kg.serving.engine", str(theirs.fileno()), location, json.dumps(settings),
                 str(flag)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                pass_fds=(theirs.fileno(), flag, *keep_fds),
                # glibc reserves 64 MiB of address space per malloc arena; under the memory
                # cap (RLIMIT_AS) that reservation, not use, would stop RocksDB's threads.
                env={**os.environ, "MALLOC_ARENA_MAX": "2"})
        finally:
            theirs.close()
            os.close(flag)
        self.sock = ours
        self._timeout = None  # the socket's current timeout: setting it is a system call, so only on change

    def call(self, header: dict, body: bytes = b"", timeout: float | None = None,
             client: int | None = None) -> tuple[dict, bytes]:
        """Send one request and wait for the answer.

        Args:
            client: the descriptor of the client's socket, for a query the engine may answer directly.

        Raises:
            EngineGone: the engine died, or did not answer within ``timeout`` (it is killed then).
        """
        if timeout != self._timeout:
            self.sock.settimeout(timeout)
            self._timeout = timeout
        self.writing[0] = 0
        try:
            send_frame(self.sock, header, body, client)
            return recv_frame(self.sock)
        except TimeoutError:
            self.kill()
            raise EngineGone(f"ran past {timeout:g} s", timed_out=True, wrote=self.writing[0] == 1) from None
        except (EOFError, OSError):
            reason = self.death()
            raise EngineGone(reason, wrote=self.writing[0] == 1) from None

    def death(self) -> str:
        """Why the process ended, after waiting for it briefly."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return "stopped answering"
        err = (self.proc.stderr.read() or b"").decode("utf-8", "replace").strip().splitlines()
        # Rust says why it aborts ("memory allocation of … failed", "stack overflow") before its backtrace note.
        told = [line for line in err if "memory allocation" in line or "overflow" in line] or err[-1:]
        tail = f": {told[0][:300]}" if told else ""
        if code < 0:
            return f"was ended by {signal.Signals(-code).name}{tail}"
        return f"exited with status {code}{tail}"

    def kill(self) -> None:
        """End the process now and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.sock.close()


class EnginePool:
    """``size`` engines on one store, supervised.

    Args:
        location: the store directory.
        size: the number of engines (queries run at once).
        settings: passed to each engine (see :class:`kg.serving.engine.Engine`).
        log: called with one line whenever an engine is replaced, and why.
        keep_fds: descriptors each engine inherits (the store's lock).
    """

    def __init__(self, location: str, size: int, settings: dict, log, keep_fds=()):
        self.location, self.size, self.settings, self.log = location, size, settings, log
        self.keep_fds = keep_fds
        self._idle: list[EngineProcess] = []
        self._cond = threading.Condition()
        self._writing = False
        self._write_mutex = threading.Lock()
        self._closed = False
        # They start side by side; then each must open the store.
        engines = [EngineProcess(location, settings, keep_fds) for _ in range(size)]
        try:
            for engine in engines:
                self._ready(engine)
        except ServerError:
            for engine in engines:
                engine.kill()
            raise
        self._idle.extend(engines)

    def _ready(self, engine: EngineProcess) -> EngineProcess:
        """Wait until ``engine`` has opened the store.

        Raises:
            ServerError: it could not.
        """
        try:
            reply, _ = engine.call({"op": "open"}, timeout=120)
        except EngineGone as gone:
            raise ServerError(f"the engine did not start: it {gone.reason}") from None
        if reply.get("status") != 204:
            engine.kill()
            raise ServerError(f"the engine did not start: {reply.get('message')}")
        return engine

    def _start(self) -> EngineProcess:
        engine = self._ready(EngineProcess(self.location, self.settings, self.keep_fds))
        if self._writing:
            engine.call({"op": "close"}, timeout=10)
        return engine

    def _replace(self, why: str) -> None:
        """Log why an engine went, and start its successor in the background."""
        self.log(f"kg serve: an engine {why}; starting a new one")

        def start() -> None:
            for delay in (0, 1, 5, 30):
                time.sleep(delay)
                try:
                    engine = self._start()
                    break
                except (ServerError, EngineGone) as exc:
                    self.log(f"kg serve: {exc}; trying again")
            else:
                return
            with self._cond:
                if self._closed:
                    engine.kill()
                    return
                self._idle.append(engine)
                self._cond.notify()

        threading.Thread(target=start, daemon=True).start()

    def _take(self, deadline: float) -> EngineProcess | None:
        with self._cond:
            while not self._idle or self._writing:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return None
                self._cond.wait(left)
            return self._idle.pop()

    def _give(self, engine: EngineProcess) -> None:
        with self._cond:
            self._idle.append(engine)
            self._cond.notify_all()

    def call(self, header: dict, body: bytes, timeout: float, wait: float,
             client: int | None = None) -> tuple[dict, bytes]:
        """Run one request on an idle engine.

        Args:
            timeout: seconds the engine may take.
            wait: seconds to wait for an idle engine.
            client: the client's socket descriptor, for a query the engine may answer directly.

        Returns:
            The engine's ``(header, body)``; ``{"status": 503}`` when no engine
            was free in time.

        Raises:
            EngineGone: the engine died on this request, or ran past ``timeout``;
                a new one is on its way.
        """
        engine = self._take(time.monotonic() + wait)
        if engine is None:
            return {"status": 503, "message": "the server is busy (or restarting its engine); try again"}, b""
        try:
            answer = engine.call(header, body, timeout, client)
        except EngineGone as gone:
            self._replace(f"{gone.reason} on a query" if not gone.timed_out else
                          f"was stopped: a query {gone.reason}")
            with self._cond:
                self._cond.notify_all()
            raise
        self._give(engine)
        return answer

    def write(self, header: dict, body: bytes, lock, timeout: float) -> tuple[dict, bytes]:
        """Run a write (an update or a graph store change) with the store to itself.

        The lock turns exclusive (waiting up to ``timeout`` for readers
        elsewhere, while queries here go on), every engine closes the store,
        one opens it read-write, writes and closes it, and the lock goes back
        to shared.

        Returns:
            The engine's ``(header, body)``; 503 when the engines or the lock
            were not free within ``timeout``.
        """
        with self._write_mutex:
            # Readers elsewhere first (queries here go on meanwhile), then the engines here.
            why = lock.switch(exclusive=True, timeout=timeout)
            if why:
                return {"status": 503, "message": why}, b""
            try:
                engines = self._gather(time.monotonic() + timeout)
                if engines is None:
                    return {"status": 503, "message": "the server is busy; try the update again"}, b""
                try:
                    return self._write_on(self._closed_all(engines), header, body, timeout)
                finally:
                    with self._cond:
                        self._writing = False
                        self._idle.extend(engines)
                        self._cond.notify_all()
            finally:
                lock.switch(exclusive=False, timeout=None)

    def _closed_all(self, engines: list) -> list:
        """Have every engine close the store; those that fail are replaced and dropped from ``engines``."""
        for engine in list(engines):
            try:
                engine.call({"op": "close"}, timeout=30)
            except EngineGone as gone:
                engines.remove(engine)
                self._replace(gone.reason)
        return engines

    def _write_on(self, engines: list, header: dict, body: bytes, timeout: float) -> tuple[dict, bytes]:
        if not engines:
            return {"status": 503, "message": "no engine is running; try again"}, b""
        engine = engines[0]
        try:
            answer = engine.call({**header, "mode": "rw"}, body, timeout)
            engine.call({"op": "close"}, timeout=timeout)
        except EngineGone as gone:
            engines.remove(engine)
            self._replace(f"{gone.reason} during a write")
            raise
        return answer

    def _gather(self, deadline: float) -> list | None:
        """Take every engine (new queries wait meanwhile); None when they do not all come back in time."""
        with self._cond:
            self._writing = True
            while len(self._idle) < self.size:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    self._writing = False
                    self._cond.notify_all()
                    return None
                self._cond.wait(left)
            engines, self._idle = self._idle, []
            return engines

    def close(self) -> None:
        """Stop every engine."""
        with self._cond:
            self._closed = True
            engines, self._idle = self._idle, []
            self._cond.notify_all()
        for engine in engines:
            engine.kill()
