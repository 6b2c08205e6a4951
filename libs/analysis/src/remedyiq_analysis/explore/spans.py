"""Rows of one transaction → a span tree (pure; no I/O).

Per thread, rows are replayed in log order (line order within a file; time order across the
files of a split log) with a stack of open spans:

* an API call (or escalation run) opens a span that lasts to its end line (its end time across
  files); a call never ended stays open to the end of its rows; calls inside it are sub-calls;
* ``Start``/``Restart filter processing`` opens a phase one level below the filter check that is
  running (level 0 directly under a call); its ``End`` marker closes it and all inside it;
* a filter check at level L closes the checks of level >= L still open (and deeper phases) and
  opens under the phase (or call) on top — a check lasts while the processing it triggers runs
  (its Push Fields' nested phases), so its extent covers its children even though the row's
  logged duration stops at the next check line;
* SQL statements, escalation schedules and orphan ends are leaves under whatever is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from remedyiq_analysis.explore.models import SpanKind

RANGED: Final = frozenset({"call", "call_open", "run", "run_open"})
CHECKS: Final = frozenset({"check", "check_open"})


@dataclass(frozen=True, slots=True)
class TraceRow:
    """The columns of a row a span needs (selected by ``tracing.ROW_SQL``)."""

    file_number: int
    line: int
    end_line: int
    ts: int
    duration: int
    log_type: str
    kind: str
    thread: str
    rpc: str
    trace: str
    queue: str
    user: str
    api: str
    form: str
    table: str
    action: str
    statement: str
    filter_name: str
    level: int
    result: str
    phase: int
    marker: str
    operation: str
    request: str
    success: bool
    error: str
    queue_ms: float
    esc: str
    pool: str


@dataclass(slots=True)
class Node:
    row: TraceRow
    kind: SpanKind
    name: str
    detail: str
    start: int
    end: int
    level: int | None = None
    end_line: int = 0
    children: list[Node] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return self.row.success


def _node(row: TraceRow, level: int | None = None) -> Node:
    kind, name, detail = _describe(row)
    start = row.ts
    return Node(row, kind, name, detail, start, start + max(0, row.duration), level, row.end_line)


def _describe(row: TraceRow) -> tuple[SpanKind, str, str]:
    if row.kind in ("call", "call_open"):
        detail = row.error or f"{row.queue} queue, user {row.user}"
        return "api", f"{row.api} {row.form}".strip(), detail
    if row.kind == "call_orphan_end":
        return "event", f"{row.api} (end without start)", row.error
    if row.kind == "phase":
        name = f"Phase {row.phase} {row.operation} on {row.form}"
        return "phase", name, row.request
    if row.kind in CHECKS:
        return "filter", row.filter_name, row.result
    if row.kind in ("statement", "statement_open"):
        detail = row.error or row.statement
        return "sql", f"{row.action} {row.table}".strip() or "SQL", detail
    if row.kind in ("run", "run_open"):
        return "escalation", row.esc, f"on {row.form} ({row.pool})"
    return "event", row.esc or row.kind, f"{row.kind} on {row.form}"


def build(rows: list[TraceRow]) -> list[Node]:
    """Root spans (of every thread), in start order, with extents covering their children."""
    single_file = len({r.file_number for r in rows}) <= 1
    threads: dict[str, list[TraceRow]] = {}
    for row in rows:
        threads.setdefault(row.thread, []).append(row)
    roots: list[Node] = []
    for part in threads.values():
        roots.extend(_thread(sorted(part, key=_log_order if single_file else _time_order)))
    return sorted(roots, key=lambda n: (n.start, n.row.file_number, n.row.line))


def _log_order(row: TraceRow) -> tuple[int, int]:
    return row.file_number, row.line


def _time_order(row: TraceRow) -> tuple[int, int, int]:
    return row.ts, row.file_number, row.line


def _ended(node: Node, row: TraceRow) -> bool:
    """Whether a call or run ``node`` was over before ``row`` (calls never ended never are)."""
    if node.row.kind not in ("call", "run"):
        return False
    if node.row.file_number == row.file_number:
        return row.line > node.end_line
    return row.ts > node.row.ts + node.row.duration


def _thread(rows: list[TraceRow]) -> list[Node]:
    roots: list[Node] = []
    stack: list[Node] = []

    def close(depth: int) -> None:
        while len(stack) > depth:
            _finish(stack.pop())

    def attach(node: Node) -> None:
        (stack[-1].children if stack else roots).append(node)

    for row in rows:
        done = [i for i, n in enumerate(stack) if n.row.kind in RANGED and _ended(n, row)]
        if done:
            close(done[0])  # an outer call that ended ended everything inside it
        if row.kind == "phase" and row.marker == "end":
            match = _open_phase(stack, row)
            if match is not None:
                close(match + 1)
                phase = stack.pop()
                phase.end, phase.end_line = max(phase.end, row.ts), row.line
                _finish(phase)
            continue
        if row.kind == "phase":
            top = stack[-1] if stack else None
            level = 0 if top is None or top.level is None else top.level + (top.kind == "filter")
            node = _node(row, level)
        elif row.kind in CHECKS:
            while (
                stack
                and stack[-1].level is not None
                and (
                    stack[-1].level > row.level
                    or (stack[-1].kind == "filter" and stack[-1].level >= row.level)
                )
            ):
                _finish(stack.pop())
            node = _node(row, row.level)
        else:
            node = _node(row)
        attach(node)
        if row.kind in RANGED or row.kind in CHECKS or row.kind == "phase":
            stack.append(node)
    close(0)
    return roots


def _open_phase(stack: list[Node], end: TraceRow) -> int | None:
    """The innermost open phase an end marker closes (same form and phase, else any phase)."""
    phases = [i for i, n in enumerate(stack) if n.kind == "phase"]
    same = [i for i in phases if (stack[i].row.form, stack[i].row.phase) == (end.form, end.phase)]
    found = same or phases
    return found[-1] if found else None


def _finish(node: Node) -> None:
    """Stretch a span over its children (a check over the processing its actions started)."""
    if node.children:
        node.end = max(node.end, *(c.end for c in node.children))
