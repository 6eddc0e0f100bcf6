"""/docs (Swagger UI) and /redoc with their JavaScript and CSS served by the app itself.

FastAPI's own pages load them from a CDN, so they are blank on an air-gapped network or
behind a CSP without that CDN. The `fastapi-offline` wheel ships the files (Swagger UI,
ReDoc, a favicon); they are served under /docs/assets and FastAPI's page builders point at
them. Each page's one inline script (Swagger UI's start-up, the OAuth2 redirect) is allowed
by its hash, so the docs CSP (`DOCS_CSP`) lets scripts come from this origin only.
"""

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.core.edge._security_headers import DOCS_CSP

ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
ASSETS_URL = "/docs/assets"
SWAGGER_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _allowing_inline_scripts(page: HTMLResponse) -> HTMLResponse:
    """The docs CSP plus the hash of each inline script of `page` (nothing else inline)."""
    digests = [
        base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        for script in INLINE_SCRIPT.findall(bytes(page.body).decode())
    ]
    hashes = " ".join(f"'sha256-{digest}'" for digest in digests)
    # DOCS_CSP has no script-src of its own (scripts fall back to default-src 'self').
    page.headers["Content-Security-Policy"] = f"{DOCS_CSP}; script-src 'self' {hashes}"
    return page


def install_docs(app: FastAPI) -> None:
    """Serve /docs, its OAuth2 redirect page and /redoc; build the app with docs_url=None."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get(SWAGGER_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        return _allowing_inline_scripts(page)

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return _allowing_inline_scripts(get_swagger_ui_oauth2_redirect_html())

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
