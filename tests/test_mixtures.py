"""Linear interpolation of two language models (textlab.mixtures): the mixed probabilities, the weight grid and
the weight chosen on validation tokens, including the ends of the grid when one model is better everywhere."""
from __future__ import annotations

import numpy as np
import pytest

from textlab import mixtures

GRID = mixtures.weight_grid(0.05)


def test_the_grid_runs_from_0_to_1_in_exact_steps():
    assert len(GRID) == 21 and GRID[0] == 0.0 and GRID[-1] == 1.0 and GRID[9] == 0.45
    assert mixtures.weight_grid(0.25).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert mixtures.weight_grid(1.0).tolist() == [0.0, 1.0]
    for bad in (0.0, -0.1, 1.5, 0.3):
        with pytest.raises(ValueError, match="step must"):
            mixtures.weight_grid(bad)


def test_interpolation_is_the_weighted_mean_of_the_probabilities_and_exact_at_the_ends():
    p_a, p_b = np.array([0.5, 0.01, 0.25]), np.array([0.1, 0.2, 0.25])
    mixed = mixtures.interpolated_log2_probs(np.log2(p_a), np.log2(p_b), 0.3)
    np.testing.assert_allclose(2 ** mixed, 0.3 * p_a + 0.7 * p_b)
    assert np.array_equal(mixtures.interpolated_log2_probs(np.log2(p_a), np.log2(p_b), 1.0), np.log2(p_a))
    assert np.array_equal(mixtures.interpolated_log2_probs(np.log2(p_a), np.log2(p_b), 0.0), np.log2(p_b))
    # A token one model gives no mass stays finite in the mixture, and exactly the other's at the other end.
    with np.errstate(divide="ignore"):
        zero = np.log2(np.array([0.0, 0.5]))
    np.testing.assert_allclose(2 ** mixtures.interpolated_log2_probs(zero, np.log2([0.2, 0.5]), 0.5), [0.1, 0.5])
    assert np.array_equal(mixtures.interpolated_log2_probs(zero, np.log2([0.2, 0.5]), 0.0), np.log2([0.2, 0.5]))


def test_a_model_better_on_every_token_gets_the_whole_weight():
    rng = np.random.default_rng(0)
    better = rng.uniform(0.2, 0.9, 200)
    worse = better * rng.uniform(0.1, 0.9, 200)
    assert mixtures.choose_weight(np.log2(better), np.log2(worse), GRID) == 1.0
    assert mixtures.choose_weight(np.log2(worse), np.log2(better), GRID) == 0.0
    curve = mixtures.weight_curve(np.log2(better), np.log2(worse), GRID)
    assert np.all(np.diff(curve) < 0)  # every step toward the better model helps


def test_two_models_each_right_half_the_time_mix_evenly_and_beat_both():
    a = np.log2(np.tile([0.9, 0.1], 50))
    b = np.log2(np.tile([0.1, 0.9], 50))
    assert mixtures.choose_weight(a, b, GRID) == 0.5
    curve = mixtures.weight_curve(a, b, GRID)
    assert curve[10] == curve.min() < min(curve[0], curve[-1])
    assert mixtures.choose_weight(a, b, mixtures.weight_grid(1.0)) == 0.0  # a tie goes to the first weight


def test_unmatched_or_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="same tokens"):
        mixtures.interpolated_log2_probs(np.log2([0.5, 0.5]), np.log2([0.5]), 0.5)
    with pytest.raises(ValueError, match="≤ 0 and not NaN"):
        mixtures.interpolated_log2_probs(np.array([0.5]), np.array([-1.0]), 0.5)
    with pytest.raises(ValueError, match="weight must be between 0 and 1"):
        mixtures.interpolated_log2_probs(np.array([-1.0]), np.array([-1.0]), 1.2)
    with pytest.raises(ValueError, match="grid"):
        mixtures.choose_weight(np.array([-1.0]), np.array([-1.0]), np.array([]))


def test_mixed_next_distributions_are_the_weighted_rows_and_sum_to_1():
    def uniform(histories):
        return np.full((len(histories), 4), 0.25)

    def peaked(histories):
        return np.tile([0.0, 1.0, 0.0, 0.0], (len(histories), 1))

    rows = mixtures.mixed_next_distributions(peaked, uniform, 0.6)([[1], [2, 3]])
    np.testing.assert_allclose(rows, np.tile([0.1, 0.7, 0.1, 0.1], (2, 1)))
    with pytest.raises(ValueError, match="weight"):
        mixtures.mixed_next_distributions(peaked, uniform, -0.1)
