"""THREAD STATISTICS BY QUEUE (analyzer-report-spec §2.3.5, §2.4.3).

API threads count top-level calls only: a call contained in another completed call of the same
thread (begun after it, ended before it — SGE's inner SE and GE) is a sub-call. The window keeps
the largest end line of the calls begun earlier on the thread; a call is contained iff it is
smaller than that.
"""

from __future__ import annotations

from remedyiq_analysis.report import ThreadStat
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import iso_required, seconds

TOP_LEVEL_CALLS = """
    SELECT *, toUnixTimestamp64Milli(timestamp) AS start_ms,
           max(end_line) OVER (PARTITION BY file_number, thread_id ORDER BY line_number
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS enclosing_end
    FROM $E WHERE $JOB AND kind = 'call'
"""


def thread_stats(scope: JobScope, source: str, elapsed_ms: int) -> list[ThreadStat]:
    """Per (queue, thread) statistics over ``source`` (a sub-query of completed events)."""
    fetched = scope.rows(
        f"""
        SELECT queue, thread_id, min(start_ms), max(start_ms + duration_ms), count(),
               countIf(queue_time_ms > 0), sumIf(queue_time_ms, queue_time_ms > 0),
               sum(duration_ms)
        FROM ({source})
        GROUP BY queue, thread_id ORDER BY queue, thread_id
        """
    )
    return [
        ThreadStat(
            queue=str(queue),
            thread=str(thread),
            first_time=iso_required(int(first)),
            last_time=iso_required(int(last)),
            count=int(count),
            queued=int(queued),
            queue_s=round(float(queue_ms) / 1000.0, 4),
            total_s=seconds(int(total)),
            busy_pct=int(total) * 100.0 / elapsed_ms if elapsed_ms > 0 else 0.0,
        )
        for queue, thread, first, last, count, queued, queue_ms, total in fetched
    ]


def api_thread_stats(scope: JobScope, elapsed_ms: int) -> list[ThreadStat]:
    return thread_stats(
        scope, f"SELECT * FROM ({TOP_LEVEL_CALLS}) WHERE enclosing_end <= end_line", elapsed_ms
    )


def sql_thread_stats(scope: JobScope, elapsed_ms: int) -> list[ThreadStat]:
    return thread_stats(
        scope,
        "SELECT *, toUnixTimestamp64Milli(timestamp) AS start_ms FROM $E "
        "WHERE $JOB AND kind = 'statement'",
        elapsed_ms,
    )
