"""Database outages: a 503 for each request they fail, one log line per episode.

When PostgreSQL cannot be reached (connection refused or reset, connect timeout, a pool with
no free connection in time, a connection lost mid-request, the server shutting down), every
request that needs it fails the same way. That is not a bug in the code: the client gets a
503 problem with `Retry-After`, and the log says once that the database is unreachable and
once, with the number of requests answered 503, that it is reachable again, instead of a
traceback per request. Any other error stays a 500 with its traceback.

Recovery is noticed when a request's statements succeed again (app/core/db/_outage_log.py).
"""

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.db import get_session, outage_log, sqlstate
from app.core.errors._problems import problem_response
from app.core.request_id import current_request_id

logger = logging.getLogger(__name__)

# Short: a restart or failover takes seconds, and the readiness probe takes the instance out
# of rotation meanwhile if it lasts.
RETRY_AFTER_SECONDS = 2

# SQLSTATEs of a server that cannot serve connections: class 08 (connection exception),
# admin/crash shutdown, "cannot connect now" (starting up or shutting down), no free slot.
_OUTAGE_SQLSTATE_CLASS = "08"
_OUTAGE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
_DRIVER_MODULES = ("asyncpg.", "sqlalchemy.")


def _raised_by_the_driver(error: BaseException) -> bool:
    """Whether an OSError came out of the database driver (not, say, a file the code opened)."""
    frame = error.__traceback__
    while frame is not None:
        if str(frame.tb_frame.f_globals.get("__name__", "")).startswith(_DRIVER_MODULES):
            return True
        frame = frame.tb_next
    return False


def is_database_outage(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached, rather than a bug."""
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError):
        code = sqlstate(error) or ""
        return (
            error.connection_invalidated
            or code.startswith(_OUTAGE_SQLSTATE_CLASS)
            or code in _OUTAGE_SQLSTATES
            or isinstance(error.orig, OSError)
        )
    # Connection refused/reset and connect timeouts reach us unwrapped (TimeoutError and
    # ConnectionError are OSErrors).
    return isinstance(error, OSError) and _raised_by_the_driver(error)


def outage_response(error: BaseException) -> JSONResponse:
    outage_log.request_failed(error)
    return problem_response(
        HTTPStatus.SERVICE_UNAVAILABLE,
        f"The database is unreachable; retry in {RETRY_AFTER_SECONDS} seconds.",
        errors={"database": ["is unreachable"]},
        request_id=current_request_id(),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _on_unwrapped_error(_: Request, exc: Exception) -> JSONResponse:
    if not is_database_outage(exc):
        raise exc  # a bug: the unhandled-error middleware logs it and answers 500
    return outage_response(exc)


def install_outage_handling(app: FastAPI) -> None:
    """503s for outages the driver reports unwrapped; DBAPIErrors go through
    `app.core.errors._handlers`, which asks `is_database_outage` first."""
    app.add_exception_handler(OSError, _on_unwrapped_error)
    app.add_exception_handler(PoolTimeout, _on_unwrapped_error)


def uses_database(dependant: Dependant) -> bool:
    """Whether an operation takes a database session (and so can meet an outage)."""
    return any(
        dependency.call is get_session or uses_database(dependency)
        for dependency in dependant.dependencies
    )
