"""Errors as RFC 9457 problems (`application/problem+json`), everywhere.

- the hierarchy: `AppError` and its kinds (`NotFound`, `Conflict`, `Forbidden`,
  `Unauthorized`, `InvalidInput`, `TooManyRequests`), raised by services and dependencies;
  `problem_responses(...)` declares them on a route for the OpenAPI document.
- `install_error_handlers`: validation errors as field-keyed 422s, known database errors as
  4xx, a database outage as 503 + Retry-After (`is_database_outage`), anything else as a
  500 problem without a trace; `internal_error_problem` for the edge's last resort.
"""

from app.core.errors._allowed_methods import path_item_for
from app.core.errors._handlers import install_error_handlers, internal_error_problem
from app.core.errors._outage import RETRY_AFTER_SECONDS, is_database_outage, uses_database
from app.core.errors._problems import (
    PROBLEM_CONTENT_TYPE,
    AppError,
    Conflict,
    FieldErrors,
    Forbidden,
    InvalidInput,
    NotFound,
    Problem,
    TooManyRequests,
    Unauthorized,
    problem_response,
    problem_responses,
)

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "RETRY_AFTER_SECONDS",
    "AppError",
    "Conflict",
    "FieldErrors",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "Problem",
    "TooManyRequests",
    "Unauthorized",
    "install_error_handlers",
    "internal_error_problem",
    "is_database_outage",
    "path_item_for",
    "problem_response",
    "problem_responses",
    "uses_database",
]
