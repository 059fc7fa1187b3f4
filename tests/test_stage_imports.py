"""Each stage module imports only the frameworks it uses: what its start-up costs (benchmarks/stage_startup.py)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.parametrize("stage,absent", [("split", "tensorflow"), ("train_baseline", "tensorflow"),
                                          ("train", "great_expectations"), ("ensemble", "tensorflow")])
def test_stages_import_only_what_they_use(stage, absent):
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import textlab.stages.{stage}"], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "import time:" in line}
    assert "textlab" in imported and absent not in imported
