"""Simulation time → printed time, with server-wide freezes (the ``line_gaps`` anomaly).

Threads live on a *nominal* timeline (integer microseconds since the epoch). A freeze at nominal
time P of length D (think: stop-the-world GC pause, storage stall) shifts every moment at or after
P by D, so nothing is logged in the printed window (P, P+D). The map is monotonic, therefore
merging lines by nominal time also orders them by printed time, and calls running across a
freeze simply get longer. The freeze schedule is a pure function of the seed, generated lazily.
"""

from __future__ import annotations

import bisect
import random

from .timefmt import TimestampFormatter

FIRST_FREEZE_US = (500_000, 1_500_000)  # after the log start: small logs get one too
FREEZE_EVERY_US = (60_000_000, 240_000_000)
FREEZE_LENGTH_US = (2_000_000, 12_000_000)


class FreezeSchedule:
    """Lazily extended list of (nominal start, length) freezes."""

    __slots__ = ("_rng", "cumulative", "lengths", "starts")

    def __init__(self, seed: int, start_us: int) -> None:
        self._rng = random.Random(f"{seed}/freezes")
        first = start_us + self._rng.randint(*FIRST_FREEZE_US)
        length = self._rng.randint(*FREEZE_LENGTH_US)
        self.starts: list[int] = [first]
        self.lengths: list[int] = [length]
        self.cumulative: list[int] = [length]  # shift in effect from starts[i] on

    def _extend_past(self, t: int) -> None:
        while self.starts[-1] <= t:
            nxt = self.starts[-1] + self._rng.randint(*FREEZE_EVERY_US)
            length = self._rng.randint(*FREEZE_LENGTH_US)
            self.starts.append(nxt)
            self.lengths.append(length)
            self.cumulative.append(self.cumulative[-1] + length)

    def segment(self, t: int) -> tuple[int, int, int]:
        """(lo, hi, shift): every nominal time in [lo, hi) is shifted by ``shift``."""
        self._extend_past(t)
        i = bisect.bisect_right(self.starts, t)  # starts[i-1] <= t < starts[i]
        if i == 0:
            return (-(2**62), self.starts[0], 0)
        return (self.starts[i - 1], self.starts[i], self.cumulative[i - 1])

    def nominal_for(self, real: int) -> int:
        """Earliest nominal time printed at or after ``real`` (inverse of the shift map)."""
        self._extend_past(real)
        if real < self.starts[0]:
            return real
        i = bisect.bisect_right(self.starts, real) - 1  # shifts are >= 0: segment <= i
        while i > 0 and self.starts[i] + self.cumulative[i - 1] > real:
            i -= 1
        # candidate segments: i-1 (before starts[i]) or i (from starts[i], shift cumulative[i])
        prev_shift = self.cumulative[i - 1] if i > 0 else 0
        if real - prev_shift < self.starts[i]:
            return real - prev_shift
        return max(self.starts[i], real - self.cumulative[i])

    def count_between(self, lo: int, hi: int) -> int:
        """Freezes starting in (lo, hi] (nominal): each one is a silent window in the log."""
        self._extend_past(hi)
        return bisect.bisect_right(self.starts, hi) - bisect.bisect_right(self.starts, lo)


class Clock:
    """Formats nominal times; caches the current freeze segment (threads are close in time)."""

    __slots__ = ("_fmt", "_freezes", "_hi", "_lo", "_shift")

    def __init__(self, fmt: TimestampFormatter, freezes: FreezeSchedule | None) -> None:
        self._fmt = fmt
        self._freezes = freezes
        self._lo = -(2**62)
        self._hi = 2**62 if freezes is None else -(2**62)
        self._shift = 0

    def real(self, t: int) -> int:
        if not self._lo <= t < self._hi:
            assert self._freezes is not None
            self._lo, self._hi, self._shift = self._freezes.segment(t)
        return t + self._shift

    def ts(self, t: int) -> str:
        if not self._lo <= t < self._hi:
            assert self._freezes is not None
            self._lo, self._hi, self._shift = self._freezes.segment(t)
        return self._fmt.format(t + self._shift)

    def nominal_for(self, real: int) -> int:
        return real if self._freezes is None else self._freezes.nominal_for(real)

    def freezes_between(self, lo: int, hi: int) -> int:
        return 0 if self._freezes is None else self._freezes.count_between(lo, hi)
