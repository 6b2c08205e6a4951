"""``make bench``: parser throughput, `remedyiq analyze` wall time and peak RSS, vs the reference;
and the pipeline on the local stack, upload → complete (``bench/pipeline.py``).

Timings on shared machines are noisy: compare ratios measured in the same run. Writes tables to
stdout and JSON to ``bench/results/latest.json`` (the parts run now replace theirs, the others
are kept). With ``ARLA_JAR`` pointing at BMC's ARLogAnalyzer jar, the same files are analysed by
it too and the speed-up is printed. ``--parts pipeline`` runs the pipeline bench alone; its sizes
come from ``--pipeline-sizes`` or ``BENCH_PIPELINE_SIZES`` (default 100MB; add 1GB for the
target, a few minutes more). ``--parts gateway`` (``bench/gateway.py``): upload MB/s and the
gateway's memory meanwhile, then dashboard, search, explorer and 50-user latencies on a job of
``BENCH_GATEWAY_ENTRIES`` entries (default 10M), uploading ``BENCH_GATEWAY_UPLOAD`` (default
1GB) — about 3 minutes on 2 cores once the logs are generated.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from bench import gateway, pipeline
from bench.measure import run_measured
from remedyiq_arlog.generator import GeneratorConfig, generate, parse_size
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.runner import parse_range, plan_file

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "bench"
RESULTS = REPO / "bench" / "results"
PARTS = ("parser", "analyze", "pipeline", "gateway")


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
        "remedyiq_peak_pss_mb": round(ours.peak_pss_mb),
    }
    if jar:
        heap = "16g" if path.stat().st_size > 300e6 else "8g"
        reference = run_measured(["java", f"-Xmx{heap}", "-jar", jar, str(path)], cwd=str(CACHE))
        result |= {
            "reference_wall_s": round(reference.wall_s, 2),
            "reference_peak_rss_mb": round(reference.peak_rss_mb),
            "reference_peak_pss_mb": round(reference.peak_pss_mb),
            "speedup": round(reference.wall_s / ours.wall_s, 2),
            "memory_ratio": round(reference.peak_pss_mb / max(ours.peak_pss_mb, 1), 1),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100MB,1GB", help="generated log sizes to analyse")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"which benches (comma-separated; default {','.join(PARTS)})",
    )
    parser.add_argument(
        "--pipeline-sizes",
        default=os.environ.get("BENCH_PIPELINE_SIZES", "100MB"),
        help="log sizes for the pipeline bench (env BENCH_PIPELINE_SIZES; default 100MB)",
    )
    parser.add_argument(
        "--parsers",
        type=int,
        default=int(os.environ.get("BENCH_PARSERS", "2")),
        help="parser processes in the pipeline and gateway benches (env BENCH_PARSERS; default 2)",
    )
    parser.add_argument(
        "--gateway-entries",
        type=int,
        default=os.environ.get("BENCH_GATEWAY_ENTRIES", "10_000_000"),
        help="entries of the gateway bench's job (env BENCH_GATEWAY_ENTRIES; default 10M)",
    )
    parser.add_argument(
        "--gateway-upload",
        default=os.environ.get("BENCH_GATEWAY_UPLOAD", "1GB"),
        help="size of the gateway bench's timed upload (env BENCH_GATEWAY_UPLOAD; default 1GB)",
    )
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}")
    jar = os.environ.get("ARLA_JAR")
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    latest = RESULTS / "latest.json"
    report: dict[str, object] = json.loads(latest.read_text("utf-8")) if latest.exists() else {}
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    if parts & {"parser", "analyze"}:
        logs = {size: log_of(size) for size in sizes}
        if "parser" in parts:
            report["parser"] = parser_throughput(logs[sizes[0]])
            print_parser(report["parser"])  # type: ignore[arg-type]
        if "analyze" in parts:
            report["analyze"] = [analyze(path, jar) for path in logs.values()]
            print_analyze(report["analyze"], jar)  # type: ignore[arg-type]
    if "pipeline" in parts:
        names = [s.strip() for s in args.pipeline_sizes.split(",") if s.strip()]
        flow = pipeline.run(
            {size: log_of(size) for size in names}, CACHE / "pipeline", parsers=args.parsers
        )
        report["pipeline"] = flow
        pipeline.print_report(flow)
    if "gateway" in parts:
        bench = gateway.run(
            log_of(args.gateway_upload),
            log_of(gateway.JOB_LOG),
            CACHE / "gateway",
            entries=args.gateway_entries,
            parsers=args.parsers,
        )
        report["gateway"] = bench
        gateway.print_report(bench)
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"JSON: {latest}")
    return 0


def print_parser(parse: dict[str, float]) -> None:
    speed, lines = parse["mb_per_s_per_core"], parse["lines_per_s_per_core"]
    print(f"parser: {speed} MB/s and {lines:,} lines/s per core")


def print_analyze(rows: list[dict[str, object]], jar: str | None) -> None:
    header = f"{'file':<24} {'size':>9} {'remedyiq s':>11} {'PSS MB':>7} {'RSS MB':>7}"
    if jar:
        header += f" {'reference s':>12} {'PSS MB':>7} {'speed-up':>9}"
    print(header)
    for row in rows:
        size = row["bytes"]
        assert isinstance(size, int)
        line = (
            f"{row['file']:<24} {size / 1e6:>7.0f}MB {row['remedyiq_wall_s']:>11}"
            f" {row['remedyiq_peak_pss_mb']:>7} {row['remedyiq_peak_rss_mb']:>7}"
        )
        if jar:
            line += (
                f" {row['reference_wall_s']:>12} {row['reference_peak_pss_mb']:>7}"
                f" {row['speedup']:>8}x"
            )
        print(line)


if __name__ == "__main__":
    sys.exit(main())
