"""A fix for how nats-py and FastStream disagree on what a pull fetch's timeout raises.

nats-py (2.16) ``PullSubscription.fetch(batch > 1)`` raises the builtin ``TimeoutError``
(``asyncio.TimeoutError``) when its deadline runs out between its two pull requests, and
``nats.errors.TimeoutError`` everywhere else. FastStream's batch consumer (0.7, used by the
writer) catches only ``nats.errors.TimeoutError`` while it tops up a batch: the builtin one ends
its consume task, the messages it had already fetched are dropped without a nak, and JetStream
delivers them again only after the consumer's ack wait — a job stalls for ``ack_wait`` seconds
now and then (more often on a busy machine). :func:`fetch_timeouts_as_nats_errors` makes every
fetch timeout a ``nats.errors.TimeoutError`` (a subclass of the builtin, so other callers see
no difference). Remove it once FastStream catches both.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import nats.errors
from nats.aio.msg import Msg
from nats.js.client import JetStreamContext

Fetch = Callable[..., Awaitable[list[Msg]]]
_MARK = "_remedyiq_timeouts_as_nats_errors"


def fetch_timeouts_as_nats_errors() -> None:
    """Wrap ``PullSubscription.fetch`` once per process (idempotent)."""
    pull = JetStreamContext.PullSubscription
    original: Fetch = pull.fetch
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    async def fetch(self: Any, *args: Any, **kwargs: Any) -> list[Msg]:
        try:
            return await original(self, *args, **kwargs)
        except nats.errors.TimeoutError:
            raise
        except TimeoutError as exc:
            raise nats.errors.TimeoutError from exc

    setattr(fetch, _MARK, True)
    pull.fetch = fetch  # type: ignore[method-assign]
