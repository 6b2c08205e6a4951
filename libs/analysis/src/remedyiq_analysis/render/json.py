"""The report as JSON: the stable contract (``remedyiq analyze --format json``)."""

from __future__ import annotations

from remedyiq_analysis.report import Report


def render_json(report: Report) -> str:
    """Pretty JSON, keys in model order, ending with a newline.

    ``Report.model_validate_json(render_json(report)) == report`` holds: undefined rates are
    ``null`` in the model already (the text report prints them as ``NaN``).
    """
    return report.model_dump_json(indent=2) + "\n"
