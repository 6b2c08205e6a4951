"""The filter tables (analyzer-report-spec §2.6).

Transactions are keyed by Trace ID (by RPC ID in logs without Trace IDs). Their Filter Count is the
largest ``Number Of Filters`` (0-based, as the reference) and their operation/form/request id come
from the first ``Start filter processing (phase 1)`` record; "ms per filter" is (last − first
Checking time) / Filter Count — the figure the reference mislabels "Filters/sec".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from remedyiq_analysis.javaorder import hashmap_order
from remedyiq_analysis.report import (
    AnalysisOptions,
    FilterCount,
    FilterRun,
    FltrSection,
    Transaction,
    TransactionFilter,
)
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import iso_required, seconds

FILTER_ROWS = "log_type = 'FLTR' AND kind NOT IN ('ignored', 'malformed')"


def _transactions_sql(key: str) -> str:
    return f"""
        SELECT {key} AS tx,
               argMin(tuple(line_number, ref_line, file_number, trace_id, rpc_id),
                      tuple(file_number, line_number)) AS first_row,
               maxIf(filter_number, kind IN ('check', 'check_open')) AS filter_count,
               countIf(kind IN ('check', 'check_open')) AS checks,
               maxIf(filter_level, kind IN ('check', 'check_open')) AS max_level,
               argMinIf(tuple(operation, form, request_id), tuple(file_number, line_number),
                        kind = 'phase' AND phase_marker = 'start' AND filter_phase = 1) AS origin,
               minIf(toUnixTimestamp64Milli(timestamp), kind IN ('check', 'check_open'))
                   AS first_check,
               maxIf(toUnixTimestamp64Milli(timestamp), kind IN ('check', 'check_open'))
                   AS last_check,
               min(tuple(timestamp, file_number, line_number)) AS first_seen
        FROM $E WHERE $JOB AND {FILTER_ROWS}
        GROUP BY tx
    """


def _transaction(row: Sequence[Any]) -> Transaction:
    _tx, first, filter_count, checks, max_level, origin, first_check, last_check, _seen = row
    line, ref, file_number, trace, rpc = first
    span = int(last_check) - int(first_check) if int(checks) else 0
    per_filter = (
        span / int(filter_count) if int(filter_count) else (math.nan if span == 0 else math.inf)
    )
    return Transaction(
        line=int(line),
        ref_line=int(ref),
        file=int(file_number),
        trace_id=trace,
        rpc_id=rpc,
        filter_count=int(filter_count),
        checks=int(checks),
        max_level=int(max_level),
        operation=origin[0],
        form=origin[1],
        request_id=origin[2],
        ms_per_filter=None
        if math.isnan(per_filter) or math.isinf(per_filter)
        else round(per_filter, 4),
        filters_per_s=round(int(checks) * 1000.0 / span, 4) if span > 0 else None,
    )


def _reference_order(
    rows: Sequence[Sequence[Any]],
    key: Callable[[Sequence[Any]], str],
    metric: Callable[[Sequence[Any]], int],
) -> list[Sequence[Any]]:
    """``rows`` (in first-seen order) sorted by ``metric``, ties in the reference's hash order."""
    ordered = [rows[i] for i in hashmap_order([key(r) for r in rows])]
    return sorted(ordered, key=metric)


def fltr_section(scope: JobScope, options: AnalysisOptions, has_trace_ids: bool) -> FltrSection:
    n = options.top_n
    key = "trace_id" if has_trace_ids else "rpc_id"
    transactions, checks, passed, failed, failed_else = scope.one(
        f"""
        SELECT uniqExactIf({key}, {FILTER_ROWS}),
               countIf(kind IN ('check', 'check_open')),
               countIf(filter_result = 'passed'),
               countIf(filter_result IN ('failed', 'failed_else')),
               countIf(filter_result = 'failed_else')
        FROM $E WHERE $JOB
        """
    )
    top = [
        FilterRun(
            line=int(line),
            ref_line=int(ref),
            end_line=int(end),
            file=int(file_number),
            trace_id=trace,
            rpc_id=rpc,
            queue=queue,
            thread=thread,
            filter=name,
            start=iso_required(int(start)),
            duration_s=seconds(int(duration)),
        )
        for (line, ref, end, file_number, trace, rpc, queue, thread, name, start, duration) in (
            scope.rows(
                """
            SELECT line_number, ref_line, end_line, file_number, trace_id, rpc_id, queue, thread_id,
                   filter_name, toUnixTimestamp64Milli(timestamp), duration_ms
            FROM $E WHERE $JOB AND kind = 'check'
            ORDER BY duration_ms DESC, timestamp, file_number, line_number LIMIT {n:UInt32}
            """,
                n=n,
            )
        )
    ]
    counted = scope.rows(
        """
        SELECT filter_name, countIf(filter_result = 'passed') AS p,
               countIf(filter_result = 'failed_else') AS f
        FROM $E WHERE $JOB AND kind IN ('check', 'check_open')
        GROUP BY filter_name ORDER BY min(tuple(timestamp, file_number, line_number))
        """
    )
    most_executed = [
        FilterCount(filter=name, passed=int(p), failed=int(f))
        for name, p, f in _reference_order(counted, lambda r: str(r[0]), lambda r: -(r[1] + r[2]))
    ][:n]
    transactions_sql = _transactions_sql(key)
    everything = scope.rows(f"SELECT * FROM ({transactions_sql}) ORDER BY first_seen")
    by_count = _reference_order(everything, lambda r: str(r[0]), lambda r: -int(r[2]))
    most_filters = [_transaction(r) for r in by_count[:n]]
    # the reference sorts the same list again, by level: ties keep the filter-count order
    most_levels = [_transaction(r) for r in sorted(by_count, key=lambda r: -int(r[4]))[:n]]
    per_transaction = [
        TransactionFilter(
            line=int(first[0]),
            ref_line=int(first[1]),
            file=int(first[2]),
            trace_id=first[3],
            rpc_id=first[4],
            filter=name,
            passed=int(p),
            failed=int(f),
        )
        for name, p, f, first in scope.rows(
            f"""
            SELECT c.filter_name, c.p, c.f, t.first_row
            FROM (SELECT {key} AS tx, filter_name, countIf(filter_result = 'passed') AS p,
                         countIf(filter_result = 'failed_else') AS f, min(line_number) AS seen
                  FROM $E WHERE $JOB AND kind IN ('check', 'check_open')
                  GROUP BY tx, filter_name HAVING p + f > 0) AS c
            JOIN ({transactions_sql}) AS t ON c.tx = t.tx
            ORDER BY c.p + c.f DESC, t.first_seen, c.seen
            LIMIT {{n:UInt32}}
            """,
            n=n,
        )
    ]
    return FltrSection(
        transactions=int(transactions),
        checks=int(checks),
        passed=int(passed),
        failed=int(failed),
        failed_with_else=int(failed_else),
        top=top,
        most_executed=most_executed,
        most_filters=most_filters,
        most_executed_per_transaction=per_transaction,
        most_levels=most_levels,
    )
