"""KQL for AR log entries, compiled to parameterized ClickHouse SQL over an allow-list of fields.

    from remedyiq_query import compile_query, suggest, KqlError

    q = compile_query('type:API and duration >= 2s and not user:(Demo or Allen)')
    q.where   # "log_type = {q0:String} AND duration_ms >= {q1:Int64} AND NOT (…)"
    q.params  # {"q0": "API", "q1": 2000, "q2": "Demo", "q3": "Allen"}

Pure: no I/O, no ClickHouse client. See ``syntax`` for the grammar, ``fields`` for the fields.
"""

from __future__ import annotations

from .compiler import CompiledQuery, Selectivity, compile_query
from .complete import Suggestion, Suggestions, ValueProvider, suggest
from .errors import KqlError
from .fields import FIELD_NAMES, FIELDS, Field, FieldType, Match, resolve
from .syntax import MAX_DEPTH, MAX_QUERY_BYTES, MAX_TERMS

__all__ = [
    "FIELDS",
    "FIELD_NAMES",
    "MAX_DEPTH",
    "MAX_QUERY_BYTES",
    "MAX_TERMS",
    "CompiledQuery",
    "Field",
    "FieldType",
    "KqlError",
    "Match",
    "Selectivity",
    "Suggestion",
    "Suggestions",
    "ValueProvider",
    "compile_query",
    "resolve",
    "suggest",
]
