"""A small kustomize, enough to render deploy/k8s without the kustomize binary.

It supports exactly what deploy/k8s uses and fails loudly on anything else:

* ``resources``: YAML files and directories holding a ``kustomization.yaml``;
* ``namespace``: sets ``metadata.namespace`` (and renames the Namespace object, as kustomize
  does);
* ``patches``: strategic-merge patches from ``path`` (one or more documents), applied either to
  the object with the patch's kind and name, or to every object matched by ``target``
  (``kind``, ``name`` as a regular expression, ``labelSelector`` with ``key=value`` terms);
* ``images``: ``name`` -> ``newName`` / ``newTag`` / ``digest`` in every container.

Strategic merge: mappings merge recursively, ``null`` deletes a key, and lists merge by their
Kubernetes merge key (containers and volumes by ``name``, env by ``name``, volumeMounts by
``mountPath``, topologySpreadConstraints by ``topologyKey``) with the patch's items first, as
kustomize orders them. Other lists, and every list of a custom resource, are replaced.
Kustomize itself (``kubectl kustomize``) renders the same objects; a test compares the two
where kubectl is installed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .yamlfiles import Document, load_file, load_mapping

KUSTOMIZATION = "kustomization.yaml"
SUPPORTED_FIELDS = frozenset({"apiVersion", "kind", "namespace", "resources", "patches", "images"})
BUILTIN_GROUPS = frozenset(
    {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io"}
)
CLUSTER_SCOPED_KINDS = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding"})

# Merge keys by the field's path (list indices dropped), longest suffix first.
_MERGE_KEYS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("containers", "env"), "name"),
    (("initContainers", "env"), "name"),
    (("containers", "volumeMounts"), "mountPath"),
    (("initContainers", "volumeMounts"), "mountPath"),
    (("spec", "containers"), "name"),
    (("spec", "initContainers"), "name"),
    (("spec", "volumes"), "name"),
    (("spec", "imagePullSecrets"), "name"),
    (("spec", "topologySpreadConstraints"), "topologyKey"),
)
# Lists whose real merge semantics this loader does not reproduce: patching them is an error.
_UNSUPPORTED_LISTS: tuple[tuple[str, ...], ...] = (("containers", "ports"), ("spec", "ports"))


class KustomizeError(ValueError):
    """A kustomization uses something this loader does not support, or is inconsistent."""


def object_id(obj: Document) -> tuple[str, str, str, str]:
    """(apiVersion, kind, namespace, name): unique within a rendered set."""
    meta = obj.get("metadata") or {}
    return (obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"])


def api_group(obj: Document) -> str:
    """The API group of an object ("" for the core group)."""
    api_version: str = obj["apiVersion"]
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def build(directory: Path) -> list[Document]:
    """Render the kustomization in ``directory`` (recursively through its resources)."""
    kustomization = load_mapping(directory / KUSTOMIZATION)
    unsupported = set(kustomization) - SUPPORTED_FIELDS
    if unsupported:
        raise KustomizeError(f"{directory}: unsupported kustomization fields {sorted(unsupported)}")
    objects: list[Document] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        if path.is_dir():
            objects.extend(build(path))
        else:
            objects.extend(_resource_documents(path))
    _check_unique(objects, directory)
    namespace = kustomization.get("namespace")
    if namespace:
        _set_namespace(objects, namespace)
    for patch in kustomization.get("patches", []):
        _apply_patch_entry(objects, patch, directory)
    for image in kustomization.get("images", []):
        _set_image(objects, image)
    return objects


def _resource_documents(path: Path) -> list[Document]:
    documents = load_file(path)
    for doc in documents:
        if not isinstance(doc, dict) or not {"apiVersion", "kind", "metadata"} <= set(doc):
            raise KustomizeError(f"{path}: not a Kubernetes object: {doc!r:.80}")
    return documents


def _check_unique(objects: list[Document], where: Path) -> None:
    seen: set[tuple[str, str, str, str]] = set()
    for obj in objects:
        key = object_id(obj)
        if key in seen:
            raise KustomizeError(f"{where}: duplicate object {key}")
        seen.add(key)


def _set_namespace(objects: list[Document], namespace: str) -> None:
    for obj in objects:
        if obj["kind"] == "Namespace":
            obj["metadata"]["name"] = namespace
        elif obj["kind"] not in CLUSTER_SCOPED_KINDS:
            obj["metadata"]["namespace"] = namespace


def _apply_patch_entry(objects: list[Document], entry: Document, directory: Path) -> None:
    unknown = set(entry) - {"path", "target"}
    if unknown or "path" not in entry:
        raise KustomizeError(f"{directory}: patch entries need `path` (and optional `target`)")
    patches = load_file(directory / entry["path"])
    target = entry.get("target")
    if target is not None and len(patches) != 1:
        raise KustomizeError(f"{entry['path']}: a patch with a target must be one document")
    for patch in patches:
        matched = (
            [obj for obj in objects if _matches_target(obj, target)]
            if target is not None
            else [obj for obj in objects if _same_kind_and_name(obj, patch)]
        )
        if not matched or (target is None and len(matched) != 1):
            raise KustomizeError(
                f"{directory / entry['path']}: patch for {patch.get('kind')} "
                f"{patch.get('metadata', {}).get('name')} matches {len(matched)} objects"
            )
        for obj in matched:
            body = {k: v for k, v in patch.items() if k not in {"apiVersion", "kind", "metadata"}}
            metadata_patch = {
                k: v
                for k, v in (patch.get("metadata") or {}).items()
                if k not in {"name", "namespace"}
            }
            if metadata_patch:
                body["metadata"] = metadata_patch
            _merge(obj, body, (), builtin=api_group(obj) in BUILTIN_GROUPS)


def _same_kind_and_name(obj: Document, patch: Document) -> bool:
    meta = patch.get("metadata") or {}
    if obj["kind"] != patch.get("kind") or obj["metadata"]["name"] != meta.get("name"):
        return False
    namespace = meta.get("namespace")
    return namespace is None or obj["metadata"].get("namespace") == namespace


def _matches_target(obj: Document, target: Document) -> bool:
    unknown = set(target) - {"kind", "name", "labelSelector"}
    if unknown:
        raise KustomizeError(f"unsupported patch target fields {sorted(unknown)}")
    if "kind" in target and obj["kind"] != target["kind"]:
        return False
    if "name" in target and not re.fullmatch(target["name"], obj["metadata"]["name"]):
        return False
    labels = obj["metadata"].get("labels") or {}
    for term in _selector_terms(target.get("labelSelector", "")):
        key, _, value = term.partition("=")
        if labels.get(key.strip()) != value.strip():
            return False
    return True


def _selector_terms(selector: str) -> Iterator[str]:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "=" not in term or "!=" in term or "==" in term:
            raise KustomizeError(f"only key=value label selectors are supported, got {term!r}")
        yield term


def _merge_key(path: tuple[str, ...]) -> str | None:
    for suffix in _UNSUPPORTED_LISTS:
        if path[-len(suffix) :] == suffix:
            raise KustomizeError(f"patching the list {'.'.join(path)} is not supported")
    for suffix, key in _MERGE_KEYS:
        if path[-len(suffix) :] == suffix:
            return key
    return None


def _merge(original: Document, patch: Document, path: tuple[str, ...], *, builtin: bool) -> None:
    """Strategic-merge ``patch`` into ``original`` in place."""
    for key, value in patch.items():
        if key.startswith("$"):
            raise KustomizeError(f"patch directive {key} at {'.'.join(path)} is not supported")
        here = (*path, key)
        if value is None:
            original.pop(key, None)
        elif isinstance(value, dict) and isinstance(original.get(key), dict):
            _merge(original[key], value, here, builtin=builtin)
        elif isinstance(value, list) and isinstance(original.get(key), list) and builtin:
            original[key] = _merge_list(original[key], value, here)
        else:
            original[key] = copy.deepcopy(value)


def _merge_list(original: list[Any], patch: list[Any], path: tuple[str, ...]) -> list[Any]:
    key = _merge_key(path)
    if key is None:
        return copy.deepcopy(patch)
    by_key = {item[key]: item for item in original}
    merged: list[Any] = []
    for item in patch:
        base = copy.deepcopy(by_key.get(item[key], {}))
        _merge(base, item, path, builtin=True)
        merged.append(base)
    patched = {item[key] for item in patch}
    merged.extend(copy.deepcopy(item) for item in original if item[key] not in patched)
    return merged


def _set_image(objects: list[Document], image: Document) -> None:
    unknown = set(image) - {"name", "newName", "newTag", "digest"}
    if unknown:
        raise KustomizeError(f"unsupported images fields {sorted(unknown)}")
    for container in _containers(objects):
        name, tag, digest = split_image(container["image"])
        if name != image["name"]:
            continue
        name = image.get("newName", name)
        if "digest" in image:
            tag, digest = None, image["digest"]
        elif "newTag" in image:
            tag, digest = str(image["newTag"]), None
        container["image"] = name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _containers(objects: Iterable[Any]) -> Iterator[Document]:
    for obj in objects:
        if isinstance(obj, dict):
            for key, value in obj.items():
                if key in {"containers", "initContainers"} and isinstance(value, list):
                    yield from value
                else:
                    yield from _containers([value])
        elif isinstance(obj, list):
            yield from _containers(obj)


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """``registry:5000/name:tag@sha256:...`` -> (``registry:5000/name``, tag, digest)."""
    name, _, digest = image.partition("@")
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        return name[:colon], name[colon + 1 :], digest or None
    return name, None, digest or None
