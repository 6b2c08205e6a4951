"""Sortable, foldable HTML tables and the page's table of contents.

Markup is kept lean so that reports of large logs stay small: optional end tags (``</td>``,
``</tr>``) are omitted as HTML allows, and column alignment comes from one generated CSS rule per
table instead of a class on every cell. Every cell is escaped (log text is untrusted).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

from remedyiq_analysis.report import Report

FOLD = 20  # rows shown before "Show all"

Kind = Literal["text", "num", "wide"]
Cell = str | int | float | None


@dataclass(frozen=True)
class Col:
    title: str
    kind: Kind = "text"


def num(title: str) -> Col:
    return Col(title, "num")


def wide(title: str) -> Col:
    return Col(title, "wide")


@dataclass
class Doc:
    """The page under construction: per-table CSS rules and the table of contents.

    Columns whose title is in ``hide`` are left out of every table (e.g. ``File`` when only one
    file was analysed)."""

    hide: frozenset[str] = frozenset()
    css: list[str] = field(default_factory=list)
    toc: list[tuple[int, str, str]] = field(default_factory=list)
    _count: int = 0

    def anchor(self) -> str:
        self._count += 1
        return f"t{self._count}"

    def section(self, anchor: str, title: str) -> str:
        self.toc.append((1, anchor, title))
        return f'<h2 id="{anchor}">{escape(title)}</h2>'

    def heading(self, title: str) -> tuple[str, str]:
        anchor = self.anchor()
        self.toc.append((2, anchor, title))
        return anchor, f'<h3 id="{anchor}">{escape(title)}</h3>'

    def table(
        self,
        title: str,
        cols: Sequence[Col],
        rows: Sequence[Sequence[Cell]],
        *,
        note: str = "",
        foot: Sequence[Cell] | None = None,
        group_starts: Collection[int] = (),
    ) -> str:
        keep = [i for i, c in enumerate(cols) if c.title not in self.hide]
        if len(keep) < len(cols):
            cols = [cols[i] for i in keep]
            rows = [[row[i] for i in keep] for row in rows]
            foot = [foot[i] for i in keep] if foot else None
        anchor, head = self.heading(title)
        parts = [head]
        if note:
            parts.append(f'<p class="note">{escape(note)}</p>')
        if not rows:
            parts.append('<p class="empty">None.</p>')
            return "".join(parts)
        self._align(anchor, cols)
        folded = len(rows) > FOLD
        header = "".join(f"<th>{escape(c.title)}" for c in cols)
        body = []
        for index, row in enumerate(rows):
            classes = " ".join(
                name
                for name, on in (("g", index in group_starts and index > 0), ("h", index >= FOLD))
                if on
            )
            opening = f'<tr class="{classes}">' if classes else "<tr>"
            body.append(opening + "".join(f"<td>{_text(v)}" for v in row))
        footer = (
            "<tfoot><tr>" + "".join(f"<td>{_text(v)}" for v in foot) + "</tfoot>" if foot else ""
        )
        table_class = "s c" if folded else "s"
        parts.append(
            f'<div class="tw"><table class="{table_class}" id="{anchor}t"><thead><tr>{header}'
            f"</thead><tbody>{''.join(body)}</tbody>{footer}</table></div>"
        )
        if folded:
            label = f"Show all {len(rows)} rows"
            parts.append(f'<button class="more" data-more="{label}">{label}</button>')
        return "".join(parts)

    def _align(self, anchor: str, cols: Sequence[Col]) -> None:
        for kind, style in (
            ("num", "text-align:right"),
            ("wide", "white-space:normal;min-width:260px;word-break:break-word"),
        ):
            positions = [i + 1 for i, c in enumerate(cols) if c.kind == kind]
            if positions:
                selector = ",".join(
                    f"#{anchor}t td:nth-child({p}),#{anchor}t th:nth-child({p})" for p in positions
                )
                self.css.append(f"{selector}{{{style}}}")

    def nav(self) -> str:
        return "".join(
            f'<a class="l{level}" href="#{anchor}">{escape(title)}</a>'
            for level, anchor, title in self.toc
        )


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return escape(str(value))


def when(iso: str | None) -> str:
    """ISO time as ``2025-11-24 14:00:02.997`` (sorts as text)."""
    return iso.replace("T", " ") if iso else ""


def id_col(report: Report) -> Col:
    """The ID column: trace IDs when the log has them (AR 19.x+), else RPC IDs."""
    return Col("Trace ID" if report.has_trace_ids else "RPC ID")


def ident(report: Report, trace_id: str, rpc_id: str) -> str:
    return trace_id if report.has_trace_ids else rpc_id
