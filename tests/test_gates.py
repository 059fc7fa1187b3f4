"""The quality gate: verdicts against trivial baselines (pure) and the GX checks of degenerate outputs (real GX)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from conftest import ROOT
from textlab import gates
from textlab.adapters.gating import output_verdict
from textlab.evaluation import trivial_baselines
from textlab.leaderboard import listed_models
from textlab.registry import Candidate, decide
from textlab.review import Change, gate_flips


def test_a_model_must_beat_each_baseline_on_validation_when_it_has_validation_figures():
    scores = {"accuracy": 0.9, "baseline_majority_accuracy": 0.5,            # test: would pass
              "val_accuracy": 0.55, "val_baseline_majority_accuracy": 0.6}  # validation: decides, fails
    [verdict] = gates.baseline_verdicts(scores, {"accuracy": ["majority"]}, margin=0.0)
    assert verdict.gate == "accuracy_vs_majority" and not verdict.passed
    assert "validation accuracy 0.55 is not above the majority baseline's 0.6" in verdict.detail


def test_lower_is_better_metrics_and_the_margin():
    scores = {"bits_per_token": 2.0, "baseline_unigram_bits_per_token": 2.05}
    assert gates.baseline_verdicts(scores, {"bits_per_token": ["unigram"]}, margin=0.0)[0].passed
    assert not gates.baseline_verdicts(scores, {"bits_per_token": ["unigram"]}, margin=0.1)[0].passed
    worse = {"bits_per_token": 2.1, "baseline_unigram_bits_per_token": 2.05}
    assert not gates.baseline_verdicts(worse, {"bits_per_token": ["unigram"]}, margin=0.0)[0].passed


def test_a_missing_baseline_figure_is_an_error_that_names_it():
    with pytest.raises(ValueError, match="evaluate_translator@x: .* needs the figure .baseline_copy_bleu."):
        gates.baseline_verdicts({"bleu": 30.0}, {"bleu": ["copy"]}, 0.0, where="evaluate_translator@x")


def test_floors_record_summary_and_mark():
    verdicts = gates.floor_verdicts({"floor_ratio": 0.8}, {"floor_ratio": 0.9})
    verdicts += gates.baseline_verdicts({"bleu": 25.0, "baseline_copy_bleu": 2.0}, {"bleu": ["copy"]}, 0.0)
    record = gates.record(verdicts)
    assert record == {"gates": {"floor_ratio_floor": False, "bleu_vs_copy": True}, "passed": False}
    assert gates.summary(verdicts) == "failed: floor_ratio_floor: floor_ratio 0.8 is below the floor 0.9"
    assert gates.mark(record) == "FAIL (floor_ratio_floor)"
    assert gates.mark({"accuracy": 0.9}) == "—" and not gates.passed({"accuracy": 0.9})
    assert gates.summary(verdicts[1:]) == "passed" and gates.mark(gates.record(verdicts[1:])) == "pass"


def test_trivial_classifier_baselines_are_fitted_on_the_training_labels():
    scores = trivial_baselines(np.array([1, 1, 1, 0]), np.array([0, 0, 1, 1, 1]))
    assert scores["baseline_majority_accuracy"] == pytest.approx(0.6)  # always 1
    expected = -(2 * np.log(0.25) + 3 * np.log(0.75)) / 5                # P(1) = 0.75 for every row
    assert scores["baseline_prior_loss"] == pytest.approx(expected)


def test_a_classifier_answering_one_class_fails_its_output_check_with_the_observed_value():
    verdict = output_verdict("evaluate@x", gates.classifier_outputs(np.ones(50, dtype=bool)))
    assert not verdict.passed
    assert "ExpectColumnUniqueValueCountToBeBetween on column 'predicted'" in verdict.detail
    assert "observed 1" in verdict.detail
    assert output_verdict("evaluate@x", gates.classifier_outputs(np.arange(50) % 2 == 0)).passed


def test_one_repeated_translation_and_a_one_token_sample_fail_their_checks():
    repeated = output_verdict("evaluate_translator@x", gates.translator_outputs(["no sé ."] * 40, 0.2))
    assert not repeated.passed and "observed 0.025" in repeated.detail
    varied = [f"frase {i}" for i in range(40)]
    assert output_verdict("evaluate_translator@x", gates.translator_outputs(varied, 0.2)).passed
    samples = {0.0: [5] * 30, 1.0: [5, 6, 7] * 10}
    stuck = output_verdict("evaluate_lm@x", gates.sample_outputs(samples))
    assert not stuck.passed and "distinct_tokens" in stuck.detail and "temperature=0" in stuck.detail
    assert output_verdict("evaluate_lm@x", gates.sample_outputs({1.0: [5, 6, 7]})).passed


def test_promote_never_crowns_a_model_that_failed_its_gate_and_a_fallen_champion_loses_the_title():
    failing = Candidate("2", "names-lstm", val_accuracy=0.95, test_accuracy=0.95, passed=False)
    passing = Candidate("3", "names-gru", val_accuracy=0.85, test_accuracy=0.85)
    decision = decide([failing, passing], None, 0.8)
    assert decision.promote and decision.champion == passing
    fallen = Candidate("1", "names-conv1d", val_accuracy=0.90, test_accuracy=0.90, passed=False)
    decision = decide([fallen, passing], fallen, 0.8)
    assert decision.promote and decision.champion == passing and "failed its quality gate" in decision.reason
    decision = decide([fallen], fallen, 0.8)
    assert not decision.promote and decision.champion is None


def test_the_review_names_a_gate_that_flips():
    metrics = {"alice-word_lstm": [Change("test passed", True, False), Change("test bits_per_token", 7.0, 9.0)],
               "names-gru": [Change("test accuracy", 0.8, 0.81)]}
    assert gate_flips(metrics) == ["- `alice-word_lstm`: quality gate **passed → FAILED**"]


def default_verdicts() -> dict[str, str]:
    """Each model of the default params.yaml → the gate mark of its committed metrics file."""
    models = listed_models(yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8")))
    return {key: gates.mark(json.loads((ROOT / "reports/metrics" / corpus / f"{key}.json").read_text()))
            for key, corpus in models.items()}


def test_every_model_of_the_default_params_was_gated_and_passed_in_the_committed_metrics():
    """The committed figures are a default `dvc repro`'s: every model carries its verdicts, and none loses to
    its trivial baseline (a model that does is a defect to mend, not a figure to commit)."""
    verdicts = default_verdicts()
    assert "—" not in verdicts.values(), [key for key, mark in verdicts.items() if mark == "—"]
    assert {key: mark for key, mark in verdicts.items() if mark != "pass"} == {}
