"""The ESCALATIONS section (analyzer-report-spec §2.5).

A run's delay is computed here, not by the parser: the latest ``going to fire in N seconds``
schedule of the same escalation, form and pool before the run's start gives the scheduled time
(ASOF join); the previous run of the pool is the latest one that completed before it started.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from remedyiq_analysis.report import AnalysisOptions, DelayedEscalation, EsclSection, EscRun
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.sections.aggregates import aggregates
from remedyiq_analysis.timefmt import iso, iso_required, seconds

COLUMNS = """line_number, ref_line, file_number, trace_id, rpc_id, esc_pool, esc_name, form,
    toUnixTimestamp64Milli(timestamp), duration_ms, error_encountered, records = 1"""
DELAY_THRESHOLD_MS = 5000


def _run(row: Sequence[Any]) -> EscRun:
    line, ref, file_number, trace, rpc, pool, name, form, start, duration, error, rebuilt = row
    return EscRun(
        line=int(line),
        ref_line=int(ref),
        file=int(file_number),
        trace_id=trace,
        rpc_id=rpc,
        pool=pool,
        escalation=name,
        form=form,
        start=iso_required(int(start)),
        duration_s=seconds(int(duration)),
        error=bool(error),
        reconstructed=bool(rebuilt),
    )


def _delayed(scope: JobScope) -> list[DelayedEscalation]:
    fetched = scope.rows(
        """
        SELECT r.line_number, r.ref_line, r.file_number, r.trace_id, r.rpc_id, r.esc_name,
               r.esc_pool, r.form, s.scheduled_ms, r.start_ms, r.start_ms - s.scheduled_ms AS delay
        FROM (SELECT *, toUnixTimestamp64Milli(timestamp) AS start_ms FROM $E
              WHERE $JOB AND kind IN ('run', 'run_open') AND records > 1) AS r
        ASOF JOIN (SELECT esc_name, form, esc_pool, toUnixTimestamp64Milli(timestamp) AS at_ms,
                          toUnixTimestamp64Milli(assumeNotNull(scheduled_time)) AS scheduled_ms
                   FROM $E WHERE $JOB AND kind = 'schedule' AND scheduled_time IS NOT NULL) AS s
          ON r.esc_name = s.esc_name AND r.form = s.form AND r.esc_pool = s.esc_pool
             AND r.start_ms >= s.at_ms
        WHERE abs(delay) > {threshold:Int64}
        ORDER BY delay DESC, r.start_ms, r.file_number, r.line_number
        """,
        threshold=DELAY_THRESHOLD_MS,
    )
    if not fetched:
        return []
    runs = scope.rows(
        """
        SELECT esc_pool, toUnixTimestamp64Milli(timestamp) + duration_ms AS end_ms, esc_name
        FROM $E WHERE $JOB AND kind = 'run' ORDER BY end_ms
        """
    )
    delayed = []
    for line, ref, file_number, trace, rpc, name, pool, form, scheduled, start, delay in fetched:
        previous = [(end, n) for p, end, n in runs if p == pool and int(end) <= int(start)]
        last = previous[-1] if previous else None
        delayed.append(
            DelayedEscalation(
                line=int(line),
                ref_line=int(ref),
                file=int(file_number),
                trace_id=trace,
                rpc_id=rpc,
                escalation=name,
                pool=pool,
                form=form,
                scheduled_time=iso_required(int(scheduled)),
                start=iso_required(int(start)),
                delay_s=seconds(int(delay)),
                previous_escalation=str(last[1]) if last else None,
                previous_end=iso(int(last[0])) if last else None,
            )
        )
    return delayed


def escl_section(scope: JobScope, options: AnalysisOptions) -> EsclSection:
    runs, failed = scope.one(
        "SELECT countIf(kind = 'run'), countIf(kind = 'run' AND error_encountered) "
        "FROM $E WHERE $JOB"
    )
    top = [
        _run(r)
        for r in scope.rows(
            f"SELECT {COLUMNS} FROM $E WHERE $JOB AND kind = 'run' "
            "ORDER BY duration_ms DESC, timestamp, file_number, line_number LIMIT {n:UInt32}",
            n=options.top_n,
        )
    ]
    tables = [
        aggregates(
            scope,
            grouping=label,
            group_expr=expr,
            key_label="Escalation",
            key_expr="esc_name",
            where="kind = 'run'",
            options=options,
        )
        for label, expr in (("Form", "form"), ("Pool", "esc_pool"))
    ]
    errors = [
        _run(r)
        for r in scope.rows(
            f"SELECT {COLUMNS} FROM $E WHERE $JOB AND kind = 'run' AND error_encountered "
            "ORDER BY timestamp, file_number, line_number"
        )
    ]
    exceptions = [
        _run(r)
        for r in scope.rows(
            f"SELECT {COLUMNS} FROM $E WHERE $JOB AND kind = 'run_open' "
            "ORDER BY timestamp, file_number, line_number"
        )
    ]
    return EsclSection(
        runs=int(runs),
        failed=int(failed),
        top=top,
        delayed=_delayed(scope)[: options.top_n],
        aggregates=tables,
        errors=errors,
        exceptions=exceptions,
    )
