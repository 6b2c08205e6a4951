"""Tables and action of an SQL statement, as the reference lists them (``T2, T3``).

The reference parses statements with JSqlParser and lists every table in order of appearance; a
full SQL parser per statement would cost more than all the rest of parsing, so this reads the
names that follow ``FROM``/``JOIN``/``INTO``/``UPDATE``/``TABLE`` (and comma lists after ``FROM``),
skipping sub-queries and ``WITH`` aliases. Results are cached per statement shape.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

_LITERAL: Final = re.compile(r"N?'(?:[^']|'')*'?")
_NUMBER: Final = re.compile(r"\b\d+\b")
_KEYWORD_NAME: Final = re.compile(
    r"\b(FROM|JOIN|INTO|UPDATE|TABLE)\s+(?!\()([A-Za-z_#@][\w$#@.]*)", re.IGNORECASE
)
_FROM_LIST: Final = re.compile(
    r"\bFROM\s+(?!\()(.*?)(?=\bWHERE\b|\bGROUP\b|\bORDER\b|\bHAVING\b|\bUNION\b|\bJOIN\b|\bINNER\b|"
    r"\bLEFT\b|\bRIGHT\b|\bFULL\b|\bCROSS\b|\)|$)",
    re.IGNORECASE | re.DOTALL,
)
_CTE: Final = re.compile(r"(?:\bWITH\s+|,\s*)([A-Za-z_][\w$]*)\s+AS\s*\(", re.IGNORECASE)
_NOT_TABLES: Final = frozenset(
    {"SELECT", "WHERE", "SET", "VALUES", "DUAL", "AS", "ON", "LATERAL", "ONLY", "TOP"}
)


def sql_action(statement: str) -> str:
    """The statement keyword; ``WITH`` statements are reported as ``SELECT``."""
    parts = statement.split(None, 1)
    word = parts[0].upper() if parts else ""
    return "SELECT" if word == "WITH" else word


_CLAUSE_END: Final = re.compile(r" (?:WHERE|VALUES|SET|ORDER BY|GROUP BY) ", re.IGNORECASE)


def sql_tables(statement: str) -> str:
    """Comma-joined table names in order of first appearance."""
    # Tables are named before the first WHERE/VALUES/SET: that prefix is a cheap cache key when
    # it holds no literal (most statements), the literal-free shape of the whole text otherwise.
    cut = _CLAUSE_END.search(statement)
    head = statement[: cut.start()] if cut else statement
    tail = statement[cut.start() :].upper() if cut else ""
    if "'" not in head and "(" not in head and "SELECT" not in tail and "JOIN" not in tail:
        return _tables_of_shape(head)
    return _tables_of_shape(_NUMBER.sub("0", _LITERAL.sub("''", statement)))


@lru_cache(maxsize=4096)
def _tables_of_shape(shape: str) -> str:
    aliases = {name.upper() for name in _CTE.findall(shape)}
    found: list[str] = []

    def add(name: str) -> None:
        name = name.strip().rstrip(",;")
        upper = name.upper()
        if name and upper not in _NOT_TABLES and upper not in aliases and name not in found:
            found.append(name)

    positions: list[tuple[int, str]] = [
        (m.start(2), m.group(2)) for m in _KEYWORD_NAME.finditer(shape)
    ]
    for match in _FROM_LIST.finditer(shape):
        body = match.group(1)
        offset = match.start(1)
        for piece in body.split(",")[1:]:
            item = piece.strip()
            if item and not item.startswith("("):
                name = item.split()[0]
                positions.append((offset + body.find(piece), name))
    for _position, name in sorted(positions):
        add(name)
    return ", ".join(found)
