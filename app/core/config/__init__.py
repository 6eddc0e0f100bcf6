"""Settings: every environment variable the service reads, validated at start-up.

`Settings` (pydantic-settings) refuses weak values outside development; `get_settings()`
is the cached instance. `settings_or_exit()` is for commands: it prints what is wrong with
the environment (`describe`) and exits instead of raising a traceback.
"""

from app.core.config._problems import describe, settings_or_exit
from app.core.config._settings import (
    DEVELOPMENT_SECRET_KEY,
    DEVELOPMENT_TWO_FACTOR_KEY,
    EXAMPLE_SECRET_KEY,
    Settings,
    get_settings,
)

__all__ = [
    "DEVELOPMENT_SECRET_KEY",
    "DEVELOPMENT_TWO_FACTOR_KEY",
    "EXAMPLE_SECRET_KEY",
    "Settings",
    "describe",
    "get_settings",
    "settings_or_exit",
]
