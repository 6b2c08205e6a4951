"""One term to one SQL predicate. Column names come from :mod:`fields`; values only via ``bind``.

``bind(value, "Type")`` registers a server-side parameter and returns its ``{name:Type}``
placeholder, so the SQL text is built from constants of this module and placeholders alone.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from .errors import KqlError
from .fields import (
    FIELDS,
    HEADER_RUNS,
    LOG_TYPES,
    PACKED_UNSAFE,
    RENDERED,
    Field,
    FieldType,
    Match,
)
from .nodes import Value
from .values import (
    BOOL_WORDS,
    glob_matches,
    like_pattern,
    parse_bool,
    parse_duration_ms,
    parse_float,
    parse_int,
    parse_time,
)

Bind = Callable[[object, str], str]
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Leaf:
    """A compiled term and what it tells the gateway about cost."""

    sql: str
    column: str
    equality: bool = False  # matching rows have column = one of a few values
    bounded: bool = False  # matching rows have column within a range
    scan: bool = False  # substring or pattern search (no index helps)
    leading_wildcard: bool = False


def set_values(field: Field, value: Value) -> tuple[str, ...] | None:
    """The values of an equality that can join an ``IN`` set (enums, exact strings), or None."""
    if field.type is FieldType.ENUM and not value.star:
        return _enum_values(field, value)
    exact = field.type is FieldType.STRING and field.match is Match.EXACT
    if exact and not value.wildcard and value.text:
        return (value.text,)
    return None


def render_set(field: Field, values: tuple[str, ...], bind: Bind) -> Leaf:
    """``column = {p:String}`` for one value, ``column IN {p:Array(String)}`` for several."""
    unique = tuple(dict.fromkeys(values))
    if len(unique) == 1:
        return Leaf(f"{field.column} = {bind(unique[0], 'String')}", field.column, equality=True)
    sql = f"{field.column} IN {bind(list(unique), 'Array(String)')}"
    return Leaf(sql, field.column, equality=True)


def match_leaf(field: Field, value: Value, bind: Bind) -> Leaf:
    """``field:value`` (including ``field:*`` and wildcards) for any field type."""
    column = field.column
    if value.star:
        return _exists(field, bind)
    members = set_values(field, value)
    if members is not None:
        return render_set(field, members, bind)
    if value.wildcard and not field.wildcards:
        raise _unsupported(field, "wildcards", value.start, value.end)
    if field.type is FieldType.STRING:
        return _string(field, value, bind)
    if field.type is FieldType.BOOL:
        flag = parse_bool(value.text)
        if flag is None:
            raise _bad_value(field, value, tuple(BOOL_WORDS))
        return Leaf(f"{column} = {bind(flag, 'Bool')}", column, equality=True)
    if field.type is FieldType.TIME:
        start, step = _time(field, value)
        sql = f"({column} >= {_ms(bind, start)} AND {column} < {_ms(bind, start + step)})"
        return Leaf(sql, column, bounded=True)
    number, type_name = _number(field, value)
    return Leaf(f"{column} = {bind(number, type_name)}", column, equality=True)


def range_leaf(field: Field, op: str, value: Value, span: Span, bind: Bind) -> Leaf:
    """``field >= value`` and friends, for numbers, durations and times."""
    if not field.ranges:
        raise _unsupported(field, "comparisons (>=, >, <, <=)", *span)
    column = field.column
    if field.type is FieldType.TIME:
        # A time covers its precision: "> 2024-01-15" starts the next day, "<= …" ends this one.
        start, step = _time(field, value)
        bound = {">=": (">=", start), ">": (">=", start + step), "<": ("<", start)}
        sql_op, ms = bound.get(op, ("<", start + step))
        return Leaf(f"{column} {sql_op} {_ms(bind, ms)}", column, bounded=True)
    number, type_name = _number(field, value)
    return Leaf(f"{column} {op} {bind(number, type_name)}", column, bounded=True)


_RAW: Final = next(f for f in FIELDS if f.name == "raw")


def free_text_leaf(value: Value, bind: Bind) -> Leaf | None:
    """A bare word or phrase: ``raw:value`` (None: matches all)."""
    if value.star or not value.text:
        return None
    return _string(_RAW, value, bind)


def _read_column(field: Field, value: Value) -> str:
    """The column a match of ``value`` reads: the packed one when that finds the same rows."""
    pieces = [piece for piece in value.pieces if piece]
    if field.packed_column is None or len(pieces) > 1:  # pieces in order may cross a fold
        return field.column
    if any(set(piece) & PACKED_UNSAFE for piece in pieces):
        return field.column
    return field.packed_column


def _string(field: Field, value: Value, bind: Bind) -> Leaf:
    column = _read_column(field, value)
    if not value.text:
        return Leaf(f"empty({column})", column)
    contains = field.match is Match.CONTAINS
    packed = column == field.packed_column
    if value.wildcard:
        pattern = like_pattern(value.pieces, anywhere=contains)
        op = "LIKE" if field.match is Match.EXACT else "ILIKE"
        leading = contains or not value.pieces[0]
        sql = f"{column} {op} {bind(pattern, 'String')}"
        if packed:  # one piece: a substring
            piece = next(p for p in value.pieces if p)
            sql = f"({sql} OR {_in_rendered_header(column, piece, bind(piece, 'String'))})"
        return Leaf(sql, column, scan=contains, leading_wildcard=leading)
    placeholder = bind(value.text, "String")
    if contains:
        sql = f"positionCaseInsensitiveUTF8({column}, {placeholder}) > 0"
        if packed:
            sql = f"({sql} OR {_in_rendered_header(column, value.text, placeholder)})"
        return Leaf(sql, column, scan=True)
    return Leaf(f"lowerUTF8({column}) = lowerUTF8({placeholder})", column, equality=True)


def _in_rendered_header(column: str, text: str, placeholder: str) -> str:
    """SQL: ``text`` (free of ``PACKED_UNSAFE``) is in the header of a row whose packed lines
    (``column``) start with a :data:`RENDERED` mark, i.e. inside the text between two of its
    brackets: in a label, in a value, or (``text`` with a space or a colon) across a label and
    its value or into the padding. Labels are the same for every such row and the type tags are
    few: both are decided here; values are columns, tested only where ``text`` could be in one
    (a LowCardinality column is tested once per distinct value). The tests come before the mark
    check, which the engine then evaluates only for the rare rows a test found."""
    needle = text.lower()
    loose = " " in text or ":" in text
    tests: dict[bool, list[str]] = {True: [], False: []}  # in the TrID layout only: tests
    for label, name, width, characters in HEADER_RUNS:
        trid_only = name == "trace_id"
        if needle in label.lower():
            tests[trid_only].append("1")
        elif name == "log_type":
            tags = [t for t in LOG_TYPES if needle in t[:width].ljust(width).lower()]
            if tags:
                tests[trid_only].append(f"log_type IN ({', '.join(map(_literal, tags))})")
        elif loose:
            value = f"rightPadUTF8({name}, {width}, ' ')" if width else name
            value = f"concat({_literal(label)}, {value})"
            tests[trid_only].append(f"positionCaseInsensitiveUTF8({value}, {placeholder}) > 0")
        elif characters is None or _within(needle, characters):
            tests[trid_only].append(f"positionCaseInsensitiveUTF8({name}, {placeholder}) > 0")
    trid_mark = next(_mark(mark) for mark, has_trid in RENDERED.items() if has_trid)
    if tests[True]:
        tests[False].append(f"(({' OR '.join(tests[True])}) AND startsWith({column}, {trid_mark}))")
    if not tests[False]:
        return "0"
    marks = " OR ".join(f"startsWith({column}, {_mark(mark)})" for mark in RENDERED)
    return f"(({' OR '.join(tests[False])}) AND ({marks}))"


def _within(needle: str, characters: frozenset[str]) -> bool:
    """Whether a value of only ``characters`` may hold ``needle`` (compared case-insensitively)."""
    return all(c in characters or c.upper() in characters for c in needle)


def _literal(constant: str) -> str:
    """A constant of :mod:`fields` as an SQL string literal (plain words: nothing to escape)."""
    return f"'{constant}'"


def _mark(mark: str) -> str:
    """A mark as an SQL string literal (a constant of :mod:`fields`, not user input)."""
    return f"'\\x{ord(mark):02X}'"


def _exists(field: Field, bind: Bind) -> Leaf:
    column = field.column
    if field.type is FieldType.STRING:
        return Leaf(f"notEmpty({column})", column)
    if field.type is FieldType.ENUM and field.empty_value is not None:
        return Leaf(f"{column} != {bind(field.empty_value, 'String')}", column)
    if field.type in (FieldType.INT, FieldType.FLOAT, FieldType.DURATION):
        return Leaf(f"{column} != 0", column)
    return Leaf("1", column)  # bool, time and enums without an "absent" value always have one


def _enum_values(field: Field, value: Value) -> tuple[str, ...]:
    if value.wildcard:
        found = glob_matches(value.pieces, field.values)
    else:
        found = tuple(v for v in field.values if v.lower() == value.text.lower())
    if not found:
        raise _bad_value(field, value, field.values)
    return found


def _number(field: Field, value: Value) -> tuple[int | float, str]:
    if field.type is FieldType.DURATION:
        ms = parse_duration_ms(value.text)
        if ms is None:
            raise _bad_form(field, value, "a duration such as 500, 500ms, 2s, 1.5m or 1h")
        return (ms, "Int64") if isinstance(ms, int) else (ms, "Float64")
    if field.type is FieldType.FLOAT:
        real = parse_float(value.text)
        if real is None:
            raise _bad_form(field, value, "a number")
        return real, "Float64"
    whole = parse_int(value.text)
    if whole is None:
        raise _bad_form(field, value, "a whole number")
    return whole, "Int64"


def _time(field: Field, value: Value) -> tuple[int, int]:
    parsed = parse_time(value.text)
    if parsed is None:
        raise _bad_form(
            field, value, "an ISO-8601 time such as 2024-01-15, 2024-01-15T10:30 or "
            "2024-01-15T10:30:00.123Z (no zone means UTC)",
        )  # fmt: skip
    return parsed


def _ms(bind: Bind, epoch_ms: int) -> str:
    return f"fromUnixTimestamp64Milli({bind(epoch_ms, 'Int64')})"


def _bad_value(field: Field, value: Value, valid: tuple[str, ...]) -> KqlError:
    close = difflib.get_close_matches(value.text, valid, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return KqlError(
        f"{value.text!r} is not a valid value for {field.name}{hint}; "
        f"valid values: {', '.join(valid)}",
        code="bad_value",
        start=value.start,
        end=value.end,
        valid=valid,
        did_you_mean=close[0] if close else None,
    )


def _bad_form(field: Field, value: Value, form: str) -> KqlError:
    return KqlError(
        f"{value.text!r} is not valid for {field.name} ({field.type.value}): expected {form}",
        code="bad_value",
        start=value.start,
        end=value.end,
    )


def _unsupported(field: Field, what: str, start: int, end: int) -> KqlError:
    hint = (
        f"use {field.name}:value or {field.name}:Prefix*"
        if field.wildcards
        else f"use {field.name} >= value"
        if field.ranges
        else f"use {field.name}:value"
    )
    return KqlError(
        f"{field.name} is a {field.type.value} field: {what} are not supported; {hint}",
        code="unsupported",
        start=start,
        end=end,
    )
