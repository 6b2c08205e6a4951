"""Typed settings fragments shared by the services (environment only, prefix ``REMEDYIQ_``).

Each service composes the fragments it needs into its own settings class; nothing else reads the
environment. Secrets have no defaults, and placeholder values are refused in production.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDERS = ("change_me", "changeme", "placeholder", "secret", "password")


class Base(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REMEDYIQ_", extra="ignore", frozen=True)


class RuntimeSettings(Base):
    environment: Literal["development", "production"] = "development"
    log_level: str = Field("INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")
    health_host: str = "0.0.0.0"
    health_port: int = Field(8081, ge=1, le=65535)
    drain_timeout_s: float = Field(50.0, gt=0, description="graceful drain on SIGTERM")


class NatsSettings(Base):
    nats_url: str = Field(description="nats://host:4222 (comma-separated for a cluster)")
    nats_stream_replicas: int = Field(1, ge=1, le=5, description="3 on a production cluster")
    nats_connect_timeout_s: float = Field(5.0, gt=0)
    nats_ack_wait_s: float = Field(
        30.0,
        ge=1.0,
        description="JetStream gives a message a crashed consumer held to another after this; "
        "handlers that run longer tell it they are still working (messaging.keep_in_progress)",
    )


class ClickHouseSettings(Base):
    clickhouse_dsn: SecretStr = Field(
        description="http(s)://user:password@host:8123 (production) or chdb:///path (local)"
    )
    clickhouse_database: str = Field("remedyiq", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    @field_validator("clickhouse_dsn")
    @classmethod
    def _known_scheme(cls, value: SecretStr) -> SecretStr:
        dsn = value.get_secret_value()
        if not dsn.startswith(("http://", "https://", "chdb://")):
            raise ValueError("REMEDYIQ_CLICKHOUSE_DSN must start with http://, https:// or chdb://")
        return value


def refuse_placeholders(environment: str, **secrets: SecretStr | None) -> None:
    """In production, a secret that looks like an example value is a configuration error."""
    if environment != "production":
        return
    for name, secret in secrets.items():
        if secret is not None and any(
            marker in secret.get_secret_value().lower() for marker in _PLACEHOLDERS
        ):
            raise ValueError(f"{name} holds a placeholder value; set the real secret")


class ServiceSettings(RuntimeSettings, NatsSettings):
    """What every service needs: runtime, health and NATS."""

    @model_validator(mode="after")
    def _production_checks(self) -> ServiceSettings:
        if self.environment == "production" and "127.0.0.1" in self.nats_url:
            raise ValueError("production settings point NATS at localhost")
        return self
