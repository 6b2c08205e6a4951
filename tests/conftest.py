"""Shared test helpers: where the reference fixtures live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "fixtures" / "arlogs"


@pytest.fixture(scope="session")
def chdb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one embedded ClickHouse data directory of this test process.

    chDB runs one engine per process and cannot switch data directories, so every test that
    needs ClickHouse shares this one and isolates itself by database name or job id.
    """
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(
            f"reference fixtures not found at {FIXTURES} (../shared must sit beside the repo)"
        )
    return FIXTURES
