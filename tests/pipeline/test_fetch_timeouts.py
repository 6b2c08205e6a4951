"""The services' batch consumers never drop messages they fetched when a fetch times out.

nats-py's batch ``fetch`` used to raise the builtin ``TimeoutError`` when its deadline ran out
between its two pull requests; FastStream's batch consumer (the writer's) catches only
``nats.errors.TimeoutError``, so the batch it was topping up was dropped and redelivered after
the ack wait — jobs stalled for 30 s now and then. ``create_broker`` installs the fix
(``remedyiq_platform.nats_compat``); this checks it against a real server, at the deadlines
where the race happens.
"""

from __future__ import annotations

import nats
import nats.errors
import pytest

from remedyiq_platform.messaging import create_broker

pytestmark = pytest.mark.slow


async def test_batch_fetch_timeouts_are_nats_timeouts(nats_url: str, nats_prefix: str) -> None:
    create_broker(nats_url, name="fetch-timeouts")  # what every service does first
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        stream = f"{nats_prefix}_FETCH"
        await js.add_stream(name=stream, subjects=[f"{nats_prefix}.>"])
        sub = await js.pull_subscribe(f"{nats_prefix}.>", durable="batch", stream=stream)
        others: list[BaseException] = []
        timeouts = 0
        for attempt in range(200):
            try:
                await sub.fetch(4, timeout=(0.0002, 0.0005, 0.001, 0.002, 0.005)[attempt % 5])
            except nats.errors.TimeoutError:
                timeouts += 1
            except TimeoutError as exc:  # the builtin one: FastStream would drop its batch
                others.append(exc)
        assert others == []
        assert timeouts > 150
        await js.delete_stream(stream)
    finally:
        await nc.close()
