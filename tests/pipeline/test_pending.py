"""The writer's waiting batches: stored as one group when they hold enough rows or when the
oldest has waited long enough, in arrival order, never twice; at shutdown at once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import cast

import pytest
from nats.aio.msg import Msg

from remedyiq_platform.contracts.messages import EntryBatchHeaders
from remedyiq_writer.entries import Batch
from remedyiq_writer.pending import Pending

TENANT = uuid.uuid4()


def _batch(name: str, rows: int, *, final: bool = False) -> Batch:
    headers = EntryBatchHeaders(
        job_id=uuid.uuid4(),
        tenant_id=TENANT,
        batch_id=name,
        table="log_entries",
        rows=rows,
        final=final,
    )
    return Batch(raw=cast(Msg, None), tenant=str(TENANT), headers=headers)


class Recorder:
    def __init__(self, fail: int = 0) -> None:
        self.groups: list[list[str]] = []
        self.fail = fail

    async def __call__(self, batches: list[Batch]) -> None:
        await asyncio.sleep(0.01)  # an insert takes a while; others may arrive meanwhile
        if self.fail:
            self.fail -= 1
            raise RuntimeError("ClickHouse is away")
        self.groups.append([batch.headers.batch_id for batch in batches])


async def test_a_full_group_is_stored_before_add_returns_and_the_rest_waits() -> None:
    stored = Recorder()
    pending = Pending(stored, flush_rows=50, flush_s=30)
    await pending.add([_batch("a", 20), _batch("b", 20)])
    assert stored.groups == []
    await pending.add([_batch("c", 10), _batch("d", 5)])  # a, b, c make 50: d waits
    assert stored.groups == [["a", "b", "c"]]
    await pending.add([_batch("e", 44)])
    await pending.add([])
    assert stored.groups == [["a", "b", "c"]]
    await pending.add([_batch("f", 1)])
    assert stored.groups == [["a", "b", "c"], ["d", "e", "f"]]


async def test_a_large_pull_makes_inserts_of_about_flush_rows_each() -> None:
    """A writer catching up pulls many batches at once: they are stored flush_rows at a time
    (the engine holds a whole insert in memory), and the rest waits for its timer."""
    stored = Recorder()
    pending = Pending(stored, flush_rows=40, flush_s=0.1)
    await pending.add([_batch(str(i), 20) for i in range(7)])
    assert stored.groups == [["0", "1"], ["2", "3"], ["4", "5"]]
    await asyncio.sleep(0.2)
    assert stored.groups == [["0", "1"], ["2", "3"], ["4", "5"], ["6"]]


async def test_a_trickle_is_stored_after_the_wait_once() -> None:
    stored = Recorder()
    pending = Pending(stored, flush_rows=1000, flush_s=0.2)
    await pending.add([_batch("a", 1)])
    await asyncio.sleep(0.1)
    await pending.add([_batch("b", 1)])  # joins a's group: the wait counts from the oldest
    assert stored.groups == []
    await asyncio.sleep(0.25)
    assert stored.groups == [["a", "b"]]
    await pending.add([_batch("c", 1000)])  # full at once; no timer stores it again
    await asyncio.sleep(0.3)
    assert stored.groups == [["a", "b"], ["c"]]


async def test_the_timer_of_a_group_stored_when_full_stores_nothing() -> None:
    stored = Recorder()
    pending = Pending(stored, flush_rows=10, flush_s=0.15)
    await pending.add([_batch("a", 5)])  # starts the timer
    await pending.add([_batch("b", 5)])  # full: stored now
    await asyncio.sleep(0.1)
    await pending.add([_batch("c", 1)])  # a new group; a's timer must not store it early
    await asyncio.sleep(0.07)
    assert stored.groups == [["a", "b"]]
    await asyncio.sleep(0.2)
    assert stored.groups == [["a", "b"], ["c"]]


async def test_a_jobs_final_batch_stores_what_waits_at_once() -> None:
    stored = Recorder()
    pending = Pending(stored, flush_rows=1000, flush_s=30)
    await pending.add([_batch("a", 1)])
    await pending.add([_batch("join.0", 1), _batch("gaps.0", 0, final=True)])
    assert stored.groups == [["a", "join.0", "gaps.0"]]


async def test_a_final_batch_after_a_backlog_stores_full_groups_then_the_rest() -> None:
    stored = Recorder()
    pending = Pending(stored, flush_rows=40, flush_s=30)
    await pending.add([_batch(str(i), 20) for i in range(5)] + [_batch("gaps.0", 0, final=True)])
    assert stored.groups == [["0", "1"], ["2", "3"], ["4", "gaps.0"]]


async def test_drain_stores_what_waits_and_then_every_arrival_at_once() -> None:
    stored = Recorder()
    pending = Pending(stored, flush_rows=1000, flush_s=30)
    await pending.add([_batch("a", 1), _batch("b", 1)])
    await pending.drain()
    assert stored.groups == [["a", "b"]]
    await pending.add([_batch("c", 1)])
    assert stored.groups == [["a", "b"], ["c"]]


async def test_a_failed_timed_store_is_logged_and_the_next_group_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stored = Recorder(fail=1)
    pending = Pending(stored, flush_rows=1000, flush_s=0.05)
    with caplog.at_level(logging.ERROR, logger="remedyiq_writer.pending"):
        await pending.add([_batch("a", 1)])
        await asyncio.sleep(0.15)
    assert "could not be stored" in caplog.text
    assert stored.groups == []
    await pending.add([_batch("b", 1000)])
    assert stored.groups == [["b"]]


async def test_batches_arriving_during_an_insert_join_the_next_group_in_order() -> None:
    stored = Recorder()
    pending = Pending(stored, flush_rows=2, flush_s=30)
    await asyncio.gather(*(pending.add([_batch(str(i), 1)]) for i in range(5)))
    # "0" and "1" fill the first group; 2-4 arrive while it is stored, and the next full
    # group takes the oldest of them; "4" waits for more
    assert stored.groups == [["0", "1"], ["2", "3"]]
    await pending.drain()
    assert stored.groups == [["0", "1"], ["2", "3"], ["4"]]
