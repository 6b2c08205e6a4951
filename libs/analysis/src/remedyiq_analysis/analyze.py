"""All sections of one job, from its stored rows: the :class:`~remedyiq_analysis.report.Report`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from remedyiq_analysis.explore.activity import timeseries, to_timeline
from remedyiq_analysis.meta import JobMeta
from remedyiq_analysis.report import AnalysisOptions, Report, TimelinePoint
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.sections.api import api_section
from remedyiq_analysis.sections.escl import escl_section
from remedyiq_analysis.sections.fltr import fltr_section
from remedyiq_analysis.sections.general import gaps, general
from remedyiq_analysis.sections.sql import sql_section

SECTION_THREADS = 4
"""Sections computed at once: their queries are independent, and the engine releases the GIL."""
TIMELINE_MAX_MINUTES = 2 * 24 * 60
"""A log spanning longer gets no per-minute timeline (charts of it ask for wider buckets)."""


def analyze(scope: JobScope, options: AnalysisOptions, meta: JobMeta) -> Report:
    """Compute every section with ClickHouse SQL over the job's rows."""
    (has_trace_ids,) = scope.one("SELECT countIf(trace_id != '') > 0 FROM $E WHERE $JOB")
    elapsed_ms = (
        meta.last_ts - meta.first_ts
        if meta.first_ts is not None and meta.last_ts is not None
        else 0
    )
    with ThreadPoolExecutor(SECTION_THREADS, thread_name_prefix="section") as pool:
        # the slowest first, so that the others fill the gaps
        fltr = pool.submit(fltr_section, scope, options, bool(has_trace_ids))
        api = pool.submit(api_section, scope, options, elapsed_ms)
        sql = pool.submit(sql_section, scope, options, elapsed_ms)
        escl = pool.submit(escl_section, scope, options)
        general_section = pool.submit(general, scope, meta)
        gap_section = pool.submit(gaps, scope, options.top_n)
        timeline = pool.submit(_timeline, scope, elapsed_ms)
        return Report(
            has_trace_ids=bool(has_trace_ids),
            options=options,
            general=general_section.result(),
            gaps=gap_section.result(),
            api=api.result(),
            sql=sql.result(),
            escl=escl.result(),
            fltr=fltr.result(),
            timeline=timeline.result(),
        )


def _timeline(scope: JobScope, elapsed_ms: int) -> list[TimelinePoint] | None:
    """Events, failures and p50/p95 per minute and log type (the HTML report's charts)."""
    if elapsed_ms > TIMELINE_MAX_MINUTES * 60_000:
        return None
    return to_timeline(timeseries(scope, bucket_s=60))
