"""Any split of a file into byte ranges gives exactly the rows and gaps of one pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remedyiq_arlog.generator import GeneratorConfig, generate
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.runner import parse_tasks, plan_file

SAMPLES = ["sample1_trid_mssql.log", "sample2_legacy_oracle.log", "sample3_split/combined.log"]
GENERATED = {
    # legacy 9.1 style: no TrIDs, filter action lines without timestamps, Oracle
    "legacy.log": GeneratorConfig(seed=11, target_lines=3000, log_format="legacy", db="oracle"),
    # 23.x style: 4th fractional digit, CRLF line ends, every anomaly kind
    "crlf.log": GeneratorConfig(
        seed=12, target_lines=3000, timestamps="classic4", line_ending="crlf"
    ),
}


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    for name, config in GENERATED.items():
        with (folder / name).open("wb") as out:
            generate(config, out)
    return folder


def _result(path: Path, cuts: list[int] | None) -> tuple[list[tuple[object, ...]], object, object]:
    tasks = plan_file(path, cuts=cuts) if cuts is not None else plan_file(path)
    rows, result = parse_tasks(tasks, ParseOptions())
    return sorted(rows, key=lambda r: (r[0], r[1])), result.line_gaps, result.thread_gaps


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sample=st.sampled_from(SAMPLES), data=st.data())
def test_any_split_equals_one_pass(fixtures_dir: Path, sample: str, data: st.DataObject) -> None:
    path = fixtures_dir / sample
    size = path.stat().st_size
    cuts = data.draw(st.lists(st.integers(min_value=1, max_value=size - 1), max_size=12))
    whole = _result(path, None)
    split = _result(path, cuts)
    assert split[0] == whole[0]
    assert split[1] == whole[1]
    assert split[2] == whole[2]


def test_every_line_in_exactly_one_row(fixtures_dir: Path) -> None:
    path = fixtures_dir / "medium_20k.log"
    rows, _ = parse_tasks(plan_file(path, parts=7), ParseOptions())
    with path.open("rb") as handle:
        physical = sum(1 for _ in handle)
    assert sum(row[6] for row in rows) == physical  # "lines" column
    starts = sorted(row[1] for row in rows)
    assert len(starts) == len(set(starts))


def test_many_ranges_on_a_big_fixture_match_one_pass(fixtures_dir: Path) -> None:
    path = fixtures_dir / "medium_20k.log"
    one = _result(path, None)
    many = _result(path, [path.stat().st_size * i // 37 for i in range(1, 37)])
    assert many == one
