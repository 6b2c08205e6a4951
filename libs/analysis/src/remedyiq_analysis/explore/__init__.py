"""Everything the gateway serves beyond the analyzer report, as functions over a scope.

Every read goes through :class:`~remedyiq_analysis.scope.JobScope` (one job) or
:class:`TenantScope` (several jobs of one tenant): the tenant is always bound, values travel as
server-side parameters, and KQL compiles through :mod:`remedyiq_query`'s allow-list. Results
are the closed pydantic models of :mod:`.models`.

Errors: ``remedyiq_query.KqlError`` (bad query) and :class:`ExploreError` (bad parameter,
malformed id or cursor) are the caller's to fix (HTTP 400); :class:`BudgetExceeded` (a subclass)
means the request is valid but too expensive as asked (422). Lookups return ``None`` when
nothing matches (404). Functions are synchronous: call them off the event loop.
"""

from remedyiq_analysis.explore.activity import timeseries, to_timeline
from remedyiq_analysis.explore.aggregations import facets, histogram, top_values
from remedyiq_analysis.explore.entries import (
    context_window,
    get_entry,
    lines_around,
    parse_entry_id,
)
from remedyiq_analysis.explore.error_groups import errors_by_code
from remedyiq_analysis.explore.exceptions import BudgetExceeded, ExploreError, InvalidCursor
from remedyiq_analysis.explore.export import export_rows
from remedyiq_analysis.explore.hits import search
from remedyiq_analysis.explore.models import (
    ContextLine,
    CriticalSegment,
    EntryDetail,
    EntryRef,
    EntryRow,
    ErrorGroup,
    FacetValue,
    FingerprintRow,
    HistogramBucket,
    PercentileRow,
    RelatedCounts,
    SearchPage,
    Span,
    TimeBreakdown,
    TimeBucket,
    TraceTree,
    TransactionPage,
    TransactionRow,
)
from remedyiq_analysis.explore.scopes import Scope, TenantScope
from remedyiq_analysis.explore.stats import percentiles, sql_fingerprints
from remedyiq_analysis.explore.tracing import trace
from remedyiq_analysis.explore.transaction_list import transactions

__all__ = [
    "BudgetExceeded",
    "ContextLine",
    "CriticalSegment",
    "EntryDetail",
    "EntryRef",
    "EntryRow",
    "ErrorGroup",
    "ExploreError",
    "FacetValue",
    "FingerprintRow",
    "HistogramBucket",
    "InvalidCursor",
    "PercentileRow",
    "RelatedCounts",
    "Scope",
    "SearchPage",
    "Span",
    "TenantScope",
    "TimeBreakdown",
    "TimeBucket",
    "TraceTree",
    "TransactionPage",
    "TransactionRow",
    "context_window",
    "errors_by_code",
    "export_rows",
    "facets",
    "get_entry",
    "histogram",
    "lines_around",
    "parse_entry_id",
    "percentiles",
    "search",
    "sql_fingerprints",
    "timeseries",
    "to_timeline",
    "top_values",
    "trace",
    "transactions",
]
