"""IMDB costs, side by side in one run (run after `dvc repro` has built data/ for IMDB):

(a) tokenize+pad throughput: textlab's fitted spec vs. keras.layers.TextVectorization adapt + call;
(b) one epoch of `imdb-lstm`: the pipeline's train stage (MLflow run, history, model
    logging, its own process) vs. the same model in a bare Keras script, as a ratio;
(c) peak memory (max RSS) of the vectorize@imdb and train@imdb-lstm stage processes.

    python benchmarks/imdb_bench.py [--runs 3] [--texts 5000]

Every figure is the median of --runs runs; (b) and (c) run each process under GNU time in a
scratch copy of the project that reads this project's data/ (nothing here is written to).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
BARE_LSTM = """
import sys, time, numpy as np, keras
from keras import layers
x, y = np.load(sys.argv[1] + "/train.x.npy"), np.load(sys.argv[1] + "/train.y.npy")
xv, yv = np.load(sys.argv[1] + "/val.x.npy"), np.load(sys.argv[1] + "/val.y.npy")
keras.utils.set_random_seed(42)
inputs = keras.Input(shape=(x.shape[1],), dtype="int32")
h = layers.Embedding(5000, 32, mask_zero=True)(inputs)
h = layers.LSTM(100)(h)
model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(h))
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, validation_data=(xv, yv), epochs=1, batch_size=64, verbose=2)
"""


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, max RSS MiB) of one process, from GNU time."""
    report = cwd / "time.txt"
    subprocess.run(["/usr/bin/time", "-o", str(report), "-f", "%e %M", *cmd], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, kib = report.read_text().split()[-2:]
    return float(wall), int(kib) / 1024


def tokenize_throughput(texts: list[str], runs: int) -> tuple[float, float]:
    """Median texts/s of (fit + transform) for textlab and for TextVectorization (adapt + call)."""
    import keras
    import tensorflow as tf

    from textlab.features import fit_sequence_spec
    from textlab.text import standardize

    def ours() -> None:
        spec = fit_sequence_spec(texts, maxlen=200, padding="pre", truncating="pre", lowercase=True, level="word",
                                 max_tokens=10000)
        spec.transform(texts)

    def keras_layer() -> None:
        layer = keras.layers.TextVectorization(max_tokens=10000, output_sequence_length=200,
                                               standardize="lower_and_strip_punctuation")
        layer.adapt(tf.constant(texts))
        layer(tf.constant(texts))

    results = []
    for fn in (ours, keras_layer):
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - started)
        results.append(len(texts) / statistics.median(seconds))
    assert standardize  # the stage's standardization is what `ours` measured
    return results[0], results[1]


def scratch_project() -> Path:
    """A copy of params.yaml with imdb-lstm cut to one epoch, reading this project's data/ read-only."""
    scratch = Path(tempfile.mkdtemp(prefix="textlab-bench-"))
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["models"]["imdb-lstm"].update(epochs=1)
    (scratch / "params.yaml").write_text(yaml.safe_dump(params))
    (scratch / "data/features").mkdir(parents=True)
    (scratch / "data/split").symlink_to(ROOT / "data/split")
    (scratch / "data/features/imdb-top5k").symlink_to(ROOT / "data/features/imdb-top5k")
    return scratch


def main() -> None:
    parser = argparse.ArgumentParser(description="IMDB benchmark: throughput, stage overhead, peak memory")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--texts", type=int, default=5000)
    args = parser.parse_args()
    texts = pd.read_parquet(ROOT / "data/split/imdb/train.parquet")["text"].head(args.texts).tolist()
    ours, keras_rate = tokenize_throughput(texts, args.runs)
    print(f"(a) tokenize+pad {len(texts)} reviews: textlab {ours:,.0f} texts/s, TextVectorization "
          f"{keras_rate:,.0f} texts/s, ratio textlab/keras {ours / keras_rate:.2f}")

    scratch = scratch_project()
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{scratch / 'mlflow.db'}"}
    try:
        stage, bare, train_rss, vectorize_rss = [], [], [], []
        for _ in range(args.runs):
            seconds, rss = timed([sys.executable, "-m", "textlab.stages.train", "imdb-lstm"], scratch, env)
            stage.append(seconds)
            train_rss.append(rss)
            bare.append(timed([sys.executable, "-c", BARE_LSTM, str(ROOT / "data/features/imdb-top5k")], scratch, env)[0])
            vectorize_rss.append(timed([sys.executable, "-m", "textlab.stages.vectorize", "imdb"], scratch, env)[1])
        s, b = statistics.median(stage), statistics.median(bare)
        print(f"(b) one imdb-lstm epoch: pipeline stage {s:.1f} s, bare Keras script {b:.1f} s, "
              f"ratio stage/bare {s / b:.2f} (overhead {s - b:.1f} s)")
        print(f"(c) peak memory: vectorize@imdb {statistics.median(vectorize_rss):,.0f} MiB, "
              f"train@imdb-lstm {statistics.median(train_rss):,.0f} MiB")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
