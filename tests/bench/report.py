"""Printing a benchmark run and saving it as JSON under .bench/."""

import argparse
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.load import Load

RESULTS_DIR = Path(__file__).resolve().parents[2] / ".bench"


@dataclass(frozen=True)
class Measurement:
    server: str  # "project" or "floor"
    load: Load
    cpu_ms_per_request: float
    # Everything else the machine ran meanwhile (wrk, PostgreSQL, the kernel), per request,
    # and how busy the machine was: a saturated machine caps throughput, not the server.
    other_cpu_ms_per_request: float = 0.0
    machine_busy: float = 0.0
    # Statements the database ran per request (round trips), from pg_stat_statements.
    statements_per_request: float | None = None


@dataclass
class Run:
    workers: int
    results: dict[str, list[Measurement]] = field(default_factory=dict)
    idle_rss_mb: dict[str, list[float]] = field(default_factory=dict)
    loaded_rss_mb: dict[str, list[float]] = field(default_factory=dict)
    scaled: list[Measurement] = field(default_factory=list)
    scaled_workers: int = 0
    error_lines: int = 0  # ERROR lines the servers logged
    access_lines: int = 0  # the project's access lines (one per request it answered)


def _by_server(measurements: list[Measurement]) -> dict[str, Measurement]:
    return {m.server: m for m in measurements}


def _ratio(project: Measurement, floor: Measurement | None) -> str:
    if floor is None or not floor.cpu_ms_per_request:
        return "-"
    return f"{project.cpu_ms_per_request / floor.cpu_ms_per_request:.1f}x"


def _statements(measurement: Measurement | None) -> str:
    if measurement is None or measurement.statements_per_request is None:
        return f"{'-':>6}"
    return f"{measurement.statements_per_request:>6.1f}"


def _rows(run: Run) -> list[str]:
    header = (
        f"{'scenario':<25}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'p99/p50':>8}{'errors':>7}"
        f"{'CPU ms/req':>11}{'stmts':>6}  |{'floor req/s':>12}{'floor CPU':>10}{'stmts':>6}"
        f"{'ratio':>7}"
    )
    rows = [header, "-" * len(header)]
    for name, measurements in run.results.items():
        by_server = _by_server(measurements)
        project, floor = by_server["project"], by_server.get("floor")
        p = project.load
        spread = p.p99_ms / p.p50_ms if p.p50_ms else 0.0
        floor_cells = (
            f"{floor.load.requests_per_second:>12.0f}{floor.cpu_ms_per_request:>10.3f}"
            if floor
            else f"{'-':>12}{'-':>10}"
        )
        rows.append(
            f"{name:<25}{p.requests_per_second:>8.0f}{p.p50_ms:>9.2f}{p.p99_ms:>9.2f}"
            f"{spread:>8.1f}{p.errors:>7}{project.cpu_ms_per_request:>11.3f}"
            f"{_statements(project)}  |{floor_cells}{_statements(floor)}{_ratio(project, floor):>7}"
        )
    return rows


def _overload(run: Run) -> list[str]:
    """The scenarios that counted answers by status: every non-2xx, and how it was sent."""
    lines = []
    for name, measurements in run.results.items():
        for measurement in measurements:
            load = measurement.load
            if load.statuses is None:
                continue
            lines.append(
                f"{name} ({measurement.server}): {load.requests_per_second:.0f} req/s, p50 "
                f"{load.p50_ms:.0f} ms, p99 {load.p99_ms:.0f} ms, max {load.max_ms:.0f} ms; "
                f"answers by status {dict(sorted(load.statuses.items()))}, "
                f"503 without Retry-After: {load.unavailable_without_retry_after}, "
                f"no answer within 10 s: {load.timeouts}"
            )
    return ["", *lines] if lines else []


def _memory_and_scaling(run: Run) -> list[str]:
    lines = []
    for label, rss in (("idle", run.idle_rss_mb), ("after load", run.loaded_rss_mb)):
        cells = ", ".join(
            f"{server} {' / '.join(f'{mb:.0f}' for mb in sizes)} MB"
            for server, sizes in rss.items()
        )
        lines.append(f"worker RSS {label}: {cells}")
    one = _by_server(run.results.get("current user", []))
    scaled = _by_server(run.scaled)
    for server, measurement in scaled.items():
        if server in one and one[server].load.requests_per_second:
            factor = measurement.load.requests_per_second / one[server].load.requests_per_second
            lines.append(
                f"current user, {run.scaled_workers} workers ({server}): "
                f"{measurement.load.requests_per_second:.0f} req/s, {factor:.2f}x one worker, "
                f"{measurement.cpu_ms_per_request:.3f} CPU ms/req, {measurement.load.errors} "
                f"errors; machine {measurement.machine_busy:.0%} busy, the rest of it "
                f"{measurement.other_cpu_ms_per_request:.3f} CPU ms/req (one worker: "
                f"{one[server].machine_busy:.0%}, {one[server].other_cpu_ms_per_request:.3f})"
            )
            lines.append(f"  {_ceiling(one[server], measurement, run.scaled_workers)}")
    return lines


def _ceiling(one: Measurement, scaled: Measurement, workers: int) -> str:
    """What the machine allows the scaled run, whatever the server does.

    One worker is bound by its own core: 1 / (its CPU per request). More workers share the
    machine's cores with the load generator and PostgreSQL: cores / (the server's CPU per
    request + everything else's). The cheaper the server, the larger the share of the
    rest, and the lower this ceiling relative to one worker.
    """
    cores = os.cpu_count() or 1
    usable = min(workers, cores)
    per_request = scaled.cpu_ms_per_request + scaled.other_cpu_ms_per_request
    ceiling = min(usable * 1000 / scaled.cpu_ms_per_request, cores * 1000 / per_request)
    single = one.load.requests_per_second or 1.0
    reached = scaled.load.requests_per_second / ceiling
    return (
        f"ceiling on {cores} cores at these CPU costs: {ceiling:.0f} req/s "
        f"({ceiling / single:.2f}x one worker); reached {reached:.0%}"
    )


def show(run: Run, args: argparse.Namespace, commit: str, server_log: Path) -> None:
    print(
        f"\ncommit {commit}; {run.workers} worker(s), {args.connections} connections, "
        f"{args.seconds:g}s per scenario after {args.warmup:g}s warm-up"
        + ("; project through PgBouncer (DB_POOLER=pgbouncer)" if args.pgbouncer else "")
    )
    for line in [*_rows(run), *_overload(run), "", *_memory_and_scaling(run)]:
        print(line)
    print(
        f"server log: {run.error_lines} ERROR lines, {run.access_lines} access lines "
        f"(other lines kept in {server_log.relative_to(RESULTS_DIR.parent)})"
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    saved = {
        "timestamp": stamp,
        "commit": commit,
        "settings": vars(args),
        "results": {name: [asdict(m) for m in ms] for name, ms in run.results.items()},
        "idle_rss_mb": run.idle_rss_mb,
        "loaded_rss_mb": run.loaded_rss_mb,
        "scaled": {"workers": run.scaled_workers, "results": [asdict(m) for m in run.scaled]},
        "server_log_error_lines": run.error_lines,
        "access_lines": run.access_lines,
    }
    path = RESULTS_DIR / f"{stamp}.json"
    path.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"saved {path.relative_to(RESULTS_DIR.parent)}")
