"""Typed literals: numbers, durations with units, ISO-8601 times, booleans, LIKE patterns.

Every parser returns ``None`` for text it does not accept; the caller turns that into a
:class:`~remedyiq_query.errors.KqlError` that names the field and the accepted forms.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

INT64_MAX: Final = 2**63 - 1
MAX_DURATION_MS: Final = 1e15  # ~31,000 years: anything larger is a typo, not a query

BOOL_WORDS: Final[dict[str, bool]] = {
    "true": True,
    "false": False,
    "ok": True,
    "failed": False,
    "yes": True,
    "no": False,
}

_INT = re.compile(r"[+-]?\d{1,19}")
_FLOAT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
_DURATION = re.compile(
    r"(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?P<unit>ms|s|sec|m|min|h|hr|us|µs)?", re.IGNORECASE
)
_UNIT_MS: Final = {
    "": 1.0, "ms": 1.0, "s": 1e3, "sec": 1e3, "m": 6e4, "min": 6e4, "h": 3.6e6, "hr": 3.6e6,
    "us": 1e-3, "µs": 1e-3,
}  # fmt: skip
_TIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?)?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_MS: Final = 86_400_000


def parse_bool(text: str) -> bool | None:
    """``true/false``, ``ok/failed`` or ``yes/no`` in any case."""
    return BOOL_WORDS.get(text.lower())


def parse_int(text: str) -> int | None:
    """A whole number that fits Int64."""
    if not _INT.fullmatch(text):
        return None
    number = int(text)
    return number if -INT64_MAX - 1 <= number <= INT64_MAX else None


def parse_float(text: str) -> float | None:
    """A finite decimal number (exponent allowed)."""
    if not _FLOAT.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def parse_duration_ms(text: str) -> int | float | None:
    """Milliseconds from ``500``, ``500ms``, ``2s``, ``1.5m``, ``1h`` or ``250us``.

    Whole milliseconds come back as ``int`` so they bind as Int64; fractions stay ``float``.
    """
    match = _DURATION.fullmatch(text.strip())
    if not match:
        return None
    ms = float(match["num"]) * _UNIT_MS[(match["unit"] or "").lower()]
    if not math.isfinite(ms) or abs(ms) > MAX_DURATION_MS:
        return None
    return int(ms) if ms.is_integer() else ms


def parse_time(text: str) -> tuple[int, int] | None:
    """ISO-8601 to ``(epoch_ms, precision_ms)``; no zone means UTC, as the logs are stored.

    The precision is the unit of the last component written: ``2024-01-15`` is a whole day,
    ``2024-01-15T10:00`` a minute, ``…:00.123`` one millisecond.
    """
    match = _TIME.fullmatch(text.strip())
    if not match:
        return None
    parts = match.groupdict()
    fraction = parts["f"] or ""
    try:
        moment = datetime(
            int(parts["y"]),
            int(parts["mo"]),
            int(parts["d"]),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            int(parts["s"] or 0),
            int((fraction + "000000")[:6]),
            tzinfo=_zone(parts["tz"]),
        )
    except ValueError:  # month 13, hour 25, offset beyond a day …
        return None
    ms = (moment - _EPOCH) // timedelta(milliseconds=1)
    if fraction:
        step = 1
    elif parts["s"]:
        step = 1_000
    elif parts["mi"]:
        step = 60_000
    elif parts["h"]:
        step = 3_600_000
    else:
        step = _DAY_MS
    return ms, step


def _zone(text: str | None) -> timezone:
    if not text or text.upper() == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return timezone(-offset if text[0] == "-" else offset)


def like_escape(text: str) -> str:
    """Escape ``\\``, ``%`` and ``_`` so ClickHouse LIKE/ILIKE matches them literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(pieces: tuple[str, ...], *, anywhere: bool) -> str:
    """A LIKE pattern: literal pieces joined by ``%``; ``anywhere`` also opens both ends."""
    parts = list(pieces)
    if anywhere and parts[0]:
        parts.insert(0, "")
    if anywhere and parts[-1]:
        parts.append("")
    return "%".join(like_escape(p) for p in parts)


def glob_matches(pieces: tuple[str, ...], candidates: tuple[str, ...]) -> tuple[str, ...]:
    """The candidates a wildcard matches, case-insensitively (for enum values)."""
    regex = re.compile(".*".join(re.escape(p) for p in pieces), re.IGNORECASE | re.DOTALL)
    return tuple(c for c in candidates if regex.fullmatch(c))


_PLAIN = re.compile(r"[^\s\\()<>\"{}*:]+")
_KEYWORDS: Final = frozenset({"and", "or", "not"})


def quote_value(text: str) -> str:
    """The text as a KQL literal: as is when safe unquoted, else quoted with escapes."""
    if _PLAIN.fullmatch(text) and text.lower() not in _KEYWORDS:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
