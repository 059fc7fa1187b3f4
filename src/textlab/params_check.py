"""Validate a parsed params.yaml against `textlab.params_schema`: one line per problem, naming the
dotted key, the value as written and what is allowed, plus the checks across sections (a model's
`inputs` folder exists in the DAG and belongs to the model's corpus, and the like)."""
from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from textlab.params_schema import (
    KERAS_MODELS,
    MODEL_SECTIONS,
    WHERE,
    Embedded,
    Params,
    ParamsError,
    _family,
)

Problem = tuple[tuple[Any, ...], Any, str]  # dotted-key parts, value as written (UNSHOWN: none), what is wrong
UNSHOWN = object()
UNIONS = (Union, types.UnionType)
KINDS = {"view": "a view (features/<view>)", "windows": "a text view (features/<view> of a text corpus)",
         "pairs": "a pairs view (features/<view> of a sentence-pair corpus)",
         "pretrained": "a pretrained view (features/<pretrained key>)",
         "bow": "a bag-of-tokens folder (features/<corpus>-bow/<mode>)", "split": "the split texts (split/<corpus>)"}
FAMILY_SECTIONS = {family: section for section, families in MODEL_SECTIONS.items() for family in families}
REFERENCES = ("corpus", "family", "inputs", "view", "source")  # keys naming another entry, a family or a folder
NOUNS = {"view": "view", "windows": "text view", "pairs": "pairs view", "pretrained": "pretrained view", "bow": "bag-of-tokens folder",
         "split": "split"}


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
                     *_ensemble_problems(params),
                     *(p for section, families in MODEL_SECTIONS.items() for p in _entry_problems(params, section,
                                                                                                   families))]
        from textlab.params_check_search import explain_problems, tune_problems  # it builds on this module

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


def _value_at(params: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys:
        if not isinstance(params, dict) or key not in params:
            return UNSHOWN
        params = params[key]
    return params


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


def _entries(params: dict[str, Any], section: str) -> dict[Any, dict[str, Any]]:
    """The mapping entries of a section, with references that are not text left out."""
    return {key: {name: value for name, value in entry.items() if name not in REFERENCES or isinstance(value, str)}
            for key, entry in params[section].items() if isinstance(entry, dict)}


def _unknown(keys: tuple[Any, ...], value: Any, known: Any, what: str) -> list[Problem]:
    """A reference to an entry that does not exist."""
    if not isinstance(value, str) or value in known:
        return []
    return [(keys, value, f"expected {what}: {', '.join(map(str, known)) or 'none defined'}")]


def is_text_corpus(corpus: Any) -> bool:
    return view_kind(corpus) == "windows"


def view_kind(corpus: Any) -> str:
    """What a view of `corpus` holds: windows of a running text, sentence pairs, or padded labelled texts."""
    from textlab.corpora import corpus_kind  # brings pandas, as in _download_problems

    return {"text": "windows", "pairs": "pairs", "labelled": "view"}[corpus_kind(corpus)] if isinstance(corpus, str) \
        else "view"


def _sources(params: dict[str, Any]) -> list[Any]:
    sources = params["download"].get("sources")
    return sources if isinstance(sources, list) else []


def _download_problems(params: dict[str, Any]) -> list[Problem]:
    from textlab.corpora import SOURCES  # brings pandas (a second cold); stages have it loaded already

    sources = _sources(params)
    problems = [p for s in sources for p in _unknown(("download", "sources"), s, SOURCES, "a registry name")]
    return problems + [(("corpora", c), UNSHOWN, f"split@{c} reads data/raw/{c}: add {c} to download.sources")
                       for c in _entries(params, "corpora") if c not in sources]


def _reference_problems(params: dict[str, Any]) -> list[Problem]:
    """views and pretrained point at corpora, views and sources; no two stages write one features folder."""
    corpora, views, pretrained = (_entries(params, s) for s in ("corpora", "views", "pretrained"))
    problems = [p for k, v in views.items() for p in _unknown(("views", k, "corpus"), v.get("corpus"), corpora,
                                                               "a key of corpora")]
    for key, entry in pretrained.items():
        corpus, view = entry.get("corpus"), entry.get("view")
        problems += _unknown(("pretrained", key, "corpus"), corpus, corpora, "a key of corpora")
        problems += _unknown(("pretrained", key, "source"), entry.get("source"), _sources(params),
                             "an entry of download.sources")
        problems += _unknown(("pretrained", key, "view"), view, views, "a key of views")
        if view in views and views[view].get("corpus") != corpus:
            problems.append((("pretrained", key, "view"), view, f"that view belongs to corpus "
                             f"{views[view].get('corpus')}, but the entry's corpus is {corpus}"))
    problems += [p for k in _entries(params, "bags") for p in _unknown(("bags", k), k, corpora, "a key of corpora")]
    for key, view in views.items():
        text, step = is_text_corpus(view.get("corpus")), "step" in view and view["step"] is not None
        if view.get("corpus") in corpora and text != step:
            problems.append((("views", key, "step"), view.get("step") if step else UNSHOWN,
                             "missing; a text corpus's view cuts windows every `step` tokens" if text else
                             "only a text corpus's view cuts windows; remove it"))
    problems += [(("bags", k), UNSHOWN, f"{k} has no labels to bag") for k in _entries(params, "bags")
                 if view_kind(k) != "view"]
    taken = {f"{c}-bow" for c in _entries(params, "bags")}
    problems += [(("views", k), UNSHOWN, f"vectorize@{k[:-4]} writes data/features/{k} already; rename the view")
                 for k in views if k in taken]
    return problems + [(("pretrained", k), UNSHOWN, f"another stage writes data/features/{k} already; rename it")
                       for k in pretrained if k in taken | set(views)]


def _registry_problems(where: tuple[Any, ...], corpus: Any, params: dict[str, Any]) -> list[Problem]:
    """A task's corpus is a labelled corpus of `corpora`: promotion ranks classifiers."""
    if corpus in _entries(params, "corpora") and view_kind(corpus) != "view":
        return [(where, corpus, "a labelled corpus: only classifiers are registered and promoted")]
    return _unknown(where, corpus, _entries(params, "corpora"), "a key of corpora")


def _export_problems(params: dict[str, Any]) -> list[Problem]:
    models = _entries(params, "models") | _entries(params, "language_models") | _entries(params, "embedding_models")
    baselines = _entries(params, "baselines")
    where, names = ("export_embeddings", "models"), _value_at(params, ("export_embeddings", "models"))
    problems = [p for task, gate in _entries(params, "registry").items()
                for p in _registry_problems(("registry", task, "corpus"), gate.get("corpus"), params)]
    for name in [n for n in names if isinstance(n, str)] if isinstance(names, list) else []:
        family = models[name].get("family") if name in models else None
        if family in KERAS_MODELS and not issubclass(KERAS_MODELS[family], Embedded):
            problems.append((where, name, f"family {family} has no Embedding layer"))
        elif name in baselines and name not in models:
            problems.append((where, name, "a scikit-learn baseline has no Embedding layer"))
        else:
            problems += _unknown(where, name, models, "a key of models")
    sections = list(MODEL_SECTIONS)
    for later, section in enumerate(sections):
        for earlier in sections[:later]:
            problems += [((section, k), UNSHOWN, f"{earlier}.{k} has the same key; their stages and models/{k} "
                          "would clash") for k in _entries(params, section) if k in _entries(params, earlier)]
    return problems


def _ensemble_problems(params: dict[str, Any]) -> list[Problem]:
    """Each member of an ensemble is a classifier (models or baselines) of the ensemble's own corpus."""
    classifiers, problems = _entries(params, "models") | _entries(params, "baselines"), []
    for key, entry in _entries(params, "ensembles").items():
        members, corpus = entry.get("members"), entry.get("corpus")
        for member in [m for m in members if isinstance(m, str)] if isinstance(members, list) else []:
            where = ("ensembles", key, "members")
            if member in classifiers and classifiers[member].get("corpus") != corpus:
                problems.append((where, member, f"that classifier belongs to corpus {classifiers[member].get('corpus')}"
                                                f", but the ensemble's corpus is {corpus}"))
            problems += _unknown(where, member, classifiers, "a key of models or baselines")
    return problems


def _folders(params: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """The data/ folders a stage writes that a model may read: folder -> (its corpus, its kind)."""
    folders = {}
    for corpus, settings in _entries(params, "bags").items():
        modes = settings.get("modes")
        folders |= {f"features/{corpus}-bow/{m}": (corpus, "bow") for m in (modes if isinstance(modes, list) else [])}
    folders |= {f"split/{corpus}": (corpus, "split") for corpus in _entries(params, "corpora")}
    for key, view in _entries(params, "views").items():
        folders[f"features/{key}"] = (view.get("corpus"), view_kind(view.get("corpus")))
    folders |= {f"features/{k}": (v.get("corpus"), "pretrained") for k, v in _entries(params, "pretrained").items()}
    return folders


def _entry_problems(params: dict[str, Any], section: str, classes: dict[str, Any]) -> list[Problem]:
    """Each model's corpus exists and prefixes its key; its inputs are a folder of that corpus its family reads."""
    corpora, folders, problems = _entries(params, "corpora"), _folders(params), []
    for key, entry in _entries(params, section).items():
        corpus, cls, inputs = entry.get("corpus"), classes.get(entry.get("family")), entry.get("inputs")
        problems += _unknown((section, key, "corpus"), corpus, corpora, "a key of corpora")
        if corpus in corpora and not str(key).startswith(f"{corpus}-"):
            problems.append(((section, key), UNSHOWN, f"the key must start with '{corpus}-', the entry's corpus"))
        if cls is None or inputs is None or corpus not in corpora:
            continue
        wanted = ", ".join(f for f, (c, kind) in folders.items() if kind in cls.reads and c == corpus) or "none"
        reads = f"family {entry['family']} reads {' or '.join(KINDS[kind] for kind in cls.reads)}: {wanted}"
        owner, kind = folders.get(inputs, (None, None))
        if kind is None:
            problems.append(((section, key, "inputs"), inputs, f"no stage writes data/{inputs}; {reads}"))
        elif kind not in cls.reads:
            problems.append(((section, key, "inputs"), inputs, f"that is {KINDS[kind]}, but {reads}"))
        elif owner != corpus:
            problems.append(((section, key, "inputs"), inputs, f"that {NOUNS[kind]} belongs to corpus {owner}, "
                             f"but the model's corpus is {corpus}"))
        elif issubclass(cls, Embedded):
            problems += _embedding_problems((section, key), entry, pretrained=kind == "pretrained")
    return problems


def _embedding_problems(where: tuple[Any, ...], entry: dict[str, Any], pretrained: bool) -> list[Problem]:
    if pretrained and "embedding_dim" in entry:
        return [((*where, "embedding_dim"), entry["embedding_dim"], "the pretrained vectors set the width; remove it")]
    if not pretrained and "embedding_dim" not in entry:
        return [((*where, "embedding_dim"), UNSHOWN, "missing; expected an integer ≥ 1 (inputs holds no "
                 "pretrained vectors)")]
    if not pretrained and "trainable" in entry:
        return [((*where, "trainable"), entry["trainable"], "only pretrained vectors can be frozen; remove it")]
    return []
