"""The writer's insert path over a sustained ingest, every merge included.

One job's figure cannot hold the cost of merging what it stored: ClickHouse merges a job's parts
when enough parts of similar size exist (``merge_selector_base``, migration 0010), often only
with the next jobs' parts. So the engine's merge cost per row is measured here over a stream of
inserts long enough to reach a steady state: the 100 MB bench log's entry batches, as the parser
publishes them (20k rows, Arrow with ZSTD buffers), made distinct copy after copy (lines and
times shifted), stored the way the writer stores them (each body checked, ``flush_rows`` rows
joined into one insert with a deduplication token) into a fresh embedded ClickHouse, then the
merges waited for until they have been idle for a while. Inserts run first with the merges held
back, then the merges alone, so that each phase's CPU (the process's, minus preparing the copies)
is its own: the merges per row are added to the writer-alone figure of the pipeline bench, whose
job ends before its parts are merged.
"""

from __future__ import annotations

import itertools
import resource
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from bench.procs import in_fresh_process
from remedyiq_analysis.batchbody import check, encode
from remedyiq_analysis.columnar import entries_batch
from remedyiq_analysis.embedded import SCHEME, open_embedded
from remedyiq_analysis.load import insert_bodies
from remedyiq_analysis.migrate import migrate_up
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.runner import parse_range, plan_file

DATABASE = "sustained"
TENANT, JOB = "bench", "sustained"
BATCH_ROWS = 20_000  # the parser's batches (ParseRange.batch_rows)
QUIET_S = 10.0  # merges idle this long: settled (the selector looks again every few seconds)


def run_sustained(log: Path, work: Path, *, rows: int, flush_rows: int) -> dict[str, Any]:
    """About ``rows`` entries of ``log`` stored in ``flush_rows``-row inserts (own process)."""
    folder = work / "sustained-chdb"
    shutil.rmtree(folder, ignore_errors=True)  # a fresh engine: an earlier run's tokens would
    # deduplicate every insert
    return in_fresh_process(_sustained, str(log), str(folder), rows, flush_rows)


def _batches(log: str) -> list[pa.RecordBatch]:
    task = plan_file(log)[0]
    batches: list[pa.RecordBatch] = []
    with open(log, "rb") as stream:
        parsed, _ = parse_range(stream, task, ParseOptions())
        rows = []
        for row in parsed:
            rows.append(row)
            if len(rows) == BATCH_ROWS:
                batches.append(entries_batch(rows))
                rows = []
        if rows:
            batches.append(entries_batch(rows))
    return batches


def _copies(batches: list[pa.RecordBatch]) -> Iterator[tuple[bytes, str, int]]:
    """The batches as bodies, again and again, each round's lines and times after the last's."""
    lines = max(pc.max(b.column("end_line")).as_py() for b in batches) + 1
    first = min(pc.min(b.column("timestamp")).value for b in batches)
    span = max(pc.max(b.column("timestamp")).value for b in batches) - first + 1
    names = batches[0].schema.names
    for round_number in itertools.count():
        for position, batch in enumerate(batches):
            columns = list(batch.columns)
            for name in ("line_number", "ref_line", "end_line"):
                index = names.index(name)
                shift = pa.scalar(round_number * lines, batch.column(index).type)
                columns[index] = pc.add(batch.column(index), shift)
            index = names.index("timestamp")
            millis = pc.add(batch.column(index).cast(pa.int64()), round_number * span)
            columns[index] = millis.cast(batch.column(index).type)
            shifted = pa.RecordBatch.from_arrays(columns, schema=batch.schema)
            batch_id = f"s{round_number}.b{position}"
            body = encode(
                shifted, tenant_id=TENANT, job_id=JOB, batch_id=batch_id, retention_days=90
            )
            yield body, batch_id, batch.num_rows


def _cpu() -> float:
    """CPU seconds of this process, threads that ended included (``/proc``'s per-thread figures
    lose them: the engine's pools retire idle threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _sustained(log: str, folder: str, target_rows: int, flush_rows: int) -> dict[str, Any]:
    batches = _batches(log)
    client = open_embedded(f"{SCHEME}{folder}")  # as the writer opens it
    migrate_up(client, DATABASE)
    table = f"{DATABASE}.log_entries"
    copies = _copies(batches)
    # inserts first, merges held back, so that each phase's CPU is its own; the merges then
    # see every part at once, as a steady stream lets the selector gather them
    client.command(f"SYSTEM STOP MERGES {table}")
    start = _cpu()
    preparing = 0.0
    stored = inserts = 0
    wall = time.perf_counter()
    while stored < target_rows:
        began = time.thread_time()
        group: list[tuple[bytes, str]] = []
        rows = 0
        while rows < flush_rows:
            body, batch_id, count = next(copies)
            group.append((body, batch_id))
            rows += count
        preparing += time.thread_time() - began
        for body, batch_id in group:  # what the writer does with every body it pulls
            check(body, "log_entries", tenant_id=TENANT, job_id=JOB, batch_id=batch_id)
        token: dict[str, object] = {"insert_deduplication_token": f"{JOB}:{inserts}"}
        insert_bodies(client, DATABASE, "log_entries", [body for body, _ in group], token)
        stored += rows
        inserts += 1
    inserted = time.perf_counter() - wall
    insert_cpu = _cpu() - start - preparing
    parts_before = _parts(client)
    merging = _cpu()
    client.command(f"SYSTEM START MERGES {table}")
    _settle(client, parts_before)
    merge_cpu = _cpu() - merging
    parts = _parts(client)
    client.close()
    return {
        "rows": stored,
        "inserts": inserts,
        "flush_rows": flush_rows,
        "insert_wall_s": round(inserted, 1),
        "insert_cpu_s": round(insert_cpu, 2),
        "merges_cpu_s": round(merge_cpu, 2),
        "rows_per_cpu_s": round(stored / (insert_cpu + merge_cpu)),
        "merge_us_per_row": round(merge_cpu / stored * 1e6, 2),
        "parts_left": parts,
    }


def _parts(client: Any) -> int:
    return int(
        client.query(
            "SELECT count() FROM system.parts WHERE active AND database = {db:String} "
            "AND table = 'log_entries'",
            parameters={"db": DATABASE},
        ).result_rows[0][0]
    )


def _settle(client: Any, parts: int) -> None:
    """Back once the merges have started and then been idle for ``QUIET_S`` (10 minutes at
    most): no merge running, the part count and this process's CPU still. A merge is waited for
    a minute at most (the selector backs off while merges are stopped)."""
    began = time.monotonic()
    deadline = began + 600
    tick = threading.Event()  # never set: a sleep between looks
    quiet_since = began
    started = False
    cpu = _cpu()
    while time.monotonic() < deadline:
        tick.wait(0.5)
        running = client.command(
            "SELECT count() FROM system.merges WHERE database = {db:String}",
            parameters={"db": DATABASE},
        )
        now_parts, now_cpu = _parts(client), _cpu()
        if running or now_parts != parts or now_cpu - cpu > 0.05:
            quiet_since = time.monotonic()
            started = started or bool(running) or now_parts != parts
        parts, cpu = now_parts, now_cpu
        waited = started or time.monotonic() - began > 60
        if waited and time.monotonic() - quiet_since >= QUIET_S:
            return
