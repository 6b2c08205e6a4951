"""``make bench``: parser throughput, `remedyiq analyze` wall time and peak RSS, vs the reference.

Timings on shared machines are noisy: compare ratios measured in the same run. Writes a table to
stdout and JSON to ``bench/results/latest.json``. With ``ARLA_JAR`` pointing at BMC's
ARLogAnalyzer jar, the same files are analysed by it too and the speed-up is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from bench.measure import run_measured
from remedyiq_arlog.generator import GeneratorConfig, generate, parse_size
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.runner import parse_range, plan_file

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "bench"
RESULTS = REPO / "bench" / "results"


def log_of(size: str) -> Path:
    """A generated combined log of about ``size`` (reused between runs)."""
    path = CACHE / f"generated-{size}.log"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with partial.open("wb") as out:
            generate(GeneratorConfig(seed=2025, target_bytes=parse_size(size)), out)
        partial.rename(path)
    return path


def parser_throughput(path: Path) -> dict[str, float]:
    """One process, one range: MB/s and lines/s per core."""
    task = plan_file(path)[0]
    started = time.process_time()
    with path.open("rb") as stream:
        rows, summary = parse_range(stream, task, ParseOptions())
        count = sum(1 for _ in rows)
    cpu = time.process_time() - started
    size = path.stat().st_size
    return {
        "bytes": size,
        "cpu_s": round(cpu, 3),
        "mb_per_s_per_core": round(size / cpu / 1e6, 1),
        "lines_per_s_per_core": round(summary.stats.physical_lines / cpu),
        "rows": count,
    }


def analyze(path: Path, jar: str | None) -> dict[str, object]:
    ours = run_measured(
        [sys.executable, "-m", "remedyiq_cli.main", "analyze", str(path), "-q", "--format", "json"]
    )
    result: dict[str, object] = {
        "file": path.name,
        "bytes": path.stat().st_size,
        "remedyiq_wall_s": round(ours.wall_s, 2),
        "remedyiq_peak_rss_mb": round(ours.peak_rss_mb),
    }
    if jar:
        heap = "16g" if path.stat().st_size > 300e6 else "8g"
        reference = run_measured(["java", f"-Xmx{heap}", "-jar", jar, str(path)], cwd=str(CACHE))
        result |= {
            "reference_wall_s": round(reference.wall_s, 2),
            "reference_peak_rss_mb": round(reference.peak_rss_mb),
            "speedup": round(reference.wall_s / ours.wall_s, 2),
            "memory_ratio": round(reference.peak_rss_mb / max(ours.peak_rss_mb, 1), 1),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100MB,1GB", help="generated log sizes to analyse")
    args = parser.parse_args(argv)
    jar = os.environ.get("ARLA_JAR")
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    logs = {size: log_of(size) for size in sizes}
    report: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "parser": parser_throughput(logs[sizes[0]]),
        "analyze": [analyze(path, jar) for path in logs.values()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    parse = report["parser"]
    assert isinstance(parse, dict)
    speed, lines = parse["mb_per_s_per_core"], parse["lines_per_s_per_core"]
    print(f"parser: {speed} MB/s and {lines:,} lines/s per core")
    header = f"{'file':<24} {'size':>9} {'remedyiq s':>11} {'RSS MB':>7}"
    if jar:
        header += f" {'reference s':>12} {'RSS MB':>7} {'speed-up':>9}"
    print(header)
    for row in report["analyze"]:  # type: ignore[attr-defined]
        line = (
            f"{row['file']:<24} {row['bytes'] / 1e6:>7.0f}MB {row['remedyiq_wall_s']:>11}"
            f" {row['remedyiq_peak_rss_mb']:>7}"
        )
        if jar:
            line += (
                f" {row['reference_wall_s']:>12} {row['reference_peak_rss_mb']:>7}"
                f" {row['speedup']:>8}x"
            )
        print(line)
    print(f"JSON: {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
