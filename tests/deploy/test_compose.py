"""docker-compose.yml: required secrets, the settings the services get, health, hardening.

The file is checked offline (interpolated here as compose does it). Where the compose plugin
is installed, `docker compose config` checks it too.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import subprocess
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest

from . import facts
from .composefile import (
    MissingVariableError,
    environment,
    interpolate_document,
    references,
    strings,
)
from .kustomize import split_image
from .yamlfiles import Document

APP_SERVICES = (*facts.SERVICES, "migrate")
INFRA_SERVICES = ("nats", "postgres", "clickhouse", "redis", "minio", "minio-init")
ONE_SHOTS = ("migrate", "minio-init")
# Interpolated variables that hold secrets (the services' own plus the dependencies').
COMPOSE_SECRETS = frozenset(
    {
        "POSTGRES_PASSWORD",
        "REMEDYIQ_POSTGRES_APP_PASSWORD",
        "CLICKHOUSE_PASSWORD",
        "REDIS_PASSWORD",
        "MINIO_ROOT_USER",
        "MINIO_ROOT_PASSWORD",
        "REMEDYIQ_S3_ACCESS_KEY",
        "REMEDYIQ_S3_SECRET_KEY",
    }
)
_SECRETISH = re.compile(r"PASSWORD|SECRET|ACCESS_KEY|TOKEN|ROOT_USER|_AUTH$")
_CREDENTIALS_IN_URL = re.compile(r"://[^/\s:@]*:(?P<password>[^/\s@]+)@")
_PLACEHOLDER = "CHANGE_ME"


def _services(doc: Document) -> dict[str, Any]:
    services: dict[str, Any] = doc["services"]
    return services


def test_services_present(compose: Document) -> None:
    assert set(_services(compose)) == {*APP_SERVICES, *INFRA_SERVICES}


def test_every_required_variable_is_in_the_example(
    compose_raw: Document, example_env: dict[str, str]
) -> None:
    interpolate_document(compose_raw, example_env)  # raises on a missing required variable
    with pytest.raises(MissingVariableError, match="POSTGRES_PASSWORD"):
        interpolate_document(
            compose_raw, {k: v for k, v in example_env.items() if k != "POSTGRES_PASSWORD"}
        )


def test_example_has_no_stale_variables(compose_raw: Document, example_env: dict[str, str]) -> None:
    used = {ref.name for _, value in strings(compose_raw) for ref in references(value)}
    assert set(example_env) <= used, f"unused: {sorted(set(example_env) - used)}"


def test_secrets_are_required_never_defaulted(compose_raw: Document) -> None:
    seen = set()
    for path, value in strings(compose_raw):
        for ref in references(value):
            if ref.name in COMPOSE_SECRETS or _SECRETISH.search(ref.name):
                assert ref.name in COMPOSE_SECRETS, f"{ref.name}: add it to COMPOSE_SECRETS"
                hint = f"{'.'.join(path)}: use ${{{ref.name}:?message}} (required, never empty)"
                assert ref.op == ":?", hint
                assert ref.arg.strip(), hint
                seen.add(ref.name)
    assert seen == COMPOSE_SECRETS


def test_no_literal_credentials(compose_raw: Document) -> None:
    for path, value in strings(compose_raw):
        where = ".".join(path)
        literal = re.sub(r"\$\{[^}]*\}", "", value)
        match = _CREDENTIALS_IN_URL.search(value)
        if match is not None:
            assert match["password"].startswith("${"), f"{where}: literal password in a URL"
        if len(path) >= 2 and path[-2] == "environment" and _SECRETISH.search(path[-1]):
            assert value.startswith("${"), f"{where}: literal secret"
            assert not literal.strip(), f"{where}: literal secret"


def test_example_values_are_placeholders(example_env: dict[str, str]) -> None:
    for name in COMPOSE_SECRETS | facts.AUTH_SETTINGS:
        assert _PLACEHOLDER in example_env[name], f"{name} must be a CHANGE_ME placeholder"


def test_services_get_exactly_their_settings(compose: Document) -> None:
    used: set[str] = set()
    for service in APP_SERVICES:
        env = environment(_services(compose)[service])
        assert set(env) == facts.expected_env(service), service
        assert env["OTEL_SERVICE_NAME"] == f"remedyiq-{service}"
        used |= set(env)
    assert used == facts.SETTINGS
    for service in INFRA_SERVICES:
        for name in environment(_services(compose)[service]):
            if name.startswith("REMEDYIQ_"):
                assert name in facts.SETTINGS, f"{service}: unknown setting {name}"


def test_settings_match_kubernetes(compose: Document, rendered_all: dict[str, Any]) -> None:
    configmap = next(
        o
        for o in rendered_all["base"]
        if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "remedyiq-config"
    )
    env = environment(_services(compose)["ingest"])
    for name in ("REMEDYIQ_S3_BUCKET", "REMEDYIQ_CLICKHOUSE_DATABASE"):
        assert env[name] == configmap["data"][name], name


def test_commands_and_image(compose: Document) -> None:
    images = set()
    for service in APP_SERVICES:
        spec = _services(compose)[service]
        expected = ["migrate"] if service == "migrate" else ["serve", "--service", service]
        assert spec["command"] == expected
        assert spec["build"] == {"context": ".", "dockerfile": "deploy/docker/Dockerfile"}
        assert "entrypoint" not in spec
        images.add(spec["image"])
    assert len(images) == 1


def test_healthchecks_probe_the_service_port(compose: Document) -> None:
    for service in facts.SERVICES:
        spec = _services(compose)[service]
        test = " ".join(spec["healthcheck"]["test"])
        port = facts.service_port(service)
        assert f"http://127.0.0.1:{port}/readyz" in test, service
        if service != "gateway":
            assert environment(spec)["REMEDYIQ_HEALTH_PORT"] == str(port)
    for name, spec in _services(compose).items():
        for dependency, condition in (spec.get("depends_on") or {}).items():
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in _services(compose)[dependency], f"{name} -> {dependency}"
            elif condition["condition"] == "service_completed_successfully":
                assert dependency in ONE_SHOTS


def test_startup_order(compose: Document) -> None:
    services = _services(compose)
    for service in facts.SERVICES:
        depends = services[service]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["minio-init"]["condition"] == "service_completed_successfully"
        assert {"nats", "postgres", "clickhouse", "redis"} <= set(depends)
    assert set(services["migrate"]["depends_on"]) == {"postgres", "clickhouse"}


def test_restart_policies_and_drain_time(compose: Document) -> None:
    services = _services(compose)
    for name, spec in services.items():
        expected = "no" if name in ONE_SHOTS else "unless-stopped"
        assert spec["restart"] == expected, name
    for service in facts.SERVICES:
        grace = services[service]["stop_grace_period"]
        assert int(grace.removesuffix("s")) >= facts.MIN_GRACE_SECONDS[service], service


def test_hardening_matches_kubernetes(compose: Document) -> None:
    for service in APP_SERVICES:
        spec = _services(compose)[service]
        assert spec["read_only"] is True
        assert spec["tmpfs"] == ["/tmp"]
        assert spec["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in spec["security_opt"]
        assert "user" not in spec, "the image's numeric non-root user"


def test_scaling_and_published_ports(compose: Document) -> None:
    services = _services(compose)
    assert services["parser"]["deploy"]["replicas"] == 2
    assert services["gateway"]["ports"] == [f"127.0.0.1:{facts.GATEWAY_PORT}:{facts.GATEWAY_PORT}"]
    published = [name for name, spec in services.items() if spec.get("ports")]
    assert published == ["gateway"], "only the gateway is published"


def _version(image: str) -> tuple[int, ...]:
    _, tag, _ = split_image(image)
    assert tag is not None, f"{image}: pin a tag"
    match = re.match(r"^(?:RELEASE\.)?(\d+)(?:[.-](\d+))?", tag)
    assert match is not None, f"{image}: unexpected tag"
    return tuple(int(part) for part in match.groups() if part is not None)


def test_dependency_images(compose: Document) -> None:
    images = {
        name: spec["image"] for name, spec in _services(compose).items() if name in INFRA_SERVICES
    }
    assert split_image(images["nats"])[0] == "nats"
    assert _version(images["nats"]) >= (2, 11), "per-message TTL needs nats-server >= 2.11"
    assert "alpine" in images["nats"], "the healthcheck needs wget (not in the scratch image)"
    assert split_image(images["postgres"])[0] == "postgres"
    assert _version(images["postgres"])[0] == 17
    assert split_image(images["clickhouse"])[0] == "clickhouse/clickhouse-server"
    assert _version(images["clickhouse"])[0] == 25
    assert split_image(images["redis"])[0] == "redis"
    assert _version(images["redis"])[0] == 7
    for name, image in images.items():
        assert split_image(image)[1] not in {None, "latest"}, f"{name}: pin a tag"


def test_nats_gets_the_remedyiq_config(compose: Document) -> None:
    nats = _services(compose)["nats"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in nats["volumes"]}
    config_path = nats["command"][nats["command"].index("--config") + 1]
    assert mounts[config_path] == "./" + str(facts.NATS_CONF.relative_to(facts.REPO))
    assert f"{facts.NATS_MONITOR_PORT}/healthz" in " ".join(nats["healthcheck"]["test"])


def _compose_spec_schema() -> Any:
    files = importlib.metadata.files("check-jsonschema") or []
    for file in files:
        if file.name == "compose-spec.json":
            return json.loads(file.read_text(encoding="utf-8"))
    pytest.fail("check-jsonschema no longer vendors compose-spec.json")


def test_compose_matches_the_compose_specification(compose: Document) -> None:
    schema = _compose_spec_schema()
    validator = jsonschema.Draft202012Validator(schema)
    errors = [
        f"{'.'.join(str(p) for p in e.path)}: {e.message}" for e in validator.iter_errors(compose)
    ]
    assert not errors, "\n".join(errors)


def test_compose_specification_check_can_fail(compose: Document) -> None:
    schema = _compose_spec_schema()
    broken = json.loads(json.dumps(compose))
    broken["services"]["parser"]["replica"] = 2
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def _compose_plugin() -> str | None:
    docker = shutil.which("docker")
    if docker is None:
        return None
    probe = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=60, check=False
    )
    return docker if probe.returncode == 0 else None


@pytest.mark.skipif(
    _compose_plugin() is None,
    reason="the docker compose plugin is not installed (`docker compose version` fails)",
)
def test_docker_compose_config_accepts_the_file() -> None:
    result = subprocess.run(
        [
            "docker",
            "compose",
            "-f",
            str(facts.COMPOSE_FILE),
            "--env-file",
            str(facts.COMPOSE_ENV_EXAMPLE),
            "config",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=facts.REPO,
    )
    assert result.returncode == 0, result.stderr
