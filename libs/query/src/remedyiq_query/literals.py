"""Literal decoding: KQL escapes and wildcards to plain text.

Unquoted: a backslash escapes any one character (``\\:``, ``\\(``, ``\\*``, ``\\ ``); every run of
unescaped ``*`` is one wildcard. Quoted: only ``\\"`` and ``\\\\`` are escapes, so ``"C:\\temp"``
means what it shows, and ``*`` is literal.
"""

from __future__ import annotations


def decode_unquoted(raw: str) -> tuple[str, tuple[str, ...]]:
    """Decode an unquoted literal: ``\\x`` is a literal x; each run of ``*`` is one wildcard."""
    pieces: list[str] = []
    current: list[str] = []
    shown: list[str] = []
    i, after_star = 0, False
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            ch, i = raw[i + 1], i + 2
        else:
            i += 1
            if ch == "*":
                if not after_star:
                    pieces.append("".join(current))
                    current, after_star = [], True
                    shown.append("*")
                continue
        current.append(ch)
        shown.append(ch)
        after_star = False
    pieces.append("".join(current))
    return "".join(shown), tuple(pieces)


def decode_quoted(raw: str) -> str:
    """Decode a quoted literal (with its quotes): only ``\\"`` and ``\\\\`` are escapes."""
    body, out, i = raw[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in '"\\':
            out.append(body[i + 1])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)
