"""One finished job (a 15k-line fixture log with Trace IDs) shared by the dashboard and search
tests: made once per session through the API and the stores, owned by its own tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from remedyiq_analysis.report import Report

from .conftest import Caller, Gateway, make_caller
from .seed import FIXTURES, seeded_job

LOG = FIXTURES / "trid_23x_15k.log"


@dataclass
class Seeded:
    caller: Caller
    job_id: UUID
    report: Report

    @property
    def base(self) -> str:
        return f"/analysis/{self.job_id}"

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.caller.client.get(self.base + path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
async def seeded(gateway: Gateway) -> AsyncIterator[Seeded]:
    caller = await make_caller(gateway, "explore")
    job_id, report = await seeded_job(caller.client, gateway.resources, caller.tenant_id, LOG)
    yield Seeded(caller, job_id, report)
    await caller.client.aclose()
