"""What the generator knows by construction about the log it wrote (names follow the fixtures'
``*.truth.json`` where they overlap).

Semantics (all counts are over the written file):

* ``total_lines`` physical lines (a last line without newline counts); ``lines_with_header`` lines
  starting with ``<`` — every one carries a ``<TID: …>`` field, so this is what the reference
  analyzer prints as *Total Lines*; ``continuation_lines`` headerless lines of multi-line SQL.
* ``lines_per_type`` lines by their ``<TYPE>`` tag (malformed and truncated lines included) — the
  analyzer's API/SQL/ESC *Count*.
* ``api``: a call is *completed* when its ``-ABBR`` line follows its ``+ABBR`` line on the thread;
  sub calls (inside SGE) are included in ``calls_completed`` and also counted separately;
  ``queued_calls`` = completed calls with ``:q:`` > 0; exceptions = unmatched begin/end lines.
* ``sql``: statement lines closed by ``OK`` (ok) or an error line (fail); a failed statement is
  followed by ``ROLLBACK TRANSACTION``, which closes nothing.
* ``fltr``: line counts of ``Checking``, ``--> Passed -- perform actions``,
  ``--> Failed qualification -- perform else actions`` and plain ``--> Failed qualification``.
* ``escl``: runs ended by a ``completed`` line (a completion whose ``ready to fire`` line is not in
  the log counts too — the analyzer reconstructs it); errors and delays count for completed
  runs only (as in the analyzer's lists); ``runs_delayed_over_5s`` uses the printed millisecond
  times exactly like the analyzer: |ready − (last going-to-fire line + N s)| > 5 s.
* ``threads_per_queue`` distinct TIDs that wrote a line, per queue; ``start_time_ms`` /
  ``end_time_ms`` first/last printed timestamp as epoch ms (the header time read as UTC).
* ``anomalies_injected`` how often each kind was *decided* (e.g. a delay that ends up ≤ 5 s or
  a freeze that also delays an escalation make it differ from the outcome figures above, which
  are exact).

Every figure the reference analyzer also prints was checked against ARLogAnalyzer 3.2.2 output
(General statistics, aggregate grand totals, error/queued/delayed lists, exception reports,
thread counts, filter pass/fail sums).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


class Tally:
    """Mutable counters the thread scripts bump while they write (all public, no logic)."""

    __slots__ = (
        "api_by_abbr",
        "api_completed",
        "api_end_orphans",
        "api_fail",
        "api_ok",
        "api_queued",
        "api_sub",
        "continuation",
        "e_completed",
        "e_delayed",
        "e_error",
        "f_checked",
        "f_else",
        "f_max_level",
        "f_noelse",
        "f_ops",
        "f_passed",
        "malformed",
        "sql_completed",
        "sql_fail",
        "sql_ok",
        "untimed",
    )

    def __init__(self) -> None:
        self.api_by_abbr: dict[str, int] = {}
        self.api_completed = self.api_ok = self.api_fail = self.api_sub = self.api_queued = 0
        self.api_end_orphans = 0
        self.sql_completed = self.sql_ok = self.sql_fail = 0
        self.f_ops = self.f_checked = self.f_passed = self.f_else = self.f_noelse = 0
        self.f_max_level = 0
        self.e_completed = self.e_error = self.e_delayed = 0
        self.continuation = self.malformed = self.untimed = 0


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


@dataclass(frozen=True, slots=True)
class ApiTruth:
    calls_completed: int
    ok: int
    fail: int
    sub_calls_completed: int
    queued_calls: int
    by_abbreviation: Mapping[str, int]
    exceptions_start_without_end: int
    exceptions_end_without_start: int


@dataclass(frozen=True, slots=True)
class SqlTruth:
    statements_completed: int
    ok: int
    fail: int
    exceptions_start_without_end: int


@dataclass(frozen=True, slots=True)
class FltrTruth:
    operations_started: int  # "Start filter processing" lines
    filters_checked: int
    passed: int
    failed_with_else_actions: int
    failed_without_else_actions: int
    max_filter_level: int


@dataclass(frozen=True, slots=True)
class EsclTruth:
    runs_completed: int
    runs_with_error: int
    runs_delayed_over_5s: int
    exceptions_start_without_end: int


@dataclass(frozen=True, slots=True)
class GenerationTruth:
    """Figures of one generated log; ``to_json()`` is what ``--truth FILE`` writes."""

    total_lines: int
    lines_with_header: int
    lines_per_type: Mapping[str, int]
    continuation_lines: int
    malformed_lines: int
    untimed_lines: int  # header lines without a /* timestamp */ part
    bytes: int
    ends_with_newline: bool
    start_time_ms: int
    end_time_ms: int
    api: ApiTruth
    sql: SqlTruth
    fltr: FltrTruth
    escl: EsclTruth
    threads_per_queue: Mapping[str, int]
    threads_total: int
    anomalies_injected: Mapping[str, int]
    meta: Mapping[str, object]
    generator: str = "remedyiq_arlog.generator"

    @property
    def elapsed_s(self) -> float:
        return (self.end_time_ms - self.start_time_ms) / 1000

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = _plain(self)
        out["elapsed_s"] = self.elapsed_s
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n"
