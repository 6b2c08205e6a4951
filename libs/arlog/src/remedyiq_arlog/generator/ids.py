"""Identifiers: TrIDs, client sessions, RPC IDs, request (entry) IDs."""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass

from .catalog import ASCII_USERS, CLIENTS, INVALID_BYTES_USER, UNICODE_USERS


def trid_prefix(rng: random.Random) -> str:
    """22-char unpadded URL-safe base64 of random UUIDv4 bytes (last char ∈ A, Q, g, w)."""
    raw = bytearray(rng.getrandbits(128).to_bytes(16, "big"))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return base64.urlsafe_b64encode(bytes(raw)).decode("ascii")[:22]


def entry_id(n: int) -> str:
    return f"{n:015d}"


@dataclass(slots=True)
class Session:
    """One client connection: a user, a client program at an address, one TrID prefix."""

    user: str
    client: str
    ip: str
    prefix: str
    counter: int

    def next_trid(self) -> str:
        self.counter += 1
        return f"{self.prefix}:{self.counter:07d}"


class Sessions:
    """A bounded, slowly changing population of client sessions (memory stays flat)."""

    __slots__ = (
        "_invalid_every",
        "_rng",
        "_sessions",
        "_unicode",
        "_until_invalid",
        "invalid_picks",
    )

    def __init__(self, rng: random.Random, *, unicode: bool, invalid_every: int = 0) -> None:
        self._rng = rng
        self._unicode = unicode
        self._invalid_every = invalid_every
        self._until_invalid = rng.randint(3, 8) if invalid_every else 0
        self._sessions = [self._new() for _ in range(24)]
        self.invalid_picks = 0

    def _new(self, user: str | None = None, client: str | None = None) -> Session:
        rng = self._rng
        if user is None:
            pool = UNICODE_USERS if self._unicode and rng.random() < 0.15 else ASCII_USERS
            user = pool[int(rng.random() * len(pool))]
        return Session(
            user=user,
            client=client or CLIENTS[int(rng.random() * len(CLIENTS))],
            ip=f"10.{rng.randint(1, 60)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}",
            prefix=trid_prefix(rng),
            counter=rng.randint(0, 4000),
        )

    def pick(self) -> Session:
        """A session for the next user call (now and then one of the invalid-bytes user)."""
        rng = self._rng
        if self._invalid_every:
            self._until_invalid -= 1
            if self._until_invalid <= 0:
                self._until_invalid = rng.randint(self._invalid_every // 2, self._invalid_every)
                self.invalid_picks += 1
                return self._new(user=INVALID_BYTES_USER, client="Mid-tier")
        if rng.random() < 0.02:  # users log off, others log on
            self._sessions[int(rng.random() * len(self._sessions))] = self._new()
        return self._sessions[int(rng.random() * len(self._sessions))]

    def fixed(self, user: str, client: str) -> Session:
        """A dedicated session (service accounts, admin tools, escalation pools)."""
        return self._new(user=user, client=client)


class EntryIds:
    """Per-form request-ID counters: creates take the next one, reads/updates pick older ones."""

    __slots__ = ("_next", "_rng")

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._next: dict[int, int] = {}

    def _counter(self, schema_id: int) -> int:
        n = self._next.get(schema_id)
        if n is None:
            n = self._rng.randint(20_000, 160_000)
            self._next[schema_id] = n
        return n

    def create(self, schema_id: int) -> str:
        n = self._counter(schema_id) + 1
        self._next[schema_id] = n
        return entry_id(n)

    def existing(self, schema_id: int) -> str:
        top = self._counter(schema_id)
        return entry_id(top - int(self._rng.random() * min(top - 1, 50_000)))
