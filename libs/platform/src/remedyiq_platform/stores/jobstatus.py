"""The analysis job lifecycle: statuses and the transitions allowed between them.

``queued -> parsing -> storing -> analyzing -> complete``, one step at a time; any non-final
status may go to ``failed`` or ``cancelled``; a final status never changes. Pure module (no
I/O), shared by the PostgreSQL repository and the Redis status cache.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Status of an analysis job (the values stored in ``analysis_jobs.status``)."""

    QUEUED = "queued"
    PARSING = "parsing"
    STORING = "storing"
    ANALYZING = "analyzing"
    COMPLETE = "complete"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """True for complete, failed and cancelled: nothing changes a final job."""
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({JobStatus.COMPLETE, JobStatus.FAILED, JobStatus.CANCELLED})

PIPELINE: tuple[JobStatus, ...] = (
    JobStatus.QUEUED,
    JobStatus.PARSING,
    JobStatus.STORING,
    JobStatus.ANALYZING,
    JobStatus.COMPLETE,
)


def can_transition(current: JobStatus, target: JobStatus) -> bool:
    """Whether a job in ``current`` may move to ``target``.

    Staying in the same non-final status is allowed (progress updates); moving to the same
    final status is not a transition and is refused here (callers treat it as a no-op).
    """
    if current.is_final:
        return False
    if target == current or target in (JobStatus.FAILED, JobStatus.CANCELLED):
        return True
    return target in PIPELINE and PIPELINE.index(target) == PIPELINE.index(current) + 1
