"""Typed settings fragments for the stores; services compose them into their own settings.

Secrets have no defaults: a missing DSN, password or key fails at start-up, not at first use.
Environment variable names are the field names with the fragment's prefix, upper-cased
(e.g. ``REMEDYIQ_POSTGRES_DSN``); deploy/ and docker-compose.yml use exactly these names.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class PostgresSettings(BaseSettings):
    """The services' PostgreSQL connection (the unprivileged app role, never the owner)."""

    model_config = SettingsConfigDict(env_prefix="REMEDYIQ_POSTGRES_", extra="ignore")

    dsn: SecretStr
    pool_min_size: int = Field(default=1, ge=0)
    pool_max_size: int = Field(default=10, ge=1)
    command_timeout_s: float = Field(default=10.0, gt=0)
    connect_timeout_s: float = Field(default=10.0, gt=0)


class MigrationSettings(BaseSettings):
    """What the migration Job needs: the owner's DSN, and the app role to create or refresh —
    the user of the services' DSN, with the password given separately."""

    model_config = SettingsConfigDict(env_prefix="REMEDYIQ_POSTGRES_", extra="ignore")

    owner_dsn: SecretStr
    dsn: SecretStr
    app_password: SecretStr

    @property
    def app_role(self) -> str:
        role = urlsplit(self.dsn.get_secret_value()).username or ""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise ValueError("REMEDYIQ_POSTGRES_DSN must name the app role (a lower-case user)")
        return role


class S3Settings(BaseSettings):
    """Object storage. Without keys, the AWS default credential chain is used (e.g. IRSA)."""

    model_config = SettingsConfigDict(env_prefix="REMEDYIQ_S3_", extra="ignore")

    bucket: str = Field(min_length=3, max_length=63)
    endpoint: str | None = None  # None: AWS S3 itself
    region: str = "us-east-1"
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=5, ge=1)
    part_size_mib: int = Field(default=8, ge=8, le=16)
    create_bucket: bool = True

    @model_validator(mode="after")
    def _keys_together(self) -> S3Settings:
        if (self.access_key is None) != (self.secret_key is None):
            raise ValueError("set both S3 access key id and secret access key, or neither")
        return self


class RedisSettings(BaseSettings):
    """Redis/Valkey for job status, caches and rate limits."""

    model_config = SettingsConfigDict(env_prefix="REMEDYIQ_REDIS_", extra="ignore")

    url: SecretStr  # may carry a password: redis://:secret@host:6379/0
    socket_timeout_s: float = Field(default=2.0, gt=0)
    connect_timeout_s: float = Field(default=2.0, gt=0)
    final_status_ttl_s: int = Field(default=3600, gt=0)
