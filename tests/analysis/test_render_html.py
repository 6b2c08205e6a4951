"""The HTML report: self-contained, escaped, complete, folded, charted, small."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from remedyiq_analysis.render import render_html
from remedyiq_analysis.render.refparse import parse_reference_text
from remedyiq_analysis.report import Report, TimelinePoint

HOSTILE = '<script>alert("x")</script>'


class _Page(HTMLParser):
    """Collects what the checks need: tags, ids, internal links, texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.append(f"{name}={value}")
            if name == "id" and value:
                self.ids.add(value)
            if name == "href" and value:
                self.links.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def medium(fixtures_dir: Path) -> Report:
    return parse_reference_text((fixtures_dir / "medium_20k.report.txt").read_text())


@pytest.fixture(scope="module")
def sample1(fixtures_dir: Path) -> Report:
    return parse_reference_text((fixtures_dir / "sample1_trid_mssql.report.txt").read_text())


def _hostile(report: Report) -> Report:
    """Log-derived text everywhere it is shown: a form, a queue, a filter, a gap's details."""
    api = report.api
    top = [api.top[0].model_copy(update={"form": HOSTILE, "user": "a&b"}), *api.top[1:]]
    agg = api.aggregates[0]
    group = agg.groups[0].model_copy(update={"value": HOSTILE})
    aggregates = [agg.model_copy(update={"groups": [group, *agg.groups[1:]]}), *api.aggregates[1:]]
    stats = [api.thread_stats[0].model_copy(update={"queue": HOSTILE}), *api.thread_stats[1:]]
    gaps = report.gaps.model_copy(
        update={"line": [report.gaps.line[0].model_copy(update={"details": HOSTILE})]}
    )
    return report.model_copy(
        update={
            "api": api.model_copy(
                update={"top": top, "aggregates": aggregates, "thread_stats": stats}
            ),
            "gaps": gaps,
            "general": report.general.model_copy(update={"server_versions": [HOSTILE]}),
        }
    )


def test_log_text_is_escaped(sample1: Report) -> None:
    html = render_html(_hostile(sample1))
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert html.count("<script") == 1  # ours, the sorter
    page = _parse(html)
    assert page.tags.count("script") == 1
    # the hostile form, group, queue (table and chart label) and details arrive as plain text
    assert sum(HOSTILE in t for t in page.text) >= 5
    assert "a&b" in page.text


def test_page_is_self_contained(medium: Report) -> None:
    html = render_html(medium)
    assert not re.search(r"https?://", html)
    page = _parse(html)
    assert not {"link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert not [a for a in page.attributes if a.startswith("src=")]
    assert "prefers-color-scheme:dark" in html  # light and dark themes


def test_every_section_has_a_table_of_contents_entry(medium: Report) -> None:
    page = _parse(render_html(medium))
    targets = [link.removeprefix("#") for link in page.links if link.startswith("#")]
    assert targets
    assert set(targets) <= page.ids  # no dead link
    for section in ("overview", "general", "gaps", "api", "sql", "escl", "fltr"):
        assert section in targets
    for title in (
        "Longest line gaps",
        "API aggregates by Client IP",
        "API threads by queue",
        "SQL statements never ended",
        "Escalation aggregates by Pool",
        "Transactions with the most filters",
    ):
        assert title in page.text


def test_long_tables_are_sortable_and_folded(medium: Report) -> None:
    html = render_html(medium)
    assert 'class="s c"' in html  # folded: 50 longest API calls
    assert '<button class="more" data-more="Show all 50 rows">' in html
    assert re.search(r'<tr class="h">', html)
    assert "aria-sort" in html  # the sorter marks the sorted column


@pytest.mark.parametrize(
    "name", ["medium_20k.report.txt", "legacy_oracle_15k.report.txt", "trid_23x_15k.report.txt"]
)
def test_size_stays_small_for_the_fixtures(fixtures_dir: Path, name: str) -> None:
    report = parse_reference_text((fixtures_dir / name).read_text())
    assert len(render_html(report).encode()) < 300_000


def test_timeline_is_charted_only_when_present(sample1: Report) -> None:
    assert "Calls per minute" not in render_html(sample1)
    points = [
        TimelinePoint(
            minute=f"2025-11-24T14:0{m}:00.000", log_type=kind, count=10 * m + 3, errors=m % 2,
            p50_s=0.01, p95_s=0.2 + m / 10,
        )
        for m in range(5)
        for kind in ("API", "SQL", HOSTILE)
    ]  # fmt: skip
    html = render_html(sample1.model_copy(update={"timeline": points}))
    for title in ("Calls per minute", "Errors per minute", "p95 duration per minute"):
        assert title in html
    assert html.count("<polyline") == 9  # three series in each of three charts
    assert HOSTILE not in html


def test_thread_busy_bars_per_queue(medium: Report) -> None:
    html = render_html(medium)
    bars = re.findall(r"<title>([^<]*): ([\d.]+)%</title></rect>", html)
    labels = {label for label, _ in bars}
    for stat in medium.api.thread_stats:
        assert f"{stat.queue} {stat.thread}" in labels
    busiest = max(medium.api.thread_stats, key=lambda s: s.busy_pct)
    assert f"{busiest.busy_pct:.2f}" in {value for _, value in bars}


def test_empty_report_still_renders(sample1: Report) -> None:
    empty = sample1.model_copy(
        update={
            "api": sample1.api.model_copy(
                update={"top": [], "thread_stats": [], "aggregates": [], "exceptions": []}
            ),
            "gaps": sample1.gaps.model_copy(update={"line": [], "thread": []}),
        }
    )
    html = render_html(empty)
    assert '<p class="empty">None.</p>' in html
    assert html.startswith("<!DOCTYPE html>")


def test_file_columns_only_with_several_files(sample1: Report) -> None:
    assert "<th>File" not in render_html(sample1)
    two = (Path(__file__).parent / "render_fixtures" / "two_files.report.txt").read_text()
    html = render_html(parse_reference_text(two))
    assert "<th>File" in html
    assert "two_files_api.log" in html


class _Cells(HTMLParser):
    """Counts header and body cells per table (end tags are optional in our markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[int, list[int]]] = []
        self._section = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append((0, []))
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr" and self._section in ("tbody", "tfoot"):
            self.tables[-1][1].append(0)
        elif tag == "th":
            header, rows = self.tables[-1]
            self.tables[-1] = (header + 1, rows)
        elif tag == "td":
            self.tables[-1][1][-1] += 1


@pytest.mark.parametrize("source", ["medium", "two_files"])
def test_every_row_has_a_cell_per_column(medium: Report, source: str) -> None:
    if source == "two_files":  # delayed and failed escalations, File# columns
        path = Path(__file__).parent / "render_fixtures" / "two_files.report.txt"
        report = parse_reference_text(path.read_text())
    else:
        report = medium
    parser = _Cells()
    parser.feed(render_html(report))
    assert len(parser.tables) > 10
    for header, rows in parser.tables:
        assert rows
        assert set(rows) == {header}
