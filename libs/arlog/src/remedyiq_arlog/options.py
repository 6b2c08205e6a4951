"""Which records an analysis looks at — the reference analyzer's record filters.

These apply while parsing (as in the reference: a call begun inside ``-e`` but ended after it is an
exception). Report-shape options (top N, grouping, sort) belong to the analysis, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from remedyiq_arlog.schema import LogType


@dataclass(frozen=True, slots=True)
class ParseOptions:
    begin_ms: int | None = None  # -b: analyse records at or after this time
    end_ms: int | None = None  # -e: … at or before this time (inclusive)
    users: frozenset[str] = frozenset()  # -u: only these USER values (exact)
    exclude_users: frozenset[str] = frozenset()  # -nu
    client_rpc: int | None = None  # -c: only this Client-RPC program number
    types: frozenset[LogType] = field(
        default_factory=lambda: frozenset({LogType.API, LogType.SQL, LogType.FLTR, LogType.ESCL})
    )  # -noapi / -nosql / -nofltr / -noesc remove one
    fts: bool = False  # -fts: analyse records of the FTS queue too
    locale: str | None = None  # -l: force the timestamp locale
    gap_candidates: int = 1000  # gap rows kept per kind (the top-N of gap tables is capped by it)

    def to_dict(self) -> dict[str, object]:
        return {
            "begin_ms": self.begin_ms,
            "end_ms": self.end_ms,
            "users": sorted(self.users),
            "exclude_users": sorted(self.exclude_users),
            "client_rpc": self.client_rpc,
            "types": sorted(t.name for t in self.types),
            "fts": self.fts,
            "locale": self.locale,
            "gap_candidates": self.gap_candidates,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ParseOptions:
        def ints(key: str) -> int | None:
            value = data.get(key)
            return int(value) if isinstance(value, (int, str)) else None

        def names(key: str) -> frozenset[str]:
            value = data.get(key) or []
            return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()

        types = names("types")
        return cls(
            begin_ms=ints("begin_ms"),
            end_ms=ints("end_ms"),
            users=names("users"),
            exclude_users=names("exclude_users"),
            client_rpc=ints("client_rpc"),
            types=frozenset(LogType[t] for t in types) if types else cls().types,
            fts=bool(data.get("fts", False)),
            locale=str(data["locale"]) if data.get("locale") else None,
            gap_candidates=ints("gap_candidates") or 1000,
        )
