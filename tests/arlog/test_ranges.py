from __future__ import annotations

import io
import itertools

from hypothesis import given
from hypothesis import strategies as st

from remedyiq_arlog.ranges import plan_ranges

LINES = [b"<API > a", b"continuation", b"<SQL > b", b"", b"<FLTR> c\r", b"x<y"]


@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=60), st.data())
def test_ranges_cover_the_file_and_start_at_records(
    lines: list[bytes], data: st.DataObject
) -> None:
    blob = b"\n".join(lines) + b"\n"
    cuts = data.draw(st.lists(st.integers(0, len(blob) + 5), max_size=10))
    ranges = plan_ranges(io.BytesIO(blob), len(blob), cuts)
    assert ranges[0].start == 0
    assert ranges[-1].end == len(blob)
    for before, after in itertools.pairwise(ranges):
        assert before.end == after.start
        assert blob[after.start : after.start + 1] == b"<"
        assert blob[after.start - 1 : after.start] == b"\n"
        assert after.first_line == blob[: after.start].count(b"\n") + 1
