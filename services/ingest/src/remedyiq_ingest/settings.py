"""Ingest settings: everything the job coordinator touches."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from remedyiq_platform.config import ClickHouseSettings, ServiceSettings
from remedyiq_platform.stores.settings import PostgresSettings, RedisSettings, S3Settings


class IngestRuntime(ServiceSettings, ClickHouseSettings):
    ingest_range_bytes: int = Field(
        32 * 1024 * 1024, ge=1024 * 1024, description="target size of one parser work unit"
    )
    ingest_batch_rows: int = Field(20_000, ge=100, le=200_000, description="rows per batch")


@dataclass(frozen=True, slots=True)
class IngestSettings:
    runtime: IngestRuntime
    postgres: PostgresSettings
    s3: S3Settings
    redis: RedisSettings

    @classmethod
    def from_env(cls) -> IngestSettings:
        return cls(IngestRuntime(), PostgresSettings(), S3Settings(), RedisSettings())
