"""Sort orders of search hits and their keyset predicates (no OFFSET anywhere).

Every order ends with ``(job_id, file_number, line_number)``, which is unique, so "the rows after
this key" is exact: pages concatenate to the full ordered result without gaps or repeats. All
columns of an order run in one direction, so the predicate is one tuple comparison; a redundant
bound on the first column lets ClickHouse prune granules with the table's sort key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from remedyiq_analysis.explore.cursor import Key
from remedyiq_analysis.explore.exceptions import ExploreError, InvalidCursor
from remedyiq_analysis.explore.filters import MS_MAX, MS_MIN

_TAIL: Final = ("job_id", "file_number", "line_number")
# where each key column sits in a row selected with rows.ROW_COLUMNS
_ROW_INDEX: Final = {"duration_ms": 12, "timestamp": 4, "job_id": 0, "file_number": 1,
                     "line_number": 2}  # fmt: skip
LOWEST_JOB: Final = ""  # sorts before every job id: (t, "", 0, 0) bounds "all rows at time t"


@dataclass(frozen=True, slots=True)
class Order:
    columns: tuple[str, ...]
    descending: bool

    @property
    def by_time(self) -> bool:
        return self.columns[0] == "timestamp"

    @property
    def types(self) -> tuple[type[Key], ...]:
        return tuple(str if c == "job_id" else int for c in self.columns)

    def clause(self) -> str:
        direction = " DESC" if self.descending else ""
        return ", ".join(c + direction for c in self.columns)

    def after(self, key: Sequence[Key]) -> tuple[str, dict[str, Any]]:
        """``(sql, params)`` selecting the rows that come after ``key`` in this order."""
        params: dict[str, Any] = {}
        holders = []
        for i, (column, value) in enumerate(zip(self.columns, key, strict=True)):
            name = f"k{i}"
            params[name] = value
            if column == "timestamp":
                if not isinstance(value, int) or not MS_MIN <= value <= MS_MAX:
                    raise InvalidCursor("malformed cursor")
                holders.append(f"fromUnixTimestamp64Milli({{{name}:Int64}}, 'UTC')")
            else:
                holders.append(f"{{{name}:{'String' if column == 'job_id' else 'Int64'}}}")
        op = "<" if self.descending else ">"
        first = f"{self.columns[0]} {op}= {holders[0]}"
        return f"{first} AND ({', '.join(self.columns)}) {op} ({', '.join(holders)})", params

    def key_of(self, row: Sequence[Any]) -> list[Key]:
        """The sort key of an entry row (as selected with ``ROW_COLUMNS``)."""
        return [row[_ROW_INDEX[c]] if c == "job_id" else int(row[_ROW_INDEX[c]])
                for c in self.columns]  # fmt: skip

    def boundary(self, time_ms: int) -> list[Key]:
        """A key after which come exactly the rows with time < ``time_ms`` (descending) or
        >= ``time_ms`` (ascending): where a partial, time-windowed scan stopped."""
        if not self.by_time:
            raise ValueError("only time orders have time boundaries")
        return [time_ms, LOWEST_JOB, 0, 0]


ORDERS: Final[dict[str, Order]] = {
    "-time": Order(("timestamp", *_TAIL), descending=True),
    "time": Order(("timestamp", *_TAIL), descending=False),
    "-duration": Order(("duration_ms", "timestamp", *_TAIL), descending=True),
    "duration": Order(("duration_ms", "timestamp", *_TAIL), descending=False),
}


def order_for(sort: str) -> Order:
    found = ORDERS.get(sort)
    if found is None:
        raise ExploreError(f"unknown sort {sort!r}; use one of {', '.join(ORDERS)}")
    return found
