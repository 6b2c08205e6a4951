"""Range summaries as JSON, so parser replicas can hand them to the job's coordinator.

Only the library's own types are encoded (each object tagged with its type name); decoding
rebuilds exactly those types and nothing else, so a summary is data, never code.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from typing import Any, Final

from remedyiq_arlog.api import ApiState, BeginInfo, OpenCall
from remedyiq_arlog.escl import EsclState, OpenRun, PoolHead
from remedyiq_arlog.fltr import FilterHead, FltrState, OpenCheck
from remedyiq_arlog.gaps import GapBoard
from remedyiq_arlog.records import RECORD_ATTRIBUTES, Record, restore_record
from remedyiq_arlog.sql import SqlState
from remedyiq_arlog.summary import GapSeed, ParseStats, RangeSummary

_TYPES: Final[dict[str, type]] = {
    cls.__name__: cls
    for cls in (
        ApiState,
        BeginInfo,
        OpenCall,
        EsclState,
        OpenRun,
        PoolHead,
        FilterHead,
        FltrState,
        OpenCheck,
        GapBoard,
        Record,
        SqlState,
        ParseStats,
        RangeSummary,
        GapSeed,
    )
}
_TAG: Final = "__t"


def _encode(value: Any) -> Any:
    if isinstance(value, Record):
        return {
            _TAG: "Record",
            **{name: _encode(getattr(value, name)) for name in RECORD_ATTRIBUTES},
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {_TAG: type(value).__name__, **fields}
    if isinstance(value, dict):
        return {"__d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        encoded = [_encode(item) for item in value]
        return {"__tuple": encoded} if isinstance(value, tuple) else encoded
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot encode {type(value).__name__} in a range summary")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__d" in value:
        return {_freeze(_decode(k)): _decode(v) for k, v in value["__d"]}
    if "__tuple" in value:
        return tuple(_decode(item) for item in value["__tuple"])
    name = value.get(_TAG)
    cls = _TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown type {name!r} in a range summary")
    attributes = {key: _decode(item) for key, item in value.items() if key != _TAG}
    return restore_record(attributes) if cls is Record else cls(**attributes)


def _freeze(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def dumps(summary: RangeSummary) -> bytes:
    """gzip-compressed JSON of a summary."""
    text = json.dumps(_encode(summary), separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8", "surrogateescape"), compresslevel=5)


def loads(data: bytes) -> RangeSummary:
    summary = _decode(json.loads(gzip.decompress(data).decode("utf-8", "surrogateescape")))
    if not isinstance(summary, RangeSummary):
        raise ValueError("not a range summary")
    return summary
