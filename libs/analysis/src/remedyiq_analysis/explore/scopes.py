"""Scopes the explorer reads through: one job (:class:`JobScope`) or several of one tenant.

:class:`TenantScope` follows the rules of :class:`~remedyiq_analysis.scope.JobScope`: SQL uses
``$E``/``$G``/``$JOB``, a query without ``$JOB`` is refused, and ``$JOB`` always binds the
tenant — plus ``job_id IN {jobs:Array(String)}``. :func:`run` is the one place that executes a
scope's query with ClickHouse settings (budgets) and returns the full result with its summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.query import QueryResult

from remedyiq_analysis.migrate import check_identifier
from remedyiq_analysis.scope import JobScope

_TENANT_FILTER = "tenant_id = {tenant:String} AND job_id IN {jobs:Array(String)}"
MAX_JOBS = 1000


@dataclass(frozen=True, slots=True)
class TenantScope:
    """Several jobs of one tenant (searches across uploads). ``job_ids`` must not be empty."""

    client: Client
    database: str
    tenant_id: str
    job_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        check_identifier(self.database)
        if not self.tenant_id:
            raise ValueError("a tenant scope needs a tenant")
        if not isinstance(self.job_ids, tuple) or not self.job_ids:
            raise ValueError("a tenant scope needs a non-empty tuple of job ids")
        if len(self.job_ids) > MAX_JOBS or not all(self.job_ids):
            raise ValueError(f"a tenant scope takes 1..{MAX_JOBS} non-empty job ids")

    def sql(self, template: str) -> str:
        if "$JOB" not in template:
            raise ValueError("query without the tenant/job filter ($JOB) refused")
        return (
            template.replace("$E", f"{self.database}.log_entries")
            .replace("$G", f"{self.database}.log_gaps")
            .replace("$JOB", _TENANT_FILTER)
        )

    def rows(self, template: str, **params: Any) -> Sequence[Sequence[Any]]:
        """Run a query over these jobs; returns its rows."""
        return run(self, template, **params).result_rows

    def one(self, template: str, **params: Any) -> Sequence[Any]:
        rows = self.rows(template, **params)
        return rows[0] if rows else ()


Scope = JobScope | TenantScope
"""What search-like functions accept: one job, or several jobs of one tenant."""


def scope_params(scope: Scope) -> dict[str, Any]:
    """The values ``$JOB`` binds for this scope."""
    if isinstance(scope, TenantScope):
        return {"tenant": scope.tenant_id, "jobs": list(scope.job_ids)}
    return {"tenant": scope.tenant_id, "job": scope.job_id}


def run(
    scope: Scope, template: str, *, settings: Mapping[str, Any] | None = None, **params: Any
) -> QueryResult:
    """Run ``template`` in ``scope`` (tenant and job(s) always bound) with optional settings."""
    reserved = params.keys() & {"tenant", "job", "jobs"}
    if reserved:
        raise ValueError(f"parameter names reserved for the scope: {sorted(reserved)}")
    return scope.client.query(
        scope.sql(template),
        parameters={**scope_params(scope), **params},
        settings=dict(settings) if settings else None,
    )
