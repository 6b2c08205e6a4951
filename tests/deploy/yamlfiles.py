"""Strict YAML reading for the deployment files: a duplicated key is an error, not a silent
last-one-wins (PyYAML's default), because in a manifest it is almost always a typo."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]

Document = dict[str, Any]


class StrictLoader(yaml.SafeLoader):  # type: ignore[misc,unused-ignore]
    """SafeLoader that rejects duplicate keys (YAML merge keys ``<<`` still override)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        mapping: dict[Hashable, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def load_all(text: str) -> list[Any]:
    """Every non-empty document of a YAML stream."""
    return [doc for doc in yaml.load_all(text, Loader=StrictLoader) if doc is not None]


def load_file(path: Path) -> list[Any]:
    """Every non-empty document of a YAML file."""
    return load_all(path.read_text(encoding="utf-8"))


def load_mapping(path: Path) -> Document:
    """A YAML file that holds exactly one mapping."""
    docs = load_file(path)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise ValueError(f"{path}: expected one YAML mapping, found {len(docs)} document(s)")
    document: Document = docs[0]
    return document


def yaml_files(root: Path) -> list[Path]:
    """The YAML files under ``root``, sorted."""
    return sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
