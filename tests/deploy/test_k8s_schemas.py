"""Every rendered object validates against its schema, offline.

Built-in kinds: the official Kubernetes JSON schemas bundled in the PyPI package
``kubernetes-validate`` (strict: unknown fields are errors), for the oldest and newest
Kubernetes versions we support. KEDA ScaledObjects: keda-scaledobject.schema.json, written from
the CRD fields we use (kubernetes-validate only warns on CRDs).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import kubernetes_validate  # type: ignore[import-untyped,unused-ignore]
import pytest

from . import facts
from .manifests import named, of_kind
from .yamlfiles import Document

CUSTOM_GROUPS = {"keda.sh"}


def _builtin(objects: list[Document]) -> list[Document]:
    return [o for o in objects if o["apiVersion"].split("/")[0] not in CUSTOM_GROUPS]


@pytest.fixture(scope="module")
def keda_validator() -> Any:
    schema = json.loads(facts.KEDA_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("version", facts.K8S_VERSIONS)
def test_builtin_objects_match_the_kubernetes_schemas(
    rendered: list[Document], version: str
) -> None:
    objects = _builtin(rendered)
    assert len(objects) > 20
    errors = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.path)
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {path}: {err.message}")
    assert not errors, "\n".join(errors)


def test_strict_validation_rejects_a_misspelt_field(rendered: list[Document]) -> None:
    deployment = copy.deepcopy(named(rendered, "Deployment", "remedyiq-writer"))
    spec = deployment["spec"]["template"]["spec"]
    spec["terminationGracePeriodSecond"] = spec.pop("terminationGracePeriodSeconds")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, facts.K8S_VERSIONS[-1], strict=True)


def test_scaled_objects_match_the_keda_schema(
    rendered: list[Document], keda_validator: Any
) -> None:
    scaled = of_kind(rendered, "ScaledObject")
    assert len(scaled) == len(facts.KEDA_CONSUMERS)
    for obj in scaled:
        errors = [
            f"{'.'.join(str(p) for p in e.path)}: {e.message}"
            for e in keda_validator.iter_errors(obj)
        ]
        assert not errors, f"{obj['metadata']['name']}: {errors}"


@pytest.mark.parametrize("version", facts.K8S_VERSIONS)
def test_keda_hpa_behavior_is_a_valid_hpa_behavior(rendered: list[Document], version: str) -> None:
    for obj in of_kind(rendered, "ScaledObject"):
        behavior = obj["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
        hpa = {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": obj["metadata"]["name"]},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "x"},
                "maxReplicas": obj["spec"]["maxReplicaCount"],
                "behavior": behavior,
            },
        }
        kubernetes_validate.validate(hpa, version, strict=True)


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda m: m.update(lagThreshold=16), "metadata values are strings"),
        (lambda m: m.update(lagTreshold=m.pop("lagThreshold")), "misspelt key"),
        (lambda m: m.pop("consumer"), "consumer is required"),
        (
            lambda m: m.update(natsServerMonitoringEndpoint="http://nats:8222"),
            "host:port, no scheme",
        ),
    ],
)
def test_keda_schema_rejects_mistakes(
    rendered_all: dict[str, list[Document]], keda_validator: Any, mutate: Any, why: str
) -> None:
    obj = copy.deepcopy(of_kind(rendered_all["base"], "ScaledObject")[0])
    mutate(obj["spec"]["triggers"][0]["metadata"])
    assert not keda_validator.is_valid(obj), why
