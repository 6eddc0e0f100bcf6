"""The Conduit API: every domain router, mounted by `create_app` under `/api`."""

from fastapi import APIRouter

from app.routers import articles, comments, profiles, tags, users

api_router = APIRouter()
for module in (users, profiles, articles, comments, tags):
    api_router.include_router(module.router)
