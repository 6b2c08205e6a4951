"""Reading the reference analyzer's text report: blocks, fixed-width tables, values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_STAMP = re.compile(r"^\w{3} (\w{3}) (\d{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$")
_NUMBERED = re.compile(r"^### \d+ ")


@dataclass
class Block:
    """One ``### title`` of the report and the lines under it (blank lines kept)."""

    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Table:
    """A parsed fixed-width table: header names (in order) and rows of cells by position."""

    names: list[str]
    rows: list[list[str]]

    def dicts(self) -> list[dict[str, str]]:
        """Rows keyed by header name (a repeated name keeps its first cell)."""
        out = []
        for cells in self.rows:
            row: dict[str, str] = {}
            for name, value in zip(self.names, cells, strict=True):
                row.setdefault(name, value)
            out.append(row)
        return out


def split_blocks(lines: list[str]) -> list[Block]:
    """``### …`` titles (section banners excluded) with their content, up to the footer."""
    blocks: list[Block] = []
    for line in lines:
        if line == "Finished Processing":
            break
        if line.startswith("###  SECTION:"):
            continue
        if line.startswith("### "):
            blocks.append(Block(_NUMBERED.sub("### N ", line).rstrip()))
        elif blocks:
            blocks[-1].lines.append(line)
    for block in blocks:
        while block.lines and not block.lines[0]:
            block.lines.pop(0)
        while block.lines and not block.lines[-1]:
            block.lines.pop()
    return blocks


def _spans(dashes: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[-=]+", dashes)]


def _cells(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """Cut ``line`` by column widths, following values that overflow their column (they push
    the rest of the row to the right, as in the reference)."""
    cells, pos = [], 0
    for index, (start, end) in enumerate(spans):
        if index == len(spans) - 1:
            raw = line[pos:]
        else:
            stop = pos + (end - start)
            while stop < len(line) and line[stop] != " ":
                stop += 1
            raw, pos = line[pos:stop], stop + 1
        cells.append(raw.strip())
    return cells


def read_table(lines: list[str]) -> Table:
    """Header, dashes and rows (cells stripped: the reference trims the values it prints)."""
    header, dashes, *body = lines
    spans = _spans(dashes)
    names = [header[s:e].strip() for s, e in spans]
    return Table(names, [_cells(line, spans) for line in body])


def stamp(text: str) -> str | None:
    """``Mon Nov 24 2025 14:00:02.997`` -> ISO; ``null`` -> None."""
    match = _STAMP.match(text.strip())
    if not match:
        return None
    mon, day, year, hh, mm, ss, ms = match.groups()
    moment = datetime(int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss))
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms}"


def seconds(text: str) -> float:
    """``0.122`` / ``2:59.000`` / ``51:00:00.000`` / ``-59.000`` -> seconds ('' -> 0)."""
    text = text.strip()
    if not text:
        return 0.0
    sign = -1.0 if text.startswith("-") else 1.0
    total = 0.0
    for part in text.lstrip("-").split(":"):
        total = total * 60 + float(part)
    return sign * total


def integer(text: str) -> int:
    return int(text) if text.strip() else 0


def statistics(lines: list[str]) -> dict[str, Any]:
    """The general statistics block (and the File# map) as :class:`General` fields."""
    stats: dict[str, str] = {}
    files: list[dict[str, Any]] = []
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Start Time:"))
    for line in lines[start:]:
        if line.startswith("###"):
            break
        label, sep, value = line.partition(": ")
        if label.strip().isdigit():
            files.append({"number": int(label), "name": value, "bytes": 0})
        elif sep and not line.startswith("Because"):
            stats[label.strip()] = value
    quoted = [line.split('"')[1] for line in lines[:start] if line.startswith('ARLogAnalyzer "')]
    if not files and quoted:
        files = [{"number": 1, "name": quoted[0], "bytes": 0}]
    threads = {
        label.removesuffix(" Thread Count"): int(value)
        for label, value in stats.items()
        if label.endswith(" Thread Count") and label != "Total Thread Count"
    }
    language = [line.split(": ", 1)[1] for line in lines if line.startswith("Language Found: ")]
    return {
        "start_time": stamp(stats["Start Time"]),
        "end_time": stamp(stats["End Time"]),
        "elapsed_s": seconds(stats["Elapsed Time"]),
        "total_lines": integer(stats["Total Lines"]),
        "lines": {k: integer(stats.get(f"{c} Count", "")) for k, c in _TYPES},
        "form_count": integer(stats["Form Count"]),
        "table_count": integer(stats["Table Count"]),
        "user_count": integer(stats["User Count"]),
        "threads": threads,
        "thread_count": integer(stats["Total Thread Count"]),
        "exceptions": {k: integer(stats.get(f"{c} Exception Count", "")) for k, c in _TYPES},
        **dict.fromkeys(_UNPRINTED_COUNTS, 0),
        "locale": "EN",
        "filter_language": language[0] if language else None,
        "server_versions": [],
        "files": files,
        "activity": [],
    }


_TYPES = (("API", "API"), ("SQL", "SQL"), ("ESCL", "ESC"))
_UNPRINTED_COUNTS = (
    "physical_lines",
    "continuation_lines",
    "malformed_lines",
    "ignored_records",
    "bad_timestamps",
    "cut_lines",
)


def options(lines: list[str]) -> dict[str, Any]:
    """The options a report shows: N, the aggregate sort and direction, extra groupings."""
    top_n, sort, ascending, group_by = 50, "AVG", False, []
    for line in lines:
        if line.startswith("### ") and line.endswith(" LONGEST LINE GAPS"):
            top_n = int(line.split()[1])
        if " CALL AGGREGATES grouped by " in line:
            grouping, order = line.split(" grouped by ")[1].split(" sorted by ")
            ascending, sort = order.split()[0] == "ascending", order.split()[1]
            if grouping in ("User", "Queue") and grouping.lower() not in group_by:
                group_by.append(grouping.lower())
    return {"top_n": top_n, "sort": sort, "ascending": ascending, "group_by": group_by}


def common(row: dict[str, str], line: str) -> dict[str, Any]:
    """Line, file and ID fields shared by most rows (``line`` = the printed Line#)."""
    ref = integer(row.get(line, ""))
    return {
        "line": ref,
        "ref_line": ref,
        "file": integer(row.get("File#", row.get("End File#", ""))),
        "trace_id": row.get("TrID", ""),
        "rpc_id": row.get("RPC ID", ""),
    }


def rows(blocks: dict[str, Block], title: str) -> list[dict[str, str]]:
    """The rows of the table under ``title`` (none when the report has no such table)."""
    block = blocks.get(title)
    return read_table(block.lines).dicts() if block and len(block.lines) >= 2 else []
