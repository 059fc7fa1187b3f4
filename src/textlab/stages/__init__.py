"""One module per DVC stage: read params, call the library, write outputs, log to MLflow."""
