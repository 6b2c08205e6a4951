"""Fixtures for the deployment tests: the rendered kustomizations and the compose file.

Everything here is offline: no Docker engine, no cluster, no network.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import kustomize
from .composefile import interpolate_document, read_env_file
from .facts import COMPOSE_ENV_EXAMPLE, COMPOSE_FILE, KUSTOMIZATIONS
from .yamlfiles import Document, load_mapping


@pytest.fixture(scope="session")
def rendered_all() -> dict[str, list[Document]]:
    """Every kustomization (base and overlays), rendered by the test loader."""
    return {name: kustomize.build(path) for name, path in KUSTOMIZATIONS.items()}


@pytest.fixture(params=sorted(KUSTOMIZATIONS))
def rendered(request: pytest.FixtureRequest, rendered_all: dict[str, list[Document]]) -> Any:
    """One rendered kustomization per test run (base, dev, production)."""
    return rendered_all[request.param]


@pytest.fixture(scope="session")
def compose_raw() -> Document:
    """docker-compose.yml as written (with ${VAR} references)."""
    return load_mapping(COMPOSE_FILE)


@pytest.fixture(scope="session")
def example_env() -> dict[str, str]:
    """deploy/compose.env.example."""
    return read_env_file(COMPOSE_ENV_EXAMPLE)


@pytest.fixture(scope="session")
def compose(compose_raw: Document, example_env: dict[str, str]) -> Any:
    """docker-compose.yml interpolated with the example environment (what compose runs)."""
    return interpolate_document(compose_raw, example_env)
