"""The browser tests' shared Chromium (tests/support/chromium.py)."""

from tests.support.chromium import browser

__all__ = ["browser"]
