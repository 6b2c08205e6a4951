"""Packed raw lines: unpacking gives back exactly the stored lines, and a substring free of
``<``, ``>``, newlines and the marks is in the lines iff it is in the packed text or, for a row
whose first header is rendered from its columns, in that header."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.rawtext import (
    HEADER_COLUMNS,
    MARK,
    REBUILT,
    REBUILT_LEGACY,
    pack,
    pack_all,
    render,
    stored_utf8,
    unpack,
)
from remedyiq_arlog.runner import parse_tasks, plan_file
from remedyiq_arlog.schema import COLUMN_INDEX, LogType

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
    folded = rendered = total = 0
    for path in sorted(fixtures_dir.glob("*.log")):
        rows, _ = parse_tasks(plan_file(path), ParseOptions())
        for row in rows:
            packed, head = pack(row[raw])
            assert unpack(stored_utf8(packed), head) == stored_utf8(row[raw])
            folded += len(row[raw]) - len(packed)
            total += len(row[raw])
        # as the parser stores them: the headers the columns print are rendered on reading
        columns = [[row[COLUMN_INDEX[name]] for row in rows] for name in HEADER_COLUMNS]
        for row, packed, head in zip(rows, *pack_all([r[raw] for r in rows], columns), strict=True):
            values = [LogType(row[COLUMN_INDEX["log_type"]]).name]
            values += [str(row[COLUMN_INDEX[name]]) for name in HEADER_COLUMNS[1:]]
            assert unpack(stored_utf8(packed), head, values) == stored_utf8(row[raw])
            rendered += packed[:1] in (REBUILT, REBUILT_LEGACY)
    assert folded > total // 5  # the fixtures' events repeat their headers too
    assert rendered > 10_000  # both layouts: every fixture's headers are printed from columns


TRID = ["FLTR", "GJzCgsCWSiKIAdrbkGIyRw:0001145", "0000000616", "0000010355", "Escalation"]
TRID += ["390603", "AR_ESCALATOR", "1"]
HEAD45 = HEAD.replace(
    "AR_ESCALATOR          ", "AR_ESCALATOR" + " " * 33
)  # 9.x and later pad to 45
CHECK45 = [line.replace(HEAD, HEAD45) for line in CHECK]


def test_the_header_is_rendered_as_the_server_writes_it() -> None:
    assert render(TRID) == HEAD45
    legacy = HEAD45.replace("<TrID: GJzCgsCWSiKIAdrbkGIyRw:0001145> ", "")
    assert render(["FLTR", "", *TRID[2:]], trid=False) == legacy
    assert render([*TRID[:6], "José Müller", "1"]) == HEAD45.replace(
        "AR_ESCALATOR          ", "José Müller           "
    )  # padded in characters, as ClickHouse's rightPadUTF8
    long_user = [*TRID[:6], "U" * 46, "1"]
    assert render(long_user) == HEAD45.replace("AR_ESCALATOR" + " " * 33, "U" * 45)  # as SQL
    text = "\n".join(CHECK45)
    for values in (long_user, [*TRID[:6], "bad\udcffbytes", "1"], ["OTHER", *TRID[1:]]):
        lines = text.replace("AR_ESCALATOR" + " " * 33, values[6].ljust(45)).replace(
            "FLTR", values[0]
        )
        assert pack(lines, values) == pack(lines)  # not the header it printed: stored


def test_a_header_its_columns_print_is_stored_as_a_mark() -> None:
    text = "\n".join(CHECK45)
    packed, head = pack(text, TRID)
    assert packed.startswith(REBUILT + " /* Mon Nov 24")
    assert HEAD45 not in packed
    assert head == len(HEAD45)
    assert packed.count(MARK) == 3
    assert unpack(packed, head, TRID) == text
    assert unpack(packed[:7], head, TRID) == text[: len(HEAD45) + 6]  # a prefix: a prefix
    other = [*TRID[:7], "0"]  # another overlay group: not what the lines say
    assert pack(text, other) == pack(text)
    assert pack(text + REBUILT, TRID) == (text + REBUILT, 0)  # a mark in the lines: as they are
    odd_rpc = text.replace("<RPC ID: 0000010355>", "<RPC ID: 10355x>")
    odd_values = [*TRID[:3], "10355x", *TRID[4:]]  # search skips RPC IDs for non-digit words
    assert pack(odd_rpc, odd_values) == pack(odd_rpc)
    older = "\n".join(CHECK)  # USER padded to 30, as some servers wrote it: stored
    assert pack(older, TRID) == pack(older)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", HEAD45, HEAD45[:40], f"{HEAD45} ", "<", ">"]),
            st.text(alphabet=st.sampled_from("ab<> :\x1c\n\udcffé"), max_size=12),
        ),
        min_size=1,
        max_size=5,
    ),
    st.text(alphabet=st.sampled_from("abrIDT <>:\x1c\né-10"), min_size=1, max_size=8),
)
def test_rendered_rows_roundtrip_and_words_are_in_lines_or_header(
    lines: list[tuple[str, str]], needle: str
) -> None:
    text = HEAD45 + " /* t */\n" + "\n".join(head + body for head, body in lines)
    packed, size = pack(text, TRID)
    assert unpack(stored_utf8(packed), size, TRID) == stored_utf8(text)
    if packed[:1] == REBUILT and not set(needle) & set("<>\n\x1c\x1d" + MARK):
        in_header = any(needle in part for part in HEAD45.replace(">", "<").split("<"))
        assert (needle in text) == (needle in packed or in_header)
