"""The job's report as HTML, text (the reference analyzer's layout) or JSON: the CLI's renderers."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from remedyiq_analysis.render import render_html, render_json, render_text
from remedyiq_analysis.report import Report
from remedyiq_gateway import dashboard
from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.deps import ResourcesDep, SettingsDep
from remedyiq_gateway.errors import responses
from remedyiq_platform.stores import jobs_repo

router = APIRouter(prefix="/analysis/{job_id}", tags=["Reports"])

_MEDIA = {
    "html": "text/html; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
}
_EXTENSION = {"html": "html", "text": "txt", "json": "json"}
# The HTML report quotes log text (attacker-controlled): opened from the API's origin it runs
# sandboxed (an opaque origin: no cookies, no storage, no requests) with its own inline code.
_HTML_POLICY = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data:"
)


def _render(report: Report, fmt: str, duration_s: float | None) -> str:
    if fmt == "html":
        return render_html(report)
    if fmt == "json":
        return render_json(report)
    return render_text(report, duration_s=duration_s)  # last line: the job's processing time


@router.get(
    "/report",
    operation_id="getReport",
    summary="Download the report (html, text or json), rendered like `remedyiq analyze`",
    responses={
        200: {
            "description": "The report",
            "content": {media: {"schema": {"type": "string"}} for media in _MEDIA.values()},
        },
        **responses(404, 409),
    },
    response_class=Response,
)
async def get_report(
    *,
    job_id: UUID,
    principal: PrincipalDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    format: Annotated[Literal["html", "text", "json"], Query()] = "html",
    download: bool = True,
) -> Response:
    data = await dashboard.report_json(
        resources, principal.tenant_id, job_id, settings.dashboard_cache_s
    )
    report = Report.model_validate(data)
    duration_s = None
    if format == "text":  # its last line is the job's processing time
        async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
            job = await jobs_repo.get_job(conn, job_id)
        duration_s = job.processing_s if job is not None else None
    body = await asyncio.to_thread(_render, report, format, duration_s)  # big reports: off the loop
    name = f"remedyiq-{job_id}.{_EXTENSION[format]}"
    disposition = "attachment" if download else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{name}"'}
    if format == "html":
        headers["Content-Security-Policy"] = _HTML_POLICY
    return Response(body, media_type=_MEDIA[format], headers=headers)
