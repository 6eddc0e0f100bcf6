"""Which methods the published API allows on a path: the `Allow` header of a 405."""

import re
from typing import Any

from fastapi import FastAPI

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _template_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template)) + "$")


def path_item_for(schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The OpenAPI path item whose template matches a concrete request path."""
    paths = schema.get("paths", {})
    if path in paths:  # a literal path ("/api/users/login") beats a template
        exact: dict[str, Any] = paths[path]
        return exact
    for template, item in paths.items():
        if _template_pattern(template).match(path):
            path_item: dict[str, Any] = item
            return path_item
    return None


def allowed_methods(app: FastAPI, path: str) -> list[str] | None:
    """Methods the published API supports on `path` (None: not a documented path)."""
    item = path_item_for(app.openapi(), path)
    return None if item is None else sorted(m.upper() for m in item if m in HTTP_METHODS)
