"""Keras CBOW and skip-gram models (word2vec), in the `textlab.models` Builder signature.

hp["loss"] picks the output: "softmax" (the original experiment: a full softmax over the
vocabulary, cost ∝ vocabulary per example) or "negative_sampling" (word2vec's scalable loss: a
sigmoid of the dot product of an input and an output vector, for true and noise words alike).
Either way the layer named "embedding" holds the input vectors, the ones word2vec publishes and the
export stage reads; the output vectors (Dense kernel, or "output_embedding") are training scaffolding.

Inputs, by name (every model takes a dict, even with one input; ids int32; the arrays come from
`textlab.word2vec`):

| model     | loss              | inputs                                      | label [n]          | output    |
|-----------|-------------------|---------------------------------------------|--------------------|-----------|
| skip-gram | negative_sampling | "target" [n], "context" [n]                 | 1 true / 0 noise   | [n, 1]    |
| skip-gram | softmax           | "target" [n]                                | context id         | [n, V]    |
| CBOW      | negative_sampling | "context" [n, 2·window], "target" [n]       | 1 true / 0 noise   | [n, 1]    |
| CBOW      | softmax           | "context" [n, 2·window]                     | target id          | [n, V]    |

skip-gram arrays: `skipgram_pairs` (negative sampling) or `skipgram_positive_pairs` (softmax);
CBOW arrays: `cbow_examples`, then `add_negatives(contexts, targets, …)` for negative sampling.
Compile with `LOSSES[hp["loss"]]`. Optimizer: word2vec's plain SGD at 0.025·batch_size (gensim's
per-example `alpha`, as Keras means the loss over the batch), decaying linearly to `MIN_ALPHA / ALPHA`
of it over all steps of all epochs (`learning_rate_schedule`: gensim's `min_alpha` schedule). Adam
updates every row's moments each step, so rare words keep moving after they leave the batch and
become everyone's nearest neighbours: on Alice its vectors drifted away from gensim's as epochs went by.
Input vectors start as gensim's, uniform in ±1/dim; output vectors at zero, as gensim's `syn1neg`.
"""
from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers

from textlab.models import Builder, _embedding

LOSSES = {"negative_sampling": "binary_crossentropy", "softmax": "sparse_categorical_crossentropy"}
ALPHA, MIN_ALPHA = 0.025, 0.0001  # gensim's Word2Vec defaults: the rate falls linearly from alpha to min_alpha


def learning_rate_schedule(learning_rate: float, steps: int) -> keras.optimizers.schedules.LearningRateSchedule:
    """gensim's schedule in steps: `learning_rate` falling linearly to MIN_ALPHA/ALPHA of it at step `steps`.

    gensim sets `alpha - (alpha - min_alpha) · progress` with progress the share of all words of all
    epochs already trained; with batches of equal size the step count is that share.
    """
    return keras.optimizers.schedules.PolynomialDecay(learning_rate, max(int(steps), 1),
                                                      learning_rate * MIN_ALPHA / ALPHA, power=1.0)


def loss_for(hp: dict[str, Any]) -> str:
    """The Keras loss that matches the model's output (the trainer compiles with it)."""
    if hp.get("loss") not in LOSSES:
        raise ValueError(f"models.{hp.get('key')}.loss must be one of {sorted(LOSSES)}, got {hp.get('loss')!r}")
    return LOSSES[hp["loss"]]


def _word_input(name: str) -> keras.KerasTensor:
    """One id per example: shape () so the arrays of `textlab.word2vec` feed in without reshaping."""
    return keras.Input(shape=(), dtype="int32", name=name)


def _input_embedding(hp: dict[str, Any], vocab_size: int, pretrained: np.ndarray | None,
                     mask_zero: bool) -> layers.Embedding:
    """The published table "embedding": gensim's start (uniform in ±1/dim) unless pretrained vectors seed it.

    Keras's default (±0.05) is 5× gensim's at 100 dimensions, and on a small corpus the starting
    noise of rare words outlives training: the scale matters for matching gensim's neighbours.
    """
    if pretrained is not None:
        return _embedding(hp, vocab_size, pretrained, mask_zero)
    dim = int(hp["embedding_dim"])
    return layers.Embedding(vocab_size, dim, mask_zero=mask_zero, name="embedding",
                            embeddings_initializer=keras.initializers.RandomUniform(-1.0 / dim, 1.0 / dim))


def _output_embedding(vocab_size: int, dim: int) -> layers.Embedding:
    # A separate output table, as word2vec: tying it to the input one makes every word its own
    # best context. Zeros, as word2vec.c: all scores start at 0.5 and the random input vectors
    # alone break the symmetry.
    return layers.Embedding(vocab_size, dim, embeddings_initializer="zeros", name="output_embedding")


@keras.saving.register_keras_serializable(package="textlab")
class ContextMean(layers.Layer):
    """Mean of the unmasked context vectors, whose gradient reaches each context vector whole.

    gensim's CBOW with `cbow_mean=1` (and word2vec.c's) averages the context vectors forward, but
    adds the error of that mean to every context word undivided (`if not cbow_mean: sscal(...)` only
    scales the summing variant): each context word learns `count` times the mean's true gradient.
    Forward: sum / count; backward: the sum's gradient (sum + stop_gradient(mean - sum)).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        ones = keras.ops.ones_like(inputs[..., :1])
        present = ones if mask is None else keras.ops.cast(mask, inputs.dtype)[..., None]
        summed = keras.ops.sum(inputs * present, axis=1)
        mean = summed / keras.ops.maximum(keras.ops.sum(present, axis=1), 1.0)
        return summed + keras.ops.stop_gradient(mean - summed)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (input_shape[0], input_shape[-1])


def _sigmoid_dot(inputs: Any, candidate_vectors: Any) -> Any:
    """P(candidate is the true word) = sigmoid(input vector · candidate's output vector)."""
    return layers.Activation("sigmoid", name="probability")(layers.Dot(axes=1, name="score")([inputs, candidate_vectors]))


def _softmax(x: Any, vocab_size: int) -> Any:
    return layers.Dense(vocab_size, activation="softmax", name="probability")(x)


def build_skipgram(hp: dict[str, Any], vocab_size: int, maxlen: int = 0,
                   pretrained: np.ndarray | None = None) -> keras.Model:
    """Skip-gram: the target word's vector predicts each word around it.

    The trainer feeds pairs the way gensim trains them: a neighbour's vector ("target") scores the
    window's centre word and its noise words ("context"); the pairs are the same either way round
    but for each centre's own window draw.

    negative_sampling: ("target", "context") → sigmoid(dot) [n, 1]; softmax: "target" → P(context) [n, V].
    `maxlen` is unused (one id per input); it keeps the Builder signature.
    """
    loss_for(hp)
    target = _word_input("target")
    vectors = _input_embedding(hp, vocab_size, pretrained, mask_zero=False)(target)  # first Embedding: the export's
    if hp["loss"] == "softmax":
        return keras.Model({"target": target}, _softmax(vectors, vocab_size), name=hp.get("key", "skipgram"))
    context = _word_input("context")
    outputs = _sigmoid_dot(vectors, _output_embedding(vocab_size, vectors.shape[-1])(context))
    return keras.Model({"target": target, "context": context}, outputs, name=hp.get("key", "skipgram"))


def build_cbow(hp: dict[str, Any], vocab_size: int, maxlen: int = 0,
               pretrained: np.ndarray | None = None) -> keras.Model:
    """CBOW: the mean vector of the 2·hp["window"] context words predicts the word between them.

    PAD_ID context slots (text edges, sentence boundaries, beyond the drawn window) are masked out of
    the mean; each context word learns from the mean's error undivided, as in gensim (`ContextMean`).
    negative_sampling: ("context", "target") → sigmoid(dot) [n, 1]; softmax: "context" → P(target) [n, V].
    `maxlen` is unused (the width is 2·window); it keeps the Builder signature.
    """
    loss_for(hp)
    context = keras.Input(shape=(2 * int(hp["window"]),), dtype="int32", name="context")
    embedded = _input_embedding(hp, vocab_size, pretrained, mask_zero=True)(context)
    mean = ContextMean(name="context_mean")(embedded)  # a mean over real words, gensim's gradient
    if hp["loss"] == "softmax":
        return keras.Model({"context": context}, _softmax(mean, vocab_size), name=hp.get("key", "cbow"))
    target = _word_input("target")
    outputs = _sigmoid_dot(mean, _output_embedding(vocab_size, mean.shape[-1])(target))
    return keras.Model({"context": context, "target": target}, outputs, name=hp.get("key", "cbow"))


WORD2VEC_FAMILIES: dict[str, Builder] = {"skipgram": build_skipgram, "cbow": build_cbow}
