"""What sits beside a hit list: the histogram, facet counts, and autocomplete values.

Facet fields and autocomplete columns come from the KQL allow-list (:mod:`remedyiq_query`)
only; SQL names them by the allow-listed column, never by caller text. Aggregations are
complete or fail with :class:`BudgetExceeded` (see :func:`pages.aggregate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from remedyiq_analysis.explore.exceptions import BudgetExceeded, ExploreError
from remedyiq_analysis.explore.filters import kql_filter
from remedyiq_analysis.explore.models import FacetValue, HistogramBucket
from remedyiq_analysis.explore.pages import aggregate
from remedyiq_analysis.explore.scopes import Scope
from remedyiq_analysis.explore.windows import span_stats
from remedyiq_analysis.timefmt import iso_required
from remedyiq_query import FIELDS, FieldType, resolve

MAX_BUCKETS: Final = 1000
MAX_FACET_FIELDS: Final = 20
MAX_TOP: Final = 100
UNFACETABLE: Final = frozenset(
    {"raw_text", "sql_statement", "error_message", "timestamp", "duration_ms", "queue_time_ms"}
)
"""Free text and continuous values: every row a value of its own."""
VALUE_COLUMNS: Final = frozenset(
    f.column for f in FIELDS if f.type is FieldType.STRING and f.column not in UNFACETABLE
)
"""Columns :func:`top_values` completes."""
FAILED: Final = "NOT success AND kind IN ('call', 'statement', 'run')"
_SECOND, _MINUTE, _HOUR, _DAY = 1000, 60_000, 3_600_000, 86_400_000
NICE_WIDTHS: Final = (
    *(1, 2, 5, 10, 20, 50, 100, 200, 500),
    *(s * _SECOND for s in (1, 2, 5, 10, 15, 30)),
    *(m * _MINUTE for m in (1, 2, 5, 10, 15, 30)),
    *(h * _HOUR for h in (1, 2, 3, 6, 12)),
)


def nice_width(span_ms: int, buckets: int) -> int:
    """The smallest round bucket width (1 ms … 12 h, then whole days) giving <= ``buckets``."""
    need = -(-span_ms // buckets)
    for width in NICE_WIDTHS:
        if width >= need:
            return width
    return -(-need // _DAY) * _DAY


def histogram(
    scope: Scope,
    kql: str,
    *,
    buckets: int = 60,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> list[HistogramBucket]:
    """Matching entries per time bucket and log type, every bucket of the range (zeros too).

    Buckets are aligned on a round width (1 s, 5 min, 1 h …) chosen so that at most
    ``buckets`` (+1 for alignment) cover the range — the job's whole time span if not given.
    """
    if not 1 <= buckets <= MAX_BUCKETS:
        raise ExploreError(f"buckets must be 1..{MAX_BUCKETS}")
    flt = kql_filter(kql, start_ms, end_ms)
    if start_ms is not None and end_ms is not None:
        low, high = start_ms, max(start_ms, end_ms - 1)
    else:
        total, low, high = span_stats(scope, start_ms, end_ms)
        if not total:
            return []
    width = nice_width(high - low + 1, buckets)
    origin = low - low % width
    counted = aggregate(
        scope,
        "SELECT intDiv(toUnixTimestamp64Milli(timestamp) - {h_origin:Int64}, {h_width:Int64}) "
        f"AS b, toString(log_type), count(), countIf({FAILED}) "
        f"FROM $E WHERE $JOB AND {flt.where} GROUP BY b, log_type",
        h_origin=origin,
        h_width=width,
        **flt.params,
    )
    slots = range((high - origin) // width + 1)
    by_type: list[dict[str, int]] = [{} for _ in slots]
    errors = [0 for _ in slots]
    for b, log_type, n, failed in counted:
        by_type[int(b)][log_type] = int(n)
        errors[int(b)] += int(failed)
    return [
        HistogramBucket(
            start=iso_required(origin + i * width),
            start_ms=origin + i * width,
            end_ms=origin + (i + 1) * width,
            total=sum(by_type[i].values()),
            errors=errors[i],
            by_type=by_type[i],
        )
        for i in slots
    ]


def facets(
    scope: Scope,
    kql: str,
    *,
    fields: list[str],
    top: int = 10,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> dict[str, list[FacetValue]]:
    """The ``top`` values (by matching rows) of each field, keyed by the field name as given.

    Fields are KQL field names or aliases (``user``, ``type``, ``form``, ``status`` …); free
    text and continuous fields (``raw``, ``sql``, ``error``, ``timestamp``, ``duration`` …) have
    no facets.
    """
    if not 1 <= top <= MAX_TOP:
        raise ExploreError(f"top must be 1..{MAX_TOP}")
    names = list(dict.fromkeys(fields))
    if not 1 <= len(names) <= MAX_FACET_FIELDS:
        raise ExploreError(f"give 1..{MAX_FACET_FIELDS} facet fields")
    columns = [_facet_column(name) for name in names]
    flt = kql_filter(kql, start_ms, end_ms)
    # One scan for every field: a grouping set per field; grouping() says whose row it is.
    aliases = [f"f{i}" for i in range(len(columns))]
    projected = ", ".join(f"toString({c}) AS {a}" for c, a in zip(columns, aliases, strict=True))
    sets = ", ".join(f"({a})" for a in aliases)
    counted = aggregate(
        scope,
        f"SELECT grouping({', '.join(aliases)}) AS g, {', '.join(aliases)}, count() AS c "
        f"FROM (SELECT {projected} FROM $E WHERE $JOB AND {flt.where}) "
        f"GROUP BY GROUPING SETS ({sets}) ORDER BY g, c DESC, {', '.join(aliases)} "
        "LIMIT {f_top:UInt32} BY g",
        settings={"force_grouping_standard_compatibility": 1},
        f_top=top,
        **flt.params,
    )
    found: dict[str, list[FacetValue]] = {name: [] for name in names}
    for g, *values, n in counted:
        index = _grouping_set(int(g), len(names))
        found[names[index]].append(FacetValue(value=values[index], count=int(n)))
    return found


def _grouping_set(mask: int, fields: int) -> int:
    """Which field's grouping set a row belongs to, from ``grouping(f0, …, fn)``: standard SQL
    (forced by the query's settings) sets the bit of every column *not* grouped, f0 highest."""
    return next(i for i in range(fields) if not (mask >> (fields - 1 - i)) & 1)


def _facet_column(name: str) -> str:
    field = resolve(name)
    if field is None:
        raise ExploreError(f"unknown facet field {name!r}")
    if field.column in UNFACETABLE:
        raise ExploreError(f"{field.name} has no facets (free text or continuous values)")
    return field.column


def top_values(scope: Scope, column: str, prefix: str, limit: int = 10) -> Sequence[str]:
    """The most frequent values of ``column`` starting with ``prefix`` (case-insensitive).

    Fits :data:`remedyiq_query.ValueProvider` (``functools.partial(top_values, scope)``).
    ``column`` is a column of the KQL allow-list (``user``, ``form``, ``queue`` …). Autocomplete
    must be quick: past a one-second budget it offers nothing rather than wait.
    """
    if column not in VALUE_COLUMNS:
        raise ExploreError(f"no value completion for column {column!r}")
    if not 1 <= limit <= MAX_TOP:
        raise ExploreError(f"limit must be 1..{MAX_TOP}")
    try:
        found = aggregate(
            scope,
            f"SELECT toString({column}) AS v, count() AS c FROM $E WHERE $JOB AND notEmpty(v) "
            "AND startsWith(lowerUTF8(v), lowerUTF8({v_prefix:String})) "
            "GROUP BY v ORDER BY c DESC, v LIMIT {v_limit:UInt32}",
            budget_s=1,
            v_prefix=prefix,
            v_limit=limit,
        )
    except BudgetExceeded:
        return []
    return [str(v) for v, _ in found]
