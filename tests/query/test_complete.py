"""Autocomplete: fields, operators, values and conjunctions at the cursor, with replace ranges."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from remedyiq_query import FIELD_NAMES, Suggestions, suggest


def texts(result: Suggestions, kind: str | None = None) -> list[str]:
    return [item.text for item in result.items if kind is None or item.kind == kind]


def test_empty_query_offers_every_field_then_not() -> None:
    result = suggest("", 0, limit=100)
    assert texts(result, "field") == list(FIELD_NAMES)
    assert texts(result, "keyword") == ["not"]
    assert result.context == ("field",)
    duration = next(i for i in result.items if i.text == "duration")
    assert duration.detail.startswith("duration ·")
    assert (duration.start, duration.end) == (0, 0)


def test_typing_a_field_name_filters_and_replaces_the_word() -> None:
    result = suggest("type:API and us", 15)
    assert texts(result, "field") == ["user"]
    assert (result.start, result.end) == (13, 15)
    assert all((i.start, i.end) == (13, 15) for i in result.items)
    # aliases and column names complete too
    assert texts(suggest("trace_", 6), "field") == ["trace_id"]
    assert "log_type" in texts(suggest("log", 3), "field")


def test_cursor_inside_a_word_replaces_all_of_it() -> None:
    result = suggest("type:API and durat > 5", 15)
    assert (result.start, result.end) == (13, 18)
    assert texts(result, "field") == ["duration"]


def test_operators_after_a_field() -> None:
    exact = suggest("duration", 8)
    assert texts(exact, "operator") == [":", ">=", ">", "<", "<="]
    assert all((i.start, i.end) == (8, 8) for i in exact.items if i.kind == "operator")
    spaced = suggest("user ", 5)
    assert texts(spaced, "operator") == [":"]  # strings have no ranges
    assert spaced.context[0] == "operator"
    assert texts(suggest("nofield ", 8), "operator") == []


def test_enum_and_bool_values() -> None:
    result = suggest("type:", 5)
    assert result.field == "type"
    assert result.context == ("value",)
    assert texts(result, "value") == ["API", "SQL", "FLTR", "ESCL", "USER", "THRD", "ALRT",
                                      "OTHER", "*"]  # fmt: skip
    partial = suggest("type:a", 6)
    assert texts(partial) == ["API", "ALRT"]
    assert (partial.start, partial.end) == (5, 6)
    assert texts(suggest("kind:call_", 10)) == ["call_open", "call_orphan_end"]
    assert texts(suggest("status:", 7), "value") == ["true", "false", "ok", "failed", "*"]


def test_values_inside_a_group() -> None:
    result = suggest("type:(API or ", 13)
    assert result.field == "type"
    assert "SQL" in texts(result, "value")
    assert texts(result, "keyword") == ["not"]


def test_value_provider_for_string_fields() -> None:
    calls: list[tuple[str, str]] = []

    def provider(column: str, prefix: str) -> list[str]:
        calls.append((column, prefix))
        return ["Demo", "Demo User", 'say "hi"']

    result = suggest("user:De", 7, value_provider=provider)
    assert calls == [("user", "De")]
    assert texts(result, "value") == ["Demo", '"Demo User"', '"say \\"hi\\""']
    assert (result.start, result.end) == (5, 7)
    quoted = suggest('form:"HPD:He', 12, value_provider=provider)
    assert calls[-1] == ("form", "HPD:He")
    assert (quoted.start, quoted.end) == (5, 12)
    assert texts(suggest("user:", 5), "value") == ["*"]  # no provider: only "exists"


def test_conjunctions_after_a_complete_term() -> None:
    result = suggest("type:API ", 9)
    assert texts(result, "keyword")[:2] == ["and", "or"]
    assert "conjunction" in result.context
    assert texts(suggest("type:API a", 10), "keyword") == ["and"]
    assert texts(suggest("type:API o", 10), "keyword") == ["or"]


def test_after_a_range_operator_no_values_are_invented() -> None:
    result = suggest("duration >= ", 12)
    assert result.context == ("value",)
    assert result.field == "duration"
    assert result.items == ()


def test_broken_prefix_reports_the_error() -> None:
    result = suggest("a or or (", 9)
    assert result.items == ()
    assert result.error is not None
    assert "keyword" in result.error


def test_cursor_is_clamped_and_limit_applies() -> None:
    assert len(suggest("", 99, limit=5).items) == 5
    assert suggest("type:", -3).start == 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.integers(min_value=-5, max_value=70))
def test_suggest_never_raises_and_ranges_stay_in_the_text(text: str, cursor: int) -> None:
    result = suggest(text, cursor)
    at = max(0, min(cursor, len(text)))
    assert result.start <= at <= result.end <= len(text)
    for item in result.items:
        assert 0 <= item.start <= item.end <= len(text)
