"""A GPU needs no setting: no code pins the CPU, and logged models name the TensorFlow build installed."""
from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version

import pytest

from conftest import ROOT
from textlab.adapters.serving import TENSORFLOW_BUILDS, installed, pip_requirements

# What would keep TensorFlow off a GPU it sees: hidden devices, explicit CPU placement, a CPU-only device list.
CPU_PINS = re.compile(r"CUDA_VISIBLE_DEVICES|set_visible_devices|tf\.device\(|/(?:device:)?CPU:\d|list_logical_devices\(.CPU")


def test_no_code_pins_training_to_the_cpu():
    sources = [*sorted((ROOT / "src").rglob("*.py")), ROOT / "dvc.yaml", ROOT / "Makefile"]
    pinned = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}" for path in sources
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if CPU_PINS.search(line)]
    assert pinned == []


def test_keras_model_requirements_name_the_installed_tensorflow_build():
    build = installed(TENSORFLOW_BUILDS)  # tensorflow-cpu from the lock here; tensorflow on a GPU machine
    assert f"{build}=={version(build)}" in pip_requirements("keras")
    assert not any(r.startswith("tensorflow") for r in pip_requirements("sklearn"))


def test_the_first_installed_distribution_is_chosen():
    assert installed(("no-such-distribution", "pandas")) == "pandas"
    with pytest.raises(PackageNotFoundError, match="no-such-distribution"):
        installed(("no-such-distribution",))
