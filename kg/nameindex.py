"""The name index: every entity's name keys, sorted, saved beside the store once per store version.

``kg search`` matches a typed name against every stored name key: exactly,
as a prefix, as a substring, then fuzzily. Reading every key from the store
for each search costs in proportion to the store (seconds at a million
deals), so the keys are kept beside an on-disk store in ``<store>.names.npz``
(UTF-8 bytes with offsets, no pickle), keyed by the store version like the
projection snapshot (:mod:`kg.snapshot`): a stale or unreadable file is
rebuilt, never used. Exact and prefix matches are binary searches; substring
and fuzzy matches scan the keys in memory, the fuzzy ones with rapidfuzz.

>>> index = NameIndex(["acme", "acme motors", "beta"], ["urn:a", "urn:am", "urn:b"])
>>> index.matches("acme", 10)
{'urn:a': 1.0, 'urn:am': 0.9}
>>> index.matches("betta", 10)
{'urn:b': 0.667}
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path

#: Bumped when the file's layout changes, so an old file is rebuilt.
FORMAT = 1
#: A fuzzy match scores its similarity × this, so it ranks below any substring match.
FUZZY_WEIGHT = 0.75
#: The lowest score a fuzzy match may have.
FUZZY_FLOOR = 0.45


class NameIndex:
    """Name keys sorted, each with the IRI of its entity (a key may appear once per entity)."""

    def __init__(self, keys: list[str], iris: list[str]):
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self.keys = [keys[i] for i in order]
        self._iris: list[str] | None = [iris[i] for i in order]
        self._blob = None

    @property
    def iris(self) -> list[str]:
        """Every IRI, in key order (decoded at first use when read from a file)."""
        if self._iris is None:
            self._iris = [self.iri(i) for i in range(len(self.keys))]
        return self._iris

    def iri(self, i: int) -> str:
        """The IRI of the ``i``-th key (only that one is decoded)."""
        if self._iris is not None:
            return self._iris[i]
        data, offsets = self._blob
        return data[offsets[i]:offsets[i + 1]].decode("utf-8")

    def matches(self, key: str, limit: int) -> dict[str, float]:
        """The entities that can rank in the first ``limit``, each with its best score.

        Scores: 1.0 exact, 0.9 prefix, 0.8 substring, else the fuzzy
        similarity × :data:`FUZZY_WEIGHT` when at least :data:`FUZZY_FLOOR`.
        Fuzzy matches are looked for only while fewer than ``limit`` entities matched better.
        """
        best: dict[str, float] = {}

        def add(i: int, score: float) -> None:
            iri = self.iri(i)
            if score > best.get(iri, -1.0):
                best[iri] = score

        lo = bisect.bisect_left(self.keys, key)
        hi = bisect.bisect_right(self.keys, key + "\U0010ffff") if key else len(self.keys)
        for i in range(lo, hi):
            add(i, 1.0 if self.keys[i] == key else 0.9)
        if key and len(best) < limit:
            for i, k in enumerate(self.keys):
                if key in k and not k.startswith(key):
                    add(i, 0.8)
        if key and len(best) < limit:
            for i, score in self._fuzzy(key):
                add(i, score)
        return best

    def _fuzzy(self, key: str):
        """``(position, score)`` of the keys similar to ``key`` (difflib's ratio, prefiltered by rapidfuzz)."""
        import difflib

        from rapidfuzz import fuzz, process

        # rapidfuzz's ratio (by the longest common subsequence) is never below difflib's, so
        # the prefilter loses no key that difflib would keep; difflib gives the score kg has always shown.
        cutoff = 100 * FUZZY_FLOOR / FUZZY_WEIGHT
        for _, _, i in process.extract_iter(key, self.keys, scorer=fuzz.ratio, score_cutoff=cutoff):
            score = round(difflib.SequenceMatcher(None, key, self.keys[i]).ratio() * FUZZY_WEIGHT, 3)
            if score >= FUZZY_FLOOR:
                yield i, score


def index_path(store) -> Path | None:
    """Where the name index of ``store`` lives, or None (memory and remote stores have none)."""
    from kg.snapshot import snapshot_path

    path = snapshot_path(store)
    return None if path is None else path.with_name(path.name.replace(".snapshot.npz", ".names.npz"))


def load_or_build(store) -> NameIndex:
    """The name index of ``store``: read from its file if current, else built (and saved beside an on-disk store)."""
    from kg.snapshot import version

    path = index_path(store)
    key = version(store) if path is not None else None
    index = read(path, key) if key is not None else None
    if index is None:
        index = build(store)
        if key is not None:
            write(index, path, key)
    return index


def build(store) -> NameIndex:
    """Read every ``kg:nameKey`` of the store (one scan of the derived graph)."""
    rows = store.query("SELECT ?e ?key WHERE { GRAPH graph:derived { ?e kg:nameKey ?key } }")
    keys, iris = [], []
    for r in rows:
        keys.append(r["key"].value)
        iris.append(r["e"].value)
    return NameIndex(keys, iris)


def _blob(strings: list[str]):
    import numpy as np

    data = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(b) for b in data], dtype=np.int64)
    return np.frombuffer(b"".join(data), dtype=np.uint8), offsets


def _unblob(data, offsets) -> list[str]:
    raw, off = data.tobytes(), offsets.tolist()
    return [raw[off[i]:off[i + 1]].decode("utf-8") for i in range(len(off) - 1)]


def write(index: NameIndex, path: Path, key: str) -> None:
    """Save ``index`` for store version ``key`` (atomically: a reader sees the old file or the new one)."""
    import numpy as np

    keys, key_offsets = _blob(index.keys)
    iris, iri_offsets = _blob(index.iris)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
    try:
        np.savez(tmp, keys=keys, key_offsets=key_offsets, iris=iris, iri_offsets=iri_offsets,
                 meta=np.frombuffer(f"{FORMAT}\n{key}".encode(), dtype=np.uint8))
        os.replace(tmp, path)
    except OSError:
        # A store the user may read but not write beside (a read-only folder): search works, unsaved.
        tmp.unlink(missing_ok=True)


def read(path: Path, key: str) -> NameIndex | None:
    """The index saved at ``path`` if it was built from version ``key``; None if stale, absent or corrupt."""
    import zipfile

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as z:
            if bytes(z["meta"]).decode() != f"{FORMAT}\n{key}":
                return None
            keys = _unblob(z["keys"], z["key_offsets"])
            blob = (z["iris"].tobytes(), z["iri_offsets"].tolist())
    except (OSError, ValueError, KeyError, IndexError, UnicodeDecodeError, EOFError, zipfile.BadZipFile):
        return None
    if len(keys) + 1 != len(blob[1]):
        return None
    index = NameIndex.__new__(NameIndex)
    index.keys, index._iris, index._blob = keys, None, blob
    return index
