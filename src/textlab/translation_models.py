"""Keras encoder–decoder translators, trained with teacher forcing (the pure pieces are in `textlab.translation`).

One model serves training and greedy decoding: its decoder is causal (a GRU), so the
distribution at position t depends only on the prefix up to t, and calling the teacher-forced
model on START + the words chosen so far (padded) gives the next word. That costs target_len
full passes per batch instead of one step each, which at ten-word sentences is cheap and leaves
no separate inference graph to drift from the trained one.
"""
from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers

from textlab.text import PAD_ID
from textlab.translation import NextToken


def build_seq2seq(hp: dict[str, Any], source_vocab_size: int, target_vocab_size: int, source_len: int,
                  target_len: int) -> keras.Model:
    """Inputs `source` [source_len] and `decoder_in` [target_len] int32 → next-word probabilities [target_len, vocab].

    Encoder: Embedding(embedding_dim, 0 masked) → GRU(units), or with `bidirectional` a bidirectional
    GRU whose two final states are joined through a tanh Dense(units); that state starts the decoder GRU.
    With `attention` (Luong-style), each decoder state scores every encoder state by a dot product
    (bidirectional: after a linear map of the encoder states to `units`, Luong's "general" score),
    padding masked, and the weighted context is concatenated with the decoder state as the softmax's
    input. (Luong's tanh Dense(units) over that concatenation stalled training near the unigram loss
    for epochs: a tanh layer alone on the plain decoder does the same.) `dropout` (0 or absent: none)
    acts on both embeddings and on the softmax's input. Compiled: see `compile_seq2seq`.
    """
    units, dim, attention = int(hp["units"]), int(hp["embedding_dim"]), bool(hp.get("attention", False))
    rate = float(hp.get("dropout") or 0.0)

    def drop(tensor, name: str):
        return layers.Dropout(rate, name=name)(tensor) if rate else tensor

    source = keras.Input(shape=(source_len,), dtype="int32", name="source")
    decoder_in = keras.Input(shape=(target_len,), dtype="int32", name="decoder_in")

    x = drop(layers.Embedding(source_vocab_size, dim, mask_zero=True, name="source_embedding")(source), "source_dropout")
    if hp.get("bidirectional"):
        encoded, forward, backward = layers.Bidirectional(
            layers.GRU(units, return_sequences=True, return_state=True), name="encoder")(x)
        state = layers.Dense(units, activation="tanh", name="bridge")(layers.Concatenate()([forward, backward]))
        keys = layers.Dense(units, use_bias=False, name="attention_keys")(encoded)
    else:
        encoded, state = layers.GRU(units, return_sequences=True, return_state=True, name="encoder")(x)
        keys = encoded
    y = drop(layers.Embedding(target_vocab_size, dim, mask_zero=True, name="target_embedding")(decoder_in),
             "target_dropout")
    y = layers.GRU(units, return_sequences=True, name="decoder")(y, initial_state=state)
    if attention:
        # The masks of both embeddings travel with the tensors, so padded source words get no weight.
        context = layers.Attention(name="attention")([y, encoded, keys])
        y = layers.Concatenate(name="attended")([y, context])
    y = drop(y, "output_dropout")
    probs = layers.Dense(target_vocab_size, activation="softmax", name="next_word")(y)
    return compile_seq2seq(keras.Model({"source": source, "decoder_in": decoder_in}, probs,
                                       name=str(hp.get("key", "seq2seq"))), hp)


def compile_seq2seq(model: keras.Model, hp: dict[str, Any]) -> keras.Model:
    """Adam (or RMSprop) on sparse categorical cross-entropy over real target words only.

    `ignore_class=PAD_ID` drops the positions after END from the loss and its mean, so short
    sentences are not rewarded for predicting padding.
    """
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}
    name = hp.get("optimizer", "adam")
    if name not in optimizers:
        raise ValueError(f"optimizer must be one of {sorted(optimizers)}, got {name!r}")
    model.compile(optimizer=optimizers[name](learning_rate=float(hp.get("learning_rate", 1e-3))),
                  loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=PAD_ID))
    return model


def next_word_predictor(model: keras.Model) -> NextToken:
    """`predict_next` for `textlab.translation.greedy_decode`: [b, target_len, vocab] probabilities of the prefix."""

    def predict_next(source: np.ndarray, prefix: np.ndarray) -> np.ndarray:
        # predict_on_batch skips `predict`'s per-call dataset and callback set-up, paid once per word.
        return np.asarray(model.predict_on_batch({"source": source, "decoder_in": prefix}))

    return predict_next
