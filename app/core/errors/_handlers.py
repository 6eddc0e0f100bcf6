"""Exception handlers turning every failure into a problem response.

FastAPI's default `{"detail": [...]}` bodies never leave the process: validation errors
are rewritten as field-keyed messages, HTTP errors keep their status, and anything
unexpected becomes a bare 500 whose traceback goes to the log only.
"""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from app.core.db import sqlstate
from app.core.errors._allowed_methods import allowed_methods
from app.core.errors._outage import install_outage_handling, is_database_outage, outage_response
from app.core.errors._problems import AppError, FieldErrors, problem_response
from app.core.request_id import current_request_id

logger = logging.getLogger(__name__)

# Messages in the RealWorld style ("can't be blank"), keyed by pydantic error type.
_MESSAGES = {
    "missing": "can't be blank",
    "string_too_long": "is too long (maximum is {max_length} characters)",
    "string_too_short": "is too short (minimum is {min_length} characters)",
    "too_long": "has too many items (maximum is {max_length})",
    "json_invalid": "is not valid JSON",
    "greater_than_equal": "must be greater than or equal to {ge}",
    "less_than_equal": "must be less than or equal to {le}",
    "string_type": "must be a string",
    "string_unicode": "must be valid unicode text",
    "string_pattern_mismatch": "is invalid",
    "literal_error": "must be {expected}",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_attributes_type": "must be an object",
    "model_type": "must be an object",
}


def _message(error: dict[str, Any]) -> str:
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:  # our own validators' messages, e.g. "is invalid"
        return str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    return template.format(**(error.get("ctx") or {}))


def _field(location: Sequence[int | str]) -> str:
    """The innermost named part of a location: ("body", "user", "email") -> "email"."""
    names = [part for part in location if isinstance(part, str)]
    return names[-1] if names else "body"


def validation_errors(errors: Sequence[Any]) -> FieldErrors:
    by_field: FieldErrors = {}
    for error in errors:
        messages = by_field.setdefault(_field(error.get("loc", ())), [])
        message = _message(error)
        if message not in messages:
            messages.append(message)
    return by_field


async def _on_app_error(_: Request, exc: Exception) -> JSONResponse:
    exc = cast(AppError, exc)
    return problem_response(
        exc.status_code,
        exc.detail,
        errors=exc.errors,
        request_id=current_request_id(),
        headers=exc.headers,
        problem_type=exc.problem_type,
        extensions=exc.extensions,
    )


def _is_unsupported_media_type(request: Request, errors: Sequence[Any]) -> bool:
    """A JSON endpoint got a body in another format (FastAPI then sees no object at all)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not content_type or content_type.endswith(("/json", "+json")):
        return False
    return any(tuple(error.get("loc", ())) == ("body",) for error in errors)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(RequestValidationError, exc)
    if _is_unsupported_media_type(request, exc.errors()):
        return problem_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "Send the request body as application/json.",
            errors={"body": ["must be application/json"]},
            request_id=current_request_id(),
        )
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "The request is invalid; see `errors` for the fields concerned.",
        errors=validation_errors(exc.errors()),
        request_id=current_request_id(),
    )


# SQLSTATEs only a value can cause: text PostgreSQL cannot store (22021, 22P05), a string
# longer than its column (22001), a number outside its column's range (22003).
_REFUSED_VALUE = frozenset({"22021", "22P05", "22001", "22003"})


async def _on_database_error(_: Request, exc: Exception) -> JSONResponse:
    """An outage is a 503; otherwise the last line of defence when validation missed a
    value the database refuses."""
    if is_database_outage(exc):
        return outage_response(exc)
    code = sqlstate(exc)
    if code not in _REFUSED_VALUE:
        raise exc
    # Not a client's fault to hide: the field should have a validation rule.
    logger.warning("the database refused a request value (SQLSTATE %s): %s", code, exc.args[0])
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "The request holds a value that cannot be stored.",
        errors={"request": ["holds a value that cannot be stored"]},
        request_id=current_request_id(),
    )


# Why a JSON body that json.loads refused without a JSONDecodeError could not be read.
_UNREADABLE_JSON = {
    RecursionError: "it is nested too deeply",
    UnicodeDecodeError: "it is not UTF-8 text",
}


def _body_parse_problem(exc: HTTPException) -> JSONResponse | None:
    """FastAPI's catch-all around body parsing (a bare 400), made specific.

    FastAPI turns a JSONDecodeError into a validation error, but any other failure (too deep
    a nesting, bytes that are not UTF-8, a broken multipart form) into an HTTPException(400)
    raised from, or while handling, the original error, with nothing saying which field.
    """
    cause = exc.__cause__ or exc.__context__
    if exc.status_code != HTTPStatus.BAD_REQUEST or cause is None:
        return None
    reason = next((why for kind, why in _UNREADABLE_JSON.items() if isinstance(cause, kind)), None)
    if reason is not None:
        return problem_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            f"The request body is not valid JSON: {reason}.",
            errors={"body": ["is not valid JSON"]},
            request_id=current_request_id(),
        )
    detail = exc.detail if isinstance(exc.detail, str) else "The request body could not be read."
    return problem_response(
        HTTPStatus.BAD_REQUEST,
        detail,
        errors={"body": ["could not be parsed"]},
        request_id=current_request_id(),
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(HTTPException, exc)
    body_problem = _body_parse_problem(exc)
    if body_problem is not None:
        return body_problem
    status = HTTPStatus(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) else status.description
    headers = dict(exc.headers or {})
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        # Starlette names only the first route that matched the path; the Allow header
        # must list every method the path supports (RFC 9110, section 15.5.6).
        methods = allowed_methods(request.app, request.url.path)
        if methods:
            headers["Allow"] = ", ".join(methods)
    return problem_response(status, detail, request_id=current_request_id(), headers=headers)


def internal_error_problem(request_id: str | None) -> JSONResponse:
    """The bare 500 sent for an unexpected exception (the edge logs its traceback)."""
    return problem_response(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "An unexpected error occurred. It has been logged.",
        request_id=request_id,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _on_app_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(DBAPIError, _on_database_error)
    install_outage_handling(app)
