"""/docs and /redoc in a real headless Chromium, against a real server on loopback.

Swagger UI must render with no request leaving this origin and no CSP violation; Authorize
with a registered user (the OAuth2 password form) must work, and "Try it out" on GET /api/user
must answer 200. Chromium is Debian's (`make test` installs it as root, see the Makefile);
Playwright drives it (its own browser download is not used).
"""

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page

from app.core.config import Settings
from tests.deploy.server import RunningServer, production_server
from tests.support.database import migrated_scratch_database

USER_EMAIL = "browser@example.com"
USER_PASSWORD = "a browser passphrase"


@pytest.fixture(scope="module")
async def server(settings: Settings) -> AsyncIterator[RunningServer]:
    """The production server on loopback, on a migrated database with one registered user."""
    async with migrated_scratch_database(settings.database_url, "browser") as url:
        with production_server(workers=1, DATABASE_URL=url) as running:
            user = {"username": "browser", "email": USER_EMAIL, "password": USER_PASSWORD}
            async with httpx.AsyncClient(base_url=running.base_url) as client:
                registered = await client.post("/api/users", json={"user": user})
            assert registered.status_code == 201, registered.text
            yield running


class Watched:
    """A page with every CSP violation and every request to another origin recorded."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.violations: list[str] = []
        self.foreign: list[str] = []
        page.on("console", self._console)
        page.on("request", lambda request: self._request(request.url, origin))

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def _request(self, url: str, origin: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and f"{parts.scheme}://{parts.netloc}" != origin:
            self.foreign.append(url)


async def test_swagger_ui_renders_authorizes_and_tries_get_user(
    server: RunningServer, browser: Browser
) -> None:
    watched = Watched(await browser.new_page(), server.base_url)
    page = watched.page
    await page.goto(f"{server.base_url}/docs")
    await page.locator(".swagger-ui .info .title").wait_for()
    assert "Conduit API" in await page.locator(".swagger-ui .info .title").inner_text()
    get_user = page.locator(".opblock-get", has=page.locator('[data-path="/api/user"]'))
    await get_user.wait_for()
    assert await page.locator(".opblock").count() > 10

    # Authorize: the OAuth2 password form, which posts to /api/users/token.
    await page.locator(".auth-wrapper .authorize").click()
    await page.locator("#oauth_username").fill(USER_EMAIL)
    await page.locator("#oauth_password").fill(USER_PASSWORD)
    async with page.expect_response("**/api/users/token") as token_response:
        await page.locator(".auth-btn-wrapper .authorize").first.click()
    assert (await token_response.value).status == 200
    await page.locator(".auth-btn-wrapper button", has_text="Logout").first.wait_for()
    await page.locator(".auth-btn-wrapper .btn-done").first.click()

    # Try it out → Execute on GET /api/user, with the token Swagger UI now holds.
    await get_user.locator(".opblock-summary").first.click()
    await get_user.locator(".try-out__btn").click()
    async with page.expect_response("**/api/user") as user_response:
        await get_user.locator(".execute").click()
    assert (await user_response.value).status == 200
    shown = get_user.locator(".live-responses-table tbody .response-col_status").first
    assert (await shown.inner_text()).strip() == "200"
    assert USER_EMAIL in await get_user.locator(".live-responses-table").inner_text()

    assert watched.violations == []
    assert watched.foreign == []


async def test_redoc_renders_from_this_origin(server: RunningServer, browser: Browser) -> None:
    watched = Watched(await browser.new_page(), server.base_url)
    page = watched.page
    await page.goto(f"{server.base_url}/redoc")
    await page.locator("h1", has_text="Conduit API").wait_for()
    await page.locator("h2", has_text="The current user").first.wait_for()

    # Only ReDoc's "API docs by Redocly" badge is an image on its makers' site: blocked.
    assert all("redoc.ly" in url for url in watched.foreign), watched.foreign
    assert all("redoc.ly" in text for text in watched.violations), watched.violations
