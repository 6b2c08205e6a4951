"""Shared test helpers: where the reference fixtures live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "fixtures" / "arlogs"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(
            f"reference fixtures not found at {FIXTURES} (../shared must sit beside the repo)"
        )
    return FIXTURES
