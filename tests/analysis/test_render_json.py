"""The JSON rendering: a lossless, stably ordered dump of the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remedyiq_analysis.render import render_json
from remedyiq_analysis.render.refparse import parse_reference_text
from remedyiq_analysis.report import Report, TimelinePoint


@pytest.fixture(scope="module")
def report(fixtures_dir: Path) -> Report:
    return parse_reference_text((fixtures_dir / "sample1_trid_mssql.report.txt").read_text())


def test_round_trip_is_lossless(report: Report) -> None:
    assert Report.model_validate_json(render_json(report)) == report


def test_round_trip_with_timeline_and_non_ascii(report: Report) -> None:
    timeline = [
        TimelinePoint(
            minute="2025-11-24T14:00:00.000", log_type="API", count=3, errors=1, p50_s=0.01,
            p95_s=0.115,
        )
    ]  # fmt: skip
    general = report.general.model_copy(update={"filter_language": "Русский"})
    changed = report.model_copy(update={"timeline": timeline, "general": general})
    text = render_json(changed)
    assert Report.model_validate_json(text) == changed
    assert '"filter_language": "Русский"' in text  # UTF-8 as is, not \\u escapes


def test_keys_follow_the_model_order(report: Report) -> None:
    data = json.loads(render_json(report))
    assert list(data) == list(Report.model_fields)
    assert list(data["general"]) == list(type(report.general).model_fields)
    assert render_json(report) == render_json(report)  # stable
    assert render_json(report).endswith("}\n")


def test_undefined_filter_rate_is_null_not_nan(report: Report) -> None:
    text = render_json(report)
    assert "NaN" not in text
    rates = [t["ms_per_filter"] for t in json.loads(text)["fltr"]["most_filters"]]
    assert None in rates
