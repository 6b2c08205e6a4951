"""CALL AGGREGATES tables: per group (form, client, table, pool…), per key (API, SQL action,
escalation), counts and MIN/MAX/AVG/SUM run times — with the reference's ordering rules
(analyzer-report-spec §2.3.4): rows by the sort metric (descending, or ascending with ``-i``), ties
alphabetical; groups always descending by a metric-dependent key (AVG: the highest row average;
COUNT/SUM: group totals; MAX/MIN: group extremes), ties in order of first appearance.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from remedyiq_analysis.report import AggregateGroup, AggregateRow, Aggregates, AnalysisOptions
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import seconds


@dataclass(slots=True)
class _Row:
    group: str
    key: str
    ok: int
    fail: int
    min_ms: int
    min_line: int
    min_file: int
    max_ms: int
    max_line: int
    max_file: int
    sum_ms: int
    first_seen: tuple[int, int, int]
    float_avg: float | None = None  # the reference's double-precision average, where it matters

    @property
    def total(self) -> int:
        return self.ok + self.fail

    @property
    def avg(self) -> float:
        if self.float_avg is not None:
            return self.float_avg
        return self.sum_ms / 1000.0 / self.total

    @property
    def exact_avg(self) -> Fraction:
        return Fraction(self.sum_ms, self.total)


def _metric(row: _Row, sort: str) -> float:
    return {
        "AVG": row.avg,
        "COUNT": float(row.total),
        "MAX": float(row.max_ms),
        "MIN": float(row.min_ms),
        "SUM": float(row.sum_ms),
    }[sort]


def aggregates(
    scope: JobScope,
    *,
    grouping: str,
    group_expr: str,
    key_label: str,
    key_expr: str,
    where: str,
    options: AnalysisOptions,
) -> Aggregates:
    """One aggregate table; ``group_expr``/``key_expr``/``where`` are trusted SQL fragments."""
    fetched = scope.rows(
        f"""
        SELECT {group_expr} AS g, {key_expr} AS k,
               countIf(success), countIf(NOT success),
               min(duration_ms), argMin(tuple(ref_line, file_number),
                                        tuple(duration_ms, timestamp, file_number, line_number)),
               max(duration_ms), argMin(tuple(ref_line, file_number),
                                        tuple(-duration_ms, timestamp, file_number, line_number)),
               sum(duration_ms),
               min(tuple(toUnixTimestamp64Milli(timestamp), file_number, line_number))
        FROM $E WHERE $JOB AND {where}
        GROUP BY g, k
        """
    )
    rows = [
        _Row(
            str(g),
            str(k),
            int(ok),
            int(fail),
            int(mn),
            int(mn_at[0]),
            int(mn_at[1]),
            int(mx),
            int(mx_at[0]),
            int(mx_at[1]),
            int(total),
            tuple(int(x) for x in first),  # type: ignore[arg-type]
        )
        for g, k, ok, fail, mn, mn_at, mx, mx_at, total, first in fetched
    ]
    _refine_averages(scope, rows, group_expr, key_expr, where)
    return build(rows, grouping=grouping, key_label=key_label, options=options)


def _refine_averages(
    scope: JobScope, rows: list[_Row], group_expr: str, key_expr: str, where: str
) -> None:
    """Use the reference's floating-point average where exact arithmetic would differ from it.

    The reference adds run times as doubles (seconds), longest first; the result differs from
    the exact average only in the last bits, which matters in two cases: an average exactly
    halfway between two printed values (x.xxx5 s), and two averages that are exactly equal
    (their order then depends on those bits). Only those rows fetch their run times.
    """
    seen = Counter(row.exact_avg for row in rows)
    wanted = [row for row in rows if row.exact_avg.denominator == 2 or seen[row.exact_avg] > 1]
    if not wanted:
        return
    # the wanted groups as a set built by a subquery: tens of thousands of groups in an IN
    # literal take ClickHouse minutes to plan (65k pairs: 92 s; this: 0.6 s)
    fetched = scope.rows(
        f"""
        SELECT {group_expr} AS g, {key_expr} AS k, duration_ms, count()
        FROM $E WHERE $JOB AND {where} AND (g, k) IN (
            SELECT pair.1, pair.2
            FROM (SELECT arrayJoin(arrayZip({{gs:Array(String)}}, {{ks:Array(String)}})) AS pair)
        )
        GROUP BY g, k, duration_ms
        """,
        gs=[row.group for row in wanted],
        ks=[row.key for row in wanted],
    )
    # each distinct run time with how often it occurs (a large group has far fewer distinct
    # run times than calls): the sum is still the reference's, one addition per call
    durations: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for g, k, value, times in fetched:
        durations.setdefault((str(g), str(k)), []).append((int(value), int(times)))
    for row in wanted:
        values = durations.get((row.group, row.key))
        if values:
            total = 0.0
            calls = 0
            for value, times in sorted(values, reverse=True):
                seconds = value / 1000.0
                for _ in range(times):
                    total += seconds
                calls += times
            row.float_avg = total / calls


def build(
    rows: list[_Row], *, grouping: str, key_label: str, options: AnalysisOptions
) -> Aggregates:
    by_group: dict[str, list[_Row]] = {}
    for row in sorted(rows, key=lambda r: r.first_seen):
        by_group.setdefault(row.group, []).append(row)
    sort = options.sort

    def group_key(members: list[_Row]) -> float:
        if sort == "AVG":
            return max(r.avg for r in members)
        if sort == "COUNT":
            return float(sum(r.total for r in members))
        if sort == "SUM":
            return float(sum(r.sum_ms for r in members))
        if sort == "MAX":
            return float(max(r.max_ms for r in members))
        return float(min(r.min_ms for r in members))

    ordered = sorted(by_group.values(), key=group_key, reverse=True)  # ties: first appearance
    groups: list[AggregateGroup] = []
    for unsorted in ordered:
        members = sorted(unsorted, key=lambda r: r.key)
        members.sort(key=lambda r: _metric(r, sort), reverse=not options.ascending)
        groups.append(
            AggregateGroup(
                value=members[0].group,
                rows=[
                    AggregateRow(
                        key=r.key,
                        ok=r.ok,
                        fail=r.fail,
                        total=r.total,
                        min_s=seconds(r.min_ms),
                        min_line=r.min_line,
                        min_file=r.min_file,
                        max_s=seconds(r.max_ms),
                        max_line=r.max_line,
                        max_file=r.max_file,
                        avg_s=r.avg,
                        sum_s=seconds(r.sum_ms),
                    )
                    for r in members
                ],
                ok=sum(r.ok for r in members),
                fail=sum(r.fail for r in members),
                total=sum(r.total for r in members),
                sum_s=seconds(sum(r.sum_ms for r in members)),
            )
        )
    return Aggregates(
        grouping=grouping,
        key_label=key_label,
        groups=groups,
        ok=sum(g.ok for g in groups),
        fail=sum(g.fail for g in groups),
        total=sum(g.total for g in groups),
        sum_s=seconds(sum(r.sum_ms for r in rows)),
    )
