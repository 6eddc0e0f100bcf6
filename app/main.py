"""Application factory: settings, logging, lifespan, middleware, error handlers, routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware import Middleware

from app.core.config import Settings, get_settings
from app.core.database import create_engine, create_session_factory
from app.core.error_handlers import UnhandledErrorMiddleware, install_error_handlers
from app.core.health import router as health_router
from app.core.logging import configure_logging
from app.core.openapi import declare_problem_media_type
from app.core.request_id import RequestIdMiddleware
from app.routers import api_router


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Runs in each worker process after Gunicorn forks: every worker owns its own pool.
    settings: Settings = app.state.settings
    engine = create_engine(settings)
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    try:
        yield
    finally:
        await engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.effective_log_format)
    app = FastAPI(
        title=settings.app_name,
        summary="Production-ready async FastAPI service implementing the RealWorld API.",
        version="1.0.0",
        debug=settings.debug,
        lifespan=lifespan,
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(UnhandledErrorMiddleware),
        ],
    )
    app.state.settings = settings
    install_error_handlers(app)
    declare_problem_media_type(app)
    app.include_router(health_router)
    app.include_router(api_router, prefix="/api")
    return app


app = create_app()
