"""Latency percentiles per dimension, and SQL statements grouped by their fingerprint."""

from __future__ import annotations

from typing import Any, Final

from remedyiq_analysis.explore.exceptions import ExploreError
from remedyiq_analysis.explore.filters import time_filter
from remedyiq_analysis.explore.models import EntryRef, FingerprintRow, PercentileBy, PercentileRow
from remedyiq_analysis.explore.rows import entry_id
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import iso_required

MAX_TOP: Final = 1000
FINGERPRINT_CAP: Final = 2000
DIMENSIONS: Final[dict[str, tuple[str, str]]] = {
    "api": ("api_code", "kind = 'call'"),
    "form": ("form", "kind = 'call'"),
    "table": ("sql_table", "kind = 'statement'"),
    "filter": ("filter_name", "kind = 'check'"),
    "queue": ("queue", "kind = 'call'"),
    "user": ("user", "kind = 'call'"),
    "client": ("client", "kind = 'call'"),
}
"""``by`` → (grouping column, the events grouped): API calls, SQL statements, filter checks."""


def _check_top(top: int) -> None:
    if not 1 <= top <= MAX_TOP:
        raise ExploreError(f"top must be 1..{MAX_TOP}")


def percentiles(
    scope: JobScope,
    *,
    by: PercentileBy,
    top: int = 50,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> list[PercentileRow]:
    """Duration percentiles per API code, form, SQL table, filter, queue, user or client.

    The ``top`` keys with the most total time (where the time goes), then by key. Percentiles
    are ClickHouse ``quantiles`` (approximate beyond 8,192 values per key).
    """
    _check_top(top)
    if by not in DIMENSIONS:
        raise ExploreError(f"unknown dimension {by!r}; use one of {', '.join(DIMENSIONS)}")
    column, events = DIMENSIONS[by]
    ranged = time_filter(start_ms, end_ms)
    found = scope.rows(
        f"SELECT toString({column}) AS key, count(), countIf(NOT success), min(duration_ms), "
        "quantiles(0.5, 0.9, 0.95, 0.99)(duration_ms), max(duration_ms), avg(duration_ms), "
        f"sum(duration_ms) AS total FROM $E WHERE $JOB AND {events} AND {ranged.where} "
        "GROUP BY key ORDER BY total DESC, key LIMIT {top:UInt32}",
        top=top,
        **ranged.params,
    )
    return [
        PercentileRow(
            key=key,
            count=int(n),
            errors=int(failed),
            error_rate=round(int(failed) / int(n), 6) if n else 0.0,
            min_ms=int(low),
            p50_ms=round(float(qs[0]), 3),
            p90_ms=round(float(qs[1]), 3),
            p95_ms=round(float(qs[2]), 3),
            p99_ms=round(float(qs[3]), 3),
            max_ms=int(high),
            avg_ms=round(float(mean), 3),
            total_ms=int(total),
        )
        for key, n, failed, low, qs, high, mean, total in found
    ]


def sql_fingerprints(
    scope: JobScope,
    *,
    top: int = 50,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> list[FingerprintRow]:
    """Completed SQL statements grouped by fingerprint, the most total time first.

    The fingerprint is ClickHouse's ``normalizeQueryKeepNames``: literals become ``?``, lists of
    literals (IN-lists, VALUES) ``?..``, while names stay — AR's ``T1234``/``C536870913`` table
    and column names tell statements apart, so they must not collapse (``normalizeQuery`` would
    fold every table of the same shape into one group). Its hash is the ``sql_fingerprint``
    column (computed at insert); the statements' text is read only for each group's slowest.
    """
    _check_top(top)
    ranged = time_filter(start_ms, end_ms)
    groups = scope.rows(
        "SELECT hex(sql_fingerprint) AS h, any(sql_action), any(sql_table), count(), "
        "countIf(NOT success), sum(duration_ms) AS total, avg(duration_ms), "
        "quantile(0.95)(duration_ms), max(duration_ms), "
        "argMax(tuple(file_number, line_number, trace_id, toUnixTimestamp64Milli(timestamp), "
        "duration_ms), duration_ms) "
        f"FROM $E WHERE $JOB AND kind = 'statement' AND {ranged.where} "
        "GROUP BY sql_fingerprint ORDER BY total DESC, h LIMIT {top:UInt32}",
        top=top,
        **ranged.params,
    )
    slowest = [group[-1] for group in groups]
    statements = _statements(scope, slowest) if slowest else {}
    rows = []
    for fid, action, tables, n, failed, total, mean, p95, high, example in groups:
        file_number, line, trace, ms, duration = example
        statement, text = statements.get((int(file_number), int(line)), ("", ""))
        rows.append(
            FingerprintRow(
                fingerprint_id=str(fid).lower(),
                fingerprint=str(text)[:FINGERPRINT_CAP],
                action=action,
                tables=[t for t in str(tables).split(", ") if t],
                count=int(n),
                failures=int(failed),
                total_ms=int(total),
                avg_ms=round(float(mean), 3),
                p95_ms=round(float(p95), 3),
                max_ms=int(high),
                example=EntryRef(
                    entry_id=entry_id(int(file_number), int(line)),
                    line=int(line),
                    file_number=int(file_number),
                    trace_id=trace,
                    time=iso_required(int(ms)),
                    duration_ms=int(duration),
                ),
                example_statement=str(statement)[:FINGERPRINT_CAP],
            )
        )
    return rows


def _statements(
    scope: JobScope, examples: list[tuple[Any, ...]]
) -> dict[tuple[int, int], tuple[str, str]]:
    """(file, line) → (statement, its normalized text) of these statements (by the sort key:
    their times select a few granules)."""
    found = scope.rows(
        "SELECT file_number, line_number, sql_statement, normalizeQueryKeepNames(sql_statement) "
        "FROM $E WHERE $JOB AND log_type = 'SQL' "
        "AND toUnixTimestamp64Milli(timestamp) IN {times:Array(Int64)} "
        "AND (file_number, line_number) IN {keys:Array(Tuple(UInt16, UInt32))}",
        times=sorted({int(e[3]) for e in examples}),
        keys=[(int(e[0]), int(e[1])) for e in examples],
    )
    return {(int(f), int(n)): (str(s), str(t)) for f, n, s, t in found}
