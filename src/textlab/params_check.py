"""Validate a parsed params.yaml against `textlab.params_schema` and `textlab.params_links` (the checks across
sections): one line per problem, naming the dotted key, the value as written and what is allowed."""
from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from textlab.params_links import (
    UNSHOWN,
    Problem,
    _download_problems,
    _ensemble_problems,
    _entry_problems,
    _export_problems,
    _mixture_problems,
    _reference_problems,
    _value_at,
    explain_problems,
    tune_problems,
)
from textlab.params_schema import MODEL_SECTIONS, WHERE, Params, ParamsError, _family

UNIONS = (Union, types.UnionType)
FAMILY_SECTIONS = {family: section for section, families in MODEL_SECTIONS.items() for family in families}


def validate_params(params: Any, where: str = WHERE) -> None:
    """Check the whole of params.yaml; raise `ParamsError` naming every problem, one a line."""
    problems: list[Problem] = []
    try:
        Params.model_validate(params)
    except ValidationError as err:
        problems += [_schema_problem(params, error) for error in err.errors()]
    # Links are checked even when some values are malformed, to report every problem at once; but not when a
    # whole section is missing or no mapping, where each reference to it would repeat that one problem.
    if isinstance(params, dict) and all(isinstance(params.get(section), dict) for section in Params.model_fields):
        problems += [*_download_problems(params), *_reference_problems(params), *_export_problems(params),
                     *_ensemble_problems(params), *_mixture_problems(params),
                     *(p for section, families in MODEL_SECTIONS.items() for p in _entry_problems(params, section,
                                                                                                   families))]
        problems += [*tune_problems(params), *explain_problems(params)]
    if problems:
        raise ParamsError("\n".join(dict.fromkeys(_line(problem, where) for problem in problems)))


# ----------------------------------------------------------------------------- pydantic errors as lines


def _schema_problem(params: Any, error: dict[str, Any]) -> Problem:
    keys, field, node = _locate(error["loc"])
    if error["type"].startswith("union_tag"):
        family = _value_at(params, (*keys, "family"))
        what = f"{'missing; ' if family is UNSHOWN else ''}expected one of {', '.join(_families(_unwrap(node)))}"
        home = FAMILY_SECTIONS.get(family) if isinstance(family, str) else None
        return (*keys, "family"), family, what + (f"; family {family} belongs under {home}" if home else "")
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(keys[-1]), node.model_fields, n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        return keys, error["input"], f"unknown key{guess}; allowed: {', '.join(sorted(node.model_fields))}"
    expected = _expected(field, node, error["msg"])
    if error["type"] == "missing":
        return keys, UNSHOWN, f"missing; expected {expected}"
    value = _value_at(params, keys)
    return keys, value, f"expected {expected}{_hint(value, field, expected)}"


def _locate(loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], FieldInfo | None, Any]:
    """An error location as key parts (union tags dropped), the field there and its type.

    Positions inside a list stay with the list, so the line shows the whole value as written.
    """
    keys: list[Any] = []
    field, node, parts = None, Params, list(loc)
    while parts:
        written, node, part = node, _unwrap(node), parts[0]
        if _is_model(node):
            keys.append(parts.pop(0))
            field = node.model_fields.get(part)
            if field is None:  # an unknown key: `node` stays the model that forbids it
                break
            node = field.annotation
        elif get_origin(node) is dict:
            keys.append(parts.pop(0))
            field, node = None, get_args(node)[1]
        elif part in _families(node):
            node = _families(node)[parts.pop(0)]
        else:
            node = written  # as annotated, so a list's own description is still there
            break
    return tuple(keys), field, node


def _is_model(node: Any) -> bool:
    return isinstance(node, type) and issubclass(node, BaseModel)


def _members(node: Any) -> list[Any]:
    return [m for m in get_args(node) if m is not type(None)] if get_origin(node) in UNIONS else []


def _families(node: Any) -> dict[str, Any]:
    """family -> model of a union discriminated by `family` (empty for other types)."""
    return {_family(m): m for m in _members(node) if _is_model(m) and "family" in m.model_fields}


def _unwrap(node: Any) -> Any:
    """Annotated[X, ...] -> X and X | None -> X, until neither applies."""
    while get_origin(node) is Annotated or len(_members(node)) == 1:
        node = get_args(node)[0] if get_origin(node) is Annotated else _members(node)[0]
    return node


def _annotated_description(node: Any) -> str | None:
    """The description an Annotated[X, Field(description=...)] carries (a dict's values have no field of their own)."""
    while get_origin(node) is Annotated:
        described = [meta.description for meta in get_args(node)[1:] if isinstance(meta, FieldInfo) and meta.description]
        if described:
            return described[0]
        node = get_args(node)[0]
    return None


def _expected(field: FieldInfo | None, node: Any, pydantic_msg: str) -> str:
    if field is not None and field.description:
        return field.description
    if _annotated_description(node):
        return _annotated_description(node)
    node = _unwrap(node)
    if _is_model(node):
        return f"a mapping of {', '.join(node.model_fields)}"
    if get_origin(node) is dict:
        return "a mapping of named entries ({} for none)"
    if _families(node):
        return "a mapping of corpus, family, inputs and the family's keys"
    return pydantic_msg[0].lower() + pydantic_msg[1:]


def _hint(value: Any, field: FieldInfo | None, expected: str) -> str:
    """Why a plausible value was refused: a null where a default applies, or a quoted number.

    `load_params` reads `1e-3` as a number (YAML 1.2, as DVC does), so a numeric string was quoted."""
    if value is None:
        return "; leave the key out to use the default" if field is not None and not field.is_required() else ""
    if not isinstance(value, str) or not re.search(r"\b(number|integer)\b", expected):
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    return "; it is quoted, so YAML reads it as text — remove the quotes"


def _line(problem: Problem, where: str) -> str:
    keys, value, what = problem
    key = ".".join(str(k) for k in keys)
    shown = "" if value is UNSHOWN else f" = {_show(value)}"
    return f"{where}: {key}{shown}: {what}" if key else f"{where}: {what}"


def _show(value: Any) -> str:
    """The value as YAML would write it, cut to one short line."""
    if value is None or isinstance(value, bool):
        text = "null" if value is None else str(value).lower()
    elif isinstance(value, list):
        text = f"[{', '.join(_show(v) for v in value)}]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


# ----------------------------------------------------------------------------- links between sections
# These read the raw mapping and skip what the schema already reported (a non-mapping entry, a non-text
# reference), so a type error elsewhere never hides a broken link.
