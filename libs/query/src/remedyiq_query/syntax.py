"""KQL text to a query tree: the LALR grammar (lark), the size limits and friendly syntax errors.

Precedence, lowest first: ``or`` < ``and`` (or adjacency: implicit AND) < ``not`` < a term.
Keywords are case-insensitive whole words; ``\\and`` or ``"and"`` searches the word itself.
Unquoted literals stop at whitespace and ``( ) : < > " { }``; a backslash escapes any one
character there. Inside quotes only ``\\"`` and ``\\\\`` are escapes (``"C:\\temp"`` stays as
typed) and ``*`` is literal. A value after ``field:`` or a comparison may contain ``:`` after
its first character (``time:2024-01-15T10:30``); ``user::a`` is an error.

The transformer runs inside the LALR parse (no recursion over a finished tree), so the depth
and term limits stop hostile input while it is being read.
"""

from __future__ import annotations

import functools
from typing import Final, cast

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .errors import KqlError
from .literals import decode_quoted, decode_unquoted
from .nodes import And, FieldMatch, FieldRange, FieldRef, FreeText, MatchAll, Node, Not, Or, Value

MAX_QUERY_BYTES: Final = 4096
MAX_DEPTH: Final = 20
MAX_TERMS: Final = 100

GRAMMAR: Final = r"""
start: or_query?
?or_query: and_query (_OR and_query)*
?and_query: not_query (_AND? not_query)*
?not_query: _NOT not_query                 -> negation
          | _LPAR or_query _RPAR
          | WORD _COLON value_spec         -> field_match
          | WORD RANGE_OP range_value      -> field_range
          | WORD                           -> free_word
          | QUOTED                         -> free_phrase
?value_spec: VALUE | QUOTED | _LPAR v_or _RPAR
?range_value: VALUE | QUOTED
?v_or: v_and (_OR v_and)*
?v_and: v_not (_AND? v_not)*
?v_not: _NOT v_not                         -> v_negation
      | VALUE | QUOTED | _LPAR v_or _RPAR

_OR: "or"i
_AND: "and"i
_NOT: "not"i
_LPAR: "("
_RPAR: ")"
_COLON: ":"
RANGE_OP: ">=" | "<=" | ">" | "<"
WORD: /(?:[^\s\\():<>"{}]|\\.)+/s
VALUE: /(?:[^\s\\():<>"{}]|\\.)(?:[^\s\\()<>"{}]|\\.)*/s
QUOTED: /"(?:[^"\\]|\\.)*"/s
%ignore /\s+/
"""

# Terminal names as a user would say them, in the order an error message lists them.
EXPECTED_NAMES: Final = {
    "WORD": "a word or field name",
    "VALUE": "a value",
    "QUOTED": "a quoted phrase",
    "RANGE_OP": "a comparison (>=, >, <, <=)",
    "_COLON": "':'",
    "_LPAR": "'('",
    "_RPAR": "')'",
    "_AND": "'and'",
    "_OR": "'or'",
    "_NOT": "'not'",
    "$END": "the end of the query",
}
_ORDER: Final = {name: i for i, name in enumerate(EXPECTED_NAMES)}
KEYWORDS: Final = frozenset({"and", "or", "not"})


def to_value(token: Token) -> Value:
    """A literal token (WORD, VALUE or QUOTED) as a decoded :class:`Value`."""
    start, end = _span(token)
    if token.type == "QUOTED":
        text = decode_quoted(str(token))
        return Value(text, (text,), quoted=True, start=start, end=end)
    if str(token).lower() in KEYWORDS:
        # Only reachable where the grammar expects a term: "a and or b", "user:not".
        raise KqlError(
            f"{str(token)!r} is a keyword and needs a term on each side; "
            f'to search for the word itself, quote it: "{token}"',
            start=start,
            end=end,
        )
    text, pieces = decode_unquoted(str(token))
    return Value(text, pieces, quoted=False, start=start, end=end)


def _span(token: Token) -> tuple[int, int]:
    start = token.start_pos or 0
    return start, token.end_pos if token.end_pos is not None else start + len(token)


_TO_THE_END: Final = 2**31  # KqlError.locate() clamps it to the end of the query


def _check(depth: int, terms: int) -> None:
    if depth > MAX_DEPTH:
        raise KqlError(
            f"the query nests too deeply (more than {MAX_DEPTH} levels of and/or/not)",
            code="limit",
            end=_TO_THE_END,
        )
    if terms > MAX_TERMS:
        raise KqlError(f"the query has more than {MAX_TERMS} terms", code="limit", end=_TO_THE_END)


def _combine(kind: type[And] | type[Or], items: list[Node]) -> Node:
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    depth, terms = 1 + max(i.depth for i in flat), sum(i.terms for i in flat)
    _check(depth, terms)
    return kind(tuple(flat), depth, terms)


def _negate(item: Node) -> Node:
    _check(item.depth + 1, item.terms)
    return Not(item, item.depth + 1, item.terms)


class _Builder(Transformer[Token, Node]):
    """Builds :mod:`nodes` during the parse. Stateless, so one instance serves every thread."""

    def start(self, items: list[Node]) -> Node:
        return items[0] if items else MatchAll()

    def or_query(self, items: list[Node]) -> Node:
        return _combine(Or, items)

    def and_query(self, items: list[Node]) -> Node:
        return _combine(And, items)

    def negation(self, items: list[Node]) -> Node:
        return _negate(items[0])

    def free_word(self, items: list[Token]) -> Node:
        value = to_value(items[0])
        if value.text in ("=", "==", "!="):
            raise KqlError(
                f"'{value.text}' is not an operator here: write field:value, not field = value",
                start=value.start,
                end=value.end,
            )
        return FreeText(value)

    def free_phrase(self, items: list[Token]) -> Node:
        return FreeText(to_value(items[0]))

    def field_match(self, items: list[Token | Node]) -> Node:
        name, spec = items
        assert isinstance(name, Token)
        ref = _field_ref(name)
        return _distribute(ref, spec)

    def field_range(self, items: list[Token]) -> Node:
        name, op, value = items
        return FieldRange(_field_ref(name), str(op), to_value(value))

    # Inside a value group the leaves stay tokens until field_match distributes the field.
    def v_or(self, items: list[Token | Node]) -> Node:
        return _combine(Or, [_placeholder(i) for i in items])

    def v_and(self, items: list[Token | Node]) -> Node:
        return _combine(And, [_placeholder(i) for i in items])

    def v_negation(self, items: list[Token | Node]) -> Node:
        return _negate(_placeholder(items[0]))


def _field_ref(token: Token) -> FieldRef:
    start, end = _span(token)
    return FieldRef(decode_unquoted(str(token))[0], start, end)


_NO_FIELD: Final = FieldRef("", 0, 0)


def _placeholder(item: Token | Node) -> Node:
    """A group's bare value as a field-less match; :func:`_distribute` fills the field in."""
    return FieldMatch(_NO_FIELD, to_value(item)) if isinstance(item, Token) else item


def _distribute(ref: FieldRef, spec: Token | Node) -> Node:
    node = _placeholder(spec)
    if isinstance(node, FieldMatch):
        return FieldMatch(ref, node.value)
    if isinstance(node, Not):
        return Not(_distribute(ref, node.item), node.depth, node.terms)
    if isinstance(node, And | Or):
        items = tuple(_distribute(ref, item) for item in node.items)
        return type(node)(items, node.depth, node.terms)
    raise AssertionError(f"unexpected node in a value group: {node!r}")


@functools.cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", transformer=_Builder())


@functools.cache
def bare_parser() -> Lark:
    """The same grammar without the tree builder, for autocomplete's interactive parsing."""
    return Lark(GRAMMAR, parser="lalr", lexer="contextual")


def check_length(text: str) -> None:
    """Reject text above :data:`MAX_QUERY_BYTES` (UTF-8), pointing at where the limit falls."""
    data = text.encode("utf-8")
    if len(data) > MAX_QUERY_BYTES:
        cut = len(data[:MAX_QUERY_BYTES].decode("utf-8", "ignore"))
        raise KqlError(
            f"the query is longer than {MAX_QUERY_BYTES} bytes",
            code="limit",
            start=cut,
            end=len(text),
            text=text,
        )


def parse(text: str) -> Node:
    """Parse KQL into a query tree; raises :class:`KqlError` with the position of the fault."""
    check_length(text)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise syntax_error(exc, text) from None
    except KqlError as exc:
        raise exc.locate(text) from None
    return cast("Node", tree)  # the inline transformer returns our node, not a lark Tree


def syntax_error(exc: UnexpectedInput, text: str) -> KqlError:
    """Translate a lark error into a :class:`KqlError` that names what was expected."""
    if isinstance(exc, UnexpectedCharacters):
        expected = _friendly(exc.allowed)
        start, char = exc.pos_in_stream or 0, exc.char
        if char == '"':
            message = "this quote is never closed"
        elif char == "\\":
            message = "a backslash must be followed by the character it escapes"
        elif char in "{}":
            message = "braces are not supported (there are no nested fields); quote the value"
        else:
            message = f"unexpected {char!r}; expected {_join(expected)}"
        return KqlError(message, start=start, expected=expected, text=text)
    if isinstance(exc, UnexpectedToken):
        expected = _friendly(exc.accepts or exc.expected)
        token = exc.token
        if token.type == "$END":
            message = f"the query ends too early; expected {_join(expected)}"
            return KqlError(message, start=len(text), expected=expected, text=text)
        start, end = _span(token)
        if token.type == "_RPAR" and _open_parens(text[:start]) <= 0:
            message = "this ')' has no matching '('"
        else:
            message = f"unexpected {str(token)!r}; expected {_join(expected)}"
        return KqlError(message, start=start, end=end, expected=expected, text=text)
    return KqlError(f"invalid query: {exc}", start=len(text), text=text)


def _open_parens(text: str) -> int:
    """Parentheses opened and not yet closed in ``text`` (quotes and escapes skipped)."""
    depth, i, quoted = 0, 0, False
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            depth += (ch == "(") - (ch == ")")
        i += 1
    return depth


def _friendly(names: set[str] | frozenset[str]) -> tuple[str, ...]:
    known = sorted((n for n in names if n in EXPECTED_NAMES), key=_ORDER.__getitem__)
    return tuple(EXPECTED_NAMES[n] for n in known)


def _join(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "something else"
