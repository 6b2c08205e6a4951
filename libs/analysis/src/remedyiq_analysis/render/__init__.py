"""Renderers of the analysis :class:`~remedyiq_analysis.report.Report`.

* :func:`render_text` — the reference analyzer's text report (diffable against ARLogAnalyzer);
* :func:`render_json` — the report as pretty JSON, keys in model order;
* :func:`render_html` — one self-contained, offline HTML page with tables and charts;
* :func:`parse_reference_text` — a reference text report read back into a Report (parity checks,
  importing reports made with ARLogAnalyzer).
"""

from __future__ import annotations

from remedyiq_analysis.render.html import render_html
from remedyiq_analysis.render.json import render_json
from remedyiq_analysis.render.refparse import parse_reference_text
from remedyiq_analysis.render.text import render_text

__all__ = ["parse_reference_text", "render_html", "render_json", "render_text"]
