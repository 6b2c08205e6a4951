"""General statistics (analyzer-report-spec §2.1) and the gap tables (§2.2)."""

from __future__ import annotations

from remedyiq_analysis.meta import JobMeta
from remedyiq_analysis.report import Gap, Gaps, General, InputFile, TypeActivity
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import iso, seconds

ANALYSED = "kind NOT IN ('ignored', 'malformed')"


def general(scope: JobScope, meta: JobMeta) -> General:
    (total,) = scope.one("SELECT sum(records) FROM $E WHERE $JOB")
    per_type = {
        str(t): int(n)
        for t, n in scope.rows(
            f"SELECT log_type, sum(records) FROM $E WHERE $JOB AND {ANALYSED} "
            "AND log_type IN ('API', 'SQL', 'FLTR', 'ESCL') GROUP BY log_type"
        )
    }
    # Form Count: forms of API begins and escalation runs, plus the blank form of the records
    # that carry none (the reference's rule); Table Count: every table of every statement.
    forms, tables, users, exceptions_api, exceptions_sql, exceptions_esc = scope.one(
        f"""
        SELECT
            uniqExactIf(form, kind IN ('call', 'call_open', 'run', 'run_open'))
              + if(countIf(kind IN ('call', 'call_open', 'run', 'run_open') AND form = '') = 0
                   AND countIf({ANALYSED}) > 0, 1, 0),
            uniqExactArrayIf(splitByString(', ', sql_table),
                             log_type = 'SQL' AND sql_table != ''),
            uniqExactIf(user, {ANALYSED}),
            countIf(kind IN ('call_open', 'call_orphan_end')),
            countIf(kind = 'statement_open'),
            countIf(kind = 'run_open')
        FROM $E WHERE $JOB
        """
    )
    threads = {
        str(queue): int(n)
        for queue, n in scope.rows(
            f"SELECT queue, uniqExact(thread_id) FROM $E WHERE $JOB AND {ANALYSED} "
            "GROUP BY queue ORDER BY queue"
        )
    }
    (thread_count,) = scope.one(f"SELECT uniqExact(thread_id) FROM $E WHERE $JOB AND {ANALYSED}")
    elapsed = (meta.last_ts - meta.first_ts) if meta.first_ts is not None and meta.last_ts else 0
    activity = [
        TypeActivity(
            type=name,
            first_time=iso(first) or "",
            last_time=iso(meta.type_last_ts[name]) or "",
            duration_s=seconds(meta.type_last_ts[name] - first),
        )
        for name, first in sorted(meta.type_first_ts.items())
        if name in meta.type_last_ts
    ]
    return General(
        start_time=iso(meta.first_ts),
        end_time=iso(meta.last_ts),
        elapsed_s=seconds(elapsed),
        total_lines=int(total or 0),
        lines={name: per_type.get(name, 0) for name in ("API", "SQL", "FLTR", "ESCL")},
        form_count=int(forms),
        table_count=int(tables),
        user_count=int(users),
        threads=threads,
        thread_count=int(thread_count),
        exceptions={
            "API": int(exceptions_api),
            "SQL": int(exceptions_sql),
            "ESCL": int(exceptions_esc),
        },
        physical_lines=meta.physical_lines,
        continuation_lines=meta.continuation_lines,
        malformed_lines=meta.malformed_lines + meta.stray_lines,
        ignored_records=meta.ignored_records,
        bad_timestamps=meta.bad_timestamps,
        cut_lines=meta.cut_lines,
        locale=meta.locale,
        filter_language=meta.filter_language,
        server_versions=meta.server_versions,
        files=[InputFile(number=f.number, name=f.name, bytes=f.bytes) for f in meta.files],
        activity=activity,
    )


def gaps(scope: JobScope, top_n: int) -> Gaps:
    def table(kind: str) -> list[Gap]:
        return [
            Gap(
                gap_s=seconds(gap),
                line=int(line),
                ref_line=int(ref) if starts else 0,
                file=int(file_number),
                trace_id=trace,
                rpc_id=rpc,
                thread=thread,
                queue=queue,
                time=iso(ts) if has_time else None,
                details=details,
            )
            for (
                gap,
                line,
                ref,
                starts,
                file_number,
                trace,
                rpc,
                thread,
                queue,
                ts,
                has_time,
                details,
            ) in (
                scope.rows(
                    """
                SELECT gap_ms, line_number, ref_line, starts_event, file_number, trace_id, rpc_id,
                       thread_id, queue, toUnixTimestamp64Milli(timestamp), has_time, details
                FROM $G WHERE $JOB AND gap_kind = {kind:String}
                ORDER BY gap_ms DESC, ifNull(toUnixTimestamp64Milli(timestamp), 0), file_number,
                         line_number
                LIMIT {n:UInt32}
                """,
                    kind=kind,
                    n=top_n,
                )
            )
        ]

    return Gaps(line=table("line"), thread=table("thread"))
