"""API call bodies: the SQL and filter lines between ``+ABBR`` and ``-ABBR``.

Each body returns ``None`` (the call ends ``OK``) or the ``(ARERR number, message)`` it fails with.
"""

from __future__ import annotations

from collections.abc import Generator

from .catalog import (
    API_ERRORS_READ,
    API_ERRORS_WRITE,
    AR_ERROR_SQL,
    SQL_ERRORS,
    WORKLOG_CONTINUATIONS,
    WORKLOG_TEXTS,
    Form,
)
from .config import AnomalyKind as K
from .filters import FilterRun, phase
from .sqltext import SqlText
from .worker import Worker
from .world import Event

Body = Generator[Event, None, tuple[int, str] | None]

SQL_TIMEOUT = {
    "mssql": "*** ERROR ***  [Microsoft][ODBC Driver 17 for SQL Server]Query timeout expired",
    "oracle": "*** ERROR ***  ORA-01013: user requested cancel of current operation",
}
AR_ERROR_TIMEOUT = API_ERRORS_READ[1]


def sql_time(w: Worker, slow: bool = False) -> int:
    """Duration of one statement in µs: mostly sub-millisecond, a long tail, or seconds."""
    rng = w.world.rng
    if slow:
        return 2_000_000 + int(rng.random() * 10_000_000)
    r = rng.random()
    return 150 + int(r * r * r * 40_000)


def simple_sql(w: Worker, text: str, slow: bool = False) -> Generator[Event, None, None]:
    w.t += 30 + int(w.world.rng.random() * 400)
    yield w.t, w.sql_stmt(text)
    w.t += sql_time(w, slow)
    yield w.t, w.sql_close()


def _sql_error(w: Worker, form: Form) -> str:
    errors = SQL_ERRORS["oracle" if w.world.oracle else "mssql"]
    text = errors[int(w.world.rng.random() * len(errors))]
    return text.replace("{T}", f"T{form.schema_id}").replace("{ID}", str(form.schema_id))


def get_entry(w: Worker, sql: SqlText, form: Form, eid: str, may_fail: bool) -> Body:
    world = w.world
    slow = w.hit(K.SLOW_CALLS)
    yield from simple_sql(w, sql.get_entry(form, eid), slow)
    if may_fail and w.hit(K.API_ERRORS):
        return API_ERRORS_READ[0]  # the SELECT found no row
    if form.has_history and world.rng.random() < 0.5:
        yield from simple_sql(w, sql.history(form, eid))
    if form.has_attachments and world.rng.random() < 0.3:
        yield from simple_sql(w, sql.attachments(form, eid))
    if world.rng.random() < 0.2:
        run = FilterRun(sql, budget=6, gaps_ok=False)
        yield from phase(w, run, 1, "GET", form, eid=eid, level=0, share=0.25)
    return None


def list_entries(w: Worker, sql: SqlText, form: Form) -> Body:
    world = w.world
    rng = world.rng
    slow = w.hit(K.SLOW_CALLS)
    where = sql.qualification(form, slow)
    if rng.random() < 0.4:
        yield from simple_sql(w, sql.count(form, where))
    first = 1 if rng.random() < 0.7 else 1 + 50 * int(1 + rng.random() * 5)
    w.t += 30 + int(rng.random() * 300)
    yield w.t, w.sql_stmt(sql.page(form, where, first, first + 50))
    w.t += sql_time(w, slow)
    if w.hit(K.SQL_ERRORS):
        yield w.t, w.sql_close(SQL_TIMEOUT["oracle" if world.oracle else "mssql"])
        return AR_ERROR_TIMEOUT
    yield w.t, w.sql_close()
    return None


def _write_error(w: Worker) -> tuple[int, str] | None:
    if w.hit(K.API_ERRORS):
        return API_ERRORS_WRITE[int(w.world.rng.random() * len(API_ERRORS_WRITE))]
    return None


def _failing_statement(w: Worker, form: Form) -> Generator[Event, None, tuple[int, str]]:
    w.t += sql_time(w)
    yield w.t, w.sql_close(_sql_error(w, form))
    w.t += 100 + int(w.world.rng.random() * 900)
    yield w.t, w.sql("ROLLBACK TRANSACTION")
    return AR_ERROR_SQL


def create_entry(w: Worker, sql: SqlText, form: Form, op: str, gaps_ok: bool) -> Body:
    """CE / ME: phase 1, next id, INSERT T (+H) in a transaction, phase 2."""
    world = w.world
    rng = world.rng
    run = FilterRun(sql, budget=40 + int(rng.random() * 30), gaps_ok=gaps_ok)
    error = _write_error(w)
    yield from phase(w, run, 1, op, form, eid="", level=0, share=0.5, fail_with=error)
    if error is not None:
        return error
    for text in sql.next_id(form):
        yield from simple_sql(w, text)
    eid = world.entries.create(form.schema_id)
    now_s = world.clock.real(w.t) // 1_000_000
    w.t += 50 + int(rng.random() * 300)
    yield w.t, w.sql("BEGIN TRANSACTION")
    text, extra = _insert_text(w, form)
    w.t += 30 + int(rng.random() * 200)
    yield w.t, w.sql_stmt(sql.insert(form, eid, w.user, now_s, text), extra)
    if w.hit(K.SQL_ERRORS):
        return (yield from _failing_statement(w, form))
    w.t += sql_time(w, w.hit(K.SLOW_CALLS))
    yield w.t, w.sql_close()
    if form.has_history:
        yield from simple_sql(w, sql.insert_history(form, eid, w.user, now_s))
    w.t += 50 + int(rng.random() * 500)
    yield w.t, w.sql("COMMIT TRANSACTION")
    yield from phase(w, run, 2, op, form, eid=eid, level=0, share=0.35)
    return None


def _insert_text(w: Worker, form: Form) -> tuple[str, int]:
    """Description literal; work logs sometimes carry newlines (headerless continuation lines)."""
    rng = w.world.rng
    text = WORKLOG_TEXTS[int(rng.random() * len(WORKLOG_TEXTS))]
    if form in w.world.free_text_forms and w.hit(K.MULTILINE_SQL):
        extra = 1 + int(rng.random() * 2)
        tail = [WORKLOG_CONTINUATIONS[(i + int(rng.random() * 4)) % 4] for i in range(extra)]
        return w.nl.join([text, *tail]), extra
    return text, 0


def set_entry(w: Worker, sql: SqlText, form: Form, eid: str, gaps_ok: bool) -> Body:
    """SE: read the entry, phase 1, UPDATE T (+H) in a transaction, phase 2."""
    world = w.world
    rng = world.rng
    run = FilterRun(sql, budget=40 + int(rng.random() * 30), gaps_ok=gaps_ok)
    yield from simple_sql(w, sql.get_entry(form, eid))
    error = _write_error(w)
    yield from phase(w, run, 1, "SET", form, eid=eid, level=0, share=0.5, fail_with=error)
    if error is not None:
        return error
    now_s = world.clock.real(w.t) // 1_000_000
    status = int(rng.random() * 6)
    w.t += 50 + int(rng.random() * 300)
    yield w.t, w.sql("BEGIN TRANSACTION")
    w.t += 30 + int(rng.random() * 200)
    yield w.t, w.sql_stmt(sql.update(form, eid, w.user, now_s, status))
    if w.hit(K.SQL_ERRORS):
        return (yield from _failing_statement(w, form))
    w.t += sql_time(w, w.hit(K.SLOW_CALLS))  # slow: waits for a row lock
    yield w.t, w.sql_close()
    if form.has_history and rng.random() < 0.6:
        yield from simple_sql(w, sql.update_history(form, eid, w.user, now_s, status))
    w.t += 50 + int(rng.random() * 500)
    yield w.t, w.sql("COMMIT TRANSACTION")
    yield from phase(w, run, 2, "SET", form, eid=eid, level=0, share=0.35)
    return None


def delete_entry(w: Worker, sql: SqlText, form: Form, eid: str) -> Body:
    rng = w.world.rng
    run = FilterRun(sql, budget=12, gaps_ok=False)
    yield from simple_sql(w, sql.get_entry(form, eid))
    yield from phase(w, run, 1, "DELETE", form, eid=eid, level=0, share=0.3)
    w.t += 50 + int(rng.random() * 300)
    yield w.t, w.sql("BEGIN TRANSACTION")
    for text in sql.deletes(form, eid):
        yield from simple_sql(w, text)
    w.t += 50 + int(rng.random() * 300)
    yield w.t, w.sql("COMMIT TRANSACTION")
    yield from phase(w, run, 2, "DELETE", form, eid=eid, level=0, share=0.2)
    return None


def verify_user(w: Worker, sql: SqlText) -> Body:
    yield from simple_sql(w, sql.verify_user(w.user))
    if w.hit(K.API_ERRORS):
        return (623, "Authentication failed")
    return None


def pause(w: Worker, lo_us: int, hi_us: int) -> Body:
    """Calls served from the server cache (GS, GSF, GSI, EXEC): time passes, no SQL."""
    w.t += lo_us + int(w.world.rng.random() * (hi_us - lo_us))
    yield from ()
    return None
