"""The API section (analyzer-report-spec §2.3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from remedyiq_analysis.report import AnalysisOptions, ApiCall, ApiException, ApiSection
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.sections.aggregates import aggregates
from remedyiq_analysis.sections.threads import TOP_LEVEL_CALLS, api_thread_stats
from remedyiq_analysis.timefmt import iso_required, seconds

CALL_COLUMNS = """line_number, ref_line, end_line, file_number, trace_id, rpc_id, queue, thread_id,
    user, api_code, form, client, client_ip, toUnixTimestamp64Milli(timestamp), duration_ms,
    queue_time_ms, success, error_message"""

GROUPINGS = [
    ("Form", "form"),
    ("Client", "client"),
    ("Client IP", "if(client_ip = '', 'null', client_ip)"),
]


def _call(row: Sequence[Any]) -> ApiCall:
    (
        line,
        ref,
        end,
        file_number,
        trace,
        rpc,
        queue,
        thread,
        user,
        api,
        form,
        client,
        ip,
        start,
        duration,
        queued,
        success,
        error,
    ) = row
    return ApiCall(
        line=int(line),
        ref_line=int(ref),
        end_line=int(end),
        file=int(file_number),
        trace_id=trace,
        rpc_id=rpc,
        queue=queue,
        thread=thread,
        user=user,
        api=api,
        form=form,
        client=client,
        client_ip=ip,
        start=iso_required(int(start)),
        duration_s=seconds(int(duration)),
        queue_s=round(float(queued) / 1000.0, 4),
        success=bool(success),
        error=error,
    )


def api_section(scope: JobScope, options: AnalysisOptions, elapsed_ms: int) -> ApiSection:
    n = options.top_n
    calls, ok, failed, queued = scope.one(
        "SELECT countIf(kind = 'call'), countIf(kind = 'call' AND success), "
        "countIf(kind = 'call' AND NOT success), countIf(kind = 'call' AND queue_time_ms > 0) "
        "FROM $E WHERE $JOB"
    )
    (top_level,) = scope.one(
        f"SELECT count() FROM ({TOP_LEVEL_CALLS}) WHERE enclosing_end <= end_line"
    )
    legend = {
        str(code): str(name)
        for code, name in scope.rows(
            "SELECT api_code, any(api_name) FROM $E WHERE $JOB "
            "AND kind IN ('call', 'call_open') AND api_code != '' "
            "GROUP BY api_code ORDER BY api_code"
        )
    }
    order = "duration_ms DESC, timestamp, file_number, line_number"
    top = [
        _call(r)
        for r in scope.rows(
            f"SELECT {CALL_COLUMNS} FROM $E WHERE $JOB AND kind = 'call' "
            f"ORDER BY {order} LIMIT {{n:UInt32}}",
            n=n,
        )
    ]
    top_queued = [
        _call(r)
        for r in scope.rows(
            f"SELECT {CALL_COLUMNS} FROM $E WHERE $JOB AND kind = 'call' AND queue_time_ms > 0 "
            "ORDER BY queue_time_ms DESC, timestamp, file_number, line_number LIMIT {n:UInt32}",
            n=n,
        )
    ]
    groupings = list(GROUPINGS)
    if "user" in options.group_by or options.users:
        groupings.append(("User", "user"))
    if "queue" in options.group_by:
        groupings.append(("Queue", "queue"))
    tables = [
        aggregates(
            scope,
            grouping=label,
            group_expr=expr,
            key_label="API",
            key_expr="api_code",
            where="kind = 'call'",
            options=options,
        )
        for label, expr in groupings
    ]
    errors = [
        _call(r)
        for r in scope.rows(
            f"SELECT {CALL_COLUMNS} FROM $E WHERE $JOB AND kind = 'call' AND NOT success "
            "ORDER BY timestamp, file_number, line_number"
        )
    ]
    exceptions = [
        ApiException(
            line=int(line),
            ref_line=int(ref),
            file=int(file_number),
            trace_id=trace,
            rpc_id=rpc,
            api=api,
            kind="start_without_end" if kind == "call_open" else "end_without_start",
            message="WARNING: Start of API call has no corresponding end"
            if kind == "call_open"
            else "WARNING: End of API call has no corresponding start",
        )
        for line, ref, file_number, trace, rpc, api, kind in scope.rows(
            "SELECT line_number, ref_line, file_number, trace_id, rpc_id, api_code, toString(kind) "
            "FROM $E WHERE $JOB AND kind IN ('call_open', 'call_orphan_end') "
            "ORDER BY timestamp, file_number, line_number"
        )
    ]
    return ApiSection(
        calls=int(calls),
        ok=int(ok),
        failed=int(failed),
        queued=int(queued),
        sub_calls=int(calls) - int(top_level),
        legend=legend,
        top=top,
        top_queued=top_queued,
        aggregates=tables,
        thread_stats=api_thread_stats(scope, elapsed_ms),
        errors=errors,
        exceptions=exceptions,
    )
