# Two entry points for a fresh machine: `make repro` runs the pipeline, `make test` runs the tests.
# Both build .venv from requirements.lock first (uv inside the venv; no global installs).
SHELL := /bin/bash
VENV := .venv
PYTHON ?= python3
UV_VERSION := 0.13.9
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export MLFLOW_DISABLE_TELEMETRY := true
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup repro test ui lock bench

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(VENV)/bin/python -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(VENV)/bin/python --no-deps -e .
	$(VENV)/bin/dvc config core.analytics false
	touch $@

repro: setup
	python -m textlab.adapters.params   # every param checked before DVC touches an output
	dvc repro

# Two pytest workers: the two halves of the e2e pipeline (one cold repro each) run side by side on 2 cores
# (tests/conftest.py schedules each half's modules on one worker).
PYTEST_WORKERS ?= 2
test: setup
	python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

ui: setup
	@echo "open http://127.0.0.1:5000/#/experiments?workflowType=machine_learning  (MLflow's model-training view)"
	mlflow ui --backend-store-uri sqlite:///mlflow.db --host 127.0.0.1 --port 5000

bench: setup
	python benchmarks/stage_startup.py
	python benchmarks/imdb_bench.py
	python benchmarks/noop_repro.py

lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
