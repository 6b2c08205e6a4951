"""What the text sections share: the report being rendered, its column widths, section titles."""

from __future__ import annotations

from dataclasses import dataclass, field

from remedyiq_analysis.render.table import Widths
from remedyiq_analysis.report import Report

FILE_COLUMNS = frozenset({"File#", "End File#", "MIN File", "MAX File"})


@dataclass
class Page:
    """One text report being written: lines plus the state the reference keeps between tables."""

    report: Report
    widths: Widths = field(default_factory=Widths)
    lines: list[str] = field(default_factory=list)

    @property
    def id_column(self) -> str:
        """``TrID`` when the log carries trace IDs, else ``RPC ID`` (and its values)."""
        return "TrID" if self.report.has_trace_ids else "RPC ID"

    @property
    def multi_file(self) -> bool:
        return len(self.report.general.files) > 1

    @property
    def top_n(self) -> int:
        return self.report.options.top_n

    def ident(self, trace_id: str, rpc_id: str) -> str:
        return trace_id if self.report.has_trace_ids else rpc_id

    def file_columns(self, *names: str) -> list[str]:
        """``names`` with the ``File#``-like entries dropped unless several files were read."""
        return [n for n in names if self.multi_file or n not in FILE_COLUMNS]

    def banner(self, text: str) -> None:
        self.lines += ["", text]

    def title(self, text: str) -> None:
        self.lines += ["", text, ""]

    def extend(self, lines: list[str]) -> None:
        self.lines += lines


def section_banner(name: str) -> str:
    return f"###  SECTION: {name}  #####################################################"


ESCALATION_BANNER = "###  SECTION: ESCALATIONS  #############################################"
