"""Read params.yaml (the one source of every knob) and check all of it before the stage touches anything."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from textlab import paths
from textlab.kinds import BY_SECTION
from textlab.params_check import validate_params
from textlab.params_schema import MODEL_SECTIONS, ParamsError
from textlab.tuning import TUNED_SUFFIX, overlay

PARAMS_FILE = Path("params.yaml")


class ParamsLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 floats, as DVC reads params.yaml: `1e-3` and `1e-05` (which
    `dvc exp run -S` writes) are numbers, not the text YAML 1.1 makes of them."""


ParamsLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)[eE][-+]?\d+$"),
    list("-+0123456789."),
)


def load_params(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """The whole file, validated; `ParamsError` names every problem, or the line where the YAML breaks.

    Every stage calls this first, so a bad value stops the run before any output is deleted or trained.
    """
    try:
        params = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=ParamsLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ParamsError(f"{where}: not valid YAML: {getattr(err, 'problem', None) or err}") from err
    validate_params(params, where=str(path))
    return params


def model_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """One Keras architecture's settings: the shared `train` defaults overlaid with `models.<key>`; for
    `<model>_tuned` (a `tune` entry's model), those of <model> overlaid with its search's best values."""
    source = key.removesuffix(TUNED_SUFFIX)
    if key == source or source not in params.get("tune", {}):
        return _keras_entry(params, "models", key)
    best = paths.tune_best(source)
    if not best.is_file():
        raise FileNotFoundError(f"{key}: {best} is missing; run `dvc repro tune@{source}` first")
    values = json.loads(best.read_text(encoding="utf-8"))["hyperparameters"]
    return {**overlay(_keras_entry(params, "models", source), values), "key": key, "tuned_from": source}


def stage_name(group: str, hp: dict[str, Any]) -> str:
    """The DVC stage of `group` (train, evaluate) for this model: `<group>_tuned@<model>` for a tuned one."""
    return f"{group}_tuned@{hp['tuned_from']}" if "tuned_from" in hp else f"{group}@{hp['key']}"


def language_model_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """A Keras language model's settings (the `train` defaults overlaid with the entry) and the sampling knobs."""
    return {**_keras_entry(params, "language_models", key), "generation": params["generation"]}


def ngram_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """A counting language model's settings as written, and the sampling knobs."""
    return {**_entry(params, "ngram_models", key), "key": key, "generation": params["generation"]}


def mixture_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """An interpolation's settings as written, the section that holds each component, and the sampling knobs."""
    entry = _entry(params, "mixture_models", key)
    sections = {name: next(section for section in BY_SECTION["mixture_models"].members if name in params[section])
                for name in entry["components"]}
    return {**entry, "key": key, "sections": sections, "generation": params["generation"]}


def embedding_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """A word-vector model's settings as written (every knob is required there)."""
    return {**_entry(params, "embedding_models", key), "key": key}


def translator_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """An encoder–decoder's settings: the shared `train` defaults overlaid with `translation_models.<key>`."""
    return _keras_entry(params, "translation_models", key)


def any_model_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """The entry of `key` in whichever model section holds it (for stages that serve every kind)."""
    for section in MODEL_SECTIONS:
        if key in params.get(section, {}):
            return {**params[section][key], "key": key}
    raise KeyError(f"params.yaml has no model {key} in {', '.join(MODEL_SECTIONS)}")


def baseline_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """One scikit-learn baseline's settings as written; `textlab.baselines` fills in the rest."""
    return {**_entry(params, "baselines", key), "key": key}


# section of an ensemble's members -> their scorer
CLASSIFIER_FRAMEWORKS = {section: BY_SECTION[section].framework for section in BY_SECTION["ensembles"].members}


def ensemble_params(params: dict[str, Any], key: str) -> dict[str, Any]:
    """An ensemble's settings as written, the folder of its members' validation predictions and each
    member's framework (from the section that holds it)."""
    entry = _entry(params, "ensembles", key)
    frameworks = {member: framework for section, framework in CLASSIFIER_FRAMEWORKS.items()
                  for member in entry["members"] if member in params[section]}
    inputs = paths.predictions_dir(entry["corpus"]).relative_to(paths.DATA).as_posix()  # what `inputs` names under data/
    return {**entry, "key": key, "inputs": inputs, "frameworks": frameworks}


def _keras_entry(params: dict[str, Any], section: str, key: str) -> dict[str, Any]:
    """A Keras entry of `section` overlaid on the shared `train` defaults, with its key."""
    return {**params["train"], **_entry(params, section, key), "key": key}


def _entry(params: dict[str, Any], section: str, key: str) -> dict[str, Any]:
    entries = params.get(section, {})
    if key not in entries:
        others = [name for name in MODEL_SECTIONS if name != section and key in params.get(name, {})]
        where = f" (it is under {others[0]})" if others else ""
        raise KeyError(f"params.yaml has no {section}.{key}{where}; known: {sorted(entries)}")
    return entries[key]


if __name__ == "__main__":  # `python -m textlab.adapters.params`: check the file before `dvc repro` deletes outputs
    try:
        load_params()
    except ParamsError as err:
        raise SystemExit(f"error: {err}") from None
    print(f"{PARAMS_FILE}: ok")
