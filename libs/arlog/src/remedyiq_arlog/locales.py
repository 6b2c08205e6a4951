"""Day and month names as AR System servers (Java) write them in each locale.

Taken from Java 17's ``SimpleDateFormat("EEE MMM dd yyyy …", locale)`` (CLDR data), the same
formatter the server and the reference analyzer use, so a German or Japanese server's stamps
(``Mi. Nov. 25 2026 …``, ``水 11月 25 2026 …``) parse like English ones.
"""

from __future__ import annotations

from typing import Final

# locale -> (day names Monday..Sunday, month names January..December)
NAMES: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "en": (
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    ),
    "de": (
        ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
        (
            "Jan.",
            "Feb.",
            "März",
            "Apr.",
            "Mai",
            "Juni",
            "Juli",
            "Aug.",
            "Sept.",
            "Okt.",
            "Nov.",
            "Dez.",
        ),
    ),
    "fr": (
        ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
        (
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ),
    ),
    "es": (
        ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
        ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    ),
    "it": (
        ("lun", "mar", "mer", "gio", "ven", "sab", "dom"),
        ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
    ),
    "pt": (
        ("seg.", "ter.", "qua.", "qui.", "sex.", "sáb.", "dom."),
        (
            "jan.",
            "fev.",
            "mar.",
            "abr.",
            "mai.",
            "jun.",
            "jul.",
            "ago.",
            "set.",
            "out.",
            "nov.",
            "dez.",
        ),
    ),
    "nl": (
        ("ma", "di", "wo", "do", "vr", "za", "zo"),
        (
            "jan.",
            "feb.",
            "mrt.",
            "apr.",
            "mei",
            "jun.",
            "jul.",
            "aug.",
            "sep.",
            "okt.",
            "nov.",
            "dec.",
        ),
    ),
    "ja": (
        ("月", "火", "水", "木", "金", "土", "日"),
        ("1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"),
    ),
    "ko": (
        ("월", "화", "수", "목", "금", "토", "일"),
        ("1월", "2월", "3월", "4월", "5월", "6월", "7월", "8월", "9월", "10월", "11월", "12월"),
    ),
    "zh": (
        ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
        ("1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"),
    ),
    "ru": (
        ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
        (
            "янв.",
            "февр.",
            "мар.",
            "апр.",
            "мая",
            "июн.",
            "июл.",
            "авг.",
            "сент.",
            "окт.",
            "нояб.",
            "дек.",
        ),
    ),
    "pl": (
        ("pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz."),
        ("sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"),
    ),
    "sv": (
        ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
        (
            "jan.",
            "feb.",
            "mars",
            "apr.",
            "maj",
            "juni",
            "juli",
            "aug.",
            "sep.",
            "okt.",
            "nov.",
            "dec.",
        ),
    ),
}

# Month names of Java 8 and of Java 9+ run with -Djava.locale.providers=COMPAT (AR 9.x servers):
# the same locales, older spellings (German "Mär", Chinese "十一月", Japanese bare numbers).
COMPAT_MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "de": ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
    "pt": ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "ja": ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
    "zh": (
        "一月",
        "二月",
        "三月",
        "四月",
        "五月",
        "六月",
        "七月",
        "八月",
        "九月",
        "十月",
        "十一月",
        "十二月",
    ),
    "ru": ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}

LOCALES: Final = tuple(NAMES)
"""Supported locales, in the order auto-detection tries them (English first, as the reference)."""


def month_table(locale: str) -> dict[str, int]:
    """Month name (case-folded, also without a trailing dot) -> month number for one locale."""
    table: dict[str, int] = {}
    names = (*NAMES[locale][1], *COMPAT_MONTHS.get(locale, ()))
    for index, name in enumerate(names):
        number = index % 12 + 1
        folded = name.casefold()
        table[folded] = number
        table[folded.rstrip(".")] = number
    return table
