"""The one query layer for ClickHouse reads of a job: it always binds tenant and job.

SQL is written with ``$E`` (entries table), ``$G`` (gaps table) and ``$JOB`` (the tenant/job
filter); a query without ``$JOB`` is refused, so no read can forget the tenant. Values are bound
server-side (``{name:Type}``), never formatted into the SQL text. The client is synchronous
(chDB has no async client): async callers run :meth:`JobScope.rows` in a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clickhouse_connect.driver.client import Client

from remedyiq_analysis.migrate import check_identifier

_JOB_FILTER = "tenant_id = {tenant:String} AND job_id = {job:String}"


@dataclass(frozen=True, slots=True)
class JobScope:
    client: Client
    database: str
    tenant_id: str
    job_id: str

    def __post_init__(self) -> None:
        check_identifier(self.database)
        if not self.tenant_id or not self.job_id:
            raise ValueError("a job scope needs a tenant and a job")

    def sql(self, template: str) -> str:
        if "$JOB" not in template:
            raise ValueError("query without the tenant/job filter ($JOB) refused")
        return (
            template.replace("$E", f"{self.database}.log_entries")
            .replace("$G", f"{self.database}.log_gaps")
            .replace("$JOB", _JOB_FILTER)
        )

    def rows(self, template: str, **params: Any) -> Sequence[Sequence[Any]]:
        """Run a query of this job; returns its rows."""
        bound = {"tenant": self.tenant_id, "job": self.job_id, **params}
        return self.client.query(self.sql(template), parameters=bound).result_rows

    def one(self, template: str, **params: Any) -> Sequence[Any]:
        rows = self.rows(template, **params)
        return rows[0] if rows else ()
