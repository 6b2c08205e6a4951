"""The ``remedyiq`` command."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from remedyiq_analysis.render import render_html, render_json, render_text
from remedyiq_analysis.report import Report
from remedyiq_arlog.sources import InputError
from remedyiq_cli import analyze_cmd, client_cmds, platform_cmds, stack


def _render(report: Report, fmt: str, duration_s: float) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "html":
        return render_html(report)
    return render_text(report, duration_s=duration_s)


def _analyze(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        options = analyze_cmd.options_from_args(args)
        report = analyze_cmd.run_analysis(
            args.paths,
            options,
            db_dir=args.db,
            workers=args.workers,
            progress=not args.quiet and sys.stderr.isatty(),
            raw_text=args.raw_text,
        )
    except InputError as exc:
        print(f"remedyiq: {exc}", file=sys.stderr)
        return 1
    output = _render(report, args.format, time.monotonic() - started)
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
        print(f"report written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="remedyiq", description="Understand BMC Remedy AR System servers from their logs."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    analyze = commands.add_parser(
        "analyze", help="analyse AR System logs on this machine (ARLogAnalyzer-compatible report)"
    )
    analyze_cmd.add_arguments(analyze)
    analyze.set_defaults(handler=_analyze)

    up = commands.add_parser("up", help="run the whole platform on this machine (local servers)")
    stack.add_arguments(up)
    up.set_defaults(handler=stack.up_command)

    serve = commands.add_parser("serve", help="run one service (one process per service)")
    platform_cmds.add_serve_arguments(serve)
    serve.set_defaults(handler=platform_cmds.serve_command)

    migrate = commands.add_parser("migrate", help="apply PostgreSQL and ClickHouse migrations")
    migrate.set_defaults(handler=platform_cmds.migrate_command)

    submit = commands.add_parser("submit", help="upload logs to a running platform and analyse")
    client_cmds.add_submit_arguments(submit)
    submit.set_defaults(handler=client_cmds.submit_command)

    report = commands.add_parser("report", help="print a job's stored report")
    client_cmds.add_report_arguments(report)
    report.set_defaults(handler=client_cmds.report_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
