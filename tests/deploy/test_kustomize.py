"""The test loader (kustomize.py) renders what kustomize renders."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from . import facts, kustomize
from .yamlfiles import Document, load_all


def _write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, labels: {tier: x}}
spec:
  selector: {matchLabels: {c: a}}
  template:
    metadata: {labels: {c: a}}
    spec:
      containers:
        - name: main
          image: img:1
          args: [one]
          env: [{name: A, value: "1"}, {name: B, value: "1"}]
        - {name: side, image: other}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: a}
spec:
  scaleTargetRef: {name: a}
  triggers: [{type: one}, {type: two}]
---
apiVersion: v1
kind: Namespace
metadata: {name: old}
"""


def test_strategic_merge_and_transformers(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "objects.yaml": DEPLOYMENT,
            "patch.yaml": """
apiVersion: apps/v1
kind: Deployment
metadata: {name: ignored, labels: {added: "yes"}}
spec:
  template:
    spec:
      containers:
        - name: main
          args: [two]
          env: [{name: B, value: "2"}, {name: C, value: "2"}]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: a}
spec:
  triggers: [{type: three}]
  minReplicaCount: 0
""",
            "kustomization.yaml": """
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: new
resources: [objects.yaml]
patches:
  - path: patch.yaml
    target: {kind: Deployment, labelSelector: "tier=x"}
images:
  - {name: img, newName: registry.example/img, newTag: "2"}
""",
        },
    )
    with pytest.raises(kustomize.KustomizeError, match="must be one document"):
        kustomize.build(tmp_path)
    (tmp_path / "patch.yaml").write_text(
        (tmp_path / "patch.yaml").read_text().split("---")[0], encoding="utf-8"
    )
    objects = {o["kind"]: o for o in kustomize.build(tmp_path)}
    deployment = objects["Deployment"]
    main, side = deployment["spec"]["template"]["spec"]["containers"]
    # env merged by name, the patch's entries first (as kustomize orders them)
    assert main["env"] == [
        {"name": "B", "value": "2"},
        {"name": "C", "value": "2"},
        {"name": "A", "value": "1"},
    ]
    assert main["args"] == ["two"], "lists without a merge key are replaced"
    assert main["image"] == "registry.example/img:2"
    assert side["image"] == "other"
    assert deployment["metadata"]["labels"] == {"tier": "x", "added": "yes"}
    assert deployment["metadata"]["namespace"] == "new"
    assert objects["Namespace"]["metadata"] == {"name": "new"}


def test_custom_resource_lists_are_replaced(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "objects.yaml": DEPLOYMENT,
            "patch.yaml": "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\n"
            "metadata: {name: a}\nspec:\n  triggers: [{type: three}]\n  pollingInterval: null\n",
            "kustomization.yaml": "kind: Kustomization\nresources: [objects.yaml]\n"
            "patches: [{path: patch.yaml}]\n",
        },
    )
    scaled = next(o for o in kustomize.build(tmp_path) if o["kind"] == "ScaledObject")
    assert scaled["spec"]["triggers"] == [{"type": "three"}]


def test_unsupported_features_fail_loudly(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "objects.yaml": DEPLOYMENT,
            "kustomization.yaml": "kind: Kustomization\nresources: [objects.yaml]\n"
            "configMapGenerator: [{name: x, literals: [a=b]}]\n",
        },
    )
    with pytest.raises(kustomize.KustomizeError, match="configMapGenerator"):
        kustomize.build(tmp_path)


def test_split_image() -> None:
    assert kustomize.split_image("remedyiq") == ("remedyiq", None, None)
    assert kustomize.split_image("reg:5000/a/b:1.2") == ("reg:5000/a/b", "1.2", None)
    assert kustomize.split_image("a@sha256:ff") == ("a", None, "sha256:ff")


def _kubectl_kustomize_works() -> bool:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return False
    probe = subprocess.run(
        [kubectl, "kustomize", "--help"], capture_output=True, timeout=60, check=False
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _kubectl_kustomize_works(), reason="kubectl (with kustomize) not installed")
@pytest.mark.parametrize("name", sorted(facts.KUSTOMIZATIONS))
def test_loader_matches_kubectl_kustomize(
    name: str, rendered_all: dict[str, list[Document]]
) -> None:
    out = subprocess.run(
        ["kubectl", "kustomize", str(facts.KUSTOMIZATIONS[name])],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    theirs = {kustomize.object_id(o): o for o in load_all(out)}
    ours = {kustomize.object_id(o): o for o in rendered_all[name]}
    assert sorted(ours) == sorted(theirs)
    for key, obj in ours.items():
        assert obj == theirs[key], f"{name}: {key} differs from kubectl kustomize"
