"""Writer settings: NATS, ClickHouse, PostgreSQL (batch ledger, live jobs), batching."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from remedyiq_platform.config import ClickHouseSettings, ServiceSettings
from remedyiq_platform.stores.settings import PostgresSettings


class WriterRuntime(ServiceSettings, ClickHouseSettings):
    writer_pull_batch: int = Field(
        4,
        ge=1,
        le=256,
        description="entry batches fetched and inserted at once (each up to ~25 MB decoded: "
        "this bounds the writer's memory; 4 keeps it flat at ~1.2 GB with the embedded engine)",
    )
    writer_live_flush_s: float = Field(
        1.0, gt=0, description="a live record waiting for its next line is stored after this"
    )


@dataclass(frozen=True, slots=True)
class WriterSettings:
    runtime: WriterRuntime
    postgres: PostgresSettings

    @classmethod
    def from_env(cls) -> WriterSettings:
        return cls(WriterRuntime(), PostgresSettings())
