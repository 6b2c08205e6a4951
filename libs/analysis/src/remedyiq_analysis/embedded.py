"""The embedded ClickHouse engine (chDB), opened the way RemedyIQ's processes use it.

chDB allocates with its own jemalloc, configured to hand freed memory back to the kernel after
5 s (``dirty_decay_ms:5000``, ``muzzy_decay_ms:0``). A writer's inserts come seconds apart while
parsers publish batches, each allocating and freeing a few hundred MB, so by the next insert much
of that memory has gone back and the kernel must zero every page again when it is touched (page
faults are a sixth of a writer's CPU on this machine's VMs). :data:`RETAIN_FREED_MS` keeps freed
memory for the allocator's reuse for 30 s instead: with 1.5 s between 120k-row inserts, the page
faults per insert go from ~50k to ~21k (the level of back-to-back inserts); an idle process
still gives the memory back half a minute later. The peak is unchanged (the inserts' own size).

jemalloc reads its options once, when the engine's library is loaded, from ``JE_MALLOC_CONF``
(chDB's jemalloc carries the ``je_`` prefix): :func:`open_embedded` sets it unless the operator
already has, so it must be what first loads chDB in a process.
"""

from __future__ import annotations

import os
import sys
from typing import Final

import clickhouse_connect
from clickhouse_connect.driver.client import Client

ALLOCATOR_ENV: Final = "JE_MALLOC_CONF"
RETAIN_FREED_MS: Final = 30_000
SCHEME: Final = "chdb://"


def open_embedded(dsn: str) -> Client:
    """A client of the embedded engine at ``dsn`` (``chdb:///path``), its allocator set to keep
    freed memory :data:`RETAIN_FREED_MS` (unless ``JE_MALLOC_CONF`` says otherwise)."""
    if not dsn.startswith(SCHEME):
        raise ValueError(f"not an embedded engine's DSN: {dsn!r}")
    if "chdb" not in sys.modules:  # read once, when the engine loads
        os.environ.setdefault(ALLOCATOR_ENV, f"dirty_decay_ms:{RETAIN_FREED_MS}")
    return clickhouse_connect.get_client(dsn=dsn)
