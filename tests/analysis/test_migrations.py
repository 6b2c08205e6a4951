"""ClickHouse migrations on the embedded engine: all up, all down, up again; each is idempotent;
the materialized SQL fingerprint is the hash the explorer's groups are documented to use."""

from __future__ import annotations

from pathlib import Path

import clickhouse_connect
import pytest
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.columnar import ENTRY_SCHEMA
from remedyiq_analysis.migrate import applied, available, migrate_down, migrate_up
from remedyiq_arlog.rawtext import (
    HEADER_COLUMNS,
    REBUILT,
    REBUILT_LEGACY,
    pack,
    render,
    stored_utf8,
    unpack,
)


@pytest.fixture
def client(chdb_dir: Path) -> Client:
    return clickhouse_connect.get_client(dsn=f"chdb://{chdb_dir}")


def _described(client: Client, database: str) -> list[tuple[str, str]]:
    """``(name, codec)`` of log_entries' columns in order."""
    return [
        (str(name), str(codec))
        for name, codec in client.query(
            "SELECT name, compression_codec FROM system.columns WHERE database = {db:String} "
            "AND table = 'log_entries' ORDER BY position",
            parameters={"db": database},
        ).result_rows
    ]


def _columns(client: Client, database: str) -> list[str]:
    return [name for name, _ in _described(client, database)]


def _codecs(client: Client, database: str) -> dict[str, str]:
    return dict(_described(client, database))


def test_up_down_up(client: Client) -> None:
    database = "migrations_roundtrip"
    versions = [m.version for m in available()]
    assert versions == list(range(1, len(versions) + 1))  # numbered without gaps
    assert all(m.down.strip() for m in available())  # each can be reverted
    assert migrate_up(client, database) == versions
    assert migrate_up(client, database) == []
    columns = _columns(client, database)
    assert {"batch_id", "sql_fingerprint"} <= set(columns)
    assert migrate_down(client, database, 2) == versions[:1:-1]
    assert "sql_fingerprint" not in _columns(client, database)
    assert applied(client, database) == [1, 2]
    assert migrate_up(client, database) == versions[2:]
    assert _columns(client, database) == columns


def test_sql_fingerprint_is_computed_at_insert(client: Client) -> None:
    database = "migrations_fingerprint"
    migrate_up(client, database)
    statements = [
        "SELECT C1 FROM T2115 WHERE C1 = 'A'",
        "SELECT C1 FROM T2115 WHERE C1 = 'B'",
        "SELECT C1 FROM T2116 WHERE C1 = 'A'",
        "SELECT C1 FROM T2115 WHERE C1 IN (1, 2, 3)",
        "",
    ]
    client.insert(
        f"{database}.log_entries",
        [["t", "j", i + 1, s] for i, s in enumerate(statements)],
        column_names=["tenant_id", "job_id", "line_number", "sql_statement"],
    )
    found = client.query(
        f"SELECT sql_statement, sql_fingerprint, normalizedQueryHashKeepNames(sql_statement) "
        f"FROM {database}.log_entries ORDER BY line_number"
    ).result_rows
    assert all(stored == computed for _, stored, computed in found)
    (codec,) = client.query(
        "SELECT compression_codec FROM system.columns WHERE database = {db:String} "
        "AND table = 'log_entries' AND name = 'sql_fingerprint'",
        parameters={"db": database},
    ).result_rows[0]
    assert codec == "CODEC(ZSTD(1))"  # a few hundred distinct values: ZSTD packs them
    hashes = [row[1] for row in found]
    assert hashes[0] == hashes[1]  # literals collapse
    assert hashes[0] != hashes[2]  # table names stay
    assert len(set(hashes)) == 4


def test_codecs_change_without_rewriting_and_keep_values(client: Client) -> None:
    database = "migrations_codecs"
    migrate_up(client, database, 6)
    before = _codecs(client, database)
    assert before["raw_text"] == "CODEC(ZSTD(3))"
    assert before["line_number"] == ""
    # rows stored under the old codecs, then more under the new: both read back unchanged
    # (Delta over values that go down as well as up, offsets past 4 GiB, negative durations)
    old = [["t", "j", 7, 2**33 + 5, -3, "old line"], ["t", "j", 2, 11, 900, "older line"]]
    columns = ["tenant_id", "job_id", "line_number", "byte_offset", "duration_ms", "raw_text"]
    client.insert(f"{database}.log_entries", old, column_names=columns)
    assert migrate_up(client, database, 7) == [7]
    after = _codecs(client, database)
    assert after["line_number"] == "CODEC(Delta(4), LZ4)"
    assert after["byte_offset"] == "CODEC(Delta(8), ZSTD(1))"
    assert after["raw_text"] == after["sql_statement"] == "CODEC(ZSTD(1))"
    mutations = client.query(
        "SELECT count() FROM system.mutations WHERE database = {db:String} "
        "AND command ILIKE '%CODEC%'",
        parameters={"db": database},
    ).result_rows[0][0]
    assert mutations == 0  # metadata only: existing parts are not rewritten
    new = [["t", "j", 5, 2**40, 2**40, "new line"], ["t", "j", 4_000_000_000, 0, -(2**40), ""]]
    client.insert(f"{database}.log_entries", new, column_names=columns)
    client.command(f"OPTIMIZE TABLE {database}.log_entries FINAL")  # a merge re-encodes all
    stored = client.query(
        f"SELECT {', '.join(columns)} FROM {database}.log_entries ORDER BY line_number"
    ).result_rows
    assert [list(row) for row in stored] == [old[1], new[0], old[0], new[1]]  # by line number
    assert migrate_down(client, database, 6) == [7]
    assert _codecs(client, database) == before


def _engine(client: Client, database: str) -> str:
    return str(
        client.query(
            "SELECT engine_full FROM system.tables WHERE database = {db:String} "
            "AND name = 'log_entries'",
            parameters={"db": database},
        ).result_rows[0][0]
    )


def test_finer_granules_keep_every_row_column_and_index_once(client: Client) -> None:
    database = "migrations_granules"
    migrate_up(client, database, 7)
    columns = ["tenant_id", "job_id", "line_number", "raw_text", "sql_statement", "batch_id"]
    rows = [
        ["t", "j", n, f"line {n}", f"SELECT C1 FROM T{n % 3} WHERE C1 = {n}", f"b{n % 2}"]
        for n in range(1, 2001)
    ]
    client.insert(f"{database}.log_entries", rows, column_names=columns)
    read = (
        f"SELECT {', '.join(columns)}, sql_fingerprint, ingested_at FROM {database}.log_entries "
        "ORDER BY line_number"
    )
    before = client.query(read).result_rows
    structure = (_columns(client, database), _codecs(client, database))
    assert "index_granularity_bytes" not in _engine(client, database)
    # what an interrupted earlier run may have left: a half-filled copy
    client.command(f"CREATE TABLE {database}.log_entries_regranulated AS {database}.log_entries")
    client.insert(f"{database}.log_entries_regranulated", rows[:5], column_names=columns)

    assert migrate_up(client, database, 8) == [8]
    assert "index_granularity_bytes = 1048576" in _engine(client, database)
    assert client.query(read).result_rows == before  # fingerprints and ingestion times too
    assert (_columns(client, database), _codecs(client, database)) == structure
    indexes = client.query(
        "SELECT name FROM system.data_skipping_indices WHERE database = {db:String} "
        "AND table = 'log_entries'",
        parameters={"db": database},
    ).result_rows
    assert indexes == [("idx_trace",)]
    tables = client.query(
        "SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name",
        parameters={"db": database},
    ).result_rows
    assert tables == [("log_entries",), ("log_gaps",), ("schema_migrations",)]

    assert migrate_down(client, database, 7) == [8]
    assert "index_granularity_bytes" not in _engine(client, database)
    assert client.query(read).result_rows == before


HEAD = "<FLTR> <TID: 0000000616> <RPC ID: 0000010355> <USER: José    > <Overlay-Group: 1 >"
BAD = HEAD.replace("José", "bad\udcff")  # a byte that is not UTF-8 in the user name
LINES = [
    f'{HEAD} /* Mon Nov 24 2025 14:00:00.0010 */ Checking "X" (500)\n{HEAD}    --> Passed',
    f"{HEAD} one line",
    f"{HEAD} x\n\x1e{HEAD} a line that starts with the mark",
    f"{BAD} a\n{BAD} b",
]


def test_packed_raw_lines_read_back_whole_before_and_after(client: Client) -> None:
    database = "migrations_packed"
    migrate_up(client, database, 8)
    table = f"{database}.log_entries"
    client.insert(
        table, [["t", "old", n, stored_utf8(text)] for n, text in enumerate(LINES, 1)],
        column_names=["tenant_id", "job_id", "line_number", "raw_text"],
    )  # fmt: skip
    assert migrate_up(client, database, 9) == [9]
    assert [name for name in _columns(client, database) if name.startswith("raw")] == [
        "raw_lines", "raw_head", "raw_text",
    ]  # fmt: skip
    assert ENTRY_SCHEMA.names[-2:] == ["raw_lines", "raw_head"]  # what the writer inserts
    packed = [pack(text) for text in LINES]
    assert [head > 0 for _, head in packed] == [True, False, False, True]
    client.insert(
        table, [["t", "new", n, stored_utf8(p), h] for n, (p, h) in enumerate(packed, 1)],
        column_names=["tenant_id", "job_id", "line_number", "raw_lines", "raw_head"],
    )  # fmt: skip
    read = f"SELECT raw_text FROM {table} WHERE job_id = {{j:String}} ORDER BY line_number"
    whole = [stored_utf8(text) for text in LINES]
    for job in ("old", "new"):
        assert [r[0] for r in client.query(read, parameters={"j": job}).result_rows] == whole
    mutations = client.query(
        "SELECT command FROM system.mutations WHERE database = {db:String}",
        parameters={"db": database},
    ).result_rows
    assert mutations == [("(RENAME COLUMN raw_text TO raw_lines)",)]  # files renamed, not rewritten

    assert migrate_down(client, database, 8) == [9]
    assert "raw_lines" not in _columns(client, database)
    for job in ("old", "new"):
        assert [r[0] for r in client.query(read, parameters={"j": job}).result_rows] == whole
    assert migrate_up(client, database, 9) == [9]


def test_merges_wait_for_ten_parts_and_back(client: Client) -> None:
    database = "migrations_merges"
    migrate_up(client, database, 9)
    assert "merge_selector_base" not in _engine(client, database)
    assert migrate_up(client, database, 10) == [10]
    assert "merge_selector_base = 10" in _engine(client, database)
    assert migrate_down(client, database, 9) == [10]
    assert "merge_selector_base" not in _engine(client, database)


def _rendered_rows() -> list[tuple[list[str], str]]:
    """``(header columns, lines)``: TrID and legacy layouts, a UTF-8 user, headers the columns do
    not print (a user longer than its padding, another spacing), a line holding a mark."""
    trid = ["API", "FiLqX9iuQpSMJLlSFz2HfQ:0002890", "0000000214", "0000000000", "Admin"]
    trid += ["390600", "Jürgen Müller", "1"]
    legacy = ["SQL", "", *trid[2:6], "Demo", "0"]
    long_user = [*trid[:6], "U" * 46, "1"]
    rows = []
    for values, trid_layout in ((trid, True), (legacy, False), (long_user, True)):
        head = render([*values[:6], "x", values[7]], trid=trid_layout)
        head = head.replace("<USER: x" + " " * 44, "<USER: " + values[6].ljust(45))  # as written
        lines = f"{head} /* Mon Nov 24 2025 14:00:00.0010 */ +GE start\n{head} /* … */ -GE OK"
        rows.append((values, lines))
    rows.append((trid, f"{ODD} /* t */ x\n{ODD} y"))
    rows.append((trid, f"{render(trid)} /* t */ holds \x1c"))
    return rows


ODD = "<API > <TID: 214> <USER: Demo>"


def test_rendered_first_headers_read_back_whole_and_down(client: Client) -> None:
    database = "migrations_rendered"
    migrate_up(client, database, 10)
    table = f"{database}.log_entries"
    rows = _rendered_rows()
    names = ["tenant_id", "job_id", "line_number", *HEADER_COLUMNS, "raw_lines", "raw_head"]

    def insert(job: str, *, render_headers: bool) -> list[str]:
        packed = [pack(text, values if render_headers else None) for values, text in rows]
        client.insert(
            table,
            [
                ["t", job, n, *values, p, h]
                for n, ((values, _), (p, h)) in enumerate(zip(rows, packed, strict=True), 1)
            ],
            column_names=names,
        )
        return [p[:1] for p, _ in packed]

    insert("before", render_headers=False)
    assert migrate_up(client, database) == [11]
    marks = insert("after", render_headers=True)
    assert marks == [REBUILT, REBUILT_LEGACY, "<", "<", "<"]
    read = f"SELECT raw_text FROM {table} WHERE job_id = {{j:String}} ORDER BY line_number"
    whole = [text for _, text in rows]
    for job in ("before", "after"):
        assert [r[0] for r in client.query(read, parameters={"j": job}).result_rows] == whole
    mutations = client.query(
        "SELECT command FROM system.mutations WHERE database = {db:String}",
        parameters={"db": database},
    ).result_rows
    assert mutations == [("(RENAME COLUMN raw_text TO raw_lines)",)]  # 0009's; 0011: metadata
    # a copy whose columns no longer print its header (the gateway bench's copies change the
    # TrID): Python renders it as the ALIAS does
    values, text = rows[0]
    copied = [*values[:1], values[1] + "-7", *values[2:]]
    packed, size = pack(text, values)
    client.insert(table, [["t", "copy", 1, *copied, packed, size]], column_names=names)
    both = client.query(
        f"SELECT raw_lines, raw_head, {', '.join(HEADER_COLUMNS)}, raw_text FROM {table} "
        "WHERE job_id IN ('after', 'copy')"
    ).result_rows
    for stored, head, *header, shown in both:
        assert unpack(stored, head, [str(v) for v in header]) == shown

    assert migrate_down(client, database, 10) == [11]
    assert "raw_header" not in _columns(client, database)
    stored = f"SELECT raw_lines FROM {table} WHERE job_id = 'after' ORDER BY line_number"
    assert all(r[0].startswith("<") for r in client.query(stored).result_rows)
    for job in ("before", "after"):
        assert [r[0] for r in client.query(read, parameters={"j": job}).result_rows] == whole
    assert migrate_up(client, database) == [11]
