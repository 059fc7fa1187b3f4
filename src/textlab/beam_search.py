"""Beam-search decoding of an encoder–decoder translator (greedy decoding is `textlab.translation.greedy_decode`).

Keeps the `beam_width` most probable prefixes of every sentence, step by step; a prefix that ends (END) is a
finished translation scored by its log-probability divided by its length (words + END) to the power
`length_alpha` (0: the raw sum, which favours short translations; 1: the mean per word). Like greedy
decoding, PAD, START and [UNK] are never chosen. Pure NumPy around the model's `predict_next`.
"""
from __future__ import annotations

import numpy as np

from textlab.text import OOV_ID, PAD_ID
from textlab.translation import NextToken, TranslationSpec, decode_in_chunks


def _normalized(log_prob: np.ndarray, length: int, length_alpha: float) -> np.ndarray:
    return log_prob / (length ** length_alpha)


def _beam_chunk(predict_next: NextToken, source: np.ndarray, spec: TranslationSpec, beam_width: int,
                length_alpha: float) -> np.ndarray:
    """[rows, target_len] word ids (PAD after the translation) of the best finished beam of each source row."""
    rows, width, k = len(source), spec.target_len, beam_width
    repeated = np.repeat(source, k, axis=0)
    prefix = np.full((rows * k, width), PAD_ID, dtype=np.int32)
    prefix[:, 0] = spec.start_id
    words = np.full((rows, k, width), PAD_ID, dtype=np.int32)
    scores = np.full((rows, k), -np.inf)
    scores[:, 0] = 0.0  # one live prefix (START) per row at first, not k copies of it
    best_score = np.full(rows, -np.inf)
    best_words = np.full((rows, width), PAD_ID, dtype=np.int32)
    every_row = np.arange(rows)
    for t in range(width):
        probs = np.asarray(predict_next(repeated, prefix))
        step = probs[:, t, :] if probs.ndim == 3 else probs
        with np.errstate(divide="ignore"):
            log_probs = np.log(step.astype(np.float64)).reshape(rows, k, -1)
        log_probs[:, :, [PAD_ID, OOV_ID, spec.start_id]] = -np.inf
        candidates = scores[:, :, None] + log_probs
        # A prefix + END is a finished translation of t words: keep each row's best one so far.
        ended = _normalized(candidates[:, :, spec.end_id], t + 1, length_alpha)
        beam = ended.argmax(axis=1)
        better = ended[every_row, beam] > best_score
        best_score = np.where(better, ended[every_row, beam], best_score)
        best_words[better] = words[every_row, beam][better]
        candidates[:, :, spec.end_id] = -np.inf
        flat = candidates.reshape(rows, -1)
        top = np.argsort(-flat, axis=1, kind="stable")[:, :k]
        scores = np.take_along_axis(flat, top, axis=1)
        parent, word = np.divmod(top, log_probs.shape[2])
        words = words[every_row[:, None], parent]
        words[:, :, t] = word
        if t + 1 < width:
            prefix = np.concatenate([np.full((rows, k, 1), spec.start_id, dtype=np.int32), words[:, :, :width - 1]],
                                    axis=2).reshape(rows * k, width)
    # Prefixes that filled every position without END compete as they are.
    unended = _normalized(scores, width, length_alpha)
    beam = unended.argmax(axis=1)
    better = unended[every_row, beam] > best_score
    best_words[better] = words[every_row, beam][better]
    return best_words


def beam_decode(predict_next: NextToken, source_ids: np.ndarray, spec: TranslationSpec, beam_width: int,
                length_alpha: float, batch_size: int = 64) -> list[str]:
    """Translate each row of `source_ids` (see the module); `predict_next` as for `greedy_decode`.

    Rows go `batch_size` at a time (`decode_in_chunks`); each becomes `beam_width` rows of the model's batch.
    """
    if beam_width < 1:
        raise ValueError(f"beam_width must be at least 1, got {beam_width}")
    if length_alpha < 0:
        raise ValueError(f"length_alpha must be at least 0, got {length_alpha}")
    return decode_in_chunks(lambda source: _beam_chunk(predict_next, source, spec, beam_width, length_alpha),
                            source_ids, spec, batch_size)
