"""dvc.yaml's code deps match the code: every textlab module a stage imports (transitively) is a dep
of that stage, and every listed code dep is imported. A missing dep lets `dvc repro` serve stale
results; an extra one reruns a stage for code it never runs."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

# Plumbing that cannot change a stage's outputs, so editing it must not rerun stages.
EXEMPT = {
    "src/textlab/__init__.py": "empty package marker",
    "src/textlab/adapters/__init__.py": "empty package marker",
    "src/textlab/stages/__init__.py": "sets quiet logging defaults in the environment",
    "src/textlab/adapters/cli.py": "argument parsing and error printing",
    "src/textlab/adapters/params.py": "params loading; the values themselves are `params:` deps",
    "src/textlab/params_schema.py": "params validation: it can refuse a run, never change an output",
    "src/textlab/params_check.py": "params validation: it can refuse a run, never change an output",
    "src/textlab/adapters/files.py": "atomic-write helpers",
    "src/textlab/adapters/tracking.py": "MLflow run bookkeeping",
    "src/textlab/tracking.py": "MLflow tags and names",
    "src/textlab/adapters/serving.py": "MLflow pyfunc logging (the served copy, not a DVC output)",
    "src/textlab/serving_input.py": "input checks of the served MLflow model",
    "src/textlab/paths.py": "locations only: tests/test_paths.py holds them against dvc.yaml's deps and outs, both ways",
}


def module_path(name: str) -> Path | None:
    """The file of a textlab module (package or module), or None if `name` is not one."""
    base = SRC / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path) -> set[str]:
    """textlab modules a file imports anywhere (top level or inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("textlab")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("textlab"):
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names if module_path(f"{node.module}.{alias.name}")}
    return found


def closure(module: str) -> set[str]:
    """Repository paths of `module`, the packages it sits in and everything it imports, transitively.

    The walk stops at exempt modules: what plumbing imports serves the plumbing (e.g. the served
    model's loader), not the stage's outputs.
    """
    seen: set[Path] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
            path = module_path(".".join(parts[:depth]))
            if path is not None and path not in seen:
                seen.add(path)
                if str(path.relative_to(ROOT)) not in EXEMPT:
                    todo.extend(imported_modules(path))
    return {str(path.relative_to(ROOT)) for path in seen}


def stage_definitions() -> list[tuple[str, str, set[str]]]:
    """(stage group, stage module, listed src/ deps) for every stage group of dvc.yaml."""
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    found = []
    for name, stage in stages.items():
        body = stage.get("do", stage)
        module = re.search(r"python -m (textlab\.stages\.\w+)", body["cmd"]).group(1)
        listed = {dep for dep in body.get("deps", []) if dep.startswith("src/")}
        found.append((name, module, listed))
    return found


@pytest.mark.parametrize("name,module,listed", stage_definitions(), ids=[s[0] for s in stage_definitions()])
def test_code_deps_are_exactly_the_imported_modules(name, module, listed):
    needed = closure(module) - set(EXEMPT)
    assert not needed - listed, f"{name}: imports {sorted(needed - listed)} but dvc.yaml does not list them as deps"
    assert not listed - needed, f"{name}: lists {sorted(listed - needed)} as deps but never imports them"


def test_exempt_modules_exist():
    assert all((ROOT / path).is_file() for path in EXEMPT), [p for p in EXEMPT if not (ROOT / p).is_file()]


def test_the_checker_sees_transitive_and_function_level_imports():
    """Guards the checker itself."""
    assert "src/textlab/text.py" in closure("textlab.features")  # features → text
    assert "src/textlab/features.py" in closure("textlab.adapters.keras_scoring")  # imported inside a function
    assert "src/textlab/adapters/tensors.py" in closure("textlab.stages.tokenize")


def test_train_stages_read_only_their_own_params_sections():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    assert stages["train"]["foreach"] == "${models}" and set(stages["train"]["do"]["params"]) == {"train", "models.${key}"}
    baseline = stages["train_baseline"]
    assert baseline["foreach"] == "${baselines}" and baseline["do"]["params"] == ["baselines.${key}"]


def test_the_import_graph_of_textlab_has_no_cycle():
    """Modules import in one direction (library ← adapters ← stages): graphlib orders them or names the cycle."""
    from graphlib import TopologicalSorter

    graph = {}
    for path in (SRC / "textlab").rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        graph[name] = {module for module in imported_modules(path) if module_path(module) and module != name}
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError naming the modules of a cycle
    assert order.index("textlab.text") < order.index("textlab.stages.tokenize")
