"""Command line: ``python -m remedyiq_arlog.generator -o FILE [--size 100MB | --lines N] …``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from .config import (
    DB_DIALECTS,
    LOCALES,
    LOG_FORMATS,
    TIMESTAMP_STYLES,
    GeneratorConfig,
    parse_anomalies,
    parse_size,
)
from .engine import generate

T = TypeVar("T")


def _checked(parse: Callable[[str], T]) -> Callable[[str], T]:
    """Let argparse show the parser's own error message."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__
    return convert


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m remedyiq_arlog.generator",
        description="Write a realistic BMC Remedy AR System server log (API/SQL/FLTR/ESCL).",
    )
    p.add_argument("-o", "--output", required=True, help="log file to write ('-' = stdout)")
    size = p.add_mutually_exclusive_group()
    size.add_argument(
        "--size", type=_checked(parse_size), help="target size: 500kB, 100MB, 1GB, 64MiB"
    )
    size.add_argument("--lines", type=int, help="target number of lines (default 10000)")
    p.add_argument("--seed", type=int, default=1, help="same seed → same bytes (default 1)")
    p.add_argument(
        "--format",
        choices=LOG_FORMATS,
        default="trid",
        help="trid: 19.x+ header with <TrID: …>; legacy: 9.1 header without it",
    )
    p.add_argument(
        "--timestamps",
        choices=TIMESTAMP_STYLES,
        default="classic",
        help="classic: …14:47:03.3760; classic4: 4th digit filled; iso: 25.x ISO-8601",
    )
    p.add_argument(
        "--locale",
        choices=LOCALES,
        default="en",
        help="day/month names (de = Java 8 'Mo Nov', de-cldr = Java 11+ 'Mo. Nov.')",
    )
    p.add_argument("--db", choices=DB_DIALECTS, default="mssql", help="SQL dialect")
    p.add_argument(
        "--anomalies",
        type=_checked(parse_anomalies),
        default="all",
        help="all | none | comma list of kinds (all excludes invalid_bytes)",
    )
    p.add_argument(
        "--start",
        type=datetime.fromisoformat,
        default=datetime(2025, 11, 24, 14),
        help="time of the first line, read as UTC (default 2025-11-24T14:00:00)",
    )
    p.add_argument("--crlf", action="store_true", help="Windows line endings")
    p.add_argument("--truth", type=Path, help="write the truth figures as JSON to this file")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    start: datetime = args.start
    if start.tzinfo is not None:  # an explicit offset: convert, the log is written in UTC
        start = start.astimezone(UTC).replace(tzinfo=None)
    config = GeneratorConfig(
        seed=args.seed,
        target_bytes=args.size,
        target_lines=args.lines,
        log_format=args.format,
        timestamps=args.timestamps,
        locale=args.locale,
        db=args.db,
        anomalies=args.anomalies,
        start=start,
        line_ending="crlf" if args.crlf else "lf",
    )
    began = time.perf_counter()
    if args.output == "-":
        truth = generate(config, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        with open(args.output, "wb", buffering=1 << 20) as out:
            truth = generate(config, out)
    seconds = time.perf_counter() - began
    if args.truth is not None:
        args.truth.write_text(truth.to_json(), encoding="utf-8")
    if not args.quiet:
        mb = truth.bytes / 1e6
        sys.stderr.write(
            f"wrote {truth.total_lines} lines, {mb:.1f} MB in {seconds:.2f} s "
            f"({mb / max(seconds, 1e-9):.1f} MB/s); log time {truth.elapsed_s:.1f} s\n"
        )
    return 0
