"""A hit's raw lines: read packed (the first ``raw_cap`` characters) and unfolded in Python, they
are exactly the first ``raw_cap`` characters of the row's lines, and flagged when there are more."""

from __future__ import annotations

from remedyiq_analysis.explore.rows import entry_row
from remedyiq_arlog.rawtext import pack

HEAD = "<FLTR> <TID: 0000000616> <RPC ID: 0000010355> <USER: Demo   > <Overlay-Group: 1 >"
LINES = "\n".join(
    [
        f'{HEAD} /* Mon Nov 24 2025 14:00:00.0010 */ Checking "X" (500)',
        f"{HEAD}    --> Passed -- perform actions",
        f"{HEAD}         0 : Set Fields",
        f"{HEAD}              Urgency (1000000162) = 2000",
    ]
)


def _selected(packed: str, head: int, cap: int) -> list[object]:
    """A row as ROW_COLUMNS selects it (the raw lines cut to ``cap`` characters by the engine)."""
    described = ["", "", "", "", "X", "passed", 0, "none", "", "", "", ""]
    key = ["job", 1, 7, 10, 1_764_000_000_001, "FLTR", "check", "Fast", "616", "", "10355"]
    return [*key, "Demo", 0, True, *described, packed[:cap], len(packed) > cap, head, "2025"]


def test_unfolded_text_is_cut_at_the_cap_and_flagged() -> None:
    packed, head = pack(LINES)
    assert head > 0
    for cap in (5, len(HEAD) + 3, len(packed), len(packed) + 1, len(LINES) - 1, len(LINES), 9999):
        row = entry_row(_selected(packed, head, cap), cap)
        assert row.raw_text == LINES[:cap], cap
        assert row.raw_truncated == (len(LINES) > cap), cap
        assert row.summary == "X (passed)"


def test_rows_stored_whole_read_as_they_are() -> None:
    row = entry_row(_selected(LINES, 0, 4096))
    assert row.raw_text == LINES
    assert not row.raw_truncated
