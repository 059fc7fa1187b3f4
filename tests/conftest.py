"""Shared fixtures: the corpus mirror and a throwaway copy of the project for real `dvc repro` runs."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def find_mirror() -> Path | None:
    """TEXTLAB_MIRROR when set, else ../shared/corpora beside the checkout (tests only: never the project)."""
    configured = os.environ.get("TEXTLAB_MIRROR")
    candidate = Path(configured) if configured else ROOT.parent / "shared" / "corpora"
    return candidate.resolve() if (candidate / "names.zip").exists() else None


@pytest.fixture(scope="session")
def mirror() -> Path:
    found = find_mirror()
    if found is None:
        pytest.skip("no corpus mirror: set TEXTLAB_MIRROR to a folder holding names.zip and SHA256SUMS")
    return found


def project_files() -> list[str]:
    """What a fresh clone holds (tracked plus new, unignored files), minus generated results."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    return [f for f in listed if (ROOT / f).is_file() and f != "dvc.lock" and not f.startswith(("reports/", "tests/"))]


def copy_project(dest: Path) -> Path:
    for name in project_files():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
        subprocess.run(["git", *args], cwd=dest, check=True)
    return dest


def stage_env(project: Path, mirror: Path | str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MLFLOW_TRACKING_URI", None)
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONPATH": str(project / "src"),  # the copy's code, not the editable install's
        "TEXTLAB_MIRROR": str(mirror),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    })
    return env


def run(cmd: list[str], project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=900)
