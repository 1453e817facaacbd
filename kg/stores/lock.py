"""The lock file beside an on-disk store, shared by the store and ``kg serve``.

RocksDB lets one process open a store read-write, and a read-only open while
another process writes is undefined behaviour, so kg keeps ``<store>.lock``:
readers take a shared ``flock``, writers an exclusive one.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()) / "store"
>>> lock = FileLock(d, exclusive=True, timeout=0)
>>> lock.path.name
'store.lock'
>>> lock.release()
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from kg.errors import StoreLockedError


class FileLock:
    """A shared or exclusive ``flock`` on ``<store>.lock``, held while the store is open."""

    def __init__(self, store_path: Path, exclusive: bool, timeout: float):
        self.path = store_path.with_name(store_path.name + ".lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder()
                    os.close(self._fd)
                    if exclusive:
                        raise StoreLockedError(
                            f"store {store_path} is open in another process: {holder}; "
                            "stop it, or write through --store http://… while it serves"
                        ) from None
                    raise StoreLockedError(
                        f"store {store_path} is being written by {holder}; try again when it finishes"
                    ) from None
                time.sleep(0.05)
        if exclusive:
            os.ftruncate(self._fd, 0)
            os.write(self._fd, str(os.getpid()).encode())

    def _holder(self) -> str:
        named = lock_holders(self.path)
        if named:
            return ", ".join(named)
        try:
            pid = Path(self.path).read_text().strip()
        except OSError:
            pid = ""
        return f"PID {pid}" if pid else "another process"

    def switch(self, exclusive: bool, timeout: float | None) -> str | None:
        """Turn a held lock exclusive or back to shared (``kg serve`` does, around each write).

        Args:
            exclusive: the mode wanted.
            timeout: seconds to wait; None waits as long as it takes.

        Returns:
            None when done; else why not (the lock is shared again then).
        """
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + (timeout or 0)
        while True:
            try:
                fcntl.flock(self._fd, mode | (fcntl.LOCK_NB if timeout is not None else 0))
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    # Linux drops the old lock when a conversion fails: take the shared one back.
                    fcntl.flock(self._fd, fcntl.LOCK_SH)
                    return (f"store {self.path.with_suffix('')} is open in another process: {self._holder()}; "
                            "try again when it closes")
                time.sleep(0.02)
        if exclusive:
            os.ftruncate(self._fd, 0)
            os.write(self._fd, str(os.getpid()).encode())
        return None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None



def lock_holders(path: Path) -> list[str]:
    """Who holds a ``flock`` on ``path``, from ``/proc/locks`` (Linux): ``["'kg serve' (PID 12)"]``.

    Empty where ``/proc/locks`` is missing, or no other process holds one.
    """
    try:
        st = os.stat(path)
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    pids = []
    for line in lines:
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == dev and fields[4] != str(os.getpid()):
            pids.append(fields[4])
    return [_describe(pid) for pid in dict.fromkeys(pids)]


def _describe(pid: str) -> str:
    """A process by its command: ``'kg serve' (PID 12)``."""
    try:
        args = [a.decode("utf-8", "replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return f"PID {pid}"
    text = " ".join(" ".join(args).split())
    if "kg" in text and "serve" in args:
        return f"'kg serve' (PID {pid})"
    return f"PID {pid} ({text[:80]})"


def lock_timeout(read_only: bool) -> float:
    """Seconds to wait for a lock: ``KG_LOCK_TIMEOUT``, else 30 for readers and 0 for writers."""
    default = "30" if read_only else "0"
    try:
        return float(os.environ.get("KG_LOCK_TIMEOUT", default))
    except ValueError:
        return float(default)
