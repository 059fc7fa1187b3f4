"""Entry-point glue: one positional argument (corpus or model key), clear errors, no tracebacks for bad input."""
from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any, NoReturn


class StageError(RuntimeError):
    """Bad input or settings the user must fix; the message says what and where."""


def interrupted(signum: int, frame: Any) -> NoReturn:
    """SIGTERM (DVC, a queue worker, `kill`) unwinds like Ctrl-C, so the MLflow run ends KILLED."""
    raise KeyboardInterrupt(f"stopped by signal {signal.Signals(signum).name}")


def run_stage(stage: str, body: Callable[[str], None], argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit(f"usage: python -m textlab.stages.{stage} <name>")
    signal.signal(signal.SIGTERM, interrupted)
    try:
        body(args[0])
    except KeyboardInterrupt as err:
        print(f"error: {stage}@{args[0]}: interrupted ({err or 'Ctrl-C'}); the previous outputs are unchanged",
              file=sys.stderr)
        sys.exit(130)
    except Exception as err:
        # Bad input or settings (ours, MLflow's, or a ValueError/KeyError/OSError): say what is wrong,
        # not where Python was. Anything else is a bug and keeps its traceback.
        if not (isinstance(err, (ValueError, KeyError, OSError)) or type(err).__module__.startswith(("textlab", "mlflow"))):
            raise
        detail = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"error: {stage}@{args[0]}: {type(err).__name__}: {detail}\n"
              f"({stage}@{args[0]} wrote nothing: its previous outputs are unchanged)", file=sys.stderr)
        sys.exit(1)
