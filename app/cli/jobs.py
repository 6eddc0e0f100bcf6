"""`python -m app.cli.jobs failed` lists the dead letter; `retry ID` queues one job again."""

import argparse
import asyncio
import json

from app.core.config import settings_or_exit
from app.core.db import create_engine, create_sessions
from app.core.jobs import failed_jobs, retry_failed_job


async def _run(command: str, job_id: int | None) -> int:
    engine = create_engine(settings_or_exit())
    try:
        async with create_sessions(engine).transactional() as session, session.begin():
            if command == "retry":
                assert job_id is not None  # noqa: S101 (argparse requires it)
                if not await retry_failed_job(session, job_id):
                    print(f"no failed job {job_id}")
                    return 1
                print(f"job {job_id} queued again")
                return 0
            for job in await failed_jobs(session):
                print(job.id, job.task_name, job.attempts, job.failed_at, json.dumps(job.args))
            return 0
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("failed", help="list jobs that failed their last attempt")
    retry = commands.add_parser("retry", help="queue a failed job again")
    retry.add_argument("job_id", type=int)
    args = parser.parse_args(argv)
    return asyncio.run(_run(args.command, getattr(args, "job_id", None)))


if __name__ == "__main__":
    raise SystemExit(main())
