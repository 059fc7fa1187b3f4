"""The shape of params.yaml: every section's keys, types, ranges and choices, and how sections refer to each other.

`validate_params` checks the whole file at once and raises `ParamsError` listing every problem, one a
line, each naming the dotted key, the value as written and what is allowed. Numbers are strict: text
such as '0.2' is never coerced (PyYAML, a YAML 1.1 reader, also reads 1e-3 as text) and true/false
are not integers. Optional keys take their defaults when left out; an explicit null is refused unless
null has a meaning of its own, since the code reads `hp.get(name, default)` and null would reach it.
"""
from __future__ import annotations

import difflib
import re
import types
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo

WHERE = "params.yaml"


class ParamsError(ValueError):
    """params.yaml breaks the schema; the message holds one line per problem."""


def _distinct(items: list[str]) -> list[str]:
    if len(set(items)) != len(items):
        raise ValueError("repeated entry")
    return items


def _ordered(strictly: bool) -> AfterValidator:
    """[low, high] with low below high, or (not strictly) low equal to high too."""
    def check(pair: list[float]) -> list[float]:
        if pair[0] > pair[1] or strictly and pair[0] == pair[1]:
            raise ValueError("pair out of order")
        return pair

    return AfterValidator(check)


# Leaf types; each description is the "expected ..." text of the error lines.
Int1 = Annotated[int, Field(ge=1)]
Count = Annotated[int, Field(ge=1, description="an integer ≥ 1")]
Seed = Annotated[int, Field(ge=0, description="an integer ≥ 0")]
Positive = Annotated[float, Field(gt=0, description="a number > 0")]
Share = Annotated[float, Field(gt=0, lt=1, description="a number between 0 and 1 (exclusive)")]
Rate = Annotated[float, Field(ge=0, lt=1, description="a number ≥ 0 and < 1")]
Penalty = Annotated[float, Field(ge=0, description="a number ≥ 0")]
Flag = Annotated[bool, Field(description="true or false")]
Name = Annotated[str, Field(min_length=1, description="a name")]
Side = Annotated[Literal["pre", "post"], Field(description="pre or post")]
Vocab = Annotated[Annotated[int, Field(ge=3)] | None, Field(
    description="null (every training token) or an integer ≥ 3 (padding and OOV included)")]
Layers = Annotated[list[Int1], Field(min_length=1, description="a list of integers ≥ 1, one per layer")]
Activation = Annotated[Literal["relu", "tanh", "sigmoid", "elu", "selu", "gelu", "silu", "swish", "softplus",
                               "softsign", "linear", "leaky_relu", "relu6", "mish", "hard_sigmoid", "exponential"],
                       Field(description="a Keras activation name (relu, tanh, sigmoid, elu, gelu, ...)")]
DocFreq = Annotated[Int1 | Annotated[float, Field(gt=0, le=1)], Field(
    description="an integer ≥ 1 (documents) or a number in (0, 1] (share of documents)")]
NgramRange = Annotated[list[Int1], Field(min_length=2, max_length=2), _ordered(strictly=False),
                       Field(description="[low, high] with 1 ≤ low ≤ high")]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Download(Section):
    mirror: str | None = Field(None, description="null or a directory or base URL holding the corpus files")
    retries: int = Field(ge=1, le=20, description="an integer from 1 to 20")
    timeout_s: Positive
    max_members: Count
    max_unpacked_mb: Positive
    sources: Annotated[list[Name], AfterValidator(_distinct)] = Field(description="a list of distinct registry names")


class NamesSplit(Section):
    ambiguous: Literal["drop", "keep_both"] = Field(description="drop or keep_both")
    test_size: Share
    val_size: Share
    seed: Seed


class ImdbSplit(Section):
    val_size: Share
    seed: Seed
    limit: Count | None = Field(None, description="null (all 12,500) or an integer ≥ 1 (reviews per folder)")


class Tokenize(Section):
    level: Literal["char", "word"] = Field(description="char or word")
    padding: Side
    truncating: Side
    lowercase: Flag


class Vectorize(Section):
    modes: Annotated[list[Literal["binary", "count", "freq", "tfidf"]], Field(min_length=1),
                     AfterValidator(_distinct)] = Field(description="a non-empty list of distinct modes among binary, "
                                                                    "count, freq, tfidf")
    num_words: Vocab = None


class TextWords(Section):
    min: Seed
    max: Count
    median: Annotated[list[Penalty], Field(min_length=2, max_length=2), _ordered(strictly=False)] = Field(
        description="[low, high] with 0 ≤ low ≤ high")

    @model_validator(mode="after")
    def _min_not_above_max(self) -> TextWords:
        if self.min > self.max:
            raise ValueError("min above max")
        return self


class Checks(Section):
    class_balance: Annotated[list[Annotated[float, Field(ge=0, le=1)]], Field(min_length=2, max_length=2),
                             _ordered(strictly=True)] = Field(description="[low, high] with 0 ≤ low < high ≤ 1")
    max_oov_rate: float = Field(ge=0, le=1, description="a number from 0 to 1")
    disjoint: Annotated[list[Literal["train", "val", "test"]], Field(min_length=2), AfterValidator(_distinct)] = Field(
        ["train", "val", "test"], description="a list of at least two distinct splits among train, val, test")
    text_words: TextWords | None = Field(None, description="null or {min: integer ≥ 0, max: integer ≥ min, "
                                                           "median: [low, high]} in words")


class Corpus(Section):
    tokenize: Tokenize
    vectorize: Vectorize
    checks: Checks


class NamesCorpus(Corpus):
    split: NamesSplit


class ImdbCorpus(Corpus):
    split: ImdbSplit


class Corpora(Section):
    """One optional field per corpus that has a reader: the corpora differ in their split knobs."""

    names: NamesCorpus | None = None
    imdb: ImdbCorpus | None = None


class View(Section):
    corpus: Name
    maxlen: Annotated[Int1 | None, Field(description="null (longest training text) or an integer ≥ 1")]
    num_words: Vocab = None
    ngram_range: int = Field(1, ge=1, le=3, description="1, 2 or 3 (largest n-gram whose ids follow the tokens)")
    max_ngrams: Count | None = Field(None, description="null (every training n-gram) or an integer ≥ 1")


class Pretrained(Section):
    corpus: Name
    view: Name
    source: Name
    member: Name


Optimizer = Annotated[Literal["adam", "rmsprop"], Field(description="adam or rmsprop")]


class Train(Section):
    optimizer: Optimizer
    learning_rate: Positive
    batch_size: Count
    epochs: Count
    patience: Seed
    seed: Seed


class KerasModel(Section):
    """Keys every Keras family shares; the `train` knobs may be overridden per entry."""

    reads: ClassVar[tuple[str, ...]] = ("view", "pretrained")
    corpus: Name
    inputs: Name
    optimizer: Optimizer = None
    learning_rate: Positive = None
    batch_size: Count = None
    epochs: Count = None
    patience: Seed = None
    seed: Seed = None


class Embedded(KerasModel):
    """Families starting with an Embedding layer; `embedding_dim` is required unless the vectors are pretrained."""

    embedding_dim: Count = None
    trainable: Flag = None


class Dense(KerasModel):
    reads: ClassVar[tuple[str, ...]] = ("bow",)
    family: Literal["dense"]
    hidden: Layers
    activation: Activation = None
    dropout: Rate = None
    l1: Penalty = None
    l2: Penalty = None


class Rnn(Embedded):
    family: Literal["rnn"]
    cell: Literal["simple_rnn", "lstm", "gru"] = Field(description="simple_rnn, lstm or gru")
    units: Layers
    activation: Activation = None
    bidirectional: Flag = None
    dropout: Rate = None
    recurrent_dropout: Rate = None
    dense_units: Count = None


class Conv1d(Embedded):
    family: Literal["conv1d"]
    filters: Count
    kernel_size: Count
    blocks: Count = None
    conv_padding: Literal["same", "valid", "causal"] = Field(None, description="same, valid or causal")
    pool_size: Count = None
    dropout: Rate = None
    dense_units: Count = None


class Flatten(Embedded):
    family: Literal["flatten"]
    hidden: list[Int1] = Field(None, description="a list of integers ≥ 1, one Dense layer each")


class Pooled(Embedded):
    family: Literal["pooled"]


class Baseline(Section):
    """scikit-learn pipelines; the knobs are those of `textlab.baselines` *_DEFAULTS."""

    reads: ClassVar[tuple[str, ...]] = ("split",)
    corpus: Name
    inputs: Name
    seed: Seed = None
    ngram_range: NgramRange = None
    min_df: DocFreq = None
    max_df: DocFreq = None
    max_features: Count | None = Field(None, description="null (every n-gram) or an integer ≥ 1")
    C: Positive = None
    solver: Literal["liblinear", "saga"] = Field(None, description="liblinear or saga")
    max_iter: Count = None


class TfidfLogreg(Baseline):
    family: Literal["tfidf_logreg"]


class Nbsvm(Baseline):
    family: Literal["nbsvm"]
    alpha: Positive = None


def _family(model: type[BaseModel]) -> str:
    return get_args(model.model_fields["family"].annotation)[0]


KerasEntry = Dense | Rnn | Conv1d | Flatten | Pooled
BaselineEntry = TfidfLogreg | Nbsvm
KERAS_MODELS: dict[str, type[KerasModel]] = {_family(model): model for model in get_args(KerasEntry)}
BASELINE_MODELS: dict[str, type[Baseline]] = {_family(model): model for model in get_args(BaselineEntry)}


class ExportEmbeddings(Section):
    models: Annotated[list[Name], AfterValidator(_distinct)] = Field(description="a list of distinct model keys")
    tsne_perplexity: Positive
    tsne_points: int = Field(ge=3, description="an integer ≥ 3 (t-SNE needs three points)")
    seed: Seed


class Params(Section):
    download: Download
    corpora: Corpora
    views: dict[str, View]
    pretrained: dict[str, Pretrained]
    train: Train
    models: dict[str, Annotated[KerasEntry, Field(discriminator="family")]]
    baselines: dict[str, Annotated[BaselineEntry, Field(discriminator="family")]]
    export_embeddings: ExportEmbeddings


Problem = tuple[tuple[Any, ...], Any, str]  # dotted-key parts, value as written (UNSHOWN: none), what is wrong
UNSHOWN = object()
UNIONS = (Union, types.UnionType)
EXPONENT = re.compile(r"[-+]?\d+(\.\d*)?[eE][-+]?\d+")  # YAML 1.1 floats need a dot and a signed exponent
KINDS = {"view": "a view (features/<view>)", "pretrained": "a pretrained view (features/<pretrained key>)",
         "bow": "a bag-of-tokens folder (features/<corpus>-bow/<mode>)", "split": "the split texts (split/<corpus>)"}
REFERENCES = ("corpus", "family", "inputs", "view", "source")  # keys naming another entry, a family or a folder
NOUNS = {"view": "view", "pretrained": "pretrained view", "bow": "bag-of-tokens folder", "split": "split"}


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
                     *_entry_problems(params, "models", KERAS_MODELS),
                     *_entry_problems(params, "baselines", BASELINE_MODELS)]
    if problems:
        raise ParamsError("\n".join(dict.fromkeys(_line(problem, where) for problem in problems)))


# ----------------------------------------------------------------------------- pydantic errors as lines


def _schema_problem(params: Any, error: dict[str, Any]) -> Problem:
    keys, field, node = _locate(error["loc"])
    if error["type"].startswith("union_tag"):
        family, other = _value_at(params, (*keys, "family")), {"models": "baselines", "baselines": "models"}[keys[0]]
        what = f"{'missing; ' if family is UNSHOWN else ''}expected one of {', '.join(_families(_unwrap(node)))}"
        moved = isinstance(family, str) and family in (BASELINE_MODELS if other == "baselines" else KERAS_MODELS)
        return (*keys, "family"), family, what + (f"; family {family} belongs under {other}" if moved else "")
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
        node, part = _unwrap(node), parts[0]
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


def _expected(field: FieldInfo | None, node: Any, pydantic_msg: str) -> str:
    node = _unwrap(node)
    if field is not None and field.description:
        return field.description
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
    """Why a plausible value was refused: a null where a default applies, or a number that YAML read as text."""
    if value is None:
        return "; leave the key out to use the default" if field is not None and not field.is_required() else ""
    if not isinstance(value, str) or not re.search(r"\b(number|integer)\b", expected):
        return ""
    if EXPONENT.fullmatch(value.strip()):
        mantissa, exponent = re.split("[eE]", value.strip())
        written = f"{mantissa if '.' in mantissa else mantissa + '.0'}e{'' if exponent[0] in '+-' else '+'}{exponent}"
        plain = f"{Decimal(value.strip()):f}"
        return f"; YAML reads {value} as text — write {written + ' or ' if 'number' in expected else ''}{plain}"
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
    taken = {f"{c}-bow" for c in corpora}
    problems += [(("views", k), UNSHOWN, f"vectorize@{k[:-4]} writes data/features/{k} already; rename the view")
                 for k in views if k in taken]
    return problems + [(("pretrained", k), UNSHOWN, f"another stage writes data/features/{k} already; rename it")
                       for k in pretrained if k in taken | set(views)]


def _export_problems(params: dict[str, Any]) -> list[Problem]:
    models, baselines = _entries(params, "models"), _entries(params, "baselines")
    where, names = ("export_embeddings", "models"), _value_at(params, ("export_embeddings", "models"))
    problems = []
    for name in [n for n in names if isinstance(n, str)] if isinstance(names, list) else []:
        family = models[name].get("family") if name in models else None
        if family in KERAS_MODELS and not issubclass(KERAS_MODELS[family], Embedded):
            problems.append((where, name, f"family {family} has no Embedding layer"))
        elif name in baselines and name not in models:
            problems.append((where, name, "a scikit-learn baseline has no Embedding layer"))
        else:
            problems += _unknown(where, name, models, "a key of models")
    return problems + [(("baselines", k), UNSHOWN, f"models.{k} has the same key; their stages and models/{k} "
                        "would clash") for k in baselines if k in models]


def _folders(params: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """The data/ folders a stage writes that a model may read: folder -> (its corpus, its kind)."""
    folders = {}
    for corpus, settings in _entries(params, "corpora").items():
        modes = _value_at(settings, ("vectorize", "modes"))
        folders |= {f"features/{corpus}-bow/{m}": (corpus, "bow") for m in (modes if isinstance(modes, list) else [])}
        folders[f"split/{corpus}"] = (corpus, "split")
    for kind, section in (("view", "views"), ("pretrained", "pretrained")):
        folders |= {f"features/{k}": (v.get("corpus"), kind) for k, v in _entries(params, section).items()}
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
