"""Run compiled WHERE clauses against ``log_entries`` in an in-memory chDB, in its own process.

chDB allows one data path per process, so the test runs this script as a subprocess: whatever
other tests do with chDB cannot collide with it. The table comes from the real migrations.

stdin (JSON):  {"rows": [{column: value, …}, …], "queries": [{"where": …, "params": {…}}, …]}
stdout (JSON): [{"lines": [line_number, …]} or {"error": "…"}, …] in query order
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

import clickhouse_connect
from clickhouse_connect.driver.exceptions import DatabaseError

from remedyiq_analysis.migrate import migrate_up

DATABASE = "kql_test"
TENANT = "tenant-a"


def _cell(column: str, value: object) -> object:
    if column == "timestamp" and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def main() -> None:
    job = json.load(sys.stdin)
    rows: list[dict[str, object]] = job["rows"]
    columns = list(rows[0])
    client = clickhouse_connect.get_client(dsn="chdb://:memory:")
    try:
        migrate_up(client, DATABASE)
        client.insert(
            f"{DATABASE}.log_entries",
            [[TENANT, "job-1", *(_cell(c, row[c]) for c in columns)] for row in rows],
            column_names=["tenant_id", "job_id", *columns],
        )
        results: list[dict[str, object]] = []
        for query in job["queries"]:
            sql = (
                f"SELECT line_number FROM {DATABASE}.log_entries "
                f"WHERE tenant_id = {{tenant:String}} AND ({query['where']}) ORDER BY line_number"
            )
            try:
                found = client.query(sql, parameters={**query["params"], "tenant": TENANT})
            except DatabaseError as exc:  # reported per query so the test names the culprit
                results.append({"error": str(exc)})
            else:
                results.append({"lines": [row[0] for row in found.result_rows]})
    finally:
        client.close()
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
