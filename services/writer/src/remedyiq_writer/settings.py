"""Writer settings: NATS, ClickHouse, PostgreSQL (batch ledger, live jobs), batching."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, model_validator

from remedyiq_platform.config import ClickHouseSettings, ServiceSettings
from remedyiq_platform.stores.settings import PostgresSettings


class WriterRuntime(ServiceSettings, ClickHouseSettings):
    writer_pull_batch: int = Field(
        16,
        ge=1,
        le=256,
        description="entry batches fetched at once (they stay compressed: ~1.5 MB each, 6 MB at "
        "most); 4 × this many may wait unacknowledged",
    )
    writer_flush_rows: int = Field(
        120_000,
        ge=1,
        le=2_000_000,
        description="entry rows stored in one insert (a pull of more makes several inserts): "
        "larger inserts make fewer parts "
        "(less merging later) but the engine holds each in memory (embedded chDB: ~1.2 GB at "
        "120k rows, ~1.7 GB at 250k; with a ClickHouse server that memory is the server's)",
    )
    writer_flush_s: float = Field(
        5.0,
        gt=0,
        description="the longest an entry batch waits for others before it is stored (a job's "
        "final batch is stored at once, with all that waits)",
    )
    writer_live_flush_s: float = Field(
        1.0, gt=0, description="a live record waiting for its next line is stored after this"
    )

    @model_validator(mode="after")
    def _flush_before_redelivery(self) -> WriterRuntime:
        if self.writer_flush_s * 2 > self.nats_ack_wait_s:
            raise ValueError(
                "REMEDYIQ_WRITER_FLUSH_S must be at most half of REMEDYIQ_NATS_ACK_WAIT_S "
                "(waiting batches would be delivered to another writer)"
            )
        return self


@dataclass(frozen=True, slots=True)
class WriterSettings:
    runtime: WriterRuntime
    postgres: PostgresSettings

    @classmethod
    def from_env(cls) -> WriterSettings:
        return cls(WriterRuntime(), PostgresSettings())
