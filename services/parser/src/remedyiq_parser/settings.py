"""Parser settings: NATS, object storage, how much work per replica."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from remedyiq_platform.config import ServiceSettings
from remedyiq_platform.stores.settings import S3Settings


class ParserRuntime(ServiceSettings):
    parser_work_dir: str = Field("/tmp", description="where a range is staged while parsed")
    parser_concurrency: int = Field(1, ge=1, le=16, description="ranges parsed at once")


@dataclass(frozen=True, slots=True)
class ParserSettings:
    runtime: ParserRuntime
    s3: S3Settings

    @classmethod
    def from_env(cls) -> ParserSettings:
        return cls(ParserRuntime(), S3Settings())
