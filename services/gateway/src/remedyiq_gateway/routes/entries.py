"""One entry in full, and the original lines around it (from the stored file, by offset)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from remedyiq_analysis.explore import ContextLine, EntryDetail, get_entry
from remedyiq_gateway.context import lines_of
from remedyiq_gateway.deps import ResourcesDep
from remedyiq_gateway.errors import ApiError, not_found, responses
from remedyiq_gateway.scoping import ScopedJobDep
from remedyiq_platform.stores import files_repo
from remedyiq_platform.stores.files_repo import FileStatus

router = APIRouter(prefix="/analysis/{job_id}/entries", tags=["Search"])

EntryId = Annotated[str, Path(max_length=32, description="FILE:LINE, as search returns it")]


class EntryContext(BaseModel):
    entry_id: str
    filename: str
    file_number: int
    target_line: int
    lines: list[ContextLine]


async def _entry(scoped: ScopedJobDep, resources: ResourcesDep, entry_id: str) -> EntryDetail:
    found: EntryDetail | None = await resources.clickhouse.run(get_entry, scoped.scope, entry_id)
    if found is None:
        raise not_found("entry", entry_id)
    return found


@router.get(
    "/{entry_id}",
    operation_id="getLogEntry",
    summary="Get a single log entry by ID (every stored column)",
    response_model=EntryDetail,
    responses=responses(400, 404),
)
async def get_log_entry(
    entry_id: EntryId, scoped: ScopedJobDep, resources: ResourcesDep
) -> EntryDetail:
    return await _entry(scoped, resources, entry_id)


@router.get(
    "/{entry_id}/context",
    operation_id="getEntryContext",
    summary="The original lines before and after an entry, read from the uploaded file",
    response_model=EntryContext,
    responses=responses(400, 404, 422),
)
async def get_entry_context(
    entry_id: EntryId,
    scoped: ScopedJobDep,
    resources: ResourcesDep,
    before: Annotated[int, Query(ge=0, le=200)] = 10,
    after: Annotated[int, Query(ge=0, le=200)] = 10,
) -> EntryContext:
    entry = await _entry(scoped, resources, entry_id)
    async with resources.db.tenant(scoped.principal.tenant_id, readonly=True) as conn:
        file = await files_repo.get_file(conn, scoped.job.file_id)
    if file is None or file.status is FileStatus.DELETED:
        raise ApiError(404, "file_gone", "the job's uploaded file was deleted")
    lines = await lines_of(resources, file, scoped.job.id, entry, before=before, after=after)
    return EntryContext(
        entry_id=entry.entry_id,
        filename=file.filename,
        file_number=entry.file_number,
        target_line=entry.line_number,
        lines=lines,
    )
