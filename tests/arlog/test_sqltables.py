from __future__ import annotations

import pytest

from remedyiq_arlog.sqltables import sql_action, sql_tables


@pytest.mark.parametrize(
    ("statement", "tables"),
    [
        ("SELECT T1.C1 FROM T1 WHERE (T1.C1 = N'000000000003816')", "T1"),
        ("SELECT T1.C1 FROM T1 WHERE T1.C2 IN (SELECT C1 FROM T2 WHERE C3 = 1)", "T1, T2"),
        ("SELECT a.C1 FROM T1 a, T2 b WHERE a.C1 = b.C1", "T1, T2"),
        ("SELECT * FROM T1 INNER JOIN T2 ON T1.C1 = T2.C1", "T1, T2"),
        ("INSERT INTO H2120 (entryId,T0,U0) VALUES (N'000000000154795',1763992803,N'x')", "H2120"),
        ("UPDATE T5 SET C7 = 4 WHERE C1 = '1'", "T5"),
        ("DELETE FROM B12 WHERE C1 = 'x'", "B12"),
        (
            "WITH AR_SQL_Alias$1 AS (SELECT T4381.C1, ROW_NUMBER() OVER (ORDER BY T4381.C1 ASC) "
            "AS 'AR_RowNumber_Alias$1' FROM T4381 WHERE (T4381.C536870914 = N'REQ21256')) "
            "SELECT AR_SQL_Alias$1.C1 FROM AR_SQL_Alias$1 WHERE "
            "(AR_SQL_Alias$1.AR_RowNumber_Alias$1 BETWEEN 0 AND 2)",
            "T4381",
        ),
        (
            "SELECT * FROM (SELECT T4382.C1, T4382.C4 FROM T4382 WHERE (T4382.C4 = '8') "
            "ORDER BY 1 ASC) WHERE ROWNUM <= 2",
            "T4382",
        ),
        ("SELECT T2115.C1,C2 FROM T2115 WHERE (T2115.C1 = N'0000000", "T2115"),
    ],
)
def test_tables(statement: str, tables: str) -> None:
    assert sql_tables(statement) == tables


def test_action() -> None:
    assert sql_action("WITH x AS (SELECT 1) SELECT * FROM x") == "SELECT"
    assert sql_action("insert into T1 values (1)") == "INSERT"
