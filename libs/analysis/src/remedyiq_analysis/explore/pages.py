"""The two queries every hit list is built from: a page of entry rows, and a count."""

from __future__ import annotations

from collections.abc import Sequence
from time import perf_counter
from typing import Any, Final

from clickhouse_connect.driver.exceptions import DatabaseError

from remedyiq_analysis.explore.exceptions import BudgetExceeded
from remedyiq_analysis.explore.filters import Filter
from remedyiq_analysis.explore.keyset import Order
from remedyiq_analysis.explore.rows import RAW_CAP, ROW_COLUMNS, row_params
from remedyiq_analysis.explore.scopes import Scope, run

TIME_BUDGET_S: Final = 10
"""Backstop for any page or count query: stop reading after this long (the page is partial)."""


def page_settings(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """ClickHouse settings of a page query: the time backstop plus ``extra``."""
    return {"max_execution_time": TIME_BUDGET_S, "timeout_overflow_mode": "break", **(extra or {})}


def fetch(
    scope: Scope,
    flt: Filter,
    order: Order,
    limit: int,
    *,
    raw_cap: int = RAW_CAP,
    settings: dict[str, Any] | None = None,
) -> Sequence[Sequence[Any]]:
    """Up to ``limit`` entry rows of ``flt`` in ``order`` (columns: ``ROW_COLUMNS``)."""
    return run(
        scope,
        f"SELECT {ROW_COLUMNS} FROM $E WHERE $JOB AND {flt.where} "
        f"ORDER BY {order.clause()} LIMIT {{limit:UInt32}}",
        settings=page_settings(settings),
        limit=limit,
        **flt.params,
        **row_params(raw_cap),
    ).result_rows


def fetch_within(
    scope: Scope, flt: Filter, order: Order, limit: int, seconds: float
) -> Sequence[Sequence[Any]] | None:
    """:func:`fetch`, or None if it could not finish within ``seconds`` (the engine stops it)."""
    if seconds <= 0:
        return None
    settings = {"max_execution_time": seconds, "timeout_overflow_mode": "throw"}
    try:
        return fetch(scope, flt, order, limit, settings=settings)
    except DatabaseError as exc:
        if _timed_out(exc):
            return None
        raise


def _timed_out(exc: DatabaseError) -> bool:
    return "TIMEOUT_EXCEEDED" in str(exc)


def count(scope: Scope, flt: Filter, *, settings: dict[str, Any] | None = None) -> int | None:
    """Rows matching ``flt``, or None if counting ran out of time."""
    started = perf_counter()
    found = run(
        scope,
        f"SELECT count() FROM $E WHERE $JOB AND {flt.where}",
        settings=page_settings(settings),
        **flt.params,
    ).result_rows
    if not found or perf_counter() - started >= TIME_BUDGET_S:
        return None
    return int(found[0][0])


AGGREGATE_TIME_BUDGET_S: Final = 10
"""Histograms and facets must be complete or fail: past this, :class:`BudgetExceeded`."""


def aggregate(
    scope: Scope,
    template: str,
    *,
    budget_s: float | None = None,
    settings: dict[str, Any] | None = None,
    **params: Any,
) -> Sequence[Sequence[Any]]:
    """Rows of an aggregation in ``scope``, or :class:`BudgetExceeded` when it runs longer than
    ``budget_s`` (default :data:`AGGREGATE_TIME_BUDGET_S`)."""
    limit = AGGREGATE_TIME_BUDGET_S if budget_s is None else budget_s
    settings = {**(settings or {}), "max_execution_time": limit, "timeout_overflow_mode": "throw"}
    try:
        return run(scope, template, settings=settings, **params).result_rows
    except DatabaseError as exc:
        if _timed_out(exc):
            raise BudgetExceeded(
                "the query is too expensive over this range: narrow the time range or add a "
                "field condition (type, user, form, trace …)"
            ) from exc
        raise
