"""The reference analyzer's text report, reproduced from a :class:`Report`.

From the line ``Start Time:`` onward the output is the layout BMC's ARLogAnalyzer 3.2.2 prints
(analyzer-report-spec §2 and §3, quirks included), so the two can be diffed; only the preamble
(our banner and the files) and the final ``Duration:`` figure differ by design.
"""

from __future__ import annotations

from collections.abc import Sequence

from remedyiq_analysis.render import text_calls as calls
from remedyiq_analysis.render.fmt import duration, elapsed, pad, timestamp
from remedyiq_analysis.render.table import Row, table
from remedyiq_analysis.render.text_aggregates import aggregates
from remedyiq_analysis.render.text_common import ESCALATION_BANNER, Page, section_banner
from remedyiq_analysis.render.text_escl_fltr import esc_delayed, esc_errors, esc_top, filters
from remedyiq_analysis.report import Gap, Report

BANNER = "RemedyIQ analyzer (ARLogAnalyzer-compatible report)"
_TYPES = ("API", "SQL", "ESCL", "FLTR")  # the reference's order of "Starting processing"


def render_text(
    report: Report, *, files: list[str] | None = None, duration_s: float | None = None
) -> str:
    """Render ``report`` as the reference analyzer's text report.

    ``files`` are the names to list in the preamble (default: the report's input files);
    ``duration_s`` is the processing time printed on the last line (the reference's
    ``Duration:``; 0 when not given).
    """
    page = Page(report)
    _preamble(page, files)
    _general(page)
    _gaps(page)
    lines = report.general.lines
    if lines.get("API", 0) > 0:
        _api(page)
    if lines.get("SQL", 0) > 0:
        _sql(page)
    if lines.get("ESCL", 0) > 0:
        _escl(page)
    if lines.get("FLTR", 0) > 0:
        filters(page, report.fltr)
    page.lines += ["", "Finished Processing", f"Duration: {duration(duration_s or 0.0)}", ""]
    return "\n".join(page.lines) + "\n"


def _preamble(page: Page, files: list[str] | None) -> None:
    general, options = page.report.general, page.report.options
    names = files if files is not None else [f.name for f in general.files]
    size_gb = sum(f.bytes for f in general.files) / 1024**3
    locale = (
        f"Locale specified: {options.locale}"
        if options.locale
        else f"No Locale specified, using {general.locale or 'EN'}"
    )
    page.lines += [
        BANNER,
        f"Generator: {page.report.generator} (report schema {page.report.schema_version})",
        "Files: " + " ".join(f'"{name}"' for name in names),
        locale,
        "",
        f"Total Log size: {size_gb:.2f} GB",
        "",
        "Loading specified files",
        *(f"Loading {name}" for name in names),
        f"Language Found: {general.filter_language or 'English'}",
        "Processing Transactions",
        *(f"Starting processing of {t} stats" for t in _TYPES if general.lines.get(t, 0) > 0),
        "",
    ]


def _general(page: Page) -> None:
    general = page.report.general

    def stat(label: str, value: object) -> str:
        return f"{pad(label + ': ', 25, left=False)}{value}"

    page.lines += [
        stat("Start Time", timestamp(general.start_time) or "null"),
        stat("End Time", timestamp(general.end_time) or "null"),
        stat("Elapsed Time", elapsed(general.elapsed_s)),
        stat("Total Lines", general.total_lines),
        stat("API Count", general.lines.get("API", 0)),
        stat("SQL Count", general.lines.get("SQL", 0)),
        stat("ESC Count", general.lines.get("ESCL", 0)),
        stat("Form Count", general.form_count),
        stat("Table Count", general.table_count),
        stat("User Count", general.user_count),
        *(
            stat(f"{queue} Thread Count", general.threads[queue])
            for queue in sorted(general.threads, key=lambda q: q.encode("utf-16-be"))
        ),
        stat("Total Thread Count", general.thread_count),
        stat("API Exception Count", general.exceptions.get("API", 0)),
        stat("SQL Exception Count", general.exceptions.get("SQL", 0)),
        stat("ESC Exception Count", general.exceptions.get("ESCL", 0)),
    ]
    if page.multi_file:
        page.lines += [
            "",
            "Because multiple files were specified, the Line# will be accompanied by a File#.  "
            "Below is the map for Number and name",
            "",
            *(f"{f.number}: {f.name}" for f in general.files),
            "",
        ]


def _gap_table(page: Page, label: str, gaps: Sequence[Gap]) -> None:
    ident = page.id_column
    columns = page.file_columns(label, "Line#", "File#", ident, "Date/Time", "Details")
    rows: list[Row] = [
        {
            label: duration(g.gap_s),
            "Line#": str(g.ref_line),
            "File#": str(g.file),
            ident: page.ident(g.trace_id, g.rpc_id),
            "Date/Time": timestamp(g.time),
            "Details": g.details,
        }
        for g in gaps
    ]
    page.extend(table(page.widths, columns, {"TrID", "RPC ID", "Details"}, rows))


def _gaps(page: Page) -> None:
    gaps = page.report.gaps
    page.banner(section_banner("GAP ANALYSIS"))
    page.title(f"### {page.top_n} LONGEST LINE GAPS")
    _gap_table(page, "Line Gap", gaps.line)
    page.title(f"### {page.top_n} LONGEST THREAD GAPS")
    _gap_table(page, "Thread Gap", gaps.thread)


def _api(page: Page) -> None:
    api = page.report.api
    page.banner(section_banner("API"))
    calls.legend(page, api.legend)
    calls.api_top(page, api.top)
    calls.api_top_queued(page, api.top_queued, api.top)
    for agg in api.aggregates:
        aggregates(page, agg)
    calls.thread_stats(page, "API", api.thread_stats, queued=True)
    calls.api_errors(page, api.errors)
    calls.api_exceptions(page, api.exceptions)


def _sql(page: Page) -> None:
    sql = page.report.sql
    page.banner(section_banner("SQL"))
    calls.sql_top(page, sql.top)
    for agg in sql.aggregates:
        aggregates(page, agg)
    calls.thread_stats(page, "SQL", sql.thread_stats, queued=False)
    calls.sql_errors(page, sql.errors)
    calls.sql_exceptions(page, sql.exceptions)


def _escl(page: Page) -> None:
    escl = page.report.escl
    page.banner(ESCALATION_BANNER)
    esc_top(page, escl.top)
    esc_delayed(page, escl.delayed)
    for agg in escl.aggregates:
        aggregates(page, agg)
    # Escalation exceptions are counted in the header but never listed in the reference's text.
    esc_errors(page, escl.errors)
