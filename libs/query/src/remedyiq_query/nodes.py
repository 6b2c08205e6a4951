"""The query tree the parser builds: schema-agnostic, with the source span of every leaf.

A value group ``field:(a or not b)`` is distributed by the parser into ordinary nodes
(``field:a or not field:b``), so the compiler only ever sees one field with one value per leaf.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Value:
    """A decoded literal. ``pieces`` are the literal runs between unescaped ``*`` wildcards."""

    text: str  # decoded, with each wildcard shown as "*"
    pieces: tuple[str, ...]  # one piece when there is no wildcard
    quoted: bool
    start: int
    end: int

    @property
    def wildcard(self) -> bool:
        """Whether the value contains at least one (unescaped, unquoted) ``*``."""
        return len(self.pieces) > 1

    @property
    def star(self) -> bool:
        """Whether the value is just ``*`` (``field:*`` means "has a value")."""
        return self.wildcard and not any(self.pieces)


@dataclass(frozen=True, slots=True)
class FieldRef:
    name: str  # as typed (escapes decoded)
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FreeText:
    value: Value
    depth: int = 1
    terms: int = 1


@dataclass(frozen=True, slots=True)
class FieldMatch:
    field: FieldRef
    value: Value
    depth: int = 1
    terms: int = 1


@dataclass(frozen=True, slots=True)
class FieldRange:
    field: FieldRef
    op: str  # one of >=, >, <, <=
    value: Value
    depth: int = 1
    terms: int = 1


@dataclass(frozen=True, slots=True)
class Not:
    item: Node
    depth: int
    terms: int


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]
    depth: int
    terms: int


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]
    depth: int
    terms: int


@dataclass(frozen=True, slots=True)
class MatchAll:
    """The empty query."""

    depth: int = 0
    terms: int = 0


Node = FreeText | FieldMatch | FieldRange | Not | And | Or | MatchAll
