"""`python -m app.cli.worker`: the job worker (`make worker`, the Compose `worker` service).

Runs until SIGTERM/SIGINT, then finishes the jobs in hand (app/core/jobs/worker.py).
`--import MODULE` declares extra tasks (tests use it); `--queue` limits the queues served.
"""

import argparse
import asyncio
import importlib
import logging

from app.core.config import settings_or_exit
from app.core.jobs.worker import WorkerMisconfigured, run_worker
from app.core.observability import configure_logging
from app.features import JOB_MODULES

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--import", dest="modules", action="append", default=[])
    parser.add_argument("--queue", dest="queues", action="append", default=None)
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    configure_logging(settings)
    for module in (*JOB_MODULES, *args.modules):
        importlib.import_module(module)
    try:
        asyncio.run(run_worker(settings, queues=args.queues))
    except WorkerMisconfigured as error:
        logger.error("Refusing to start: %s", error)  # noqa: TRY400 (a message, not a bug)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
