"""Starting and stopping the real MLflow servers the e2e tests call: on 127.0.0.1, a free port, a log file,
and the whole process group stopped afterwards."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def backend_copy(project: Path, folder: Path) -> str:
    """A copy of the project's SQLite backend (its artifact locations are absolute paths into the project, read
    only): a server started on it can write nothing into the project."""
    shutil.copy2(project / "mlflow.db", folder / "mlflow.db")
    return f"sqlite:///{folder / 'mlflow.db'}"


@contextlib.contextmanager
def serving(cmd: list[str], env: dict[str, str], cwd: Path, ready_url: str, timeout_s: float = 240) -> Iterator[Path]:
    """Run `cmd` until `ready_url` answers 200; yields its log file; stops its process group on the way out."""
    log = cwd / f"{Path(cmd[0]).name}-{cmd[1]}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(urllib.error.URLError, OSError):
                with urllib.request.urlopen(ready_url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            if time.monotonic() > deadline:
                raise AssertionError(f"{ready_url} not ready after {timeout_s} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
