"""Reading the reference analyzer's text report back into tables (for parity tests).

A table is a ``### TITLE`` line, a header line, a line of dashes per column, then rows; the dash
runs give the column spans (the last column takes the rest of the line). Subtotal and total lines
of aggregate tables are kept as rows too; blank lines end a table except inside aggregates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DASHES = re.compile(r"-+")


@dataclass
class Table:
    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _spans(dash_line: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _DASHES.finditer(dash_line)]


def _cells(line: str, spans: list[tuple[int, int]]) -> list[str]:
    cells = []
    for index, (start, end) in enumerate(spans):
        stop = None if index == len(spans) - 1 else end
        cells.append(line[start:stop].strip())
    return cells


def general(text: str) -> dict[str, str]:
    """The right-aligned ``label: value`` block."""
    block: dict[str, str] = {}
    for line in text.splitlines():
        match = re.match(r"^\s*([A-Za-z<>: /%]+?): (.*)$", line)
        if match and line.startswith(" ") and not line.strip().startswith("###"):
            block[match.group(1).strip()] = match.group(2).strip()
        if line.startswith("###  SECTION"):
            break
    return block


def tables(text: str) -> dict[str, Table]:
    lines = text.splitlines()
    found: dict[str, Table] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("### ") and not line.startswith("###  SECTION"):
            title = line[4:].strip()
            table = Table(title)
            found[title] = table
            index += 1
            while index < len(lines) and not lines[index].strip():
                index += 1
            if index + 1 < len(lines) and lines[index + 1].startswith("-"):
                spans = _spans(lines[index + 1])
                table.headers = _cells(lines[index], spans)
                index += 2
                aggregate = "AGGREGATES" in title.upper()
                while index < len(lines):
                    row = lines[index]
                    if row.startswith(("###", "Finished Processing")):
                        break
                    if not row.strip():
                        if not aggregate:
                            nxt = lines[index + 1] if index + 1 < len(lines) else ""
                            if not nxt.strip() or nxt.startswith("###"):
                                break
                        index += 1
                        continue
                    table.rows.append(_cells(row, spans))
                    index += 1
                continue
            # a table without header (e.g. "No Queued API's" or the legend)
            while (
                index < len(lines) and lines[index].strip() and not lines[index].startswith("###")
            ):
                table.rows.append([lines[index].strip()])
                index += 1
            continue
        index += 1
    return found
