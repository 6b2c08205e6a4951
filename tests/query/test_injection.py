"""No user text reaches the SQL: hostile queries compile to placeholders or raise KqlError."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remedyiq_query import FIELD_NAMES, CompiledQuery, KqlError, compile_query
from remedyiq_query.fields import COLUMNS, HEADER_RUNS, LOG_TYPES, RENDERED

PLACEHOLDER = re.compile(
    r"\{([A-Za-z_][A-Za-z0-9_]*):(String|Int64|Float64|Bool|Array\(String\))\}"
)
# What may remain once placeholders are removed: words, the digits 0/1, comparison operators,
# parentheses, commas and single spaces. No quotes, backticks, semicolons, comments or dots.
RESIDUE = re.compile(r"[A-Za-z0-9_ (),=!<>]*")
SQL_WORDS = frozenset(
    {"AND", "OR", "NOT", "IN", "LIKE", "ILIKE"}
    | {"lowerUTF8", "positionCaseInsensitiveUTF8", "notEmpty", "empty", "fromUnixTimestamp64Milli"}
)
# free text also tests the fields of headers rendered from the columns: constants of `fields`
HEADER_WORDS = {"startsWith", "concat", "rightPadUTF8"} | {
    str(width) for _, _, width, _ in HEADER_RUNS
}
CONSTANTS = [f"'{label}'" for label, *_ in HEADER_RUNS if label] + ["' '"]
CONSTANTS += [f"'{tag}'" for tag in LOG_TYPES]
CONSTANTS += [f"'\\x{ord(mark):02X}'" for mark in RENDERED]
VOCABULARY = SQL_WORDS | COLUMNS | HEADER_WORDS | {"0", "1"}


def _without_constants(where: str) -> str:
    for constant in CONSTANTS:
        where = where.replace(constant, " ")
    return where


def assert_safe(compiled: CompiledQuery) -> None:
    """The WHERE text is built only from the vocabulary and placeholders of bound params."""
    names = [m.group(1) for m in PLACEHOLDER.finditer(compiled.where)]
    assert set(names) == set(compiled.params), (names, compiled.params)
    residue = _without_constants(PLACEHOLDER.sub(" ", compiled.where))
    assert RESIDUE.fullmatch(residue), residue
    for word in re.findall(r"[A-Za-z0-9_]+", residue):
        assert word in VOCABULARY, word
    assert compiled.fields <= COLUMNS
    for value in compiled.params.values():
        assert isinstance(value, str | int | float | bool | list)


ATTACKS = [
    "' OR 1=1 --",
    "user:' OR '1'='1",
    'user:"\' OR 1=1; DROP TABLE log_entries; --"',
    "user:`whoami`",
    "user:x;DROP",
    'raw:"/* comment */ SELECT 1"',
    "error:--",
    'form:"); DROP TABLE log_entries; --"',
    "SELECT * FROM system.users",
    '"UNION SELECT password FROM users"',
    "user:(admin or \"x') OR ('1'='1\")",
    "form:%_\\\\",
    "line:1 OR 1=1",
    'user:"{q0:String}"',
    "user:x\\;DROP\\ TABLE\\ t",
    "trace:1\\)\\ OR\\ 1\\=1",
    'sql:"sleep(10)"',
    "raw:\x00\x01\x1b[31m",
    "user:Робер'т",
]


@pytest.mark.parametrize("query", ATTACKS)
def test_attacks_are_bound_as_values(query: str) -> None:
    compiled = compile_query(query)
    assert_safe(compiled)
    where = _without_constants(compiled.where)
    for marker in ("'", '"', "`", ";", "--", "/*", "DROP", "SELECT", "1=1", "system."):
        assert marker not in where


@pytest.mark.parametrize(
    "query",
    [
        "user);DROP TABLE log_entries;--:x",
        "user\\)\\;DROP:x",
        "`user`:x",
        "log_entries.user:x",
        "tenant_id:other",
        "job_id:x",
        "user/**/:x",
        "1=1:x",
        "type:API'",
        "type:API\\' OR \\'1",
        "user:{q0:String}",
        "duration > 1;DROP",
        "time > '2024-01-01'",
    ],
)
def test_hostile_field_names_and_typed_values_are_rejected(query: str) -> None:
    with pytest.raises(KqlError) as caught:
        compile_query(query)
    assert caught.value.code in ("syntax", "unknown_field", "bad_value")


def test_tenant_and_job_are_not_searchable() -> None:
    assert "tenant_id" not in COLUMNS
    assert "job_id" not in COLUMNS
    assert "tenant" not in FIELD_NAMES


TOKENS = st.sampled_from(
    [*FIELD_NAMES, "tenant_id", "type", ":", ":", " ", " ", "(", ")", '"', "\\", "*", ">=", "<",
     "and", "OR", "not", "API", "2s", "2024-01-15", "'", ";", "--", "/*", "*/", "`", "{", "}",
     "=", "%", "_", "é", "\n", "DROP", "1=1", "{q0:String}"]
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), st.lists(TOKENS, max_size=25).map("".join)))
def test_any_text_compiles_safely_or_raises(text: str) -> None:
    outcome = compile_or_error(text)
    if isinstance(outcome, KqlError):
        assert 0 <= outcome.start <= len(text)
        assert outcome.start <= outcome.end
    else:
        assert_safe(outcome)


def compile_or_error(text: str) -> CompiledQuery | KqlError:
    try:
        return compile_query(text)
    except KqlError as exc:
        return exc
