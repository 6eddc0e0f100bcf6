"""Driving a scenario with wrk and reading its summary."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    method: str = "GET"
    body: str | None = None
    authenticated: bool = False
    # Optional wrk `request()` (Lua) for scenarios whose requests vary; a function makes a
    # fresh one for each run of wrk (writes that must not repeat across runs).
    request_lua: str | Callable[[], str] | None = None
    # Connections for this scenario instead of the run's (the overload scenario).
    connections: int | None = None
    # Count the answers by status, and 503s without Retry-After (wrk parses every response).
    count_statuses: bool = False
    # Another user's token than the run's: for writes that would change what the run's
    # user reads (its follows make its feed).
    token: str | None = None


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    max_ms: float = 0.0
    timeouts: int = 0  # no answer within wrk's --timeout (10 s)
    # With `count_statuses`: answers by status, and 503s that lacked Retry-After.
    statuses: dict[int, int] | None = None
    unavailable_without_retry_after: int = 0


def find_wrk() -> str:
    if path := shutil.which("wrk"):
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)  # noqa: S607
    if path := shutil.which("wrk"):
        return path
    sys.exit(
        "wrk is needed: install it (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)"
    )


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def parse(output: str) -> Load:
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", output, re.MULTILINE)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket.groups()) if socket else 0
    statuses = {int(code): int(n) for code, n in re.findall(r"^status (\d+): (\d+)$", output, re.M)}
    missing = re.search(r"^503 without Retry-After: (\d+)$", output, re.MULTILINE)
    return Load(
        requests_per_second=float(rate.group(1)) if rate else 0.0,
        p50_ms=_milliseconds(percentiles["50"]) if "50" in percentiles else 0.0,
        p99_ms=_milliseconds(percentiles["99"]) if "99" in percentiles else 0.0,
        requests=int(total.group(1)) if total else 0,
        errors=errors,
        max_ms=_milliseconds(latency.group(1)) if latency else 0.0,
        timeouts=int(socket.group(4)) if socket else 0,
        statuses=statuses or None,
        unavailable_without_retry_after=int(missing.group(1)) if missing else 0,
    )


# Each thread counts its answers by status; `done` (in wrk's main thread) adds them up.
_STATUS_COUNTS = """
local counted_threads = {}
function setup(thread)
  table.insert(counted_threads, thread)
end
statuses = {}
missing_retry_after = 0
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 and headers["retry-after"] == nil and headers["Retry-After"] == nil then
    missing_retry_after = missing_retry_after + 1
  end
end
function done(summary, latency, requests)
  local total, missing = {}, 0
  for _, thread in ipairs(counted_threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
    missing = missing + thread:get("missing_retry_after")
  end
  for status, n in pairs(total) do
    io.write(string.format("status %d: %d\\n", status, n))
  end
  io.write(string.format("503 without Retry-After: %d\\n", missing))
end
"""


def lua(scenario: Scenario, token: str) -> str:
    lines = [f'wrk.method = "{scenario.method}"']
    if scenario.body:
        lines += [
            f"wrk.body = [[{scenario.body}]]",
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    if scenario.authenticated:
        lines.append(f'wrk.headers["Authorization"] = "Token {scenario.token or token}"')
    if scenario.count_statuses:
        lines.append(_STATUS_COUNTS)
    if callable(scenario.request_lua):
        lines.append(scenario.request_lua())
    elif scenario.request_lua:
        lines.append(scenario.request_lua)
    return "\n".join(lines) + "\n"


def drive(
    wrk: str,
    url: str,
    scenario: Scenario,
    token: str,
    *,
    threads: int,
    connections: int,
    seconds: float,
) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua(scenario, token))
    connections = scenario.connections or connections
    command = [
        *(wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s"),
        *("--timeout", "10s", "--latency", "-s", script.name, url + scenario.path),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    finally:
        os.unlink(script.name)
    load = parse(result.stdout)
    if not load.requests:  # say why, rather than report a row of zeros
        reason = result.stderr.strip() or result.stdout.strip()
        print(f"  wrk measured nothing: {reason}", file=sys.stderr)
    return load


def _requests_over(name: str, values: list[str], request_body: str) -> str:
    """A wrk `request()` that counts its calls in `n`, with `values` as a Lua table `name`."""
    table = ", ".join(f'"{value}"' for value in values)
    return f"""
local {name} = {{{table}}}
local n = 0
request = function()
  n = n + 1
{request_body}
end
"""


def _toggle_lua(name: str, values: list[str], prefix: str, suffix: str) -> str:
    """POST then DELETE `prefix` + each of `values` + `suffix` in turn: every request is a
    real write (the second undoes the first)."""
    return _requests_over(
        name,
        values,
        f"""  local value = {name}[math.floor((n - 1) / 2) % #{name} + 1]
  local method = (n % 2 == 1) and "POST" or "DELETE"
  return wrk.format(method, "{prefix}" .. value .. "{suffix}")""",
    )


def favorite_toggle_lua(slugs: list[str]) -> str:
    """Favorite then unfavorite each of `slugs` in turn."""
    return _toggle_lua("slugs", slugs, "/api/articles/", "/favorite")


def rotating_login_lua(emails: list[str], password: str) -> str:
    """Log in as each of `emails` in turn: one user's concurrent attempts stay few, as in
    life (the login throttle counts attempts in flight per email and client address)."""
    return _requests_over(
        "emails",
        emails,
        f"""  local email = emails[n % #emails + 1]
  local body = '{{"user":{{"email":"' .. email .. '","password":"{password}"}}}}'
  return wrk.format("POST", "/api/users/login", nil, body)""",
    )


def _json_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def follow_toggle_lua(usernames: list[str]) -> str:
    """Follow then unfollow each of `usernames` in turn."""
    return _toggle_lua("names", usernames, "/api/profiles/", "/follow")


_JSON_BODIES = 'wrk.headers["Content-Type"] = "application/json"\n'

# wrk runs `setup` once per thread before it starts: each thread learns its number, so
# that requests made by different threads differ (titles, the comments they delete).
_THREAD_NUMBERS = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
"""


def create_article_lua(run: str, tags: list[str]) -> str:
    """A new article per request (a title never used before: `run` is new per wrk run)."""
    tag_list = ",".join(f'"{_json_string(tag)}"' for tag in tags)
    return (
        _JSON_BODIES
        + _THREAD_NUMBERS
        + _requests_over(
            "unused",
            [],
            f"""  local title = "bench-write {run} " .. tid .. " " .. n
  local body = '{{"article":{{"title":"' .. title .. '","description":"Benchmark write",' ..
    '"body":"Written by make bench.","tagList":[{tag_list}]}}}}'
  return wrk.format("POST", "/api/articles", nil, body)""",
        )
    )


def update_article_lua(slugs: list[str]) -> str:
    """Change the body of each of `slugs` (the token's user's own articles) in turn."""
    return _JSON_BODIES + _requests_over(
        "slugs",
        slugs,
        """  local slug = slugs[n % #slugs + 1]
  local body = '{"article":{"body":"Edited by make bench, ' .. n .. '."}}'
  return wrk.format("PUT", "/api/articles/" .. slug, nil, body)""",
    )


def add_comment_lua(slugs: list[str]) -> str:
    """A comment on each of `slugs` in turn."""
    return _JSON_BODIES + _requests_over(
        "slugs",
        slugs,
        """  local slug = slugs[n % #slugs + 1]
  local body = '{"comment":{"body":"bench-write comment ' .. n .. '"}}'
  return wrk.format("POST", "/api/articles/" .. slug .. "/comments", nil, body)""",
    )


def delete_comment_lua(slug: str, comment_ids: list[int], threads: int) -> str:
    """Delete `comment_ids` (the token's user's, on `slug`), each thread its own share."""
    return _THREAD_NUMBERS + _requests_over(
        "ids",
        [str(i) for i in comment_ids],
        f"""  local id = ids[((n - 1) * {threads} + tid - 1) % #ids + 1]
  return wrk.format("DELETE", "/api/articles/{slug}/comments/" .. id)""",
    )


def update_user_lua() -> str:
    """Change the token's user's bio."""
    return _JSON_BODIES + _requests_over(
        "unused",
        [],
        """  local body = '{"user":{"bio":"Bio ' .. n .. ', set by make bench."}}'
  return wrk.format("PUT", "/api/user", nil, body)""",
    )
