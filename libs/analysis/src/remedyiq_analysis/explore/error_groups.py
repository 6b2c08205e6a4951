"""Failures grouped by what went wrong: ARERR numbers, database error codes, escalations.

* API calls that failed (``-XX FAIL -- AR Error(NNN) message``): by ``ARERR NNN``;
* SQL statements that failed: by the database's code — ``ORA-NNNNN`` (Oracle), ``SQL Server
  NNNN`` (the number SQL Server messages end with) — else the AR error the server wrapped it in
  (``ERROR (552)``), else the message's first words;
* escalation runs with an error: by escalation (the log gives no code), with the text of the
  ``Error while performing escalation action`` line when raw text was stored.
"""

from __future__ import annotations

from typing import Final

from remedyiq_analysis.explore.filters import time_filter
from remedyiq_analysis.explore.models import EntryRef, ErrorGroup
from remedyiq_analysis.explore.rows import entry_id
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import iso_required

SAMPLES: Final = 10
EXAMPLES: Final = 5
MESSAGE_CAP: Final = 500

_CODE: Final = r"""multiIf(
    source = 'api' AND match(error_message, 'AR Error\\(\\d+\\)'),
        concat('ARERR ', extract(error_message, 'AR Error\\((\\d+)\\)')),
    source = 'sql' AND match(error_message, 'ORA-\\d+'), extract(error_message, '(ORA-\\d+)'),
    source = 'sql' AND match(error_message, '\\(SQL Server \\d+\\)'),
        concat('SQL Server ', extract(error_message, '\\(SQL Server (\\d+)\\)')),
    source = 'sql' AND match(error_message, 'ERROR \\(\\d+\\)'),
        concat('ARERR ', extract(error_message, 'ERROR \\((\\d+)\\)')),
    source = 'escalation', esc_name,
    error_message = '', 'unknown',
    substring(error_message, 1, 60))"""
_MESSAGE: Final = r"""multiIf(
    source = 'api', trimBoth(extract(error_message, 'AR Error\\(\\d+\\)\\s*(.*)$')),
    source = 'sql', trimBoth(replaceRegexpOne(error_message, '^\\*\\*\\* ERROR \\*\\*\\*\\s*', '')),
    '')"""
# Escalation errors have no message column: their text is in the raw lines, read separately
# for those few rows (reading raw text beside a scan of the whole job would read most of it).
_ESCALATION_TEXT: Final = r"""
    SELECT esc_name, any(trimBoth(extract(raw_text,
                                          '(Error while performing escalation action[^\\n]*)')))
    FROM $E WHERE $JOB AND kind = 'run' AND error_encountered AND esc_name IN {names:Array(String)}
    GROUP BY esc_name"""


def errors_by_code(
    scope: JobScope, *, start_ms: int | None = None, end_ms: int | None = None
) -> list[ErrorGroup]:
    """Every failure group of the job, the most frequent first."""
    ranged = time_filter(start_ms, end_ms)
    found = scope.rows(
        f"""
        SELECT source, code, any(message), count() AS n,
               min(ts), max(ts),
               groupUniqArrayIf({SAMPLES})(form, form != ''), uniqExactIf(form, form != ''),
               groupUniqArrayIf({SAMPLES})(user, user != ''), uniqExactIf(user, user != ''),
               groupUniqArrayArray({SAMPLES})(tables),
               groupUniqArrayIf({SAMPLES})(api, api != ''),
               groupArraySorted({EXAMPLES})(tuple(ts, file_number, line_number, trace_id,
                                                  duration_ms))
        FROM (
            SELECT multiIf(log_type = 'API', 'api', log_type = 'SQL', 'sql', 'escalation')
                       AS source,
                   {_CODE} AS code, {_MESSAGE} AS message,
                   toUnixTimestamp64Milli(timestamp) AS ts, file_number, line_number, trace_id,
                   duration_ms, toString(form) AS form, toString(user) AS user,
                   splitByString(', ', toString(sql_table)) AS tables,
                   toString(api_code) AS api
            FROM $E
            WHERE $JOB AND {ranged.where}
              AND ((kind IN ('call', 'statement') AND NOT success)
                   OR (kind = 'run' AND error_encountered))
        )
        GROUP BY source, code
        ORDER BY n DESC, source, code
        """,
        **ranged.params,
    )
    names = [str(r[1]) for r in found if r[0] == "escalation"]
    texts = {str(n): str(t) for n, t in scope.rows(_ESCALATION_TEXT, names=names)} if names else {}
    return [
        ErrorGroup(
            source=source,
            code=code,
            message=str(message or texts.get(code, ""))[:MESSAGE_CAP],
            count=int(n),
            first_time=iso_required(int(first)),
            last_time=iso_required(int(last)),
            forms=sorted(forms),
            form_count=int(form_count),
            users=sorted(users),
            user_count=int(user_count),
            tables=sorted(t for t in tables if t),
            apis=sorted(apis),
            examples=[
                EntryRef(
                    entry_id=entry_id(int(f), int(line)),
                    line=int(line),
                    file_number=int(f),
                    trace_id=trace,
                    time=iso_required(int(ts)),
                    duration_ms=int(duration),
                )
                for ts, f, line, trace, duration in examples
            ],
        )
        for (source, code, message, n, first, last, forms, form_count, users, user_count,
             tables, apis, examples) in found
    ]  # fmt: skip
