"""Timestamps of AR log records -> epoch milliseconds.

Formats (arlog-format.md §a.2, §a.8):

* classic ``EEE MMM dd yyyy HH:mm:ss.ffff`` (``Mon Nov 24 2025 14:47:03.3760``), with 3 or 4
  fractional digits and day/month names in the server's locale; the reference keeps milliseconds
  (drops the 4th digit), and so do we, so durations match it exactly;
* the variant ``EEE MMM dd HH:mm:ss.SSS yyyy`` the reference also accepts;
* ISO-8601 of Helix 25.x: ``2025-04-18T17:02:56.795+0000`` (converted to UTC).

Classic stamps carry no zone: their wall-clock time is stored as if it were UTC, which keeps the
times users see identical to the log. Parsing is cached per second, so the per-record cost is a
dict lookup and one ``int()``.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from remedyiq_arlog.locales import LOCALES, NAMES, month_table

_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_CACHE_LIMIT: Final = 100_000


class TimestampError(ValueError):
    """A timestamp that no supported format or locale can read."""


def _epoch_seconds(year: int, month: int, day: int, hms: str) -> int:
    hours, minutes, seconds = hms.split(":")
    days = date(year, month, day).toordinal() - _EPOCH_ORDINAL
    return days * 86_400 + int(hours) * 3_600 + int(minutes) * 60 + int(seconds)


def _millis(fraction: str) -> int:
    """Java's ``SSS`` reading: the first three digits are milliseconds (a 4th is dropped)."""
    digits = fraction[:3]
    if not digits.isdigit():
        raise TimestampError(f"bad fraction {fraction!r}")
    return int(digits)


def _iso_offset_seconds(offset: str) -> int:
    if offset in ("", "Z"):
        return 0
    sign = -1 if offset[0] == "-" else 1
    body = offset[1:].replace(":", "")
    if len(body) != 4 or not body.isdigit():
        raise TimestampError(f"bad zone offset {offset!r}")
    return sign * (int(body[:2]) * 3_600 + int(body[2:]) * 60)


class TimestampParser:
    """Reads record timestamps; remembers which locale the log turned out to use.

    ``locale=None`` detects it: every supported locale's month names are accepted (they do not
    conflict), and :attr:`detected_locale` names the first locale whose names matched — English is
    tried first, as the reference does. A forced locale accepts only its own names.
    """

    def __init__(self, locale: str | None = None) -> None:
        if locale is not None and locale not in NAMES:
            raise ValueError(f"unknown locale {locale!r}; supported: {', '.join(LOCALES)}")
        self.forced_locale = locale
        self.detected_locale: str | None = locale
        self.iso_seen = False
        self._months: dict[str, tuple[int, str]] = {}
        for name in (locale,) if locale else reversed(LOCALES):
            for token, number in month_table(name).items():
                self._months[token] = (number, name)  # reversed: earlier locales win on overlap
        self._seconds: dict[str, int] = {}

    def parse(self, text: str) -> int:
        """Epoch milliseconds of one stamp (the text between ``/* `` and `` */``)."""
        if len(text) > 27 and text[24:25] == ".":  # the usual "Mon Nov 24 2025 14:47:03.3760"
            seconds = self._seconds.get(text[:24])
            millis = text[25:28]
            if seconds is not None and millis.isdigit():
                return seconds * 1000 + int(millis)
        head, dot, fraction = text.rpartition(".")
        if not dot:
            raise TimestampError(f"no fractional seconds in {text!r}")
        if " " in fraction:  # "EEE MMM dd HH:mm:ss.SSS yyyy"
            fraction, _, year = fraction.partition(" ")
            head = f"{head} {year}"
        elif "T" in head:  # ISO-8601; the zone follows the fraction
            return self._parse_iso(head, fraction)
        seconds = self._seconds.get(head)
        if seconds is None:
            seconds = self._parse_head(head)
        return seconds * 1000 + _millis(fraction)

    def _parse_head(self, head: str) -> int:
        parts = head.split()
        if len(parts) != 5:
            raise TimestampError(f"unreadable timestamp {head!r}")
        if ":" in parts[3]:  # "EEE MMM dd HH:mm:ss yyyy" (year moved to the end above)
            parts[3], parts[4] = parts[4], parts[3]
        _day_name, month_name, day, year, hms = parts
        found = self._months.get(month_name.casefold())
        if found is None or not day.isdigit() or not year.isdigit():
            raise TimestampError(f"unreadable timestamp {head!r}")
        month, locale = found
        if self.detected_locale is None:
            self.detected_locale = locale
        try:
            seconds = _epoch_seconds(int(year), month, int(day), hms)
        except ValueError as exc:
            raise TimestampError(f"unreadable timestamp {head!r}: {exc}") from None
        if len(self._seconds) > _CACHE_LIMIT:
            self._seconds.clear()
        self._seconds[head] = seconds
        return seconds

    def _parse_iso(self, head: str, fraction_and_zone: str) -> int:
        self.iso_seen = True
        digits_end = 0
        while digits_end < len(fraction_and_zone) and fraction_and_zone[digits_end].isdigit():
            digits_end += 1
        fraction, zone = fraction_and_zone[:digits_end], fraction_and_zone[digits_end:]
        key = f"{head}{zone}"
        seconds = self._seconds.get(key)
        if seconds is None:
            day_part, _, hms = head.partition("T")
            try:
                year, month, day = (int(x) for x in day_part.split("-"))
                seconds = _epoch_seconds(year, month, day, hms) - _iso_offset_seconds(zone)
            except ValueError as exc:
                raise TimestampError(f"unreadable ISO timestamp {head!r}: {exc}") from None
            self._seconds[key] = seconds
        return seconds * 1000 + _millis(fraction)


def format_classic(ms: int) -> str:
    """``Mon Nov 24 2025 14:47:03.376`` — how the reference prints a time (English names)."""
    seconds, millis = divmod(ms, 1000)
    days, rest = divmod(seconds, 86_400)
    day = date.fromordinal(days + _EPOCH_ORDINAL)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    day_names, month_names = NAMES["en"]
    return (
        f"{day_names[day.weekday()]} {month_names[day.month - 1]} {day.day:02d} {day.year} "
        f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"
    )
