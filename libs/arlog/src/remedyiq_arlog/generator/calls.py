"""One complete API call (begin line, body, end line), including nested SGE = SE + GE."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from . import api_calls as body
from .catalog import Form
from .config import AnomalyKind as K
from .ids import Session
from .sqltext import SqlText
from .worker import Worker
from .world import Event

FUNCTIONS: Final = {
    "CE": "ARCreateEntry",
    "DE": "ARDeleteEntry",
    "EXEC": "ARExecuteProcess",
    "EXP": "ARExport",
    "GE": "ARGetEntry",
    "GLE": "ARGetListEntry",
    "GLEWF": "ARGetListEntryWithFields",
    "GLS": "ARGetListSchema",
    "GME": "ARGetMultipleEntries",
    "GS": "ARGetSchema",
    "GSF": "ARGetField",
    "GSI": "ARGetServerInfo",
    "ME": "ARMergeEntry",
    "SE": "ARSetEntry",
    "SGE": "ARSetGetEntry",
    "VER": "ARVerifyUser",
}
#: Calls whose begin line names no form.
NO_FORM: Final = frozenset({"EXEC", "EXP", "GLS", "GSI", "VER"})
#: Calls on an existing entry (``entryId`` on the begin line).
ON_ENTRY: Final = frozenset({"GE", "SE", "DE", "SGE"})


def _body(w: Worker, sql: SqlText, abbr: str, form: Form, *, eid: str, gaps_ok: bool) -> body.Body:
    if abbr in ("GLEWF", "GLE"):
        return body.list_entries(w, sql, form)
    if abbr == "GE":
        return body.get_entry(w, sql, form, eid, may_fail=True)
    if abbr == "SE":
        return body.set_entry(w, sql, form, eid, gaps_ok)
    if abbr in ("CE", "ME"):
        return body.create_entry(w, sql, form, "CREATE" if abbr == "CE" else "MERGE", gaps_ok)
    if abbr == "DE":
        return body.delete_entry(w, sql, form, eid)
    if abbr == "VER":
        return body.verify_user(w, sql)
    if abbr == "GLS":
        return _sql_only(w, [sql.list_schema()])
    if abbr == "GME":
        n = 1 + int(w.world.rng.random() * 3)
        ids = [w.world.entries.existing(form.schema_id) for _ in range(n)]
        return _sql_only(w, [sql.get_entry(form, i) for i in ids])
    if abbr == "EXP":
        return _sql_only(w, [sql.list_schema(), sql.get_entry(form, eid or "000000000000001")])
    if abbr == "EXEC":
        return body.pause(w, 2_000, 60_000)
    return body.pause(w, 100, 2_000)  # GS, GSF, GSI: served from the cache


def _sql_only(w: Worker, statements: list[str]) -> body.Body:
    for text in statements:
        yield from body.simple_sql(w, text)
    return None


def api_call(
    w: Worker, sql: SqlText, abbr: str, session: Session, gaps_ok: bool
) -> Iterator[Event]:
    """Allocate RPC ID and TrID (now, in file order), then write the whole call."""
    world = w.world
    rng = world.rng
    w.set_context(session.next_trid(), world.rpc(), session.user)
    form = world.busy_forms[int(rng.random() * len(world.busy_forms))]
    eid = world.entries.existing(form.schema_id) if abbr in ON_ENTRY else ""
    origin = (
        f"from {session.client} (protocol {world.protocol}) at IP address {session.ip} using RPC "
    )
    q_ms = 200 + int(rng.random() * 3_800) if w.hit(K.QUEUED_CALLS) else 0
    if abbr == "SGE":
        yield from _set_get(w, sql, form, eid=eid, origin=origin, q_ms=q_ms, gaps_ok=gaps_ok)
        return
    detail = origin
    if abbr not in NO_FORM:
        entry = f"entryId {eid} " if eid else ""
        detail = f"schema {form.name} {entry}{origin}"
    yield w.t, w.api_begin(abbr, FUNCTIONS[abbr], detail, q_ms)
    if w.hit(K.MALFORMED_LINES):
        w.t += int(rng.random() * 300)
        yield w.t, w.malformed(int(rng.random() * 1000))
    error = yield from _body(w, sql, abbr, form, eid=eid, gaps_ok=gaps_ok)
    w.t += 30 + int(rng.random() * 400)
    yield w.t, w.api_end(abbr, error)


def _set_get(
    w: Worker, sql: SqlText, form: Form, *, eid: str, origin: str, q_ms: int, gaps_ok: bool
) -> Iterator[Event]:
    """9.x logs ARSetGetEntry as a SET followed by a GET, both nested in the SGE call; the
    inner GE line carries no form."""
    rng = w.world.rng
    yield (
        w.t,
        w.api_begin("SGE", FUNCTIONS["SGE"], f"schema {form.name} entryId {eid} {origin}", q_ms),
    )
    w.t += 20 + int(rng.random() * 200)
    yield w.t, w.api_begin("SE", FUNCTIONS["SE"], f"schema {form.name} entryId {eid} {origin}")
    error = yield from body.set_entry(w, sql, form, eid, gaps_ok)
    w.t += 30 + int(rng.random() * 300)
    yield w.t, w.api_end("SE", error)
    if error is None:
        w.t += 20 + int(rng.random() * 200)
        yield w.t, w.api_begin("GE", FUNCTIONS["GE"], origin)
        yield from body.get_entry(w, sql, form, eid, may_fail=False)
        w.t += 30 + int(rng.random() * 300)
        yield w.t, w.api_end("GE")
    w.t += 20 + int(rng.random() * 200)
    yield w.t, w.api_end("SGE", error)
