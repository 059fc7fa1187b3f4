"""The README's `dvc exp run -S …` examples work as written: each override applies to params.yaml."""
from __future__ import annotations

import re
import shlex

import pytest
import yaml

from conftest import ROOT, copy_project, run, stage_env

EXAMPLE = re.compile(r"`(dvc exp run (?:-S [^`]+))`")


def readme_examples() -> list[str]:
    return sorted(set(EXAMPLE.findall((ROOT / "README.md").read_text(encoding="utf-8"))))


def test_every_readme_override_names_a_key_of_params_yaml():
    """Hydra's `-S key=value` overrides only a key that exists (`++key` also adds one to an existing mapping):
    each example names one, and no `dvc exp run -S` of the README escapes the pattern the e2e test runs."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count("dvc exp run -S") == len(EXAMPLE.findall(text)) > 0
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    for command in readme_examples():
        args = shlex.split(command)
        overrides = [args[i + 1] for i, arg in enumerate(args) if arg == "-S"]
        assert overrides and len(overrides) == args.count("-S"), command
        for override in overrides:
            key, _, value = override.partition("=")
            *parents, leaf = key.removeprefix("++").split(".")
            node = params
            for part in parents:
                assert isinstance(node, dict) and part in node, (command, part)
                node = node[part]
            assert key.startswith("++") or leaf in node, (command, f"{key} is not in params.yaml; use ++{key}")
            yaml.safe_load(value)  # the value parses


@pytest.mark.e2e
def test_every_readme_override_applies_to_the_params(tmp_path):
    project = copy_project(tmp_path)
    env = stage_env(project, "unused")
    original = yaml.safe_load((project / "params.yaml").read_text())
    for command in readme_examples():
        args = shlex.split(command)
        # --queue applies the overrides and stashes the experiment without running it.
        queued = run([*args[:3], "--queue", *args[3:]], project, env)
        assert queued.returncode == 0, (command, queued.stderr[-1500:])
    listed = run(["dvc", "queue", "status"], project, env).stdout
    assert listed.count("Queued") == len(readme_examples()), listed
    run(["dvc", "queue", "remove", "--queued"], project, env)
    assert yaml.safe_load((project / "params.yaml").read_text()) == original  # the workspace is untouched
