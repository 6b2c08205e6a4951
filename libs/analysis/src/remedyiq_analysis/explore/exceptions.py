"""What the explorer raises for input the caller has to fix (the gateway's 400s).

Everything here is a ``ValueError``, like :class:`remedyiq_query.KqlError` (which the explorer
lets through unchanged): a route maps ``ExploreError`` and ``KqlError`` to 400, except
:class:`BudgetExceeded`, which means "valid, but too expensive as asked" (422: narrow the time
range or add a field condition).
"""

from __future__ import annotations


class ExploreError(ValueError):
    """A request the caller has to fix: bad parameter, unknown field, malformed id."""


class InvalidCursor(ExploreError):
    """A pagination cursor that is malformed or belongs to another query."""


class BudgetExceeded(ExploreError):
    """An aggregation over a non-selective query did not finish within its time budget."""
