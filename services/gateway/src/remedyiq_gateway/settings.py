"""The gateway's settings: the shared fragments plus auth, HTTP and limits (env prefix REMEDYIQ_).

Nothing else in the gateway reads the environment. Secrets have no defaults; in production,
placeholder secrets, a missing identity provider and the development auth mode are refused at
start-up, not at the first request.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from remedyiq_platform.config import ClickHouseSettings, ServiceSettings, refuse_placeholders
from remedyiq_platform.stores.settings import PostgresSettings, RedisSettings, S3Settings

GIB = 1024**3


class GatewaySettings(ServiceSettings, ClickHouseSettings):
    """Everything ``create_app`` / ``create_service`` need, typed."""

    # HTTP (REMEDYIQ_API_HOST / REMEDYIQ_API_PORT, as ``remedyiq up`` sets them)
    api_host: str = "0.0.0.0"
    api_port: int = Field(8080, ge=0, le=65535, description="0: any free port (tests)")
    cors_origins: list[str] = Field(
        default_factory=list, description="browser origins allowed to call the API (no '*')"
    )
    max_json_body_bytes: int = Field(1024 * 1024, ge=1024, description="JSON request bodies")

    # Auth (OIDC/JWT through a JWKS URL; Clerk-compatible claims)
    auth_jwks_url: str | None = None
    auth_issuer: str | None = None
    auth_audience: str | None = None
    auth_dev_mode: bool = Field(
        False, description="trust X-Dev-User-ID / X-Dev-Tenant-ID headers (never in production)"
    )
    auth_algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    auth_leeway_s: float = Field(30.0, ge=0, le=300)
    auth_jwks_cache_s: float = Field(600.0, gt=0, description="how long fetched keys are trusted")
    auth_jwks_min_refresh_s: float = Field(
        10.0, ge=0, description="an unknown key id refetches the JWKS at most this often"
    )
    auth_jwks_timeout_s: float = Field(5.0, gt=0)
    auth_tenant_cache_s: float = Field(300.0, ge=0, description="organisation -> tenant cache")

    # Uploads
    upload_max_bytes: int = Field(50 * GIB, gt=0, description="hard cap above every tenant's")
    upload_part_size_mib: int = Field(64, ge=5, le=5 * 1024, description="presigned parts")
    presign_expiry_s: int = Field(3600, ge=60, le=7 * 86_400)

    # Rate limits (fixed windows in Redis)
    upload_rate_limit: int = Field(120, ge=1, description="uploads per tenant per window")
    upload_rate_window_s: float = Field(3600.0, gt=0)
    ai_rate_limit: int = Field(10, ge=1, description="AI requests per user per window")
    ai_rate_window_s: float = Field(60.0, gt=0)
    search_rate_limit: int = Field(600, ge=1, description="searches per user per window")
    search_rate_window_s: float = Field(60.0, gt=0)

    # Caches and query guards
    dashboard_cache_s: float = Field(300.0, gt=0)
    search_cache_s: float = Field(120.0, gt=0)
    search_history_size: int = Field(50, ge=1, le=1000)
    search_max_page_size: int = Field(1000, ge=1, le=10_000)
    search_max_jobs: int = Field(50, ge=1, description="jobs one tenant-wide search may span")
    export_max_rows: int = Field(1_000_000, ge=1)
    context_max_lines: int = Field(200, ge=1)
    context_max_bytes: int = Field(1024 * 1024, ge=4096, description="S3 bytes read per context")

    # Live progress
    sse_keepalive_s: float = Field(15.0, gt=0)
    ws_idle_timeout_s: float = Field(60.0, gt=0, description="no ping for this long: close")
    ws_max_subscriptions: int = Field(10, ge=1)
    ws_queue_size: int = Field(1000, ge=10, description="frames buffered per connection")

    # Stores (each fragment reads its own prefix: REMEDYIQ_POSTGRES_, REMEDYIQ_S3_, ...)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    s3: S3Settings = Field(default_factory=S3Settings)
    redis: RedisSettings = Field(default_factory=RedisSettings)

    @model_validator(mode="after")
    def _gateway_checks(self) -> GatewaySettings:
        if "*" in self.cors_origins:
            raise ValueError("REMEDYIQ_CORS_ORIGINS must list origins, not '*'")
        if not set(self.auth_algorithms) <= {"RS256", "RS384", "RS512", "ES256", "ES384"}:
            raise ValueError("only asymmetric JWT algorithms are accepted (RS256, ES256, ...)")
        if self.environment != "production":
            return self
        if self.auth_dev_mode:
            raise ValueError(
                "REMEDYIQ_AUTH_DEV_MODE is refused when REMEDYIQ_ENVIRONMENT=production"
            )
        missing = [
            name
            for name, value in (
                ("REMEDYIQ_AUTH_JWKS_URL", self.auth_jwks_url),
                ("REMEDYIQ_AUTH_ISSUER", self.auth_issuer),
                ("REMEDYIQ_AUTH_AUDIENCE", self.auth_audience),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"production needs {', '.join(missing)}")
        if self.auth_jwks_url and not self.auth_jwks_url.startswith("https://"):
            raise ValueError("REMEDYIQ_AUTH_JWKS_URL must be https:// in production")
        refuse_placeholders(
            self.environment,
            clickhouse_dsn=self.clickhouse_dsn,
            postgres_dsn=self.postgres.dsn,
            redis_url=self.redis.url,
            s3_secret_key=self.s3.secret_key,
        )
        return self

    @property
    def jwt_enabled(self) -> bool:
        """Whether bearer JWTs can be verified at all (a JWKS URL is configured)."""
        return bool(self.auth_jwks_url)
