"""One module per DVC stage: read params, call the library, write outputs, log to MLflow.

Each stage imports at the top exactly the libraries it uses, so its start-up cost is visible
(`python -X importtime -m textlab.stages.<stage>`): split/tokenize/vectorize load GX but not
TensorFlow; train/evaluate load TensorFlow but not GX.
"""
import os

# Quiet, private defaults for every stage process; the environment can still override them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("MPLBACKEND", "Agg")  # stages draw PNGs, never windows
# A tracking server that stops answering mid-run fails the stage in about a minute, not after
# MLflow's default ~4 minutes of silent retries (the start-up check already catches a dead server).
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "20")
