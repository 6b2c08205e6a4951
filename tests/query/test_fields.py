"""The query layer's description of stored rows agrees with the parser library's."""

from __future__ import annotations

from remedyiq_arlog.rawtext import (
    MARKS,
    REBUILT,
    REBUILT_LEGACY,
    SEGMENTS,
    TAG_WIDTH,
    VALUE_CHARACTERS,
)
from remedyiq_query.fields import HEADER_RUNS, PACKED_UNSAFE, RENDERED


def test_the_rendered_header_is_described_alike_for_search_and_storage() -> None:
    """The query layer's view of a rendered header (it does not depend on the parser library)
    is the parser's: labels, columns, paddings and the characters a rendered value may hold."""
    tag, *runs = HEADER_RUNS
    assert tag == ("", "log_type", TAG_WIDTH, None)
    assert [(label, column, width) for label, column, width, _ in runs] == list(SEGMENTS)
    assert {c: chars for _, c, _, chars in runs if chars is not None} == VALUE_CHARACTERS
    assert {m: m == REBUILT for m in (REBUILT, REBUILT_LEGACY)} == RENDERED
    assert set(PACKED_UNSAFE) >= {"<", ">", "\n", *MARKS}
