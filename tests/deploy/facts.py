"""What the deployment must agree with: the system's fixed facts, in one place.

These come from the lead's deployment brief (ports, commands, settings, streams) and from the
service-to-dependency matrix that deploy/README.md documents. The manifests and the compose
file are checked against them, so a change to any of these is a change to the contract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parents[2]
DEPLOY: Final = REPO / "deploy"
K8S: Final = DEPLOY / "k8s"
COMPOSE_FILE: Final = REPO / "docker-compose.yml"
COMPOSE_ENV_EXAMPLE: Final = DEPLOY / "compose.env.example"
DOCKERFILE: Final = DEPLOY / "docker" / "Dockerfile"
DOCKERIGNORE: Final = DEPLOY / "docker" / "Dockerfile.dockerignore"
NATS_CONF: Final = DEPLOY / "compose" / "nats.conf"
KEDA_SCHEMA: Final = Path(__file__).with_name("keda-scaledobject.schema.json")

KUSTOMIZATIONS: Final = {
    "base": K8S / "base",
    "dev": K8S / "overlays" / "dev",
    "production": K8S / "overlays" / "production",
}

# Kubernetes versions the manifests must validate against (oldest supported, newest known).
K8S_VERSIONS: Final = ("1.31", "1.37")

# `remedyiq serve --service <name>`, one per process. ai and tail come later.
SERVICES: Final = ("gateway", "ingest", "parser", "writer")
GATEWAY_PORT: Final = 8080
HEALTH_PORT: Final = 8081  # REMEDYIQ_HEALTH_PORT of every service but the gateway
IMAGE_NAME: Final = "remedyiq"  # the image's name in the base manifests and compose
CONTAINER_NAME: Final = "remedyiq"  # every pod's one container (pod-defaults.yaml merges on it)
IMAGE_UID: Final = 10001

# Every environment variable the system reads (pydantic-settings, prefix REMEDYIQ_) plus the
# standard OpenTelemetry ones. Nothing else may be set on a RemedyIQ container.
SETTINGS: Final = frozenset(
    {
        "REMEDYIQ_NATS_URL",
        "REMEDYIQ_POSTGRES_DSN",
        "REMEDYIQ_POSTGRES_OWNER_DSN",
        "REMEDYIQ_POSTGRES_APP_PASSWORD",
        "REMEDYIQ_REDIS_URL",
        "REMEDYIQ_S3_ENDPOINT",
        "REMEDYIQ_S3_ACCESS_KEY",
        "REMEDYIQ_S3_SECRET_KEY",
        "REMEDYIQ_S3_REGION",
        "REMEDYIQ_S3_BUCKET",
        "REMEDYIQ_CLICKHOUSE_DSN",
        "REMEDYIQ_CLICKHOUSE_DATABASE",
        "REMEDYIQ_LOG_LEVEL",
        "REMEDYIQ_ENVIRONMENT",
        "REMEDYIQ_HEALTH_PORT",
        "REMEDYIQ_AUTH_JWKS_URL",
        "REMEDYIQ_AUTH_ISSUER",
        "REMEDYIQ_AUTH_AUDIENCE",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_SERVICE_NAME",
    }
)

# Settings whose values are secrets: never in a ConfigMap, never a literal in compose.
SECRET_SETTINGS: Final = frozenset(
    {
        "REMEDYIQ_POSTGRES_DSN",
        "REMEDYIQ_POSTGRES_OWNER_DSN",
        "REMEDYIQ_POSTGRES_APP_PASSWORD",
        "REMEDYIQ_REDIS_URL",
        "REMEDYIQ_S3_ACCESS_KEY",
        "REMEDYIQ_S3_SECRET_KEY",
        "REMEDYIQ_CLICKHOUSE_DSN",
    }
)

# Non-secret settings every RemedyIQ container gets (the ConfigMap "remedyiq-config", and the
# x-env-common block of docker-compose.yml), plus OTEL_SERVICE_NAME set per container.
COMMON_SETTINGS: Final = frozenset(
    {
        "REMEDYIQ_ENVIRONMENT",
        "REMEDYIQ_LOG_LEVEL",
        "REMEDYIQ_NATS_URL",
        "REMEDYIQ_S3_ENDPOINT",
        "REMEDYIQ_S3_REGION",
        "REMEDYIQ_S3_BUCKET",
        "REMEDYIQ_CLICKHOUSE_DATABASE",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    }
)
AUTH_SETTINGS: Final = frozenset(
    {"REMEDYIQ_AUTH_JWKS_URL", "REMEDYIQ_AUTH_ISSUER", "REMEDYIQ_AUTH_AUDIENCE"}
)

# Which dependency each workload talks to. It decides the secrets it gets and the network
# egress it is allowed (label remedyiq.io/egress-<dependency>). The services' settings classes
# must not require more than this (deploy/README.md, "What each service reaches").
DEPENDENCIES: Final[dict[str, frozenset[str]]] = {
    "gateway": frozenset({"nats", "postgres", "clickhouse", "redis", "s3", "oidc"}),
    "ingest": frozenset({"nats", "postgres", "clickhouse", "redis", "s3"}),
    "parser": frozenset({"nats", "s3"}),
    "writer": frozenset({"nats", "postgres", "clickhouse"}),
    "migrate": frozenset({"postgres", "clickhouse"}),
}
# The secret settings that come with a dependency.
DEPENDENCY_SECRETS: Final[dict[str, frozenset[str]]] = {
    "nats": frozenset(),
    "oidc": frozenset(),
    "postgres": frozenset({"REMEDYIQ_POSTGRES_DSN"}),
    "clickhouse": frozenset({"REMEDYIQ_CLICKHOUSE_DSN"}),
    "redis": frozenset({"REMEDYIQ_REDIS_URL"}),
    "s3": frozenset({"REMEDYIQ_S3_ACCESS_KEY", "REMEDYIQ_S3_SECRET_KEY"}),
}
MIGRATE_ONLY_SECRETS: Final = frozenset(
    {"REMEDYIQ_POSTGRES_OWNER_DSN", "REMEDYIQ_POSTGRES_APP_PASSWORD"}
)
EGRESS_LABEL_PREFIX: Final = "remedyiq.io/egress-"
# TCP ports each dependency is reached on (NetworkPolicy egress).
DEPENDENCY_PORTS: Final[dict[str, frozenset[int]]] = {
    "nats": frozenset({4222}),
    "postgres": frozenset({5432}),
    "clickhouse": frozenset({8123, 8443}),
    "redis": frozenset({6379}),
    "s3": frozenset({443}),
    "oidc": frozenset({443}),
}

# Kubernetes Secrets the manifests reference (never committed, created by the operator).
SECRET_NAMES: Final = {"services": "remedyiq", "migrate": "remedyiq-migrate"}


def expected_env(workload: str) -> frozenset[str]:
    """Every environment variable name a workload's container must get, nothing more."""
    names = set(COMMON_SETTINGS) | {"OTEL_SERVICE_NAME"}
    for dependency in DEPENDENCIES[workload]:
        names |= DEPENDENCY_SECRETS[dependency]
    if workload == "gateway":
        names |= AUTH_SETTINGS
    elif workload == "migrate":
        names |= MIGRATE_ONLY_SECRETS
    else:
        names.add("REMEDYIQ_HEALTH_PORT")
    return frozenset(names)


def service_port(workload: str) -> int:
    """The port that serves a service's /healthz and /readyz."""
    return GATEWAY_PORT if workload == "gateway" else HEALTH_PORT


# JetStream: the durable consumers KEDA scales on (stream, consumer), fixed by the contract.
KEDA_CONSUMERS: Final = {
    "parser": ("JOBS_RANGES", "parser"),
    "writer": ("JOBS_ENTRIES", "writer"),
}
HPA_SERVICES: Final = frozenset({"gateway", "ingest"})
NATS_MONITOR_PORT: Final = 8222
MIN_GRACE_SECONDS: Final = {"parser": 60, "writer": 60, "gateway": 30, "ingest": 30}
