"""A browser page holding a passkey: headless Chromium's virtual authenticator (the DevTools
protocol's `WebAuthn` domain, a CTAP2 authenticator in software) on a page the caller
serves itself through Playwright, on the origin the server trusts (WEBAUTHN_ORIGINS)."""

from typing import Any

from playwright.async_api import Browser, Page

PAGE = "<!doctype html><title>passkeys</title><p>passkeys test page</p>"
CREATE = """async (options) => {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
  return (await navigator.credentials.create({publicKey})).toJSON();
}"""
GET = """async (options) => {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
  return (await navigator.credentials.get({publicKey})).toJSON();
}"""


async def serve_page(page: Page, origin: str) -> None:
    """`page` shows a blank page of `origin` (answered by Playwright: nothing is dialled)."""
    await page.route(
        f"{origin}/**", lambda route: route.fulfill(body=PAGE, content_type="text/html")
    )
    await page.goto(f"{origin}/passkeys")


async def page_with_authenticator(browser: Browser, origin: str) -> Page:
    """A page on `origin` with a virtual platform authenticator that verifies its user."""
    page = await browser.new_page()
    await serve_page(page, origin)
    devtools = await page.context.new_cdp_session(page)
    await devtools.send("WebAuthn.enable")
    await devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return page


async def create_credential(page: Page, options: dict[str, Any]) -> dict[str, Any]:
    """`navigator.credentials.create` with the server's options: the answer's JSON."""
    answer: dict[str, Any] = await page.evaluate(CREATE, options)
    return answer


async def get_assertion(page: Page, options: dict[str, Any]) -> dict[str, Any]:
    """`navigator.credentials.get` with the server's options: the answer's JSON."""
    answer: dict[str, Any] = await page.evaluate(GET, options)
    return answer
