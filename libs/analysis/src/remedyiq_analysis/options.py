"""From the analyzer options a user gives to the record filters the parser applies."""

from __future__ import annotations

from remedyiq_analysis.report import AnalysisOptions
from remedyiq_analysis.timefmt import parse_iso_ms
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.schema import LogType


def parse_options(options: AnalysisOptions) -> ParseOptions:
    """Begin/end, users, Client-RPC, types, FTS and locale filter records while parsing (as in
    the reference); top N only sizes the gap candidates kept."""
    return ParseOptions(
        begin_ms=parse_iso_ms(options.begin) if options.begin else None,
        end_ms=parse_iso_ms(options.end) if options.end else None,
        users=frozenset(options.users),
        exclude_users=frozenset(options.exclude_users),
        client_rpc=options.client_rpc,
        types=frozenset(LogType[t] for t in options.types),
        fts=options.fts,
        locale=options.locale,
        gap_candidates=max(1000, options.top_n),
    )
