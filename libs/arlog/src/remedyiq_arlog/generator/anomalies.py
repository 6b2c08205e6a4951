"""When to inject which anomaly: early once (so small logs show every kind), then at a low rate."""

from __future__ import annotations

import random
from typing import Final

from .config import AnomalyKind as K

#: kind → (first occurrence between lo and hi opportunities, then about every N opportunities).
#: An "opportunity" is the natural unit of the kind (an API call, a write transaction, a
#: filter check on a Fast thread, an escalation run, a work-log insert).
SCHEDULE: Final[dict[K, tuple[int, int, int]]] = {
    K.SLOW_CALLS: (6, 20, 700),
    K.API_ERRORS: (3, 12, 120),
    K.SQL_ERRORS: (2, 8, 160),
    K.THREAD_GAPS: (10, 40, 6000),
    K.QUEUED_CALLS: (2, 10, 150),
    K.MALFORMED_LINES: (5, 30, 3000),
    K.MULTILINE_SQL: (1, 3, 30),
    K.DELAYED_ESCALATIONS: (1, 3, 16),
    K.FAILING_ESCALATIONS: (1, 4, 14),
}


class AnomalyPlan:
    """Deterministic trigger counters per kind; also counts what was injected (for the truth)."""

    __slots__ = ("_countdown", "_rng", "enabled", "injected")

    def __init__(self, kinds: frozenset[K], rng: random.Random) -> None:
        self._rng = rng
        self.enabled = kinds
        self.injected: dict[K, int] = {}
        self._countdown: dict[K, int] = {}
        for kind, (lo, hi, _every) in SCHEDULE.items():
            if kind in kinds:
                self._countdown[kind] = rng.randint(lo, hi)

    def hit(self, kind: K) -> bool:
        """Count one opportunity for ``kind``; True when this one gets the anomaly."""
        left = self._countdown.get(kind)
        if left is None:
            return False
        if left > 1:
            self._countdown[kind] = left - 1
            return False
        every = SCHEDULE[kind][2]
        self._countdown[kind] = self._rng.randint(every // 2, every + every // 2)
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return True

    def note(self, kind: K, n: int = 1) -> None:
        """Record injections decided elsewhere (freezes, orphans, cut threads, last line)."""
        if n:
            self.injected[kind] = self.injected.get(kind, 0) + n
