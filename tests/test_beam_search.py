from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from test_translation import oracle
from textlab.beam_search import beam_decode
from textlab.text import OOV_ID, PAD_ID
from textlab.translation import fit_translation_spec, greedy_decode


def toy_spec():
    train = pd.DataFrame({"source": ["one", "two", "three"], "target": ["uno dos", "tres cuatro", "cinco"]})
    return fit_translation_spec(train, None, None, source_len=2, target_len=4)


@pytest.mark.parametrize("per_position", [True, False])
def test_beam_search_finds_what_the_model_knows_and_never_chooses_padding(per_position):
    spec = toy_spec()
    source = spec.encode_source(["one", "two", "three"])
    answers = {int(source[0, 0]): ["uno", "dos"], int(source[1, 0]): ["tres", "cuatro", "cinco", "uno"],
               int(source[2, 0]): []}
    shapes: set = set()
    got = beam_decode(oracle(spec, answers, per_position, shapes), source, spec, beam_width=3, length_alpha=1.0,
                      batch_size=2)
    assert got == ["uno dos", "tres cuatro cinco uno", ""]
    assert shapes == {((6, 2), (6, 4))}  # 2 rows × 3 beams, the short last chunk filled up: one shape
    assert beam_decode(oracle(spec, answers, per_position, set()), source[:0], spec, 3, 1.0) == []


def garden_path(spec):
    """The first word is `uno` (0.6) or `tres` (0.4); after `uno` the model is unsure (END or one of three
    words, 0.25 each), after `tres` it ends (0.9): greedy takes `uno …` (≤ 0.15), the best whole is `tres` (0.36)."""
    ids = {w: i for i, w in enumerate(spec.target_vocabulary)}

    def predict(source, prefix):
        probs = np.full((len(source), spec.target_len, len(spec.target_vocabulary)), 1e-6)
        probs[:, :, [PAD_ID, OOV_ID]] = 0.5  # the most probable, and never chosen
        probs[:, 0, ids["uno"]], probs[:, 0, ids["tres"]] = 0.6, 0.4
        after_uno = prefix[:, 1] == ids["uno"]
        for word in ("[end]", "dos", "cuatro", "cinco"):
            probs[after_uno, 1:, ids[word]] = 0.25
        probs[~after_uno, 1:, spec.end_id] = 0.9
        return probs

    return predict


def test_beam_search_finds_the_better_whole_translation_that_greedy_misses():
    spec = toy_spec()
    source = spec.encode_source(["one"])
    assert greedy_decode(garden_path(spec), source, spec)[0].startswith("uno")
    assert beam_decode(garden_path(spec), source, spec, beam_width=2, length_alpha=0.0) == ["tres"]
    assert beam_decode(garden_path(spec), source, spec, beam_width=1, length_alpha=0.0)[0].startswith("uno")


@pytest.mark.parametrize("width, alpha, message", [(0, 1.0, "beam_width must be at least 1, got 0"),
                                                   (2, -0.5, "length_alpha must be at least 0, got -0.5")])
def test_beam_search_refuses_settings_out_of_range(width, alpha, message):
    spec = toy_spec()
    with pytest.raises(ValueError, match=message):
        beam_decode(garden_path(spec), spec.encode_source(["one"]), spec, width, alpha)
