"""The SQL section (analyzer-report-spec §2.4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from remedyiq_analysis.report import AnalysisOptions, SqlSection, SqlStatement
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.sections.aggregates import aggregates
from remedyiq_analysis.sections.threads import sql_thread_stats
from remedyiq_analysis.timefmt import iso_required, seconds

COLUMNS = """line_number, ref_line, end_line, file_number, trace_id, rpc_id, queue, thread_id, user,
    sql_table, sql_action, toUnixTimestamp64Milli(timestamp), duration_ms, success,
    sql_statement, error_message"""


def _statement(row: Sequence[Any]) -> SqlStatement:
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
        table,
        action,
        start,
        duration,
        success,
        statement,
        error,
    ) = row
    return SqlStatement(
        line=int(line),
        ref_line=int(ref),
        end_line=int(end),
        file=int(file_number),
        trace_id=trace,
        rpc_id=rpc,
        queue=queue,
        thread=thread,
        user=user,
        table=table,
        action=action,
        start=iso_required(int(start)),
        duration_s=seconds(int(duration)),
        success=bool(success),
        statement=statement,
        error=error,
    )


def sql_section(scope: JobScope, options: AnalysisOptions, elapsed_ms: int) -> SqlSection:
    statements, ok, failed = scope.one(
        "SELECT countIf(kind = 'statement'), countIf(kind = 'statement' AND success), "
        "countIf(kind = 'statement' AND NOT success) FROM $E WHERE $JOB"
    )
    order = "duration_ms DESC, timestamp, file_number, line_number"
    top = [
        _statement(r)
        for r in scope.rows(
            f"SELECT {COLUMNS} FROM $E WHERE $JOB AND kind = 'statement' ORDER BY {order} "
            "LIMIT {n:UInt32}",
            n=options.top_n,
        )
    ]
    groupings = [("Table", "sql_table")]
    if "user" in options.group_by or options.users:
        groupings.append(("User", "user"))
    if "queue" in options.group_by:
        groupings.append(("Queue", "queue"))
    tables = [
        aggregates(
            scope,
            grouping=label,
            group_expr=expr,
            key_label="SQL",
            key_expr="sql_action",
            where="kind = 'statement'",
            options=options,
        )
        for label, expr in groupings
    ]
    errors = [
        _statement(r)
        for r in scope.rows(
            f"SELECT {COLUMNS} FROM $E WHERE $JOB AND kind = 'statement' AND NOT success "
            f"ORDER BY {order}"
        )
    ]
    exceptions = [
        _statement(r)
        for r in scope.rows(
            f"SELECT {COLUMNS} FROM $E WHERE $JOB AND kind = 'statement_open' "
            "ORDER BY timestamp, file_number, line_number"
        )
    ]
    return SqlSection(
        statements=int(statements),
        ok=int(ok),
        failed=int(failed),
        top=top,
        aggregates=tables,
        thread_stats=sql_thread_stats(scope, elapsed_ms),
        errors=errors,
        exceptions=exceptions,
    )
