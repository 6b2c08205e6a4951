"""Line and thread gaps: silences between records (analyzer-report-spec §2.2).

* line gap of a record = its time − the time of the previous timestamped analysed record of the
  same file, in file order (the first record of a file: 0);
* thread gap = its time − the time of the previous analysed record of its thread, for threads of
  the Fast and List queues only, not for API begin lines, SQL close lines, nor API end lines
  while no SQL/FLTR record has been seen yet (so API durations are not thread gaps);
* records without a time have gap 0 and sort by their thread's last time (they print "null");
  negative gaps (out-of-order lines) count as 0.

Only the largest gaps are kept — a bounded board per kind, ordered like the reference's lists
(gap desc, then time, then position) — so memory does not grow with the file. Boards of byte
ranges merge exactly: the top K of a union is in the union of the top Ks.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

from remedyiq_arlog.records import Record

Candidate = tuple[Any, ...]  # GAP_COLUMNS order


def candidate(rec: Record, kind: int, gap: int, starts: bool, log_type: int) -> Candidate:
    return (
        kind,
        gap,
        rec.file_number,
        rec.line,
        rec.end_line,
        starts,
        rec.ts,
        rec.has_ts,
        rec.trace_id,
        rec.rpc_id,
        rec.thread_id,
        rec.queue,
        log_type,
        rec.details.strip(),
    )


def _rank(item: Candidate) -> tuple[int, int, int, int]:
    # "Worse" entries compare smaller, so heap[0] is the first to drop.
    ts = item[6] or 0
    return (item[1], -ts, -item[2], -item[3])


@dataclass(slots=True)
class GapBoard:
    """The ``size`` largest gaps seen (a min-heap on rank)."""

    size: int
    heap: list[tuple[tuple[int, int, int, int], Candidate]] = field(default_factory=list)

    def offer(self, item: Candidate) -> None:
        ranked = (_rank(item), item)
        if len(self.heap) < self.size:
            heapq.heappush(self.heap, ranked)
        elif ranked[0] > self.heap[0][0]:
            heapq.heapreplace(self.heap, ranked)

    def would_keep(self, gap: int, ts: int | None) -> bool:
        """Cheap pre-check before building a candidate: could it enter the board?"""
        if len(self.heap) < self.size:
            return True
        worst = self.heap[0][0]
        if gap != worst[0]:
            return gap > worst[0]
        return -(ts or 0) >= worst[1]  # equal gaps: the earlier record wins

    def merge(self, other: GapBoard) -> None:
        for _rank_key, item in other.heap:
            self.offer(item)

    def mark_starts(self, file_number: int, line: int) -> None:
        """A record later found to start an event (a reconstructed escalation run)."""
        for index, (rank, item) in enumerate(self.heap):
            if item[2] == file_number and item[3] == line:
                self.heap[index] = (rank, (*item[:5], True, *item[6:]))

    def items(self) -> list[Candidate]:
        """Best first."""
        return [item for _rank_key, item in sorted(self.heap, reverse=True)]
