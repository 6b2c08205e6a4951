"""Search shapes: the MVP ``SearchResult`` / ``LogEntry`` (extended) and autocomplete."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class LogEntryHit(BaseModel):
    """A search hit (MVP ``LogEntry`` names; ``entry_id`` is ``FILE:LINE``)."""

    entry_id: str
    job_id: str
    line_number: int
    end_line: int
    file_number: int
    timestamp: str | None
    timestamp_ms: int
    log_type: str
    kind: str
    trace_id: str
    rpc_id: str
    thread_id: str
    queue: str
    user: str
    duration_ms: int
    success: bool
    summary: str
    raw_text: str
    raw_truncated: bool


class SearchFacets(BaseModel):
    types: dict[str, int]
    queues: dict[str, int]
    users: dict[str, int]


class SearchResult(BaseModel):
    """One page of hits. ``total_count`` is null when counting would be expensive (a text scan
    of a huge range) or on later pages; ``partial`` says the range was not searched through."""

    total_count: int | None
    entries: list[LogEntryHit]
    facets: SearchFacets | None
    took_ms: int
    next_cursor: str | None
    partial: bool
    warning: str | None
    cached: bool


class Suggestion(BaseModel):
    """An autocomplete pick (MVP ``field``/``value``/``count``) and where it goes."""

    field: str | None
    value: str | None
    count: int | None = None
    text: str = Field(description="what to insert")
    kind: Literal["field", "value", "operator", "keyword"]
    detail: str
    start: int = Field(description="replace the query's characters [start, end)")
    end: int


class AutocompleteResult(BaseModel):
    suggestions: list[Suggestion]
    context: list[str] = Field(description="what fits at the cursor: field, operator, value …")
    field: str | None
    error: str | None
    start: int
    end: int
