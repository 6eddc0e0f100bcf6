"""The Conduit API: every domain router, mounted by `create_app` under `/api`."""

from fastapi import APIRouter

from app.routers import articles, comments, profiles, tags, users, webhooks

# Mounted one by one rather than through one parent router: each level of nesting is
# another round of route matching on every request.
API_ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router for module in (users, profiles, articles, comments, tags, webhooks)
)
