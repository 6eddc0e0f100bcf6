"""What a running job uses: the worker's settings, database sessions and HTTP client.

The worker builds them once at start (`provide_job_resources`) and closes them at the end;
a job calls `job_resources()` and opens its own session, as a route would get one.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import create_engine, create_sessions
from app.core.outbound_http import create_http_client


@dataclass(frozen=True)
class JobResources:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]  # one transaction per `async with ... begin()`
    http: httpx.AsyncClient


_current: list[JobResources] = []


def job_resources() -> JobResources:
    if not _current:
        raise RuntimeError("no job worker is running in this process (app.core.jobs.worker)")
    return _current[-1]


@asynccontextmanager
async def provide_job_resources(settings: Settings) -> AsyncIterator[JobResources]:
    engine = create_engine(settings)
    http = create_http_client(settings)
    resources = JobResources(settings, create_sessions(engine).transactional, http)
    _current.append(resources)
    try:
        yield resources
    finally:
        _current.remove(resources)
        await http.aclose()
        await engine.dispose()
