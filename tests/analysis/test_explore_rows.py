"""A hit's raw lines: read packed (the first ``raw_cap`` characters) and unfolded in Python, they
are exactly the first ``raw_cap`` characters of the row's lines, and flagged when there are more
— whether the first header is stored or rendered from the row's columns."""

from __future__ import annotations

import pytest

from remedyiq_analysis.explore.rows import entry_row
from remedyiq_arlog.rawtext import REBUILT, REBUILT_LEGACY, pack, render

# the row's header columns: type, TrID, TID, RPC ID, queue, client RPC, user, overlay group
TRID = ["FLTR", "DpcD41IZR5eSxP4Ol2Hu6w:0001693", "0000000616", "0000010355", "Fast", "390620"]
TRID += ["Demo", "1"]
LEGACY = ["FLTR", "", *TRID[2:]]
ODD_HEAD = "<FLTR> <TID: 0000000616> <RPC ID: 0000010355> <USER: Demo   > <Overlay-Group: 1 >"


def _lines(head: str) -> str:
    return "\n".join(
        [
            f'{head} /* Mon Nov 24 2025 14:00:00.0010 */ Checking "X" (500)',
            f"{head}    --> Passed -- perform actions",
            f"{head}         0 : Set Fields",
            f"{head}              Urgency (1000000162) = 2000",
        ]
    )


def _selected(packed: str, head: int, cap: int, header: list[str]) -> list[object]:
    """A row as ROW_COLUMNS selects it (the raw lines cut to ``cap`` characters by the engine)."""
    kind, trace, thread, rpc, queue, client_rpc, user, overlay = header
    described = ["", "", "", "", "X", "passed", 0, "none", "", "", "", ""]
    key = ["job", 1, 7, 10, 1_764_000_000_001, kind, "check", queue, thread, trace, rpc]
    tail = [client_rpc, overlay, packed[:cap], len(packed) > cap, head, "2025"]
    return [*key, user, 0, True, *described, *tail]


@pytest.mark.parametrize(
    ("header", "head", "mark"),
    [
        (TRID, render(TRID), REBUILT),
        (LEGACY, render(LEGACY, trid=False), REBUILT_LEGACY),
        (TRID, ODD_HEAD, ""),  # a header the columns do not print: stored, later lines folded
    ],
)
def test_unfolded_text_is_cut_at_the_cap_and_flagged(
    header: list[str], head: str, mark: str
) -> None:
    lines = _lines(head)
    packed, size = pack(lines, header)
    assert size == len(head)
    assert packed.startswith(mark or head)
    for cap in (1, 5, len(head) + 3, len(packed), len(packed) + 1, len(lines) - 1, len(lines)):
        row = entry_row(_selected(packed, size, cap, header), cap)
        assert row.raw_text == lines[:cap], cap
        assert row.raw_truncated == (len(lines) > cap), cap
        assert row.summary == "X (passed)"


def test_rows_stored_whole_read_as_they_are() -> None:
    lines = _lines(ODD_HEAD)
    row = entry_row(_selected(lines, 0, 4096, TRID))
    assert row.raw_text == lines
    assert not row.raw_truncated
