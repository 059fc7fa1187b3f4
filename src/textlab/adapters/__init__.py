"""I/O adapters: the only modules (beside the stages) that touch files, network, MLflow or GX."""
