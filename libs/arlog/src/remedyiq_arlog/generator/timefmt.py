"""Timestamp text of the ``/* … */`` header part, fast (per-second prefix cache + suffix tables).

Classic: ``EEE MMM dd yyyy HH:mm:ss.ffff`` with the day/month names Java's SimpleDateFormat
prints for the server locale. ``classic`` keeps the 4th fractional digit at 0 (what every real
9.x-20.x line shows: the Java server has millisecond resolution), ``classic4`` fills it (23.x
fixture style). ``iso`` is the Helix 25.x form ``2025-04-18T17:02:56.795+0000``.
"""

from __future__ import annotations

import time
from typing import Final

from remedyiq_arlog.locales import COMPAT_MONTHS, NAMES

from .config import Locale, TimestampStyle

# Index 0 = Monday (time.struct_time.tm_wday), months 0 = January.
# "de" is what Java 8 (JRE/COMPAT locale data, the JVM of AR 9.x) prints; "de-cldr" is Java 9+'s
# default CLDR data (AR 20.x+). French is the same in both. Verified with java 17 SimpleDateFormat
# ("EEE MMM dd yyyy", -Djava.locale.providers=COMPAT for the Java 8 names).
_NAMES: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "en": NAMES["en"],
    "de": (("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"), COMPAT_MONTHS["de"]),
    "de-cldr": NAMES["de"],
    "fr": NAMES["fr"],
}

_FRAC_MS0: Final = tuple(f"{i:03d}0" for i in range(1000))  # classic: ms + constant 0
_FRAC_4: Final = tuple(f"{i:04d}" for i in range(10000))  # classic4: 1/10,000 s
_FRAC_ISO: Final = tuple(f"{i:03d}+0000" for i in range(1000))


class TimestampFormatter:
    """Formats epoch microseconds (UTC) as header timestamps; consecutive calls share seconds."""

    __slots__ = ("_cache", "_days", "_iso", "_months", "_sec", "_sec_prefix", "_ten_thousandths")

    def __init__(self, style: TimestampStyle, locale: Locale) -> None:
        self._iso = style == "iso"
        self._ten_thousandths = style == "classic4"
        self._days, self._months = _NAMES[locale]
        self._sec = -1
        self._sec_prefix = ""
        self._cache: dict[int, str] = {}

    def _prefix(self, sec: int) -> str:
        cached = self._cache.get(sec)
        if cached is not None:
            return cached
        tm = time.gmtime(sec)
        if self._iso:
            text = (
                f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}"
                f"T{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}."
            )
        else:
            text = (
                f"{self._days[tm.tm_wday]} {self._months[tm.tm_mon - 1]} {tm.tm_mday:02d} "
                f"{tm.tm_year:04d} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}."
            )
        if len(self._cache) > 256:  # threads only ever straddle a few seconds
            self._cache.clear()
        self._cache[sec] = text
        return text

    def format(self, epoch_us: int) -> str:
        sec = epoch_us // 1_000_000
        if sec != self._sec:
            self._sec = sec
            self._sec_prefix = self._prefix(sec)
        if self._ten_thousandths:
            return self._sec_prefix + _FRAC_4[(epoch_us // 100) % 10000]
        if self._iso:
            return self._sec_prefix + _FRAC_ISO[(epoch_us // 1000) % 1000]
        return self._sec_prefix + _FRAC_MS0[(epoch_us // 1000) % 1000]
