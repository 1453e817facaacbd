"""Progress of long work, as one fraction over the job's real stages.

Library functions that can run long take ``progress``: a callable
``progress(done, total, stage)``, or None. :class:`Stages` turns the progress
of each stage into progress of the whole job, so one bar tracks everything
(reading, loading, deriving, validating), not only the parsing. The CLI draws
it on a terminal (:mod:`kg.cli`); nothing is drawn otherwise.

>>> seen = []
>>> job = Stages(lambda done, total, stage: seen.append((round(done / total, 2), stage)),
...              {"read": 3, "derive": 1})
>>> job("read", 1, 2); job("read", 2, 2); job("derive", 1, 1)
>>> seen
[(0.38, 'read'), (0.75, 'read'), (1.0, 'derive')]
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]


class Stages:
    """One job made of weighted stages, reported as one ``done/total`` to a callback.

    Args:
        callback: ``callback(done, total, stage)``, or None to report nothing.
        weights: stage name → its share of the job (any scale), in order.
    """

    SCALE = 1000

    def __init__(self, callback: Progress | None, weights: dict[str, float]):
        self.callback = callback
        total = sum(weights.values()) or 1
        self.start: dict[str, float] = {}
        self.share: dict[str, float] = {}
        acc = 0.0
        for name, w in weights.items():
            self.start[name], self.share[name] = acc / total, w / total
            acc += w

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.callback is None:
            return
        frac = self.start.get(stage, 0.0) + self.share.get(stage, 0.0) * (done / total if total else 1.0)
        self.callback(round(frac * self.SCALE), self.SCALE, stage)

    def done(self, stage: str) -> None:
        """Mark a stage as finished."""
        self(stage, 1, 1)
