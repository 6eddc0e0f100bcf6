"""A dead worker's Prometheus files, folded into one file per metric type.

Every Gunicorn worker writes its samples to files named after its pid in
`PROMETHEUS_MULTIPROC_DIR` (`counter_1234.db`, `histogram_1234.db`, …), and `/metrics`
sums every file it finds. Workers are recycled (`max_requests`), so a long-running
container would collect a set of files per worker it ever had: the directory grows
without bound (it is a 32 Mi emptyDir in Kubernetes) and each scrape reads more files.

Deleting a dead worker's counters would make the totals go down, which Prometheus reads
as a counter reset. So the master, as each worker exits, adds the dead worker's counters
and histograms into `<type>_retired.db` and deletes the worker's files: the sums stay
what they were and the directory holds one set of files per live worker plus one.
Live gauges (`livesum`) of the dead worker are dropped, as prometheus_client intends.
"""

import os
from pathlib import Path

from prometheus_client import multiprocess
from prometheus_client.mmap_dict import MmapedDict

# The metric types whose samples add up across processes (prometheus_client's names).
SUMMED_TYPES = ("counter", "histogram", "summary")
RETIRED = "retired"  # in place of a pid in the file name


def retire_worker_metrics(directory: Path, pid: int) -> None:
    """Fold the dead worker `pid`'s summed samples into the retired files; drop the rest.

    Run by one process only (Gunicorn's master, in `child_exit`): the retired files have
    no other writer. A scrape during the fold may count the worker twice for an instant
    (after the new retired file is in place, before the worker's file is gone), never
    miss it.
    """
    multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
    for metric_type in SUMMED_TYPES:
        dead = directory / f"{metric_type}_{pid}.db"
        if dead.exists():
            _fold(dead, directory / f"{metric_type}_{RETIRED}.db")
            dead.unlink()


def _fold(dead: Path, retired: Path) -> None:
    totals: dict[str, tuple[float, float]] = {}
    for source in (retired, dead):
        if source.exists():
            for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(  # type: ignore[no-untyped-call]
                str(source)
            ):
                total, latest = totals.get(key, (0.0, 0.0))
                totals[key] = (total + value, max(latest, timestamp))
    # Written aside (a name /metrics does not read) and moved over the old one at once.
    staged = retired.with_suffix(".staged")
    staged.unlink(missing_ok=True)
    merged = MmapedDict(str(staged))  # type: ignore[no-untyped-call]
    try:
        for key, (total, latest) in totals.items():
            merged.write_value(key, total, latest)  # type: ignore[no-untyped-call]
    finally:
        merged.close()  # type: ignore[no-untyped-call]
    os.replace(staged, retired)
