"""Linear interpolation of two language models: P(t) = w·P_a(t) + (1 − w)·P_b(t), on the same target tokens
after the same text, with the weight w chosen on validation text from a grid (the lowest bits per token).

Pure NumPy, on the per-token log2 probabilities every scorer gives (`log2_probs(ids)`: ids[1:], each after
the ids before it), and on next-token distributions for sampling.
"""
from __future__ import annotations

import numpy as np

from textlab.generation import NextDistributions
from textlab.language import bits_per_token


def weight_grid(step: float) -> np.ndarray:
    """The weights 0, step, 2·step, …, 1 (`step` must divide 1: 0.05 gives 21 weights)."""
    if not 0 < step <= 1:
        raise ValueError(f"step must be in (0, 1], got {step!r}")
    count = round(1 / step)
    if abs(count * step - 1) > 1e-9:
        raise ValueError(f"step must divide 1 (0.1, 0.05, 0.25, …), got {step!r}")
    return np.round(np.linspace(0.0, 1.0, count + 1), 10)


def _check_weight(weight: float) -> float:
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be between 0 and 1, got {weight!r}")
    return float(weight)


def _pair(log2_a: np.ndarray, log2_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(log2_a, np.float64), np.asarray(log2_b, np.float64)
    if a.ndim != 1 or a.shape != b.shape or not len(a):
        raise ValueError(f"need two non-empty 1-D arrays of log2 probabilities of the same tokens, got shapes "
                         f"{a.shape} and {b.shape}")
    if np.isnan(a).any() or np.isnan(b).any() or (a > 1e-9).any() or (b > 1e-9).any():
        raise ValueError("log2 probabilities must be ≤ 0 and not NaN")
    return a, b


def interpolated_log2_probs(log2_a: np.ndarray, log2_b: np.ndarray, weight: float) -> np.ndarray:
    """log2(weight·2^a + (1 − weight)·2^b) per token, without leaving log space (weight 1: a, 0: b exactly)."""
    a, b = _pair(log2_a, log2_b)
    weight = _check_weight(weight)
    if weight == 1.0:
        return a.copy()
    if weight == 0.0:
        return b.copy()
    return np.logaddexp2(a + np.log2(weight), b + np.log2(1.0 - weight))


def weight_curve(log2_a: np.ndarray, log2_b: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Bits per token of the interpolation at each weight of `grid`."""
    a, b = _pair(log2_a, log2_b)
    return np.array([bits_per_token(interpolated_log2_probs(a, b, float(w))) for w in grid])


def choose_weight(log2_a: np.ndarray, log2_b: np.ndarray, grid: np.ndarray) -> float:
    """The weight of `grid` with the lowest bits per token on these (validation) tokens; a tie goes to the first."""
    grid = np.asarray(grid, np.float64)
    if grid.ndim != 1 or not len(grid):
        raise ValueError(f"grid must be a non-empty 1-D array of weights, got shape {grid.shape}")
    return best_weight(grid, weight_curve(log2_a, log2_b, grid))


def best_weight(grid: np.ndarray, curve: np.ndarray) -> float:
    """The weight of `grid` whose bits per token in `curve` (`weight_curve` over it) is lowest; a tie goes to the first."""
    return float(np.asarray(grid, np.float64)[int(np.argmin(curve))])


def mixed_next_distributions(next_a: NextDistributions, next_b: NextDistributions, weight: float) -> NextDistributions:
    """histories → weight·P_a(next) + (1 − weight)·P_b(next), one row each (for sampling the interpolation)."""
    weight = _check_weight(weight)

    def next_distributions(histories: list[list[int]]) -> np.ndarray:
        rows = (weight * np.asarray(next_a(histories), np.float64)
                + (1.0 - weight) * np.asarray(next_b(histories), np.float64))
        return rows / rows.sum(axis=1, keepdims=True)

    return next_distributions
