"""Free text uses the word index: what the KQL compiler emits for bare words and ``raw:`` is what
the text index of migration 0006 answers, so ClickHouse reads only the granules a word is in —
and the results are exactly the rows whose raw lines hold the word, in any case."""

from __future__ import annotations

from pathlib import Path

import clickhouse_connect
import pytest
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.migrate import migrate_up
from remedyiq_query import compile_query

ROWS = 100_000  # 12+ granules of 8192 rows


@pytest.fixture(scope="module")
def client(chdb_dir: Path) -> Client:
    client = clickhouse_connect.get_client(dsn=f"chdb://{chdb_dir}")  # one engine per process
    client.command("DROP DATABASE IF EXISTS words")
    migrate_up(client, "words")
    client.command(
        "INSERT INTO words.log_entries (tenant_id, job_id, line_number, timestamp, log_type, "
        "raw_text) SELECT 't', 'j', number + 1, toDateTime64('2024-01-01', 3) + number, 'API', "
        "concat('<API > call ', toString(number), multiIf(number = 7, ' ARERR[302] Timeout', "
        "number = 8, ' arerr 302', number = 9, ' XARERRX', ''))"
        f" FROM numbers({ROWS})"
    )
    client.command("OPTIMIZE TABLE words.log_entries FINAL")
    return client


def _lines(client: Client, kql: str) -> list[int]:
    compiled = compile_query(kql)
    rows = client.query(
        f"SELECT line_number FROM words.log_entries WHERE {compiled.where} ORDER BY 1",
        parameters=compiled.params,
    ).result_rows
    return [int(r[0]) for r in rows]


def _granules(client: Client, kql: str) -> tuple[int, int]:
    compiled = compile_query(kql)
    plan = [
        str(r[0]).strip()
        for r in client.query(
            f"EXPLAIN indexes = 1 SELECT line_number FROM words.log_entries WHERE {compiled.where}",
            parameters=compiled.params,
        ).result_rows
    ]
    at = plan.index("Name: idx_words")
    granules = next(line for line in plan[at:] if line.startswith("Granules: "))
    read, total = granules.removeprefix("Granules: ").split("/")
    return int(read), int(total)


@pytest.mark.parametrize(
    ("kql", "lines"),
    [
        ("ARERR", [8, 9]),
        ("arerr", [8, 9]),
        ("raw:ARERR and 302", [8, 9]),
        ('"ARERR[302]"', [8]),
        ('"arerr 302"', [9]),
        ("timeout", [8]),
        ("*ARERR*", [8, 9, 10]),  # a substring: inside XARERRX too
        ("nosuchword", []),
    ],
)
def test_words_match_whole_words_in_any_case(client: Client, kql: str, lines: list[int]) -> None:
    assert _lines(client, kql) == lines


@pytest.mark.parametrize("kql", ["ARERR", "raw:timeout", '"ARERR 302"', "nosuchword"])
def test_a_word_reads_only_the_granules_it_may_be_in(client: Client, kql: str) -> None:
    read, total = _granules(client, kql)
    assert total >= 12
    assert read <= 1  # the granule the word is in, if any
