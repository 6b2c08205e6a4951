"""The report's per-minute timeline (``remedyiq analyze`` and the platform compute it alike):
its counts add up to the sections' counts of completed events, and the HTML report charts it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from remedyiq_analysis.render import render_html
from remedyiq_analysis.report import AnalysisOptions
from remedyiq_cli.analyze_cmd import run_analysis


@pytest.mark.parametrize("name", ["medium_20k", "legacy_oracle_15k"])
def test_timeline_counts_every_event_of_the_report(
    name: str, fixtures_dir: Path, chdb_dir: Path
) -> None:
    log = fixtures_dir / f"{name}.log"
    report = run_analysis([str(log)], AnalysisOptions(), db_dir=str(chdb_dir), workers=1)
    assert report.timeline
    per_type: Counter[str] = Counter()
    for point in report.timeline:
        per_type[point.log_type] += point.count
        assert 0 <= point.errors <= point.count
        assert point.p50_s <= point.p95_s
    assert per_type["API"] == report.api.calls
    assert per_type["SQL"] == report.sql.statements
    # the report's checks include those whose result line is missing; the timeline's do not
    assert report.fltr.passed < per_type["FLTR"] <= report.fltr.checks
    assert per_type["ESCL"] == report.escl.runs
    minutes = [p.minute for p in report.timeline]
    assert minutes == sorted(minutes)
    assert report.general.start_time is not None
    assert minutes[0] <= report.general.start_time
    assert "Calls per minute" in render_html(report)
