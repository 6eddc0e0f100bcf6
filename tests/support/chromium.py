"""Debian's Chromium, driven by Playwright (its own browser download is never used), for
the tests that need a real browser: `make test` installs it as root (see the Makefile)."""

import os
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

# Chromium's own calls home are refused by a closed network: keep it quiet.
CHROMIUM_ARGS = [
    "--no-sandbox",  # as root (CI), Chromium refuses to start with its sandbox
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    message = (
        "Debian's chromium is needed for the browser tests: `make test` installs it "
        "when run as root; otherwise `apt-get install chromium` (or set CHROMIUM=/path)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(f"NOT RUN: {message}")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_executable()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()
