"""Errors a user can act on: what is wrong, where (0-based, to underline), and what would fit."""

from __future__ import annotations

import pytest

from remedyiq_query import FIELD_NAMES, MAX_DEPTH, MAX_QUERY_BYTES, MAX_TERMS, KqlError
from remedyiq_query import compile_query as compile_kql


def error(query: str) -> KqlError:
    with pytest.raises(KqlError) as caught:
        compile_kql(query)
    return caught.value


@pytest.mark.parametrize(
    ("query", "start", "end", "fragment"),
    [
        ("a or", 4, 5, "ends too early"),
        ("(a", 2, 3, "expected ')'"),
        ("a)", 1, 2, "no matching '('"),
        ('x "abc', 2, 3, "never closed"),
        ("user:", 5, 6, "expected a value"),
        ("duration >=", 11, 12, "expected a value"),
        ("x\\", 1, 2, "backslash"),
        ("user:{a}", 5, 6, "braces"),
        ("a = b", 2, 3, "not an operator"),
        ("a and or b", 6, 8, "keyword"),
        ("or", 0, 2, "keyword"),
        ("user:(a or )", 11, 12, "unexpected ')'; expected a value"),
        ("user::a", 5, 6, "unexpected ':'"),
        ("a >= 5", 0, 1, "unknown field 'a'"),
    ],
)
def test_syntax_errors_point_at_the_fault(
    query: str, start: int, end: int, fragment: str | None
) -> None:
    err = error(query)
    assert (err.start, err.end) == (start, end), err.message
    if fragment:
        assert fragment in err.message
    assert err.line == 0
    assert err.column == start


def test_expected_lists_what_fits() -> None:
    err = error("a or")
    assert err.code == "syntax"
    assert "a word or field name" in err.expected
    assert "'not'" in err.expected
    assert "')'" in error("(a").expected


def test_multiline_positions_and_pointer() -> None:
    err = error("type:API\n  and )")
    assert (err.line, err.column, err.start) == (1, 6, 15)
    assert err.pointer() == "  and )\n      ^"
    body = err.to_dict()
    assert body["line"] == 1
    assert body["column"] == 6
    assert body["code"] == "syntax"


def test_unknown_field_lists_fields_and_suggests_the_closest() -> None:
    err = error("type:API and usr:Demo")
    assert err.code == "unknown_field"
    assert (err.start, err.end) == (13, 16)
    assert err.did_you_mean == "user"
    assert "did you mean 'user'?" in err.message
    assert err.valid == FIELD_NAMES
    assert "duration" in err.message
    assert "trace" in err.message
    assert error("durration > 5").did_you_mean == "duration"
    far = error("zzzzqqq:1")
    assert far.did_you_mean is None
    assert "Valid fields:" in far.message


def test_unknown_field_inside_a_value_group_and_range() -> None:
    assert error("nope:(a or b)").start == 0
    assert error("x and nope >= 5").start == 6


def test_enum_values_are_validated() -> None:
    err = error("type:APIX")
    assert err.code == "bad_value"
    assert (err.start, err.end) == (5, 9)
    assert err.valid == ("API", "SQL", "FLTR", "ESCL", "USER", "THRD", "ALRT", "OTHER")
    assert err.did_you_mean == "API"
    assert "valid values: API, SQL" in err.message
    assert error("kind:zz*").valid[0] == "line"  # a wildcard that matches nothing
    assert error("result:(passed or maybe)").start == 18
    assert "true, false, ok, failed" in error("status:perhaps").message


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("duration:2x", "duration such as"),
        ("duration > 1d", "duration such as"),
        ("line:1.5", "whole number"),
        ("line > 99999999999999999999", "whole number"),
        ("queue_time > abc", "duration such as"),
        ("time > yesterday", "ISO-8601"),
        ("time > 2024-13-01", "ISO-8601"),
        ('time > "2024-01-15 25:00"', "ISO-8601"),
    ],
)
def test_bad_typed_values(query: str, fragment: str) -> None:
    err = error(query)
    assert err.code == "bad_value"
    assert fragment in err.message


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("user >= 5", "comparisons"),
        ("type > API", "comparisons"),
        ("status < true", "comparisons"),
        ("duration:5*", "wildcards"),
        ("time:2024*", "wildcards"),
        ("status:t*", "wildcards"),
    ],
)
def test_unsupported_operators(query: str, fragment: str) -> None:
    err = error(query)
    assert err.code == "unsupported"
    assert fragment in err.message


def test_length_limit() -> None:
    assert compile_kql("a" * MAX_QUERY_BYTES).params == {"q0": "a" * MAX_QUERY_BYTES}
    err = error("a" * (MAX_QUERY_BYTES + 1))
    assert err.code == "limit"
    assert err.start == MAX_QUERY_BYTES
    # the limit counts UTF-8 bytes, not characters
    assert error("é" * (MAX_QUERY_BYTES // 2 + 1)).start == MAX_QUERY_BYTES // 2


def test_depth_limit() -> None:
    compile_kql("not " * (MAX_DEPTH - 1) + "a")
    assert error("not " * MAX_DEPTH + "a").code == "limit"
    nested = "a and (b or " * MAX_DEPTH + "c" + ")" * MAX_DEPTH
    assert error(nested).code == "limit"
    # parentheses alone add no depth
    compile_kql("(" * 500 + "a" + ")" * 500)


def test_term_limit() -> None:
    compile_kql(" ".join(["a"] * MAX_TERMS))
    assert error(" ".join(["a"] * (MAX_TERMS + 1))).code == "limit"
    group = "user:(" + " or ".join(["x"] * (MAX_TERMS + 1)) + ")"
    assert error(group).code == "limit"


def test_kql_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        compile_kql("nope:1")
