"""Liveness and readiness probes for orchestrators and load balancers."""

import asyncio
from http import HTTPStatus
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.errors import AppError, problem_responses

router = APIRouter(prefix="/health", tags=["health"])


class HealthStatus(BaseModel):
    status: Literal["ok"] = "ok"


class DatabaseUnavailable(AppError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE


@router.get("/live", summary="The process is up (no I/O)")
async def live() -> HealthStatus:
    return HealthStatus()


@router.get(
    "/ready",
    summary="The service can reach its database",
    responses=problem_responses(HTTPStatus.SERVICE_UNAVAILABLE),
)
async def ready(request: Request) -> HealthStatus:
    engine: AsyncEngine = request.app.state.engine
    settings: Settings = request.app.state.settings
    try:
        async with asyncio.timeout(settings.health_db_timeout_seconds):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as error:
        raise DatabaseUnavailable(
            "The database is unreachable.", {"database": ["is unreachable"]}
        ) from error
    return HealthStatus()
