"""SQL statement text as AR System sends it (SQL Server or Oracle dialect)."""

from __future__ import annotations

import random

from .catalog import ENTRY_FIELD_LIST, FIELD_VALUES, SEARCH_COLUMNS, Form


class SqlText:
    """Builders for the statements of the common API operations; tables are T/H/B<schemaId>."""

    __slots__ = ("_n", "_oracle", "_rng")

    def __init__(self, oracle: bool, rng: random.Random) -> None:
        self._oracle = oracle
        self._n = "" if oracle else "N"
        self._rng = rng

    def lit(self, value: str) -> str:
        return f"{self._n}'{value}'"

    # ---- reads ----------------------------------------------------------------------------

    def get_entry(self, form: Form, eid: str) -> str:
        t = f"T{form.schema_id}"
        return f"SELECT {t}.{ENTRY_FIELD_LIST} FROM {t} WHERE ({t}.C1 = {self.lit(eid)})"

    def history(self, form: Form, eid: str) -> str:
        return (
            f"SELECT entryId, T0, U0, T1, U1, T2, U2 FROM H{form.schema_id} "
            f"WHERE (entryId = {self.lit(eid)})"
        )

    def attachments(self, form: Form, eid: str) -> str:
        b = f"B{form.schema_id}"
        return (
            f"SELECT {b}.C1000000351, {b}.C1000000352 FROM {b} "
            f"WHERE ({b}.entryId = {self.lit(eid)})"
        )

    def qualification(self, form: Form, slow: bool = False) -> str:
        t = f"T{form.schema_id}"
        if slow:  # leading-wildcard LIKE: full scan
            return f"({t}.C1000000000 LIKE {self.lit('%printer%')})"
        rng = self._rng
        col = SEARCH_COLUMNS[int(rng.random() * len(SEARCH_COLUMNS))]
        val = FIELD_VALUES[int(rng.random() * len(FIELD_VALUES))]
        if rng.random() < 0.5:
            return f"(({t}.C7 < 4) AND ({t}.{col} = {self.lit(val)}))"
        return f"({t}.{col} = {self.lit(val)})"

    def select_ids(self, form: Form, where: str) -> str:
        return f"SELECT T{form.schema_id}.C1 FROM T{form.schema_id} WHERE {where}"

    def count(self, form: Form, where: str) -> str:
        return f"SELECT COUNT(*) FROM T{form.schema_id} WHERE {where}"

    def page(self, form: Form, where: str, first: int, last: int) -> str:
        t = f"T{form.schema_id}"
        cols = (f"{t}.C1", f"{t}.C7", f"{t}.C8", f"{t}.C1000000217")
        if self._oracle:
            return (
                f"SELECT * FROM (SELECT {', '.join(cols)} FROM {t} WHERE {where} "
                f"ORDER BY {t}.C1 ASC) WHERE ROWNUM <= {last}"
            )
        alias = "AR_SQL_Alias$1"
        outer = ", ".join(f"{alias}.{c.split('.')[1]}" for c in cols)
        return (
            f"WITH {alias} AS (SELECT {', '.join(cols)}, ROW_NUMBER() OVER (ORDER BY {t}.C1 ASC) "
            f"AS 'AR_RowNumber_Alias$1' FROM {t} WHERE {where}) SELECT {outer} FROM {alias} "
            f"WHERE ({alias}.AR_RowNumber_Alias$1 BETWEEN {first} AND {last})"
        )

    def list_schema(self) -> str:
        return (
            "SELECT schemaId, name, schemaType, timestamp FROM arschema "
            "WHERE (schemaType <> 0) ORDER BY name"
        )

    def verify_user(self, user: str) -> str:
        return (
            f"SELECT T320.C1, T320.C101, T320.C102, T320.C104, T320.C109 FROM T320 "
            f"WHERE (T320.C101 = {self.lit(user)})"
        )

    # ---- writes ---------------------------------------------------------------------------

    def next_id(self, form: Form) -> tuple[str, str]:
        sid = form.schema_id
        return (
            f"UPDATE arschema SET nextId = nextId + 1 WHERE schemaId = {sid}",
            f"SELECT nextId FROM arschema WHERE schemaId = {sid}",
        )

    def insert(self, form: Form, eid: str, user: str, now_s: int, text: str) -> str:
        lit = self.lit
        return (
            f"INSERT INTO T{form.schema_id} (C1,C2,C3,C4,C5,C6,C7,C8) VALUES ({lit(eid)},"
            f"{lit(user)},{now_s},NULL,{lit(user)},{now_s},0,{lit(text)})"
        )

    def insert_history(self, form: Form, eid: str, user: str, now_s: int) -> str:
        lit = self.lit
        return (
            f"INSERT INTO H{form.schema_id} (entryId,T0,U0) VALUES ({lit(eid)},{now_s},{lit(user)})"
        )

    def update(self, form: Form, eid: str, user: str, now_s: int, status: int) -> str:
        t = f"T{form.schema_id}"
        return (
            f"UPDATE {t} SET C7 = {status}, C6 = {now_s}, C5 = {self.lit(user)} "
            f"WHERE ({t}.C1 = {self.lit(eid)})"
        )

    def update_history(self, form: Form, eid: str, user: str, now_s: int, status: int) -> str:
        return (
            f"UPDATE H{form.schema_id} SET T{status} = {now_s}, U{status} = {self.lit(user)} "
            f"WHERE (entryId = {self.lit(eid)})"
        )

    def deletes(self, form: Form, eid: str) -> list[str]:
        lit = self.lit(eid)
        out = [f"DELETE FROM T{form.schema_id} WHERE (C1 = {lit})"]
        if form.has_history:
            out.append(f"DELETE FROM H{form.schema_id} WHERE (entryId = {lit})")
        if form.has_attachments:
            out.append(f"DELETE FROM B{form.schema_id} WHERE (entryId = {lit})")
        return out
