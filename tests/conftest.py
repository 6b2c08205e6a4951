"""Shared test helpers: where the reference fixtures live; a check that the tested parser is
the one in the sources."""

from __future__ import annotations

from pathlib import Path

import pytest

import remedyiq_arlog

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "fixtures" / "arlogs"
ARLOG_SOURCES = REPO / "libs" / "arlog" / "src" / "remedyiq_arlog"


def stale_arlog_modules(installed: Path, sources: Path) -> list[str]:
    """Modules whose installed copy differs from the sources (empty when they are the same)."""
    return sorted(
        str(source.relative_to(sources))
        for source in sources.rglob("*.py")
        if not (installed / source.relative_to(sources)).is_file()
        or (installed / source.relative_to(sources)).read_bytes() != source.read_bytes()
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """remedyiq_arlog is installed compiled (not editable): refuse to test an outdated build."""
    installed = Path(remedyiq_arlog.__file__).resolve().parent
    if installed == ARLOG_SOURCES:  # PYTHONPATH=libs/arlog/src: the pure-Python sources
        return
    stale = stale_arlog_modules(installed, ARLOG_SOURCES)
    if stale:
        pytest.exit(
            f"the installed remedyiq_arlog is older than libs/arlog/src ({', '.join(stale[:5])}"
            f"{'…' if len(stale) > 5 else ''}): run `make setup` (rebuilds the compiled parser), "
            "or test the pure-Python sources with PYTHONPATH=libs/arlog/src",
            returncode=4,
        )


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
