"""Range summaries survive JSON: joining decoded summaries gives the same result."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from remedyiq_arlog import summary_codec
from remedyiq_arlog.join import Joiner
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.runner import parse_range, plan_file


def _join(path: Path, *, through_json: bool) -> tuple[list[tuple[object, ...]], object]:
    options = ParseOptions()
    joiner = Joiner()
    rows: list[tuple[object, ...]] = []
    for task in plan_file(path, parts=9):
        with path.open("rb") as stream:
            iterator, summary = parse_range(stream, task, options)
            rows.extend(iterator)
        if through_json:
            summary = summary_codec.loads(summary_codec.dumps(summary))
        rows.extend(joiner.add(summary))
    tail, result = joiner.finish()
    rows.extend(tail)
    return sorted(rows, key=lambda r: (r[0], r[1])), (result.line_gaps, result.thread_gaps)


@pytest.mark.parametrize("name", ["medium_20k.log", "legacy_oracle_15k.log"])
def test_round_trip_preserves_the_join(fixtures_dir: Path, name: str) -> None:
    path = fixtures_dir / name
    assert _join(path, through_json=True) == _join(path, through_json=False)


def test_refuses_unknown_types() -> None:
    with pytest.raises(ValueError, match="unknown type"):
        summary_codec.loads(gzip.compress(b'{"__t": "os.system"}'))
