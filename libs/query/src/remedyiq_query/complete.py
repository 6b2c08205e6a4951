"""Autocomplete: what may come next at the cursor, from the same LALR grammar as the compiler.

The text before the token under the cursor is fed to lark's interactive parser; the terminals it
would accept next say whether a field, an operator, a value or a conjunction fits there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, cast

from lark import Token
from lark.exceptions import UnexpectedInput

from .errors import KqlError
from .fields import FIELDS, Field, FieldType, resolve
from .literals import decode_quoted, decode_unquoted
from .syntax import KEYWORDS, MAX_QUERY_BYTES, bare_parser, syntax_error
from .values import BOOL_WORDS, quote_value

Kind = Literal["field", "value", "operator", "keyword"]
ValueProvider = Callable[[str, str], Sequence[str]]
"""``(column, prefix) -> values``: top values of an allow-listed string column (gateway I/O)."""

_SPECIAL: Final = frozenset('():<>"{}')
_BOOL_SHOWN: Final = ("true", "false", "ok", "failed")
_RANGE_OPS: Final = ((">=", "at least"), (">", "more than"), ("<", "less than"), ("<=", "at most"))


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One pick: insert ``text`` in place of ``[start, end)`` of the query."""

    text: str
    kind: Kind
    detail: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Suggestions:
    """The picks at a cursor, and the token under it (``start``/``end``) that they replace."""

    items: tuple[Suggestion, ...]
    start: int
    end: int
    context: tuple[str, ...]  # what fits here: "field", "operator", "value", "conjunction"
    field: str | None = None  # the field whose value is being typed
    error: str | None = None  # the text before the cursor does not parse


def suggest(
    text: str,
    cursor: int,
    *,
    value_provider: ValueProvider | None = None,
    limit: int = 50,
) -> Suggestions:
    """Suggest what may be typed at ``cursor`` (a 0-based offset into ``text``).

    ``value_provider(column, prefix)`` may supply values for string fields (e.g. the top values
    from ClickHouse); ``column`` is always an allow-listed column name. Enum and boolean values
    come from the field registry.
    """
    cursor = max(0, min(cursor, len(text)))
    start, end, partial = _token_at(text, cursor)
    if len(text[:start].encode("utf-8")) > MAX_QUERY_BYTES:
        return Suggestions((), start, end, (), error="the query is too long")
    try:
        accepts, tokens = _expected(text[:start])
    except KqlError as exc:
        return Suggestions((), start, end, (), error=exc.message)
    items: list[Suggestion] = []
    context: list[str] = []
    here = (start, end)
    operand = _operand_field(tokens, accepts, partial)
    if operand is not None:
        context.append("operator")
        at = (end, end) if partial else (cursor, cursor)
        items.extend(_operators(operand, at))
    value_field = _value_field(tokens) if "VALUE" in accepts else None
    if "VALUE" in accepts:
        context.append("value")
        if value_field is not None:
            after_op = bool(tokens) and tokens[-1].type == "RANGE_OP"
            items.extend(_values(value_field, partial, after_op, value_provider, here))
    if accepts & {"_AND", "_OR"}:
        context.append("conjunction")
        items.extend(_keywords(("and", "or"), accepts, partial, here))
    if "WORD" in accepts:
        context.append("field")
        items.extend(_fields(partial, here))
    items.extend(_keywords(("not",), accepts, partial, here))
    return Suggestions(
        tuple(items[:limit]),
        start,
        end,
        tuple(context),
        field=value_field.name if value_field else None,
    )


def _token_at(text: str, cursor: int) -> tuple[int, int, str]:
    """The span of the token the cursor is in or just after, and its decoded typed part."""
    quote = _open_quote(text[:cursor])
    if quote is not None:
        return quote, _quote_end(text, cursor), decode_quoted(text[quote:cursor] + '"')
    start = cursor
    while start > 0 and _word_char(text, start - 1):
        start -= 1
    end = cursor
    while end < len(text) and _word_char(text, end):
        end += 1
    return start, end, decode_unquoted(text[start:cursor])[0]


def _word_char(text: str, i: int) -> bool:
    ch = text[i]
    if ch.isspace() or ch in _SPECIAL:
        return i > 0 and text[i - 1] == "\\"
    return True


def _open_quote(prefix: str) -> int | None:
    """Where the quote still open at the end of ``prefix`` starts, if one is."""
    opened: int | None = None
    i = 0
    while i < len(prefix):
        ch = prefix[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            opened = i if opened is None else None
        i += 1
    return opened


def _quote_end(text: str, cursor: int) -> int:
    i = cursor
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        i += 1
    return len(text)


def _expected(prefix: str) -> tuple[frozenset[str], list[Token]]:
    interactive = bare_parser().parse_interactive(prefix)
    tokens: list[Token] = []
    try:
        tokens.extend(interactive.iter_parse())
    except UnexpectedInput as exc:
        raise syntax_error(exc, prefix) from None
    for token in tokens:  # the compiler's rule: a keyword where a term belongs is an error
        if token.type in ("WORD", "VALUE") and str(token).lower() in KEYWORDS:
            raise KqlError(f"{str(token)!r} is a keyword and needs a term on each side")
    accepts = cast("Callable[[], set[str]]", interactive.accepts)  # lark leaves it untyped
    return frozenset(accepts()), tokens


def _operand_field(tokens: list[Token], accepts: frozenset[str], partial: str) -> Field | None:
    """The field an operator may follow: the typed word, or the word just before the cursor."""
    if partial and "WORD" in accepts:
        return resolve(partial)
    if not partial and tokens and tokens[-1].type == "WORD" and "_COLON" in accepts:
        return resolve(decode_unquoted(str(tokens[-1]))[0])
    return None


def _value_field(tokens: list[Token]) -> Field | None:
    """The field of the value being typed: the last word followed by ``:`` or a comparison."""
    for before, after in zip(reversed(tokens[:-1]), reversed(tokens), strict=True):
        if before.type == "WORD" and after.type in ("_COLON", "RANGE_OP"):
            return resolve(decode_unquoted(str(before))[0])
    return None


def _operators(field: Field, at: tuple[int, int]) -> list[Suggestion]:
    found = [Suggestion(":", "operator", "matches", *at)]
    if field.ranges:
        found.extend(Suggestion(op, "operator", detail, *at) for op, detail in _RANGE_OPS)
    return found


def _values(
    field: Field,
    partial: str,
    after_op: bool,
    provider: ValueProvider | None,
    here: tuple[int, int],
) -> list[Suggestion]:
    if field.type is FieldType.ENUM:
        candidates: Sequence[str] = field.values
    elif field.type is FieldType.BOOL:
        candidates = _BOOL_SHOWN if partial.lower() not in BOOL_WORDS else (partial.lower(),)
    elif field.type is FieldType.STRING and provider is not None and not after_op:
        candidates = provider(field.column, partial)
    else:
        candidates = ()
    lowered = partial.lower()
    found = [
        Suggestion(quote_value(c), "value", field.name, *here)
        for c in candidates
        if c.lower().startswith(lowered) or field.type is FieldType.STRING
    ]
    if not partial and not after_op:
        found.append(Suggestion("*", "value", f"{field.name} has a value", *here))
    return found


def _keywords(
    words: tuple[str, ...], accepts: frozenset[str], partial: str, here: tuple[int, int]
) -> list[Suggestion]:
    lowered = partial.lower()
    return [
        Suggestion(word, "keyword", "conjunction" if word != "not" else "negation", *here)
        for word in words
        if f"_{word.upper()}" in accepts and word.startswith(lowered)
    ]


def _fields(partial: str, here: tuple[int, int]) -> list[Suggestion]:
    lowered = partial.lower()
    found: list[tuple[int, str, Field]] = []
    for field in FIELDS:
        names = (field.name,) if not lowered else (field.name, *field.aliases, field.column)
        match = next((n for n in names if n.startswith(lowered)), None)
        if match is not None:
            found.append((match != field.name, match, field))
    return [
        Suggestion(name, "field", f"{field.summary} · {field.description}", *here)
        for _, name, field in sorted(found, key=lambda f: (f[0], f[1]))
    ]
