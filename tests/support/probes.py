"""Running a snippet of Python in a fresh interpreter: what a new process imports or does."""

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def last_line_printed(code: str, env: dict[str, str] | None = None) -> str:
    """Run `code` with this interpreter from the repository root; the last line it printed."""
    run = subprocess.run(  # noqa: S603 (our own interpreter and probe)
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=os.environ if env is None else env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return run.stdout.strip().splitlines()[-1]
