"""A file cut into many small byte ranges (parsed as separate units, joined by the ingest) gives
the same result as the same file parsed as one range: same report, same rows."""

from __future__ import annotations

import itertools
from pathlib import Path
from uuid import UUID

import pytest

from remedyiq_arlog.generator import GeneratorConfig, generate
from remedyiq_platform.stores import ranges_repo

from .conftest import CliAnalyses
from .harness import MIB, Pipeline, Platform


@pytest.fixture(scope="module")
def generated_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~5 MB combined log with every anomaly the generator knows (orphans, open calls,
    multi-line SQL, gaps…), so that records and calls straddle the range boundaries."""
    path = tmp_path_factory.mktemp("generated") / "generated_5mb.log"
    with path.open("wb") as out:
        generate(GeneratorConfig(seed=31, target_bytes=5 * MIB), out)
    return path


async def _ranges(platform: Platform, tenant: UUID, job_id: UUID) -> list[tuple[int, int]]:
    async with platform.db.tenant(tenant) as conn:
        found = await ranges_repo.list_ranges(conn, job_id)
    return [(r.start_offset, r.end_offset) for r in sorted(found, key=lambda r: r.range_index)]


@pytest.mark.slow
@pytest.mark.parametrize("source", ["generated", "medium_20k.log"])
async def test_many_ranges_give_the_one_range_result(
    *,
    source: str,
    generated_log: Path,
    fixtures_dir: Path,
    pipeline: Pipeline,
    split_pipeline: Pipeline,
    cli: CliAnalyses,
) -> None:
    path = generated_log if source == "generated" else fixtures_dir / source
    data = path.read_bytes()
    platform = pipeline.platform
    tenant = await platform.new_tenant()

    whole_id, whole_end = await pipeline.run_job(tenant, path.name, data)
    split_id, split_end = await split_pipeline.run_job(tenant, path.name, data)
    assert (whole_end.status, split_end.status) == ("complete", "complete"), (
        whole_end.error_message,
        split_end.error_message,
    )

    assert await _ranges(platform, tenant, whole_id) == [(0, len(data))]
    cuts = await _ranges(platform, tenant, split_id)
    assert len(cuts) >= len(data) // MIB >= 4
    assert cuts[0][0] == 0
    assert cuts[-1][1] == len(data)
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(cuts))

    whole = await platform.report(tenant, whole_id)
    split = await platform.report(tenant, split_id)
    assert whole is not None
    assert split is not None
    assert split.model_dump(mode="json") == whole.model_dump(mode="json")
    expected = await cli.analyse(path)  # one range too (one worker, a file under 16 MB)
    assert split.model_dump(mode="json") == expected.report.model_dump(mode="json")

    for table, cli_rows in (("log_entries", expected.entries), ("log_gaps", expected.gaps)):
        split_rows = await platform.count_rows(table, tenant, split_id)
        assert split_rows == await platform.count_rows(table, tenant, whole_id) == cli_rows
    assert split_end.counts == whole_end.counts
