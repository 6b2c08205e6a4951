"""Opening the embedded engine: its allocator keeps freed memory for the next insert, unless the
operator configured it; a server's DSN is refused. Each case loads chDB in a fresh process
(jemalloc reads its options once, when the library loads)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from remedyiq_analysis.embedded import ALLOCATOR_ENV, RETAIN_FREED_MS, open_embedded

_REPORT_DECAY = """
import sys
from remedyiq_analysis.embedded import open_embedded
client = open_embedded("chdb://" + sys.argv[1])
stats = client.query("SELECT * FROM system.jemalloc_stats").result_rows[0][0]
print(next(line.strip() for line in stats.splitlines() if "opt.dirty_decay_ms" in line))
"""


def _dirty_decay(folder: Path, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != ALLOCATOR_ENV} | env
    done = subprocess.run(
        [sys.executable, "-c", _REPORT_DECAY, str(folder)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_freed_memory_is_kept_for_the_next_insert(tmp_path: Path) -> None:
    assert _dirty_decay(tmp_path) == (
        f"opt.dirty_decay_ms: {RETAIN_FREED_MS} (arenas.dirty_decay_ms: {RETAIN_FREED_MS})"
    )


def test_the_operators_allocator_options_win(tmp_path: Path) -> None:
    decay = _dirty_decay(tmp_path, **{ALLOCATOR_ENV: "dirty_decay_ms:1234"})
    assert decay == "opt.dirty_decay_ms: 1234 (arenas.dirty_decay_ms: 1234)"


def test_a_server_dsn_is_not_embedded() -> None:
    with pytest.raises(ValueError, match="not an embedded engine"):
        open_embedded("http://default:secret@localhost:8123")
