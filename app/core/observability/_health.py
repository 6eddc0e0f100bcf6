"""Liveness and readiness probes for orchestrators and load balancers."""

import asyncio
from http import HTTPStatus
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.core.config import Settings
from app.core.errors import AppError, problem_responses

router = APIRouter(prefix="/health", tags=["health"])


class HealthStatus(BaseModel):
    status: Literal["ok"] = "ok"


class DatabaseUnavailable(AppError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE


# Probes are called every few seconds by every orchestrator and balancer: answered with
# bytes made once rather than a model validated and serialized per call.
_OK = HealthStatus().model_dump_json().encode()


def _ok() -> Response:
    return Response(_OK, media_type="application/json")


@router.get("/live", summary="The process is up (no I/O)", response_model=HealthStatus)
async def live() -> Response:
    return _ok()


@router.get(
    "/ready",
    summary="The service can reach its database",
    responses=problem_responses(HTTPStatus.SERVICE_UNAVAILABLE),
    response_model=HealthStatus,
)
async def ready(request: Request) -> Response:
    engine: AsyncEngine = request.app.state.engine
    settings: Settings = request.app.state.settings
    try:
        async with asyncio.timeout(settings.health_db_timeout_seconds):
            async with engine.connect() as connection:
                await _probe(connection)
    except Exception as error:
        raise DatabaseUnavailable(
            "The database is unreachable.", {"database": ["is unreachable"]}
        ) from error
    return _ok()


async def _probe(connection: AsyncConnection) -> None:
    """`SELECT 1` on a pooled connection, sent by the driver itself (no result to build)."""
    driver = (await connection.get_raw_connection()).driver_connection
    try:
        await driver.execute("SELECT 1")  # type: ignore[union-attr]
    except Exception:
        await connection.invalidate()  # a connection that failed its probe is not reused
        raise
