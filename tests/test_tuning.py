"""The search space in keras-tuner's terms, a trial's settings, the best-trial record, and when stored trials resume."""
from __future__ import annotations

import keras_tuner as kt
import pytest

from textlab.adapters.keras_tuning import mark, prepare
from textlab.tuning import best_record, declare, fingerprint, overlay

SPACE = {"embedding_dim": {"min": 32, "max": 128, "step": 32}, "units": {"min": 16, "max": 64, "step": 16},
         "cell": {"values": ["lstm", "gru"]}, "learning_rate": {"min": 1e-4, "max": 1e-2, "sampling": "log"}}


def test_the_space_becomes_keras_tuner_hyperparameters_and_a_trial_sets_every_layer():
    hp = kt.HyperParameters()
    drawn = declare(SPACE, hp)
    kinds = {p.name: type(p).__name__ for p in hp.space}
    assert kinds == {"embedding_dim": "Int", "units": "Int", "cell": "Choice", "learning_rate": "Float"}
    assert drawn["embedding_dim"] in {32, 64, 96, 128} and drawn["cell"] in {"lstm", "gru"}
    settings = overlay({"units": [32, 32], "embedding_dim": 128, "dropout": 0.2}, {"units": 48, "embedding_dim": 64})
    assert settings == {"units": [48, 48], "embedding_dim": 64, "dropout": 0.2}


def test_the_best_trial_follows_the_objectives_direction_and_no_completed_trial_is_an_error():
    trials = [{"trial": "0", "score": 0.8, "hyperparameters": {"units": 16}},
              {"trial": "1", "score": 0.7, "hyperparameters": {"units": 32}},
              {"trial": "2", "score": None, "hyperparameters": {"units": 48}}]
    assert best_record("names-x", "val_accuracy", trials)["hyperparameters"] == {"units": 16}
    assert best_record("names-x", "val_loss", trials)["trial"] == "1"
    assert best_record("names-x", "val_loss", trials)["trials_scored"] == 2
    with pytest.raises(ValueError, match="no trial completed"):
        best_record("names-x", "val_accuracy", trials[2:])


def test_stored_trials_resume_only_when_the_same_search_was_cut_short(tmp_path):
    project, same = tmp_path / "search", fingerprint({"trials": 4}, {"units": [32]}, "abc")
    assert prepare(project, same) == "new"
    mark(project, same, complete=False)
    (project / "trial_0").mkdir()
    assert prepare(project, same) == "resumed" and (project / "trial_0").is_dir()  # a killed search keeps its trials
    other = fingerprint({"trials": 4}, {"units": [32]}, "another data hash")
    assert other != same and prepare(project, other) == "started over" and not project.exists()
    mark(project, same, complete=True)
    assert prepare(project, same) == "started over"  # a finished search reran for a reason: run it again
