"""Accessors over rendered Kubernetes objects (plain dicts), for the manifest tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .facts import CONTAINER_NAME
from .yamlfiles import Document

COMPONENT = "app.kubernetes.io/component"


def of_kind(objects: list[Document], kind: str) -> list[Document]:
    """The objects of one kind."""
    return [obj for obj in objects if obj["kind"] == kind]


def named(objects: list[Document], kind: str, name: str) -> Document:
    """The one object of ``kind`` called ``name``."""
    found = [obj for obj in of_kind(objects, kind) if obj["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def workloads(objects: list[Document]) -> dict[str, Document]:
    """Deployments and Jobs by their component label (gateway, ..., migrate)."""
    found: dict[str, Document] = {}
    for obj in objects:
        if obj["kind"] in {"Deployment", "Job"}:
            component = obj["spec"]["template"]["metadata"]["labels"][COMPONENT]
            assert component not in found, f"two workloads for {component}"
            found[component] = obj
    return found


def pod_spec(workload: Document) -> Document:
    """The pod template's spec."""
    spec: Document = workload["spec"]["template"]["spec"]
    return spec


def pod_labels(workload: Document) -> dict[str, str]:
    """The pod template's labels."""
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def container(workload: Document) -> Document:
    """The one RemedyIQ container of a workload."""
    containers = pod_spec(workload)["containers"]
    assert [c["name"] for c in containers] == [CONTAINER_NAME], "one container named remedyiq"
    found: Document = containers[0]
    return found


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a matchLabels selector (no expressions used here) selects ``labels``."""
    assert set(selector) <= {"matchLabels"}, f"only matchLabels selectors are used: {selector}"
    match = selector.get("matchLabels") or {}
    return all(labels.get(key) == value for key, value in match.items())


def configmap_keys(objects: list[Document], name: str) -> set[str]:
    """The data keys of a ConfigMap."""
    return set(named(objects, "ConfigMap", name).get("data") or {})


def env_names(objects: list[Document], workload: Document) -> set[str]:
    """Every environment variable name the container gets (env and envFrom ConfigMaps)."""
    c = container(workload)
    names = {entry["name"] for entry in c.get("env", [])}
    for source in c.get("envFrom", []):
        assert set(source) == {"configMapRef"}, f"envFrom only from ConfigMaps: {source}"
        names |= configmap_keys(objects, source["configMapRef"]["name"])
    return names


def secret_refs(workload: Document) -> dict[str, tuple[str, str]]:
    """env name -> (Secret name, key) for the variables that come from Secrets."""
    refs = {}
    for entry in container(workload).get("env", []):
        ref = (entry.get("valueFrom") or {}).get("secretKeyRef")
        if ref is not None:
            refs[entry["name"]] = (ref["name"], ref["key"])
    return refs


def env_value(workload: Document, name: str) -> str | None:
    """The literal value of an env entry (None when it is absent or comes from a reference)."""
    for entry in container(workload).get("env", []):
        if entry["name"] == name:
            value: str | None = entry.get("value")
            return value
    return None


def probes(workload: Document) -> Iterator[tuple[str, Document]]:
    """(kind, probe) for the startup, liveness and readiness probes that are set."""
    c = container(workload)
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        if kind in c:
            yield kind, c[kind]


def container_port(workload: Document, port: int | str) -> int:
    """Resolve a probe's or Service's port (number or name) to a declared container port."""
    for declared in container(workload).get("ports", []):
        if port in (declared["containerPort"], declared.get("name")):
            number: int = declared["containerPort"]
            return number
    raise AssertionError(f"port {port!r} is not a container port of {workload['metadata']}")


_QUANTITY = re.compile(r"^(?P<number>[0-9.]+)(?P<suffix>m|Ki|Mi|Gi|Ti|k|M|G|T)?$")
_SUFFIX = {
    None: Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(1000),
    "M": Decimal(1000) ** 2,
    "G": Decimal(1000) ** 3,
    "T": Decimal(1000) ** 4,
    "Ki": Decimal(1024),
    "Mi": Decimal(1024) ** 2,
    "Gi": Decimal(1024) ** 3,
    "Ti": Decimal(1024) ** 4,
}


def quantity(value: str | int) -> Decimal:
    """A Kubernetes resource quantity ("250m", "1", "768Mi") as a number."""
    match = _QUANTITY.match(str(value))
    assert match is not None, f"unexpected quantity {value!r}"
    return Decimal(match["number"]) * _SUFFIX[match["suffix"]]
