"""One simulated server thread: its header fields, its clock position and its open calls.

The line builders here are the only place that writes log lines and bumps the truth counters, so
counts and text cannot drift apart. Each builder returns the finished line (with line ending);
thread scripts yield it together with ``worker.t``. While ``t < hidden_until`` (the part of an
in-flight call that happened before the log starts) builders return "" and change nothing.
"""

from __future__ import annotations

from .config import AnomalyKind
from .world import World

_OVERLAY = "> <Overlay-Group: 1         > /* "


class Worker:
    """Header prefixes per line type are rebuilt once per call (``set_context``)."""

    __slots__ = (
        "api_stack",
        "client_rpc",
        "escl_delayed",
        "escl_error",
        "escl_open",
        "fire_on_stop",
        "hidden_until",
        "n_api",
        "n_escl",
        "n_fltr",
        "n_sql",
        "nl",
        "p_api",
        "p_escl",
        "p_fltr",
        "p_sql",
        "queue",
        "sql_open",
        "t",
        "tally",
        "tid",
        "ts",
        "user",
        "world",
    )

    def __init__(self, world: World, tid: int, queue: str, client_rpc: str) -> None:
        self.world = world
        self.tid = tid
        self.queue = queue
        self.client_rpc = client_rpc
        self.t = world.start_us
        self.hidden_until = 0
        self.fire_on_stop = False  # escalation pool chosen to be inside a run when the log ends
        self.n_api = self.n_sql = self.n_fltr = self.n_escl = 0
        self.api_stack: list[tuple[str, bool]] = []  # open API calls: (abbr, queued)
        self.sql_open = False
        self.escl_open = self.escl_error = self.escl_delayed = False
        self.ts = world.clock.ts
        self.nl = world.nl
        self.tally = world.tally
        self.user = ""
        self.p_api = self.p_sql = self.p_fltr = self.p_escl = ""

    # ---- context --------------------------------------------------------------------------

    def set_context(self, trid: str | None, rpc: int, user: str, escl_user: str = "") -> None:
        trid_part = f"<TrID: {trid}> " if trid is not None and self.world.trid else ""
        body = (
            f"{trid_part}<TID: {self.tid:010d}> <RPC ID: {rpc:010d}> <Queue: {self.queue:<10}> "
            f"<Client-RPC: {self.client_rpc:<9}> <USER: "
        )
        common = f"{body}{user:<45}{_OVERLAY}"
        self.user = user
        self.p_api = "<API > " + common
        self.p_sql = "<SQL > " + common
        self.p_fltr = "<FLTR> " + common
        self.p_escl = f"<ESCL> {body}{escl_user:<45}{_OVERLAY}" if escl_user else "<ESCL> " + common

    def hit(self, kind: AnomalyKind) -> bool:
        """Anomaly decision for this thread; never inside the invisible pre-log part of a call."""
        return self.t >= self.hidden_until and self.world.plan.hit(kind)

    @property
    def in_call(self) -> bool:
        return bool(self.api_stack) or self.sql_open or self.escl_open

    # ---- generic lines --------------------------------------------------------------------

    def api(self, text: str) -> str:
        if self.t < self.hidden_until:
            return ""
        self.n_api += 1
        return f"{self.p_api}{self.ts(self.t)} */ {text}{self.nl}"

    def sql(self, text: str) -> str:
        if self.t < self.hidden_until:
            return ""
        self.n_sql += 1
        return f"{self.p_sql}{self.ts(self.t)} */ {text}{self.nl}"

    def fltr(self, text: str) -> str:
        if self.t < self.hidden_until:
            return ""
        self.n_fltr += 1
        return f"{self.p_fltr}{self.ts(self.t)} */ {text}{self.nl}"

    def fltr_action(self, text: str) -> str:
        """Result/action/field lines: without timestamp in the 9.1 style (untimed anomaly)."""
        if self.t < self.hidden_until:
            return ""
        self.n_fltr += 1
        if self.world.untimed_actions:
            self.tally.untimed += 1
            return f"{self.p_fltr[:-3]}{text}{self.nl}"
        return f"{self.p_fltr}{self.ts(self.t)} */ {text}{self.nl}"

    def escl(self, text: str) -> str:
        if self.t < self.hidden_until:
            return ""
        self.n_escl += 1
        return f"{self.p_escl}{self.ts(self.t)} */ {text}{self.nl}"

    def malformed(self, cut: int) -> str:
        """A FLTR line whose header breaks off after the Queue field (a torn write)."""
        if self.t < self.hidden_until:
            return ""
        p = self.p_fltr
        lo = p.index("<Client-RPC:")
        hi = p.index("<Overlay-Group:")
        self.n_fltr += 1
        self.tally.malformed += 1
        return p[: lo + cut % (hi - lo)] + self.nl

    # ---- API ------------------------------------------------------------------------------

    def api_begin(self, abbr: str, func: str, detail: str, q_ms: int = 0) -> str:
        """``+ABBR    Func -- detail// :q:Ns``; ``detail`` ends with ``using RPC ``."""
        if self.t < self.hidden_until:
            return ""
        self.api_stack.append((abbr, q_ms > 0))
        q = repr(q_ms / 1000) if q_ms else "0.0"
        tail = " null" if self.world.iso else ""
        return self.api(f"+{abbr:<8}{func} -- {detail}// :q:{q}s{tail}")

    def api_end(self, abbr: str, error: tuple[int, str] | None = None) -> str:
        if self.t < self.hidden_until:
            return ""
        tally = self.tally
        if self.api_stack:
            _, queued = self.api_stack.pop()
            tally.api_completed += 1
            tally.api_by_abbr[abbr] = tally.api_by_abbr.get(abbr, 0) + 1
            if self.api_stack:
                tally.api_sub += 1
            if queued:
                tally.api_queued += 1
            if error is None:
                tally.api_ok += 1
            else:
                tally.api_fail += 1
        else:
            tally.api_end_orphans += 1
        if error is None:
            return self.api(f"-{abbr:<17}OK")
        return self.api(f"-{abbr:<8}FAIL -- AR Error({error[0]}) {error[1]}")

    # ---- SQL ------------------------------------------------------------------------------

    def sql_stmt(self, text: str, continuation_lines: int = 0) -> str:
        if self.t < self.hidden_until:
            return ""
        self.sql_open = True
        self.tally.continuation += continuation_lines
        return self.sql(text)

    def sql_close(self, error: str | None = None) -> str:
        """``OK`` or an error line (``*** ERROR ***  …`` / ``com.bmc…ARException: …``)."""
        if self.t < self.hidden_until:
            return ""
        if self.sql_open:
            self.sql_open = False
            tally = self.tally
            tally.sql_completed += 1
            if error is None:
                tally.sql_ok += 1
            else:
                tally.sql_fail += 1
        return self.sql("OK" if error is None else error)

    # ---- filters --------------------------------------------------------------------------

    def f_processing(self, start: bool, phase: int, op: str, form: str, eid: str) -> str:
        if self.t < self.hidden_until:
            return ""
        if start:
            self.tally.f_ops += 1
            what = "Start filter processing"
        else:
            what = "End of filter processing"
        return self.fltr(f"   {what} (phase {phase}) -- Operation - {op} on {form} - {eid}")

    def f_check(self, level: int, number: int, name: str, order: int) -> str:
        if self.t < self.hidden_until:
            return ""
        tally = self.tally
        tally.f_checked += 1
        tally.f_max_level = max(tally.f_max_level, level)
        mode = " [Unmodified]" if self.world.iso else ""
        return self.fltr(
            f'<Filter Level:{level} Number Of Filters:{number}> Checking "{name}" ({order}){mode}'
        )

    def f_result(self, outcome: int) -> str:
        """0 = passed, 1 = failed (no else actions), 2 = failed with else actions."""
        if self.t < self.hidden_until:
            return ""
        tally = self.tally
        if outcome == 0:
            tally.f_passed += 1
            return self.fltr_action("   --> Passed -- perform actions")
        if outcome == 1:
            tally.f_noelse += 1
            return self.fltr_action("   --> Failed qualification")
        tally.f_else += 1
        return self.fltr_action("   --> Failed qualification -- perform else actions")

    # ---- escalations ----------------------------------------------------------------------

    def escl_ready(self, quoted_name: str, form: str, delayed: bool) -> str:
        if self.t < self.hidden_until:
            return ""
        self.escl_open = True
        self.escl_error = False
        self.escl_delayed = delayed
        return self.escl(f'Checking "{quoted_name}" (enabled) : ready to fire now on "{form}"')

    def escl_error_line(self, text: str) -> str:
        if self.t < self.hidden_until:
            return ""
        if self.escl_open:
            self.escl_error = True
        return self.escl(text)

    def escl_completed(self, quoted_name: str, form: str, elapsed_s: float) -> str:
        if self.t < self.hidden_until:
            return ""
        tally = self.tally
        tally.e_completed += 1  # also without a start line: the analyzer reconstructs the run
        if self.escl_open:
            tally.e_error += self.escl_error
            tally.e_delayed += self.escl_delayed
        self.escl_open = self.escl_error = self.escl_delayed = False
        return self.escl(
            f'"{quoted_name}" completed : on "{form}" (Elapsed time: {elapsed_s:.1f} seconds)'
        )
