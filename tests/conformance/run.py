"""RealWorld conformance: the upstream API suites against a running server (`make conformance`).

    python -m tests.conformance.run [URL] [--suite bruno|postman|all] [--only FOLDER]...

URL is the server root (default http://127.0.0.1:8000, where `make run` serves; a trailing
/api is accepted). Suites, vendored in realworld/ (see its SOURCE.md and LICENSE):

- bruno: upstream's current suite, the Bruno mirror of its Hurl files (154 requests), run
  with @usebruno/cli. Each request passes only when all of its checks pass.
- postman: the last Postman collection (32 requests, happy paths only), run with newman.

Both runners come from the npm registry (Node.js and npm needed), pinned, installed once into
.conformance/ (git-ignored). Only loopback servers are targeted unless --allow-remote.
Prints a FAIL line per failing request and "<suite>: N passed, M failed"; exits 1 on failures.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(__file__).resolve().parent / "realworld"
TOOLS_DIR = REPO_ROOT / ".conformance"
RUNNERS = {"bru": ("@usebruno/cli", "4.1.0"), "newman": ("newman", "6.2.2")}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _fail(message: str) -> NoReturn:
    sys.exit(f"conformance: {message}")


def _runner(name: str) -> Path:
    """The runner's executable, npm-installed into TOOLS_DIR at its pinned version."""
    package, version = RUNNERS[name]
    manifest = TOOLS_DIR / "node_modules" / package / "package.json"
    installed = json.loads(manifest.read_text()).get("version") if manifest.exists() else None
    if installed != version:
        npm = shutil.which("npm") or _fail("Node.js and npm are needed (e.g. apt-get install npm)")
        print(f"installing {package}@{version} into {TOOLS_DIR.name}/", file=sys.stderr)
        command = [str(npm), "install", "--prefix", str(TOOLS_DIR), "--no-audit", "--no-fund",
                   "--loglevel=error", f"{package}@{version}"]  # fmt: skip
        if subprocess.run(command, check=False).returncode != 0:  # noqa: S603
            _fail(f"npm install {package}@{version} failed")
    return TOOLS_DIR / "node_modules" / ".bin" / name


def _checks_failed(result: dict[str, Any]) -> list[str]:
    """Why a Bruno request failed: its own error, or each check that did not pass (Bruno
    marks a request "pass" even when its tests fail, so every check is read)."""
    checks = [
        check
        for key in ("assertionResults", "testResults", "preRequestTestResults",
                    "postResponseTestResults")
        for check in result.get(key) or []
    ]  # fmt: skip
    reasons = [str(check.get("error") or check.get("description")) for check in checks
               if check.get("status") != "pass"]  # fmt: skip
    if result.get("error"):
        reasons.insert(0, f"error: {result['error']}")
    return reasons


def _bruno(host: str, only: list[str], reports: Path) -> tuple[int, int]:
    bru = _runner("bru")
    collection = reports / "bruno"  # a copy: the runner must not write into realworld/
    shutil.copytree(SPEC / "bruno", collection)
    folders = only or sorted(
        path.name for path in collection.iterdir() if path.is_dir() and path.name != "environments"
    )
    passed = failed = 0
    for folder in folders:
        if not (collection / folder).is_dir():
            _fail(f"no Bruno folder {folder!r}")
        expected = len([p for p in (collection / folder).glob("*.bru") if p.name != "folder.bru"])
        report = reports / f"bruno-{folder}.json"
        command = [str(bru), "run", folder, "--env", "local", "--env-var", f"host={host}",
                   "--sandbox", "safe", "--noproxy", "--reporter-json", str(report)]  # fmt: skip
        subprocess.run(command, cwd=collection, capture_output=True, check=False)  # noqa: S603
        results = (
            [r for item in json.loads(report.read_text()) for r in item.get("results") or []]
            if report.exists()
            else []
        )
        good = 0
        for result in results:
            if reasons := _checks_failed(result):
                request = result.get("request") or {}
                name = (result.get("test") or {}).get("filename") or result.get("name")
                status = (result.get("response") or {}).get("status")
                print(f"FAIL {name}  {request.get('method')} -> {status}: {' | '.join(reasons)}")
            else:
                good += 1
        missing = max(expected - len(results), 0)
        if missing:
            print(f"FAIL {folder}: {missing} of {expected} requests did not run")
        print(f"  {folder}: {good}/{len(results) + missing} passed")
        passed += good
        failed += len(results) + missing - good
    return passed, failed


def _postman(api: str, reports: Path) -> tuple[int, int]:
    newman = _runner("newman")
    report = reports / "newman.json"
    user = f"rw{int(time.time())}"  # the collection registers this user: new each run
    command = [
        str(newman), "run", str(SPEC / "legacy" / "Conduit.postman_collection.json"),
        "--global-var", f"APIURL={api}", "--global-var", f"USERNAME={user}",
        "--global-var", f"EMAIL={user}@mail.com", "--global-var", "PASSWORD=password",
        "--color", "off", "--reporters", "json", "--reporter-json-export", str(report),
    ]  # fmt: skip
    subprocess.run(command, capture_output=True, check=False)  # noqa: S603
    if not report.exists():
        _fail(f"newman wrote no report ({' '.join(command)})")
    passed = failed = 0
    for execution in json.loads(report.read_text())["run"]["executions"]:
        bad = [a["assertion"] for a in execution.get("assertions") or [] if a.get("error")]
        if execution.get("requestError"):
            bad.insert(0, f"request error: {execution['requestError']}")
        if bad:
            failed += 1
            status = (execution.get("response") or {}).get("code")
            print(f"FAIL {execution['item']['name']} -> {status}: {' | '.join(bad)}")
        else:
            passed += 1
    return passed, failed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.conformance.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--suite", choices=["bruno", "postman", "all"], default="all")
    parser.add_argument("--only", action="append", default=[], help="Bruno folder (repeatable)")
    parser.add_argument("--allow-remote", action="store_true", help="a non-loopback server")
    args = parser.parse_args(argv)

    host = args.url.rstrip("/").removesuffix("/api")
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        _fail(f"{args.url} is not an http(s) URL")
    if parts.hostname not in LOOPBACK and not args.allow_remote:
        _fail(f"refusing {parts.hostname}: not loopback (--allow-remote to insist)")
    try:
        httpx.get(f"{host}/api/tags", timeout=10)
    except httpx.TransportError:
        _fail(f"no answer from {host}/api/tags: start the server first (`make run`)")

    totals = []
    with tempfile.TemporaryDirectory(prefix="conformance-") as reports:
        if args.suite in ("bruno", "all"):
            totals.append(("bruno", *_bruno(host, args.only, Path(reports))))
        if args.suite in ("postman", "all"):
            totals.append(("postman", *_postman(f"{host}/api", Path(reports))))
    for suite, passed, failed in totals:
        print(f"{suite}: {passed} passed, {failed} failed")
    sys.exit(1 if any(failed or not passed for _, passed, failed in totals) else 0)


if __name__ == "__main__":
    main()
