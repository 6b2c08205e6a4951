"""``remedyiq analyze``: parse, load into an embedded ClickHouse (chDB), analyze, render."""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import ExitStack
from datetime import datetime
from multiprocessing import get_context
from typing import Any, TypeVar

from clickhouse_connect.driver.client import Client
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from remedyiq_analysis.analyze import analyze
from remedyiq_analysis.columnar import gaps_batch, report_entries_batch
from remedyiq_analysis.embedded import SCHEME, open_embedded
from remedyiq_analysis.load import insert_batch, insert_entry_files
from remedyiq_analysis.meta import FileMeta, JobMeta
from remedyiq_analysis.migrate import REPORT_TABLES, migrate_up
from remedyiq_analysis.options import parse_options
from remedyiq_analysis.report import AnalysisOptions, Report
from remedyiq_analysis.scope import JobScope
from remedyiq_arlog.join import Joiner
from remedyiq_arlog.rows import Row
from remedyiq_arlog.sources import InputError, resolve_inputs
from remedyiq_cli.localparse import submit_all

T = TypeVar("T")
DATABASE = "remedyiq"
LOCAL_TENANT = "local"
LOAD_FILES = 4  # batch files per insert: fewer parts for the queries, still overlapping parsing


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="log files, folders, .gz or .zip")
    parser.add_argument("--format", choices=("text", "json", "html"), default="text")
    parser.add_argument("-o", "--output", help="write the report here instead of stdout")
    parser.add_argument("-n", "--top", type=int, default=50, help="size of every top-N list")
    parser.add_argument(
        "-b", "--begin", help="analyse records from this time (MM/DD/YYYY HH:MM:SS or ISO)"
    )
    parser.add_argument("-e", "--end", help="… up to this time, inclusive")
    parser.add_argument(
        "-u", "--user", action="append", default=[], help="only this user (repeatable)"
    )
    parser.add_argument(
        "-nu", "--exclude-user", action="append", default=[], help="not this user (repeatable)"
    )
    parser.add_argument("-c", "--client-rpc", type=int, help="only this Client-RPC program number")
    parser.add_argument(
        "-g",
        "--group-by",
        action="append",
        default=[],
        type=str.lower,
        choices=("user", "queue"),
        help="add a USER or QUEUE aggregate grouping",
    )
    parser.add_argument(
        "-s",
        "--sort",
        type=str.upper,
        default="AVG",
        choices=("AVG", "COUNT", "MAX", "MIN", "SUM"),
        help="aggregate sort metric",
    )
    parser.add_argument(
        "-i", "--ascending", action="store_true", help="ascending rows in aggregates"
    )
    for kind in ("api", "sql", "fltr", "esc"):
        parser.add_argument(
            f"-no{kind}", f"--no-{kind}", action="store_true", help=f"skip {kind.upper()} records"
        )
    parser.add_argument("--fts", action="store_true", help="analyse FTS-queue records too")
    parser.add_argument("-l", "--locale", help="force the timestamp locale (en, de, fr, …)")
    parser.add_argument(
        "--db", help="keep the embedded database in this folder (default: a temporary one)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parser processes")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--raw-text",
        action="store_true",
        help="also store every event's log lines in the database (for queries on --db later)",
    )


def _time(text: str | None) -> str | None:
    if text is None:
        return None
    for layout in ("%m/%d/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, layout).isoformat(timespec="milliseconds")
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).isoformat(timespec="milliseconds")
    except ValueError:
        raise InputError(
            f"cannot read the time {text!r} (use MM/DD/YYYY HH:MM:SS or ISO-8601)"
        ) from None


def options_from_args(args: argparse.Namespace) -> AnalysisOptions:
    types = [
        t
        for t, skip in (
            ("API", args.no_api),
            ("SQL", args.no_sql),
            ("FLTR", args.no_fltr),
            ("ESCL", args.no_esc),
        )
        if not skip
    ]
    return AnalysisOptions(
        top_n=args.top,
        group_by=args.group_by,
        sort=args.sort,
        ascending=args.ascending,
        begin=_time(args.begin),
        end=_time(args.end),
        users=args.user,
        exclude_users=args.exclude_user,
        client_rpc=args.client_rpc,
        types=types,
        fts=args.fts,
        locale=args.locale,
    )


class _InlineExecutor(Executor):
    """Runs each task at once in this process (one worker, tests, tiny inputs): no fork."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def _executor(workers: int) -> Executor:
    if workers <= 1:
        return _InlineExecutor()
    # pyarrow imports pandas on its first conversion (about a second); importing it before the
    # workers fork pays that once instead of once per worker — and only here, not in every
    # ``remedyiq`` command (``serve`` starts a process per service).
    import pandas  # noqa: F401, PLC0415

    # Workers fork before the embedded engine starts its threads in this process; what this
    # process holds is frozen first, so that the workers' collections neither scan nor copy it.
    gc.freeze()
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("fork"), initializer=_worker_started
    )


def _worker_started() -> None:
    """A parser worker allocates millions of short-lived rows and no reference cycles worth
    collecting often: fewer collections save about 5 % of its time."""
    gc.set_threshold(50_000, 20, 100)


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        disable=not enabled,
        transient=True,
        console=Console(stderr=True),
    )


def _load_files(client: Client, job_id: str, paths: list[str]) -> None:
    """The engine reads the batch files itself (one insert, one part), then they are removed."""
    insert_entry_files(client, DATABASE, paths, tenant_id=LOCAL_TENANT, job_id=job_id)
    for path in paths:
        os.unlink(path)


def run_analysis(
    paths: list[str],
    options: AnalysisOptions,
    *,
    db_dir: str | None = None,
    workers: int = 2,
    progress: bool = False,
    raw_text: bool = False,
) -> Report:
    """The whole local analysis; raises InputError for unusable input."""
    inputs = resolve_inputs(paths)
    parse = parse_options(options)
    job_id = str(uuid.uuid4())
    with ExitStack() as stack:
        work = stack.enter_context(tempfile.TemporaryDirectory(prefix="remedyiq-"))
        pool = stack.enter_context(_executor(workers))
        futures, total = submit_all(pool, inputs, parse, work, workers, raw_text=raw_text)
        db_path = os.path.abspath(db_dir) if db_dir else os.path.join(work, "chdb")
        client = open_embedded(f"{SCHEME}{db_path}")
        migrate_up(client, DATABASE, target=REPORT_TABLES)
        # A one-off analysis reads its parts once: merging them in the background would only
        # compete with the parser for the CPU.
        client.command(f"SYSTEM STOP MERGES {DATABASE}.log_entries")
        bar = stack.enter_context(_progress(progress))
        task = bar.add_task("parsing", total=total)
        joiner = Joiner(parse.gap_candidates)
        boundary: list[Row] = []
        pending: list[str] = []
        for future in futures:
            part = future.result()
            pending.extend(part.batch_files)
            if len(pending) >= LOAD_FILES:
                _load_files(client, job_id, pending)
                pending = []
            boundary.extend(joiner.add(part.summary))
            bar.advance(task, part.bytes)
        if pending:
            _load_files(client, job_id, pending)
        tail, result = joiner.finish()
        boundary.extend(tail)
        bar.update(task, description="analysing")
        for table, batch in (
            ("log_entries", report_entries_batch(boundary, raw_text=raw_text)),
            ("log_gaps", gaps_batch(result.line_gaps + result.thread_gaps)),
        ):
            insert_batch(client, DATABASE, table, batch, tenant_id=LOCAL_TENANT, job_id=job_id)
        files = [
            FileMeta(number=i, name=log.name, bytes=log.size) for i, log in enumerate(inputs, 1)
        ]
        meta = JobMeta.from_join(result, files)
        report = analyze(JobScope(client, DATABASE, LOCAL_TENANT, job_id), options, meta)
        client.close()
    if not db_dir:
        shutil.rmtree(db_path, ignore_errors=True)
    return report
