"""What a served text model accepts: the texts inside the DataFrame MLflow hands to the model.

MLflow's schema enforcement (a `text: string` column signature) turns every accepted request
into a DataFrame before the model sees it, with two quirks handled here:

* None and NaN both arrive as a missing value, so they are refused with one message;
* a dict whose value is a list of strings, `{"text": ["Anna", "John"]}`, arrives as ONE row
  whose cell holds the whole list (MLflow keeps such lists together for LLM-style models).
  MLflow's pyfunc convention reads a dict of column → list as columns, so that row is expanded
  to one text per list item.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

TEXT_COLUMN = "text"
LIST_CELL = (list, tuple, np.ndarray)
HINT = "every row needs a string (use '' for an empty text)"


def texts_from_input(model_input: pd.DataFrame) -> list[str]:
    """The strings of the `text` column, one per row; ValueError naming the first bad row otherwise."""
    if not isinstance(model_input, pd.DataFrame):
        raise ValueError(f"expected a DataFrame with a {TEXT_COLUMN!r} column, got {type(model_input).__name__}")
    if TEXT_COLUMN not in model_input.columns:
        raise ValueError(f"input needs a {TEXT_COLUMN!r} column; columns seen: {[str(c) for c in model_input.columns]}")
    column = model_input[TEXT_COLUMN]
    if len(column) == 1 and isinstance(column.iloc[0], LIST_CELL):
        # Positions in the list are the rows the caller wrote, so errors name those.
        values: Sequence[Any] = list(column.iloc[0])
        labels: Sequence[Hashable] = range(len(values))
    else:
        values, labels = column.tolist(), column.index.tolist()
    bad = [(label, value) for label, value in zip(labels, values, strict=True) if not isinstance(value, str)]
    if bad:
        label, value = bad[0]
        more = f" ({len(bad) - 1} more rows like it)" if len(bad) > 1 else ""
        raise ValueError(f"row {label}: text is {describe(value)}; {HINT}{more}")
    return list(values)


def describe(value: Any) -> str:
    """How a non-string cell reads in an error: None and NaN are indistinguishable after MLflow."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "missing (None or NaN)"
    return f"{value!r} ({type(value).__name__})"
