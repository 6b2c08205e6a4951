"""Text tables of escalations and filters."""

from __future__ import annotations

from collections.abc import Sequence

from remedyiq_analysis.render.fmt import EPOCH_TEXT, duration, rate, timestamp
from remedyiq_analysis.render.table import Row, table
from remedyiq_analysis.render.text_common import Page
from remedyiq_analysis.report import (
    DelayedEscalation,
    EscRun,
    FilterCount,
    FilterRun,
    FltrSection,
    Transaction,
    TransactionFilter,
)

_ESC_RESIZE = {"Form", "Escalation", "TrID", "RPC ID"}


def _run_row(page: Page, run: EscRun) -> Row:
    return {
        "Run Time": duration(run.duration_s),
        "Line#": str(run.ref_line),
        "File#": str(run.file),
        page.id_column: page.ident(run.trace_id, run.rpc_id),
        "Pool": run.pool,
        "Escalation": run.escalation,
        "Form": run.form,
        "Start Time": timestamp(run.start),
        "Error": "true" if run.error else "",
    }


def esc_top(page: Page, runs: Sequence[EscRun]) -> None:
    page.title(f"### {page.top_n} LONGEST RUNNING INDIVIDUAL ESCALATION CALLS")
    columns = page.file_columns(
        "Run Time", "Line#", "File#", page.id_column, "Pool", "Escalation", "Form",
        "Start Time", "Error",
    )  # fmt: skip
    page.extend(table(page.widths, columns, _ESC_RESIZE, [_run_row(page, r) for r in runs]))


def _delayed_row(page: Page, esc: DelayedEscalation) -> Row:
    return {
        "Line#": str(esc.ref_line),
        "File#": str(esc.file),
        page.id_column: page.ident(esc.trace_id, esc.rpc_id),
        "Escalation": esc.escalation,
        "Pool": esc.pool,
        "Form": esc.form,
        "Scheduled Time": timestamp(esc.scheduled_time),
        "Start Time": timestamp(esc.start),
        "Delay": duration(esc.delay_s),
        # No predecessor on the pool: the reference prints null and the epoch (kept for parity).
        "Previous Escalation": esc.previous_escalation,
        "Previous Esc End Time": timestamp(esc.previous_end) or EPOCH_TEXT,
    }


def esc_delayed(page: Page, delayed: Sequence[DelayedEscalation]) -> None:
    if not delayed:
        return
    page.title("### ESC CALLS THAT GOT DELAYED")
    columns = page.file_columns(
        "Line#", "File#", page.id_column, "Escalation", "Pool", "Form", "Scheduled Time",
        "Start Time", "Delay", "Previous Escalation", "Previous Esc End Time",
    )  # fmt: skip
    rows = [_delayed_row(page, d) for d in delayed]
    page.extend(table(page.widths, columns, {*_ESC_RESIZE, "Previous Escalation"}, rows))


def esc_errors(page: Page, runs: Sequence[EscRun]) -> None:
    if not runs:
        return
    page.title("### ESC CALLS THAT ERRORED OUT")
    columns = page.file_columns(
        "Line#", "File#", page.id_column, "Escalation", "Form", "Start Time"
    )
    page.extend(table(page.widths, columns, _ESC_RESIZE, [_run_row(page, r) for r in runs]))


def _filter_run_row(page: Page, run: FilterRun) -> Row:
    return {
        "Run Time": duration(run.duration_s),
        "First Line#": str(run.ref_line),
        "File#": str(run.file),
        "Last Line#": str(run.end_line),
        page.id_column: page.ident(run.trace_id, run.rpc_id),
        "Queue": run.queue,
        "Filter": run.filter,
        "Start Time": timestamp(run.start),
    }


def _count_row(count: FilterCount) -> Row:
    return {
        "Filter": count.filter,
        "Pass Count": str(count.passed),
        "Fail Count": str(count.failed),
    }


def _transaction_row(page: Page, txn: Transaction) -> Row:
    return {
        "Line#": str(txn.ref_line),
        "File#": str(txn.file),
        page.id_column: page.ident(txn.trace_id, txn.rpc_id),
        "Filter Count": str(txn.filter_count),
        "Filter Level": str(txn.max_level),
        "Operation": txn.operation,
        "Form": txn.form,
        "Request ID": txn.request_id,
        "Filters/sec": rate(txn.ms_per_filter),
    }


def _pair_row(page: Page, pair: TransactionFilter) -> Row:
    return {
        "Line#": str(pair.ref_line),
        "File#": str(pair.file),
        page.id_column: page.ident(pair.trace_id, pair.rpc_id),
        "Filter": pair.filter,
        "Pass Count": str(pair.passed),
        "Fail Count": str(pair.failed),
    }


def filters(page: Page, fltr: FltrSection) -> None:
    """The five filter tables (no section banner, titles as the reference spells them)."""
    ident, n, widths = page.id_column, page.top_n, page.widths
    page.title(f"### {n} LONGEST RUNNING INDIVIDUAL FLTR")
    columns = page.file_columns(
        "Run Time", "First Line#", "File#", "Last Line#", "File#", ident, "Queue", "Filter",
        "Start Time",
    )  # fmt: skip
    rows = [_filter_run_row(page, r) for r in fltr.top]
    page.extend(table(widths, columns, {"Form", "TrID", "RPC ID", "Filter"}, rows))

    page.title(f"### {n} MOST EXECUTED FLTR")
    columns = ["Filter", "Pass Count", "Fail Count"]
    page.extend(table(widths, columns, {"Filter"}, [_count_row(c) for c in fltr.most_executed]))

    page.title(f"### {n} MOST FILTERS PER TRANSACTION ")  # trailing space as in the reference
    columns = page.file_columns(
        "Line#", "File#", ident, "Filter Count", "Operation", "Form", "Request ID", "Filters/sec"
    )
    rows = [_transaction_row(page, t) for t in fltr.most_filters]
    resize = {"TrID", "RPC ID", "Form", "Request ID", "Filters/sec"}
    page.extend(table(widths, columns, resize, rows))

    page.title(f"### {n} MOST EXECUTED FLTR PER TRANSACTION")
    columns = page.file_columns("Line#", "File#", ident, "Filter", "Pass Count", "Fail Count")
    rows = [_pair_row(page, p) for p in fltr.most_executed_per_transaction]
    page.extend(table(widths, columns, {"TrID", "RPC ID", "Filter"}, rows))

    page.title(f"### {n} MOST FILTER LEVELS IN TRANSACTIONS ")  # trailing space, as above
    columns = page.file_columns(
        "Line#", "File#", ident, "Filter Level", "Operation", "Form", "Request ID"
    )
    rows = [_transaction_row(page, t) for t in fltr.most_levels]
    page.extend(table(widths, columns, {"TrID", "RPC ID", "Form", "Request ID"}, rows))
