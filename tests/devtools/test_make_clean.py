"""`make clean` stops the embedded PostgreSQL before deleting its data directory."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devtools import devdb
from tests.support.database import REPO_ROOT


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _exited(pid: int) -> bool:
    """Gone, or a zombie: it has exited and holds no file (its parent has not reaped it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.parametrize("restarted", [False, True], ids=["started", "restarted"])
def test_make_clean_stops_the_embedded_server_then_deletes_its_data(
    tmp_path: Path, restarted: bool
) -> None:
    server = devdb.start(tmp_path / ".devdb" / "dev")
    if restarted:  # as the outage test does: stopped, then started again on its port
        devdb.stop(tmp_path / ".devdb" / "dev")
        server = devdb.start(tmp_path / ".devdb" / "dev", server.port)
    pid = int((server.data_dir / "postmaster.pid").read_text().splitlines()[0])
    assert _alive(pid)
    # The real target, run in a scratch folder: its own "venv" (deleted by the target) marked
    # installed, and this interpreter to run the repository's code.
    fake_venv = tmp_path / ".venv"
    fake_venv.mkdir()
    (fake_venv / ".installed").touch()
    make = subprocess.run(  # noqa: S603 (our own Makefile)
        [shutil.which("make") or "make", "-f", str(REPO_ROOT / "Makefile"), "clean",
         f"VENV={fake_venv}", f"BIN={Path(sys.executable).parent}"],
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip

    try:
        assert make.returncode == 0, make.stdout + make.stderr
        assert _exited(pid)  # already when make returns: only then are its files deleted
        assert not (tmp_path / ".devdb").exists()
        assert not server.data_dir.exists()  # also a /var/tmp stand-in, when root used one
        assert not fake_venv.exists()
    finally:
        if _alive(pid):  # the postmaster we started: fast shutdown, as pg_ctl would ask
            os.kill(pid, signal.SIGINT)
