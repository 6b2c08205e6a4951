"""State shared by all simulated server threads of one generation run."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from .anomalies import AnomalyPlan
from .catalog import ASCII_FORMS, BUSY_FORM_NAMES, FREE_TEXT_FORM_NAMES, UNICODE_FORMS, Form
from .clock import Clock, FreezeSchedule
from .config import AnomalyKind, GeneratorConfig
from .ids import EntryIds, Sessions
from .timefmt import TimestampFormatter
from .truth import Tally

#: Timeline event of a thread script: (nominal time in µs, text). Text is one or more complete
#: lines, or "" for a wake-up marker (the script wants to run again at that time, writes nothing).
Event = tuple[int, str]


@dataclass(slots=True)
class World:
    config: GeneratorConfig
    rng: random.Random
    clock: Clock
    plan: AnomalyPlan
    tally: Tally
    sessions: Sessions
    entries: EntryIds
    forms: tuple[Form, ...]
    busy_forms: tuple[Form, ...]
    free_text_forms: tuple[Form, ...]
    start_us: int
    nl: str
    oracle: bool
    iso: bool
    trid: bool
    untimed_actions: bool
    protocol: int
    next_rpc: int
    stopping: bool = False

    def rpc(self) -> int:
        """Server-wide RPC ID counter; allocated when a call starts, so IDs rise in the file."""
        self.next_rpc += 1
        return self.next_rpc

    def stop_requested(self) -> bool:
        """Checked by thread scripts between calls (a method: the flag changes under them)."""
        return self.stopping

    def has(self, kind: AnomalyKind) -> bool:
        return kind in self.plan.enabled

    def form(self, name: str) -> Form:
        for f in self.forms:
            if f.name == name:
                return f
        raise KeyError(name)


def build_world(config: GeneratorConfig) -> World:
    rng = random.Random(f"{config.seed}/main")
    start_us = _epoch_us(config)
    fmt = TimestampFormatter(config.timestamps, config.locale)
    freezes = FreezeSchedule(config.seed, start_us) if config.has(AnomalyKind.LINE_GAPS) else None
    unicode = config.has(AnomalyKind.NON_ASCII)
    forms = ASCII_FORMS + (UNICODE_FORMS if unicode else ())
    by_name = {f.name: f for f in forms}
    busy = tuple(by_name[n] for n in BUSY_FORM_NAMES) + (UNICODE_FORMS if unicode else ())
    invalid_every = 1500 if config.has(AnomalyKind.INVALID_BYTES) else 0
    return World(
        config=config,
        rng=rng,
        clock=Clock(fmt, freezes),
        plan=AnomalyPlan(config.anomalies, random.Random(f"{config.seed}/anomalies")),
        tally=Tally(),
        sessions=Sessions(
            random.Random(f"{config.seed}/sessions"), unicode=unicode, invalid_every=invalid_every
        ),
        entries=EntryIds(random.Random(f"{config.seed}/entries")),
        forms=forms,
        busy_forms=busy,
        free_text_forms=tuple(by_name[n] for n in FREE_TEXT_FORM_NAMES),
        start_us=start_us,
        nl="\r\n" if config.line_ending == "crlf" else "\n",
        oracle=config.db == "oracle",
        iso=config.timestamps == "iso",
        trid=config.log_format == "trid",
        untimed_actions=config.has(AnomalyKind.UNTIMED_FILTER_ACTIONS),
        protocol=config.protocol,
        next_rpc=rng.randint(9_000, 20_000),
    )


def _epoch_us(config: GeneratorConfig) -> int:
    """``config.start`` (naive, read as UTC) in epoch microseconds, without float rounding."""
    delta = config.start.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
