"""Sort orders of search hits and their keyset predicates (no OFFSET anywhere).

Every order ends with ``(file_number, line_number)`` — preceded by ``job_id`` when a scope spans
several jobs — which is unique, so "the rows after this key" is exact: pages concatenate to the
full ordered result without gaps or repeats. All columns of an order run in one direction, so
the predicate is one tuple comparison; a redundant bound on the first column lets ClickHouse
prune granules with the table's sort key. (Within one job ``job_id`` is constant: leaving it
out spares reading a string column for every row after the cursor.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from remedyiq_analysis.explore.cursor import Key
from remedyiq_analysis.explore.exceptions import ExploreError, InvalidCursor
from remedyiq_analysis.explore.filters import MS_MAX, MS_MIN

_TAIL: Final = ("file_number", "line_number")
# where each key column sits in a row selected with rows.ROW_COLUMNS
_ROW_INDEX: Final = {
    "duration_ms": 12,
    "timestamp": 4,
    "job_id": 0,
    "file_number": 1,
    "line_number": 2,
}
LOWEST_JOB: Final = ""  # sorts before every job id, as file 0 before every file number


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
        return [
            str(row[_ROW_INDEX[c]]) if c == "job_id" else int(row[_ROW_INDEX[c]])
            for c in self.columns
        ]

    def boundary(self, time_ms: int) -> list[Key]:
        """A key after which come exactly the rows with time < ``time_ms`` (descending) or
        >= ``time_ms`` (ascending): where a partial, time-windowed scan stopped. No row has
        it: job ids are never empty, files are numbered from 1."""
        if not self.by_time:
            raise ValueError("only time orders have time boundaries")
        return [time_ms, *(LOWEST_JOB if c == "job_id" else 0 for c in self.columns[1:])]

    def is_boundary(self, key: list[Key]) -> bool:
        return self.by_time and key[1:] == self.boundary(0)[1:]


_LEADS: Final[dict[str, tuple[tuple[str, ...], bool]]] = {
    "-time": (("timestamp",), True),
    "time": (("timestamp",), False),
    "-duration": (("duration_ms", "timestamp"), True),
    "duration": (("duration_ms", "timestamp"), False),
}
SORTS: Final = tuple(_LEADS)


def order_for(sort: str, *, several_jobs: bool = False) -> Order:
    """The order of ``sort`` (``-time``, ``time``, ``-duration``, ``duration``)."""
    found = _LEADS.get(sort)
    if found is None:
        raise ExploreError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    lead, descending = found
    return Order((*lead, *(("job_id",) if several_jobs else ()), *_TAIL), descending)
