"""The ``CALL AGGREGATES`` tables (API, SQL and escalations)."""

from __future__ import annotations

from remedyiq_analysis.render.fmt import duration, f32
from remedyiq_analysis.render.table import Row
from remedyiq_analysis.render.text_common import Page
from remedyiq_analysis.report import Aggregates

# Columns that carry figures on the subtotal and grand-total lines (the rest stay blank).
_TOTALS = frozenset({"OK", "Fail", "Total", "Count", "SUM Time"})


def _columns(page: Page, agg: Aggregates) -> list[str]:
    counts = ["Count"] if agg.key_label == "Escalation" else ["OK", "Fail", "Total"]
    return page.file_columns(
        agg.grouping, agg.key_label, *counts,
        "MIN Time", "MIN Line", "MIN File", "MAX Time", "MAX Line", "MAX File",
        "AVG Time", "SUM Time",
    )  # fmt: skip


def _measured(agg: Aggregates) -> tuple[set[str], list[Row]]:
    """The reference sizes the group column over every call of the type; each call belongs to
    one group, so the group values are enough. Escalation tables also size the name column,
    measured after the form (an empty name carries the form's length over)."""
    if agg.key_label == "Escalation":
        rows: list[Row] = [
            {agg.grouping: g.value, "Escalation": r.key} for g in agg.groups for r in g.rows
        ]
        return {"Form", "Escalation"}, rows
    return {agg.grouping}, [{agg.grouping: g.value} for g in agg.groups]


def _blank_except(columns: list[str], values: dict[str, str]) -> Row:
    return {name: values.get(name, "") for name in columns}


def aggregates(page: Page, agg: Aggregates) -> None:
    """One aggregate table: group rows, a subtotal per group, the grand total."""
    options = page.report.options
    direction = "ascending" if options.ascending else "descending"
    page.title(
        f"### {agg.key_label} CALL AGGREGATES grouped by {agg.grouping} "
        f"sorted by {direction} {options.sort} execution time"
    )
    columns = _columns(page, agg)
    resize, measured = _measured(agg)
    widths = page.widths
    widths.layout(columns, resize, measured)
    page.extend(widths.header(columns))
    total_sum = 0.0
    for group in agg.groups:
        for index, row in enumerate(group.rows):
            cells = {
                agg.grouping: group.value if index == 0 else "",
                agg.key_label: row.key,
                "OK": str(row.ok),
                "Fail": str(row.fail) if row.fail > 0 else "",
                "Total": str(row.total),
                "Count": str(row.total),
                "MIN Time": duration(row.min_s),
                "MIN Line": str(row.min_line),
                "MIN File": str(row.min_file),
                "MAX Time": duration(row.max_s),
                "MAX Line": str(row.max_line),
                "MAX File": str(row.max_file),
                "AVG Time": duration(row.avg_s),
                "SUM Time": duration(row.sum_s),
            }
            page.lines.append(widths.row(columns, cells))
        dashes = {n: "-" * widths[n] for n in columns if n in _TOTALS}
        page.lines.append(widths.row(columns, _blank_except(columns, dashes)))
        subtotal = {
            "OK": str(group.ok),
            "Fail": str(group.fail) if group.fail > 0 else "",
            "Total": str(group.total),
            "Count": str(group.total),
            "SUM Time": duration(group.sum_s),
        }
        page.lines.append(widths.row(columns, _blank_except(columns, subtotal)))
        page.lines.append("")
        # The reference accumulates the grand total in single precision, group by group.
        total_sum = f32(total_sum + group.sum_s)
    equals = {n: "=" * widths[n] for n in columns if n in _TOTALS}
    page.lines.append(widths.row(columns, _blank_except(columns, equals)))
    grand = {  # unlike the group lines, the grand total leaves a zero OK count blank
        "OK": str(agg.ok) if agg.ok > 0 else "",
        "Fail": str(agg.fail) if agg.fail > 0 else "",
        "Total": str(agg.total),
        "Count": str(agg.total),
        "SUM Time": duration(total_sum),
    }
    page.lines.append(widths.row(columns, _blank_except(columns, grand)))
