"""Epoch milliseconds <-> the ISO-8601 strings of the report."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return (
        datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{ms % 1000:03d}"
    )


def iso_required(ms: int) -> str:
    value = iso(ms)
    assert value is not None
    return value


def seconds(ms: float) -> float:
    return round(ms / 1000.0, 3)


def parse_iso_ms(text: str) -> int:
    """``2025-11-24T14:00:02.997`` (naive = UTC wall clock) -> epoch ms."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)
