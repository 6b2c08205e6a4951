"""Packed raw lines: unpacking gives back exactly the stored lines, and a substring free of
``>``, newlines and the mark is in the packed text iff it is in the lines."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.rawtext import MARK, pack, stored_utf8, unpack
from remedyiq_arlog.runner import parse_tasks, plan_file
from remedyiq_arlog.schema import COLUMN_INDEX

HEAD = (
    "<FLTR> <TrID: GJzCgsCWSiKIAdrbkGIyRw:0001145> <TID: 0000000616> <RPC ID: 0000010355> "
    "<Queue: Escalation> <Client-RPC: 390603   > <USER: AR_ESCALATOR          > "
    "<Overlay-Group: 1         >"
)
CHECK = [
    f'{HEAD} /* Mon Nov 24 2025 14:00:00.0010 */ <Filter Level:0 Number Of Filters:2> Checking "X"',
    f"{HEAD}    --> Passed -- perform actions",
    f"{HEAD}         0 : Set Fields",
    "continuation without a header",
    f"{HEAD}              Urgency (1000000162) = 2000",
]


def _roundtrip(text: str) -> str:
    """What a reader gets back: the row packed, stored as UTF-8, unpacked."""
    packed, head = pack(text)
    return unpack(stored_utf8(packed), head)


def test_a_filter_check_folds_every_repeated_header() -> None:
    text = "\n".join(CHECK)
    packed, head = pack(text)
    assert head == len(HEAD)
    assert packed.count(MARK) == 3
    assert packed.startswith(HEAD)  # the first line keeps its header: words in it are searchable
    assert len(packed) == len(text) - 3 * (len(HEAD) - 1)
    assert unpack(packed, head) == text


def test_rows_that_cannot_or_need_not_fold_are_stored_as_they_are() -> None:
    one_line = CHECK[0]
    other_thread = f"{CHECK[0]}\n{CHECK[1].replace('0000000616', '0000000617')}"
    marked = f"{CHECK[0]}\n{MARK}{CHECK[1]}"  # a line that starts with the mark already
    no_header = "plain text\nplain text"
    for text in (one_line, other_thread, marked, no_header, ""):
        assert pack(text) == (text, 0)
        assert unpack(text, 0) == text


def test_headers_that_are_not_utf8_or_ascii_are_measured_in_stored_bytes() -> None:
    for user in ("José Müller", "bad\udcff\udcfebytes", "日本語"):
        head = HEAD.replace("AR_ESCALATOR", user)
        text = "\n".join(line.replace(HEAD, head) for line in CHECK)
        _, size = pack(text)
        assert size == len(stored_utf8(head).encode())
        assert _roundtrip(text) == stored_utf8(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", HEAD, HEAD[:40], f"{HEAD} ", MARK, "<", ">"]),
            st.text(alphabet=st.sampled_from("ab<> \x1e\n\udcffé"), max_size=12),
        ),
        min_size=1,
        max_size=6,
    ),
    st.text(alphabet=st.sampled_from("ab <>\x1e\né-"), min_size=1, max_size=6),
)
def test_any_lines_roundtrip_and_safe_substrings_match_alike(
    lines: list[tuple[str, str]], needle: str
) -> None:
    text = "\n".join(head + body for head, body in lines)
    packed, _ = pack(text)
    assert _roundtrip(text) == stored_utf8(text)
    if not set(needle) & set(">\n" + MARK):
        assert (needle in packed) == (needle in text)


def test_every_fixture_row_roundtrips(fixtures_dir: Path) -> None:
    raw = COLUMN_INDEX["raw_text"]
    folded = total = 0
    for path in sorted(fixtures_dir.glob("*.log")):
        rows, _ = parse_tasks(plan_file(path), ParseOptions())
        for row in rows:
            packed, head = pack(row[raw])
            assert unpack(stored_utf8(packed), head) == stored_utf8(row[raw])
            folded += len(row[raw]) - len(packed)
            total += len(row[raw])
    assert folded > total // 5  # the fixtures' events repeat their headers too
