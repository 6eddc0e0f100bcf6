"""The Conduit API: every domain router, mounted by `create_app` under `/api`."""

from fastapi import APIRouter

from app.routers import users

api_router = APIRouter()
api_router.include_router(users.router)
