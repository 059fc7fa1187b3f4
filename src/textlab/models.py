"""Model builders: each family turns one `models.<key>` params entry into a compiled-ready Keras model.

New architectures are usually a new params entry for an existing family, not new code.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import layers

Builder = Callable[[dict[str, Any], int, int, np.ndarray | None], keras.Model]
RECURRENT_CELLS = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}


def _regularizer(hp: dict[str, Any]) -> keras.regularizers.Regularizer | None:
    l1, l2 = float(hp.get("l1", 0.0)), float(hp.get("l2", 0.0))
    return keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None


def _output(x: Any) -> Any:
    return layers.Dense(1, activation="sigmoid", name="probability")(x)


def _embedding(hp: dict[str, Any], vocab_size: int, pretrained: np.ndarray | None, mask_zero: bool) -> layers.Embedding:
    """Embedding for ids; from pretrained vectors (frozen unless `trainable`) when the inputs carry them."""
    if pretrained is None:
        return layers.Embedding(vocab_size, hp["embedding_dim"], mask_zero=mask_zero, name="embedding")
    if pretrained.shape[0] != vocab_size:
        raise ValueError(f"models.{hp['key']}: pretrained vectors cover {pretrained.shape[0]} ids, vocabulary {vocab_size}")
    return layers.Embedding(vocab_size, pretrained.shape[1], mask_zero=mask_zero, name="embedding",
                            embeddings_initializer=keras.initializers.Constant(pretrained),
                            trainable=bool(hp.get("trainable", False)))


def build_dense(hp: dict[str, Any], vocab_size: int, maxlen: int, pretrained: np.ndarray | None = None) -> keras.Model:
    """Bag of tokens (sparse rows) → stacked Dense layers → P(class 1)."""
    inputs = keras.Input(shape=(vocab_size,), sparse=True, name="bag")
    x = inputs
    for units in hp["hidden"]:
        x = layers.Dense(units, activation=hp.get("activation", "relu"), kernel_regularizer=_regularizer(hp))(x)
        if hp.get("dropout"):
            x = layers.Dropout(hp["dropout"])(x)
    return keras.Model(inputs, _output(x), name=hp["key"])


def build_rnn(hp: dict[str, Any], vocab_size: int, maxlen: int, pretrained: np.ndarray | None = None) -> keras.Model:
    """Ids → Embedding (0 masked) → one or more recurrent layers → optional Dense → P(class 1)."""
    cell = RECURRENT_CELLS[hp["cell"]]
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="ids")
    x = _embedding(hp, vocab_size, pretrained, mask_zero=True)(inputs)
    sizes = list(hp["units"])
    for depth, units in enumerate(sizes):
        kwargs = {"units": units, "return_sequences": depth < len(sizes) - 1,
                  "dropout": hp.get("dropout", 0.0), "recurrent_dropout": hp.get("recurrent_dropout", 0.0)}
        if "activation" in hp:
            kwargs["activation"] = hp["activation"]
        recurrent = cell(**kwargs)
        x = layers.Bidirectional(recurrent)(x) if hp.get("bidirectional") else recurrent(x)
    if hp.get("dense_units"):
        x = layers.Dense(hp["dense_units"], activation="relu")(x)
    return keras.Model(inputs, _output(x), name=hp["key"])


def build_conv1d(hp: dict[str, Any], vocab_size: int, maxlen: int, pretrained: np.ndarray | None = None) -> keras.Model:
    """Ids → Embedding → Conv1D (+ MaxPool) blocks → global max pool → P(class 1)."""
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="ids")
    x = _embedding(hp, vocab_size, pretrained, mask_zero=False)(inputs)
    blocks = hp.get("blocks", 1)
    for block in range(blocks):
        x = layers.Conv1D(hp["filters"], hp["kernel_size"], activation="relu", padding=hp.get("conv_padding", "same"))(x)
        if block < blocks - 1:
            x = layers.MaxPooling1D(hp.get("pool_size", 2))(x)
    x = layers.GlobalMaxPooling1D()(x)
    if hp.get("dropout"):
        x = layers.Dropout(hp["dropout"])(x)
    if hp.get("dense_units"):
        x = layers.Dense(hp["dense_units"], activation="relu")(x)
    return keras.Model(inputs, _output(x), name=hp["key"])


def build_flatten(hp: dict[str, Any], vocab_size: int, maxlen: int, pretrained: np.ndarray | None = None) -> keras.Model:
    """Ids → Embedding → Flatten (position-aware) → optional Dense layers → P(class 1)."""
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="ids")
    x = layers.Flatten()(_embedding(hp, vocab_size, pretrained, mask_zero=False)(inputs))
    for units in hp.get("hidden", []):
        x = layers.Dense(units, activation="relu")(x)
    return keras.Model(inputs, _output(x), name=hp["key"])


def build_pooled(hp: dict[str, Any], vocab_size: int, maxlen: int, pretrained: np.ndarray | None = None) -> keras.Model:
    """Ids (words, then n-grams) → Embedding → average over positions → P(class 1): fastText."""
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="ids")
    x = layers.GlobalAveragePooling1D()(_embedding(hp, vocab_size, pretrained, mask_zero=True)(inputs))
    return keras.Model(inputs, _output(x), name=hp["key"])


def build_lm_rnn(hp: dict[str, Any], vocab_size: int, maxlen: int, pretrained: np.ndarray | None = None) -> keras.Model:
    """Window of ids → Embedding → recurrent layers → softmax over the vocabulary: P(next token).

    Integer ids in, so no one-hot tensor of windows × maxlen × vocabulary is ever materialised; a
    prompt shorter than the window is pre-padded, and the mask keeps padding out of the state. With
    `targets: every` the softmax sits on every position ([n, maxlen, vocab]); scorers read the last one.
    """
    cell = RECURRENT_CELLS[hp["cell"]]
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="ids")
    x = _embedding(hp, vocab_size, pretrained, mask_zero=True)(inputs)
    sizes = list(hp["units"])
    every_position = hp.get("targets", "last") == "every"
    for depth, units in enumerate(sizes):
        x = cell(units, return_sequences=every_position or depth < len(sizes) - 1, dropout=hp.get("dropout", 0.0),
                 recurrent_dropout=hp.get("recurrent_dropout", 0.0))(x)
    if hp.get("output_dropout"):
        x = layers.Dropout(hp["output_dropout"], name="output_dropout")(x)  # on the states the softmax reads
    return keras.Model(inputs, layers.Dense(vocab_size, activation="softmax", name="next_token")(x), name=hp["key"])


FAMILIES: dict[str, Builder] = {"dense": build_dense, "rnn": build_rnn, "conv1d": build_conv1d,
                                "flatten": build_flatten, "pooled": build_pooled, "lm_rnn": build_lm_rnn}
# The loss each family is trained with: a class probability by default, the next token's id for language models.
LOSSES: dict[str, str] = {"lm_rnn": "sparse_categorical_crossentropy"}
BAG_FAMILIES = ("dense",)  # read bag-of-token rows; the others read padded id sequences


def build_model(hp: dict[str, Any], vocab_size: int, maxlen: int, pretrained: np.ndarray | None = None) -> keras.Model:
    if hp.get("family") not in FAMILIES:
        raise ValueError(f"models.{hp.get('key')}.family must be one of {sorted(FAMILIES)}, got {hp.get('family')!r}")
    return FAMILIES[hp["family"]](hp, vocab_size, maxlen, pretrained)


def learning_rate(hp: dict[str, Any], train_rows: int | None = None) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """`learning_rate`, or with `lr_schedule: cosine` a cosine decay from it over every step of `epochs`
    epochs of `train_rows` rows down to `lr_floor` of it (large steps early, fine ones at the end)."""
    if hp.get("lr_schedule", "constant") == "constant":
        return hp["learning_rate"]
    if train_rows is None:
        raise ValueError(f"{hp.get('key')}: lr_schedule {hp['lr_schedule']!r} needs the number of training rows")
    steps = int(hp["epochs"]) * -(-train_rows // int(hp["batch_size"]))
    return keras.optimizers.schedules.CosineDecay(hp["learning_rate"], steps, alpha=hp.get("lr_floor", 0.0))


def compile_model(model: keras.Model, hp: dict[str, Any], train_rows: int | None = None) -> keras.Model:
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}
    if hp["optimizer"] not in optimizers:
        raise ValueError(f"optimizer must be one of {sorted(optimizers)}, got {hp['optimizer']!r}")
    model.compile(optimizer=optimizers[hp["optimizer"]](learning_rate=learning_rate(hp, train_rows)),
                  loss=LOSSES.get(hp["family"], "binary_crossentropy"), metrics=["accuracy"])
    return model


def embedding_matrix(model: keras.Model) -> Any | None:
    """Weights of the layer named `embedding`, or None for models without one."""
    for layer in model.layers:
        if isinstance(layer, layers.Embedding):
            return layer.get_weights()[0]
    return None
