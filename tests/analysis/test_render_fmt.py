"""The reference's value formats (analyzer-report-spec §3): durations, percentages, rates, times,
and the column-width rules of its tables."""

from __future__ import annotations

import pytest

from remedyiq_analysis.render import fmt
from remedyiq_analysis.render.table import Widths, table


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.0, "0.000"),
        (0.122, "0.122"),
        (11.904, "11.904"),
        (59.999, "59.999"),
        (60.0, "1:00.000"),
        (179.0, "2:59.000"),
        (600.5, "10:00.500"),
        (3599.999, "59:59.999"),
        (3600.0, "1:00:00.000"),
        (3661.001, "1:01:01.001"),
        (183600.0, "51:00:00.000"),  # hours are not wrapped at 24
        # half-up on the decimal digits (Java), where C's printf would round 1.0005 down
        (0.0005, "0.001"),
        (0.0015, "0.002"),
        (1.0005, "1.001"),
        (2.675, "2.675"),
        (0.0004, "0.000"),
        # early escalations: Java's truncating arithmetic, kept as the reference prints it
        (-59.0, "-59.000"),
        (-61.0, "-1.000"),
        (-0.0004, "-0.000"),
    ],
)
def test_duration_three_decimals(seconds: float, expected: str) -> None:
    assert fmt.duration(seconds) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0.5, "0.5"), (3.126, "3.1"), (0.05, "0.1"), (75.84, "1:15.8"), (3600.0, "1:00:00.0")],
)
def test_thread_queue_time_one_decimal(seconds: float, expected: str) -> None:
    assert fmt.duration(seconds, 1) == expected


def test_rounding_can_reach_sixty_like_the_reference() -> None:
    # 59.9996 s has no minutes, so its seconds print as 60.000 (the reference does the same)
    assert fmt.duration(59.9996) == "60.000"
    assert fmt.duration(119.9996) == "1:60.000"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.404 / 10.162 * 100, "3.98%"),
        (6.169 / 10.162 * 100, "60.71%"),
        (0.001, "0.00%"),
        (100.0, "100.00%"),
        (2.675, "2.68%"),
    ],
)
def test_busy_percent(value: float, expected: str) -> None:
    assert fmt.percent(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "NaN"), (1.925, "1.93"), (2.5, "2.50"), (0.0, "0.00"), (float("inf"), "Infinity")],
)
def test_filters_per_second_cell(value: float | None, expected: str) -> None:
    assert fmt.rate(value) == expected


def test_timestamps_use_english_names_and_milliseconds() -> None:
    assert fmt.timestamp("2025-11-24T14:00:02.997") == "Mon Nov 24 2025 14:00:02.997"
    assert fmt.timestamp("2024-02-29T00:00:00.000") == "Thu Feb 29 2024 00:00:00.000"
    assert fmt.timestamp("2025-11-24T14:00:02.997600") == "Mon Nov 24 2025 14:00:02.997"
    assert fmt.timestamp(None) is None
    assert fmt.EPOCH_TEXT == "Thu Jan 01 1970 00:00:00.000"


def test_elapsed_time_keeps_the_references_single_precision() -> None:
    assert fmt.elapsed(4.638) == "4.638"
    assert fmt.elapsed(300.0) == "5:00.000"
    # 20000.123 s is not representable in a float: the reference prints its float value
    assert fmt.elapsed(20000.123) == "5:33:20.123"
    assert fmt.elapsed(77777.777) == "21:36:17.773"  # checked with Java: (float) 77777777 / 1000f


def test_lengths_count_utf16_code_units_as_java_does() -> None:
    assert fmt.jlen("CUST:客户请求") == 9
    assert fmt.jlen("Форма") == 5
    assert fmt.jlen("𝔘") == 2  # outside the BMP: a surrogate pair
    assert fmt.pad("佐藤 健", 10, left=True) == "佐藤 健      "
    assert fmt.pad("OK", 5, left=False) == "   OK"
    assert fmt.pad("too long", 3, left=True) == "too long"  # never truncated


def test_a_column_keeps_its_minimum_until_a_value_outgrows_its_name() -> None:
    # "Table" has minimum 30: short table names leave it at 30 ...
    widths = Widths()
    table(widths, ["Table"], {"Table"}, [{"Table": "T5103"}])
    assert widths["Table"] == 30
    # ... but one value longer than the name (5) sets the width to the longest value
    table(widths, ["Table"], {"Table"}, [{"Table": "T4382, T5"}, {"Table": "T1"}])
    assert widths["Table"] == 9
    # columns outside the resize list keep their minimum and let values overflow
    lines = table(widths, ["Queue", "API"], (), [{"Queue": "AssignEngine", "API": "GLEWF"}])
    assert lines == ["Queue      API       ", "---------- ----------", "AssignEngine GLEWF     "]


def test_empty_values_carry_the_previous_measured_length_over() -> None:
    # The gap tables' Details column measures nothing itself: it inherits the ID's length.
    widths = Widths()
    rows = [{"Line Gap": "0.001", "TrID": "X7XXlqRPSBudivX2K6Xxsg:0002826", "Details": "OK"}]
    lines = table(widths, ["Line Gap", "TrID", "Details"], {"TrID", "Details"}, rows)
    assert lines[0] == "    Line Gap                           TrID                        Details"
    assert lines[2].endswith(" " * 28 + "OK")
    rows = [{"RPC ID": "0000016151", "Details": "--> Passed -- perform actions"}]
    lines = table(widths, ["RPC ID", "Details"], {"RPC ID", "Details"}, rows)
    assert lines[:2] == ["RPC ID        Details", "---------- ----------"]
    # an empty form in the API top list takes the TrID's 30 characters
    rows = [{"TrID": "X7XXlqRPSBudivX2K6Xxsg:0002826", "Form": ""}]
    table(widths, ["TrID", "Form"], {"TrID", "Form"}, rows)
    assert widths["Form"] == 30
    # a null (None) is printed as "null" but never measured
    lines = table(widths, ["Form", "Previous Escalation"], {"Previous Escalation"}, [{}])
    assert lines[2] == "null null                          "
