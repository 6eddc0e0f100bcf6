"""The Conduit operations' side of the OpenAPI contract (the rules: tests/core/edge/)."""

import re
from typing import Any

import pytest
from fastapi import FastAPI

from app.core.schemas import NON_BLANK_PATTERN


@pytest.fixture
def schema(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


@pytest.mark.parametrize(("model", "field"), [("NewArticle", "title"), ("NewComment", "body")])
def test_required_text_is_declared_non_blank(
    schema: dict[str, Any], model: str, field: str
) -> None:
    declared = schema["components"]["schemas"][model]["properties"][field]["pattern"]
    assert declared == NON_BLANK_PATTERN
    assert not re.search(declared, " \t")


@pytest.mark.parametrize("field", ["title", "tagList"])
def test_article_changes_are_optional_but_not_nullable(schema: dict[str, Any], field: str) -> None:
    component = schema["components"]["schemas"]["ArticleChanges"]
    assert "anyOf" not in component["properties"][field]
    assert field not in component.get("required", [])


def test_the_reads_that_anyone_may_make_are_marked_so(schema: dict[str, Any]) -> None:
    anonymous_allowed = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
        if {} in operation.get("security", [])
    }

    assert anonymous_allowed == {
        "GET /api/articles",
        "GET /api/articles/{slug}",
        "GET /api/articles/{slug}/comments",
        "GET /api/articles/{slug}/comments/stream",
        "GET /api/profiles/{username}",
        "GET /api/v2/profiles/{username}",
    }
    feed = schema["paths"]["/api/articles/feed"]["get"]
    assert feed["security"] == [{"OAuth2 password": []}, {"Token": []}]


def test_the_writes_are_rate_limited_and_the_reads_are_not(schema: dict[str, Any]) -> None:
    limited = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "429" in operation.get("responses", {})
    }
    assert {"POST /api/articles", "POST /api/profiles/{username}/follow"} <= limited
    # A read is never rate-limited; the one GET with a 429 is the live stream, whose 429
    # is the per-client share of the worker's streams (STREAM_MAX_PER_CLIENT), not a rate.
    limited_reads = {operation for operation in limited if operation.startswith("GET ")}
    assert limited_reads == {"GET /api/articles/{slug}/comments/stream"}
