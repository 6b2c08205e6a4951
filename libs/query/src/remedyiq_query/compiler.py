"""Query tree to a parameterized ClickHouse WHERE expression, plus cost hints for the gateway.

The SQL text is assembled only from allow-listed column names, fixed function names and
operators, and ``{name:Type}`` placeholders; every user value travels in ``params`` and is bound
server-side (clickhouse-connect sends it as ``param_<name>``). Use it as::

    q = compile_query('type:API and duration >= 2s and not user:(Demo or Allen)')
    client.query(f"SELECT … FROM log_entries WHERE tenant_id = {{t:String}} AND ({q.where})",
                 parameters={**q.params, "t": tenant})
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from .errors import KqlError
from .fields import (
    FIELD_NAMES,
    SELECTIVE_COLUMNS,
    SKIP_INDEX_COLUMNS,
    SORT_KEY_COLUMNS,
    Field,
    closest,
    resolve,
)
from .nodes import And, FieldMatch, FieldRange, FieldRef, FreeText, MatchAll, Node, Not, Or
from .predicates import Leaf, free_text_leaf, match_leaf, range_leaf, render_set, set_values
from .syntax import parse

_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,30}")
MATCH_ALL: Final = "1"


@dataclass(frozen=True, slots=True)
class Selectivity:
    """What the WHERE clause guarantees, so the gateway can refuse or bound expensive scans."""

    equality_columns: frozenset[str]  # every matching row equals one of a few values here
    range_columns: frozenset[str]  # every matching row lies within a bound here
    selective: bool  # a required equality on an id column (trace, rpc, thread, request)
    uses_sort_key: bool  # a required condition on log_type or timestamp (granule pruning)
    uses_skip_index: bool  # a required equality on trace_id (bloom filter)
    scan_terms: int  # substring / pattern terms: each reads its whole text column
    leading_wildcard: bool  # a pattern that starts with a wildcard
    match_all: bool  # the query filters nothing


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """A compiled query: ``where`` holds no user text; values are in ``params``."""

    where: str
    params: dict[str, object]
    fields: set[str]  # log_entries columns the query reads
    free_text: list[str]  # bare words and phrases not under NOT, for highlighting
    selectivity: Selectivity


@dataclass(frozen=True, slots=True)
class _Out:
    sql: str
    compound: bool = False  # an AND or OR chain: parenthesised inside the other one
    eq: frozenset[str] = frozenset()
    bounded: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Compiler:
    prefix: str
    params: dict[str, object] = field(default_factory=dict)
    columns: set[str] = field(default_factory=set)
    free_text: list[str] = field(default_factory=list)
    scans: int = 0
    leading_wildcard: bool = False
    negations: int = 0  # inside NOT: free text there is not something to highlight

    def bind(self, value: object, type_name: str) -> str:
        name = f"{self.prefix}{len(self.params)}"
        self.params[name] = value
        return f"{{{name}:{type_name}}}"

    def node(self, node: Node) -> _Out:
        if isinstance(node, MatchAll):
            return _Out(MATCH_ALL)
        if isinstance(node, FreeText):
            found = free_text_leaf(node.value, self.bind)
            if found is None:
                return _Out(MATCH_ALL)
            if not self.negations:
                self.free_text.append(node.value.text)
            return self.leaf(found)
        if isinstance(node, FieldMatch):
            return self.leaf(match_leaf(_field(node.field), node.value, self.bind))
        if isinstance(node, FieldRange):
            span = (node.field.start, node.value.end)
            return self.leaf(range_leaf(_field(node.field), node.op, node.value, span, self.bind))
        if isinstance(node, Not):
            self.negations += 1
            inner = self.node(node.item)
            self.negations -= 1
            return _Out(f"NOT ({inner.sql})")
        if isinstance(node, And):
            return self.conjunction([self.node(item) for item in node.items])
        return self.disjunction(node)

    def leaf(self, leaf: Leaf) -> _Out:
        self.columns.add(leaf.column)
        self.scans += leaf.scan
        self.leading_wildcard |= leaf.leading_wildcard
        return _Out(
            leaf.sql,
            eq=frozenset({leaf.column}) if leaf.equality else frozenset(),
            bounded=frozenset({leaf.column}) if leaf.bounded else frozenset(),
        )

    def conjunction(self, parts: list[_Out]) -> _Out:
        kept = [p for p in parts if p.sql != MATCH_ALL] or [_Out(MATCH_ALL)]
        if len(kept) == 1:
            return kept[0]
        return _Out(
            " AND ".join(f"({p.sql})" if p.compound else p.sql for p in kept),
            compound=True,
            eq=frozenset().union(*(p.eq for p in kept)),
            bounded=frozenset().union(*(p.bounded for p in kept)),
        )

    def disjunction(self, node: Or) -> _Out:
        # Equalities on one enum or id column merge into `column IN {p:Array(String)}`.
        sets: dict[str, tuple[Field, list[str]]] = {}
        order: list[Node | str] = []
        for item in node.items:
            if isinstance(item, FieldMatch):
                found = _field(item.field)
                members = set_values(found, item.value)
                if members is not None:
                    if found.column not in sets:
                        sets[found.column] = (found, [])
                        order.append(found.column)
                    sets[found.column][1].extend(members)
                    continue
            order.append(item)
        parts = [
            self.leaf(render_set(sets[i][0], tuple(sets[i][1]), self.bind))
            if isinstance(i, str)
            else self.node(i)
            for i in order
        ]
        if len(parts) == 1:
            return parts[0]
        every = parts[0]
        return _Out(
            " OR ".join(f"({p.sql})" if p.compound else p.sql for p in parts),
            compound=True,
            eq=every.eq.intersection(*(p.eq for p in parts[1:])),
            bounded=(every.bounded | every.eq).intersection(*(p.bounded | p.eq for p in parts)),
        )


def _field(ref: FieldRef) -> Field:
    found = resolve(ref.name)
    if found is not None:
        return found
    guess = closest(ref.name)
    hint = f"; did you mean {guess!r}?" if guess else "."
    raise KqlError(
        f"unknown field {ref.name!r}{hint} Valid fields: {', '.join(FIELD_NAMES)}",
        code="unknown_field",
        start=ref.start,
        end=ref.end,
        valid=FIELD_NAMES,
        did_you_mean=guess,
    )


def compile_query(text: str, *, param_prefix: str = "q") -> CompiledQuery:
    """Compile KQL to a ClickHouse boolean expression over ``log_entries`` with bound params.

    Raises :class:`KqlError` (a ``ValueError``) for anything the user has to fix: syntax,
    unknown fields, invalid values, unsupported operators, size limits. ``param_prefix`` keeps
    the parameter names apart from the caller's own (``q0``, ``q1`` … by default).
    """
    if not _PREFIX.fullmatch(param_prefix):
        raise ValueError(f"param_prefix must be a short identifier, got {param_prefix!r}")
    tree = parse(text)
    compiler = _Compiler(param_prefix)
    try:
        out = compiler.node(tree)
    except KqlError as exc:
        raise exc.locate(text) from None
    eq = out.eq
    ranged = out.bounded - eq
    return CompiledQuery(
        where=out.sql,
        params=compiler.params,
        fields=compiler.columns,
        free_text=compiler.free_text,
        selectivity=Selectivity(
            equality_columns=eq,
            range_columns=ranged,
            selective=bool(eq & SELECTIVE_COLUMNS),
            uses_sort_key=bool((eq | ranged) & SORT_KEY_COLUMNS),
            uses_skip_index=bool(eq & SKIP_INDEX_COLUMNS),
            scan_terms=compiler.scans,
            leading_wildcard=compiler.leading_wildcard,
            match_all=out.sql == MATCH_ALL,
        ),
    )
