"""One error format for the whole application: RFC 9457 problem details.

Every error response is `application/problem+json` with the standard members (`type`,
`title`, `status`, `detail`), the request id, and an `errors` member keyed by field
holding lists of messages, which is what RealWorld clients read.
"""

from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.core.request_id import current_trace_id

PROBLEM_CONTENT_TYPE = "application/problem+json"

FieldErrors = dict[str, list[str]]


class Problem(BaseModel):
    """RFC 9457 problem details, as sent on every error response."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": "about:blank",
                "title": "Unprocessable Entity",
                "status": 422,
                "detail": "The request is invalid.",
                "errors": {"title": ["can't be blank"]},
                "request_id": "3f2a0c1e9b8d4e7fa6c5b4a39281706f",
                "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            }
        }
    )

    type: str = Field(default="about:blank", description="URI identifying the problem type.")
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="Explanation specific to this occurrence.")
    errors: FieldErrors = Field(
        default_factory=dict, description="Messages keyed by the field they concern."
    )
    request_id: str | None = Field(default=None, description="Echo of the X-Request-ID header.")
    trace_id: str | None = Field(
        default=None,
        description="OpenTelemetry trace id (32 hex digits); only when tracing is on.",
    )


class AppError(Exception):
    """An expected failure that maps to a problem response."""

    status_code: int = HTTPStatus.BAD_REQUEST
    headers: dict[str, str] | None = None
    # The problem `type`: a URI a client may act on, where the status alone is not enough.
    problem_type: str = "about:blank"
    # RFC 9457 extension members beside the standard ones (what the client needs to go on,
    # e.g. a two-factor challenge); declared in the route's OpenAPI by a `Problem` subclass.
    extensions: dict[str, Any] | None = None

    def __init__(self, detail: str, errors: FieldErrors | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class Unauthorized(AppError):
    status_code = HTTPStatus.UNAUTHORIZED

    def __init__(self, detail: str, errors: FieldErrors | None = None) -> None:
        super().__init__(detail, errors)
        # The RealWorld scheme is "Token"; Bearer is accepted too (see app.core.auth._header).
        self.headers = {"WWW-Authenticate": 'Token realm="api", Bearer realm="api"'}


class Forbidden(AppError):
    status_code = HTTPStatus.FORBIDDEN


class NotFound(AppError):
    status_code = HTTPStatus.NOT_FOUND

    def __init__(self, resource: str) -> None:
        super().__init__(f"The {resource} was not found.", {resource: ["not found"]})


class Conflict(AppError):
    status_code = HTTPStatus.CONFLICT


class TooManyRequests(AppError):
    status_code = HTTPStatus.TOO_MANY_REQUESTS

    def __init__(self, detail: str, errors: FieldErrors, retry_after_seconds: int) -> None:
        super().__init__(detail, errors)
        self.headers = {"Retry-After": str(retry_after_seconds)}


class InvalidInput(AppError):
    status_code = HTTPStatus.UNPROCESSABLE_ENTITY


def problem_response(
    status: int,
    detail: str,
    *,
    errors: FieldErrors | None = None,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
    problem_type: str = "about:blank",
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    problem = Problem(
        type=problem_type,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        errors=errors or {},
        request_id=request_id,
        trace_id=current_trace_id(),
    )
    body = problem.model_dump(mode="json")
    if body["trace_id"] is None:  # tracing off, or no span: the member is left out
        del body["trace_id"]
    if extensions:
        body.update(extensions)
    return JSONResponse(
        body,
        status_code=status,
        headers=headers,
        media_type=PROBLEM_CONTENT_TYPE,
    )


def problem_responses(
    *statuses: int, models: dict[int, type[Problem]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries declaring problem bodies for the given statuses;
    `models` names a `Problem` subclass (with extension members) for some of them."""
    entries: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        model = (models or {}).get(status, Problem)
        reference = {"$ref": f"#/components/schemas/{model.__name__}"}
        entries[status] = {
            "model": model,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": reference}},
        }
    return entries
