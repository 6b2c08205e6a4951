"""The reference analyzer's fixed-width table layout, reproduced rule for rule.

Every column has a name, a minimum width and an alignment. Before a table is printed its columns
are reset to ``max(len(name), minimum)``; then the columns named in the table's *resize list* grow
to the longest value of the rows that the reference measures (for some tables these are more rows
than it prints). Two quirks are kept because they shape real reports:

* a column only grows past the length of its **name**, so ``Table`` (minimum 30) stays 30 wide
  while every table name is at most 5 characters, but shrinks to 8 when one is 8 long;
* the measured length is carried over from the previous resizable column of the same row when a
  value is empty or the column has no value of its own (``Details``, ``SQL Statement``, ``API``):
  that is why the gap tables' ``Details`` column is exactly as wide as the ``TrID`` column.

Widths live in a registry shared by the tables of one report, as in the reference, because its
exception reports reuse the ``Line#`` and ID columns without resetting them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from remedyiq_analysis.render.fmt import jlen, pad

Cell = str | None
"""A printed value; ``None`` is Java's ``null``: printed as ``null``, ignored when measuring."""

Row = Mapping[str, Cell]


@dataclass(frozen=True)
class Spec:
    minimum: int
    left: bool


_L, _R = True, False
SPECS: dict[str, Spec] = {
    name: Spec(minimum, left)
    for name, minimum, left in (
        ("API", 10, _L),
        ("AVG Time", 12, _R),
        ("Busy%", 7, _R),
        ("Client", 10, _L),
        ("Client IP", 10, _L),
        ("Count", 6, _R),
        ("Date/Time", 28, _R),
        ("Delay", 12, _R),
        ("Details", 12, _R),
        ("Error", 5, _L),
        ("Error Message", 5, _L),
        ("End File#", 9, _R),
        ("End Line#", 8, _R),
        ("Escalation", 30, _L),
        ("Fail", 6, _R),
        ("Fail Count", 5, _R),
        ("File#", 5, _R),
        ("Filter", 5, _L),
        ("Filter Count", 5, _R),
        ("Filter Level", 5, _R),
        ("Filters/sec", 5, _R),
        ("First Line#", 11, _R),
        ("First Thread Time", 28, _R),
        ("Form", 4, _L),
        ("Last Line#", 10, _R),
        ("Last Thread Time", 28, _R),
        ("Line#", 8, _R),
        ("Line Gap", 12, _R),
        ("MAX File", 8, _R),
        ("MAX Line", 8, _R),
        ("MAX Time", 12, _R),
        ("MIN File", 8, _R),
        ("MIN Line", 8, _R),
        ("MIN Time", 12, _R),
        ("OK", 6, _R),
        ("Operation", 5, _L),
        ("Pass Count", 5, _R),
        ("Pool", 4, _R),
        ("Previous Escalation", 30, _L),
        ("Previous Esc End Time", 28, _L),
        ("Q Count", 7, _R),
        ("Q Time", 9, _R),
        ("Queue", 10, _L),
        ("Request ID", 5, _L),
        ("RPC ID", 10, _L),
        ("Run Time", 12, _R),
        ("Scheduled Time", 28, _R),
        ("Start Time", 28, _R),
        ("Success", 7, _L),
        ("SQL", 6, _L),
        ("SQL Statement", 6, _L),
        ("SUM Time", 12, _R),
        ("Table", 30, _L),
        ("Thread", 10, _R),
        ("Thread Gap", 12, _R),
        ("Total", 6, _R),
        ("Total Time", 12, _R),
        ("TrID", 30, _R),
        ("User", 7, _L),
    )
}


def spec(name: str) -> Spec:
    """The column's spec; a name the reference does not know is a left-aligned text column."""
    return SPECS.get(name, _UNKNOWN)


_UNKNOWN = Spec(0, _L)

# Columns whose own value is measured; other names in a resize list only carry a length over.
MEASURED = frozenset(
    {
        "Client",
        "Client IP",
        "Error Message",
        "Escalation",
        "Filter",
        "Filters/sec",
        "Form",
        "Operation",
        "Pool",
        "Previous Escalation",
        "Queue",
        "Request ID",
        "RPC ID",
        "SQL",
        "Table",
        "TrID",
        "User",
    }
)


class Widths:
    """Current width of every column, shared by the tables of one report."""

    def __init__(self) -> None:
        self._width: dict[str, int] = {}

    def reset(self, name: str) -> int:
        self._width[name] = max(jlen(name), spec(name).minimum)
        return self._width[name]

    def __getitem__(self, name: str) -> int:
        return self._width[name] if name in self._width else self.reset(name)

    def __setitem__(self, name: str, width: int) -> None:
        self._width[name] = width

    def layout(
        self, columns: Sequence[str], resize: Collection[str], measured_rows: Iterable[Row]
    ) -> None:
        """Reset ``columns`` and grow those in ``resize`` to the values of ``measured_rows``."""
        longest: dict[str, int] = {}
        for name in columns:
            self.reset(name)
            if name in resize:
                longest[name] = jlen(name)
        for row in measured_rows:
            carried = 0
            for name in columns:
                if name not in longest:
                    continue
                value = row.get(name) if name in MEASURED else ""
                if value:
                    carried = jlen(value)
                if carried > longest[name]:
                    longest[name] = carried
                    self._width[name] = carried

    def cell(self, name: str, value: Cell) -> str:
        return pad("null" if value is None else value, self[name], left=spec(name).left)

    def header(self, columns: Sequence[str]) -> list[str]:
        """The title row and the dashes under it."""
        return [
            " ".join(self.cell(name, name) for name in columns),
            " ".join("-" * self[name] for name in columns),
        ]

    def row(self, columns: Sequence[str], row: Row) -> str:
        return " ".join(self.cell(name, row.get(name)) for name in columns)


def table(
    widths: Widths,
    columns: Sequence[str],
    resize: Collection[str],
    rows: Sequence[Row],
    *,
    measured_rows: Iterable[Row] | None = None,
) -> list[str]:
    """Header, dashes and rows of one reference table (``measured_rows`` defaults to ``rows``)."""
    widths.layout(columns, resize, rows if measured_rows is None else measured_rows)
    return [*widths.header(columns), *(widths.row(columns, r) for r in rows)]
