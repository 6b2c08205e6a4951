"""deploy/README.md tells the truth: its secret table, paths and commands match the files."""

from __future__ import annotations

import re

from . import facts
from .manifests import secret_refs, workloads
from .yamlfiles import Document

README = (facts.DEPLOY / "README.md").read_text(encoding="utf-8")


def test_secret_table_matches_the_manifests(rendered_all: dict[str, list[Document]]) -> None:
    documented = set(
        re.findall(r"^\| `(remedyiq[-a-z]*)` \| `([A-Z0-9_]+)` \|", README, re.MULTILINE)
    )
    referenced = {
        (secret, key)
        for workload in workloads(rendered_all["base"]).values()
        for secret, key in secret_refs(workload).values()
    }
    assert documented == referenced


def test_kubectl_create_secret_lists_every_key() -> None:
    for secret in facts.SECRET_NAMES.values():
        block = re.search(rf"create secret generic {secret} \\\n(?P<body>(?:.*\\\n)*.*\n)", README)
        assert block is not None, secret
        keys = set(re.findall(r"--from-literal=([A-Z0-9_]+)=", block["body"]))
        table = set(re.findall(rf"^\| `{secret}` \| `([A-Z0-9_]+)` \|", README, re.MULTILINE))
        assert keys == table, secret


def test_mentioned_paths_exist() -> None:
    paths = set(re.findall(r"(?<![\w/.-])((?:deploy|tests)/[\w./-]*\w)", README))
    assert paths
    created_by_the_reader = {"deploy/compose.env"}  # git-ignored, see deploy/.gitignore
    assert created_by_the_reader <= paths
    assert "compose.env" in (facts.DEPLOY / ".gitignore").read_text(encoding="utf-8").split()
    for path in paths - created_by_the_reader:
        assert (facts.REPO / path).exists(), path


def test_build_command_matches_the_dockerfile_header() -> None:
    command = "docker build -f deploy/docker/Dockerfile"
    assert command in README
    assert command in facts.DOCKERFILE.read_text(encoding="utf-8")


def test_keda_streams_and_consumers_are_documented() -> None:
    for stream, consumer in facts.KEDA_CONSUMERS.values():
        assert f"stream `{stream}` / consumer `{consumer}`" in README.replace("\n  ", " ")
