"""A refused configuration, told to an operator: one message naming every problem.

The production entry points (docker/gunicorn.conf.py in the Gunicorn master, and
`python -m app.cli.migrate`) load the settings through `settings_or_exit`, so a bad
configuration ends the process before it serves or migrates anything, with exit status 1
and no traceback. Input values are never echoed: one of them may be the secret key.
"""

from pydantic import ValidationError

from app.core.config._settings import Settings, get_settings


def _problem(error: dict[str, object]) -> str:
    loc = error.get("loc") or ("settings",)
    name = str(loc[0]).upper() if isinstance(loc, tuple) else "SETTINGS"
    if error.get("type") == "missing":
        return f"{name} is required but not set"
    ctx = error.get("ctx")
    if error.get("type") == "value_error" and isinstance(ctx, dict) and "error" in ctx:
        message = str(ctx["error"])  # our validators' own sentences, without pydantic's prefix
    else:
        message = str(error.get("msg", "is invalid"))
    return message if message.startswith(name) else f"{name}: {message}"


def describe(error: ValidationError) -> str:
    problems = [_problem(dict(item)) for item in error.errors(include_input=False)]
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    lines = [f"Refusing to start: the configuration has {count}:"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append("Set them in the environment (or .env); docs/configuration.md lists them all.")
    return "\n".join(lines)


def settings_or_exit() -> Settings:
    """The validated settings, or exit status 1 with `describe`'s message on stderr."""
    try:
        return get_settings()
    except ValidationError as error:
        raise SystemExit(describe(error)) from None
