"""Great Expectations I/O: validate `textlab.checks.Check` frames and render Data Docs.

Everything GX-specific lives here so stages stay testable without it. Each call builds its own
*ephemeral* GX context: no great_expectations/ project folder or stores ever land in the repo,
and nothing leaks between calls. Data Docs are the only files written, atomically.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before GX reads it at import

import great_expectations as gx  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

from textlab.adapters.files import atomic_path
from textlab.checks import Check

DOCS_SITE = "textlab"
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 5}
MAX_TEXT = 60


class DataCheckError(RuntimeError):
    """Some expectation failed; `summary` holds the same JSON-able dict `run_checks` returns."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message)
        self.summary = summary


def run_checks(
    checks: Sequence[Check], *, suite_prefix: str, docs_dir: Path | None = None
) -> dict[str, Any]:
    """Validate every check; build Data Docs under `docs_dir` (also on failure, so one can look).

    Returns `{"success", "checks": {name: {"success", "evaluated", "failed"}}}` and raises
    `DataCheckError` naming check, expectation, column, bound and an example if anything failed.
    """
    names = [check.name for check in checks]
    if len(set(names)) != len(names) or not all(names):
        raise ValueError(f"check names must be unique and non-empty, got {names}")
    context = _ephemeral_context()
    source = context.data_sources.add_pandas("textlab")
    summary: dict[str, Any] = {"success": True, "checks": {}}
    problems: list[str] = []
    for check in checks:
        frame = check.frame.reset_index(drop=True)
        result = _validate(context, source, check, frame, _suite_name(suite_prefix, check.name))
        failed = [_failure(r, frame) for r in result.results if not r.success]
        summary["checks"][check.name] = {
            "success": bool(result.success),
            "evaluated": len(result.results),
            "failed": failed,
        }
        summary["success"] &= bool(result.success)
        problems += [f"{suite_prefix}: check '{check.name}' failed {_line(f)}" for f in failed]
    if docs_dir is not None:
        _build_docs(context, Path(docs_dir), n_results=len(checks))
    if problems:
        raise DataCheckError("\n".join(problems), summary)
    return summary


def _suite_name(suite_prefix: str, check_name: str) -> str:
    """`prefix.name`, with path separators turned into dots: GX's docs store rejects '/' in keys
    (it logs the error and silently drops the page), while dots just nest the pages."""
    return f"{suite_prefix}.{check_name}".replace("/", ".").replace("\\", ".")


def _ephemeral_context() -> Any:
    """An in-memory GX context with analytics and tqdm progress bars switched off."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def _validate(context: Any, source: Any, check: Check, frame: Any, suite_name: str) -> Any:
    """Run one ValidationDefinition: a Checkpoint would pass the same `batch_parameters` (hence
    the same dataframe) to all its definitions, and each check has its own frame."""
    batch = source.add_dataframe_asset(check.name).add_batch_definition_whole_dataframe("all")
    # Copies without ids: GX stamps ids on expectations it stores, and a stamped expectation
    # cannot join another suite, so callers may reuse their expectation lists across runs.
    expectations = [e.copy(update={"id": None}, deep=True) for e in check.expectations]
    suite = context.suites.add(gx.ExpectationSuite(name=suite_name, expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
    )
    return definition.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT)


def _build_docs(context: Any, docs_dir: Path, n_results: int) -> None:
    """Render the suites and results of this context into `docs_dir`, replacing it atomically."""
    with atomic_path(docs_dir) as staged:
        context.add_data_docs_site(
            DOCS_SITE,
            {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(staged),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        context.build_data_docs(site_names=[DOCS_SITE])
        # GX logs rendering errors instead of raising; refuse to publish an incomplete site.
        pages = list((staged / "validations").rglob("*.html"))
        if not (staged / "index.html").is_file() or len(pages) < n_results:
            raise RuntimeError(f"GX rendered an incomplete Data Docs site for {docs_dir}")


# --------------------------------------------------------------------------- failure reports


def _failure(result: Any, frame: Any) -> dict[str, Any]:
    """A JSON-able account of one failed expectation: what, where, bound, evidence."""
    config = result.expectation_config
    kwargs = dict(config.kwargs)
    return {
        "expectation": "".join(part.title() for part in config.type.split("_")),
        "column": kwargs.get("column"),
        "expected": _expected(kwargs, config.type),
        "detail": _detail(result, frame),
        "description": config.description or (config.meta or {}).get("why"),
    }


def _line(failure: dict[str, Any]) -> str:
    where = f" on column '{failure['column']}'" if failure["column"] else ""
    why = f" [{failure['description']}]" if failure["description"] else ""
    expected = f" (expected {failure['expected']})" if failure["expected"] else ""
    return f"{failure['expectation']}{where}{expected}: {failure['detail']}{why}"


def _expected(kwargs: dict[str, Any], expectation_type: str) -> str:
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
    if "value_set" in kwargs:
        return "in {" + ", ".join(_fmt(v) for v in kwargs["value_set"]) + "}"
    if lo is not None and hi is not None:
        return f"between {_fmt(lo)} and {_fmt(hi)}"
    if hi is not None:
        return f"≤ {_fmt(hi)}"
    if lo is not None:
        return f"≥ {_fmt(lo)}"
    if "value" in kwargs:
        return f"= {_fmt(kwargs['value'])}"
    return "unique values" if expectation_type.endswith("to_be_unique") else ""


def _detail(result: Any, frame: Any) -> str:
    info = result.exception_info or {}
    raised = [v for v in ([info] if "raised_exception" in info else info.values())
              if isinstance(v, dict) and v.get("raised_exception")]
    if raised:
        return f"raised {raised[0].get('exception_message')}"
    res = result.result or {}
    if "unexpected_count" in res:
        examples = list(dict.fromkeys(_fmt(v) for v in res.get("partial_unexpected_list") or []))
        text = f"{res['unexpected_count']} of {res.get('element_count')} rows"
        text += f", e.g. {', '.join(examples[:3])}" if examples else ""
        rows = res.get("partial_unexpected_index_list") or []
        return text + (f" (row {rows[0]}: {_row(frame, rows[0])})" if rows else "")
    if "observed_value" in res:
        return f"observed {_fmt(res['observed_value'])}"
    return "failed"


def _row(frame: Any, index: Any) -> str:
    try:
        row = frame.loc[index]
    except KeyError:
        return "?"
    return "{" + ", ".join(f"{k}={_fmt(v)}" for k, v in row.items()) + "}"


def _fmt(value: Any) -> str:
    """Short, numpy-free rendering: 29.0 -> 29, long texts truncated, strings quoted."""
    if hasattr(value, "item") and not isinstance(value, (list, dict)):
        value = value.item()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4g}"
    if isinstance(value, str):
        return repr(value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…")
    return str(value)
