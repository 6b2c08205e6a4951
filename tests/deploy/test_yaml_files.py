"""Every YAML file of the deployment parses (strictly), and every manifest is in use."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import facts
from .yamlfiles import load_all, load_file, yaml_files

YAML_FILES = [*yaml_files(facts.DEPLOY), facts.COMPOSE_FILE]


def _id(path: Path) -> str:
    return str(path.relative_to(facts.REPO))


def test_there_are_yaml_files() -> None:
    assert len(YAML_FILES) > 15


@pytest.mark.parametrize("path", YAML_FILES, ids=_id)
def test_yaml_parses_without_duplicate_keys(path: Path) -> None:
    assert load_file(path), f"{path} is empty"


def test_duplicate_keys_are_rejected() -> None:
    with pytest.raises(Exception, match="duplicate key 'replicas'"):
        load_all("spec:\n  replicas: 1\n  replicas: 2\n")
    # YAML merge keys may still override (compose relies on them).
    assert load_all("a: &a {x: 1}\nb:\n  <<: *a\n  x: 2\n") == [{"a": {"x": 1}, "b": {"x": 2}}]


K8S_FILES = yaml_files(facts.K8S)


@pytest.mark.parametrize("path", K8S_FILES, ids=_id)
def test_k8s_files_are_kustomizations_or_objects(path: Path) -> None:
    for doc in load_file(path):
        assert isinstance(doc, dict)
        if path.name == "kustomization.yaml":
            assert doc["kind"] == "Kustomization"
        else:
            assert {"apiVersion", "kind", "metadata"} <= set(doc), f"{path}: {doc}"
            assert doc["metadata"]["name"]


def test_every_manifest_is_referenced_by_a_kustomization() -> None:
    referenced = set()
    for kustomization in facts.K8S.rglob("kustomization.yaml"):
        (doc,) = load_file(kustomization)
        for entry in doc.get("resources", []):
            referenced.add((kustomization.parent / entry).resolve())
        for patch in doc.get("patches", []):
            referenced.add((kustomization.parent / patch["path"]).resolve())
    orphans = [
        p for p in K8S_FILES if p.name != "kustomization.yaml" and p.resolve() not in referenced
    ]
    assert not orphans, f"not used by any kustomization: {orphans}"
