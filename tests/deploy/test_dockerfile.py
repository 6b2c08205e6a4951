"""deploy/docker/Dockerfile and its context filter, checked without a Docker engine.

A small parser reads the instructions; the checks are the image's contract: multi-stage, uv
from PyPI at the Makefile's version, `uv sync --frozen` of the whole workspace without dev
dependencies, a numeric non-root user, `remedyiq` as the entrypoint, and a build context that
contains what the COPY lines need and nothing secret.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import PurePosixPath

import pytest

from . import facts


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    args: str
    stage: int  # index of the FROM it belongs to


def _instructions() -> list[Instruction]:
    text = facts.DOCKERFILE.read_text(encoding="utf-8")
    logical: list[str] = []
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    assert not current, "dangling line continuation"
    instructions = []
    stage = -1
    for entry in logical:
        keyword, _, args = entry.partition(" ")
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(keyword.upper(), args.strip(), stage))
    return instructions


INSTRUCTIONS = _instructions()


def _stage(index: int) -> list[Instruction]:
    return [i for i in INSTRUCTIONS if i.stage == index]


def _final() -> list[Instruction]:
    return _stage(INSTRUCTIONS[-1].stage)


def test_multi_stage_on_python_311() -> None:
    froms = [i.args for i in INSTRUCTIONS if i.keyword == "FROM"]
    assert len(froms) >= 2
    assert all(f.startswith("${PYTHON_IMAGE}") for f in froms), "both stages on the same base"
    default = next(
        i.args.split("=", 1)[1]
        for i in INSTRUCTIONS
        if i.keyword == "ARG" and i.args.startswith("PYTHON_IMAGE=")
    )
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-bookworm)?", default), default
    requires = tomllib.loads((facts.REPO / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    assert requires.startswith(">=3.11")


def test_uv_from_pypi_at_the_makefile_version() -> None:
    makefile = (facts.REPO / "Makefile").read_text(encoding="utf-8")
    make_version = re.search(r"^UV_VERSION\s*:=\s*(\S+)", makefile, flags=re.MULTILINE)
    assert make_version is not None
    arg = next(i for i in INSTRUCTIONS if i.keyword == "ARG" and i.args.startswith("UV_VERSION="))
    assert arg.args == f"UV_VERSION={make_version[1]}"
    assert any(
        i.keyword == "RUN" and 'pip install "uv==${UV_VERSION}"' in i.args for i in INSTRUCTIONS
    )


def test_uv_sync_is_frozen_whole_workspace_without_dev() -> None:
    syncs = [i for i in INSTRUCTIONS if i.keyword == "RUN" and "uv sync" in i.args]
    assert len(syncs) == 2, "dependencies layer, then the workspace packages"
    for sync in syncs:
        flags = set(sync.args.split())
        assert {"--frozen", "--all-packages", "--no-dev"} <= flags, sync.args
        assert "--locked" not in flags
        assert "--upgrade" not in flags
    assert "--no-install-workspace" in syncs[0].args
    assert "--no-editable" in syncs[1].args, "the runtime stage copies the venv without sources"


def test_runtime_stage() -> None:
    final = _final()
    users = [i.args for i in final if i.keyword == "USER"]
    assert users == [f"{facts.IMAGE_UID}:{facts.IMAGE_UID}"], "numeric, non-root"
    entrypoint = [json.loads(i.args) for i in final if i.keyword == "ENTRYPOINT"]
    assert entrypoint == [["remedyiq"]]
    assert not [i for i in INSTRUCTIONS if i.keyword == "HEALTHCHECK"]
    exposed = {int(p) for i in final if i.keyword == "EXPOSE" for p in i.args.split()}
    assert exposed == {facts.GATEWAY_PORT, facts.HEALTH_PORT}
    copies = [i.args for i in final if i.keyword == "COPY"]
    assert copies
    assert all(c.startswith("--from=builder ") for c in copies), "only the venv"
    env = " ".join(i.args for i in final if i.keyword == "ENV")
    assert "PATH=/opt/remedyiq/bin:" in env
    assert "HOME=/tmp" in env


def _context_sources() -> list[str]:
    sources = []
    for instruction in INSTRUCTIONS:
        if instruction.keyword != "COPY" or "--from=" in instruction.args:
            continue
        words = [w for w in instruction.args.split() if not w.startswith("--")]
        sources.extend(words[:-1])
    return sources


def _glob_regex(glob: str) -> str:
    """Docker's pattern syntax (Go filepath.Match plus ``**``) as a regular expression."""
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        elif glob[i] == "[":
            end = glob.index("]", i)
            out, i = out + glob[i : end + 1], end + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return out


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matches a path or a parent."""
    parts = PurePosixPath(path).parts
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = _glob_regex(pattern.removeprefix("!").rstrip("/"))
        if any(re.fullmatch(regex, candidate) for candidate in candidates):
            ignored = not negate
    return ignored


def _dockerignore() -> list[str]:
    lines = facts.DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_copied_sources_exist_and_are_in_the_context() -> None:
    patterns = _dockerignore()
    sources = _context_sources()
    assert set(sources) >= {"pyproject.toml", "uv.lock", "libs/", "services/"}
    for source in sources:
        assert (facts.REPO / source).exists(), f"COPY {source}: not in the repository"
        assert not _ignored(source.rstrip("/"), patterns), (
            f"COPY {source}: excluded by the dockerignore"
        )
    for member in tomllib.loads((facts.REPO / "pyproject.toml").read_text())["tool"]["uv"][
        "workspace"
    ]["members"]:
        top = member.split("/")[0] + "/"
        assert top in sources, f"workspace members {member} are not copied into the image"


@pytest.mark.parametrize(
    "path",
    [
        "libs/arlog/pyproject.toml",
        "libs/arlog/src/remedyiq_arlog/__init__.py",
        "services/.gitkeep",
        "uv.lock",
    ],
)
def test_context_keeps_sources(path: str) -> None:
    assert not _ignored(path, _dockerignore())


@pytest.mark.parametrize(
    "path",
    [
        ".git/config",
        ".venv/bin/python",
        "deploy/compose.env",
        ".env",
        "tests/conftest.py",
        "libs/arlog/src/remedyiq_arlog/__pycache__/x.cpython-311.pyc",
        "libs/arlog/.venv/bin/python",
    ],
)
def test_context_drops_the_rest(path: str) -> None:
    assert _ignored(path, _dockerignore())
