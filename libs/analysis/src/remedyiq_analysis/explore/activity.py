"""Activity over time: events per bucket and log type, with latency percentiles and the API
calls in flight — the dashboard's charts and the report's optional ``timeline``."""

from __future__ import annotations

from typing import Final

from remedyiq_analysis.explore.exceptions import ExploreError
from remedyiq_analysis.explore.filters import time_filter
from remedyiq_analysis.explore.models import TimeBucket
from remedyiq_analysis.explore.windows import span_stats
from remedyiq_analysis.report import TimelinePoint
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import iso_required

EVENTS: Final = "kind IN ('call', 'statement', 'check', 'run')"
"""What is counted: completed API calls, SQL statements, filter checks, escalation runs."""
MAX_BUCKETS: Final = 100_000


def timeseries(
    scope: JobScope,
    *,
    bucket_s: int = 60,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> list[TimeBucket]:
    """Per bucket of ``bucket_s`` seconds (aligned on the epoch) and log type: events started,
    failures, p50/p95/p99/max duration; API rows also carry the API calls in flight.

    Buckets without events of a type are left out (API buckets with calls in flight stay).
    """
    if not 1 <= bucket_s <= 86_400:
        raise ExploreError("bucket_s must be 1..86400")
    width = bucket_s * 1000
    total, low, high = span_stats(scope, start_ms, end_ms)
    if not total:
        return []
    if (high - low) // width + 1 > MAX_BUCKETS:
        raise ExploreError(f"more than {MAX_BUCKETS:,} buckets: use a larger bucket_s")
    ranged = time_filter(start_ms, end_ms)
    events = scope.rows(
        "SELECT intDiv(toUnixTimestamp64Milli(timestamp), {width:Int64}) AS b, "
        "toString(log_type) AS t, count(), countIf(NOT success), "
        "quantiles(0.5, 0.95, 0.99)(duration_ms), max(duration_ms) "
        f"FROM $E WHERE $JOB AND {EVENTS} AND {ranged.where} GROUP BY b, t ORDER BY b, t",
        width=width,
        **ranged.params,
    )
    flying = _in_flight(scope, width, low, high)
    points = {
        (int(b), str(t)): (int(n), int(failed), [round(float(q), 3) for q in qs], int(top))
        for b, t, n, failed, qs, top in events
    }
    for b in flying:
        points.setdefault((b, "API"), (0, 0, [0.0, 0.0, 0.0], 0))
    return [
        TimeBucket(
            start=iso_required(b * width),
            start_ms=b * width,
            bucket_s=bucket_s,
            log_type=t,
            count=n,
            errors=failed,
            p50_ms=qs[0],
            p95_ms=qs[1],
            p99_ms=qs[2],
            max_ms=top,
            in_flight=flying.get(b, 0) if t == "API" else None,
        )
        for (b, t), (n, failed, qs, top) in sorted(points.items())
    ]


def _in_flight(scope: JobScope, width: int, low: int, high: int) -> dict[int, int]:
    """API calls running at some moment of each bucket in ``[low, high]`` (nonzero only)."""
    deltas = scope.rows(
        "SELECT b, sum(d) FROM ("
        "SELECT arrayJoin([(intDiv(s, {width:Int64}), 1), (intDiv(s + duration_ms, {width:Int64})"
        " + 1, -1)]) AS p, tupleElement(p, 1) AS b, tupleElement(p, 2) AS d FROM ("
        "SELECT toUnixTimestamp64Milli(timestamp) AS s, duration_ms FROM $E WHERE $JOB "
        "AND kind = 'call' AND s <= {f_high:Int64} AND s + duration_ms >= {f_low:Int64})"
        ") GROUP BY b ORDER BY b",
        width=width,
        f_low=low,
        f_high=high,
    )
    first, last = low // width, high // width
    running = 0
    flying: dict[int, int] = {}
    steps = [(int(b), int(d)) for b, d in deltas]
    for i, (b, d) in enumerate(steps):
        running += d
        until = steps[i + 1][0] if i + 1 < len(steps) else b + 1
        if running > 0:
            for bucket in range(max(b, first), min(until, last + 1)):
                flying[bucket] = running
    return flying


def to_timeline(points: list[TimeBucket]) -> list[TimelinePoint]:
    """The report's per-minute ``timeline`` from minute buckets (``bucket_s=60``).

    Buckets of other widths would mislabel minutes: they raise ``ValueError``. Buckets with no
    events started (API rows kept only for calls in flight) are left out.
    """
    if any(p.bucket_s != 60 for p in points):
        raise ValueError("the report's timeline needs minute buckets (bucket_s=60)")
    per_minute: dict[tuple[str, str], TimelinePoint] = {}
    for p in points:
        if p.count:
            per_minute[(p.start, p.log_type)] = TimelinePoint(
                minute=p.start,
                log_type=p.log_type,
                count=p.count,
                errors=p.errors,
                p50_s=round(p.p50_ms / 1000.0, 3),
                p95_s=round(p.p95_ms / 1000.0, 3),
            )
    return [per_minute[k] for k in sorted(per_minute)]
