"""/docs and /redoc load nothing from another origin: the app serves their assets.

(tests/browser/ renders them in a real Chromium; these check what the server sends.)
"""

import base64
import hashlib
import re

import pytest
from httpx import AsyncClient

from app.core.edge import INLINE_SCRIPT

ASSET_URL = re.compile(r'(?:src|href)="([^"]+)"')


def _script_hash(page: str) -> str:
    (script,) = INLINE_SCRIPT.findall(page)
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_their_assets_from_the_app(client: AsyncClient, page: str) -> None:
    response = await client.get(page)

    urls = ASSET_URL.findall(response.text)
    assert urls
    for url in urls:
        assert url.startswith("/docs/assets/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000


@pytest.mark.parametrize("page", ["/docs", "/docs/oauth2-redirect"])
async def test_only_the_pages_own_inline_script_may_run(client: AsyncClient, page: str) -> None:
    response = await client.get(page)

    csp = response.headers["content-security-policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert script_src == f"script-src 'self' {_script_hash(response.text)}"
    assert "http" not in csp
    assert "'unsafe-eval'" not in csp


async def test_docs_csp_names_no_other_origin(client: AsyncClient) -> None:
    response = await client.get("/redoc")

    csp = response.headers["content-security-policy"]
    assert "http" not in csp
    assert "script-src" not in csp  # scripts: default-src 'self'
    assert csp.startswith("default-src 'self';")


async def test_a_missing_asset_is_a_404_problem(client: AsyncClient) -> None:
    response = await client.get("/docs/assets/nothing-here.js")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
