"""The links of params.yaml's `tune` and `explain` sections to the rest: a search names a Keras `models`
entry (same corpus and inputs) and knobs of its family; an explanation names a registry task of its corpus."""
from __future__ import annotations

from typing import Any

from textlab.params_check import UNSHOWN, Problem, _entries, _folders, _unknown
from textlab.params_schema import KERAS_MODELS, MODEL_SECTIONS
from textlab.tuning import tuned_key

FIXED = ("corpus", "inputs", "family", "epochs", "patience", "seed", "batch_size")  # a search never draws these


def tune_problems(params: dict[str, Any]) -> list[Problem]:
    models, problems = _entries(params, "models"), []
    taken = {key for section in MODEL_SECTIONS for key in _entries(params, section)}
    for key, search in _entries(params, "tune").items():
        problems += _unknown(("tune", key), key, models, "a key of models (a Keras model to search)")
        if key not in models:
            continue
        model = models[key]
        # Compared with a sound entry only: a broken one is reported under models already.
        sound = _folders(params).get(model.get("inputs"), (None,))[0] == model.get("corpus")
        problems += [(("tune", key, name), search.get(name), f"must be models.{key}.{name}: {model.get(name)}")
                     for name in ("corpus", "inputs") if sound and name in search and search[name] != model.get(name)]
        cls = KERAS_MODELS.get(model.get("family"))
        knobs = sorted(set(cls.model_fields) - set(FIXED)) if cls else []
        space = search.get("space") if isinstance(search.get("space"), dict) else {}
        problems += [(("tune", key, "space", name), UNSHOWN, f"not a knob a search may draw for family "
                      f"{model.get('family')}: {', '.join(knobs)}") for name in space if cls and name not in knobs]
        if tuned_key(key) in taken:
            problems.append((("tune", key), UNSHOWN, f"{tuned_key(key)} is taken: the search trains a model of that key"))
    return problems


def explain_problems(params: dict[str, Any]) -> list[Problem]:
    registry, baselines, problems = _entries(params, "registry"), _entries(params, "baselines"), []
    for corpus, entry in _entries(params, "explain").items():
        task, linear = (value if isinstance(value, str) else None for value in (entry.get("task"), entry.get("linear")))
        problems += _unknown(("explain", corpus, "task"), task, registry, "a key of registry")
        if task in registry and registry[task].get("corpus") != corpus:
            problems.append((("explain", corpus, "task"), task, f"that task ranks corpus {registry[task].get('corpus')}"))
        if linear is not None:
            problems += _unknown(("explain", corpus, "linear"), linear, baselines, "a key of baselines")
            if linear in baselines and baselines[linear].get("corpus") != corpus:
                problems.append((("explain", corpus, "linear"), linear, f"a model of {baselines[linear].get('corpus')}"))
    return problems
