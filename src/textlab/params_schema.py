"""The shape of params.yaml: every section's keys, types, ranges and choices, and how sections refer to each other.

`textlab.params_check.validate_params` checks the whole file against these models at once and raises
`ParamsError` listing every problem, one a line, each naming the dotted key, the value as written and
what is allowed. Numbers are strict: text
such as '0.2' is never coerced (`load_params` reads 1e-3 as a number, as DVC does) and true/false
are not integers. Optional keys take their defaults when left out; an explicit null is refused unless
null has a meaning of its own, since the code reads `hp.get(name, default)` and null would reach it.
"""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from textlab.kinds import KINDS

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
    checks: Checks


class NamesCorpus(Corpus):
    split: NamesSplit


class ImdbCorpus(Corpus):
    split: ImdbSplit


class TextSplit(Section):
    val_share: Share
    test_share: Share
    limit: Count | None = Field(None, description="null (the whole text) or an integer ≥ 1 (characters kept from "
                                                  "the start, for quick runs)")

    @model_validator(mode="after")
    def _leaves_train(self) -> TextSplit:
        if self.val_share + self.test_share >= 1:
            raise ValueError("val_share + test_share must stay below 1")
        return self


class TextChecks(Section):
    max_oov_rate: float = Field(ge=0, le=1, description="a number from 0 to 1")


class TextCorpus(Section):
    """A running text for language models: contiguous train/val/test parts, no labels."""

    split: TextSplit
    tokenize: Tokenize
    checks: TextChecks


class PairSplit(Section):
    val_size: Share
    test_size: Share
    seed: Seed
    limit: Count | None = Field(None, description="null (every pair) or an integer ≥ 1 (a seeded sample of pairs)")
    max_words: Count | None = Field(None, description="null or an integer ≥ 1 (longest sentence kept, either side)")


class PairCorpus(Section):
    """Sentence pairs for translation: no English sentence in two splits."""

    split: PairSplit
    checks: TextChecks


class Corpora(Section):
    """One optional field per corpus that has a reader: the corpora differ in their split knobs."""

    names: NamesCorpus | None = None
    imdb: ImdbCorpus | None = None
    nietzsche: TextCorpus | None = None
    alice: TextCorpus | None = None
    spa_eng: PairCorpus | None = None


class View(Section):
    corpus: Name
    maxlen: Annotated[Int1 | None, Field(description="null (longest training text) or an integer ≥ 1")]
    num_words: Vocab = None
    ngram_range: int = Field(1, ge=1, le=3, description="1, 2 or 3 (largest n-gram whose ids follow the tokens)")
    max_ngrams: Count | None = Field(None, description="null (every training n-gram) or an integer ≥ 1")
    step: Count | None = Field(None, description="null or an integer ≥ 1 (a text corpus's view: characters or "
                               "words between two training windows)")
    min_count: Count | None = Field(None, description="null or an integer ≥ 1 (a pairs view: fewest training "
                                    "occurrences a word needs to enter a vocabulary)")


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
    analyzer: Literal["word", "char_wb"] = Field(None, description="word or char_wb (character n-grams of each word, "
                                                                   "its start and end marked by a space)")
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


class Stacking(Section):
    """ensemble@<key>: a logistic regression on the members' validation logits (textlab.ensembles)."""

    reads: ClassVar[tuple[str, ...]] = ("predictions",)
    corpus: Name
    family: Literal["stacking"] = Field(description="stacking (logistic regression on the members' logits)")
    members: Annotated[list[Name], Field(min_length=2), AfterValidator(_distinct)] = Field(
        description="a list of at least two distinct classifier keys (models or baselines) of the corpus")
    C: Positive = None
    folds: int = Field(None, ge=2, le=20, description="an integer from 2 to 20 (folds of the validation split)")
    seed: Seed = None
    refit: Flag = None


KerasEntry = Dense | Rnn | Conv1d | Flatten | Pooled
BaselineEntry = TfidfLogreg | Nbsvm


class LanguageRnn(Embedded):
    """Next-token model: Embedding → recurrent layers → softmax over the vocabulary."""

    reads: ClassVar[tuple[str, ...]] = ("windows",)
    family: Literal["lm_rnn"] = Field(description="lm_rnn (the one language-model family)")
    cell: Literal["simple_rnn", "lstm", "gru"] = Field(description="simple_rnn, lstm or gru")
    units: Layers
    dropout: Rate = None
    recurrent_dropout: Rate = None
    targets: Literal["last", "every"] | None = Field(
        None, description="last (one target a sliding window, the original) or every (a target at every position)")
    output_dropout: Rate = None
    lr_schedule: Literal["constant", "cosine"] | None = Field(
        None, description="constant, or cosine (decay from learning_rate over every step to lr_floor of it)")
    lr_floor: Rate = None
    maxlen: Count = None
    step: Count = None

    @model_validator(mode="after")
    def _windows_need_every_position(self) -> LanguageRnn:
        if (self.maxlen is not None or self.step is not None) and self.targets != "every":
            raise ValueError("maxlen and step cut the windows of targets: every; set targets: every or drop them")
        return self


class CountModel(Section):
    """Counting language models fitted on a text view's training ids."""

    reads: ClassVar[tuple[str, ...]] = ("windows",)
    corpus: Name
    inputs: Name


class Markov(CountModel):
    family: Literal["markov"]
    alpha: Positive = None


class KneserNey(CountModel):
    family: Literal["kneser_ney"]
    order: int = Field(ge=2, le=8, description="an integer from 2 to 8")
    discount: Share = None


class Generation(Section):
    temperatures: Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=1)] = Field(
        description="a non-empty list of numbers ≥ 0 (0 = greedy)")
    length: Count
    seed: Seed


class EmbeddingModel(Section):
    """CBOW or skip-gram word vectors on a text view's training ids (word2vec's SGD; see textlab.word2vec_models)."""

    reads: ClassVar[tuple[str, ...]] = ("windows",)
    corpus: Name
    inputs: Name
    family: Literal["cbow", "skipgram"] = Field(description="cbow or skipgram")
    loss: Literal["negative_sampling", "softmax"] = Field(description="negative_sampling or softmax")
    embedding_dim: Count
    window: Count
    negatives: Count
    sample: Rate
    epochs: Count
    batch_size: Count
    learning_rate: Positive
    seed: Seed


class Seq2seq(KerasModel):
    """Encoder–decoder of GRUs with teacher forcing; `attention` lets each decoder step attend over the encoder."""

    reads: ClassVar[tuple[str, ...]] = ("pairs",)
    family: Literal["seq2seq"] = Field(description="seq2seq (the one translation family)")
    embedding_dim: Count
    units: Count
    attention: Flag = None
    bidirectional: Flag = None
    dropout: Rate = None


class Decoding(Section):
    """How evaluate_translator turns a translator's next-word probabilities into a translation (textlab.beam_search)."""

    beam_width: Count = Field(description="an integer ≥ 1 (1 = greedy decoding)")
    length_alpha: Annotated[float, Field(ge=0)] = Field(description="a number ≥ 0 (0 = raw log-probability)")


class Neighbours(Section):
    probes: Annotated[list[Name], Field(min_length=1)] = Field(description="a non-empty list of words")
    frequent: Seed
    k: Count


def _divides_one(step: float) -> float:
    if abs(round(1 / step) * step - 1) > 1e-9:
        raise ValueError("step does not divide 1")
    return step


class Interpolation(Section):
    """evaluate_mixture@<key>: P = weight·P(first component) + (1 − weight)·P(second) per token, the weight the
    grid's lowest validation bits per token (textlab.mixtures); nothing is trained."""

    reads: ClassVar[tuple[str, ...]] = ()
    corpus: Name
    family: Literal["interpolation"] = Field(description="interpolation (a linear mixture of two language models)")
    components: Annotated[list[Name], Field(min_length=2, max_length=2), AfterValidator(_distinct)] = Field(
        description="two distinct language model keys (language_models or ngram_models) of the corpus and one view")
    grid_step: Annotated[float, Field(gt=0, le=0.5), AfterValidator(_divides_one)] = Field(
        description="a number in (0, 0.5] that divides 1 (the weights tried: 0, step, …, 1)")


CountEntry = Markov | KneserNey
ENTRY_MODELS = (*get_args(KerasEntry), *get_args(BaselineEntry), Stacking, LanguageRnn, *get_args(CountEntry),
                Interpolation, EmbeddingModel, Seq2seq)
# family → the model of its entries (EmbeddingModel takes two families)
FAMILY_MODELS: dict[str, type[BaseModel]] = {family: model for model in ENTRY_MODELS
                                             for family in get_args(model.model_fields["family"].annotation)}
# The sections that hold models, each with its families (textlab.kinds); a key is unique across all of them (models/<key>).
MODEL_SECTIONS: dict[str, dict[str, type[BaseModel]]] = {
    kind.section: {family: FAMILY_MODELS[family] for family in kind.families} for kind in KINDS}
KERAS_MODELS: dict[str, type[KerasModel]] = MODEL_SECTIONS["models"]
BASELINE_MODELS: dict[str, type[Baseline]] = MODEL_SECTIONS["baselines"]
LANGUAGE_MODELS: dict[str, type[KerasModel]] = MODEL_SECTIONS["language_models"]
COUNT_MODELS: dict[str, type[CountModel]] = MODEL_SECTIONS["ngram_models"]
EMBEDDING_MODELS: dict[str, type[EmbeddingModel]] = MODEL_SECTIONS["embedding_models"]


class ExportEmbeddings(Section):
    models: Annotated[list[Name], AfterValidator(_distinct)] = Field(description="a list of distinct model keys")
    tsne_perplexity: Positive
    tsne_points: int = Field(ge=3, description="an integer ≥ 3 (t-SNE needs three points)")
    seed: Seed


class QualityGate(Section):
    """gates.<kind>: what an evaluate stage's model must beat (or reach) to pass, see textlab.gates."""
    beat: dict[Name, Annotated[list[Name], Field(min_length=1, description="a non-empty list of baseline names")]] = Field(
        default_factory=dict, description="a mapping of metric → non-empty list of baselines")
    at_least: dict[Name, Annotated[float, Field(description="a number")]] = Field(
        default_factory=dict, description="a mapping of metric → floor")
    margin: float = Field(0.0, ge=0, description="a number ≥ 0")
    min_distinct_share: float = Field(None, gt=0, le=1, description="a number in (0, 1]")


class Gates(Section):
    classifier: QualityGate
    language_model: QualityGate
    translator: QualityGate
    word_vectors: QualityGate


class Gate(Section):
    """promote@<task>: the registered model of one classification corpus and the floor a champion must clear."""
    corpus: Name
    min_test_accuracy: Annotated[float, Field(ge=0, le=1, description="a number between 0 and 1")]


class Knob(Section):
    """One knob a search draws: `values` (a choice), or `min` and `max` (a range; integers draw integers)."""
    values: Annotated[list[int | float | str | bool], Field(min_length=2)] = Field(
        None, description="a list of at least two choices")
    min: int | float = Field(None, description="a number")
    max: int | float = Field(None, description="a number")
    step: Annotated[int | float, Field(gt=0)] = Field(None, description="a number > 0")
    sampling: Literal["linear", "log"] = Field(None, description="linear or log")

    @model_validator(mode="after")
    def _choice_or_range(self) -> Knob:
        if (self.values is None) == (self.min is None or self.max is None):
            raise ValueError("give either values (a choice) or min and max (a range)")
        if self.values is None and self.min >= self.max:
            raise ValueError("min must be below max")
        return self


class Search(Section):
    """tune@<model>: keras-tuner's random search over knobs of the `models` entry <model>."""
    corpus: Name
    inputs: Name
    trials: Count
    executions: Count
    epochs: Count
    objective: Literal["val_accuracy", "val_loss"] = Field(description="val_accuracy or val_loss")
    seed: Seed
    space: Annotated[dict[str, Knob], Field(min_length=1)] = Field(description="a mapping of knob → choice or range")


class Explain(Section):
    """explain@<corpus>: LIME explanations of probe texts by a task's champion."""
    task: Name
    probes: Annotated[list[Name], Field(min_length=1)] = Field(description="a non-empty list of texts")
    samples: int = Field(ge=10, description="an integer ≥ 10")
    features: Count
    seed: Seed
    linear: Name | None = Field(None, description="null or a key of baselines")


class Params(Section):
    download: Download
    corpora: Corpora
    bags: dict[str, Vectorize]
    views: dict[str, View]
    pretrained: dict[str, Pretrained]
    train: Train
    models: dict[str, Annotated[KerasEntry, Field(discriminator="family")]]
    baselines: dict[str, Annotated[BaselineEntry, Field(discriminator="family")]]
    ensembles: dict[str, Stacking]
    language_models: dict[str, LanguageRnn]
    ngram_models: dict[str, Annotated[CountEntry, Field(discriminator="family")]]
    mixture_models: dict[str, Interpolation]
    generation: Generation
    embedding_models: dict[str, EmbeddingModel]
    translation_models: dict[str, Seq2seq]
    decoding: Decoding
    neighbours: Neighbours
    export_embeddings: ExportEmbeddings
    published: dict[Name, Annotated[dict[Name, Annotated[float, Field(description="a number")]],
                                    Field(description="a mapping of metric → figure")]]
    gates: Gates
    registry: dict[str, Gate]
    tune: dict[str, Search]
    explain: dict[str, Explain]
