"""WHERE clauses the explorer shares: a time range, a compiled KQL query, and its cost class.

Parameter names here (``t_*`` for the range, ``q*`` from the KQL compiler) never clash with
the scope's (``tenant``, ``job``, ``jobs``) nor with a caller's keyset (``k*``) parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from remedyiq_analysis.explore.exceptions import ExploreError
from remedyiq_query import CompiledQuery, compile_query

MS_MIN: Final = 0
MS_MAX: Final = 253_402_300_799_999  # 9999-12-31T23:59:59.999


@dataclass(frozen=True, slots=True)
class Filter:
    """``where`` (to AND after ``$JOB``) and its parameters."""

    where: str
    params: dict[str, Any] = field(default_factory=dict)
    query: CompiledQuery | None = None

    @property
    def heavy(self) -> bool:
        """A substring or pattern scan of a text column without an id to narrow it."""
        if self.query is None:
            return False
        chosen = self.query.selectivity
        return not chosen.selective and (chosen.scan_terms > 0 or chosen.leading_wildcard)

    def and_(self, sql: str, **params: Any) -> Filter:
        """This filter AND ``sql`` (with its own parameters)."""
        return Filter(f"{self.where} AND ({sql})", {**self.params, **params}, self.query)


def check_range(start_ms: int | None, end_ms: int | None) -> None:
    for value in (start_ms, end_ms):
        if value is not None and not MS_MIN <= value <= MS_MAX:
            raise ExploreError(f"time {value} is out of range (epoch milliseconds expected)")
    if start_ms is not None and end_ms is not None and end_ms < start_ms:
        raise ExploreError("the end of the time range is before its start")


def time_filter(start_ms: int | None, end_ms: int | None) -> Filter:
    """``start_ms <= timestamp < end_ms`` (either side optional; epoch milliseconds)."""
    check_range(start_ms, end_ms)
    parts = ["1"]
    params: dict[str, Any] = {}
    if start_ms is not None:
        parts.append("timestamp >= fromUnixTimestamp64Milli({t_start:Int64}, 'UTC')")
        params["t_start"] = start_ms
    if end_ms is not None:
        parts.append("timestamp < fromUnixTimestamp64Milli({t_end:Int64}, 'UTC')")
        params["t_end"] = end_ms
    return Filter(" AND ".join(parts), params)


def kql_filter(kql: str | None, start_ms: int | None = None, end_ms: int | None = None) -> Filter:
    """The time range AND the compiled KQL (raises :class:`remedyiq_query.KqlError`)."""
    compiled = compile_query(kql or "")
    ranged = time_filter(start_ms, end_ms)
    where = f"{ranged.where} AND ({compiled.where})"
    return Filter(where, {**ranged.params, **compiled.params}, compiled)
