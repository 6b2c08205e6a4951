"""The one error a query can raise: where it went wrong and what would have been right.

Positions are 0-based code-point offsets into the query text (``start`` inclusive, ``end``
exclusive), with the 0-based ``line`` and ``column`` of ``start``, so a UI can underline the span.
A browser counts UTF-16 code units, which differ only after a character outside the BMP.
"""

from __future__ import annotations

from typing import Literal

ErrorCode = Literal["syntax", "unknown_field", "bad_value", "unsupported", "limit"]


class KqlError(ValueError):
    """A query the user has to fix. ``str(error)`` is the message; the attributes locate it."""

    def __init__(
        self,
        message: str,
        *,
        start: int = 0,
        end: int | None = None,
        code: ErrorCode = "syntax",
        expected: tuple[str, ...] = (),
        valid: tuple[str, ...] = (),
        did_you_mean: str | None = None,
        text: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code: ErrorCode = code
        self.start = start
        self.end = max(start, start + 1 if end is None else end)
        self.expected = expected
        self.valid = valid
        self.did_you_mean = did_you_mean
        self.text = ""
        self.line = 0
        self.column = start
        if text is not None:
            self.locate(text)

    def locate(self, text: str) -> KqlError:
        """Attach the query text and compute the line and column of ``start``."""
        self.text = text
        self.start = min(self.start, len(text))
        self.end = min(max(self.end, self.start), max(len(text), self.start + 1))
        before = text[: self.start]
        self.line = before.count("\n")
        self.column = self.start - (before.rfind("\n") + 1)
        return self

    def pointer(self) -> str:
        """The offending line with a caret underline beneath the span (for logs and the CLI)."""
        lines = self.text.split("\n")
        line = lines[self.line] if self.line < len(lines) else ""
        width = max(1, min(self.end - self.start, len(line) - self.column))
        return f"{line}\n{' ' * self.column}{'^' * width}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description for the API's error body."""
        return {
            "code": self.code,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "expected": list(self.expected),
            "valid": list(self.valid),
            "did_you_mean": self.did_you_mean,
        }
