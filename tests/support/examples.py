"""Valid example requests of every operation, from each feature's own tests package.

Each feature area's `examples.py` (`tests/identity/examples.py`, and so on)
defines `VALID_BODIES` — a request body that succeeds, or fails only for what a test puts
in it, for each of its operations with a body — and `async def path_values(client, user)`,
which creates what its paths name and returns their values. Tests that walk every
operation (tests/core/test_text_inputs.py) collect the examples of the features present, so
deleting a feature package takes its examples with it and nothing else changes.
"""

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from httpx import AsyncClient

from tests.support.users import RegisteredUser

Operation = tuple[str, str]
TESTS = Path(__file__).resolve().parents[1]


def _modules() -> Iterator[ModuleType]:
    """Every feature area's `tests/<area>/examples.py`."""
    for path in sorted(TESTS.glob("*/examples.py")):
        if path.parent.name == "support":
            continue  # this module
        yield importlib.import_module(f"tests.{path.parent.name}.examples")


def valid_bodies() -> dict[Operation, dict[str, Any]]:
    bodies: dict[Operation, dict[str, Any]] = {}
    for module in _modules():
        bodies |= module.VALID_BODIES
    return bodies


def form_operations() -> set[Operation]:
    return {op for module in _modules() for op in getattr(module, "FORM_OPERATIONS", set())}


async def path_values(client: AsyncClient, user: RegisteredUser) -> dict[str, str]:
    """What each feature's path parameters name (an id, a name), made for `user`."""
    values: dict[str, str] = {}
    for module in _modules():
        values |= await module.path_values(client, user)
    return values
