"""The path catalog (textlab.paths) and dvc.yaml name the same locations, both ways: every dep and out of
every expanded stage is a catalog location, and every catalog function and directory is used by dvc.yaml."""
from __future__ import annotations

import inspect
import itertools
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from textlab import paths
from textlab.adapters.params import load_params
from textlab.kinds import KINDS

EXPRESSION = re.compile(r"\$\{([^}]+)\}")


def lookup(scope: dict, expression: str):
    """`key`, `item`, `item.corpus`, `item.components[0]`, `download.sources`: a value of `scope`."""
    value = scope
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", expression):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def expand(text: str, scope: dict) -> str:
    return EXPRESSION.sub(lambda m: str(lookup(scope, m.group(1))), text)


def expanded_stages(params: dict) -> dict[str, dict[str, list[str]]]:
    """{stage name: {"deps": [...], "outs": [...]}} of dvc.yaml with every foreach expanded, as `dvc stage list` names them."""
    found = {}
    for group, stage in yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"].items():
        if "foreach" not in stage:
            instances = [(group, {}, stage)]
        else:
            over = lookup(params, EXPRESSION.fullmatch(stage["foreach"]).group(1))
            pairs = over.items() if isinstance(over, dict) else [(item, item) for item in over]
            instances = [(f"{group}@{key}", {"key": key, "item": item}, stage["do"]) for key, item in pairs]
        for name, scope, body in instances:
            outs = [next(iter(o)) if isinstance(o, dict) else o for field in ("outs", "metrics", "plots")
                    for o in body.get(field, [])]
            found[name] = {"deps": [expand(d, scope) for d in body.get("deps", []) if not d.startswith("src/")],
                           "outs": [expand(o, scope) for o in outs]}
            found[name]["cmd"] = expand(body["cmd"], scope)
    return found


def candidates(params: dict, stages: dict) -> dict[str, set[str]]:
    """The values each catalog argument name takes in this params.yaml."""
    keys = {key for kind in KINDS for key in params[kind.section]}
    keys |= {f"{key}_tuned" for key in params["tune"]} | set(params["tune"]) | set(params["explain"])
    return {"source": set(params["download"]["sources"]), "corpus": set(params["corpora"]),
            "part": set(paths.SPLITS), "view": set(params["views"]) | set(params["pretrained"]),
            "name": {entry["inputs"] for section in params.values() if isinstance(section, dict)
                     for entry in section.values() if isinstance(entry, dict) and "inputs" in entry},
            "key": keys, "stage": set(stages), "task": set(params["registry"]), "kind": set(paths.PAGES)}


def catalog(params: dict, stages: dict) -> dict[str, set[str]]:
    """{catalog function or constant: every path it gives for this params.yaml}."""
    values, found = candidates(params, stages), {}
    for name, member in vars(paths).items():
        if isinstance(member, Path) and member not in (paths.DATA, paths.MODELS, paths.REPORTS):
            found[name] = {str(member)}
        elif inspect.isfunction(member) and member.__module__ == paths.__name__ and name != "leaderboard_files":
            arguments = list(inspect.signature(member).parameters)
            found[name] = {str(member(*combo)) for combo in itertools.product(*(sorted(values[a]) for a in arguments))}
    found["leaderboard_files"] = set(map(str, paths.leaderboard_files()))
    return found


@pytest.fixture(scope="module")
def dag():
    params = load_params(ROOT / "params.yaml")
    stages = expanded_stages(params)
    return params, stages, catalog(params, stages)


def test_every_dep_and_out_of_dvc_yaml_is_a_catalog_location(dag):
    _, stages, found = dag
    known = set().union(*found.values())
    outside = {f"{name}: {path}" for name, stage in stages.items() for path in stage["deps"] + stage["outs"]
               if path not in known}
    assert not outside, sorted(outside)


def test_every_catalog_location_is_in_dvc_yaml(dag):
    _, stages, found = dag
    used = {path for stage in stages.values() for path in stage["deps"] + stage["outs"]}
    used |= {word for stage in stages.values() for word in stage["cmd"].split()}  # the leaderboard's <out> argument
    used |= {str(parent) for path in list(used) for parent in Path(path).parents}  # a folder of named files
    unused = [name for name, locations in found.items() if not locations & used]
    assert not unused, f"catalog locations dvc.yaml never names: {unused}"


def test_every_stage_writes_its_run_record(dag):
    _, stages, _ = dag
    missing = [name for name, stage in stages.items() if str(paths.run_record(name)) not in stage["outs"]]
    assert not missing, missing


def test_each_model_writes_under_its_own_key(dag):
    """A train stage's outs are its model's folder, timings and train reports; an evaluate stage's its metrics."""
    params, stages, _ = dag
    for kind in KINDS:
        for key, entry in params[kind.section].items():
            if kind.train_stage:
                outs = set(stages[f"{kind.train_stage}@{key}"]["outs"])
                assert {str(paths.model_dir(key)), str(paths.timings(key)), str(paths.train_metrics(key))} <= outs
            evaluated = set(stages[f"{kind.evaluate_stage}@{key}"]["outs"])
            assert str(paths.metrics(entry["corpus"], key)) in evaluated


def test_the_expander_names_stages_as_dvc_does(dag):
    """Guards the test's own foreach expansion against a typo that would make it vacuous."""
    params, stages, found = dag
    assert "download@names" in stages and "leaderboard" in stages
    assert stages["split@names"]["outs"][0] == "data/split/names"
    assert len(stages) > 60 and sum(len(v) for v in found.values()) > 100
    assert str(paths.split_table("imdb", "test")) == "data/split/imdb/test.parquet"


def test_page_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="page kind"):
        paths.page("sample", "x")
