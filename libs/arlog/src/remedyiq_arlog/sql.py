"""SQL statements joined with the record that closes them (arlog-format §a.4).

One open statement per thread. ``OK``/``CLOSE``/``EXEC`` close it successfully; ``***``,
``ROLLBACK`` and ``ARException`` lines close it as failed; a new statement while one is open closes
the open one at the new statement's time (as the reference does, counted as a success); other
records (``BEGIN TRANSACTION``, ``SET``…) belong to no statement.

Across byte ranges: until a thread's first statement or close record in a range, the range cannot
know whether an earlier range left a statement open on it; that first record is the thread's
*head* and is resolved when ranges are joined. After it, the thread's state is the range's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from remedyiq_arlog.phrases import SQL_FAIL_WORD, SQL_OK_WORD, SQL_START_WORD, sql_word_class
from remedyiq_arlog.records import Record
from remedyiq_arlog.rows import Row, entry
from remedyiq_arlog.schema import ERROR_MESSAGE_LIMIT, Kind, LogType
from remedyiq_arlog.sqltables import sql_action, sql_tables


def _statement(rec: Record) -> tuple[str, str, str]:
    """(statement, tables, action) of a statement record."""
    statement = rec.details.strip()
    return statement, sql_tables(statement), sql_action(statement)


def closed_row(stmt: Record, close: Record) -> Row:
    """A statement closed by an OK/error record."""
    statement, tables, action = _statement(stmt)
    failed = sql_word_class(close.details) == SQL_FAIL_WORD
    duration = close.ts - stmt.ts if close.ts is not None and stmt.ts is not None else 0
    return entry(
        stmt,
        LogType.SQL,
        Kind.STATEMENT,
        end_line=close.end_line,
        records=2,
        lines=stmt.lines + close.lines,
        raw=f"{stmt.raw}\n{close.raw}",
        duration_ms=duration,
        success=not failed,
        error_message=close.details.strip()[:ERROR_MESSAGE_LIMIT] if failed else "",
        sql_statement=statement,
        sql_table=tables,
        sql_action=action,
    )


def superseded_row(stmt: Record, successor: Record) -> Row:
    """A statement closed by the next statement on its thread (success, ends at its start)."""
    statement, tables, action = _statement(stmt)
    duration = successor.ts - stmt.ts if successor.ts is not None and stmt.ts is not None else 0
    return entry(
        stmt,
        LogType.SQL,
        Kind.STATEMENT,
        end_line=successor.end_line,
        duration_ms=duration,
        sql_statement=statement,
        sql_table=tables,
        sql_action=action,
    )


def open_statement_row(stmt: Record) -> Row:
    """A statement never closed (an SQL exception)."""
    statement, tables, action = _statement(stmt)
    return entry(
        stmt,
        LogType.SQL,
        Kind.STATEMENT_OPEN,
        success=False,
        sql_statement=statement,
        sql_table=tables,
        sql_action=action,
    )


def resolve(prior: Record | None, head: Record, emit: Callable[[Row], None]) -> None:
    """Apply a thread's head record to the statement an earlier range left open (or none)."""
    word = sql_word_class(head.details)
    if word == SQL_START_WORD:
        if prior is not None:
            emit(superseded_row(prior, head))
    elif prior is not None:
        emit(closed_row(prior, head))
    else:
        emit(entry(head, LogType.SQL, Kind.LINE))


@dataclass(slots=True)
class SqlState:
    heads: dict[str, Record] = field(default_factory=dict)
    open: dict[str, Record | None] = field(default_factory=dict)  # keys present = synced


class SqlMachine:
    def __init__(self, emit: Callable[[Row], None]) -> None:
        self.emit = emit
        self.state = SqlState()

    def feed(self, rec: Record, key: str, word: int) -> None:
        """Process one SQL record whose first word is of class ``word`` (see sql_word_class)."""
        if word == 0:
            self.emit(entry(rec, LogType.SQL, Kind.LINE))
            return
        state = self.state
        if key not in state.open:  # first statement/close on this thread in the range
            state.heads[key] = rec
            state.open[key] = rec if word == SQL_START_WORD else None
            return
        current = state.open[key]
        if word == SQL_START_WORD:
            if current is not None:
                self.emit(superseded_row(current, rec))
            state.open[key] = rec
        elif word in (SQL_OK_WORD, SQL_FAIL_WORD):
            if current is not None:
                self.emit(closed_row(current, rec))
                state.open[key] = None
            else:
                self.emit(entry(rec, LogType.SQL, Kind.LINE))
