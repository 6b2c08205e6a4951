"""Shapes shared by several resources."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Pagination(BaseModel):
    """The MVP's pagination block, plus the keyset cursor of the next page.

    ``page`` is kept for MVP clients; ``next_cursor`` is the efficient way to page (no OFFSET):
    pass it back as ``cursor``. ``total_count`` is exact for lists of jobs and files.
    """

    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    total_count: int = Field(ge=0)
    total_pages: int = Field(ge=0)
    next_cursor: str | None = None


class Deleted(BaseModel):
    """What a delete removed."""

    id: str
    deleted: dict[str, int] = Field(default_factory=dict)
