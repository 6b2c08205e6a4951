from __future__ import annotations

import pytest

from remedyiq_arlog.timestamps import TimestampError, TimestampParser, format_classic

BASE = 1763992800000  # Mon Nov 24 2025 14:00:00.000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon Nov 24 2025 14:00:00.0000", BASE),
        ("Mon Nov 24 2025 14:00:02.9970", BASE + 2997),
        ("Mon Nov 24 2025 14:00:02.9979", BASE + 2997),  # 4th digit dropped, as the reference
        ("Mon Nov 24 2025 14:00:02.997", BASE + 2997),
        ("Mon Nov 24 14:00:02.997 2025", BASE + 2997),
        ("2025-11-24T14:00:02.997+0000", BASE + 2997),
        ("2025-11-24T15:00:02.997+0100", BASE + 2997),
        ("Mo. Nov. 24 2025 14:00:02.997", BASE + 2997),
        ("lun. nov. 24 2025 14:00:02.997", BASE + 2997),
        ("月 11月 24 2025 14:00:02.997", BASE + 2997),
        ("Mo Nov 24 2025 14:00:02.997", BASE + 2997),  # Java 8 German (AR 9.x servers)
        ("Mo Mär 24 2025 14:00:02.997", BASE + 2997 - 245 * 86_400_000),
        ("星期一 十一月 24 2025 14:00:02.997", BASE + 2997),
    ],
)
def test_formats_and_locales(text: str, expected: int) -> None:
    assert TimestampParser().parse(text) == expected


def test_detects_locale_and_forced_locale_refuses_others() -> None:
    parser = TimestampParser()
    parser.parse("Mi. Nov. 26 2025 10:00:00.000")
    assert parser.detected_locale == "de"
    with pytest.raises(TimestampError):
        TimestampParser("en").parse("Mi. Nov. 26 2025 10:00:00.000")


@pytest.mark.parametrize("text", ["", "Mon Nov 24", "Mon Foo 24 2025 14:00:00.000", "garbage.x"])
def test_unreadable(text: str) -> None:
    with pytest.raises(TimestampError):
        TimestampParser().parse(text)


def test_format_classic() -> None:
    assert format_classic(BASE + 2997) == "Mon Nov 24 2025 14:00:02.997"
