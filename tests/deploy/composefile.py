"""Compose-file helpers: env files and ``${VAR}`` interpolation as Docker Compose does it.

Only the forms compose documents are handled: ``$$`` (a literal ``$``), ``$VAR``, ``${VAR}``,
``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?message}``, ``${VAR?message}``,
``${VAR:+replacement}`` and ``${VAR+replacement}``. Nested interpolation inside a default is
not supported (and not used).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
_ENV_LINE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")


class MissingVariableError(KeyError):
    """A ``${VAR:?message}`` (or ``?``) variable has no value."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One ``$...`` variable reference in a compose value."""

    name: str
    op: str  # "" for $VAR / ${VAR}, else one of ":-", "-", ":?", "?", ":+", "+"
    arg: str


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines; blank lines and ``#`` comments are skipped (no quoting used)."""
    env: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ENV_LINE.match(stripped)
        if match is None:
            raise ValueError(f"{path}:{number}: not NAME=value: {line!r}")
        if match["name"] in env:
            raise ValueError(f"{path}:{number}: {match['name']} is set twice")
        env[match["name"]] = match["value"]
    return env


def references(value: str) -> list[Reference]:
    """The variable references in one string (escaped ``$$`` excluded)."""
    found = []
    for match in _REFERENCE.finditer(value):
        if match["escaped"]:
            continue
        name = match["name"] or match["bare"]
        found.append(Reference(name, match["op"] or "", match["arg"] or ""))
    return found


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """``value`` with every reference replaced; raises MissingVariableError like compose."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["name"] or match["bare"]
        op, arg = match["op"] or "", match["arg"] or ""
        present = name in env
        value = env.get(name, "")
        empty = not value
        if op in {":?", "?"} and (not present or (op == ":?" and empty)):
            raise MissingVariableError(f"required variable {name} is missing a value: {arg}")
        if op in {":-", "-"} and (not present or (op == ":-" and empty)):
            return arg
        if op in {":+", "+"}:
            return arg if present and (op == "+" or not empty) else ""
        return value

    return _REFERENCE.sub(replace, value)


def strings(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string value in a parsed compose document, with its path (keys are not values)."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, (*path, str(index)))


def interpolate_document(node: Any, env: Mapping[str, str]) -> Any:
    """A copy of a parsed compose document with every string value interpolated."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {key: interpolate_document(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_document(value, env) for value in node]
    return node


def environment(service: Mapping[str, Any]) -> dict[str, Any]:
    """A service's ``environment`` as a mapping (compose also allows a NAME=value list)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return dict(env)
