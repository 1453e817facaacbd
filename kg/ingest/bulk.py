"""The working copy behind every on-disk ingest: checkpoint, load, swap atomically.

Oxigraph's transactions hold every change in memory: measured here with
pyoxigraph 0.5.13, a transactional insert of 1M quads took 32 s and 1.5 GB,
and ``MOVE`` of a 1M-quad staging graph 100 s and 3.5 GB. Its bulk loader is
fast (about 100k quads/s, flat memory) but not atomic. So an ingest
(:mod:`kg.ingest.pipeline`) works on a copy:

1. take a RocksDB checkpoint of the store beside it (``<store>.import-<pid>``;
   hard links, about a millisecond);
2. load, derive and validate in the copy (:func:`in_a_copy` runs the
   caller's ``load``); CSV rows stream in as N-Quads through
   :class:`_TextStream`, and the deals they load are derived afterwards;
3. close the copy and swap the two directories with one ``renameat2(
   RENAME_EXCHANGE)`` call (:func:`exchange`), which is atomic; then delete
   the old version.

An interrupted import (Ctrl-C, an error, ``--strict`` on a bad row, or a
killed process) never touches the store itself: at worst a stale copy is left,
and the next ingest removes it (:func:`clean_stale`). Readers are kept out by
the store's lock file for the whole import, as for any write.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import os
import re
import shutil
from pathlib import Path

from kg.errors import StoreError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: str, b: str) -> None:
    """Swap two directories atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Raises:
        StoreError: the system cannot exchange them (not Linux, or a file
            system without support); nothing was changed.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        raise StoreError("this system cannot swap directories atomically (no renameat2); "
                         "use a smaller file or an in-memory store")
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise StoreError(f"cannot swap {a} and {b}: {os.strerror(err)}")


class _TextStream(io.RawIOBase):
    """A binary file-like object over an iterator of text chunks, for ``bulk_load``."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buf = b""
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            while len(self._buf) < len(b):
                chunk = next(self._chunks, None)
                if chunk is None:
                    break
                self._buf += chunk.encode("utf-8")
        except BaseException as exc:
            # pyoxigraph turns errors raised while reading into OSError; keep
            # the original (a strict-mode MappingError, a KeyboardInterrupt).
            self.error = exc
            raise
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def release_memory() -> None:
    """Hand the memory that earlier stages freed back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Oxigraph's loader and its scans free what they allocate, but glibc keeps
    the freed pages (one arena per thread), and the next stage's peak comes
    on top of them: at 1M deals 570 MB were held so after validation, and the
    derivation that followed peaked at 2.4 GB. Trimming takes about 0.05 s.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_COPIES = itertools.count()


def clean_stale(location: str) -> list[str]:
    """Remove copies left by imports that were killed (``<store>.import-<pid>-<n>`` of dead processes).

    Returns:
        The directories removed.
    """
    p = Path(location)
    removed = []
    for d in p.parent.glob(p.name + ".import-*"):
        m = re.fullmatch(r".*\.import-(\d+)(?:-\d+)?", d.name)
        if m and (int(m[1]) == os.getpid() or not _pid_alive(int(m[1]))):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(str(d))
    return removed


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during an ingest, saying whether the import had been committed.

    Attributes:
        committed: True when the new version was already swapped in (the
            store holds the import), False when the store is as it was.
    """

    def __init__(self, committed: bool):
        super().__init__("the import was committed" if committed else "the store is unchanged")
        self.committed = committed


def in_a_copy(store, load, exchange) -> None:
    """Run ``load(work_dir)`` on a checkpoint copy of the store, then swap the copy in atomically.

    The copy is a RocksDB checkpoint (hard links), so taking it is cheap; if
    ``load`` fails or the process dies, the store is untouched and the stale
    copy is removed by the next import (:func:`clean_stale`).

    ``load`` runs in a worker thread while this (the main) thread waits, so
    Ctrl-C acts within a fraction of a second even while Oxigraph's loader
    is busy in native code: the copy is abandoned (its directory removed)
    and :class:`Interrupted` says the store is unchanged. The swap itself
    runs with Ctrl-C held back, so an interrupt there is reported as coming
    after the commit.

    Raises:
        StoreError: the copy cannot be taken.
        Interrupted: Ctrl-C; its ``committed`` says whether the swap had happened.
    """
    location = store.location
    # A new name for each import: a copy whose RocksDB handle an earlier failed
    # import still holds (through its traceback) is never reused.
    work = f"{location}.import-{os.getpid()}-{next(_COPIES)}"
    pending: list = []
    try:
        try:
            clean_stale(location)
            store.raw.flush()
            try:
                store.raw.backup(work)
            except OSError as exc:
                raise StoreError(f"cannot copy the store for the import: {exc}") from None
            _run_interruptibly(load, work)
        except KeyboardInterrupt:
            raise Interrupted(committed=False) from None
        with _sigint_held(pending):
            store.swap_directory(work, exchange)
            shutil.rmtree(work, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if pending:
        raise Interrupted(committed=True)


def _run_interruptibly(fn, *args) -> None:
    """Call ``fn(*args)`` in a daemon thread; the main thread waits, so Ctrl-C is felt at once.

    An exception in ``fn`` is raised here. On Ctrl-C the thread is left to
    finish on its own (it can only touch the working copy, which the caller
    removes); the process is about to exit.
    """
    import gc
    import threading

    if threading.current_thread() is not threading.main_thread():
        fn(*args)  # signals reach only the main thread: nothing to gain
        return
    box: dict = {}

    def work():
        try:
            fn(*args)
        except BaseException as exc:  # handed to the main thread below
            box["error"] = exc
        finally:
            gc.collect()

    # pyoxigraph's results may only be freed by the thread that made them. A garbage collection in one
    # thread frees cycles made in the other, so each thread collects its own and none runs in between.
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        worker = threading.Thread(target=work, name="kg-ingest-load", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
    finally:
        if enabled:
            gc.enable()
    if "error" in box:
        raise box["error"]


class _sigint_held:
    """Hold back SIGINT for a critical section; a Ctrl-C in it is recorded in ``pending``."""

    def __init__(self, pending: list):
        self.pending = pending
        self.previous = None

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, lambda signum, _frame: self.pending.append(signum))
        return self

    def __exit__(self, *exc) -> None:
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
