"""What each kind of query compiles to: SQL text and bound parameters, exactly."""

from __future__ import annotations

import pytest

from remedyiq_query import CompiledQuery, compile_query
from remedyiq_query.fields import HEADER_RUNS, LOG_TYPES

POS = "positionCaseInsensitiveUTF8(raw_lines, {%s:String}) > 0"
MARKS = "startsWith(raw_lines, '\\x1C') OR startsWith(raw_lines, '\\x1D')"
TRID = "startsWith(raw_lines, '\\x1C')"
RUNS = HEADER_RUNS[1:]  # a rendered header's (label, column, padding, characters) after its tag
TAGS = [tag[:4].ljust(4) for tag in LOG_TYPES]


def pos(name: str, text: str) -> str:
    """Free text read packed: in the stored lines, or in a header rendered from the columns."""
    return f"({POS % name} OR {in_header(name, text)})"


def in_header(name: str, text: str) -> str:
    """``text`` in a header rendered from the columns: a label's word is in every one, a type
    tag's in the rows of that type; a word is looked for in the columns whose values may hold
    it (TID and RPC ID: digits; TrID: ASCII letters, digits, ``_-:``), a phrase in label and
    padded value; TrID only in the rows of the layout that has it."""
    word = text.lower()
    phrase = " " in text or ":" in text
    tags = [tag.strip() for tag in TAGS if word in tag.lower()]
    found = [f"log_type IN ({', '.join(repr(t) for t in tags)})"] if tags else []
    trace: list[str] = []
    for label, column, width, allowed in RUNS:
        if word in label.lower():
            test = "1"
        elif phrase:
            padded = f"rightPadUTF8({column}, {width}, ' ')" if width else column
            test = (
                f"positionCaseInsensitiveUTF8(concat('{label}', {padded}), {{{name}:String}}) > 0"
            )
        elif allowed is not None and not set(word) <= {c.lower() for c in allowed}:
            continue
        else:
            test = f"positionCaseInsensitiveUTF8({column}, {{{name}:String}}) > 0"
        (trace if column == "trace_id" else found).append(test)
    found += [f"(({' OR '.join(trace)}) AND {TRID})"] if trace else []
    return f"(({' OR '.join(found)}) AND ({MARKS}))" if found else "0"


CASES: list[tuple[str, str, dict[str, object]]] = [
    # empty and match-all
    ("", "1", {}),
    ("   \n\t", "1", {}),
    ("*", "1", {}),
    # fielded strings: case-insensitive names, exact ids, substring text columns
    ("user:Demo", "lowerUTF8(user) = lowerUTF8({q0:String})", {"q0": "Demo"}),
    ("USER:Demo", "lowerUTF8(user) = lowerUTF8({q0:String})", {"q0": "Demo"}),
    ('form:"HPD:Help Desk"', "lowerUTF8(form) = lowerUTF8({q0:String})", {"q0": "HPD:Help Desk"}),
    ("form:HPD:HelpDesk", "lowerUTF8(form) = lowerUTF8({q0:String})", {"q0": "HPD:HelpDesk"}),
    ("trace:AbC123", "trace_id = {q0:String}", {"q0": "AbC123"}),
    ("trace_id:x", "trace_id = {q0:String}", {"q0": "x"}),
    ("thread:0000000123", "thread_id = {q0:String}", {"q0": "0000000123"}),
    ("rpc_id:42", "rpc_id = {q0:String}", {"q0": "42"}),
    ('ip:"::1"', "client_ip = {q0:String}", {"q0": "::1"}),
    ("ip:10.0.0.1", "client_ip = {q0:String}", {"q0": "10.0.0.1"}),
    ("api:GE", "lowerUTF8(api_code) = lowerUTF8({q0:String})", {"q0": "GE"}),
    ("error:timeout", "positionCaseInsensitiveUTF8(error_message, {q0:String}) > 0",
     {"q0": "timeout"}),
    ("sql:\"select * from T1\"",
     "positionCaseInsensitiveUTF8(sql_statement, {q0:String}) > 0", {"q0": "select * from T1"}),
    ("table:T100", "positionCaseInsensitiveUTF8(sql_table, {q0:String}) > 0", {"q0": "T100"}),
    ("filter:HPD\\:Set\\ Status",
     "lowerUTF8(filter_name) = lowerUTF8({q0:String})", {"q0": "HPD:Set Status"}),
    ("escalation:E1", "lowerUTF8(esc_name) = lowerUTF8({q0:String})", {"q0": "E1"}),
    ("pool:3", "lowerUTF8(esc_pool) = lowerUTF8({q0:String})", {"q0": "3"}),
    ("raw:x", pos("q0", "x"), {"q0": "x"}),
    ('user:""', "empty(user)", {}),
    # exists
    ("form:*", "notEmpty(form)", {}),
    ("result:*", "filter_result != {q0:String}", {"q0": "none"}),
    ("duration:*", "duration_ms != 0", {}),
    ("type:*", "1", {}),
    ("status:*", "1", {}),
    # wildcards: anchored on whole-value fields, anywhere on text fields, LIKE for exact ids
    ("form:HPD*", "form ILIKE {q0:String}", {"q0": "HPD%"}),
    ("form:*Desk", "form ILIKE {q0:String}", {"q0": "%Desk"}),
    ("form:*mid*", "form ILIKE {q0:String}", {"q0": "%mid%"}),
    ("form:a**b", "form ILIKE {q0:String}", {"q0": "a%b"}),
    ("trace:ab*", "trace_id LIKE {q0:String}", {"q0": "ab%"}),
    ("error:time*out", "error_message ILIKE {q0:String}", {"q0": "%time%out%"}),
    ("form:100%_off*", "form ILIKE {q0:String}", {"q0": "100\\%\\_off%"}),
    ("form:back\\\\slash*", "form ILIKE {q0:String}", {"q0": "back\\\\slash%"}),
    ("form:star\\*lit", "lowerUTF8(form) = lowerUTF8({q0:String})", {"q0": "star*lit"}),
    ('form:"star*lit"', "lowerUTF8(form) = lowerUTF8({q0:String})", {"q0": "star*lit"}),
    # enums: validated, case-normalised, wildcards expanded, groups merged into IN
    ("type:api", "log_type = {q0:String}", {"q0": "API"}),
    ("log_type:FLTR", "log_type = {q0:String}", {"q0": "FLTR"}),
    ("kind:call*", "kind IN {q0:Array(String)}", {"q0": ["call", "call_open", "call_orphan_end"]}),
    ("result:failed*", "filter_result IN {q0:Array(String)}", {"q0": ["failed", "failed_else"]}),
    ("type:(API or SQL)", "log_type IN {q0:Array(String)}", {"q0": ["API", "SQL"]}),
    ("type:API or type:sql", "log_type IN {q0:Array(String)}", {"q0": ["API", "SQL"]}),
    ("type:API or type:API", "log_type = {q0:String}", {"q0": "API"}),
    ("trace:(a or b or c)", "trace_id IN {q0:Array(String)}", {"q0": ["a", "b", "c"]}),
    ("phase:start", "phase_marker = {q0:String}", {"q0": "start"}),
    # booleans
    ("status:ok", "success = {q0:Bool}", {"q0": True}),
    ("status:FAILED", "success = {q0:Bool}", {"q0": False}),
    ("success:true", "success = {q0:Bool}", {"q0": True}),
    ("error_encountered:no", "error_encountered = {q0:Bool}", {"q0": False}),
    # numbers and durations
    ("line:42", "line_number = {q0:Int64}", {"q0": 42}),
    ("level >= 2", "filter_level >= {q0:Int64}", {"q0": 2}),
    ("duration >= 500", "duration_ms >= {q0:Int64}", {"q0": 500}),
    ("duration>=2s", "duration_ms >= {q0:Int64}", {"q0": 2000}),
    ("duration > 1.5s", "duration_ms > {q0:Int64}", {"q0": 1500}),
    ("duration < 1m", "duration_ms < {q0:Int64}", {"q0": 60000}),
    ("duration <= 1h", "duration_ms <= {q0:Int64}", {"q0": 3600000}),
    ("duration > 500ms", "duration_ms > {q0:Int64}", {"q0": 500}),
    ("duration > 250us", "duration_ms > {q0:Float64}", {"q0": 0.25}),
    ("duration:2s", "duration_ms = {q0:Int64}", {"q0": 2000}),
    ("queue_time > 1.5", "queue_time_ms > {q0:Float64}", {"q0": 1.5}),
    ("queue_time > 2s", "queue_time_ms > {q0:Int64}", {"q0": 2000}),
    # times: ISO-8601, UTC unless a zone is given, precision-aware
    ("time >= 2024-01-15T10:00:00Z", "timestamp >= fromUnixTimestamp64Milli({q0:Int64})",
     {"q0": 1705312800000}),
    ("time >= 2024-01-15T12:00:00+02:00", "timestamp >= fromUnixTimestamp64Milli({q0:Int64})",
     {"q0": 1705312800000}),
    ('timestamp < "2024-01-15 10:00:00.250"', "timestamp < fromUnixTimestamp64Milli({q0:Int64})",
     {"q0": 1705312800250}),
    ("time > 2024-01-15", "timestamp >= fromUnixTimestamp64Milli({q0:Int64})",
     {"q0": 1705363200000}),
    ("time <= 2024-01-15T10:00", "timestamp < fromUnixTimestamp64Milli({q0:Int64})",
     {"q0": 1705312860000}),
    ("time:2024-01-15",
     "(timestamp >= fromUnixTimestamp64Milli({q0:Int64}) AND "
     "timestamp < fromUnixTimestamp64Milli({q1:Int64}))",
     {"q0": 1705276800000, "q1": 1705363200000}),
    # free text: case-insensitive substring of raw_text, read in its packed column raw_lines
    # when that finds the same rows; wildcards become ILIKE
    ("timeout", pos("q0", "timeout"), {"q0": "timeout"}),
    ('"<NULL"', "positionCaseInsensitiveUTF8(raw_text, {q0:String}) > 0", {"q0": "<NULL"}),
    ('"<NULL>"', "positionCaseInsensitiveUTF8(raw_text, {q0:String}) > 0", {"q0": "<NULL>"}),
    ('"a\nb"', "positionCaseInsensitiveUTF8(raw_text, {q0:String}) > 0", {"q0": "a\nb"}),
    ('"connection reset by peer"', pos("q0", "connection reset by peer"),
     {"q0": "connection reset by peer"}),
    ("user", pos("q0", "user"), {"q0": "user"}),
    ("time*out", "raw_text ILIKE {q0:String}", {"q0": "%time%out%"}),
    ("50%_off*", f"(raw_lines ILIKE {{q0:String}} OR {in_header('q1', '50%_off')})",
     {"q0": "%50\\%\\_off%", "q1": "50%_off"}),
    ("*--\\>*", "raw_text ILIKE {q0:String}", {"q0": "%-->%"}),
    ("foo\\:bar", pos("q0", "foo:bar"), {"q0": "foo:bar"}),
    ('"say \\"hi\\""', pos("q0", 'say "hi"'), {"q0": 'say "hi"'}),
    ('"C:\\temp"', pos("q0", "C:\\temp"), {"q0": "C:\\temp"}),
    ('"a\\\\b"', pos("q0", "a\\b"), {"q0": "a\\b"}),
    ("\\and", pos("q0", "and"), {"q0": "and"}),
    ("Ünïcödé", pos("q0", "Ünïcödé"), {"q0": "Ünïcödé"}),
    # boolean structure
    ("a b", f"{pos('q0', 'a')} AND {pos('q1', 'b')}", {"q0": "a", "q1": "b"}),
    ("a AnD b", f"{pos('q0', 'a')} AND {pos('q1', 'b')}", {"q0": "a", "q1": "b"}),
    ("not a", f"NOT ({pos('q0', 'a')})", {"q0": "a"}),
    ("NOT(a)", f"NOT ({pos('q0', 'a')})", {"q0": "a"}),
    ("a or b and not c", f"{pos('q0', 'a')} OR ({pos('q1', 'b')} AND NOT ({pos('q2', 'c')}))",
     {"q0": "a", "q1": "b", "q2": "c"}),
    ("(a or b) and c", f"({pos('q0', 'a')} OR {pos('q1', 'b')}) AND {pos('q2', 'c')}",
     {"q0": "a", "q1": "b", "q2": "c"}),
    ("a or b or c", f"{pos('q0', 'a')} OR {pos('q1', 'b')} OR {pos('q2', 'c')}",
     {"q0": "a", "q1": "b", "q2": "c"}),
    ("((a))", pos("q0", "a"), {"q0": "a"}),
    ("* and a", pos("q0", "a"), {"q0": "a"}),
    ("user:(Demo or Allen)",
     "lowerUTF8(user) = lowerUTF8({q0:String}) OR lowerUTF8(user) = lowerUTF8({q1:String})",
     {"q0": "Demo", "q1": "Allen"}),
    ("user:(a b)",
     "lowerUTF8(user) = lowerUTF8({q0:String}) AND lowerUTF8(user) = lowerUTF8({q1:String})",
     {"q0": "a", "q1": "b"}),
    ("user:(a or not b*)",
     "lowerUTF8(user) = lowerUTF8({q0:String}) OR NOT (user ILIKE {q1:String})",
     {"q0": "a", "q1": "b%"}),
    ("type:API and duration >= 2s and not user:(Demo or Allen)",
     "log_type = {q0:String} AND duration_ms >= {q1:Int64} AND NOT ("
     "lowerUTF8(user) = lowerUTF8({q2:String}) OR lowerUTF8(user) = lowerUTF8({q3:String}))",
     {"q0": "API", "q1": 2000, "q2": "Demo", "q3": "Allen"}),
    ("type:API user:Demo timeout",
     "log_type = {q0:String} AND lowerUTF8(user) = lowerUTF8({q1:String}) AND "
     f"{pos('q2', 'timeout')}",
     {"q0": "API", "q1": "Demo", "q2": "timeout"}),
]  # fmt: skip


@pytest.mark.parametrize(("query", "where", "params"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_compiles_to(query: str, where: str, params: dict[str, object]) -> None:
    compiled = compile_query(query)
    assert compiled.where == where
    assert compiled.params == params
    for name in params:
        assert f"{{{name}:" in compiled.where


def test_precedence_matches_kql_not_and_or() -> None:
    """``a or b and not c`` is ``a or (b and (not c))`` — and implicit AND binds like ``and``."""
    explicit = compile_query("a or (b and (not c))")
    assert compile_query("a or b and not c").where == explicit.where
    assert compile_query("a or b not c").where == explicit.where
    assert compile_query("A OR B AND NOT C").params == {"q0": "A", "q1": "B", "q2": "C"}


def test_param_prefix_keeps_names_apart() -> None:
    compiled = compile_query("user:Demo and line:3", param_prefix="kql_")
    assert compiled.where == (
        "lowerUTF8(user) = lowerUTF8({kql_0:String}) AND line_number = {kql_1:Int64}"
    )
    assert compiled.params == {"kql_0": "Demo", "kql_1": 3}
    with pytest.raises(ValueError, match="param_prefix"):
        compile_query("x", param_prefix="q}; DROP")


def test_fields_and_free_text_are_reported() -> None:
    compiled = compile_query('type:API "conn reset" err* and not trace:t1 and not skipped *')
    assert compiled.fields == {"log_type", "raw_lines", "trace_id"}
    assert compiled.free_text == ["conn reset", "err*"]


def sel(query: str) -> CompiledQuery:
    return compile_query(query)


def test_selectivity_hints() -> None:
    trace = sel("trace:abc and timeout").selectivity
    assert trace.selective
    assert trace.uses_skip_index
    assert trace.equality_columns == {"trace_id"}
    assert trace.scan_terms == 1

    either = sel("trace:a or trace:b").selectivity
    assert either.selective
    assert either.equality_columns == {"trace_id"}

    mixed = sel("trace:a or user:b").selectivity
    assert not mixed.selective
    assert mixed.equality_columns == frozenset()

    negated = sel("not trace:a").selectivity
    assert not negated.selective

    sorted_key = sel("type:API and time >= 2024-01-01").selectivity
    assert sorted_key.uses_sort_key
    assert not sorted_key.selective
    assert sorted_key.range_columns == {"timestamp"}

    thread = sel("thread:123 duration > 1s").selectivity
    assert thread.selective
    assert thread.range_columns == {"duration_ms"}

    assert sel("form:*Desk").selectivity.leading_wildcard
    assert not sel("form:Desk*").selectivity.leading_wildcard
    assert sel("").selectivity.match_all
    assert not sel("a").selectivity.match_all


def test_compiled_queries_are_independent() -> None:
    first = compile_query("user:a")
    second = compile_query("user:b")
    assert first.params == {"q0": "a"}
    assert second.params == {"q0": "b"}
