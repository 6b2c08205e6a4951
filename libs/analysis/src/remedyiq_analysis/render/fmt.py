"""Value formatting exactly as the reference analyzer (a Java program) prints it.

The reference formats with ``String.format``: numbers round half-up on the shortest decimal
representation of the double (not on its binary value, unlike C's printf), padding counts UTF-16
code units, and a ``null`` argument prints as ``null``. These helpers reproduce that so that our
text report can be diffed against the reference's byte for byte.
"""

from __future__ import annotations

import math
import struct
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

# The reference prints the epoch when an escalation has no predecessor (a quirk kept for parity).
EPOCH_TEXT = "Thu Jan 01 1970 00:00:00.000"

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def jlen(text: str) -> int:
    """Length as Java counts it (UTF-16 code units): what the reference pads and sizes by."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def pad(text: str, width: int, *, left: bool) -> str:
    """``%-{width}s`` (``left``) or ``%{width}s``: pad, never truncate."""
    fill = " " * max(0, width - jlen(text))
    return text + fill if left else fill + text


def fixed(value: float, decimals: int) -> str:
    """Java's ``%.{decimals}f``: half-up on the shortest repr; ``NaN`` and ``Infinity`` spelled
    out as Java spells them."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    quantum = Decimal(1).scaleb(-decimals)
    return format(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP), "f")


def duration(seconds: float, decimals: int = 3) -> str:
    """The reference's duration format: ``0.122``, ``2:59.000`` (>= 60 s), ``51:00:00.000``
    (>= 1 h, hours not wrapped). Negative values keep Java's truncating arithmetic, so -59 s
    prints ``-59.000`` (an early escalation) and -61 s prints ``-1.000`` (as the reference)."""
    hours = math.trunc(seconds / 3600)
    minutes = math.trunc((seconds - hours * 3600) / 60)
    rest = fixed(math.fmod(seconds, 60), decimals)
    out = ""
    if hours > 0:
        out += f"{hours}:"
    if hours > 0 or minutes > 0:
        out += f"{minutes:02d}:" if hours > 0 else f"{minutes}:"
        while len(rest) < 3 + decimals:
            rest = "0" + rest
    return out + rest


def percent(value: float) -> str:
    """Busy% as ``%.2f%%``."""
    return fixed(value, 2) + "%"


def rate(value: float | None) -> str:
    """The 'Filters/sec' cell (really ms per filter): ``%.2f``; undefined (``None``) is ``NaN``."""
    return "NaN" if value is None else fixed(value, 2)


def timestamp(iso: str | None) -> str | None:
    """``2025-11-24T14:00:02.997`` -> ``Mon Nov 24 2025 14:00:02.997`` (English names, the
    wall-clock time of the ISO string); ``None`` stays ``None`` (printed as ``null``)."""
    if iso is None:
        return None
    moment = datetime.fromisoformat(iso)
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment.year:04d} {moment:%H:%M:%S}.{moment.microsecond // 1000:03d}"
    )


def f32(value: float) -> float:
    """Round to single precision: the reference keeps a few sums in Java ``float``."""
    result: float = struct.unpack("f", struct.pack("f", value))[0]
    return result


def elapsed(seconds: float) -> str:
    """General statistics' Elapsed Time: the reference divides milliseconds in ``float``."""
    millis = round(seconds * 1000)
    return duration(f32(f32(float(millis)) / 1000.0))
