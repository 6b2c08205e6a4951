"""Text tables of API calls and SQL statements: top lists, errors, exceptions, thread statistics."""

from __future__ import annotations

from collections.abc import Sequence

from remedyiq_analysis.render.fmt import duration, jlen, pad, percent, timestamp
from remedyiq_analysis.render.table import Row, table
from remedyiq_analysis.render.text_common import Page
from remedyiq_analysis.report import ApiCall, ApiException, SqlStatement, ThreadStat

SQL_OPEN = "WARNING: Start of SQL call has no corresponding end"
API_OPEN = "WARNING: Start of API call has no corresponding end"
API_ORPHAN_END = "WARNING: End of API call has no corresponding start"


def legend(page: Page, names: dict[str, str]) -> None:
    page.title("### API Call Abbreviation Legend")
    keys = sorted(names, key=lambda k: k.encode("utf-16-be"))
    width = max((jlen(k) for k in keys), default=0)
    page.extend([f"{pad(k, width, left=False)} = {names[k]}" for k in keys])


def _api_row(page: Page, call: ApiCall) -> Row:
    return {
        "Run Time": duration(call.duration_s),
        "Q Time": duration(call.queue_s),
        "First Line#": str(call.ref_line),
        "Line#": str(call.ref_line),
        "Last Line#": str(call.end_line),
        "End Line#": str(call.end_line),
        "File#": str(call.file),
        # The reference labels the queued table's file column "End File#" but fills it with the
        # start file (analyzer-report-spec §6, quirk 16).
        "End File#": str(call.file),
        page.id_column: page.ident(call.trace_id, call.rpc_id),
        "Queue": call.queue,
        "API": call.api,
        "Form": call.form,
        "User": call.user,
        "Start Time": timestamp(call.start),
        "Success": "true" if call.success else "false",
        "Error Message": call.error,
    }


def api_top(page: Page, calls: Sequence[ApiCall]) -> None:
    page.title(f"### {page.top_n} LONGEST RUNNING INDIVIDUAL API CALLS")
    columns = page.file_columns(
        "Run Time", "First Line#", "File#", "Last Line#", "File#", page.id_column,
        "Queue", "API", "Form", "Start Time", "Q Time", "Success",
    )  # fmt: skip
    rows = [_api_row(page, c) for c in calls]
    page.extend(table(page.widths, columns, {"Form", "TrID", "RPC ID"}, rows))


def api_top_queued(page: Page, queued: Sequence[ApiCall], top: Sequence[ApiCall]) -> None:
    """The queued-calls table. The reference sizes its columns over its top-N list by queue time,
    which, when fewer than N calls queued, is padded with the unqueued calls in run-time order:
    those are measured but not printed, so long forms of slow calls widen this table too."""
    if not top:
        return  # no completed call: the reference prints neither title nor message
    page.title(f"### {page.top_n} LONGEST QUEUED INDIVIDUAL API CALLS")
    if not queued:
        page.lines.append("No Queued API's")
        return
    columns = page.file_columns(
        "Q Time", "Run Time", "Line#", "End File#", page.id_column,
        "Queue", "API", "Form", "Start Time", "Success",
    )  # fmt: skip
    padding = [c for c in top if c.queue_s <= 0][: max(0, page.top_n - len(queued))]
    rows = [_api_row(page, c) for c in queued]
    measured = [*rows, *(_api_row(page, c) for c in padding)]
    page.extend(
        table(page.widths, columns, {"Form", "TrID", "RPC ID"}, rows, measured_rows=measured)
    )


def api_errors(page: Page, calls: Sequence[ApiCall]) -> None:
    if not calls:
        return
    page.title("### API CALLS THAT ERRORED OUT")
    columns = page.file_columns(
        "End Line#", "File#", page.id_column, "Queue", "API", "Form", "User",
        "Start Time", "Error Message",
    )  # fmt: skip
    rows = [_api_row(page, c) for c in calls]
    page.extend(table(page.widths, columns, {"Form", "User", "Error"}, rows))


def _sql_row(page: Page, stmt: SqlStatement) -> Row:
    return {
        "Run Time": duration(stmt.duration_s),
        "Line#": str(stmt.ref_line),
        "File#": str(stmt.file),
        page.id_column: page.ident(stmt.trace_id, stmt.rpc_id),
        "Queue": stmt.queue,
        "SQL": stmt.action,
        "Table": stmt.table,
        "User": stmt.user,
        "Start Time": timestamp(stmt.start),
        "Success": "true" if stmt.success else "false",
        "SQL Statement": stmt.statement,
        "Error Message": stmt.error,
    }


def sql_top(page: Page, statements: Sequence[SqlStatement]) -> None:
    page.title(f"### {page.top_n} LONGEST RUNNING INDIVIDUAL SQL CALLS")
    columns = page.file_columns(
        "Run Time", "Line#", "File#", page.id_column, "Queue", "Table",
        "Start Time", "Success", "SQL Statement",
    )  # fmt: skip
    rows = [_sql_row(page, s) for s in statements]
    resize = {"SQL", "Table", "TrID", "RPC ID", "SQL Statement"}
    page.extend(table(page.widths, columns, resize, rows))


def sql_errors(page: Page, statements: Sequence[SqlStatement]) -> None:
    if not statements:
        return
    page.title("### SQL CALLS THAT ERRORED OUT")
    columns = page.file_columns(
        "Line#", "File#", page.id_column, "SQL", "Table", "User", "Start Time", "Error Message"
    )
    rows = [_sql_row(page, s) for s in statements]
    page.extend(table(page.widths, columns, {"Form", "User", "TrID", "RPC ID"}, rows))


def _exception_table(
    page: Page, kind: str, heads: tuple[str, str], widths: tuple[int, int], rows: list[Row]
) -> None:
    """The exception reports use two ad-hoc right-aligned columns and take ``Line#`` and the ID
    column at whatever width the previous table left them."""
    page.title(f"### {kind} EXCEPTION REPORT")
    ident, line_w = page.id_column, page.widths["Line#"]

    def line(number: str, id_value: str | None, first: str, second: str) -> str:
        return " ".join(
            (
                pad(number, line_w, left=False),
                page.widths.cell(ident, id_value),
                pad(first, widths[0], left=False),
                pad(second, widths[1], left=False),
            )
        )

    page.lines.append(line("Line#", ident, *heads))
    page.lines.append(" ".join("-" * w for w in (line_w, page.widths[ident], *widths)))
    for row in rows:
        page.lines.append(line(row["Line#"] or "", row[ident], row["a"] or "", row["b"] or ""))
    page.lines.append("")


def api_exceptions(page: Page, exceptions: Sequence[ApiException]) -> None:
    if not exceptions:
        return
    rows: list[Row] = []
    for exc in exceptions:
        fallback = API_OPEN if exc.kind == "start_without_end" else API_ORPHAN_END
        rows.append(
            {
                "Line#": str(exc.ref_line),
                page.id_column: page.ident(exc.trace_id, exc.rpc_id),
                "a": exc.api,
                "b": exc.message or fallback,
            }
        )
    type_w = max([4, *(jlen(r["a"] or "") for r in rows)])
    message_w = max([5, *(jlen(r["b"] or "") for r in rows)])
    _exception_table(page, "API", ("Type", "Message"), (type_w, message_w), rows)


def sql_exceptions(page: Page, statements: Sequence[SqlStatement]) -> None:
    if not statements:
        return
    rows: list[Row] = [
        {
            "Line#": str(s.ref_line),
            page.id_column: page.ident(s.trace_id, s.rpc_id),
            "a": s.error or SQL_OPEN,
            "b": s.statement,
        }
        for s in statements
    ]
    # The message column is fixed at 23 (the warning overflows it); the statement column grows
    # with both the statements and the messages.
    statement_w = max([5, *(max(jlen(r["a"] or ""), jlen(r["b"] or "")) for r in rows)])
    _exception_table(page, "SQL", ("Message", "SQL Statement"), (23, statement_w), rows)


def thread_stats(page: Page, kind: str, stats: Sequence[ThreadStat], *, queued: bool) -> None:
    page.title(f"### {kind} THREAD STATISTICS BY QUEUE")
    columns = ["Queue", "Thread", "First Thread Time", "Last Thread Time", "Count"]
    columns += ["Q Count", "Q Time"] if queued else []
    columns += ["Total Time", "Busy%"]
    rows: list[Row] = []
    previous: str | None = None
    for stat in stats:
        rows.append(
            {
                "Queue": stat.queue if stat.queue != previous else "",
                "Thread": stat.thread,
                "First Thread Time": timestamp(stat.first_time),
                "Last Thread Time": timestamp(stat.last_time),
                "Count": str(stat.count),
                "Q Count": str(stat.queued) if stat.queued > 0 else "",
                "Q Time": duration(stat.queue_s, 1) if stat.queue_s > 0 else "",
                "Total Time": duration(stat.total_s),
                "Busy%": percent(stat.busy_pct),
            }
        )
        previous = stat.queue
    page.extend(table(page.widths, columns, (), rows))
